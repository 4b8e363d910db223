"""A passed sale: one closing email within 14 days, ops told, then the lead paused; a postponement:
one message that says so, by text else by email, once per postponement. The shipped schedules
(after-sale.yaml, postponed.yaml); expected times worked out by hand in the lead's zone
(Miami, EST in December: UTC-5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from nurture.models import Lead
from nurture.plans.planner import PastMessage, plan
from nurture.plans.postponement import moved_later
from nurture.plans.sequences import load_catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "schedules", ROOT / "templates")
ON = SimpleNamespace(email_quiet_hours=True)
NY = ZoneInfo("America/New_York")
ENROLLED = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
WELCOMED = [PastMessage("welcome", "story-sms", "sms", ENROLLED, "delivered"),
            PastMessage("welcome", "story-email", "email", ENROLLED, "delivered")]
PASSED = "sale date {} has passed: confirm postponed/sold/cancelled"


def ny(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=NY).astimezone(UTC)


def person(**kw) -> Lead:
    base = {"first_name": "Ana", "state": "FL", "zip": "33101", "timezone": "America/New_York",
            "enrolled_at": ENROLLED, "payment_status": "behind", "months_behind": 4,
            "foreclosure_stage": "sale_scheduled"}
    return Lead(**(base | kw))


def run(lead: Lead, now: datetime, channels=("sms", "email"), history=WELCOMED):
    return plan(lead, CATALOG, now, channels=set(channels), history=list(history), settings=ON)


# -- a passed sale ---------------------------------------------------------------------------------


def test_a_passed_sale_gets_the_closing_email_at_noon_and_ops_are_told():
    # Sale Saturday Nov 28; now Tuesday Dec 1, 10:00: the closing email's window opens at 12:00.
    result = run(person(sale_date=date(2026, 11, 28)), ny("2026-12-01T10:00"))
    assert [(m.sequence, m.step, m.channel, m.template) for m in result.messages] == [
        ("after-sale", "closing", "email", "email/after_sale")]
    assert result.messages[0].due_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert result.lead_action == ("tell", PASSED.format("2026-11-28"))


def test_once_the_closing_email_went_the_lead_waits_for_ops_paused():
    sent = [*WELCOMED, PastMessage("closing", "after-sale", "email", ny("2026-12-01T12:00"), "delivered")]
    result = run(person(sale_date=date(2026, 11, 28)), ny("2026-12-02T09:00"), history=sent)
    assert result.messages == []
    assert result.lead_action == ("pause", PASSED.format("2026-11-28"))
    assert ("after-sale", "closing", "already sent (Tue 2026-12-01 12:00 EST)") in {
        (s.sequence, s.step, s.reason) for s in result.skipped}


def test_the_closing_email_goes_at_the_latest_14_days_after_the_sale():
    now = ny("2026-12-01T10:00")
    # Nov 17 + 14 days = Dec 1: still today, at noon.
    late = run(person(sale_date=date(2026, 11, 17)), now)
    assert [m.template for m in late.messages] == ["email/after_sale"]
    # Nov 16 + 14 days = Nov 30: too late, skipped with the reason; the lead waits for ops.
    too_late = run(person(sale_date=date(2026, 11, 16)), now)
    assert too_late.messages == []
    assert too_late.lead_action == ("pause", PASSED.format("2026-11-16"))
    assert ("closing", "more than 14 days after the sale date 2026-11-16: too late for a closing message") in {
        (s.step, s.reason) for s in too_late.skipped}


def test_a_passed_sale_never_gets_a_text():
    result = run(person(sale_date=date(2026, 11, 28)), ny("2026-12-01T10:00"), channels=("sms",))
    assert result.messages == []
    assert result.lead_action == ("pause", PASSED.format("2026-11-28"))


def test_a_passed_estimate_is_no_passed_sale():
    result = run(person(sale_date=date(2026, 11, 28), sale_date_estimated=True), ny("2026-12-01T10:00"))
    assert "email/after_sale" not in {m.template for m in result.messages}
    assert result.lead_action is None


# -- a postponement --------------------------------------------------------------------------------


def postponed(**kw) -> Lead:
    # The sale moved from Dec 10 to Dec 31; we learned it Tuesday Dec 1 at 10:00.
    return person(**({"sale_date": date(2026, 12, 31), "sale_postponed_from": date(2026, 12, 10),
                      "sale_postponed_at": ny("2026-12-01T10:00")} | kw))


def told(result):
    return [(m.step, m.template, m.due_at) for m in result.messages if m.sequence == "postponed"]


def test_a_postponement_is_told_once_by_text():
    result = run(postponed(), ny("2026-12-01T10:00"))
    assert told(result) == [("sale-postponed@2026-12-10", "sms/sale_postponed", datetime(2026, 12, 1, 15, 0, tzinfo=UTC))]
    assert ("sale-postponed-email@2026-12-10", "postponed/sale-postponed tells this postponement by sms") in {
        (s.step, s.reason) for s in result.skipped}


def test_without_texts_the_postponement_goes_by_email_inside_the_cadence():
    result = run(postponed(), ny("2026-12-01T10:00"), channels=("email",))
    # Dec 1 is 30 days before Dec 31: the countdown's 30-day email has 12:00; no two emails
    # within 4 hours, so the postponement email goes at 16:00 (21:00 UTC).
    assert told(result) == [("sale-postponed-email@2026-12-10", "email/sale_postponed",
                             datetime(2026, 12, 1, 21, 0, tzinfo=UTC))]
    assert "no two emails within 4 h" in next(m.reason for m in result.messages if m.sequence == "postponed")
    assert [m.template for m in result.messages if m.channel == "sms"] == []


def test_a_postponement_is_never_told_before_we_learned_it():
    # Planned at 06:00 for a postponement learned at 11:30 (a preview, a clock skew): 11:30, not 10:00.
    lead = postponed(sale_postponed_at=ny("2026-12-01T11:30"))
    result = run(lead, ny("2026-12-01T06:00"))
    assert [due for _, _, due in told(result)] == [datetime(2026, 12, 1, 16, 30, tzinfo=UTC)]


def test_a_postponement_already_told_is_not_told_again_but_the_next_one_is():
    sent = [*WELCOMED, PastMessage("sale-postponed@2026-12-10", "postponed", "sms", ny("2026-12-01T10:00"), "delivered")]
    again = run(postponed(), ny("2026-12-02T10:00"), history=sent)
    assert told(again) == []
    # Postponed once more, from Dec 31 to Jan 20, learned Dec 3 at 14:00: its own message.
    second = postponed(sale_date=date(2027, 1, 20), sale_postponed_from=date(2026, 12, 31),
                       sale_postponed_at=ny("2026-12-03T14:00"))
    result = run(second, ny("2026-12-03T14:00"), history=sent)
    assert told(result) == [("sale-postponed@2026-12-31", "sms/sale_postponed", datetime(2026, 12, 3, 19, 0, tzinfo=UTC))]


def test_no_postponement_message_when_the_date_is_no_longer_later_or_is_an_estimate():
    now = ny("2026-12-01T10:00")
    assert told(run(postponed(sale_date=date(2026, 12, 10)), now)) == []  # moved back to the old date
    assert told(run(postponed(sale_date_estimated=True), now)) == []
    assert told(run(person(sale_date=date(2026, 12, 31)), now)) == []  # never postponed


def test_no_postponement_message_once_the_new_date_has_passed():
    lead = postponed(sale_date=date(2026, 12, 12))
    result = run(lead, ny("2026-12-14T10:00"))
    assert told(result) == []
    assert [m.template for m in result.messages] == ["email/after_sale"]


def test_the_countdown_counts_to_the_new_date():
    result = run(postponed(), ny("2026-12-01T10:00"))
    deadline = [m for m in result.messages if m.deadline]
    assert deadline and {m.sale_date for m in deadline} == {date(2026, 12, 31)}
    # The 21-day reminder of the new date (Dec 10) is planned: the old date's day is just a day.
    assert ("countdown", "sale-in-21-days") in {(m.sequence, m.step) for m in result.messages}


# -- what counts as a postponement (the intake's rule) ---------------------------------------------


def test_only_a_set_date_moved_later_is_a_postponement():
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    set_date = person(sale_date=date(2026, 12, 10))
    assert moved_later(set_date, date(2026, 12, 31), False, now) == {
        "sale_postponed_from": date(2026, 12, 10), "sale_postponed_at": now}
    assert moved_later(set_date, date(2026, 12, 5), False, now) == {}  # earlier
    assert moved_later(set_date, date(2026, 12, 10), False, now) == {}  # the same
    assert moved_later(set_date, None, False, now) == {}  # cleared
    assert moved_later(set_date, date(2026, 12, 31), True, now) == {}  # a later estimate
    estimate = person(sale_date=date(2026, 12, 10), sale_date_estimated=True)
    assert moved_later(estimate, date(2026, 12, 31), False, now) == {}  # first set date after an estimate
    assert moved_later(person(), date(2026, 12, 31), False, now) == {}  # no date before
