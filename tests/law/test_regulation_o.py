"""Regulation O (12 CFR part 1015) as a homeowner meets it: a MARS provider's every email opens with the
required notice, every text ends with the short form linking to the full notice, and /notice shows
it all with the company's name and fee; a licensed agent or an attorney renders none. The expected
words are written here from the rule's model language, not read from the product's data file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nurture.config import Settings, get_settings
from nurture.content import TemplateStore
from nurture.models import Lead
from tests.web_helpers import local_client

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
STORE = TemplateStore(SHIPPED)
EMAILS = [n for n in STORE.names() if n.startswith("email/")]
TEXTS = [n for n in STORE.names() if n.startswith("sms/") and not n.startswith("sms/_")]
SYSTEM_TEXTS = ["sms/_help", "sms/_stop"]

COMPANY = "Harbor Short Sale Partners"
FEE = "3% of the sale price, paid at closing"
PUBLIC = "https://nurture.example.com"

# 12 CFR 1015.4(a) and (b), with the company's name and fee filled in by hand.
HEADING = "IMPORTANT NOTICE"
NOT_GOVERNMENT = (f"{COMPANY} is not associated with the government, and our service is not approved by the "
                  "government or your lender.")
LENDER_MAY_NOT = "Even if you accept this offer and use our service, your lender may not agree to change your loan."
MAY_STOP = "You may stop doing business with us at any time."
ACCEPT_OR_REJECT = ("You may accept or reject the offer of mortgage assistance we obtain from your lender or "
                    "servicer. If you reject the offer, you do not have to pay us. If you accept the offer, you "
                    "will have to pay us 3% of the sale price, paid at closing for our services.")
STOP_PAYING = "If you stop paying your mortgage, you could lose your home and damage your credit rating."
SHORT_FORM = "Not affiliated with gov't or your lender: https://nurture.example.com/notice"


def settings(status: str = "provider") -> Settings:
    return Settings(company_name=COMPANY, mars_fee=FEE, mars_status=status, public_url=PUBLIC)


def maria() -> Lead:
    return Lead(first_name="Maria", last_name="Rivera", timezone="America/New_York", city="Miami", state="FL",
                foreclosure_stage="notice_of_sale", sale_date=datetime(2026, 12, 31).date(),
                phone="+13055550123", email="maria.rivera@example.com")


def render(name: str, status: str = "provider", **kw):
    return STORE.render(name, maria(), now=NOW, settings=settings(status), secret="s", **kw)


@pytest.mark.parametrize("name", EMAILS)
def test_every_email_of_a_provider_opens_with_the_whole_notice(name):
    email = render(name)
    text_lines = [line.strip() for line in email.text.splitlines() if line.strip()]
    # The plain-text part starts with the notice, before a word of the message.
    assert text_lines[:5] == [HEADING, NOT_GOVERNMENT, LENDER_MAY_NOT, MAY_STOP, ACCEPT_OR_REJECT]
    html = email.html
    for words in (HEADING, NOT_GOVERNMENT, LENDER_MAY_NOT, MAY_STOP, ACCEPT_OR_REJECT):
        assert words in html, (name, words)
    # In the HTML the notice comes before the message's own cell, under a bold heading.
    assert html.index(HEADING) < html.index('class="content"')
    assert f"<strong>{HEADING}</strong>" in html


@pytest.mark.parametrize("status", ["licensed_agent", "attorney"])
@pytest.mark.parametrize("name", EMAILS)
def test_a_licensed_agent_or_an_attorney_renders_no_notice(name, status):
    email = render(name, status)
    for words in (HEADING, "is not associated with the government", MAY_STOP, "will have to pay us"):
        assert words not in email.text and words not in email.html, (name, status, words)


@pytest.mark.parametrize("name", TEXTS)
def test_every_text_of_a_provider_carries_the_short_form_with_the_link(name):
    assert SHORT_FORM in render(name).text
    first = render(name, first_sms=True).text
    assert SHORT_FORM in first and "Reply STOP to opt out" in first


@pytest.mark.parametrize("name", TEXTS)
def test_no_short_form_in_texts_of_the_other_statuses(name):
    for status in ("licensed_agent", "attorney"):
        assert "affiliated" not in render(name, status).text


@pytest.mark.parametrize("name", SYSTEM_TEXTS)
def test_the_help_answer_and_the_stop_confirmation_carry_no_short_form(name):
    assert "/notice" not in render(name).text


def test_the_notice_page_shows_the_whole_notice_with_the_company_and_its_fee(monkeypatch):
    monkeypatch.setenv("NURTURE_COMPANY_NAME", COMPANY)
    monkeypatch.setenv("NURTURE_MARS_FEE", FEE)
    monkeypatch.setenv("NURTURE_MARS_STATUS", "provider")
    monkeypatch.setenv("NURTURE_PUBLIC_URL", PUBLIC)
    get_settings.cache_clear()
    try:
        with local_client() as client:
            page = client.get("/notice")
    finally:
        get_settings.cache_clear()
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    body = page.text.replace("&#39;", "'")
    for words in (HEADING, NOT_GOVERNMENT, LENDER_MAY_NOT, MAY_STOP, ACCEPT_OR_REJECT, STOP_PAYING):
        assert words in body, words


def test_the_status_is_one_of_three_and_the_fee_words_are_required():
    with pytest.raises(ValueError, match="mars_status"):
        Settings(mars_status="broker")
    with pytest.raises(ValueError, match="mars_fee"):
        Settings(mars_fee="")
