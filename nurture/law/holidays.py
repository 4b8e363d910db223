"""Holidays as statutes name them: the days of a named holiday in a year, computed from its
definition (a fixed date, the nth weekday of a month, or a day counted from Easter), so that a
state whose statute lists its own holidays (Pennsylvania, Louisiana) is held to that list and
not to a calendar package's idea of the state's holidays."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter


def _nth(weekday: int, n: int, month: int) -> Callable[[int], date | None]:
    """The n-th `weekday` (0 = Monday) of `month`; n = -1 for the last."""
    def day(year: int) -> date:
        if n > 0:
            first = date(year, month, 1)
            return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    return day


def _fixed(month: int, dom: int) -> Callable[[int], date | None]:
    return lambda year: date(year, month, dom)


def _election_day(year: int) -> date:
    """The Tuesday after the first Monday of November."""
    return _nth(0, 1, 11)(year) + timedelta(days=1)


def _inauguration_day(year: int) -> date | None:
    """January 20 of the year after a presidential election (2025, 2029, ...)."""
    return date(year, 1, 20) if year % 4 == 1 else None


#: Every holiday a statute may list, by the name law files use, with how its day is found.
NAMED_HOLIDAYS: dict[str, tuple[str, Callable[[int], date | None]]] = {
    "new_years_day": ("New Year's Day", _fixed(1, 1)),
    "battle_of_new_orleans": ("Battle of New Orleans", _fixed(1, 8)),
    "mlk_day": ("Martin Luther King Jr. Day", _nth(0, 3, 1)),
    "inauguration_day": ("Inauguration Day", _inauguration_day),
    "lincolns_birthday": ("Lincoln's Birthday", _fixed(2, 12)),
    "presidents_day": ("Presidents' Day", _nth(0, 3, 2)),
    "arbor_day": ("Arbor Day", _nth(4, -1, 4)),
    "mardi_gras": ("Mardi Gras", lambda year: easter(year) - timedelta(days=47)),
    "good_friday": ("Good Friday", lambda year: easter(year) - timedelta(days=2)),
    "memorial_day": ("Memorial Day", _nth(0, -1, 5)),
    "flag_day": ("Flag Day", _fixed(6, 14)),
    "juneteenth": ("Juneteenth", _fixed(6, 19)),
    "independence_day": ("Independence Day", _fixed(7, 4)),
    "huey_p_long_day": ("Huey P. Long Day", _fixed(8, 30)),
    "labor_day": ("Labor Day", _nth(0, 1, 9)),
    "columbus_day": ("Columbus Day", _nth(0, 2, 10)),
    "all_saints_day": ("All Saints' Day", _fixed(11, 1)),
    "election_day": ("Election Day", _election_day),
    "veterans_day": ("Veterans Day", _fixed(11, 11)),
    "thanksgiving": ("Thanksgiving Day", _nth(3, 4, 11)),
    "day_after_thanksgiving": ("the day after Thanksgiving", lambda year: _nth(3, 4, 11)(year) + timedelta(days=1)),
    "christmas_eve": ("Christmas Eve", _fixed(12, 24)),
    "christmas": ("Christmas Day", _fixed(12, 25)),
}


def _observed(day: date) -> date:
    """Saturday -> the Friday before, Sunday -> the Monday after."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=1024)
def named_days(names: tuple[str, ...], year: int, observed: bool = False) -> dict[date, str]:
    """The days of `names` in `year` (with their shifted weekdays too when `observed`), each with
    the holiday's name; KeyError for a name not in NAMED_HOLIDAYS."""
    days: dict[date, str] = {}
    for name in names:
        label, find = NAMED_HOLIDAYS[name]
        day = find(year)
        if day is None:
            continue
        days.setdefault(day, label)
        if observed and _observed(day) != day:
            days.setdefault(_observed(day), f"{label} (observed)")
    return days


def unknown_names(names: Iterable[str]) -> list[str]:
    """The names that are not holidays this module knows."""
    return [n for n in names if n not in NAMED_HOLIDAYS]
