"""The dramatiq actor bodies: thin shells around plain functions that tests call directly."""

from __future__ import annotations

import threading

import dramatiq

from nurture.delivery.dispatch import Dispatcher
from nurture import db

_dispatcher: Dispatcher | None = None
_lock = threading.Lock()


def dispatcher() -> Dispatcher:
    """The process's dispatcher (built on first use, after a fork)."""
    global _dispatcher
    with _lock:
        if _dispatcher is None:
            _dispatcher = Dispatcher()
        return _dispatcher


def worker_process() -> None:
    """Set up a `dramatiq workers` process: no ping before each database checkout (the dispatcher
    retries once on a dropped connection instead: a round trip saved on every send)."""

    db.pre_ping = False


def reset_dispatcher() -> None:
    global _dispatcher
    with _lock:
        _dispatcher = None


def send_message(message_id: int, channel: str | None = None) -> None:
    """messages.send: send one message; a transient failure comes back through dramatiq's Retry.

    `channel` rides along so the provider's rate limit is taken before any query (messages
    enqueued by an older scheduler have none: it is looked up)."""
    outcome = dispatcher().send(message_id, channel)
    if outcome.retry_in is not None:
        raise dramatiq.Retry(outcome.reason, delay=int(outcome.retry_in * 1000))
