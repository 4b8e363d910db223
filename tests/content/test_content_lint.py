"""`lint` passes on the shipped templates and catches each seeded fault, with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nurture.config import Settings, get_settings
from nurture.content import lint

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped templates, set as NURTURE_TEMPLATES_DIR."""
    target = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", target)
    monkeypatch.setenv("NURTURE_TEMPLATES_DIR", str(target))
    get_settings.cache_clear()
    return target


def run_lint(settings: Settings | None = None):
    settings = settings or get_settings()
    return lint(settings.templates_dir, settings)


def errors(findings):
    return [f for f in findings if f.severity == "error"]


def only_error(findings):
    found = errors(findings)
    assert len(found) == 1, "\n".join(map(str, findings))
    return found[0]


def test_shipped_templates_pass_lint_without_warnings():
    findings = run_lint()
    assert findings == [], "\n".join(map(str, findings))


def test_lint_reports_a_syntax_error_with_file_and_line(folder):
    path = folder / "sms" / "deficiency.txt"
    path.write_text("Hi {{ lead.first_name }},\nwe can help {% if lead.city %}in {{ lead.city }}.\n")
    finding = only_error(run_lint())
    assert finding.file == str(path)
    assert finding.line == 2
    assert finding.problem.startswith("syntax error: Unexpected end of template")
    assert "sample lead" not in finding.problem


def test_lint_reports_an_undefined_name_with_file_and_line(folder):
    path = folder / "email" / "credit_impact.md"
    text = path.read_text().replace("A short sale will show", "{{ lead.credit_score }} A short sale will show")
    path.write_text(text)
    finding = only_error(run_lint())
    assert finding.file == str(path)
    assert finding.line == text.splitlines().index(next(l for l in text.splitlines() if "credit_score" in l)) + 1
    assert "undefined" in finding.problem and "credit_score" in finding.problem
    assert str(finding).startswith(f"{path}:{finding.line}: error:")


def test_lint_fails_a_template_that_reaches_for_python_internals(folder):
    path = folder / "sms" / "next_steps.txt"
    path.write_text("Hi {{ lead.first_name }}.\n{{ ''.__class__.__mro__ }}\n")
    finding = only_error(run_lint())
    assert (finding.file, finding.line) == (str(path), 2)
    assert finding.problem.startswith("unsafe:")


def test_lint_fails_an_email_layout_without_unsubscribe_link(folder):
    layout = folder / "layouts" / "email.html"
    layout.write_text(layout.read_text().replace('<a href="{{ unsubscribe_url }}">unsubscribe here</a>', "reply"))
    finding = only_error(run_lint())
    assert finding.file == str(layout)
    assert "unsubscribe" in finding.problem


def test_lint_fails_an_email_without_postal_address(folder):
    layout = folder / "layouts" / "email.txt"
    layout.write_text(layout.read_text().replace("{{ company.name }}, {{ company.address }}", "{{ company.name }}"))
    finding = only_error(run_lint())
    assert finding.file == str(layout)
    assert "postal address" in finding.problem


def test_lint_fails_an_email_whose_chosen_layout_has_no_footer(folder):
    (folder / "layouts" / "bare.html").write_text("<html><body>{{ content }}</body></html>")
    (folder / "layouts" / "bare.txt").write_text("{{ content }}")
    path = folder / "email" / "next_steps.md"
    path.write_text(path.read_text().replace("---\n", "---\nlayout: bare\n", 1))
    problems = {(f.file, f.problem.split(":")[0]) for f in errors(run_lint())}
    assert (str(folder / "layouts" / "bare.html"), "no unsubscribe link") in problems
    assert (str(folder / "layouts" / "bare.html"), "no postal address") in problems


def test_lint_fails_a_first_sms_without_opt_out_words(folder):
    path = folder / "sms" / "welcome.txt"
    path.write_text("This is {{ company.name }}. Msg frequency varies. Msg & data rates may apply. HELP for help.\n")
    finding = only_error(run_lint())
    assert finding.file == str(path)
    assert "opt out" in finding.problem


def test_lint_fails_a_first_sms_that_does_not_name_the_sender(folder):
    path = folder / "sms" / "welcome.txt"
    path.write_text("Thanks for reaching out. Msg frequency varies. Msg & data rates may apply. "
                    "Reply STOP to opt out, HELP for help.\n")
    finding = only_error(run_lint())
    assert "name the sender" in finding.problem


def test_lint_fails_an_sms_over_the_segment_limit(folder):
    path = folder / "sms" / "credit_impact.txt"
    path.write_text("{{ lead.first_name }}, " + "a short sale usually hurts credit less. " * 12)
    finding = only_error(run_lint())
    assert finding.file == str(path)
    assert "too long" in finding.problem and "limit is 3" in finding.problem


def test_lint_warns_on_an_sms_above_two_segments_and_honours_the_configured_limit(folder, monkeypatch):
    path = folder / "sms" / "credit_impact.txt"
    # Not the lead's name: the sample María would make it UCS-2 (tests/content/test_words_a_homeowner_can_trust.py).
    path.write_text("Hi, " + "a short sale usually hurts credit less. " * 8)
    findings = run_lint()
    assert errors(findings) == []
    assert [f.problem.split(":")[0] for f in findings if f.file == str(path)] == ["long"]
    monkeypatch.setenv("NURTURE_SMS_MAX_SEGMENTS", "2")
    get_settings.cache_clear()
    # With the longest public URL lint assumes (65 characters), linked shipped texts are 3 segments too.
    assert any(f.file == str(path) and "too long" in f.problem for f in errors(run_lint()))


def test_lint_warns_when_template_text_forces_ucs2(folder):
    path = folder / "sms" / "credit_impact.txt"
    path.write_text("Hi, questions? Reply any time 🙂")
    findings = [f for f in run_lint() if f.file == str(path)]
    assert [f.severity for f in findings] == ["warning"]
    assert "UCS-2" in findings[0].problem and findings[0].line == 1


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("email/who_this_is_for.md", "({{ links.who }})", "(/who-we-serve)"),
        ("sms/next_steps.txt", "{{ links.start }}", "/start-short-sale"),
        ("email/next_steps.md", "Start here", "Start at www.example.com or /start-short-sale. Start here"),
    ],
)
def test_lint_fails_a_link_that_is_not_absolute(folder, file, old, new):
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    finding = only_error(run_lint())
    assert finding.file == str(path)
    assert "not absolute" in finding.problem
    assert finding.line == next(i for i, line in enumerate(path.read_text().splitlines(), 1) if new in line)


def test_lint_fails_when_a_theme_is_missing(folder):
    (folder / "email" / "deficiency.md").unlink()
    finding = only_error(run_lint())
    assert finding.file == str(folder / "email" / "deficiency.md")
    assert "missing" in finding.problem


def test_lint_reports_broken_front_matter_with_its_line(folder):
    path = folder / "email" / "deficiency.md"
    path.write_text(path.read_text().replace("preheader:", "preheadr:", 1))
    finding = only_error(run_lint())
    assert (finding.file, finding.line) == (str(path), 3)
    assert "preheadr" in finding.problem


def test_lint_fails_promises_as_banned_claims_of_regulation_o(folder):
    path = folder / "sms" / "next_steps.txt"
    path.write_text("Hi, we can stop foreclosure, guaranteed: {{ links.start }}")
    findings = [f for f in errors(run_lint()) if f.file == str(path)]
    assert len(findings) == 2 and all(f.line == 1 and "12 CFR 1015.3(b)(1)" in f.problem for f in findings)
    assert {f.problem.split("'")[1] for f in findings} == {"we can stop foreclosure", "guaranteed"}


def test_lint_notes_files_it_ignores(folder):
    (folder / "sms" / "draft.md").write_text("hello")
    findings = run_lint()
    assert errors(findings) == []
    assert any(f.file.endswith("draft.md") and f.severity == "warning" for f in findings)


def test_lint_points_at_the_layout_line_for_a_mistake_in_the_html_layout(folder):
    layout = folder / "layouts" / "email.html"
    lines = layout.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "{{ company.address }}" in line)
    lines[number - 1] = lines[number - 1].replace("{{ company.address }}", "{{ company.adress }}")
    layout.write_text("\n".join(lines) + "\n")
    finding = only_error(run_lint())
    assert (finding.file, finding.line) == (str(layout), number)
    assert "adress" in finding.problem


def test_lint_reports_a_syntax_error_in_the_html_layout_once(folder):
    layout = folder / "layouts" / "email.html"
    layout.write_text(layout.read_text().replace("{% endif %}", "", 1))
    found = errors(run_lint())
    assert {(f.file, f.problem.split(":")[0]) for f in found} == {(str(layout), "syntax error")}


@pytest.mark.parametrize(
    "ask",
    [
        "Reply YES to talk to someone today.",
        "reply yes if you want a call",
        "Text START to 55555 for updates.",
        "Reply 'UNSTOP' to hear from us again.",
        "Reply with \u201cYes\u201d and we'll call.",
        "Want a call? Text us: yes",
    ],
)
def test_lint_fails_an_sms_that_asks_for_an_opt_in_keyword(folder, ask):
    path = folder / "sms" / "next_steps.txt"
    path.write_text(f"{{{{ lead.first_name }}}}, a short sale may still work.\n{ask}\n")
    finding = only_error(run_lint())
    assert (finding.file, finding.line) == (str(path), 2)
    assert "opt-in keyword" in finding.problem and "never reaches a person" in finding.problem


def test_lint_accepts_stop_and_help_and_words_that_only_contain_a_keyword(folder):
    path = folder / "sms" / "next_steps.txt"
    path.write_text(
        "Hi, yes, a short sale can start sooner than you think. Reply STOP to opt out, "
        "HELP for help. Reply yesterday's way: any time.\n"
    )
    assert errors(run_lint()) == []


def test_lint_fails_an_email_that_asks_to_text_an_opt_in_keyword_but_not_one_asking_to_reply_yes(folder):
    path = folder / "email" / "next_steps.md"
    text = path.read_text()
    path.write_text(text + "\nReply YES to this email and we will call you.\n")
    assert errors(run_lint()) == []
    path.write_text(text + "\nOr text START to 55555.\n")
    finding = only_error(run_lint())
    assert (finding.file, finding.line) == (str(path), len(text.splitlines()) + 2)


def test_lint_fails_a_template_that_prints_the_sale_date_without_the_estimate_case(folder):
    path = folder / "sms" / "next_steps.txt"
    path.write_text("Hi {{ lead.first_name }}.\nYour foreclosure sale is set for {{ lead.sale_date }}.\n")
    finding = only_error(run_lint())
    assert (finding.file, finding.line) == (str(path), 2)
    assert "lead.sale_date" in finding.problem and "sale_date_is_estimate" in finding.problem
    assert str(finding).startswith(f"{path}:2: error: shows the sale date")


def test_lint_fails_days_to_the_sale_in_an_email_subject_without_the_estimate_case(folder):
    path = folder / "email" / "deficiency.md"
    text = path.read_text()
    subject = next(line for line in text.splitlines() if line.startswith("subject:"))
    path.write_text(text.replace(subject, "subject: {{ days_to_sale | days }} to go", 1))
    finding = only_error(run_lint())
    assert (finding.file, finding.line) == (str(path), 2)
    assert "days_to_sale" in finding.problem


def test_lint_fails_a_shipped_template_whose_estimate_case_is_taken_out(folder):
    path = folder / "sms" / "waiting_worse.txt"
    path.write_text(
        "Hi, waiting usually makes this harder.\n"
        "{% if days_to_sale is not none and days_to_sale > 0 %}Your sale date is {{ days_to_sale | days }} away."
        "{% endif %}\nStart early: {{ links.start }}\n"
    )
    finding = only_error(run_lint())
    assert (finding.file, finding.line) == (str(path), 2)


def test_lint_fails_a_layout_that_counts_the_days_to_the_sale(folder):
    layout = folder / "layouts" / "email.txt"
    layout.write_text(layout.read_text() + "\n{% if lead.has_sale_date %}Your sale is near.{% endif %}\n")
    finding = only_error(run_lint())
    assert finding.file == str(layout) and "lead.has_sale_date" in finding.problem


def test_lint_accepts_the_sale_date_with_the_estimate_case(folder):
    (folder / "sms" / "next_steps.txt").write_text(
        "Hi {{ lead.first_name }}.\n{% if sale_date_is_estimate %}A sale could be held as soon as "
        "{{ lead.sale_date }}.{% elif lead.has_sale_date %}Your sale is set for {{ lead.sale_date }}.{% endif %}\n"
    )
    assert errors(run_lint()) == []


@pytest.mark.parametrize(("language", "text", "missing"), [
    ("en", "{{ company.name }}: Thanks for asking about your home. Reply STOP to opt out, HELP for help.",
     ["frequency", "rates"]),
    ("en", "{{ company.name }}: Thanks for asking. Msg frequency varies. Reply STOP to opt out.",
     ["rates", "help"]),
    ("es", "{{ company.name }}: Gracias por su consulta. Responda ALTO (STOP) para cancelar.",
     ["frequency", "rates", "help"]),
])
def test_the_welcome_text_must_say_what_an_opt_in_confirmation_says(folder, language, text, missing):
    # CTIA's opt-in confirmation: how often, that message and data rates may apply, how to get help
    # (the sender's name and STOP have their own rules), in the language it is written in.
    path = folder / ("es" if language == "es" else "") / "sms" / "welcome.txt"
    path.write_text(text + "\n")
    found = errors(run_lint())
    assert {f.file for f in found} == {str(path)}, "\n".join(map(str, found))
    words = {"frequency": "how often texts come", "rates": "Msg & data rates may apply", "help": "how to get help"}
    assert sorted(next(k for k, w in words.items() if w in f.problem) for f in found) == sorted(missing)
    assert all("CTIA Short Code Monitoring Handbook" in f.problem for f in found)


def test_a_welcome_in_other_words_that_says_it_all_passes(folder):
    (folder / "sms" / "welcome.txt").write_text(
        "{{ company.name }} short sale help: up to 3 texts per week. Message and data rates may apply. "
        "Text HELP for help. Text STOP to end.\n")
    assert errors(run_lint()) == []
