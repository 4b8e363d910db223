"""Issue 21's table, as a user meets it through `nurture schedule preview` and the send gate: each
case is what the statute says, written here from its words (Oregon HB 3865, Pennsylvania's and
Louisiana's holiday lists, Mississippi's Central Standard Time, Connecticut's 9-20 without a consent
carve-out, Texas's Sunday noon, the area code's own state), never read from nurture's law files."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from nurture.cli.schedule import app
from nurture.law import Outgoing, Rulebook, check_message

runner = CliRunner()


def texts(*args: str) -> list[datetime]:
    """The local times of the texts `schedule preview` plans for a lead with these options."""
    result = runner.invoke(app, ["preview", *args, "--channels", "sms", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    zone = ZoneInfo(data["lead"]["timezone"])
    planned = [datetime.fromisoformat(m["due_at"]).astimezone(zone) for m in data["messages"] if m["channel"] == "sms"]
    assert planned, "the lead is planned texts at all"
    return planned


def test_oregon_texts_keep_8_to_20_since_hb_3865():
    # HB 3865 (2025), in force 2026-01-01: texts included, 8:00-20:00.
    planned = texts("--zip", "97201", "--state", "OR", "--now", "2026-12-01T20:15")
    assert all(time(8) <= t.time() < time(20) for t in planned), planned
    assert not any(t.date() == date(2026, 12, 1) and t.time() >= time(20) for t in planned)


def around(holiday: date, *where: str) -> set[date]:
    """The days a lead whose sale is four days after `holiday` is texted, planned three days before it:
    the countdown texts daily then, so a day without a text is a day the law closed."""
    planned = texts(*where, "--now", f"{holiday - timedelta(days=3)}T12:00",
                    "--sale-date", (holiday + timedelta(days=4)).isoformat())
    days = {t.date() for t in planned}
    assert days & {holiday - timedelta(days=1), holiday + timedelta(days=1)}, f"texted daily around {holiday}: {days}"
    return days


@pytest.mark.parametrize("holiday", [date(2027, 3, 26), date(2027, 6, 14), date(2026, 11, 3)])
def test_pennsylvania_texts_skip_the_holidays_its_act_lists(holiday):
    # 73 P.S. § 2245.2 (Act 73 of 2019) lists Good Friday, Flag Day and Election Day among its holidays.
    assert holiday not in around(holiday, "--zip", "19103", "--state", "PA")


@pytest.mark.parametrize("holiday", [date(2027, 11, 1), date(2027, 10, 11), date(2027, 8, 30)])
def test_louisiana_texts_skip_its_legal_holidays(holiday):
    # La. R.S. 1:55: All Saints' Day, Columbus Day and Huey P. Long Day are legal holidays.
    assert holiday not in around(holiday, "--zip", "70112", "--state", "LA")


def test_mississippi_hours_are_central_standard_time_all_year():
    # Miss. Code § 77-3-723: "between 8:00 a.m. and 8:00 p.m. Central Standard Time": 9:00-21:00 CDT in summer.
    planned = texts("--zip", "39201", "--state", "MS", "--now", "2027-07-06T06:00")
    summer = [t for t in planned if t.dst()]
    assert summer and all(time(9) <= t.time() < time(21) for t in summer), summer


def gate_says(state: str, zone: str, at: datetime, policy: str) -> str:
    """What the send gate says of a consented lead's text at `at` (UTC) under `policy`."""
    book = Rulebook(policy=policy, email_quiet_hours=True)
    rules = book.for_lead(SimpleNamespace(state=state, zip=None, phone=None, mailing_state=None, mailing_zip=None,
                                          timezone=zone), consented=True)
    lead = SimpleNamespace(state=state, timezone=zone, phone="+12025550100", email=None, sale_date=None,
                           status="active", first_name="C")
    msg = Outgoing(channel="sms", sequence="story", step="one", deadline=False, due_at=at, expires_at=None,
                   sale_date=None, phase=None)
    return check_message(msg, lead=lead, rules=rules, consent_granted=True, suppressed=None, history=[], now=at).action


@pytest.mark.parametrize("policy", ["strict", "statute"])
def test_no_policy_texts_a_consented_connecticut_lead_at_three_in_the_morning(policy):
    # Conn. Gen. Stat. § 42-288a: 9:00-20:00, no consent carve-out found; the federal 8-21 is the floor anyway.
    at = datetime(2026, 12, 2, 3, 0, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)
    assert gate_says("CT", "America/New_York", at, policy) != "send"


@pytest.mark.parametrize("policy", ["strict", "statute"])
def test_no_policy_texts_a_consented_texas_lead_on_sunday_morning(policy):
    # Tex. Bus. & Com. Code § 304.151 / § 305.053: on Sunday not before noon; 7:30 is before the federal 8:00 too.
    at = datetime(2026, 12, 6, 7, 30, tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)
    assert gate_says("TX", "America/Chicago", at, policy) != "send"


def test_a_florida_property_with_an_oregon_number_keeps_oregons_hours_too():
    # The phone's area code (503) is Oregon's: its 8:00-20:00 Pacific (11:00-23:00 Eastern) applies beside Florida's.
    result = runner.invoke(app, ["preview", "--zip", "33101", "--state", "FL", "--phone", "+15035550100",
                                 "--now", "2026-12-01T12:00", "--channels", "sms", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "OR" in {s["state"] for s in data["rules"]["states"]}
    eastern = [datetime.fromisoformat(m["due_at"]).astimezone(ZoneInfo("America/New_York"))
               for m in data["messages"] if m["channel"] == "sms"]
    assert eastern and all(time(11) <= t.time() < time(20) for t in eastern), eastern
