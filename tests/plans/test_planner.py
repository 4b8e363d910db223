"""The pure planner: speed to lead, quiet hours, caps, deadline content, catch-up, exits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from nurture.models import Lead
from nurture.plans.planner import PastMessage, plan
from nurture.plans.sequences import load_catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "schedules")
ON = SimpleNamespace(email_quiet_hours=True)
BOTH = {"sms", "email"}
NY = "America/New_York"


def at_local(iso: str, tz: str = NY) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def lead(now: datetime, **kw) -> Lead:
    base = dict(first_name="Maria", state="FL", timezone=NY, enrolled_at=now, payment_status="behind", months_behind=3)
    if kw.get("sale_date"):
        base["foreclosure_stage"] = "sale_scheduled"
    base.update(kw)
    return Lead(**base)


def run(person: Lead, now: datetime, channels=BOTH, history=(), catalog=CATALOG):
    return plan(person, catalog, now, channels=channels, history=list(history), settings=ON)


def local(m, tz: str = NY) -> datetime:
    return m.due_at.astimezone(ZoneInfo(tz))


def test_speed_to_lead_first_message_within_five_minutes():
    now = at_local("2026-12-01T10:00")
    result = run(lead(now), now)
    first = result.messages[0]
    assert first.due_at - now <= timedelta(minutes=5)
    assert first.template in {"sms/welcome", "email/welcome"}
    assert "speed to lead" in first.reason


def test_sms_welcome_is_the_first_sms():
    now = at_local("2026-12-01T10:00")
    result = run(lead(now, sale_date=date(2026, 12, 2)), now)
    sms = [m for m in result.messages if m.channel == "sms"]
    assert sms[0].template == "sms/welcome"
    assert all(m.due_at > sms[0].due_at for m in sms[1:])


def test_florida_lead_enrolled_at_1955_local():
    now = at_local("2026-12-01T19:55")
    result = run(lead(now), now)
    welcome = next(m for m in result.messages if m.template == "sms/welcome")
    assert local(welcome).strftime("%H:%M") == "19:55"  # the window is still open: straight away
    for m in result.messages:
        assert 8 <= local(m).hour < 20, m


def test_florida_lead_enrolled_at_2005_waits_for_eight_and_says_why():
    now = at_local("2026-12-01T20:05")
    result = run(lead(now), now)
    welcome = next(m for m in result.messages if m.template == "sms/welcome")
    assert local(welcome) == datetime(2026, 12, 2, 8, 0, tzinfo=ZoneInfo(NY))
    assert "moved from Tue 2026-12-01 20:05 EST to Wed 2026-12-02 08:00 EST: quiet hours: FL 8:00-20:00" in welcome.reason


def test_texas_lead_on_sunday_morning_waits_until_noon():
    tz = "America/Chicago"
    now = at_local("2026-12-06T09:30", tz)  # a Sunday
    result = run(lead(now, state="TX", timezone=tz), now)
    first = result.messages[0]
    assert local(first, tz) == datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo(tz))
    assert "quiet hours: TX 12:00-21:00 (Tex. Bus. & Com. Code § 301.051(b)(2))" in first.reason
    for m in result.messages:
        t = local(m, tz)
        assert (12 if t.weekday() == 6 else 9) <= t.hour < 21


def test_alabama_never_on_sunday():
    tz = "America/Chicago"
    now = at_local("2026-12-05T20:30", tz)  # Saturday after 8 pm
    result = run(lead(now, state="AL", timezone=tz, payment_status="current", months_behind=0), now)
    assert local(result.messages[0], tz) == datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo(tz))
    assert all(local(m, tz).weekday() != 6 for m in result.messages)


def test_joining_one_day_before_the_sale_gets_no_burst():
    now = at_local("2026-12-09T11:00")
    result = run(lead(now, sale_date=date(2026, 12, 10)), now)
    deadline = [m for m in result.messages if m.deadline]
    assert len(deadline) == 1
    assert "catch-up" in deadline[0].reason
    assert deadline[0].step == "sale-tomorrow"  # the most important one still relevant
    late = [s for s in result.skipped if s.sequence == "countdown"]
    assert {s.step for s in late} >= {"sale-in-14-days", "sale-in-7-days", "sale-in-3-days"}
    assert all("one catch-up only" in s.reason for s in late)
    cutoff = at_local("2026-12-10T00:00")
    assert all(m.due_at < cutoff for m in result.messages)


def test_critical_lead_stays_within_florida_limits_and_the_weekly_cap():
    now = at_local("2026-12-01T10:00")
    result = run(lead(now, sale_date=date(2026, 12, 11)), now)
    times = sorted(m.due_at for m in result.messages)
    # urgency.yaml: urgent 5, critical 7 messages in any 7 days (the welcomes and reminders count too).
    assert all(sum(1 for t in times if s <= t < s + timedelta(days=7)) <= 7 for s in times)
    assert all(times[i + 3] - times[i] >= timedelta(hours=24) for i in range(len(times) - 3))
    assert all(8 <= local(m).hour < 20 for m in result.messages)
    assert {m.tier for m in result.messages} == {"urgent", "critical"}


def test_cadence_tightens_with_the_tier():
    now = at_local("2026-12-01T10:00")
    early = run(lead(now, payment_status="current", months_behind=0), now)
    critical = run(lead(now, sale_date=date(2026, 12, 8)), now)

    def sms_gaps(result):
        sms = [m.due_at for m in result.messages if m.channel == "sms" and not m.deadline]
        return [b - a for a, b in zip(sms, sms[1:], strict=False)]

    def first_week(result):
        return sum(1 for m in result.messages if m.due_at < now + timedelta(days=7))

    assert min(sms_gaps(early)) >= timedelta(days=3)
    # The weekly caps of urgency.yaml: early 3, critical 7.
    assert first_week(early) <= 3
    assert first_week(early) < first_week(critical) <= 7


def test_a_passed_sale_date_of_a_lead_we_never_wrote_to_pauses_it_and_plans_nothing():
    now = at_local("2026-12-01T10:00")
    result = run(lead(now, sale_date=date(2026, 11, 28)), now)
    assert result.messages == []
    assert result.lead_action == ("pause", "sale date 2026-11-28 has passed: confirm postponed/sold/cancelled")
    closing = [s for s in result.skipped if s.sequence == "after-sale"]
    assert [(s.step, s.reason) for s in closing] == [
        ("closing", "email/welcome must be the first email and is not planned")]
    assert all("has passed" in s.reason for s in result.skipped if s.sequence != "after-sale")


def test_a_passed_sale_date_pauses_the_lead_without_a_post_sale_sequence(tmp_path: Path):
    folder = tmp_path / "schedules"
    folder.mkdir()
    for name in ("urgency.yaml", "countdown.yaml", "story-sms.yaml"):
        (folder / name).write_text((ROOT / "schedules" / name).read_text())
    now = at_local("2026-12-01T10:00")
    result = run(lead(now, sale_date=date(2026, 11, 28)), now, catalog=load_catalog(folder))
    assert result.messages == []
    assert result.lead_action == ("pause", "sale date 2026-11-28 has passed: confirm postponed/sold/cancelled")
    assert all("has passed" in s.reason for s in result.skipped)


def test_a_passed_sale_date_moves_to_a_post_sale_sequence_when_one_exists(tmp_path: Path):
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "urgency.yaml").write_text((ROOT / "schedules" / "urgency.yaml").read_text())
    (folder / "countdown.yaml").write_text((ROOT / "schedules" / "countdown.yaml").read_text())
    (folder / "after.yaml").write_text(
        "name: after-sale\nphase: post_sale\nsteps:\n"
        "  - {id: checkin, channel: email, template: email/next_steps, after: 2d, window: '12:00-17:00'}\n"
    )
    now = at_local("2026-12-01T10:00")
    result = run(lead(now, sale_date=date(2026, 11, 28)), now, catalog=load_catalog(folder))
    # Ops are told at once, and the lead stays active while its post-sale message waits.
    assert result.lead_action == ("tell", "sale date 2026-11-28 has passed: confirm postponed/sold/cancelled")
    assert [(m.sequence, m.deadline) for m in result.messages] == [("after-sale", False)]


def test_no_deadline_content_without_a_sale_date():
    now = at_local("2026-12-01T10:00")
    result = run(lead(now), now)
    assert not any(m.deadline for m in result.messages)
    assert all(s.reason == "no sale date" for s in result.skipped if s.sequence == "countdown")


@pytest.mark.parametrize("status", ["converted", "closed", "legal_hold", "needs_human", "paused"])
def test_exit_statuses_plan_nothing_and_say_why(status):
    now = at_local("2026-12-01T10:00")
    result = run(lead(now, status=status, status_reason="told ops"), now)
    assert result.messages == []
    assert result.skipped and all(s.reason == f"lead is {status}: told ops" for s in result.skipped)


def test_no_channels_plans_nothing():
    now = at_local("2026-12-01T10:00")
    result = plan(lead(now), CATALOG, now, channels=set(), settings=ON, channel_notes={"sms": "no SMS consent"})
    assert result.messages == []
    assert "no channel allowed (sms: no SMS consent)" in result.skipped[0].reason


def test_email_only_lead_gets_no_sms():
    now = at_local("2026-12-01T10:00")
    result = plan(lead(now), CATALOG, now, channels={"email"}, settings=ON, channel_notes={"sms": "no SMS consent"})
    assert result.messages and all(m.channel == "email" for m in result.messages)
    assert any(s.reason == "sms not allowed for this lead: no SMS consent" for s in result.skipped)


def test_history_counts_toward_caps_and_steps_are_not_repeated():
    now = at_local("2026-12-01T10:00")
    person = lead(now, sale_date=date(2026, 12, 11))
    first = run(person, now)
    sent = [PastMessage(m.step, m.sequence, m.channel, m.due_at, "sent") for m in first.messages[:4]]
    later = sent[-1].sent_at + timedelta(minutes=1)
    second = run(person, later, history=sent)
    assert not {(m.sequence, m.step) for m in second.messages} & {(p.sequence, p.step) for p in sent}
    times = sorted([p.sent_at for p in sent] + [m.due_at for m in second.messages])
    assert all(times[i + 3] - times[i] >= timedelta(hours=24) for i in range(len(times) - 3))


def test_a_catch_up_is_not_repeated_on_replan():
    now = at_local("2026-12-01T15:00")
    person = lead(now, sale_date=date(2026, 12, 13))  # 12 days out: the 14- and 30-day reminders were missed
    first = run(person, now)
    catch = [m for m in first.messages if "catch-up" in m.reason]
    assert len(catch) == 1
    # The catch-up text goes 4 h after the welcome text (no two texts within 4 h).
    sent = [PastMessage(m.step, m.sequence, m.channel, m.due_at, "sent") for m in first.messages if m.due_at < now + timedelta(hours=5)]
    assert catch[0].step in {p.step for p in sent}
    again = run(person, now + timedelta(hours=5), history=sent)
    assert not any("catch-up" in m.reason for m in again.messages)


def test_every_planned_message_is_in_the_future_and_says_why():
    now = at_local("2026-12-01T10:00")
    result = run(lead(now, sale_date=date(2026, 12, 30)), now)
    assert all(m.due_at >= now and m.reason for m in result.messages)
    assert all(s.reason for s in result.skipped)
    # Florida: 8 a.m. to 8 p.m. (Fla. Stat. § 501.059(8)(a)), whatever the channel (email keeps quiet hours).
    assert all(8 <= local(m).hour < 20 for m in result.messages)
