"""Provider rate limits: no second carries more than the account allows, and nothing is dropped."""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from nurture.delivery.dispatch import RateLimiter


def _sends_per_second(limiters, n, limit):
    stamps = []

    def one(i):
        granted = limiters[i % len(limiters)].wait("twilio:AC1", "sms", deadline=20)
        assert granted is not None
        # The window the limiter granted (reading the clock afterwards would count a busy machine's delay).
        stamps.append(granted)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(n)))
    return Counter(stamps)


def test_an_in_process_limiter_spreads_a_burst_over_seconds():
    per_second = _sends_per_second([RateLimiter({"sms": 3, "email": 10}, None)], 10, 3)
    assert sum(per_second.values()) == 10  # none dropped
    assert max(per_second.values()) <= 3
    assert len(per_second) >= 4
    assert max(per_second) - min(per_second) <= 5  # and each window really is a second of the clock
    assert abs(max(per_second) - time.time()) < 10


@pytest.mark.redis
def test_two_processes_share_one_account_limit_through_redis(redis_url):
    # Two limiters stand for two worker processes: the window lives in Redis, not in either one.
    limiters = [RateLimiter({"sms": 3, "email": 10}, redis_url) for _ in range(2)]
    per_second = _sends_per_second(limiters, 10, 3)
    assert sum(per_second.values()) == 10
    assert max(per_second.values()) <= 3
