"""The one clock nurture reads: UTC, and movable by tests, previews and the demo."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time in UTC, or a frozen / offset time when a test or preview sets one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC) + self._offset

    def freeze(self, at: datetime) -> None:
        """Stop the clock at `at` (an aware datetime)."""
        if at.tzinfo is None:
            raise ValueError("the clock only takes aware datetimes")
        with self._lock:
            self._frozen = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward, frozen or not."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += delta
            else:
                self._offset += delta

    def reset(self) -> None:
        with self._lock:
            self._frozen = None
            self._offset = timedelta(0)


clock = Clock()


def now() -> datetime:
    """The current time in UTC (aware)."""
    return clock.now()
