"""Faults on the real stack: PostgreSQL, Redis, two `dramatiq workers` processes, two schedulers, the
real SDKs into the simulator. Each case counts from the simulator's own record: 0 sent twice, 0 lost.

Timings are shortened by settings (tick 0.3 s, reconcile every 2 s, Twilio settles 4 s) so each case
ends in well under a minute; every case is bounded and stops every process it started."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from faultkit import done, events_key, fleet_env, outcome, own_redis, stack  # noqa: F401 (fixtures)
from testkit import fleet
from nurture.clock import now

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

EACH = 150  # texts and as many emails per case


def seed(url: str) -> list[int]:
    at = now()
    return (fleet.seed_due_messages(url, EACH, now=at, channel="sms", template="sms/what_is_short_sale")
            + fleet.seed_due_messages(url, EACH, now=at, channel="email", template="email/deficiency", start=EACH))


def run_until_done(stack, url: str, ids: list[int], timeout: float = 120) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ok = fleet.wait_for(lambda: done(url, ids), timeout=timeout, interval=0.3)
    result = outcome(url, ids, stack.simulator.received)
    assert ok, (result, stack.tail())
    assert result["log_pointing_nowhere"] == 0, result
    return result


def test_provider_timeouts_after_acceptance_are_settled_never_sent_twice(stack, pg_url):
    """Every 4th request is answered after 2.5 s (our timeout: 1 s) but the provider does take it."""
    ids = seed(pg_url)
    stack.simulator.delay_every(4, 2.5)
    stack.workers(1), stack.workers(2), stack.scheduler(1), stack.scheduler(2)
    result = run_until_done(stack, pg_url, ids)
    assert result["twice"] == 0 and result["lost"] == 0, result
    assert result["received"] == len(ids)
    assert result.get("state_review", 0) == 0, "SendGrid's events settled every unanswered email"


def test_a_redis_restart_mid_run_loses_nothing_and_resumes_within_a_tick_or_two(stack, pg_url, own_redis):
    ids = seed(pg_url)
    stack.simulator.delay = 0.02  # a run long enough to stop Redis in the middle of it
    stack.workers(1), stack.workers(2), stack.scheduler(1), stack.scheduler(2)
    assert fleet.wait_for(lambda: len(stack.simulator.received) >= len(ids) // 4, timeout=60), stack.tail()
    own_redis.stop()
    time.sleep(3)
    during = len(stack.simulator.received)
    own_redis.start()  # empty: a Redis without persistence forgets every queued message
    back = time.monotonic()
    assert fleet.wait_for(lambda: len(stack.simulator.received) > during + 5, timeout=30), stack.tail()
    resumed = time.monotonic() - back
    result = run_until_done(stack, pg_url, ids)
    assert result["twice"] == 0 and result["lost"] == 0, result
    assert resumed < 15, f"sends resumed {resumed:.1f} s after Redis came back (the lease is 30 s)"


def test_6000_messages_a_redis_restart_lost_are_all_received_once_within_60_s(stack, pg_url, own_redis):
    """The broker restarted empty under a backlog six times NURTURE_CLAIM_BATCH, with the lease at
    its default (300 s): every lost message is handed over again at once (not one batch a lease),
    by one of the two schedulers, and each reaches the provider once."""
    import redis

    at = now()
    ids = (fleet.seed_due_messages(pg_url, 3_000, now=at, channel="sms", template="sms/what_is_short_sale")
           + fleet.seed_due_messages(pg_url, 3_000, now=at, channel="email", template="email/deficiency",
                                     start=3_000))
    big = {"NURTURE_CLAIM_BATCH": "1000", "NURTURE_LEASE_SECONDS": "300"}
    stack.scheduler(1, **big), stack.scheduler(2, **big)
    client = redis.Redis.from_url(own_redis.url)
    in_redis = lambda: client.llen("dramatiq:messages")  # noqa: E731 - dramatiq's list of waiting ids
    assert fleet.wait_for(lambda: fleet.count_in(pg_url, "queued") == len(ids) and in_redis() == len(ids),
                          timeout=60), (fleet.count_in(pg_url, "queued"), in_redis(), stack.tail())
    client.close()
    own_redis.stop()
    stack.workers(1, **big), stack.workers(2, **big)  # they wait for Redis, as running workers would
    time.sleep(2)
    own_redis.start()  # empty: all 6,000 are gone from the broker, still `queued` in the database
    back = time.monotonic()
    # Within two ticks (0.3 s each; a loaded machine gets a few seconds) every one is handed over again.
    handed = fleet.wait_for(lambda: handed_over_again(pg_url) >= len(ids), timeout=10, interval=0.1)
    handed_in = time.monotonic() - back
    received = fleet.wait_for(lambda: len(stack.simulator.received) >= len(ids), timeout=60 - handed_in,
                              interval=0.5)
    took = time.monotonic() - back
    result = outcome(pg_url, ids, stack.simulator.received)
    print(f"6,000 lost messages: handed over again {handed_in:.1f} s, received {took:.1f} s after Redis came back")
    assert handed, f"{handed_in:.1f} s after Redis came back {handed_over_again(pg_url)} of {len(ids)} handed over"
    assert handed_over_again(pg_url) == len(ids), "each handed over once, by one scheduler"
    assert received, (result, f"{result['received']} of {len(ids)} received 60 s after Redis came back")
    assert result["twice"] == 0 and result["lost"] == 0, result


def handed_over_again(url: str) -> int:
    """Messages the scheduler queued again for the broker (its delivery-log rows)."""
    from nurture.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.scalar(sa.text("SELECT count(*) FROM deliveryevent WHERE cause = 'lease expired: enqueued again'"))


def test_a_worker_killed_with_sigkill_mid_run_loses_nothing(stack, pg_url):
    ids = seed(pg_url)
    stack.simulator.delay = 0.05
    doomed = stack.workers(1)
    stack.workers(2), stack.scheduler(1), stack.scheduler(2)
    assert fleet.wait_for(lambda: len(stack.simulator.received) >= len(ids) // 3, timeout=60), stack.tail()
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    stack.workers(3)
    result = run_until_done(stack, pg_url, ids)
    assert result["twice"] == 0 and result["lost"] == 0, result


def test_postgres_backends_terminated_mid_run_lose_nothing(stack, pg_url):
    ids = seed(pg_url)
    stack.simulator.delay = 0.05
    stack.workers(1), stack.workers(2), stack.scheduler(1), stack.scheduler(2)
    assert fleet.wait_for(lambda: len(stack.simulator.received) >= len(ids) // 3, timeout=60), stack.tail()
    name = sa.engine.make_url(pg_url).database
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        for _ in range(3):  # kill every other connection to the database, three times, a second apart
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name})
            time.sleep(1)
    finally:
        admin.dispose()
    result = run_until_done(stack, pg_url, ids)
    assert result["twice"] == 0 and result["lost"] == 0, result


def test_a_bad_twilio_token_pauses_texts_and_a_good_one_resumes_them(stack, pg_url):
    from sqlmodel import Session

    from nurture.delivery import pauses
    from nurture.config import Settings
    from nurture.db import get_engine

    stack.simulator.auth_token = "the-right-token"
    ids = fleet.seed_due_messages(pg_url, EACH, now=now(), channel="sms", template="sms/what_is_short_sale")
    bad = [stack.workers(1, NURTURE_TWILIO_AUTH_TOKEN="a-wrong-token"),
           stack.scheduler(1, NURTURE_TWILIO_AUTH_TOKEN="a-wrong-token")]
    wrong = Settings(**{k.removeprefix("NURTURE_").lower(): v for k, v in stack.env.items()}
                     | {"twilio_auth_token": "a-wrong-token", "twilio_api_base": stack.simulator.url})

    def is_paused() -> bool:
        with Session(get_engine(pg_url)) as s:
            return "sms" in pauses.paused(s, wrong)

    assert fleet.wait_for(is_paused, timeout=30), stack.tail()
    time.sleep(2)  # the scheduler keeps the texts planned: nothing is claimed for a paused channel
    assert stack.simulator.received == []
    assert fleet.count_in(pg_url, "failed") == 0, "a refused credential fails no message"
    held = fleet.count_in(pg_url, "planned", "queued")
    assert held == len(ids), outcome(pg_url, ids, stack.simulator.received)
    stack.stop(*bad)
    stack.workers(2, NURTURE_TWILIO_AUTH_TOKEN="the-right-token")
    stack.scheduler(2, NURTURE_TWILIO_AUTH_TOKEN="the-right-token")
    result = run_until_done(stack, pg_url, ids)
    assert result["twice"] == 0 and result["lost"] == 0, result
