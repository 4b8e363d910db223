"""Per-lead truths under many workers at once: the caps, the gap and "never twice" hold when several
threads send one lead's messages at the same moment (PostgreSQL row lock; SQLite's writer lock).
Counted from what the provider simulator received, not from what the product believes."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from delivery_helpers import add_lead, cancel_plan, messages_of, queue_message
from nurture.clock import clock
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Message

# Tuesday 2026-12-01 10:00 in New York: inside every window.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
THREADS = 8
ROUNDS = 5


def send_at_once(ids: list[int]) -> list[str]:
    """Each id sent by its own dispatcher (as separate worker processes would), all released together."""
    start = threading.Barrier(len(ids))
    outcomes: list[str] = [""] * len(ids)

    def work(i: int, message_id: int) -> None:
        dispatcher = Dispatcher()
        start.wait()
        outcomes[i] = dispatcher.send(message_id).state

    threads = [threading.Thread(target=work, args=(i, mid)) for i, mid in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def new_york_lead(n: int) -> int:
    lead_id = add_lead(NOW, first_name=f"Ny{n}", phone=f"(212) 555-{100 + n:04d}", email=f"ny{n}@example.com",
                       property={"street": "1 Main St", "city": "New York", "state": "NY", "zip": "10001"})
    cancel_plan(lead_id, NOW)
    return lead_id


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, providers):
    request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    clock.freeze(NOW)
    return providers


def test_many_workers_at_once_send_one_text_and_move_the_rest_by_the_rules(backend):
    sim = backend
    for n in range(ROUNDS):
        lead_id = new_york_lead(n)
        ids = [queue_message(lead_id, NOW, step=f"step-{i}") for i in range(THREADS)]
        outcomes = send_at_once(ids)
        to = f"+1212555{100 + n:04d}"
        got = [r for r in sim.received if r.to == to]
        # One text now; every other one moved by the 1-hour gap or the 2-a-day cap, none lost.
        assert len(got) == 1, (n, outcomes)
        assert sorted(outcomes).count("sent") == 1 and outcomes.count("planned") == THREADS - 1, outcomes
        moved = messages_of(lead_id, "planned")
        assert len(moved) == THREADS - 1
        assert all(m.due_at >= NOW + timedelta(hours=1) for m in moved)


def test_many_workers_with_the_same_step_send_it_once(backend):
    sim = backend
    for n in range(ROUNDS):
        lead_id = new_york_lead(n)
        ids = [queue_message(lead_id, NOW, step="the-same-step") for _ in range(THREADS)]
        outcomes = send_at_once(ids)
        to = f"+1212555{100 + n:04d}"
        assert len([r for r in sim.received if r.to == to]) == 1, outcomes
        assert Counter(outcomes) == {"sent": 1, "skipped": THREADS - 1}, outcomes
        skipped = messages_of(lead_id, "skipped")
        assert all("already went out" in m.reason for m in skipped)


def test_the_cap_holds_when_one_text_already_went_out_today(backend):
    sim = backend
    lead_id = new_york_lead(0)
    assert Dispatcher().send(queue_message(lead_id, NOW, step="earlier")).state == "sent"
    later = NOW + timedelta(hours=3)
    clock.freeze(later)
    ids = [queue_message(lead_id, later, step=f"step-{i}") for i in range(THREADS)]
    outcomes = send_at_once(ids)
    assert len(sim.received) == 2  # the earlier one and exactly one more: 2 texts in any 24 h
    assert outcomes.count("sent") == 1


def test_the_database_refuses_a_step_reaching_sent_twice(db_url):
    """The unique index is the backstop whatever a worker believes."""
    import sqlalchemy as sa

    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    first = queue_message(lead_id, NOW, step="once", state="sent")
    second = queue_message(lead_id, NOW, step="once", state="planned")
    with pytest.raises(sa.exc.IntegrityError):
        with session_scope() as session:
            session.execute(sa.update(Message).where(Message.id == second).values(state="sending"))
    with session_scope() as session:  # a cancelled or failed copy of the step is fine
        session.execute(sa.update(Message).where(Message.id == second).values(state="failed"))
    assert first != second


# -- a revocation while a worker waits for the lead ---------------------------------------------------


def _wait_until_blocked(count: int, timeout: float = 10.0) -> None:
    """Until `count` other sessions of this database wait for a lock (PostgreSQL), or a moment
    (SQLite, whose waiting writers cannot be seen from outside)."""
    import time

    from nurture.db import get_engine

    engine = get_engine()
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    import sqlalchemy as sa

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                           "AND datname = current_database()")).scalar_one()
        if waiting >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{count} workers never all waited for the lead's lock")


@pytest.mark.parametrize("how", ["STOP", "carrier suppression", "email unsubscribe"])
def test_a_revocation_committed_while_workers_wait_for_the_lead_stops_their_messages(backend, how):
    """The lead texts STOP (or the number is suppressed, or it unsubscribes) while THREADS workers,
    each holding one of its next messages, wait for the lead's lock: once the lock is free every
    worker must see the revocation and send nothing.
    (Consent and suppression read in the same statement as the lock were read as they stood before
    the wait, on PostgreSQL: the text went out after the STOP.)"""
    from sqlmodel import Session

    from nurture.db import get_engine
    from nurture.delivery.dispatch import suppress
    from nurture.conversations.inbound import opt_out
    from nurture.locking import lock_leads
    from nurture.models import Lead

    sim = backend
    lead_id = new_york_lead(0)
    channel = "email" if how == "email unsubscribe" else "sms"
    queued = [queue_message(lead_id, NOW, step=f"next-story-{i}", channel=channel) for i in range(THREADS)]
    holder = Session(get_engine(), expire_on_commit=False)
    try:
        lead = holder.get(Lead, lead_id)
        if how == "STOP":
            opt_out(holder, lead, channel="sms", reason="stop", detail="STOP", method="sms_reply", now=NOW, words="STOP")
        elif how == "email unsubscribe":
            opt_out(holder, lead, channel="email", reason="unsubscribe", detail="one-click unsubscribe",
                    method="unsubscribe", now=NOW)
        else:
            lock_leads(holder, [lead_id])
            suppress(holder, channel="sms", address=lead.phone, reason="carrier", detail="21610 from Twilio",
                     lead_id=lead_id, at=NOW)
        outcome: list[str] = []
        workers = [threading.Thread(target=lambda mid=mid: outcome.append(Dispatcher().send(mid).state))
                   for mid in queued]
        for worker in workers:
            worker.start()
        _wait_until_blocked(len(workers))
        holder.commit()
    finally:
        holder.close()
    for worker in workers:
        worker.join(30)

    assert [r for r in sim.received if r.to in ("+12125550100", "ny0@example.com")] == []
    assert outcome == ["skipped"] * THREADS
    skipped = [m for m in messages_of(lead_id, "skipped") if m.id in queued]
    assert len(skipped) == THREADS
    for message in skipped:
        assert ("no SMS consent" if how == "STOP" else "suppressed") in message.reason, message.reason
