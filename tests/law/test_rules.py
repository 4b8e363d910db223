"""The rulebook: legal hours by state (windows, Sundays, holidays, blackouts), where a lead may be,
caps and the gap. Expected values are written from the statutes' words, not read from the law files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nurture.law import Blackout, CapBook, Limits, Rulebook, locate
from nurture.law.caps import DEFAULT_CAPS

NY, CHI = "America/New_York", "America/Chicago"


def local(iso: str, tz: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def who(state=None, zip=None, phone=None, timezone=NY):
    return SimpleNamespace(state=state, zip=zip, phone=phone, timezone=timezone)


def texts(state=None, *, tz=NY, zip=None, phone=None, policy="strict", consented=True, blackouts=()):
    book = Rulebook(policy=policy, blackouts=blackouts)
    return book.for_lead(who(state, zip, phone, tz), consented=consented).sms


def test_florida_stops_at_eight_pm_and_says_which_law():
    fl = texts("FL")
    assert fl.allows(local("2026-12-01T19:59", NY))
    late = local("2026-12-01T20:00", NY)
    assert not fl.allows(late)
    assert "FL 8:00-20:00" in fl.why_closed(late) and "Fla. Stat." in fl.why_closed(late)
    assert fl.next_open(late) == local("2026-12-02T08:00", NY)


def test_federal_window_is_eight_to_nine_elsewhere():
    # North Carolina adds nothing to the federal hours (N.C.G.S. 75-102 sets none): only 47 CFR 64.1200 speaks.
    nc = texts("NC")
    assert nc.allows(local("2026-12-01T20:30", NY))
    early = local("2026-12-01T07:59", NY)
    assert not nc.allows(early)
    assert "47 CFR 64.1200(c)(1)" in nc.why_closed(early)


def test_texas_sunday_starts_at_noon():
    tx = texts("TX", tz=CHI)
    assert fl_next(tx, "2026-12-06T10:00", CHI) == local("2026-12-06T12:00", CHI)
    assert not tx.allows(local("2026-12-07T08:30", CHI))
    assert tx.allows(local("2026-12-07T09:00", CHI))


def fl_next(hours, iso, tz):
    return hours.next_open(local(iso, tz))


@pytest.mark.parametrize("state,tz", [("AL", CHI), ("LA", CHI), ("MS", CHI), ("RI", NY), ("UT", "America/Denver")])
def test_no_texts_on_sunday(state, tz):
    hours = texts(state, tz=tz)
    sunday = local("2026-12-06T13:00", tz)
    assert not hours.allows(sunday)
    assert "Sunday" in hours.why_closed(sunday)
    assert hours.next_open(sunday).astimezone(ZoneInfo(tz)).date() == date(2026, 12, 7)


@pytest.mark.parametrize("state,tz", [("AL", CHI), ("LA", CHI), ("MS", CHI), ("RI", NY), ("UT", "America/Denver")])
@pytest.mark.parametrize("day", ["2026-12-25", "2027-01-01"])
def test_no_texts_on_christmas_or_new_year(state, tz, day):
    hours = texts(state, tz=tz)
    at = local(f"{day}T11:00", tz)
    assert not hours.allows(at)
    assert "Christmas" in hours.why_closed(at) or "New Year" in hours.why_closed(at)


def test_observed_holidays_shift_with_the_weekend():
    # Christmas 2027 is a Saturday: Alabama observes it on Friday the 24th (Ala. Code 1-3-8).
    al = texts("AL", tz=CHI)
    assert not al.allows(local("2027-12-24T11:00", CHI))
    assert al.allows(local("2027-12-23T11:00", CHI))


def test_connecticut_opens_at_nine():
    ct = texts("CT")
    assert not ct.allows(local("2026-12-01T08:30", NY))
    assert ct.allows(local("2026-12-01T09:00", NY))
    assert not ct.allows(local("2026-12-01T20:00", NY))


def test_rhode_island_saturday_is_ten_to_five():
    ri = texts("RI")
    assert not ri.allows(local("2026-12-05T09:30", NY))
    assert ri.allows(local("2026-12-05T16:59", NY))
    assert not ri.allows(local("2026-12-05T17:00", NY))
    assert ri.allows(local("2026-12-04T17:59", NY))  # Friday: until 6 p.m.


def test_quiet_hours_follow_daylight_saving():
    # 2026-03-08: New York springs forward. 12:30 UTC is 7:30 EST the day before, 8:30 EDT that day.
    ny = texts("NY")
    assert not ny.allows(datetime(2026, 3, 7, 12, 30, tzinfo=UTC))
    assert ny.allows(datetime(2026, 3, 8, 12, 30, tzinfo=UTC))


def test_email_keeps_quiet_hours_unless_turned_off():
    night = local("2026-12-01T23:00", NY)
    on = Rulebook(email_quiet_hours=True).for_lead(who("FL"), consented=True)
    off = Rulebook(email_quiet_hours=False).for_lead(who("FL"), consented=True)
    assert not on.email.allows(night)
    assert off.email is None
    assert not off.sms.allows(night)


def test_statute_policy_lets_consented_leads_have_what_the_statute_exempts():
    # Utah: "may not make a telephone solicitation ... without prior express consent ... on a Sunday".
    sunday = local("2026-12-06T13:00", "America/Denver")
    assert not texts("UT", tz="America/Denver", policy="strict").allows(sunday)
    assert texts("UT", tz="America/Denver", policy="statute", consented=True).allows(sunday)
    assert not texts("UT", tz="America/Denver", policy="statute", consented=False).allows(sunday)


def test_a_blackout_closes_its_days_in_its_state_only():
    storm = Blackout(1, "LA", date(2027, 8, 30), date(2027, 9, 5), "Hurricane emergency declared")
    la = texts("LA", tz=CHI, blackouts=[storm])
    tx = texts("TX", tz=CHI, blackouts=[storm])
    at = local("2027-09-01T11:00", CHI)
    assert not la.allows(at)
    assert "Hurricane" in la.why_closed(at)
    assert la.next_open(at) == local("2027-09-07T08:00", CHI)  # Sept 6 2027 is Labor Day, a LA holiday
    assert tx.allows(at)


# -- where the lead may be -------------------------------------------------------------------------


def test_a_zip_alone_brings_its_states_rules():
    where = locate(None, "33101", None, NY)
    assert where.states == ("FL",)
    assert "FL from ZIP 33101" in where.describe()
    miami = texts(None, zip="33101")
    assert not miami.allows(local("2026-12-01T20:30", NY))


def test_a_florida_area_code_brings_florida_rules_to_a_georgia_property():
    where = locate("GA", "30303", "+13055550142", NY)
    assert set(where.states) == {"GA", "FL"}
    hours = texts("GA", zip="30303", phone="+13055550142")
    assert not hours.allows(local("2026-12-01T20:30", NY))


def test_an_area_code_spanning_two_zones_is_checked_in_both():
    # 850 covers Tallahassee (Eastern) and Pensacola (Central): 8:00 Eastern is 7:00 Central.
    where = locate(None, None, "+18505550100", None)
    assert {z for z, _ in where.zones} >= {"America/New_York", "America/Chicago"}
    hours = texts(None, phone="+18505550100", tz=None)
    assert not hours.allows(local("2026-12-01T08:30", NY))
    assert hours.allows(local("2026-12-01T09:00", NY))
    assert not hours.allows(local("2026-12-01T20:00", NY))  # FL: 8 p.m. Eastern already


def test_guam_without_a_zip_is_in_guam_time():
    where = locate("GU", None, "+16715550100", None)
    assert where.zones[0][0] == "Pacific/Guam"
    hours = texts("GU", phone="+16715550100", tz="Pacific/Guam")
    assert not hours.allows(local("2026-12-01T00:00", "Pacific/Guam"))
    assert hours.allows(local("2026-12-01T10:00", "Pacific/Guam"))


def test_a_lead_with_no_zone_at_all_gets_no_text_and_says_why():
    rules = Rulebook().for_lead(who(None, None, "+18005550100", None), consented=True)
    assert rules.sms is None
    assert "no time zone known" in rules.channel_closed("sms")
    assert rules.email is not None  # emails wait for hours open in every mainland zone


# -- caps and the gap ------------------------------------------------------------------------------


def test_caps_count_any_24_hours_and_the_gap_is_one_hour():
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    book = CapBook(Limits(), [("sms", now - timedelta(hours=23)), ("sms", now - timedelta(hours=2))])
    assert book.conflict("sms", now) == (now + timedelta(hours=1), "frequency cap: at most 2 sms messages in any 24 h")
    assert book.conflict("email", now) is None
    gap = CapBook(Limits(), [("sms", now)])
    assert gap.conflict("sms", now + timedelta(minutes=30)) == (now + timedelta(hours=1), "sms messages are kept 1 h apart")


def test_florida_allows_three_messages_in_any_24_hours():
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    sent = [("sms", now - timedelta(hours=5)), ("email", now - timedelta(hours=4)), ("email", now - timedelta(hours=3))]
    fl = Rulebook().for_lead(who("FL"), consented=True).limits
    ny = Rulebook().for_lead(who("NY"), consented=True).limits
    assert fl.total_at(now) == (3, "FL: Fla. Stat. § 501.616(6)(a)-(b)") and ny.total_at(now) == (DEFAULT_CAPS.total, None)
    clash = CapBook(fl, sent).conflict("sms", now)
    assert clash is not None and "3 messages in any 24 h" in clash[1] and "FL" in clash[1]
    assert CapBook(ny, sent).conflict("sms", now) is None


def test_the_book_looks_both_ways():
    t0 = datetime(2026, 12, 1, 15, tzinfo=UTC)
    fl = Rulebook().for_lead(who("FL"), consented=True).limits
    book = CapBook(fl, [("sms", t0), ("email", t0 + timedelta(hours=5)), ("sms", t0 + timedelta(hours=10))])
    assert book.conflict("email", t0 - timedelta(hours=3)) is not None  # before all three, within 24 h
    assert book.conflict("email", t0 + timedelta(hours=34)) is None


@settings(max_examples=150, deadline=None)
@given(state=st.sampled_from(["FL", "TX", "LA", "AL", "NY", "UT", "MS", "WA", None]),
       zone_name=st.sampled_from([NY, CHI, "America/Denver", "America/Phoenix", "America/Los_Angeles"]),
       reason=st.sampled_from(["storm", "storm: it is closed", "x (it is y) z", "a: it is b (it is c"]),
       minutes=st.integers(min_value=0, max_value=400 * 1440))
def test_the_cause_a_closed_moment_gives_is_why_closed_without_its_moment(state, zone_name, reason, minutes):
    """What moves a planned message reads the same for every message: why_closed's words up to the
    moment it names (cut as the words were cut before closed_rule, written out here), blackout
    reasons that themselves say ': it is ' or ' (it is ' included."""
    storm = Blackout(1, state or "FL", date(2026, 12, 20), date(2026, 12, 24), reason)
    hours = texts(state, tz=zone_name, blackouts=[storm])
    at = datetime(2026, 12, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    why = hours.why_closed(at)
    expected = None if why is None else why.split(": it is ")[0].split(" (it is ")[0]
    assert hours.closed_rule(at) == expected
