"""Rendering the shipped templates: every one for every sample lead, with the lead's own facts."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from nurture.config import Settings
from nurture.content import (
    SAMPLE_NAMES,
    THEMES,
    RenderError,
    TemplateStore,
    days_to_sale,
    money,
    sample_leads,
    sample_tiers,
    urgency_rules,
)
from nurture.models import Lead
from nurture.content.tokens import verify_link_token, verify_unsubscribe_token

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "templates"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SECRET = "test-secret"


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def store() -> TemplateStore:
    return TemplateStore(SHIPPED)


@pytest.fixture
def own_templates(tmp_path: Path) -> Path:
    """A writable copy of the shipped templates."""
    target = tmp_path / "templates"
    shutil.copytree(SHIPPED, target)
    return target


def render(store: TemplateStore, name: str, lead: Lead, settings: Settings, **kw):
    return store.render(name, lead, now=NOW, settings=settings, secret=SECRET, **kw)


def a_lead(**fields) -> Lead:
    base = dict(first_name="Maria", last_name="Lopez", timezone="America/New_York", city="Miami", state="FL")
    base.update(fields)
    return Lead(**base)


SAMPLES = sample_leads(NOW)
SAMPLE_TIER_OF = sample_tiers(SAMPLES, urgency_rules(ROOT / "schedules"), NOW)


def test_every_theme_exists_in_both_channels(store):
    names = set(store.names())
    for theme in THEMES:
        assert f"sms/{theme}" in names
        assert f"email/{theme}" in names


@pytest.mark.parametrize("sample", sorted(SAMPLES))
@pytest.mark.parametrize("name", sorted(TemplateStore(SHIPPED).names()))
def test_every_shipped_template_renders_for_every_sample_lead(store, settings, name, sample):
    rendered = render(store, name, SAMPLES[sample], settings, tier=SAMPLE_TIER_OF[sample])
    assert rendered.template == name
    assert rendered.text.strip()
    assert "None" not in rendered.text
    assert len(rendered.version) == 16
    if rendered.channel == "sms":
        assert rendered.encoding == "GSM-7"
        assert 1 <= rendered.segments <= settings.sms_max_segments
        assert rendered.html is None and rendered.subject is None
    else:
        assert rendered.subject and "None" not in rendered.subject
        assert rendered.html and rendered.html.lstrip().startswith("<!DOCTYPE html>")


def test_first_sms_names_the_sender_and_says_how_to_opt_out(store, settings):
    rendered = render(store, "sms/welcome", SAMPLES["critical"], settings, first_sms=True)
    assert settings.company_name in rendered.text
    assert "Reply STOP to opt out" in rendered.text
    assert rendered.text.count("STOP") == 1


def test_a_first_sms_names_the_sender_and_says_how_to_stop_whatever_the_template(own_templates, settings):
    # Every shipped text already names the sender (issue 24), so the rule is seen on a text of one's own.
    own = TemplateStore(own_templates)
    (own_templates / "sms" / "credit_impact.txt").write_text("A short sale usually hurts credit less.")
    plain = render(own, "sms/credit_impact", SAMPLES["critical"], settings)
    first = render(own, "sms/credit_impact", SAMPLES["critical"], settings, first_sms=True)
    assert "STOP" not in plain.text and "Short Sale Help" not in plain.text
    assert first.text.startswith("Short Sale Help: A short sale usually hurts credit less.")
    assert first.text.count("Short Sale Help") == 1 and first.text.count("Reply STOP to opt out.") == 1
    assert first.segments >= plain.segments


def test_negative_equity_speaks_in_the_leads_own_numbers(store, settings):
    lead = SAMPLES["critical"]
    sms = render(store, "sms/negative_equity", lead, settings)
    email = render(store, "email/negative_equity", lead, settings)
    for text in (sms.text, email.text, email.html):
        assert "$425,000" in text and "$375,000" in text
    assert "$50,000" in email.text
    # A subject shows on a shared screen: no money figure there (issue 24).
    assert email.subject == 'What "worth less than you owe" means'


def test_negative_equity_reads_differently_without_a_gap_or_without_numbers(store, settings):
    underwater = render(store, "email/negative_equity", SAMPLES["critical"], settings).text
    no_gap = render(store, "email/negative_equity", SAMPLES["no_gap"], settings).text
    unknown = render(store, "email/negative_equity", SAMPLES["unknown_numbers"], settings).text
    assert "worth about as much as you owe, or more" in no_gap
    assert "$0" not in no_gap
    assert "If you are not sure of your own numbers" in unknown
    assert len({underwater, no_gap, unknown}) == 3


def test_waiting_worse_is_story_and_leaves_the_sale_date_to_the_countdown(store, settings):
    # Sent only while there is time (issue 24): the days to a sale are the countdown's to say.
    lead = a_lead(sale_date=date(2026, 12, 10))
    assert "9 days" not in render(store, "sms/waiting_worse", lead, settings).text
    email = render(store, "email/waiting_worse", lead, settings)
    assert email.subject == "Why waiting usually makes it harder"
    assert "Thursday, December 10" not in email.text


def test_waiting_worse_reads_well_without_a_sale_date(store, settings):
    lead = a_lead(sale_date=None)
    sms = render(store, "sms/waiting_worse", lead, settings).text
    email = render(store, "email/waiting_worse", lead, settings)
    assert "sale date is" not in sms and "  " not in sms
    assert email.subject == "Why waiting usually makes it harder"


@pytest.mark.parametrize(
    ("sale_date", "words"),
    [
        (date(2026, 12, 10), "Thursday, December 10"),
        (date(2026, 12, 2), "tomorrow"),
        (date(2026, 12, 1), "today"),
        (date(2026, 11, 20), "reply to this email with it"),
        (None, "reply to this email with it"),
    ],
)
def test_sale_countdown_body_follows_the_sale_date_and_the_subject_never_names_it(store, settings, sale_date, words):
    lead = a_lead(sale_date=sale_date)
    email = render(store, "email/sale_countdown", lead, settings)
    # The subject shows on a shared screen: never the foreclosure (issue 24); the body says it.
    assert email.subject == "Maria, what you can still do this week"
    assert words in email.text
    assert render(store, "sms/sale_countdown", lead, settings).text


def test_days_to_sale_counts_from_today_in_the_leads_zone():
    # 06:00 UTC on Dec 2 is already Dec 2 in New York but still Dec 1 in Los Angeles.
    at = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert days_to_sale(a_lead(timezone="America/Los_Angeles", sale_date=date(2026, 12, 10)), at) == 9
    assert days_to_sale(a_lead(timezone="America/New_York", sale_date=date(2026, 12, 10)), at) == 8
    assert days_to_sale(a_lead(sale_date=None), at) is None


def test_money_is_whole_dollars_with_thousands_separators():
    assert money(425000) == "$425,000"
    assert money(1234.5) == "$1,234.50"
    assert money(None) == ""


def test_next_step_links_are_short_signed_redirects_for_the_message(store, settings):
    lead = a_lead(id=42)
    text = render(store, "sms/next_steps", lead, settings, message_id=4821).text
    url = next(word for word in text.split() if word.startswith("http"))
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == settings.public_url
    assert parts.path.startswith("/r/") and not parts.query
    assert verify_link_token(parts.path.removeprefix("/r/"), SECRET) == (4821, "s")  # s: the start page
    assert len(url) < 50  # was about 140 characters with the utm parameters and the lead token


def test_short_links_save_a_text_a_segment(store, settings):
    """The same text with the old long tracked link (site URL + utm + lead token) took more segments."""
    from nurture.content import sms_segments

    lead = a_lead(id=48_213)
    rendered = render(store, "sms/next_steps", lead, settings, message_id=912_345)
    short = next(w for w in rendered.text.split() if "/r/" in w)
    long_link = (f"{settings.site_url}/start-short-sale?utm_source=nurture&utm_medium=sms&utm_campaign=next_steps"
                 f"&lt=48213.{'x' * 22}")
    assert len(long_link) >= 130
    # Words that leave room for the short link in one segment (160 characters) but not for the long one.
    words = "x" * (160 - len(short) - 1)
    assert sms_segments(f"{words} {short}").segments == 1
    assert sms_segments(f"{words} {long_link}").segments == 2


def test_email_unsubscribe_link_is_signed_for_the_lead(store, settings):
    rendered = render(store, "email/welcome", a_lead(id=7), settings)
    url = next(line.split()[-1] for line in rendered.text.splitlines() if "/unsubscribe/" in line)
    assert url.startswith(f"{settings.public_url}/unsubscribe/")
    assert verify_unsubscribe_token(url.rsplit("/", 1)[1], SECRET) == (7, "email")
    assert f'href="{url}"' in rendered.html


def test_given_unsubscribe_url_is_used_as_is(store, settings):
    rendered = render(store, "email/welcome", a_lead(id=7), settings, unsubscribe_url="https://x.test/u/abc")
    assert "https://x.test/u/abc" in rendered.text and 'href="https://x.test/u/abc"' in rendered.html


def test_email_footer_has_postal_address_reason_and_unsubscribe_in_both_parts(store, settings):
    rendered = render(store, "email/deficiency", SAMPLES["critical"], settings)
    for part in (rendered.text, rendered.html):
        assert settings.company_address in part
        assert "You are getting this email because you asked" in part
        assert "/unsubscribe/" in part


def test_email_html_has_its_css_inlined(store, settings):
    html = render(store, "email/what_is_short_sale", SAMPLES["early"], settings).html
    assert "<style" not in html
    assert '<p style="margin:0 0 16px 0">' in html
    assert 'style="color:#1f5fa8' in html


def test_script_in_a_lead_name_never_becomes_markup(store, settings):
    lead = a_lead(first_name="<script>alert(1)</script>", city='"><img src=x onerror=alert(1)>')
    rendered = render(store, "email/welcome", lead, settings)
    assert "<script>" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "<script>alert(1)</script>" in rendered.text  # plain text is not markup


def test_markdown_in_a_lead_name_is_not_turned_into_a_link(store, settings):
    lead = a_lead(first_name="[win](https://evil.example)", city="**bold**")
    html = render(store, "email/welcome", lead, settings).html
    assert "evil.example" in html
    assert 'href="https://evil.example"' not in html
    assert "<strong>bold</strong>" not in html


def test_sms_typography_is_normalised_to_gsm(own_templates, settings):
    (own_templates / "sms" / "next_steps.txt").write_text("It\u2019s \u201cfine\u201d \u2014 really\u2026\u00a0ok")
    rendered = render(TemplateStore(own_templates), "sms/next_steps", a_lead(), settings)
    # The template's words, then Regulation O's short notice on a line of its own (a provider's texts).
    words, notice = rendered.text.split("\n")
    assert words == 'It\'s "fine" - really... ok'
    assert notice == "Not affiliated with gov't or your lender: http://127.0.0.1:8000/notice"
    assert rendered.encoding == "GSM-7" and rendered.segments == 1  # 96 characters with the notice


def test_python_internals_fail_as_unsafe_with_the_line(own_templates, settings):
    path = own_templates / "sms" / "next_steps.txt"
    path.write_text("Hi {{ lead.first_name }}\n{{ ''.__class__.__mro__ }}\n")
    with pytest.raises(RenderError) as info:
        render(TemplateStore(own_templates), "sms/next_steps", a_lead(), settings)
    assert info.value.template == "sms/next_steps"
    assert info.value.line == 2 and info.value.file == path
    assert "unsafe" in str(info.value) and "__class__" in str(info.value)


def test_undefined_name_names_the_template_line_and_name(own_templates, settings):
    path = own_templates / "email" / "deficiency.md"
    lines = path.read_text().splitlines()
    lines[6] = "Dear {{ lead.nickname }},"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RenderError) as info:
        render(TemplateStore(own_templates), "email/deficiency", a_lead(), settings)
    message = str(info.value)
    assert "email/deficiency" in message and f"{path}:7:" in message
    assert "'lead' has no attribute 'nickname'" in message


def test_runaway_repetition_is_refused(own_templates, settings):
    (own_templates / "sms" / "next_steps.txt").write_text("{{ 'x' * 1000000000 }}")
    with pytest.raises(RenderError, match="too big: 'x' \\* 1000000000"):
        render(TemplateStore(own_templates), "sms/next_steps", a_lead(), settings)


def test_unknown_template_is_a_render_error(store, settings):
    with pytest.raises(RenderError, match="sms/nope"):
        render(store, "sms/nope", a_lead(), settings)
    with pytest.raises(RenderError):
        render(store, "../etc/passwd", a_lead(), settings)


def test_bad_time_zone_fails_the_message_not_the_worker(store, settings):
    with pytest.raises(RenderError, match="time zone"):
        render(store, "sms/welcome", a_lead(timezone="Mars/Olympus"), settings)


def test_edits_apply_without_restart_and_change_the_version(own_templates, settings):
    store = TemplateStore(own_templates)
    path = own_templates / "sms" / "next_steps.txt"
    before = render(store, "sms/next_steps", a_lead(), settings)
    path.write_text("Hello {{ lead.first_name }}, edited.")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    after = render(store, "sms/next_steps", a_lead(), settings)
    assert after.text.split("\n")[0] == "Hello Maria, edited."
    assert after.version != before.version
    assert store.version("sms/next_steps") == after.version


def test_layout_edit_changes_every_email_version(own_templates, settings):
    store = TemplateStore(own_templates)
    before = store.version("email/welcome")
    layout = own_templates / "layouts" / "email.txt"
    layout.write_text(layout.read_text() + "\nThanks for reading.\n")
    stat = layout.stat()
    os.utime(layout, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert store.version("email/welcome") != before
    assert "Thanks for reading." in render(store, "email/welcome", a_lead(), settings).text


def test_templates_are_compiled_once_while_unchanged(own_templates, settings, monkeypatch):
    store = TemplateStore(own_templates)
    calls = []
    original = store._compile
    monkeypatch.setattr(store, "_compile", lambda name: calls.append(name) or original(name))
    for _ in range(50):
        render(store, "email/welcome", a_lead(), settings)
        render(store, "sms/welcome", a_lead(), settings)
    assert sorted(calls) == ["email/welcome", "sms/welcome"]


def expected_tier(lead: Lead) -> str:
    """The tiers as schedules/urgency.yaml words them, written here from its text (the oracle)."""
    today = NOW.astimezone(__import__("zoneinfo").ZoneInfo(lead.timezone)).date()
    days = (lead.sale_date - today).days if lead.sale_date else None
    if days is not None and 0 <= days <= 7:
        return "critical"
    if days is not None and 0 <= days <= 30:
        return "urgent"
    if (days is not None and days >= 0) or lead.foreclosure_stage in ("notice_of_default", "sale_scheduled") \
            or (lead.months_behind or 0) >= 2:
        return "active"
    return "early"


def test_a_samples_tier_is_what_the_urgency_rules_give_it_never_a_label():
    assert SAMPLE_TIER_OF == {key: expected_tier(lead) for key, lead in SAMPLES.items()}
    for tier in ("critical", "urgent", "active", "early"):
        assert SAMPLE_TIER_OF[tier] == tier, f"the sample named {tier} is {SAMPLE_TIER_OF[tier]} by the rules"
    # The samples that were labelled with a tier the rules did not give them:
    assert SAMPLE_TIER_OF["no_gap"] == "early" and SAMPLE_TIER_OF["sale_passed"] == "active"


def test_sample_leads_cover_every_tier_and_the_critical_florida_lead():
    samples = sample_leads(NOW)
    assert {"critical", "urgent", "active", "early"} <= set(samples)
    critical = samples["critical"]
    assert critical.state == "FL" and critical.equity_gap == 50000
    assert critical.sale_date is not None and critical.sale_date > NOW.date()
    assert any(lead.sale_date is None for lead in samples.values())
    assert any(lead.equity_gap == 0 for lead in samples.values())
    assert any(lead.equity_gap is None for lead in samples.values())


def test_a_broken_template_fails_every_render_the_same_way(own_templates, settings):
    (own_templates / "sms" / "next_steps.txt").write_text("Hi {% if %}")
    store = TemplateStore(own_templates)
    errors = []
    for _ in range(3):
        with pytest.raises(RenderError) as info:
            render(store, "sms/next_steps", a_lead(), settings)
        errors.append(info.value)
    assert len({str(e) for e in errors}) == 1 and len({id(e) for e in errors}) == 3
    assert errors[0].line == 1 and "syntax error" in errors[0].problem
