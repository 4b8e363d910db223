"""Leads in, messages out: intake -> plan -> scheduler tick -> dramatiq workers -> real SDKs -> simulator,
on the embedded broker (SQLite) and on Redis + PostgreSQL, as the clock moves through the days."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from conftest import TWILIO_FROM
from delivery_helpers import add_lead, messages_of
from nurture.clock import clock
from nurture.db import session_scope
from nurture.models import Message
from nurture.delivery.runtime import Embedded
from nurture.delivery.scheduler import tick

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Miami
MIAMI = ZoneInfo("America/New_York")


def play(runtime: Embedded, hours: int, step=timedelta(minutes=30)) -> None:
    end = clock.now() + timedelta(hours=hours)
    while clock.now() < end:
        tick(runtime.enqueue, now=clock.now())
        runtime.join()
        clock.advance(step)


def run_sequence(simulator):
    clock.freeze(START)
    lead_id = add_lead(START, foreclosure={"stage": "sale_scheduled", "sale_date": "2026-12-10"})
    runtime = Embedded(scheduler=False, worker_threads=2).start()
    try:
        play(runtime, hours=1, step=timedelta(minutes=1))
        texts = [r for r in simulator.received if r.provider == "twilio"]
        assert texts, "no text went out in the first hour"
        welcome = texts[0]
        assert welcome.to == "+13055550142" and welcome.from_ == TWILIO_FROM
        assert "STOP" in welcome.body
        sent = messages_of(lead_id, "sent")
        assert sent[0].sent_at - START <= timedelta(minutes=5)  # speed to lead
        play(runtime, hours=24 * 4)
    finally:
        runtime.stop()
    return lead_id


def assert_sequence_went_out_right(lead_id, simulator):
    sent = messages_of(lead_id, "sent", "delivered")
    received = simulator.received
    # Nine days from the sale: the welcome by text and by email, then action content at most every
    # few days (issue 24's cadence): three or more in four days, every one planned as due by then.
    assert len(received) == len(sent) >= 3
    with session_scope() as s:
        due = s.exec(select(Message).where(Message.lead_id == lead_id, Message.due_at <= clock.now() - timedelta(hours=1),
                                           Message.state.in_(["planned", "queued"]))).all()
    assert due == [], [(m.template, m.due_at) for m in due]  # nothing due was left behind
    assert {m.provider_id for m in sent} == {r.provider_id for r in received}
    emails = [r for r in received if r.provider == "sendgrid"]
    assert emails and all(r.to == "maria@example.com" for r in emails)
    assert all(r.json["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for r in emails)
    times = sorted(m.sent_at for m in sent)
    for m in sent:
        local = m.sent_at.astimezone(MIAMI)
        assert 8 <= local.hour < 20, f"{m.template} went out at {local} (Florida: 8:00-20:00)"
    for t in times:  # Florida: at most 3 messages in any 24 hours
        assert sum(1 for u in times if t <= u < t + timedelta(hours=24)) <= 3
    # each message went out at (or after) its planned time, never before
    assert all(m.sent_at >= m.due_at for m in sent)
    with session_scope() as s:
        steps = s.exec(select(Message.sequence, Message.step).where(
            Message.lead_id == lead_id, Message.state.in_(["sent", "delivered"]))).all()
    assert len(steps) == len(set(steps))  # never twice


def test_a_lead_receives_its_sequence_through_the_embedded_broker(sqlite_url, providers):
    lead_id = run_sequence(providers)
    assert_sequence_went_out_right(lead_id, providers)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_lead_receives_its_sequence_through_redis_and_postgres(pg_url, redis_url, providers, monkeypatch):
    from nurture.config import get_settings

    monkeypatch.setenv("NURTURE_REDIS_URL", redis_url)
    get_settings.cache_clear()
    clock.freeze(START)
    lead_id = add_lead(START, foreclosure={"stage": "sale_scheduled", "sale_date": "2026-12-10"})
    runtime = Embedded(scheduler=False, worker_threads=2).start()
    try:
        for _ in range(4 * 48):
            before = len(providers.received)
            due = tick(runtime.enqueue, now=clock.now()).due
            # Redis has no join: wait until the workers took what this tick queued.
            deadline = datetime.now(UTC) + timedelta(seconds=10)
            while due and len(providers.received) < before + due and datetime.now(UTC) < deadline:
                import time

                time.sleep(0.02)
            clock.advance(timedelta(minutes=30))
    finally:
        runtime.stop()
    assert_sequence_went_out_right(lead_id, providers)


def test_a_transient_429_is_retried_by_dramatiq_and_then_delivered(sqlite_url, providers):
    clock.freeze(START)
    providers.fail_next(1, status=429, retry_after=1, code=20429, provider="twilio")
    lead_id = add_lead(START)
    runtime = Embedded(scheduler=False, worker_threads=1).start()
    try:
        tick(runtime.enqueue, now=clock.now())
        runtime.join()  # the Retry(delay=1 s) comes back through the broker's delay queue
    finally:
        runtime.stop()
    welcome = [m for m in messages_of(lead_id) if m.template == "sms/welcome"][0]
    assert welcome.state == "sent" and welcome.attempts == 2
    assert len([r for r in providers.received if r.to == "+13055550142"]) == 1


def test_the_scheduler_stops_queueing_while_the_workers_are_behind(sqlite_url, monkeypatch):
    from testkit import fleet
    from nurture.config import get_settings

    monkeypatch.setenv("NURTURE_MAX_QUEUED", "30")
    monkeypatch.setenv("NURTURE_CLAIM_BATCH", "20")
    get_settings.cache_clear()
    fleet.seed_due_messages(sqlite_url, 50, now=START)
    enqueued: list[tuple[int, str]] = []
    assert tick(enqueued.extend, now=START).due == 20
    assert tick(enqueued.extend, now=START).due == 10  # 30 waiting: full
    assert tick(enqueued.extend, now=START).due == 0
    assert len(enqueued) == len(set(enqueued)) == 30
    assert fleet.count_in(sqlite_url, "planned") == 20  # the rest waits in the database, not the broker
