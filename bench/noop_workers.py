"""A no-op dramatiq actor on the same Redis broker, for the delivery benchmark's baseline.

    dramatiq bench.noop_workers  (run from the project root)
"""

import os

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

URL = os.environ["NURTURE_REDIS_URL"]
broker = RedisBroker(url=URL)
dramatiq.set_broker(broker)
_counter = redis.Redis.from_url(URL)


@dramatiq.actor(actor_name="bench.noop", queue_name="bench")
def noop(n: int) -> None:
    """Does nothing but count, so the benchmark knows when all are done."""
    _counter.incr("bench:noop:done")
