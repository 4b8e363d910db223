"""Quiet hours by state, frequency caps and SMS keywords: the pure rules the planner and the gate share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from nurture.compliance import (
    HELP_KEYWORDS,
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    CapBook,
    allowed_now,
    cap_check,
    caps_respected,
    keyword_kind,
)

ON = SimpleNamespace(email_quiet_hours=True)
OFF = SimpleNamespace(email_quiet_hours=False)


def local(iso: str, tz: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def test_twilio_default_keywords():
    assert OPT_OUT_KEYWORDS == {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
    assert OPT_IN_KEYWORDS == {"START", "UNSTOP", "YES"}
    assert HELP_KEYWORDS == {"HELP", "INFO"}
    assert keyword_kind("  stop ") == "opt_out"
    assert keyword_kind("Start") == "opt_in"
    assert keyword_kind("help") == "help"
    assert keyword_kind("please stop texting me") == "opt_out"  # revocation in the lead's words (nurture.replies)
    assert keyword_kind("yes please") is None


def test_florida_stops_at_eight_pm():
    ok = allowed_now(local("2026-12-01T19:59", "America/New_York"), "America/New_York", "FL", "sms", ON)
    late = allowed_now(local("2026-12-01T20:00", "America/New_York"), "America/New_York", "FL", "sms", ON)
    assert ok.ok
    assert not late.ok
    assert "quiet hours in FL (8:00-20:00)" in late.reason
    assert late.next_allowed == local("2026-12-02T08:00", "America/New_York")


def test_federal_window_is_eight_to_nine_elsewhere():
    assert allowed_now(local("2026-12-01T20:30", "America/New_York"), "America/New_York", "NY", "sms", ON).ok
    early = allowed_now(local("2026-12-01T07:59", "America/New_York"), "America/New_York", "NY", "sms", ON)
    assert not early.ok and "federal" in early.reason


def test_texas_sunday_starts_at_noon():
    decision = allowed_now(local("2026-12-06T10:00", "America/Chicago"), "America/Chicago", "TX", "sms", ON)
    assert not decision.ok
    assert decision.next_allowed == local("2026-12-06T12:00", "America/Chicago")
    assert not allowed_now(local("2026-12-07T08:30", "America/Chicago"), "America/Chicago", "TX", "sms", ON).ok
    assert allowed_now(local("2026-12-07T09:00", "America/Chicago"), "America/Chicago", "TX", "sms", ON).ok


@pytest.mark.parametrize("state", ["AL", "LA", "MS"])
def test_no_sunday_sends_in_alabama_louisiana_mississippi(state):
    decision = allowed_now(local("2026-12-06T13:00", "America/Chicago"), "America/Chicago", state, "sms", ON)
    assert not decision.ok
    assert decision.next_allowed == local("2026-12-07T08:00", "America/Chicago")


def test_email_keeps_quiet_hours_unless_turned_off():
    night = local("2026-12-01T23:00", "America/New_York")
    assert not allowed_now(night, "America/New_York", "FL", "email", ON).ok
    assert allowed_now(night, "America/New_York", "FL", "email", OFF).ok
    assert not allowed_now(night, "America/New_York", "FL", "sms", OFF).ok


def test_quiet_hours_follow_daylight_saving():
    # 2026-03-08: New York springs forward. 12:30 UTC is 7:30 EST the day before, 8:30 EDT that day.
    assert not allowed_now(datetime(2026, 3, 7, 12, 30, tzinfo=UTC), "America/New_York", "NY", "sms", ON).ok
    assert allowed_now(datetime(2026, 3, 8, 12, 30, tzinfo=UTC), "America/New_York", "NY", "sms", ON).ok


def test_cap_check_counts_the_last_24_hours():
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    sent = [("sms", now - timedelta(hours=23)), ("sms", now - timedelta(hours=2))]
    decision = cap_check(now, "sms", "NY", sent)
    assert not decision.ok
    assert decision.next_allowed == now + timedelta(hours=1)
    assert cap_check(now, "email", "NY", sent).ok
    assert cap_check(now + timedelta(hours=1), "sms", "NY", sent).ok


def test_florida_allows_three_messages_in_any_24_hours():
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    sent = [("sms", now - timedelta(hours=5)), ("email", now - timedelta(hours=4)), ("email", now - timedelta(hours=3))]
    fl = cap_check(now, "sms", "FL", sent)
    assert not fl.ok and "3 messages in any 24 h in FL" in fl.reason
    assert cap_check(now, "sms", "NY", sent).ok


def test_capbook_looks_both_ways():
    book = CapBook("FL")
    t0 = datetime(2026, 12, 1, 15, tzinfo=UTC)
    for hours, channel in ((0, "sms"), (5, "email"), (10, "sms")):
        book.add(channel, t0 + timedelta(hours=hours))
    clash = book.conflict("email", t0 - timedelta(hours=3))  # before all three, but within 24 h of them
    assert clash is not None
    assert book.conflict("email", t0 + timedelta(hours=24)) is None
    quiet = CapBook("NY")
    quiet.add("sms", t0)
    assert quiet.conflict("sms", t0 + timedelta(minutes=30)) == (t0 + timedelta(hours=1), "sms messages are kept 1 h apart")
    assert quiet.conflict("email", t0 + timedelta(minutes=30)) is None


def test_caps_respected_is_a_rolling_window():
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    assert caps_respected([t0, t0 + timedelta(hours=23), t0 + timedelta(hours=24)], 2)
    assert not caps_respected([t0, t0 + timedelta(hours=12), t0 + timedelta(hours=23, minutes=59)], 2)
