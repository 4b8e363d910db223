"""When a lead may be contacted: the legal window of every state it may be in, in every zone it may
be in, with Sunday and holiday bans and the blackouts ops declare.

Pure: built from the law, the lead's location and the blackouts; asked with a UTC moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_data

from nurture.rules.law import Hours, Law, LawRule

#: How far ahead next_open looks for an open minute before it gives up.
SEARCH_DAYS = 400
_DAY_TYPES = ("weekday",) * 5 + ("saturday", "sunday")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Blackout:
    """Days (inclusive) on which no lead in `state` is contacted: a declared emergency, say."""

    id: int
    state: str
    starts_on: date
    ends_on: date
    reason: str

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True)
class DayWindow:
    """The hours of one local day in one zone (None: closed all day) and the rule that set them."""

    hours: Hours | None
    why: str  # "FL 8:00-20:00 (Fla. Stat. § 501.059(8)(a))", "no texts on Sunday in AL (...)"


@lru_cache(maxsize=512)
def holidays_of(where: str, year: int) -> dict[date, str]:
    """The holidays a ban means, with observed days: `where` is a state code or "US" (national)."""
    if where == "US":
        found = holiday_data.country_holidays("US", years=year)
    else:
        found = holiday_data.country_holidays("US", subdiv=where, years=year)
    return dict(found.items())


def _holiday(rule: LawRule, day: date) -> str | None:
    if rule.holidays == "none":
        return None
    where = "US" if rule.holidays == "federal" else rule.where
    return holidays_of(where, day.year).get(day)


class ContactHours:
    """The minutes in which one lead may be contacted on a channel: open only where every rule of
    every state it may be in allows it, in each zone it may be in."""

    __slots__ = ("_law", "_states", "_zones", "_exempt", "_blackouts", "_days", "label")

    def __init__(self, law: Law, states: Sequence[str], zones: Sequence[str], *, exempt_consented: bool,
                 blackouts: Sequence[Blackout] = ()) -> None:
        self._law = law
        self._states = tuple(states)
        self._zones = tuple(ZoneInfo(z) for z in zones)
        if not self._zones:
            raise ValueError("contact hours need at least one zone")
        # Statute policy and a consented lead: rules that exempt consent do not apply.
        self._exempt = exempt_consented
        self._blackouts = tuple(b for b in blackouts if b.state in self._states)
        self._days: dict[tuple[int, date], DayWindow] = {}
        where = ", ".join(self._states) if self._states else "federal"
        self.label = f"legal hours ({where})"

    # -- one day ------------------------------------------------------------------------------------

    def day_window(self, zone_index: int, day: date) -> DayWindow:
        key = (zone_index, day)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = self._compute(day)
        return found

    def _rules(self, day: date) -> list[LawRule]:
        rules = [self._law.federal] if self._law.federal.in_force(day) else []
        for state in self._states:
            rules.extend(r for r in self._law.rules_of(state) if r.in_force(day))
        if self._exempt:
            rules = [r for r in rules if not r.exempt_with_consent]
        return rules

    def _compute(self, day: date) -> DayWindow:
        for blackout in self._blackouts:
            if blackout.covers(day):
                return DayWindow(None, f"blackout in {blackout.state} {blackout.starts_on}..{blackout.ends_on}: "
                                       f"{blackout.reason}")
        day_type = _DAY_TYPES[day.weekday()]
        limits: list[tuple[LawRule, Hours]] = []
        for rule in self._rules(day):
            holiday = _holiday(rule, day)
            if holiday:
                return DayWindow(None, f"no texts on {holiday} in {rule.where} ({rule.citation})")
            hours = rule.hours_on(day_type)
            if hours is None:
                return DayWindow(None, f"no texts on {_DAY_NAMES[day.weekday()]} in {rule.where} ({rule.citation})")
            if isinstance(hours, Hours):
                limits.append((rule, hours))
        if not limits:
            return DayWindow(Hours(time(0), time(23, 59, 59, 999999)), "no hours rule")
        start = max(h.start for _, h in limits)
        end = min(h.end for _, h in limits)
        # The rules that set either end of the window are the ones a person needs to read (a
        # state's rule rather than the federal one where both say the same).
        binding = "; ".join(dict.fromkeys(f"{_where(r)} {h} ({r.citation})" for r, h in
                                          _setting(limits, lambda h: h.start, start) + _setting(limits, lambda h: h.end, end)))
        if start >= end:
            return DayWindow(None, f"no hours left where every rule allows: {binding}")
        return DayWindow(Hours(start, end), binding)

    # -- a moment -----------------------------------------------------------------------------------

    def why_closed(self, at: datetime) -> str | None:
        """None when `at` is open in every zone; else which rule closes it, in words."""
        for i, tz in enumerate(self._zones):
            local = at.astimezone(tz)
            window = self.day_window(i, local.date())
            if window.hours is None:
                return f"{window.why} (it is {local:%a %Y-%m-%d} in {tz.key})"
            if not window.hours.start <= local.time() < window.hours.end:
                return f"quiet hours: {window.why}: it is {local:%a %H:%M} in {tz.key}"
        return None

    def allows(self, at: datetime) -> bool:
        for i, tz in enumerate(self._zones):
            local = at.astimezone(tz)
            window = self.day_window(i, local.date())
            if window.hours is None or not window.hours.start <= local.time() < window.hours.end:
                return False
        return True

    def next_open(self, at: datetime) -> datetime | None:
        """`at` if open, else the first open minute after it (UTC); None if none within SEARCH_DAYS."""
        t = at
        limit = at + timedelta(days=SEARCH_DAYS)
        while t <= limit:
            moved = False
            for i, tz in enumerate(self._zones):
                opened = self._open_in(i, tz, t)
                if opened is None:
                    return None
                if opened != t:
                    t, moved = opened, True
            if not moved:
                return t
        return None

    def _open_in(self, index: int, tz: ZoneInfo, t: datetime) -> datetime | None:
        local = t.astimezone(tz)
        day, clock = local.date(), local.time()
        window = self.day_window(index, day)
        if window.hours is not None:
            if clock < window.hours.start:
                return datetime.combine(day, window.hours.start, tzinfo=tz).astimezone(UTC)
            if clock < window.hours.end:
                return t
        for ahead in range(1, SEARCH_DAYS + 1):
            later = day + timedelta(days=ahead)
            window = self.day_window(index, later)
            if window.hours is not None:
                return datetime.combine(later, window.hours.start, tzinfo=tz).astimezone(UTC)
        return None

    def describe(self, day: date) -> str:
        """The hours on `day` in the lead's first zone, in words (previews, `leads show`)."""
        window = self.day_window(0, day)
        if window.hours is None:
            return f"closed: {window.why}"
        return f"{window.hours} {self._zones[0].key}: {window.why}"


def _setting(limits: list[tuple[LawRule, Hours]], end: object, value: time) -> list[tuple[LawRule, Hours]]:
    """The rules whose `end` of the window is `value`: the states' if any, else the federal one."""
    found = [(r, h) for r, h in limits if end(h) == value]  # type: ignore[operator]
    states = [(r, h) for r, h in found if r.where != "US"]
    return states or found


def _where(rule: LawRule) -> str:
    return "federal" if rule.where == "US" else rule.where
