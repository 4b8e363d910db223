"""Rules of when a lead may be contacted: quiet hours by state, frequency caps (SMS keywords: nurture.replies).

Everything here is pure: facts and a time in, a decision and its reason out. The planner uses
these to place messages, and the send-time gate uses them again just before a message goes out.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# The keyword sets live in nurture.replies; imported here for the callers that still look for them here.
from nurture.replies import HELP_KEYWORDS, OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS, ReplyKind, classify_sms  # noqa: F401
from nurture.urgency import zone

# Frequency caps count messages in any rolling window of this length.
CAP_WINDOW = timedelta(hours=24)
# Two messages on the same channel are never planned closer than this.
MIN_GAP = timedelta(hours=1)


def keyword_kind(body: str | None) -> str | None:
    """Deprecated, use nurture.replies.classify_sms: 'opt_out', 'opt_in', 'help' or None (any other reply).

    An opt-out in the lead's own words ("please stop texting me") is 'opt_out' too: the FCC's
    revocation rule does not wait for callers to switch over.
    """
    kind = classify_sms(body).kind
    if kind in (ReplyKind.opt_out, ReplyKind.opt_in, ReplyKind.help):
        return kind.value
    return None


@dataclass(frozen=True, slots=True)
class Decision:
    """A rule's answer: may we send, why (or why not), and when we next may."""

    ok: bool
    reason: str
    next_allowed: datetime | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """Local hours [start, end) in which messages may go out."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{_hm(self.start)}-{_hm(self.end)}"


def _hm(t: time) -> str:
    return f"{t.hour}:{t.minute:02d}"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """When a state lets us send, Monday to Sunday (None: not on that day)."""

    where: str  # "FL", or "federal" for a state without stricter rules
    days: tuple[Window | None, ...]
    label: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        prefix = "federal" if self.where == "federal" else f"in {self.where}"
        object.__setattr__(self, "label", f"quiet hours {prefix} ({self.describe()})")

    @classmethod
    def daily(cls, where: str, start: int, end: int, *, sunday: tuple[int, int] | None | bool = True) -> QuietHours:
        week = Window(time(start), time(end))
        if sunday is True:
            sun: Window | None = week
        elif sunday is None or sunday is False:
            sun = None
        else:
            sun = Window(time(sunday[0]), time(sunday[1]))
        return cls(where, (week,) * 6 + (sun,))

    def describe(self) -> str:
        if len(set(self.days)) == 1:
            return f"{self.days[0]}"
        weekday, sunday = self.days[0], self.days[6]
        return f"{weekday} Mon-Sat, " + (f"{sunday} Sun" if sunday else "no Sunday sends")

    def allows(self, local: datetime) -> bool:
        window = self.days[local.weekday()]
        return window is not None and window.start <= local.time() < window.end

    def next_open(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """`moment` if messages may go out then, else the first allowed minute after it (UTC)."""
        return self.next_open_local(moment, tz)[0]

    def next_open_local(self, moment: datetime, tz: ZoneInfo) -> tuple[datetime, date]:
        """Like next_open, and the local date of the answer (the planner needs both)."""
        local = moment.astimezone(tz)
        day, now_local, weekday = local.date(), local.time(), local.weekday()
        window = self.days[weekday]
        if window is not None:
            if now_local < window.start:
                return _at(day, window.start, tz), day
            if now_local < window.end:
                return moment, day
        for ahead in range(1, 8):
            window = self.days[(weekday + ahead) % 7]
            if window is not None:
                later = day + timedelta(days=ahead)
                return _at(later, window.start, tz), later
        raise ValueError(f"{self.where} allows no sending day at all")


def _at(day: Any, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


FEDERAL = QuietHours.daily("federal", 8, 21)  # TCPA: 8 a.m. to 9 p.m. at the called party's location

# Stricter state telemarketing rules, kept as data so a new law is a one-line change.
QUIET_HOURS: dict[str, QuietHours] = {
    "FL": QuietHours.daily("FL", 8, 20),  # Florida Telephone Solicitation Act
    "OK": QuietHours.daily("OK", 8, 20),  # Oklahoma Telephone Solicitation Act
    "MD": QuietHours.daily("MD", 8, 20),  # Maryland Stop the Spam Calls Act
    "WA": QuietHours.daily("WA", 8, 20),
    "AL": QuietHours.daily("AL", 8, 20, sunday=None),
    "LA": QuietHours.daily("LA", 8, 20, sunday=None),
    "MS": QuietHours.daily("MS", 8, 20, sunday=None),
    "TX": QuietHours.daily("TX", 9, 21, sunday=(12, 21)),
}

# States that allow at most this many messages to a person in any rolling 24 hours.
STATE_TOTAL_CAPS: dict[str, int] = {"FL": 3, "OK": 3, "MD": 3}


@dataclass(frozen=True, slots=True)
class Caps:
    """Messages allowed in any rolling 24 h, per channel and in total."""

    sms: int = 2
    email: int = 2
    total: int = 4

    def channel_limit(self, channel: str) -> int:
        return self.sms if channel == "sms" else self.email

    def total_limit(self, state: str | None) -> int:
        return min(self.total, STATE_TOTAL_CAPS.get((state or "").upper(), self.total))


DEFAULT_CAPS = Caps()


def quiet_hours_for(state: str | None) -> QuietHours:
    return QUIET_HOURS.get((state or "").upper(), FEDERAL)


def quiet_hours_apply(channel: str, email_quiet_hours: bool = True) -> bool:
    """SMS always keeps quiet hours; email does unless the setting turns it off."""
    return channel == "sms" or email_quiet_hours


def allowed_now(now_utc: datetime, tz: str | ZoneInfo, state: str | None, channel: str, settings: Any = None) -> Decision:
    """May a message on `channel` go out at `now_utc` to a lead in `state`, living in `tz`?"""
    if settings is None:
        from nurture.config import get_settings

        settings = get_settings()
    if not quiet_hours_apply(channel, getattr(settings, "email_quiet_hours", True)):
        return Decision(True, "email is not held to quiet hours (NURTURE_EMAIL_QUIET_HOURS=false)")
    zone_info = tz if isinstance(tz, ZoneInfo) else zone(tz)
    rules = quiet_hours_for(state)
    local = now_utc.astimezone(zone_info)
    if rules.allows(local):
        return Decision(True, f"within {rules.label}")
    nxt = rules.next_open(now_utc, zone_info)
    when = local.strftime("%a %H:%M")
    return Decision(False, f"{rules.label}: it is {when} {zone_info.key}", nxt)


def cap_check(
    now_utc: datetime,
    channel: str,
    state: str | None,
    recent_sent: Iterable[tuple[str, datetime]],
    *,
    caps: Caps = DEFAULT_CAPS,
) -> Decision:
    """May one more message on `channel` go out now, given what was sent in the last 24 h?"""
    since = now_utc - CAP_WINDOW
    same: list[datetime] = []
    every: list[datetime] = []
    for ch, at in recent_sent:
        if since < at <= now_utc:
            every.append(at)
            if ch == channel:
                same.append(at)
    verdicts = []
    for times, limit, what in (
        (same, caps.channel_limit(channel), f"at most {caps.channel_limit(channel)} {channel} messages in any 24 h"),
        (every, caps.total_limit(state), _total_words(caps, state)),
    ):
        if len(times) >= limit:
            times.sort()
            verdicts.append((times[len(times) - limit] + CAP_WINDOW, what))
    if not verdicts:
        return Decision(True, "within frequency caps")
    nxt, what = max(verdicts)
    return Decision(False, f"frequency cap: {what}", nxt)


def _total_words(caps: Caps, state: str | None) -> str:
    limit = caps.total_limit(state)
    if limit < caps.total:
        return f"at most {limit} messages in any 24 h in {(state or '').upper()}"
    return f"at most {limit} messages in any 24 h"


class CapBook:
    """Message times of one lead (past and planned), to place new ones within the caps.

    Unlike `cap_check`, which looks back from a send, this looks both ways: a message placed
    between two planned ones must keep every 24 h window around it within the limits.
    """

    __slots__ = ("_by_channel", "_all", "_caps", "_state", "_total")

    def __init__(self, state: str | None, caps: Caps = DEFAULT_CAPS) -> None:
        self._by_channel: dict[str, list[datetime]] = {"sms": [], "email": []}
        self._all: list[datetime] = []
        self._caps = caps
        self._state = state
        self._total = caps.total_limit(state)

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
        limit = self._caps.channel_limit(channel)
        every = self._all
        # Fewer messages of any channel within 24 h either side than either limit: nothing can be too full.
        lo = bisect_right(every, at - CAP_WINDOW)
        if bisect_left(every, at + CAP_WINDOW, lo) - lo < min(limit, self._total):
            return found
        later = _rolling_conflict(same, at, limit)
        if later is not None and (found is None or later > found[0]):
            found = (later, f"at most {limit} {channel} messages in any 24 h")
        later = _rolling_conflict(every, at, self._total)
        if later is not None and (found is None or later > found[0]):
            found = (later, _total_words(self._caps, self._state))
        return found


def _gap_words() -> str:
    minutes = int(MIN_GAP.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


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


def caps_respected(times: Sequence[datetime], limit: int) -> bool:
    """True if no rolling 24 h window of the sorted `times` holds more than `limit` of them."""
    return all(times[j + limit] - times[j] >= CAP_WINDOW for j in range(len(times) - limit))
