"""Frequency caps and the gap between two messages on one channel: one implementation, used by the
planner to place a message and by the send gate to check it again at the moment it leaves."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from nurture.law.statutes import LawRule

# Frequency caps count messages in any rolling window of this length.
CAP_WINDOW = timedelta(hours=24)
# Two messages on the same channel are never sent closer than this.
MIN_GAP = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Caps:
    """Messages allowed to one lead in any rolling 24 h, per channel and in total (before state law)."""

    sms: int = 2
    email: int = 2
    total: int = 4

    def channel_limit(self, channel: str) -> int:
        return self.sms if channel == "sms" else self.email


DEFAULT_CAPS = Caps()


@dataclass(frozen=True, slots=True)
class Limits:
    """The caps that hold for one lead: the product's, lowered by the law of any state it may be in
    on the day a message goes out (a cap that takes effect next year counts for messages planned
    after its date, whenever they are planned)."""

    caps: Caps = DEFAULT_CAPS
    # The states' caps that may apply (max_per_24h rules, with the days they are in force).
    law: tuple[LawRule, ...] = ()
    # The zones whose local day decides which of them are in force (in force in any: it applies).
    zones: tuple[ZoneInfo, ...] = (ZoneInfo("UTC"),)

    def total_on(self, days: tuple[date, ...]) -> tuple[int, str | None]:
        """The total in any 24 h and the law that sets it (None: the product's own) on `days`."""
        total, source = self.caps.total, None
        for rule in self.law:
            cap = rule.max_per_24h
            if cap is not None and cap < total and any(rule.in_force(day) for day in days):
                total, source = cap, f"{rule.where}: {rule.citation}"
        return total, source

    def total_at(self, at: datetime) -> tuple[int, str | None]:
        """The total at the moment `at` (the local day in each of the lead's zones)."""
        if not self.law:
            return self.caps.total, None
        return self.total_on(tuple(at.astimezone(tz).date() for tz in self.zones))

    def total_words(self, at: datetime) -> str:
        return total_words(*self.total_at(at))


def total_words(total: int, source: str | None) -> str:
    """The total cap in words, with the law that sets it when one does."""
    if source:
        return f"frequency cap: at most {total} messages in any 24 h ({source})"
    return f"frequency cap: at most {total} messages in any 24 h"


def _gap_words() -> str:
    minutes = int(MIN_GAP.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


class CapBook:
    """A lead's message times (past and planned), to check or place one more within the caps and gap.

    It looks both ways: a message placed between two planned ones must keep every 24 h window
    around it within the limits. At send time the book holds only what already went out, so the
    same question ("may one more go at `at`?") is the gate's check.
    """

    __slots__ = ("_by_channel", "_all", "_limits")

    def __init__(self, limits: Limits = Limits(), times: Iterable[tuple[str, datetime]] = ()) -> None:
        self._by_channel: dict[str, list[datetime]] = {"sms": [], "email": []}
        self._all: list[datetime] = []
        self._limits = limits
        for channel, at in times:
            self.add(channel, at)

    @property
    def limits(self) -> Limits:
        return self._limits

    def add(self, channel: str, at: datetime) -> None:
        insort(self._by_channel.setdefault(channel, []), at)
        insort(self._all, at)

    def conflict(self, channel: str, at: datetime) -> tuple[datetime, str] | None:
        """None if a message on `channel` at `at` fits; else a later time worth trying and the rule."""
        same = self._by_channel.get(channel)
        if same is None:
            same = self._by_channel[channel] = []
        found: tuple[datetime, str] | None = None
        i = bisect_left(same, at)
        if i < len(same) and same[i] - at < MIN_GAP:
            found = (same[i] + MIN_GAP, f"{channel} messages are kept {_gap_words()} apart")
        elif i and at - same[i - 1] < MIN_GAP:
            found = (same[i - 1] + MIN_GAP, f"{channel} messages are kept {_gap_words()} apart")
        limit = self._limits.caps.channel_limit(channel)
        total, source = self._limits.total_at(at)
        every = self._all
        # Fewer messages of any channel within 24 h either side than either limit: nothing can be too full.
        lo = bisect_right(every, at - CAP_WINDOW)
        if bisect_left(every, at + CAP_WINDOW, lo) - lo < min(limit, total):
            return found
        later = _rolling_conflict(same, at, limit)
        if later is not None and (found is None or later > found[0]):
            found = (later, f"frequency cap: at most {limit} {channel} messages in any 24 h")
        later = _rolling_conflict(every, at, total)
        if later is not None and (found is None or later > found[0]):
            found = (later, total_words(total, source))
        return found


def _rolling_conflict(times: Sequence[datetime], at: datetime, limit: int) -> datetime | None:
    """None if adding `at` to sorted `times` leaves <= `limit` in every CAP_WINDOW; else a later time to try.

    A window holds too many exactly when some limit+1 consecutive times span less than CAP_WINDOW.
    Any later time that fits is at least the first point of each crowded run plus CAP_WINDOW.
    """
    n = len(times)
    if n < limit:
        return None
    # Fewer than `limit` others within 24 h either side: no window around `at` can be too full.
    lo = bisect_right(times, at - CAP_WINDOW)
    if bisect_left(times, at + CAP_WINDOW, lo) - lo < limit:
        return None
    i = bisect_left(times, at, lo)
    retry: datetime | None = None
    for before in range(limit + 1):  # how many of the run's points come before `at`
        lo, hi = i - before, i + (limit - before)
        if lo < 0 or hi > n:
            continue
        first = times[lo] if before else at
        last = times[hi - 1] if hi > i else at
        if last - first < CAP_WINDOW:
            candidate = (times[lo] if before else times[i]) + CAP_WINDOW
            if retry is None or candidate > retry:
                retry = candidate
    return retry
