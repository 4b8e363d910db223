"""Words follow certainty: an estimated sale date (the earliest the sale could be) never reads as set."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from nurture.config import Settings
from nurture.content import TemplateStore, sample_leads
from nurture.content.context import build_context
from nurture.models import Lead

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "templates"
NAMES = TemplateStore(SHIPPED).names()
# 10:00 in New York on Tuesday, December 1, 2026.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SECRET = "test-secret"
REASON = ("earliest sale 2026-12-10: notice of default recorded 2026-08-21 + 3 months "
          "(Cal. Civ. Code § 2924(a)(3)) + 20 days (§ 2924f(b)(1))")

# Words that state a sale date as set, in any template's wording (chosen by hand, lower case).
AS_SET = ("set for", "is scheduled for", "sale date is", "until your sale date", "before your sale date",
          "sale is 9 days", "sale is tomorrow", "sale is today")


@pytest.fixture
def store() -> TemplateStore:
    return TemplateStore(SHIPPED)


@pytest.fixture
def settings() -> Settings:
    return Settings()


def a_lead(sale_date: date | None, *, estimated: bool) -> Lead:
    return Lead(first_name="Maria", last_name="Lopez", timezone="America/New_York", city="Miami", state="FL",
                payment_status="behind", months_behind=4,
                foreclosure_stage="notice_of_default" if estimated else "sale_scheduled",
                sale_date=sale_date, sale_date_estimated=estimated, sale_date_reason=REASON if estimated else None)


def everything_read(store: TemplateStore, name: str, lead: Lead, settings: Settings) -> str:
    """What the homeowner reads: subject, preheader, text and HTML, in lower case."""
    r = store.render(name, lead, now=NOW, settings=settings, secret=SECRET)
    return " ".join(part for part in (r.subject, r.preheader, r.text, r.html) if part).lower()


@pytest.mark.parametrize("sale_date", [date(2026, 12, 10), date(2026, 12, 2), date(2026, 12, 1)],
                         ids=["in 9 days", "tomorrow", "today"])
@pytest.mark.parametrize("name", NAMES)
def test_no_template_states_an_estimated_sale_date_as_set(store, settings, name, sale_date):
    read = everything_read(store, name, a_lead(sale_date, estimated=True), settings)
    assert not [words for words in AS_SET if words in read]


# What each template that shows the date says for an estimate nine days away, by hand.
ESTIMATE_WORDS = {
    "sms/sale_countdown": "A foreclosure sale could be held as soon as Thursday, December 10.",
    "email/welcome": "a foreclosure sale could be held as soon as Thursday, December 10 (9 days from today)",
    "email/bank_says_no": "A foreclosure sale on your home could be held as soon as Thursday, December 10, 9 days",
    "email/sale_countdown": "a foreclosure sale could be held as soon as Thursday, December 10.",
    "email/ask_postponement": "a foreclosure sale could be held as soon as Thursday, December 10, 9 days from today.",
    "email/talk_to_us": "With a sale that could be held as soon as Thursday, December 10,",
    "email/attorney": "before the earliest date a sale could be held (Thursday, December 10)",
}
# And for the same date when it is set.
SET_WORDS = {
    "sms/sale_countdown": "Your sale date is Thursday, December 10.",
    "email/welcome": "a foreclosure sale is set for Thursday, December 10 (9 days from today)",
    "email/bank_says_no": "Your sale date is Thursday, December 10, 9 days from today",
    "email/sale_countdown": "Your foreclosure sale is set for Thursday, December 10.",
    "email/ask_postponement": "Your foreclosure sale is set for Thursday, December 10, 9 days from today.",
    "email/talk_to_us": "With your sale date set for Thursday, December 10,",
    "email/attorney": "before your sale date (Thursday, December 10)",
}


@pytest.mark.parametrize("name", sorted(ESTIMATE_WORDS))
def test_an_estimate_reads_as_the_earliest_the_sale_could_be(store, settings, name):
    text = store.render(name, a_lead(date(2026, 12, 10), estimated=True), now=NOW, settings=settings,
                        secret=SECRET).text
    assert ESTIMATE_WORDS[name] in text


@pytest.mark.parametrize("name", sorted(SET_WORDS))
def test_a_set_sale_date_still_reads_as_set(store, settings, name):
    text = store.render(name, a_lead(date(2026, 12, 10), estimated=False), now=NOW, settings=settings,
                        secret=SECRET).text
    assert SET_WORDS[name] in text
    assert "as soon as" not in text and "as little as" not in text


def test_email_subjects_follow_certainty(store, settings):
    def subject(name: str, day: date, estimated: bool) -> str | None:
        return store.render(name, a_lead(day, estimated=estimated), now=NOW, settings=settings, secret=SECRET).subject

    # A subject shows on a shared screen: it names neither the foreclosure nor the date (issue 24).
    for day in (date(2026, 12, 10), date(2026, 12, 2), date(2026, 12, 1)):
        for estimated in (True, False):
            assert subject("email/sale_countdown", day, estimated) == "Maria, what you can still do this week"
            assert subject("email/waiting_worse", day, estimated) == "Why waiting usually makes it harder"


def test_the_last_days_of_an_estimate_say_as_soon_as_tomorrow_or_today(store, settings):
    def sms(day: date) -> str:
        return store.render("sms/sale_countdown", a_lead(day, estimated=True), now=NOW, settings=settings,
                            secret=SECRET).text

    assert "a foreclosure sale could be held as soon as tomorrow." in sms(date(2026, 12, 2))
    assert "a foreclosure sale could be held as soon as today." in sms(date(2026, 12, 1))


def test_templates_see_whether_the_sale_date_is_an_estimate(settings):
    def seen(lead: Lead) -> object:
        context = build_context(lead, channel="sms", theme="welcome", now=NOW, settings=settings, secret=SECRET,
                                tier=None, unsubscribe=None)
        return context["sale_date_is_estimate"]

    assert seen(a_lead(date(2026, 12, 10), estimated=True)) is True
    assert seen(a_lead(date(2026, 12, 10), estimated=False)) is False
    # A flag left behind without a date is no estimate: there is nothing to show.
    assert seen(a_lead(None, estimated=True)) is False


def test_a_sample_lead_has_an_estimated_date_from_a_notice_of_default():
    lead = sample_leads(NOW)["sale_estimated"]
    # Today is December 1 in Los Angeles; the notice was recorded 87 days before, on September 5;
    # three months later is December 5, and twenty days after that December 25.
    assert lead.sale_date == date(2026, 12, 25) and lead.sale_date_estimated
    assert lead.foreclosure_stage == "notice_of_default"
    assert lead.sale_date_reason.startswith("earliest sale 2026-12-25: notice of default recorded 2026-09-05 + 3 months")
