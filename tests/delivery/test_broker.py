"""The scheduler's hand-over to the workers through Redis: every claimed message reaches the queue
once, in order, encoded exactly as dramatiq itself encodes it (so any dramatiq worker decodes it),
and middleware that listens to enqueues still hears each one."""

from __future__ import annotations

import uuid

import dramatiq
import pytest
from dramatiq.middleware import Middleware

from nurture.delivery.broker import (
    QUEUE,
    SEND_ACTOR,
    _encode_chunk,
    _message_ids,
    enqueuer,
    make_broker,
)
from nurture.config import Settings


def _queued(broker) -> list[dramatiq.Message]:  # type: ignore[no-untyped-def]
    """The messages waiting in the send queue, in queue order, decoded by dramatiq."""
    key = f"{broker.namespace}:{QUEUE}"
    ids = [i.decode() for i in broker.client.lrange(key, 0, -1)]
    return [dramatiq.Message.decode(broker.client.hget(f"{key}.msgs", i)) for i in ids]


def test_each_message_is_encoded_byte_for_byte_as_dramatiq_encodes_it():
    claims = [(1, "sms"), (2, "email"), (2_147_483_647, "sms"), (10**12, "email")]
    ids = _message_ids(len(claims))
    broker = make_broker(Settings(database_url="sqlite://", redis_url=""))
    actor = enqueuer(broker).actor
    at = 1_796_000_000_123
    encoded = _encode_chunk(actor, claims, ids, at)
    assert list(encoded) == ids
    for (message_id, channel), key in zip(claims, ids, strict=True):
        # The oracle: dramatiq's own Message and encoder.
        expected = dramatiq.Message(queue_name=QUEUE, actor_name=SEND_ACTOR, args=(message_id, channel), kwargs={},
                                    options={"redis_message_id": key}, message_id=key, message_timestamp=at).encode()
        assert encoded[key] == expected


def test_message_ids_are_distinct_version_4_uuids():
    ids = _message_ids(20_000)
    assert len(set(ids)) == 20_000
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


@pytest.mark.redis
def test_a_tick_sized_batch_reaches_the_redis_queue_once_each_in_order(redis_url):
    broker = make_broker(Settings(database_url="sqlite://", redis_url=redis_url))
    try:
        claims = [(i, "sms" if i % 3 else "email") for i in range(1, 2_501)]  # three pipeline chunks
        enqueuer(broker)(claims)
        queued = _queued(broker)
        assert [m.args for m in queued] == [tuple(c) for c in claims]
        assert {m.actor_name for m in queued} == {SEND_ACTOR}
        assert all(m.options["redis_message_id"] == m.message_id for m in queued)
        assert len({m.message_id for m in queued}) == len(claims)
    finally:
        broker.close()


class _Listening(Middleware):
    def __init__(self) -> None:
        self.before: list[tuple] = []
        self.after: list[tuple] = []

    def before_enqueue(self, broker, message, delay):  # type: ignore[no-untyped-def]
        self.before.append(message.args)

    def after_enqueue(self, broker, message, delay):  # type: ignore[no-untyped-def]
        self.after.append(message.args)


@pytest.mark.redis
def test_middleware_that_listens_to_enqueues_hears_every_message(redis_url):
    broker = make_broker(Settings(database_url="sqlite://", redis_url=redis_url))
    listening = _Listening()
    broker.add_middleware(listening)
    try:
        claims = [(i, "email") for i in range(1, 1_201)]
        enqueuer(broker)(claims)
        assert listening.before == listening.after == [tuple(c) for c in claims]
        assert [m.args for m in _queued(broker)] == [tuple(c) for c in claims]
    finally:
        broker.close()
