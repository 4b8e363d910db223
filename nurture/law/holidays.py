"""Holidays as statutes name them: the days of a named holiday in a year, computed from its
definition (a fixed date, the nth weekday of a month, or a day counted from Easter), so that a
state whose statute lists its own holidays (Pennsylvania, Louisiana, Nebraska, Alabama, Mississippi,
Rhode Island, Utah) is held to that list and not to a calendar package's idea of the state's
holidays."""

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


def _election_day_even_years(year: int) -> date | None:
    """Election Day in the years a general election of state officers is held (Rhode Island's
    even years, R.I. Gen. Laws § 25-1-1)."""
    return _election_day(year) if year % 2 == 0 else None


def _juneteenth_utah(year: int) -> date:
    """The Monday Utah Code § 63G-1-301(2)(c)-(d) makes June 19's legal holiday: June 19 itself on a
    Monday, the Monday before on Tuesday-Friday, the Monday after on a Saturday or Sunday."""
    day = date(year, 6, 19)
    if day.weekday() >= 5:
        return day + timedelta(days=7 - day.weekday())
    return day - timedelta(days=day.weekday())


def _monday_after(find: Callable[[int], date | None], weekend: tuple[int, ...]) -> Callable[[int], date | None]:
    """The Monday after the holiday's day when that day falls on one of `weekend` (5 = Saturday,
    6 = Sunday); no day in a year it does not."""
    def day(year: int) -> date | None:
        found = find(year)
        if found is None or found.weekday() not in weekend:
            return None
        return found + timedelta(days=7 - found.weekday())
    return day


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
    "confederate_memorial_day_al": ("Confederate Memorial Day", _nth(0, 4, 4)),
    "confederate_memorial_day_ms": ("Confederate Memorial Day", _nth(0, -1, 4)),
    "ri_independence_day": ("Rhode Island Independence Day", _fixed(5, 4)),
    "memorial_day": ("Memorial Day", _nth(0, -1, 5)),
    "jefferson_davis_birthday": ("Jefferson Davis' Birthday", _nth(0, 1, 6)),
    "flag_day": ("Flag Day", _fixed(6, 14)),
    "juneteenth": ("Juneteenth", _fixed(6, 19)),
    "juneteenth_utah": ("Juneteenth (the Monday Utah keeps it on)", _juneteenth_utah),
    "independence_day": ("Independence Day", _fixed(7, 4)),
    "pioneer_day": ("Pioneer Day", _fixed(7, 24)),
    "victory_day": ("Victory Day", _nth(0, 2, 8)),
    "huey_p_long_day": ("Huey P. Long Day", _fixed(8, 30)),
    "labor_day": ("Labor Day", _nth(0, 1, 9)),
    "columbus_day": ("Columbus Day", _nth(0, 2, 10)),
    "all_saints_day": ("All Saints' Day", _fixed(11, 1)),
    "election_day": ("Election Day", _election_day),
    "election_day_even_years": ("Election Day (even years)", _election_day_even_years),
    "veterans_day": ("Veterans Day", _fixed(11, 11)),
    "thanksgiving": ("Thanksgiving Day", _nth(3, 4, 11)),
    "day_after_thanksgiving": ("the day after Thanksgiving", lambda year: _nth(3, 4, 11)(year) + timedelta(days=1)),
    "christmas_eve": ("Christmas Eve", _fixed(12, 24)),
    "christmas": ("Christmas Day", _fixed(12, 25)),
}

# A statute that moves a fixed-date holiday off a weekend in its own way (not the Saturday -> Friday,
# Sunday -> Monday of `holidays_observed`) lists the moved day by name too: `X_monday_if_sunday` is
# the Monday after X when X falls on a Sunday (Mississippi, § 3-3-7), `X_monday_if_weekend` the
# Monday after X when X falls on a Saturday or a Sunday (Rhode Island, § 25-1-1).
for _base in ("new_years_day", "ri_independence_day", "juneteenth", "independence_day", "veterans_day", "christmas"):
    _label, _find = NAMED_HOLIDAYS[_base]
    NAMED_HOLIDAYS[f"{_base}_monday_if_sunday"] = (f"{_label} (the Monday after, as it falls on a Sunday)",
                                                   _monday_after(_find, (6,)))
    NAMED_HOLIDAYS[f"{_base}_monday_if_weekend"] = (f"{_label} (the Monday after, as it falls on a weekend)",
                                                    _monday_after(_find, (5, 6)))


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
    the holiday's name; KeyError for a name not in NAMED_HOLIDAYS. A holiday of the next year moved
    into this one (New Year's Day on a Saturday, observed Friday December 31) is a day of this year."""
    days: dict[date, str] = {}
    for name in names:
        label, find = NAMED_HOLIDAYS[name]
        for of_year in (year, year + 1) if observed else (year,):
            day = find(of_year)
            if day is None:
                continue
            if day.year == year:
                days.setdefault(day, label)
            if observed and _observed(day) != day and _observed(day).year == year:
                days.setdefault(_observed(day), f"{label} (observed)")
    return days


def unknown_names(names: Iterable[str]) -> list[str]:
    """The names that are not holidays this module knows."""
    return [n for n in names if n not in NAMED_HOLIDAYS]
