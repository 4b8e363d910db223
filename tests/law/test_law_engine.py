"""Issue 21's fixes to the rules engine and the law data: holidays as PA's and LA's statutes list them,
Mississippi's hours on Central Standard Time, the floor no policy removes, rules in force on the
message's own day, and the phone's area code bringing its state's rules. Every expected day and hour
is written here from the statute's words, never read from the law files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import yaml

from nurture.clock import clock
from nurture.law import CapBook, Outgoing, Rulebook, check_message
from nurture.law.statutes import LAW_DIR, build_law, parse_jurisdiction
from nurture.models import Lead
from nurture.plans.planner import plan
from nurture.plans.sequences import load_catalog

NY, CHI, LA_ZONE = "America/New_York", "America/Chicago", "America/Los_Angeles"
CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "schedules")


def local(iso: str, tz: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def who(state=None, zip=None, phone=None, timezone=NY):
    return SimpleNamespace(state=state, zip=zip, phone=phone, timezone=timezone)


def rules(state, *, tz=NY, phone=None, zip=None, policy="strict", consented=True, law=None):
    return Rulebook(policy=policy, law=law).for_lead(who(state, zip, phone, tz), consented=consented)


def gate(lead_rules, now: datetime, state: str, tz: str):
    """The send gate's verdict on a story text to a consented, active lead at `now`."""
    person = SimpleNamespace(status="active", status_reason=None, phone="+12025550100", email="p@example.com",
                             sale_date=None, timezone=tz, state=state)
    msg = Outgoing(channel="sms", sequence="story", step="one", deadline=False, due_at=now, expires_at=None,
                   sale_date=None, phase=None)
    return check_message(msg, lead=person, rules=lead_rules, consent_granted=True, suppressed=None, history=[],
                         now=now)


def first_text(state: str, tz: str, now: datetime, policy: str) -> datetime:
    """When the planner puts the first text of a consented lead who joined at `now`."""
    person = Lead(id=1, first_name="P", phone="+12025550100", email="p@example.com", state=state, timezone=tz,
                  enrolled_at=now, status="active", sale_date=None, foreclosure_stage="none", hardships=[])
    person.phone = None  # no area code: the test says which state's rules hold
    result = plan(person, CATALOG, now, channels={"sms"}, rulebook=Rulebook(policy=policy))
    return min(m.due_at for m in result.messages if m.channel == "sms")


# -- holidays as the statutes list them ------------------------------------------------------------

# Act 73 of 2019 (73 P.S. § 2245(a)(10)): "New Year's Day, Martin Luther King, Jr. Day, President's Day, Good
# Friday, Memorial Day, Flag Day, Independence Day, Labor Day, Columbus Day, Election Day, Veteran's Day,
# Thanksgiving Day, and Christmas Day" -- dated by hand.
PA_BANNED = ["2027-03-26",  # Good Friday
             "2027-06-14",  # Flag Day (a Monday)
             "2026-11-03", "2027-11-02",  # Election Day: the Tuesday after the first Monday of November
             "2027-10-11"]  # Columbus Day


@pytest.mark.parametrize("day", PA_BANNED)
def test_pennsylvania_keeps_the_holidays_its_ban_lists(day):
    pa = rules("PA").sms
    at = local(f"{day}T11:00", NY)
    assert not pa.allows(at)
    assert "PA" in pa.why_closed(at) and "2245" in pa.why_closed(at)


def test_pennsylvania_texts_on_a_day_its_list_does_not_name():
    # The day after Thanksgiving (Fri 2027-11-26) is not in Act 73's list: 11:00 is inside 9:00-19:00.
    assert rules("PA").sms.allows(local("2027-11-26T11:00", NY))


# La. R.S. 1:55(A)(1): "January 8, Battle of New Orleans; ... August 30, Huey P. Long Day; ... the second Monday
# in October, Christopher Columbus Day; November 1, All Saints' Day" -- dated by hand.
LA_BANNED = ["2027-01-08", "2027-08-30", "2027-10-11", "2027-11-01", "2027-02-09"]  # ..., Mardi Gras 2027


@pytest.mark.parametrize("day", LA_BANNED)
def test_louisiana_keeps_the_legal_holidays_of_its_statute(day):
    la = rules("LA", tz=CHI).sms
    at = local(f"{day}T11:00", CHI)
    assert not la.allows(at)
    assert "LA" in la.why_closed(at)


def test_louisiana_sends_nothing_on_saturday():
    # R.S. 1:55(A)(1): "in the parish of Orleans ... the whole of every Saturday shall be a legal holiday":
    # nurture does not know the parish, so the stricter reading holds statewide.
    la = rules("LA", tz=CHI).sms
    saturday = local("2027-01-16T11:00", CHI)
    assert not la.allows(saturday)
    assert la.next_open(saturday) == local("2027-01-19T08:00", CHI)  # Sunday closed, Monday Jan 18 is MLK Day


# -- Mississippi: "8:00 a.m. and 8:00 p.m. Central Standard Time" ------------------------------------


def test_mississippi_hours_are_central_standard_time_all_year():
    ms = rules("MS", tz=CHI)
    july_0805 = local("2026-07-07T08:05", CHI)  # 07:05 CST
    assert not ms.sms.allows(july_0805)
    assert "standard time" in ms.sms.why_closed(july_0805)
    assert ms.sms.allows(local("2026-07-07T09:00", CHI))  # 08:00 CST
    assert ms.sms.allows(local("2026-07-07T20:30", CHI))  # 19:30 CST
    assert not ms.sms.allows(local("2026-07-07T21:00", CHI))  # 20:00 CST (and the federal 21:00)
    assert ms.sms.allows(local("2027-01-05T08:00", CHI))  # January: CST is the local clock
    assert not ms.sms.allows(local("2027-01-05T20:00", CHI))


def test_the_planner_and_the_gate_put_a_mississippi_text_at_nine_in_july():
    july_0805 = local("2026-07-07T08:05", CHI)
    ms = rules("MS", tz=CHI)
    placed, _ = ms.place("sms", july_0805, CapBook(ms.limits))
    assert placed == local("2026-07-07T09:00", CHI)
    verdict = gate(ms, july_0805, "MS", CHI)
    assert verdict.action == "move" and verdict.move_to == local("2026-07-07T09:00", CHI)
    assert first_text("MS", CHI, july_0805, "strict") == local("2026-07-07T09:00", CHI)


# -- the floor no policy removes -----------------------------------------------------------------


def test_a_consented_connecticut_lead_is_never_texted_at_three_under_the_statute_policy():
    three = local("2026-12-01T03:00", NY)
    ct = rules("CT", policy="statute", consented=True)
    assert not ct.sms.allows(three)
    # § 42-288a: "between the hours of nine o'clock a.m. and eight o'clock p.m." -- no consent carve-out.
    assert ct.sms.next_open(three) == local("2026-12-01T09:00", NY)
    verdict = gate(ct, three, "CT", NY)
    assert verdict.action == "move" and verdict.move_to == local("2026-12-01T09:00", NY)
    assert first_text("CT", NY, three, "statute") == local("2026-12-01T09:00", NY)


def test_the_federal_hours_hold_for_a_consented_lead_under_the_statute_policy():
    # Georgia adds nothing to the federal rule: the floor alone keeps 3 a.m. closed.
    three = local("2026-12-01T03:00", NY)
    ga = rules("GA", policy="statute", consented=True)
    assert not ga.sms.allows(three)
    assert gate(ga, three, "GA", NY).move_to == local("2026-12-01T08:00", NY)
    assert first_text("GA", NY, three, "statute") == local("2026-12-01T08:00", NY)


def test_a_consented_texas_lead_is_not_texted_at_half_past_seven_on_sunday():
    # § 301.051(b)(2): "after 12 noon and before 9 p.m. on a Sunday" -- for an unsolicited call; the
    # statute policy lifts it for a consented lead, the federal 8:00 still holds.
    sunday_0730 = local("2026-12-06T07:30", CHI)
    strict = rules("TX", tz=CHI, policy="strict")
    lifted = rules("TX", tz=CHI, policy="statute", consented=True)
    assert not strict.sms.allows(sunday_0730) and not lifted.sms.allows(sunday_0730)
    assert strict.sms.next_open(sunday_0730) == local("2026-12-06T12:00", CHI)
    assert lifted.sms.next_open(sunday_0730) == local("2026-12-06T08:00", CHI)
    assert gate(lifted, sunday_0730, "TX", CHI).action == "move"
    assert first_text("TX", CHI, sunday_0730, "statute") == local("2026-12-06T08:00", CHI)


# -- rules in force on the message's own day -------------------------------------------------------


def _law_with_a_rule_from_2027():
    federal = parse_jurisdiction(yaml.safe_load((LAW_DIR / "US.yaml").read_text()), "US.yaml")
    future = {"id": "or-future", "title": "A statute in force next year", "citation": "Or. Laws 2026, ch. 1",
              "source": "https://example.org/or", "reviewed": date(2026, 12, 7), "effective": date(2027, 1, 1),
              "covers": "texts", "max_per_24h": 1, "hours": {"weekday": "10:00-17:00"}, "quote": "one a day"}
    oregon = parse_jurisdiction({"code": "OR", "name": "Oregon", "reviewed": date(2026, 12, 7), "finding": "rules",
                                 "summary": "One a day from 2027.", "checked": [], "rules": [future]}, "OR.yaml")
    return build_law([federal, oregon])


def test_a_cap_that_takes_effect_next_year_counts_for_messages_planned_after_its_date():
    clock.freeze(datetime(2026, 12, 7, 18, tzinfo=UTC))
    try:
        lead = rules("OR", tz=LA_ZONE, law=_law_with_a_rule_from_2027())
        sent = local("2027-01-04T10:30", LA_ZONE)  # a Monday
        book = CapBook(lead.limits, [("sms", sent)])
        clash = book.conflict("email", local("2027-01-04T14:00", LA_ZONE))
        assert clash is not None and "at most 1 messages in any 24 h (OR: Or. Laws 2026, ch. 1)" in clash[1]
        # Before its date the product's own caps hold.
        before = CapBook(lead.limits, [("sms", local("2026-12-14T10:30", LA_ZONE))])
        assert before.conflict("email", local("2026-12-14T14:00", LA_ZONE)) is None
        # Hours too: 9:30 on a weekday is open in 2026 and closed from 2027-01-01.
        assert lead.sms.allows(local("2026-12-14T09:30", LA_ZONE))
        assert not lead.sms.allows(local("2027-01-04T09:30", LA_ZONE))
    finally:
        clock.reset()


# -- where the lead may be -------------------------------------------------------------------------


def test_a_florida_property_with_an_oregon_number_gets_oregons_rules_too():
    fl = rules("FL", zip="33101", phone="+15035550123")
    assert "OR" in fl.location.states and "area code 503" in fl.location.sources_of("OR")
    laws = {law["id"]: law["state"] for law in fl.as_dict(date(2026, 12, 7))["laws"]}
    assert laws.get("or-hb-3865-hours") == "OR" and "fl-hours-and-frequency" in laws
    # Oregon's 8:00-20:00 in Pacific time and Florida's 8:00-20:00 in Eastern: 11:00-20:00 Eastern.
    assert not fl.sms.allows(local("2026-12-01T10:30", NY))
    assert fl.sms.allows(local("2026-12-01T11:00", NY))


def test_an_oregon_number_brings_oregons_three_in_24_hours_to_a_georgia_property():
    # HB 3865: "more than three solicitations within a 24-hour period"; Georgia adds no cap, nurture's own is 4.
    ga = rules("GA", zip="30301", phone="+15035550123")
    t0 = local("2026-12-01T12:00", NY)
    book = CapBook(ga.limits, [("sms", t0), ("email", t0 + timedelta(hours=1)), ("sms", t0 + timedelta(hours=2))])
    clash = book.conflict("email", t0 + timedelta(hours=4))
    assert clash is not None and "at most 3 messages in any 24 h (OR:" in clash[1]
