"""One retry policy (nurture/delivery/retry.py): the send actor's redelivery options and the
dispatcher's waits and last attempt both come from it."""

from datetime import UTC, datetime, timedelta

import pytest
from dramatiq.brokers.stub import StubBroker

from delivery_helpers import add_lead, cancel_plan, message, queue_message
from nurture.clock import clock
from nurture.delivery import retry
from nurture.delivery.broker import send_actor
from nurture.delivery.dispatch import Dispatcher

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_the_send_actor_is_redelivered_as_the_policy_says(monkeypatch: pytest.MonkeyPatch) -> None:
    actor = send_actor(StubBroker())
    assert (actor.options["max_retries"], actor.options["min_backoff"], actor.options["max_backoff"]) == (
        1_000, 1_000, 3_600_000)

    monkeypatch.setattr(retry, "BROKER_MAX_RETRIES", 7)
    monkeypatch.setattr(retry, "BROKER_MAX_BACKOFF_MS", 60_000)
    actor = send_actor(StubBroker())
    assert (actor.options["max_retries"], actor.options["max_backoff"]) == (7, 60_000)


def test_a_failing_provider_is_retried_after_15s_doubling_and_given_up_after_8_attempts(sqlite_url, providers):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    providers.fail_next(8, status=500)
    mid = queue_message(lead_id, NOW)
    dispatcher = Dispatcher()

    waits = [dispatcher.send(mid).retry_in for _ in range(7)]
    last = dispatcher.send(mid)

    assert waits == [15, 30, 60, 120, 240, 480, 960]  # seconds: written from the policy's docstring
    assert (last.state, last.retry_in) == ("failed", None)
    assert "gave up after 8 attempts" in message(mid).error_reason


def test_the_dispatcher_reads_its_waits_and_last_attempt_from_the_policy(sqlite_url, providers, monkeypatch):
    monkeypatch.setattr(retry, "PROVIDER_ATTEMPTS", 3)
    monkeypatch.setattr(retry, "PROVIDER_FIRST_DELAY", timedelta(seconds=2))
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    providers.fail_next(3, status=500)
    mid = queue_message(lead_id, NOW)
    dispatcher = Dispatcher()

    outcomes = [dispatcher.send(mid) for _ in range(3)]

    assert [o.retry_in for o in outcomes] == [2, 4, None]
    assert outcomes[-1].state == "failed" and "gave up after 3 attempts" in message(mid).error_reason
