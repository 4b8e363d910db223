"""The dramatiq broker: Redis when NURTURE_REDIS_URL is set, otherwise an in-process one.

The broker is only transport (DESIGN.md section 2): the database says what must be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import dramatiq
from dramatiq.brokers.stub import StubBroker

from nurture.config import Settings, get_settings

log = logging.getLogger("nurture.broker")

#: The queue and actor the scheduler enqueues to and `dramatiq workers` consumes.
QUEUE = "messages"
SEND_ACTOR = "messages.send"


def make_broker(settings: Settings | None = None) -> dramatiq.Broker:
    settings = settings or get_settings()
    if settings.redis_url:
        from dramatiq.brokers.redis import RedisBroker

        broker: dramatiq.Broker = RedisBroker(url=settings.redis_url)
    else:
        broker = StubBroker()
        broker.emit_after("process_boot")
    return broker


def send_actor(broker: dramatiq.Broker) -> dramatiq.Actor:
    """Declare `messages.send` on `broker` (once) and return it."""
    try:
        return broker.get_actor(SEND_ACTOR)
    except dramatiq.errors.ActorNotFound:
        pass
    from nurture.tasks import send_message

    return dramatiq.actor(send_message, actor_name=SEND_ACTOR, queue_name=QUEUE, broker=broker,
                          max_retries=1_000, min_backoff=1_000, max_backoff=3_600_000, time_limit=120_000)


def enqueuer(broker: dramatiq.Broker):  # type: ignore[no-untyped-def]
    """A function that enqueues message ids for the send actor on `broker`."""
    actor = send_actor(broker)

    def enqueue(ids: Sequence[int]) -> None:
        for message_id in ids:
            actor.send(message_id)

    return enqueue
