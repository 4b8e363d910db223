"""The dramatiq actor bodies: thin shells around plain functions that tests call directly."""

from __future__ import annotations

import threading

import dramatiq

from nurture.dispatch import Dispatcher

_dispatcher: Dispatcher | None = None
_lock = threading.Lock()


def dispatcher() -> Dispatcher:
    """The process's dispatcher (built on first use, after a fork)."""
    global _dispatcher
    with _lock:
        if _dispatcher is None:
            _dispatcher = Dispatcher()
        return _dispatcher


def reset_dispatcher() -> None:
    global _dispatcher
    with _lock:
        _dispatcher = None


def send_message(message_id: int) -> None:
    """messages.send: send one message; a transient failure comes back through dramatiq's Retry."""
    outcome = dispatcher().send(message_id)
    if outcome.retry_in is not None:
        raise dramatiq.Retry(outcome.reason, delay=int(outcome.retry_in * 1000))
