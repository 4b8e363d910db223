"""Recovery in seconds: what the broker lost is handed over again within two ticks of it coming
back, however many; a backlog it still holds is not copied; a `sending` row left by a dead worker
is settled with the provider after the settle time; an answer the database missed is recorded
on a fresh connection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from delivery_helpers import add_lead, cancel_plan, events, message, queue_message
from nurture.clock import clock
from nurture.config import get_settings
from nurture.delivery.scheduler import tick
from testkit import fleet

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class FakeBroker:
    """An enqueue target that says what it holds and which instance it is, as the Enqueuer does."""

    def __init__(self) -> None:
        self.run_id = "first"
        self.queue: list[int] = []
        self.received: Counter[int] = Counter()

    def __call__(self, claims: Sequence[tuple[int, str]]) -> None:
        for mid, _ in claims:
            self.queue.append(mid)
            self.received[mid] += 1

    def epoch(self) -> str:
        return self.run_id

    def held(self) -> int:
        return len(self.queue)

    def restart_empty(self) -> None:
        self.run_id += "-again"
        self.queue.clear()
        self.received.clear()


@pytest.fixture
def batch_of_20(sqlite_url, monkeypatch):
    monkeypatch.setenv("NURTURE_CLAIM_BATCH", "20")
    get_settings.cache_clear()
    return sqlite_url


def _all_queued(url: str, broker: FakeBroker, count: int) -> None:
    for _ in range(count // 20 + 1):
        tick(broker, now=START)
    assert fleet.count_in(url, "queued") == count and len(broker.queue) == count


def test_every_message_a_broker_lost_is_handed_over_within_two_ticks_of_its_restart(batch_of_20):
    ids = fleet.seed_due_messages(batch_of_20, 130, now=START)
    broker = FakeBroker()
    _all_queued(batch_of_20, broker, 130)
    broker.restart_empty()
    at = START + timedelta(seconds=30)  # well inside every lease
    tick(broker, now=at)
    tick(broker, now=at + timedelta(seconds=2))
    assert sorted(broker.received) == sorted(ids), f"{len(broker.received)} of 130 handed over again"
    assert set(broker.received.values()) == {1}, "each once"


def test_a_lost_backlog_is_handed_over_in_claim_sized_batches_in_one_tick(batch_of_20):
    ids = fleet.seed_due_messages(batch_of_20, 130, now=START)
    broker = FakeBroker()
    _all_queued(batch_of_20, broker, 130)
    broker.restart_empty()
    sizes: list[int] = []
    real = broker.__call__

    def enqueue(claims):  # type: ignore[no-untyped-def]
        sizes.append(len(claims))
        real(claims)

    enqueue.epoch = broker.epoch  # type: ignore[attr-defined]
    enqueue.held = broker.held  # type: ignore[attr-defined]
    tick(enqueue, now=START + timedelta(seconds=30))
    assert sum(sizes) == len(ids) and max(sizes) == 20  # never one huge claim


def test_new_work_is_claimed_in_the_tick_that_hands_the_lost_messages_over(batch_of_20):
    fleet.seed_due_messages(batch_of_20, 60, now=START)
    broker = FakeBroker()
    _all_queued(batch_of_20, broker, 60)
    broker.restart_empty()
    fresh = fleet.seed_due_messages(batch_of_20, 5, now=START + timedelta(seconds=29), start=60)
    result = tick(broker, now=START + timedelta(seconds=30))
    assert (result.due, result.expired) == (5, 60)
    assert broker.queue[:5] == fresh  # first in the broker's queue: the lost ones do not starve it


def test_a_backlog_the_broker_still_holds_gets_a_new_lease_and_no_second_copy(batch_of_20):
    fleet.seed_due_messages(batch_of_20, 60, now=START)
    broker = FakeBroker()
    _all_queued(batch_of_20, broker, 60)
    past_lease = START + timedelta(seconds=get_settings().lease_seconds + 1)
    result = tick(broker, now=past_lease)
    assert result.expired == 0 and len(broker.queue) == 60
    lost_some = broker.queue[:25]  # say a worker took 25 and died: the broker holds 35
    del broker.queue[:25]
    broker.received.clear()
    much_later = past_lease + timedelta(seconds=get_settings().lease_seconds + 1)
    result = tick(broker, now=much_later)
    assert result.expired == 25 and sum(broker.received.values()) == 25
    assert set(broker.received) == set(lost_some) and len(broker.queue) == 60
    # the 35 left in the broker had their leases renewed: the next tick copies nothing
    broker.received.clear()
    assert tick(broker, now=much_later + timedelta(seconds=2)).expired == 0


# -- a `sending` row whose worker died --------------------------------------------------------


def test_a_text_left_sending_by_a_dead_worker_is_settled_after_the_settle_time_not_the_lease(sqlite_url, providers):
    from nurture.delivery.dispatch import Dispatcher
    from nurture.delivery.scheduler import reconcile_stale

    clock.freeze(START)
    lead_id = add_lead(START)
    cancel_plan(lead_id, START)
    mid = queue_message(lead_id, START)
    prepared = Dispatcher()._prepare(mid)  # the claim is committed; the worker dies before the request
    assert not hasattr(prepared, "state"), prepared
    assert message(mid).state == "sending"
    settings = get_settings()
    settled = 2 * settings.provider_timeout_seconds + settings.twilio_settle_seconds  # connect, read, settle
    assert settled < settings.lease_seconds
    # Not while a live worker could still be waiting for Twilio's answer and Twilio settling it.
    assert reconcile_stale(now=START + timedelta(seconds=settled - 1)) == 0
    assert reconcile_stale(now=START + timedelta(seconds=settled + 1)) == 1
    row = message(mid)
    assert row.state == "queued", "Twilio has no such message: sent again, once"
    assert "after it settled" in events(mid)[-1].cause
    assert providers.received == []


# -- a database error after the provider answered ---------------------------------------------


@pytest.fixture
def worker_engine(pg_url, monkeypatch):
    """An engine as worker processes have it: no ping before a checkout."""
    from nurture import db

    db.dispose_engines()
    monkeypatch.setattr(db, "pre_ping", False)
    yield pg_url
    db.dispose_engines()


def _terminate_every_connection_to(url: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {"name": sa.engine.make_url(url).database})
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_an_answer_is_recorded_on_a_fresh_connection_when_the_pooled_one_died_during_the_call(
        worker_engine, providers, monkeypatch):
    from nurture.delivery.channels.sms import TwilioChannel
    from nurture.delivery.dispatch import Dispatcher

    clock.freeze(START)
    lead_id = add_lead(START)
    cancel_plan(lead_id, START)
    mid = queue_message(lead_id, START)
    real_send = TwilioChannel.send

    def send_then_lose_the_database(self, out):  # type: ignore[no-untyped-def]
        result = real_send(self, out)
        _terminate_every_connection_to(worker_engine)  # the pooled connections die while Twilio answers
        return result

    monkeypatch.setattr(TwilioChannel, "send", send_then_lose_the_database)
    outcome = Dispatcher().send(mid)
    assert outcome.state == "sent", outcome
    row = message(mid)
    assert row.state == "sent" and row.provider_id == providers.received[0].provider_id
    assert len(providers.received) == 1


@pytest.mark.postgres
def test_of_two_schedulers_that_see_the_new_broker_at_once_only_one_hands_the_queue_over(pg_url):
    """Both read the old epoch; the second waits for the first's transaction and must then find
    the epoch moved, or it expires again the rows the first just handed over (a copy of each)."""
    import threading

    from nurture.db import session_scope
    from nurture.delivery.scheduler import _broker_restarted

    with session_scope() as session:
        assert _broker_restarted(session, "first", START) is False  # the first broker seen
    answers: list[bool] = []
    with session_scope() as first:
        answers.append(_broker_restarted(first, "second", START))
        second = threading.Thread(target=lambda: answers.append(_in_own_session(_broker_restarted, "second")))
        second.start()
        second.join(1.0)  # it waits for the first's transaction (or, wrongly, has already decided)
    second.join(10)
    assert answers == [True, False]


def _in_own_session(fn, epoch):  # type: ignore[no-untyped-def]
    from nurture.db import session_scope

    with session_scope() as session:
        return fn(session, epoch, START)
