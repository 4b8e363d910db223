"""The one retry policy for sending a message: what is retried, how often, for how long, and then what.

Two questions, each answered once here:

1. **The provider said "not now"** (a 5xx, a 429, a dropped connection that certainly did not
   reach it; a ChannelError that is neither permanent, nor auth, nor maybe-sent). The dispatcher
   counts these on the message row (`Message.attempts`) and waits `provider_backoff()` before the
   next one: the provider's Retry-After when it gave one, else 15 s doubling up to an hour
   (15 s, 30 s, 1 min, 2 min, 4 min, 8 min, 16 min: about half an hour over the eight attempts).
   After the `PROVIDER_ATTEMPTS`-th the message is failed for good with "gave up after N attempts".
   Waits that are not provider failures (the account's rate limit, an unreachable Redis) are not
   attempts: they hand the message back without counting.

2. **The broker redelivers** `messages.send`. The dispatcher asks for every wait above through
   dramatiq's Retry(delay=...), so the broker needs room for many of them (rate-limit waits are
   not counted on the row and may be many): `BROKER_MAX_RETRIES` is a ceiling against a loop, not
   a policy. An exception that escapes the actor (a database outage) is retried by dramatiq's own
   backoff, `BROKER_MIN_BACKOFF_MS` doubling up to `BROKER_MAX_BACKOFF_MS`. When the broker gives
   up, nothing is lost: the database still holds the message as queued, and the scheduler hands
   it over again when its lease runs out.
"""

from __future__ import annotations

from datetime import timedelta

#: Transient provider failures a message may have; the last one fails it for good.
PROVIDER_ATTEMPTS = 8
#: Wait after the first transient failure; it doubles with each attempt up to PROVIDER_MAX_DELAY.
PROVIDER_FIRST_DELAY = timedelta(seconds=15)
#: The longest wait between two attempts when the provider did not say.
PROVIDER_MAX_DELAY = timedelta(hours=1)
#: The shortest wait, even when the provider's Retry-After says 0.
PROVIDER_MIN_DELAY = 1.0
#: Seconds before a message whose rate limiter (Redis) was unreachable is tried again (not an attempt).
RATE_LIMITER_DOWN_DELAY = 5.0
#: Seconds before a message held back by the provider account's rate limit is tried again (not an attempt).
RATE_LIMITED_DELAY = 1.0

#: Redeliveries of one broker message before dramatiq drops it (the database still has the row).
BROKER_MAX_RETRIES = 1_000
#: dramatiq's backoff for an exception escaping the actor: from 1 s, doubling, up to an hour.
BROKER_MIN_BACKOFF_MS = 1_000
BROKER_MAX_BACKOFF_MS = 3_600_000


def provider_backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds to wait before attempt `attempts + 1`: the provider's word, else doubling from 15 s."""
    if retry_after is not None:
        return max(PROVIDER_MIN_DELAY, retry_after)
    delay = PROVIDER_FIRST_DELAY * (2 ** max(0, attempts - 1))
    return min(delay, PROVIDER_MAX_DELAY).total_seconds()


def gives_up(attempts: int) -> bool:
    """Whether a message that failed transiently `attempts` times is failed for good."""
    return attempts >= PROVIDER_ATTEMPTS
