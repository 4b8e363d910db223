"""Zero texts outside the legal window: hypothesis leads in every state, DC and the territories, at
random moments of 2026-2028 weighted to DST changes and holidays, with random channels and sale
dates. Both the planner's times and the send gate's "yes" are checked against the statute table
written for the tests (tests/statute_table.py via law_oracle), never against nurture's own table."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from law_oracle import oracle_allows
from nurture.models import Lead
from nurture.plans.planner import plan
from nurture.law import Outgoing, Rulebook, check_message
from nurture.plans.sequences import load_catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "schedules")
BOOK = Rulebook(policy="strict", email_quiet_hours=True)
CHECK = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Where people live, by state: every zone a part of the state keeps (written here, not read from nurture).
ZONES = {
    "AL": ["America/Chicago"], "AK": ["America/Anchorage", "America/Adak"], "AZ": ["America/Phoenix"],
    "AR": ["America/Chicago"], "CA": ["America/Los_Angeles"], "CO": ["America/Denver"], "CT": ["America/New_York"],
    "DE": ["America/New_York"], "DC": ["America/New_York"], "FL": ["America/New_York", "America/Chicago"],
    "GA": ["America/New_York"], "HI": ["Pacific/Honolulu"], "ID": ["America/Boise", "America/Los_Angeles"],
    "IL": ["America/Chicago"], "IN": ["America/Indiana/Indianapolis", "America/Chicago"], "IA": ["America/Chicago"],
    "KS": ["America/Chicago", "America/Denver"], "KY": ["America/New_York", "America/Chicago"],
    "LA": ["America/Chicago"], "ME": ["America/New_York"], "MD": ["America/New_York"], "MA": ["America/New_York"],
    "MI": ["America/Detroit", "America/Menominee"], "MN": ["America/Chicago"], "MS": ["America/Chicago"],
    "MO": ["America/Chicago"], "MT": ["America/Denver"], "NE": ["America/Chicago", "America/Denver"],
    "NV": ["America/Los_Angeles"], "NH": ["America/New_York"], "NJ": ["America/New_York"],
    "NM": ["America/Denver"], "NY": ["America/New_York"], "NC": ["America/New_York"],
    "ND": ["America/Chicago", "America/Denver"], "OH": ["America/New_York"], "OK": ["America/Chicago"],
    "OR": ["America/Los_Angeles", "America/Boise"], "PA": ["America/New_York"], "RI": ["America/New_York"],
    "SC": ["America/New_York"], "SD": ["America/Chicago", "America/Denver"],
    "TN": ["America/Chicago", "America/New_York"], "TX": ["America/Chicago", "America/Denver"],
    "UT": ["America/Denver"], "VT": ["America/New_York"], "VA": ["America/New_York"],
    "WA": ["America/Los_Angeles"], "WV": ["America/New_York"], "WI": ["America/Chicago"], "WY": ["America/Denver"],
    "PR": ["America/Puerto_Rico"], "VI": ["America/St_Thomas"], "GU": ["Pacific/Guam"],
    "AS": ["Pacific/Pago_Pago"], "MP": ["Pacific/Saipan"],
}
# Clock changes in the US zones above, 2026-2028.
DST_DAYS = [date(2026, 3, 8), date(2026, 11, 1), date(2027, 3, 14), date(2027, 11, 7), date(2028, 3, 12),
            date(2028, 11, 5)]


@st.composite
def places(draw):
    state = draw(st.sampled_from(sorted(ZONES)))
    return state, draw(st.sampled_from(ZONES[state]))


@st.composite
def moments(draw, state):
    """A UTC moment in 2026-2028, often on a DST day or one of the state's holidays."""
    kind = draw(st.sampled_from(["any", "any", "dst", "holiday"]))
    if kind == "any":
        return draw(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31),
                                 timezones=st.just(UTC)))
    if kind == "dst":
        day = draw(st.sampled_from(DST_DAYS))
    else:
        year = draw(st.sampled_from([2026, 2027, 2028]))
        days = sorted(holidays.country_holidays("US", subdiv=state, years=year))
        day = draw(st.sampled_from(days))
    minutes = draw(st.integers(-36 * 60, 36 * 60))
    return datetime.combine(day, time(12), tzinfo=UTC) + timedelta(minutes=minutes)


@st.composite
def leads(draw):
    state, tz = draw(places())
    now = draw(moments(state))
    sale_offset = draw(st.one_of(st.none(), st.integers(-3, 60)))
    local_today = now.astimezone(ZoneInfo(tz)).date()
    person = Lead(
        id=1, first_name="P", phone="+12025550100", email="p@example.com", state=state, timezone=tz,
        enrolled_at=now - timedelta(minutes=draw(st.integers(0, 600))), status="active",
        sale_date=None if sale_offset is None else local_today + timedelta(days=sale_offset),
        payment_status=draw(st.sampled_from([None, "current", "about_to_fall_behind", "behind"])),
        months_behind=draw(st.integers(0, 6)),
        foreclosure_stage="sale_scheduled" if sale_offset is not None else "none",
        hardships=[],
    )
    # The phone is a DC number with no ZIP: the test controls which state's rules must hold.
    person.phone = None
    channels = draw(st.sampled_from([{"sms"}, {"email"}, {"sms", "email"}]))
    return person, now, channels


@CHECK
@given(leads())
def test_no_planned_text_or_email_falls_outside_the_statutes_window(case):
    person, now, channels = case
    result = plan(person, CATALOG, now, channels=channels, rulebook=BOOK)
    for m in result.messages:
        assert oracle_allows(person.state, m.due_at, person.timezone), (
            person.state, person.timezone, m.channel, m.due_at.astimezone(ZoneInfo(person.timezone)), m.reason)


@CHECK
@given(leads(), st.sampled_from(["sms", "email"]))
def test_the_gate_says_send_only_inside_the_statutes_window(case, channel):
    person, now, _ = case
    person.phone = "+12025550100"
    rules = BOOK.for_lead(SimpleNamespace(state=person.state, zip=None, phone=None, timezone=person.timezone),
                          consented=True)
    msg = Outgoing(channel=channel, sequence="story", step="one", deadline=False, due_at=now, expires_at=None,
                   sale_date=None, phase=None)
    verdict = check_message(msg, lead=person, rules=rules, consent_granted=True, suppressed=None, history=[], now=now)
    if verdict.action == "send":
        assert oracle_allows(person.state, now, person.timezone), (person.state, now.astimezone(ZoneInfo(person.timezone)))
    else:
        assert verdict.action == "move", verdict
        assert verdict.move_to > now
        assert oracle_allows(person.state, verdict.move_to, person.timezone), (
            person.state, verdict.move_to.astimezone(ZoneInfo(person.timezone)), verdict.reason)
