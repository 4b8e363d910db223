"""Issue 24: what every shipped template says, rendered for every sample lead.

Every text names the sender; no subject or preheader (what a shared screen or a lock screen
shows) names foreclosure or a money figure; the welcome says how often we write with the wording
CTIA asks of an opt-in confirmation; outcome claims carry their caveat; texts fit the segment
budget for leads named María, Ramón and Nguyễn. Words expected are written by hand.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from nurture.config import Settings
from nurture.content import TemplateStore, sample_leads
from nurture.models import Lead

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "templates"
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
SECRET = "test-secret"
SENDER = "Palmetto Home Options"
STORE = TemplateStore(SHIPPED)
SAMPLES = sample_leads(NOW)
SMS = [n for n in STORE.names() if n.startswith("sms/")]
EMAIL = [n for n in STORE.names() if n.startswith("email/")]
MONEY = re.compile(r"\$\s?\d")


def settings(**kw) -> Settings:
    return Settings(company_name=SENDER, **kw)


def render(name: str, lead: Lead, cfg: Settings | None = None):
    return STORE.render(name, lead, now=NOW, settings=cfg or settings(), secret=SECRET)


def every_variant(names: list[str]) -> list[str]:
    return [f"{n}.{v}" if v != "a" else n for n in names for v in (STORE.variants(n) or ["a"])]


def test_the_sample_leads_carry_names_outside_gsm7():
    firsts = {lead.first_name for lead in SAMPLES.values()}
    assert {"María", "Ramón", "Nguyễn"} <= firsts


@pytest.mark.parametrize("name", every_variant(SMS))
def test_every_shipped_text_names_the_sender_first(name):
    for key, lead in SAMPLES.items():
        text = render(name, lead).text
        assert text.startswith(f"{SENDER}:"), (key, text)


@pytest.mark.parametrize("name", every_variant(SMS))
def test_every_shipped_text_fits_the_budget_for_maria_ramon_and_nguyen(name):
    cfg = settings()
    for lead in SAMPLES.values():
        if lead.first_name in {"María", "Ramón", "Nguyễn"}:
            rendered = render(name, lead, cfg)
            assert rendered.segments is not None and rendered.segments <= cfg.sms_max_segments, rendered.text


@pytest.mark.parametrize("name", EMAIL)
def test_no_subject_or_preheader_names_foreclosure_or_money(name):
    for key, lead in SAMPLES.items():
        rendered = render(name, lead)
        for shown in (rendered.subject or "", rendered.preheader or ""):
            assert "foreclos" not in shown.lower(), (key, shown)
            assert not MONEY.search(shown), (key, shown)


def test_the_welcome_text_is_an_opt_in_confirmation():
    text = render("sms/welcome", SAMPLES["critical"]).text
    for words in (SENDER, "Msg frequency varies", "a few texts a week at most", "Msg & data rates may apply",
                  "HELP", "STOP"):
        assert words in text


def test_the_welcome_email_promises_what_the_time_left_allows():
    soon = render("email/welcome", SAMPLES["critical"]).text  # the sale is 5 days away
    far = render("email/welcome", SAMPLES["early"]).text  # no sale date
    assert "next few weeks" not in soon and "next few weeks" not in far
    assert "a couple of emails a week" in soon and "a couple of emails a week" in far
    assert "what a short sale is" not in soon and "what a short sale is" in far
    # Five days out: a person, the lender and a free counselor, not a short sale to start.
    assert "Start a short sale conversation" not in soon and "hud.gov/findacounselor" in soon


def test_outcome_claims_carry_their_caveat():
    for name in ("sms/deficiency", "email/deficiency"):
        assert "tax professional" in render(name, SAMPLES["active"]).text
    assert "lender's decision" in render("email/bank_says_no", SAMPLES["active"]).text
    assert "lender decides" in render("sms/negative_equity", SAMPLES["critical"]).text


def test_no_pressure_words_anywhere():
    banned = ("no pressure", "attempt this alone", "attempt alone", "take control now", "wait and hope")
    for path in sorted(SHIPPED.rglob("*")):
        if path.is_file() and path.suffix in {".txt", ".md"} and path.name != "README.md":
            text = path.read_text("utf-8").lower()
            assert not [b for b in banned if b in text], path


def test_a_person_to_call_with_the_company_phone_or_a_call_back():
    lead = SAMPLES["early"]
    with_phone = render("sms/talk_to_us", lead, settings(company_phone="(305) 555-0100")).text
    assert "Call us at (305) 555-0100" in with_phone
    without = render("sms/talk_to_us", lead, settings()).text
    assert "Reply with a good time and we will call you" in without
    email = render("email/talk_to_us", lead, settings(company_phone="(305) 555-0100")).text
    assert "(305) 555-0100" in email and "hud.gov/findacounselor" in email


def test_the_last_days_offer_the_lender_a_counselor_and_an_attorney_never_a_fast_short_sale():
    lead = Lead(first_name="Ana", state="FL", timezone="America/New_York", foreclosure_stage="sale_scheduled",
                sale_date=date(2026, 12, 10), payment_status="behind", months_behind=6)
    sms = render("sms/sale_countdown", lead).text
    assert "Thursday, December 10" in sms and "postponement" in sms and "800-569-4287" in sms
    email = render("email/sale_countdown", lead).text
    for words in ("postponed", "attorney", "HUD-approved housing counselor"):
        assert words in email
    assert "short sale" not in (sms + email).lower()
