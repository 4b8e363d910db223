"""The send gate asks the rulebook again at the moment a message leaves: the sale-day cut-off, the
pause after the sale, staleness after a postponement, lateness (the catch-up rule, never a burst),
blackouts, an unknown zone, and a first text that names the sender."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, lead, message, messages_of, queue_message
from nurture.law import blackouts
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Lead, Message
from nurture.delivery.runtime import Embedded
from nurture.delivery.scheduler import tick

MIAMI = ZoneInfo("America/New_York")
TUESDAY_10 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=MIAMI).astimezone(UTC)


def story(lead_id: int, now: datetime, **kw) -> int:
    """A queued story text as the planner makes them (a real sequence step)."""
    return queue_message(lead_id, now, step=kw.pop("step", "what-is-a-short-sale"), **kw)


def test_deadline_content_never_goes_out_on_the_sale_day_itself(db_url, providers):
    morning = at("2026-12-10T10:00")
    clock.freeze(morning)
    lead_id = add_lead(morning, foreclosure={"sale_date": "2026-12-10"})
    cancel_plan(lead_id, morning)
    mid = queue_message(lead_id, morning, template="sms/sale_countdown", step="sale-tomorrow", deadline=True)
    with session_scope() as s:
        s.execute(update(Message).where(Message.id == mid).values(sequence="countdown"))
    outcome = Dispatcher().send(mid)
    assert outcome.state == "cancelled"
    assert "never sent on or after the sale date 2026-12-10" in message(mid).reason
    assert providers.received == []


def test_a_story_text_the_day_after_the_sale_is_not_sent_and_the_lead_waits_for_ops(db_url, providers):
    joined = at("2026-12-01T10:00")
    clock.freeze(joined)
    lead_id = add_lead(joined, foreclosure={"sale_date": "2026-12-10"})
    cancel_plan(lead_id, joined)
    day_after = at("2026-12-11T11:00")
    clock.freeze(day_after)
    mid = queue_message(lead_id, day_after, step="waiting-makes-it-worse", template="sms/waiting_worse")
    with session_scope() as s:
        s.execute(update(Message).where(Message.id == mid).values(sequence="story-sms"))
    assert Dispatcher().send(mid).state == "cancelled"
    assert providers.received == []
    after = lead(lead_id)
    assert after.status == "paused" and "2026-12-10 has passed" in after.status_reason
    assert messages_of(lead_id, "planned") == []


def test_a_postponed_sale_makes_a_queued_countdown_stale(db_url, providers):
    now = at("2026-12-03T10:00")
    clock.freeze(now)
    lead_id = add_lead(now, foreclosure={"sale_date": "2026-12-06"})
    cancel_plan(lead_id, now)
    mid = queue_message(lead_id, now, template="sms/sale_countdown", step="sale-in-3-days", deadline=True)
    with session_scope() as s:
        s.execute(update(Message).where(Message.id == mid).values(sequence="countdown", sale_date=date(2026, 12, 6)))
        s.execute(update(Lead).where(Lead.id == lead_id).values(sale_date=date(2027, 1, 20)))
    assert Dispatcher().send(mid).state == "cancelled"
    assert "planned for the sale date 2026-12-06, which is now 2027-01-20" in message(mid).reason
    assert providers.received == []
    # the lead is planned again for the new date: its countdown starts 30 days before it
    again = [m for m in messages_of(lead_id, "planned") if m.deadline]
    assert again and all(m.sale_date == date(2027, 1, 20) for m in again)


def test_the_first_text_a_lead_receives_names_the_sender_even_when_the_welcome_failed(sqlite_url, providers):
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10)
    cancel_plan(lead_id, TUESDAY_10)
    welcome = queue_message(lead_id, TUESDAY_10, template="sms/welcome", step="welcome")
    providers.fail_next(1, status=400, code=21211, message="invalid")
    assert Dispatcher().send(welcome).state == "failed"
    clock.advance(timedelta(hours=2))
    mid = story(lead_id, clock.now(), template="sms/credit_impact", step="credit-impact")
    assert Dispatcher().send(mid).state == "sent"
    (got,) = providers.received
    assert got.body.startswith("Short Sale Help: ")
    assert "Reply STOP to opt out" in got.body
    clock.advance(timedelta(hours=2))
    second = story(lead_id, clock.now(), template="sms/deficiency", step="the-deficiency")
    assert Dispatcher().send(second).state == "sent"
    # Only the first text gets the opt-out line added (every shipped text names the sender itself).
    assert "Reply STOP to opt out" not in providers.received[-1].body


def test_a_lead_with_no_zone_at_all_gets_no_text_and_the_log_says_why(sqlite_url, providers):
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10, phone="(800) 555-0142", property=None)
    cancel_plan(lead_id, TUESDAY_10)
    assert lead(lead_id).timezone is None
    mid = queue_message(lead_id, TUESDAY_10)
    assert Dispatcher().send(mid).state == "skipped"
    assert "no time zone known" in message(mid).reason
    assert providers.received == []


def test_a_blackout_moves_a_queued_text_past_its_last_day(sqlite_url, providers):
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10)  # Miami, FL
    cancel_plan(lead_id, TUESDAY_10)
    with session_scope() as s:
        blackouts.add(s, state="FL", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 3),
                      reason="Hurricane: state of emergency declared", now=TUESDAY_10)
    mid = queue_message(lead_id, TUESDAY_10)
    assert Dispatcher().send(mid).state == "planned"
    row = message(mid)
    assert row.due_at == at("2026-12-04T08:00")
    assert "Hurricane" in row.reason
    assert providers.received == []


def test_a_message_late_past_its_grace_is_replanned_not_sent(sqlite_url, providers):
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10)
    cancel_plan(lead_id, TUESDAY_10)
    mid = story(lead_id, TUESDAY_10)
    with session_scope() as s:
        s.execute(update(Message).where(Message.id == mid).values(
            sequence="story-sms", expires_at=TUESDAY_10 + timedelta(hours=4)))
    clock.advance(timedelta(days=1))
    assert Dispatcher().send(mid).state == "cancelled"
    assert "late by" in message(mid).reason and "catch-up rule" in message(mid).reason
    assert providers.received == []
    assert messages_of(lead_id, "planned"), "the lead is planned again from now"


def test_after_a_four_day_outage_only_what_the_catch_up_rule_allows_goes_out(sqlite_url, providers):
    """The clock jumps four days with a full plan waiting: no burst, nothing twice, gaps and caps kept."""
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10, foreclosure={"sale_date": "2026-12-12"})
    planned_before = {(m.sequence, m.step) for m in messages_of(lead_id, "planned")}
    assert len(planned_before) > 5  # 11 days out: action content only (issue 24)
    clock.advance(timedelta(days=4))  # nothing ran meanwhile
    outage_over = clock.now()
    runtime = Embedded(scheduler=False, worker_threads=4).start()
    try:
        for _ in range(4):  # a few ticks, as the scheduler would after coming back
            tick(runtime.enqueue, now=clock.now())
            runtime.join()
            clock.advance(timedelta(seconds=2))
    finally:
        runtime.stop()
    received = providers.received
    sent = messages_of(lead_id, "sent", "delivered")
    assert len(received) == len(sent)
    # Within the first minutes after the outage: at most one message per channel (the 1-hour gap),
    # and no two messages in the same second.
    soon = [m for m in sent if m.sent_at - outage_over < timedelta(minutes=5)]
    assert len({m.channel for m in soon}) == len(soon), [(m.channel, m.step) for m in soon]
    # At most one late sale-date message (the catch-up), never the whole missed countdown.
    assert sum(1 for m in sent if m.deadline) <= 1
    with session_scope() as s:
        cancelled = s.exec(select(Message).where(Message.lead_id == lead_id, Message.state == "cancelled")).all()
    assert any("catch-up" in (m.reason or "") or "late" in (m.reason or "") for m in cancelled)
    steps = [(m.sequence, m.step) for m in sent]
    assert len(steps) == len(set(steps))


def test_the_scheduler_replans_late_messages_instead_of_queueing_them(sqlite_url, providers):
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10)
    planned = messages_of(lead_id, "planned")
    assert all(m.expires_at is not None and m.expires_at > m.due_at for m in planned)
    clock.advance(timedelta(days=3))
    claims: list[tuple[int, str]] = []
    tick(claims.extend, now=clock.now())
    queued = [mid for mid, _ in claims]
    with session_scope() as s:
        states = dict(s.exec(select(Message.id, Message.state).where(Message.id.in_([m.id for m in planned]))).all())
    late = [m for m in planned if m.expires_at <= clock.now()]
    assert late and all(states[m.id] == "cancelled" for m in late)
    assert not set(queued) & {m.id for m in late}, "a late message is never handed to the workers as it was"
    fresh = messages_of(lead_id, "planned", "queued")
    assert fresh and all(m.due_at >= clock.now() for m in fresh)


def test_a_consented_connecticut_lead_is_not_texted_at_three_under_the_statute_policy(sqlite_url, providers,
                                                                                      monkeypatch):
    # NURTURE_STATE_RULES=statute lifts only what a statute exempts: Conn. Gen. Stat. § 42-288a's "between the
    # hours of nine o'clock a.m. and eight o'clock p.m." has no consent carve-out, and the federal 8-21 is a floor.
    monkeypatch.setenv("NURTURE_STATE_RULES", "statute")
    get_settings.cache_clear()
    three = at("2026-12-01T03:00")
    clock.freeze(three)
    lead_id = add_lead(three, phone="(860) 555-0142",
                       property={"street": "1 Main St", "city": "Hartford", "state": "CT", "zip": "06103"})
    cancel_plan(lead_id, three)
    mid = story(lead_id, three)
    assert Dispatcher().send(mid).state == "planned"
    assert message(mid).due_at == at("2026-12-01T09:00")
    assert "CT" in message(mid).reason
    assert providers.received == []
