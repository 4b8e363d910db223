"""When a lead may be contacted: the legal window of every state it may be in, in every zone it may
be in, with Sunday and holiday bans and the blackouts ops declare.

Pure: built from the law, the lead's location and the blackouts; asked with a UTC moment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_data

from nurture.law.holidays import named_days
from nurture.law.statutes import Hours, Law, LawRule

#: How far ahead next_open looks for an open minute before it gives up.
SEARCH_DAYS = 400
#: Day windows kept across leads: the same few (states, day) pairs recur for every lead of a list.
#: Entries of each of the three caches below (measured after planning 20,000 varied leads: about
#: 370, 400 and 310 bytes an entry, so at most 33 MB in all; at 200,000 each they would hold 216 MB,
#: and issue 22 saw a worker at 468 MiB). Planning 10,000 leads each at its own moment over two years is about 13%
#: slower than with 200,000; an import plans its batch at one moment and needs a few hundred.
_DAY_CACHE_MAX = 30_000
_day_cache: dict[tuple[object, ...], "DayWindow"] = {}
# Open spans of a UTC day, per (law, states, policy, blackouts, zones): what next_open reads.
_span_cache: dict[tuple[object, ...], tuple[tuple[datetime, datetime], ...]] = {}
_ONE_DAY = timedelta(days=1)
# A local day's open hours as UTC instants, per (law, states, policy, blackouts, zone, day).
_local_cache: dict[tuple[object, ...], tuple[datetime, datetime] | None] = {}
_SEARCH = timedelta(days=SEARCH_DAYS)
_DAY_TYPES = ("weekday",) * 5 + ("saturday", "sunday")
_NO_SHIFT = timedelta(0)
_NOON = time(12)
_END_OF_DAY = time(23, 59, 59, 999999)
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
    if isinstance(rule.holidays, tuple):  # the holidays the statute itself lists
        return named_days(rule.holidays, day.year, rule.holidays_observed).get(day)
    where = "US" if rule.holidays == "federal" else rule.where
    return holidays_of(where, day.year).get(day)


class ContactHours:
    """The minutes in which one lead may be contacted on a channel: open only where every rule of
    every state it may be in allows it, in each zone it may be in."""

    __slots__ = ("_law", "_states", "_zones", "_zone_names", "_exempt", "_blackouts", "_days", "_spans", "_key",
                 "_standard", "label")

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
        self._zone_names = tuple(zones)
        self._days: dict[tuple[date, timedelta], DayWindow] = {}
        # A rule read on standard time (clock: standard) makes a day's window depend on the zone's
        # daylight saving that day; without one, every zone shares the day's window.
        self._standard = any(r.clock == "standard" for r in
                             (law.federal, *(r for st in self._states for r in law.rules_of(st))))
        self._spans: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        # A day's window depends on the law, the states, the policy and the blackouts, not the zone.
        self._key = (law, self._states, exempt_consented, self._blackouts)
        where = ", ".join(self._states) if self._states else "federal"
        self.label = f"legal hours ({where})"

    # -- one day ------------------------------------------------------------------------------------

    def day_window(self, zone_index: int, day: date) -> DayWindow:
        """The hours of the local `day` in the zone (the same in every zone but for a rule read on
        standard time, which opens an hour later on the local clock while daylight saving is on)."""
        shift = _NO_SHIFT
        if self._standard:
            shift = datetime.combine(day, _NOON, tzinfo=self._zones[zone_index]).dst() or _NO_SHIFT
        found = self._days.get((day, shift))
        if found is None:
            key = (*self._key, day, shift)
            found = _day_cache.get(key)
            if found is None:
                if len(_day_cache) >= _DAY_CACHE_MAX:
                    _day_cache.clear()
                found = _day_cache[key] = self._compute(day, shift)
            self._days[(day, shift)] = found
        return found

    def _rules(self, day: date) -> list[LawRule]:
        rules = [self._law.federal] if self._law.federal.in_force(day) else []
        for state in self._states:
            rules.extend(r for r in self._law.rules_of(state) if r.in_force(day))
        if self._exempt:
            rules = [r for r in rules if not r.lifted_for_consent()]
        return rules

    def _compute(self, day: date, shift: timedelta) -> DayWindow:
        for blackout in self._blackouts:
            if blackout.covers(day):
                return DayWindow(None, f"blackout in {blackout.state} {blackout.starts_on}..{blackout.ends_on}: "
                                       f"{blackout.reason}")
        day_type = _DAY_TYPES[day.weekday()]
        limits: list[tuple[LawRule, Hours, str]] = []
        for rule in self._rules(day):
            holiday = _holiday(rule, day)
            if holiday:
                return DayWindow(None, f"no texts on {holiday} in {rule.where} ({rule.citation})")
            hours = rule.hours_on(day_type)
            if hours is None:
                return DayWindow(None, f"no texts on {_DAY_NAMES[day.weekday()]} in {rule.where} ({rule.citation})")
            if isinstance(hours, Hours):
                if rule.clock == "standard":
                    limits.append((rule, _on_local_clock(hours, day, shift), f"{hours} standard time"))
                else:
                    limits.append((rule, hours, str(hours)))
        if not limits:
            return DayWindow(Hours(time(0), _END_OF_DAY), "no hours rule")
        start = max(h.start for _, h, _ in limits)
        end = min(h.end for _, h, _ in limits)
        # The rules that set either end of the window are the ones a person needs to read (a
        # state's rule rather than the federal one where both say the same).
        binding = "; ".join(dict.fromkeys(f"{_where(r)} {words} ({r.citation})" for r, _, words in
                                          _setting(limits, lambda h: h.start, start) + _setting(limits, lambda h: h.end, end)))
        if start >= end:
            return DayWindow(None, f"no hours left where every rule allows: {binding}")
        return DayWindow(Hours(start, end), binding)

    # -- a moment -----------------------------------------------------------------------------------

    def why_closed(self, at: datetime) -> str | None:
        """None when `at` is open in every zone; else which rule closes it, in words."""
        closed = self._closed(at)
        if closed is None:
            return None
        window, local, tz, quiet = closed
        if quiet:
            return f"quiet hours: {window.why}: it is {local:%a %H:%M} in {tz.key}"
        return f"{window.why} (it is {local:%a %Y-%m-%d} in {tz.key})"

    def closed_rule(self, at: datetime) -> str | None:
        """What `why_closed(at)` names, without the moment it was checked at (`rule_alone` of it):
        the same rule reads the same for every message it moves, and is not formatted to be cut."""
        closed = self._closed(at)
        if closed is None:
            return None
        window, _, _, quiet = closed
        return rule_alone(f"quiet hours: {window.why}" if quiet else window.why)

    def _closed(self, at: datetime) -> tuple[DayWindow, datetime, ZoneInfo, bool] | None:
        """The first zone's window that closes `at` (its local time, its zone, and whether the day
        is open at other hours), or None when `at` is open in every zone."""
        for i, tz in enumerate(self._zones):
            local = at.astimezone(tz)
            window = self.day_window(i, local.date())
            if window.hours is None:
                return window, local, tz, False
            if not window.hours.start <= local.time() < window.hours.end:
                return window, local, tz, True
        return None

    def allows(self, at: datetime) -> bool:
        t = at if at.tzinfo is UTC else at.astimezone(UTC)
        return any(start <= t < end for start, end in self._open_spans(t.date()))

    def next_open(self, at: datetime) -> datetime | None:
        """`at` if open, else the first open minute after it (UTC); None if none within SEARCH_DAYS."""
        t = at if at.tzinfo is UTC else at.astimezone(UTC)
        day = t.date()
        for _ in range(SEARCH_DAYS + 2):
            for start, end in self._open_spans(day):
                if t < end:
                    return t if t >= start else start
            day += _ONE_DAY
        return None

    def _open_spans(self, utc_day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The spans of the UTC day `utc_day` open in every zone, in order (computed once per day)."""
        found = self._spans.get(utc_day)
        if found is None:
            key = (*self._key, self._zone_names, utc_day)
            found = _span_cache.get(key)
            if found is None:
                if len(_span_cache) >= _DAY_CACHE_MAX:
                    _span_cache.clear()
                found = _span_cache[key] = self._compute_spans(utc_day)
            self._spans[utc_day] = found
        return found

    def _compute_spans(self, utc_day: date) -> tuple[tuple[datetime, datetime], ...]:
        begin = datetime.combine(utc_day, time(0), tzinfo=UTC)
        spans = [(begin, begin + _ONE_DAY)]
        before, after = utc_day - _ONE_DAY, utc_day + _ONE_DAY
        for i, tz in enumerate(self._zones):
            # Zones lie within a day of UTC: the local days before, of and after overlap this UTC day.
            zone_spans = [span for local_day in (before, utc_day, after)
                          if (span := self._local_span(i, tz, local_day)) is not None]
            spans = _intersect(spans, zone_spans)
        return tuple(spans)

    def _local_span(self, index: int, tz: ZoneInfo, local_day: date) -> tuple[datetime, datetime] | None:
        """The open hours of the local day `local_day` in zone `tz`, as UTC instants (kept across leads)."""
        key = (*self._key, tz.key, local_day)
        try:
            return _local_cache[key]  # one look-up, so a cache cleared by another thread meanwhile is only a miss
        except KeyError:
            pass
        hours = self.day_window(index, local_day).hours
        found = None if hours is None else (
            datetime.combine(local_day, hours.start, tzinfo=tz).astimezone(UTC),
            datetime.combine(local_day, hours.end, tzinfo=tz).astimezone(UTC))
        if len(_local_cache) >= _DAY_CACHE_MAX:
            _local_cache.clear()
        _local_cache[key] = found
        return found

    def describe(self, day: date) -> str:
        """The hours on `day` in the lead's first zone, in words (previews, `leads show`)."""
        window = self.day_window(0, day)
        if window.hours is None:
            return f"closed: {window.why}"
        return f"{window.hours} {self._zones[0].key}: {window.why}"


@lru_cache(maxsize=4096)
def rule_alone(why: str) -> str:
    """A cause without the moment it was checked at ("...: it is Tue 21:00 in ..." or "... (it is
    ...)"): the words before the first such tail. `closed_rule` gives what this makes of
    `why_closed`: the tail follows the rule's own words, so cutting them alone cuts the same."""
    return why.split(": it is ")[0].split(" (it is ")[0]


def _intersect(a: list[tuple[datetime, datetime]], b: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The parts of the sorted spans `a` that also lie in the sorted spans `b`."""
    out = []
    for a_start, a_end in a:
        for b_start, b_end in b:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                out.append((start, end))
    out.sort()
    return out


def _setting(limits: list[tuple[LawRule, Hours, str]], end: Callable[[Hours], time], value: time,
             ) -> list[tuple[LawRule, Hours, str]]:
    """The rules whose `end` of the window is `value`: the states' if any, else the federal one."""
    found = [limit for limit in limits if end(limit[1]) == value]
    states = [limit for limit in found if limit[0].where != "US"]
    return states or found


def _on_local_clock(hours: Hours, day: date, shift: timedelta) -> Hours:
    """Hours a statute gives in standard time, on the local clock of `day` (`shift`: the zone's
    daylight saving that day): 8:00-20:00 CST is 9:00-21:00 CDT. An end pushed past midnight
    ends the day."""
    if not shift:
        return hours
    start = datetime.combine(day, hours.start) + shift
    end = datetime.combine(day, hours.end) + shift
    return Hours(start.time() if start.date() == day else _END_OF_DAY,
                 end.time() if end.date() == day else _END_OF_DAY)


def _where(rule: LawRule) -> str:
    return "federal" if rule.where == "US" else rule.where
