"""The dramatiq broker: Redis when NURTURE_REDIS_URL is set, otherwise an in-process one.

The broker is only transport (docs/architecture.md): the database says what must be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import dramatiq
from dramatiq.brokers.stub import StubBroker

from nurture.config import Settings, get_settings
from nurture.delivery import retry
from nurture.delivery.tasks import send_message

log = logging.getLogger("nurture.delivery.broker")

#: The queue and actor the scheduler enqueues to and `dramatiq workers` consumes.
QUEUE = "messages"
SEND_ACTOR = "messages.send"


def make_broker(settings: Settings | None = None) -> dramatiq.Broker:
    """Redis or RabbitMQ by NURTURE_BROKER_URL (or NURTURE_REDIS_URL); the in-process broker without."""
    settings = settings or get_settings()
    url = settings.broker
    if url and url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    if url:
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    return StubBroker()


def send_actor(broker: dramatiq.Broker) -> dramatiq.Actor:
    """Declare `messages.send` on `broker` (once) and return it."""
    try:
        return broker.get_actor(SEND_ACTOR)
    except dramatiq.errors.ActorNotFound:
        pass

    return dramatiq.actor(send_message, actor_name=SEND_ACTOR, queue_name=QUEUE, broker=broker,
                          max_retries=retry.BROKER_MAX_RETRIES, min_backoff=retry.BROKER_MIN_BACKOFF_MS,
                          max_backoff=retry.BROKER_MAX_BACKOFF_MS, time_limit=120_000)


class Enqueuer:
    """Hands message ids to the send actor on a broker, and says what the broker holds.

    `epoch()` changes when the broker restarted (a Redis without persistence comes back empty:
    every queued message must be handed over again at once); `held()` is how many send messages
    wait in the broker, not yet taken by a worker, so the scheduler can tell a backlog from lost
    messages. (Messages a worker took are not counted: a worker that died holds them until
    dramatiq notices, so their rows count as lost and are handed over again; a second copy is
    harmless, the claim lets one through.) Both are None when the broker cannot say.
    """

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker
        self.actor = send_actor(broker)
        from dramatiq.brokers.redis import RedisBroker

        self._redis = broker if isinstance(broker, RedisBroker) else None
        self._rabbit = broker if type(broker).__name__ == "RabbitmqBroker" else None

    def __call__(self, claims: Sequence[tuple[int, str]]) -> None:
        """Hand over claimed messages, each (id, channel)."""
        if self._redis is not None:
            _enqueue_pipelined(self._redis, self.actor, claims)
            return
        for message_id, channel in claims:
            self.actor.send(message_id, channel)

    def epoch(self) -> str | None:
        if self._rabbit is not None:
            return None  # durable queues, persistent messages: a restart loses nothing
        if self._redis is None:
            return "embedded"
        return str(self._redis.client.info("server").get("run_id"))

    def held(self) -> int | None:
        if self._rabbit is not None:
            waiting, delayed, _dead = self._rabbit.get_queue_message_counts(QUEUE)
            return waiting + delayed
        if self._redis is None:
            queues = getattr(self.broker, "queues", {})
            return sum(queues[q].qsize() for q in (QUEUE, f"{QUEUE}.DQ") if q in queues)
        client, ns = self._redis.client, self._redis.namespace
        pipe = client.pipeline(transaction=False)
        for q in (QUEUE, f"{QUEUE}.DQ"):
            pipe.llen(f"{ns}:{q}")  # dramatiq's list of message ids waiting in that queue
        return sum(int(n) for n in pipe.execute())


def enqueuer(broker: dramatiq.Broker) -> Enqueuer:
    """The enqueuer of message ids for the send actor on `broker`."""
    return Enqueuer(broker)


#: Messages per Redis pipeline when the scheduler hands a batch to the workers.
PIPELINE_CHUNK = 1_000


def _enqueue_pipelined(broker, actor: dramatiq.Actor, claims: Sequence[tuple[int, str]]) -> None:
    """RedisBroker.enqueue for many messages: two commands per chunk instead of a round trip each.

    RedisBroker.enqueue runs its `dispatch` script once per message, waiting for Redis each time
    (3 s for a 10,000-message tick). Its "enqueue" command is an HSET of the message into the
    queue's `.msgs` hash and an RPUSH of its id onto the queue's list; this does the same for a
    whole chunk in one HSET and one RPUSH, with each message encoded as the worker will decode it.
    It leans on RedisBroker's key layout (namespace, queue names), so the multi-process tests and
    the benchmark run through it.

    With dramatiq's JSON encoder and no middleware listening to enqueues (the default stack), each
    message is written by `_encode_chunk`, byte for byte what `Message.encode` gives, at a tenth of
    its cost (0.45 s of a 10,000-message tick went to building and encoding Message objects);
    otherwise every message goes through dramatiq's Message and the middleware's enqueue hooks.
    """
    from dramatiq.common import current_millis

    queue = f"{broker.namespace}:{actor.queue_name}"
    fast = _plain_enqueue(broker)
    for start in range(0, len(claims), PIPELINE_CHUNK):
        chunk = claims[start:start + PIPELINE_CHUNK]
        at = current_millis()
        sent = []
        if fast:
            ids = _message_ids(len(chunk))
            messages = _encode_chunk(actor, chunk, ids, at)
        else:
            messages, ids = {}, []
            for message_id, channel in chunk:
                key = dramatiq.message.generate_unique_id()
                message = dramatiq.Message(queue_name=actor.queue_name, actor_name=actor.actor_name,
                                           args=(message_id, channel), kwargs={},
                                           options={"redis_message_id": key}, message_id=key, message_timestamp=at)
                broker.emit_before("enqueue", message, None)
                messages[key] = message.encode()
                ids.append(key)
                sent.append(message)
        pipe = broker.client.pipeline(transaction=True)  # both or neither: no id without its message
        pipe.hset(f"{queue}.msgs", mapping=messages)
        pipe.rpush(queue, *ids)
        pipe.execute()
        for message in sent:
            broker.emit_after("enqueue", message, None)


def _plain_enqueue(broker) -> bool:
    """True when encoding is dramatiq's JSON and no middleware of `broker` listens to enqueues."""
    from dramatiq.encoder import JSONEncoder
    from dramatiq.middleware import Middleware

    if type(dramatiq.get_encoder()) is not JSONEncoder:
        return False
    return all(type(m).before_enqueue is Middleware.before_enqueue
               and type(m).after_enqueue is Middleware.after_enqueue for m in broker.middleware)


def _message_ids(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as dramatiq writes message ids, from one read of os.urandom."""
    import os

    raw = os.urandom(16 * count).hex()
    ids = []
    for i in range(0, 32 * count, 32):
        h = raw[i:i + 32]
        # Version 4 in the 13th digit, variant 10xx in the 17th (RFC 4122, section 4.4).
        ids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return ids


_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def _encode_chunk(actor: dramatiq.Actor, chunk: Sequence[tuple[int, str]], ids: list[str], at: int) -> dict[str, bytes]:
    """{message id: encoded message} for each (message id, channel): the bytes dramatiq's JSONEncoder
    gives for Message(queue, actor, (id, channel), {}, {"redis_message_id": key}, key, at)."""
    import json

    head = f'{{"queue_name":{json.dumps(actor.queue_name)},"actor_name":{json.dumps(actor.actor_name)},"args":['
    channels: dict[str, str] = {}
    out = {}
    for (message_id, channel), key in zip(chunk, ids, strict=True):
        quoted = channels.get(channel)
        if quoted is None:
            quoted = channels[channel] = json.dumps(channel)
        out[key] = (f'{head}{int(message_id)},{quoted}],"kwargs":{{}},"options":{{"redis_message_id":"{key}"}},'
                    f'"message_id":"{key}","message_timestamp":{at}}}').encode()
    return out
