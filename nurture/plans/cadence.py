"""The business's cadence rules, on top of the law's caps (nurture/law/): a plan that never nags.

- one theme, one channel, one day: the same theme (a template's name without its channel) is not
  sent twice within THEME_GAP, by text or by email (the welcomes, speed to lead, are exempt);
- no two texts or two emails within CHANNEL_GAP (the law's hour between messages still holds;
  the day-before reminder keeps only the law's hour, see CHANNEL_GAP_EXEMPT_DAYS);
- at most `max_per_week` messages in any 7 days, per tier (urgency.yaml); the welcomes and the
  sale-date messages count but are not held back: the story gives way to them;
- the countdown (sale-date steps) no more often than every COUNTDOWN_EVERY_DAYS days until the
  last COUNTDOWN_FINAL_DAYS days (the planner applies it when it picks the sale-date steps);
- business holidays (NURTURE_BUSINESS_HOLIDAYS) are blackout days for every planned message.

The planner asks `CadenceBook.conflict` after the law placed a message, and moves it until both agree.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache

from nurture.law.holidays import NAMED_HOLIDAYS

# The same theme is not sent again (on either channel) within this time.
THEME_GAP = timedelta(hours=48)
# Two texts, or two emails, are at least this far apart.
CHANNEL_GAP = timedelta(hours=4)
# A sale-date message this many days (or fewer) before the sale keeps only the law's gap: the
# day-before text must not be pushed onto the sale day by a story message a few hours earlier.
CHANNEL_GAP_EXEMPT_DAYS = 1
# The countdown goes at most once every this many days ...
COUNTDOWN_EVERY_DAYS = 3
# ... except in the last this many days before the sale, when it may go daily.
COUNTDOWN_FINAL_DAYS = 3
# The weekly cap counts messages in any window this long.
WEEK = timedelta(days=7)
DEFAULT_BUSINESS_HOLIDAYS = "thanksgiving,christmas,new_years_day"

_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


class BusinessHolidays:
    """The days the business sends no marketing message: named holidays, dates, and yearly dates."""

    __slots__ = ("_cache", "_ordinals", "_years", "dates", "named", "yearly")

    def __init__(self, named: tuple[str, ...] = (), dates: frozenset[date] = frozenset(),
                 yearly: frozenset[tuple[int, int]] = frozenset()) -> None:
        self.named = named
        self.dates = dates
        self.yearly = yearly
        self._cache: dict[int, dict[date, str]] = {}
        # The days (as ordinals) of the years looked at so far: a quick "not near a holiday".
        self._ordinals: set[int] = set()
        self._years: set[int] = set()

    @classmethod
    def parse(cls, spec: str) -> BusinessHolidays:
        """'thanksgiving,christmas,2027-07-05,12-31' -> the holidays; ValueError naming a wrong entry."""
        return _parse(spec or "")

    def name_of(self, day: date) -> str | None:
        """The holiday's name if `day` is a business holiday, else None."""
        return self._days(day.year).get(day)

    def near(self, day: date) -> bool:
        """False when no holiday is within a day of `day` (then no zone can put a moment of it on one)."""
        if day.year not in self._years:
            for year in (day.year - 1, day.year, day.year + 1):
                self._ordinals.update(d.toordinal() for d in self._days(year))
            self._years.add(day.year)
        o = day.toordinal()
        found = self._ordinals
        return o in found or o - 1 in found or o + 1 in found

    def _days(self, year: int) -> dict[date, str]:
        days = self._cache.get(year)
        if days is None:
            days = self._cache[year] = self._year(year)
        return days

    def _year(self, year: int) -> dict[date, str]:
        days: dict[date, str] = {}
        for key in self.named:
            label, find = NAMED_HOLIDAYS[key]
            found = find(year)
            if found is not None:
                days[found] = label
        for month, dom in self.yearly:
            try:
                days.setdefault(date(year, month, dom), f"business holiday {month:02d}-{dom:02d}")
            except ValueError:  # 02-29 outside leap years
                pass
        for day in self.dates:
            if day.year == year:
                days.setdefault(day, f"business holiday {day.isoformat()}")
        return days

    def __bool__(self) -> bool:
        return bool(self.named or self.dates or self.yearly)


@lru_cache(maxsize=32)
def _parse(spec: str) -> BusinessHolidays:
    named: list[str] = []
    dates: set[date] = set()
    yearly: set[tuple[int, int]] = set()
    for raw in spec.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry in NAMED_HOLIDAYS:
            named.append(entry)
            continue
        month_day = _MONTH_DAY.fullmatch(entry)
        try:
            if month_day:
                month, dom = int(month_day.group(1)), int(month_day.group(2))
                date(2024, month, dom)  # a leap year: 02-29 is a real yearly date
                yearly.add((month, dom))
            else:
                dates.add(date.fromisoformat(entry))
        except ValueError:
            raise ValueError(
                f"NURTURE_BUSINESS_HOLIDAYS: {raw.strip()!r} is not a holiday name (like thanksgiving,"
                f" christmas, new_years_day), a date (2027-07-05) or a yearly date (12-31)") from None
    return BusinessHolidays(tuple(named), frozenset(dates), frozenset(yearly))


class CadenceBook:
    """A lead's marketing messages (past, planned and reserved), to check one more against the cadence."""

    __slots__ = (
        "_channel",
        "_counted",
        "_holidays",
        "_reserved_channel",
        "_reserved_theme",
        "_theme",
        "_tz",
        "_weekly",
    )

    def __init__(self, weekly: Callable[[datetime], tuple[int | None, str]], holidays: BusinessHolidays,
                 tz: tzinfo) -> None:
        self._channel: dict[str, list[datetime]] = {}
        self._theme: dict[str, list[datetime]] = {}
        # Sale-date messages not placed yet: the story keeps out of their way.
        self._reserved_channel: dict[str, list[datetime]] = {}
        self._reserved_theme: dict[str, list[datetime]] = {}
        # Every message, placed or reserved, for the weekly cap.
        self._counted: list[datetime] = []
        self._weekly = weekly
        self._holidays = holidays
        self._tz = tz

    def add(self, channel: str, theme: str, at: datetime) -> None:
        insort(self._channel.setdefault(channel, []), at)
        insort(self._theme.setdefault(theme, []), at)
        insort(self._counted, at)

    def reserve(self, channel: str, theme: str, at: datetime) -> None:
        insort(self._reserved_channel.setdefault(channel, []), at)
        insort(self._reserved_theme.setdefault(theme, []), at)
        insort(self._counted, at)

    def unreserve(self, channel: str, theme: str, at: datetime) -> None:
        times = self._reserved_channel.get(channel)
        if times and at in times:
            times.remove(at)
            self._reserved_theme[theme].remove(at)
            self._counted.remove(at)

    def holiday(self, at: datetime) -> str | None:
        """The business holiday `at` falls on (in the lead's zone), or None."""
        holidays = self._holidays
        if not holidays or not holidays.near(at.date()):
            return None
        return holidays.name_of(at.astimezone(self._tz).date())

    def conflict(self, channel: str, theme: str, at: datetime, *, welcome: bool, deadline: bool,
                 days_to_sale: int | None) -> tuple[datetime, str] | None:
        """None if a message at `at` keeps the cadence; else a later time worth trying and the rule."""
        holidays = self._holidays
        if holidays and holidays.near(at.date()):
            local = at.astimezone(self._tz)
            name = holidays.name_of(local.date())
            if name is not None:
                # The same local time the next day (aware arithmetic in one zone keeps the wall clock).
                return (local + timedelta(days=1)).astimezone(UTC), f"{name} is a business holiday (NURTURE_BUSINESS_HOLIDAYS)"
        if welcome:
            return None
        if not deadline:
            later = _near(self._channel.get(channel), at, CHANNEL_GAP)
            reserved = _near(self._reserved_channel.get(channel), at, CHANNEL_GAP)
            if reserved is not None and (later is None or reserved > later):
                later = reserved
            if later is not None:
                return later, _CHANNEL_REASON[channel]
            later = _near(self._theme.get(theme), at, THEME_GAP)
            reserved = _near(self._reserved_theme.get(theme), at, THEME_GAP)
            if reserved is not None and (later is None or reserved > later):
                later = reserved
            if later is not None:
                return later, f"cadence: the same theme ({theme}) at most once in {_hours(THEME_GAP)}"
            limit, tier = self._weekly(at)
            if limit is not None:
                later = _crowded(self._counted, at, limit, WEEK)
                if later is not None:
                    return later, f"cadence: at most {limit} messages in any 7 days (tier {tier})"
        elif days_to_sale is None or days_to_sale > CHANNEL_GAP_EXEMPT_DAYS:
            later = _near(self._channel.get(channel), at, CHANNEL_GAP)
            if later is not None:
                return later, _CHANNEL_REASON[channel]
        return None


def _near(times: list[datetime] | None, at: datetime, gap: timedelta) -> datetime | None:
    """The latest `t + gap` over the times within `gap` of `at` (either side), or None."""
    if not times:
        return None
    lo = bisect_right(times, at - gap)
    hi = bisect_left(times, at + gap, lo)
    return times[hi - 1] + gap if hi > lo else None


def _crowded(times: list[datetime], at: datetime, limit: int, window: timedelta) -> datetime | None:
    """None if adding `at` to sorted `times` leaves <= `limit` in every `window`; else a later time to try."""
    lo = bisect_right(times, at - window)
    hi = bisect_left(times, at + window, lo)
    if hi - lo < limit:
        return None
    near = times[lo:hi]
    k = bisect_right(near, at)
    near.insert(k, at)
    found: datetime | None = None
    for start in range(max(0, k - limit), min(k, len(near) - limit - 1) + 1):
        if near[start + limit] - near[start] < window:
            later = near[start] + window if start != k else near[start + limit]
            found = _latest(found, later)
    return found


def _plural(channel: str) -> str:
    return "texts" if channel == "sms" else "emails"


def _hours(gap: timedelta) -> str:
    return f"{int(gap.total_seconds() // 3600)} h"


_CHANNEL_REASON = {c: f"cadence: no two {_plural(c)} within {_hours(CHANNEL_GAP)}" for c in ("sms", "email")}


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)

