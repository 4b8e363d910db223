"""Property tests: whatever the state, zone (DST included), sale date and enrollment time, the plan
keeps the legal hours and caps, sends deadline content only before the sale, and never repeats a step.

The oracle is the statute table in tests/statute_table.py (written from the statutes, independently
of nurture/law/jurisdictions/) and a rolling-window count written here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from law_oracle import oracle_allows, state_cap

from nurture.localtime import local_midnight
from nurture.models import Lead
from nurture.plans.planner import PastMessage, plan
from nurture.plans.sequences import load_catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "schedules")
ON = SimpleNamespace(email_quiet_hours=True)
# Every jurisdiction nurture texts in (the 50 states, DC and the five territories), and a lead with no state.
STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU", "AS", "MP", None,
]
# The product's own caps (not law): texts and emails per channel and in total, in any 24 h.
PER_CHANNEL, TOTAL = 2, 4
ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Indiana/Indianapolis", "Europe/London",
    "Australia/Sydney", "America/Santiago", "America/Havana",
]
# Days on which clocks change somewhere in ZONES, so enrollments near them are tried often.
DST_DAYS = [date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29), date(2026, 10, 25), date(2026, 4, 5), date(2026, 9, 6)]
CHECK = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

moments = st.one_of(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda day, minutes: datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(minutes=minutes),
        st.sampled_from(DST_DAYS),
        st.integers(-3 * 1440, 3 * 1440),
    ),
)


@st.composite
def leads(draw):
    now = draw(moments)
    tz = draw(st.sampled_from(ZONES))
    sale_offset = draw(st.one_of(st.none(), st.integers(-10, 120)))
    local_today = now.astimezone(ZoneInfo(tz)).date()
    person = Lead(
        first_name="P",
        state=draw(st.sampled_from(STATES)),
        timezone=tz,
        enrolled_at=now - timedelta(minutes=draw(st.integers(0, 90))),
        sale_date=None if sale_offset is None else local_today + timedelta(days=sale_offset),
        payment_status=draw(st.sampled_from([None, "current", "about_to_fall_behind", "behind"])),
        months_behind=draw(st.integers(0, 12)),
        foreclosure_stage=draw(st.sampled_from(["none", "pre_foreclosure", "notice_of_default", "sale_scheduled"])),
        hardships=draw(st.lists(st.sampled_from(["job_loss", "divorce", "medical"]), max_size=2)),
    )
    channels = draw(st.sampled_from([{"sms"}, {"email"}, {"sms", "email"}]))
    return person, now, channels


def caps_respected(times, limit):
    """No 24 h window [t, t+24h) of `times` holds more than `limit` of them (counted the slow way)."""
    return all(sum(1 for u in times if t <= u < t + timedelta(hours=24)) <= limit for t in times)


def assert_plan_is_lawful(person, now, channels, result, history=()):
    tz = ZoneInfo(person.timezone)
    seen = {(h.sequence, h.step) for h in history}
    for m in result.messages:
        assert m.channel in channels
        assert m.due_at >= now
        assert oracle_allows(person.state, m.due_at, person.timezone), (m, m.due_at.astimezone(tz))
        assert (m.sequence, m.step) not in seen, m
        seen.add((m.sequence, m.step))
        if person.sale_date is not None and m.deadline:
            assert m.due_at < local_midnight(person.sale_date, tz)
    if person.sale_date is not None and person.sale_date < now.astimezone(tz).date():
        # At most the one closing email, within 14 days of the sale; ops told, or the lead paused.
        assert [m.template for m in result.messages] in ([], ["email/after_sale"])
        assert all(m.due_at < local_midnight(person.sale_date + timedelta(days=15), tz) for m in result.messages)
        why = f"sale date {person.sale_date} has passed: confirm postponed/sold/cancelled"
        assert result.lead_action == ("tell" if result.messages else "pause", why)
    if person.sale_date is None:
        assert not any(m.deadline for m in result.messages)
    times = {"sms": [], "email": []}
    for h in history:
        times[h.channel].append(h.sent_at)
    for m in result.messages:
        times[m.channel].append(m.due_at)
    for channel in ("sms", "email"):
        assert caps_respected(times[channel], PER_CHANNEL), channel
    assert caps_respected(times["sms"] + times["email"], min(TOTAL, state_cap(person.state) or TOTAL))
    for channel in channels:
        mine = [m for m in result.messages if m.channel == channel]
        if mine and not any(h.channel == channel for h in history):
            assert mine[0].template == f"{channel}/welcome"
            assert all(m.due_at > mine[0].due_at for m in mine[1:])


@CHECK
@given(leads())
def test_no_planned_message_breaks_quiet_hours_or_caps(case):
    person, now, channels = case
    result = plan(person, CATALOG, now, channels=channels, settings=ON)
    assert_plan_is_lawful(person, now, channels, result)


@CHECK
@given(leads(), st.integers(1, 8), st.integers(0, 72))
def test_replanning_after_some_sends_stays_lawful(case, sent_count, hours_later):
    person, now, channels = case
    first = plan(person, CATALOG, now, channels=channels, settings=ON)
    sent = [PastMessage(m.step, m.sequence, m.channel, m.due_at, "sent") for m in first.messages[:sent_count]]
    later = max([now] + [p.sent_at for p in sent]) + timedelta(hours=hours_later)
    second = plan(person, CATALOG, later, channels=channels, history=sent, settings=ON)
    assert_plan_is_lawful(person, later, channels, second, history=sent)


# The business's cadence (docs/schedules.md, "Cadence"), restated here as the oracle.
THEME_GAP, CHANNEL_GAP = timedelta(hours=48), timedelta(hours=4)
HOLIDAYS = {date(2026, 11, 26), date(2026, 12, 25), date(2026, 1, 1), date(2027, 1, 1), date(2027, 11, 25),
            date(2027, 12, 25), date(2028, 1, 1)}


@CHECK
@given(leads())
def test_no_plan_nags(case):
    person, now, channels = case
    result = plan(person, CATALOG, now, channels=channels, settings=ON)
    tz = ZoneInfo(person.timezone)
    msgs = sorted(result.messages, key=lambda m: m.due_at)
    for i, a in enumerate(msgs):
        assert a.due_at.astimezone(tz).date() not in HOLIDAYS, a
        for b in msgs[i + 1:]:
            gap = b.due_at - a.due_at
            theme_a, theme_b = a.template.split("/")[1], b.template.split("/")[1]
            if theme_a == theme_b and theme_a != "welcome" and not (a.deadline and b.deadline):
                assert gap >= THEME_GAP, (a, b)
            day_before = b.deadline and b.sale_date is not None and (b.sale_date - b.due_at.astimezone(tz).date()).days <= 1
            if a.channel == b.channel and not day_before:
                assert gap >= CHANNEL_GAP, (a, b)
    reminders = [m for m in msgs if m.sequence == "countdown"]
    for a, b in pairwise(reminders):
        if (b.sale_date - b.due_at.astimezone(tz).date()).days > 3:
            assert (b.due_at.astimezone(tz).date() - a.due_at.astimezone(tz).date()).days >= 3, (a, b)
