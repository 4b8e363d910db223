"""The tests' own reading of the law: may a text go out at this moment to someone in this state and
zone? Built only on tests/statute_table.py (read from the statutes) and the `holidays` calendar,
never on nurture's rules, so a wrong entry in nurture/law/jurisdictions/ fails a test."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.easter import easter
from dateutil.relativedelta import FR, MO, TH, relativedelta

from statute_table import FEDERAL, version_on

_DAY = {5: "saturday", 6: "sunday"}


@lru_cache(maxsize=256)
def _calendar(where: str | None, year: int) -> frozenset[date]:
    days = holidays.country_holidays("US", subdiv=where, years=year) if where else holidays.country_holidays("US", years=year)
    return frozenset(days)


# A statute's own list of holidays, each day found here with dateutil's calendar arithmetic (the
# product computes them in its own way, nurture/law/holidays.py).
_NAMED = {
    "new_years_day": lambda y: date(y, 1, 1), "battle_of_new_orleans": lambda y: date(y, 1, 8),
    "mlk_day": lambda y: date(y, 1, 1) + relativedelta(weekday=MO(3)),
    "inauguration_day": lambda y: date(y, 1, 20) if (y - 1) % 4 == 0 else None,
    "lincolns_birthday": lambda y: date(y, 2, 12),
    "presidents_day": lambda y: date(y, 2, 1) + relativedelta(weekday=MO(3)),
    "arbor_day": lambda y: date(y, 4, 30) + relativedelta(weekday=FR(-1)),
    "mardi_gras": lambda y: easter(y) + relativedelta(days=-47), "good_friday": lambda y: easter(y) + relativedelta(days=-2),
    "memorial_day": lambda y: date(y, 5, 31) + relativedelta(weekday=MO(-1)), "flag_day": lambda y: date(y, 6, 14),
    "juneteenth": lambda y: date(y, 6, 19), "independence_day": lambda y: date(y, 7, 4),
    "huey_p_long_day": lambda y: date(y, 8, 30), "labor_day": lambda y: date(y, 9, 1) + relativedelta(weekday=MO(1)),
    "columbus_day": lambda y: date(y, 10, 1) + relativedelta(weekday=MO(2)), "all_saints_day": lambda y: date(y, 11, 1),
    "election_day": lambda y: date(y, 11, 1) + relativedelta(weekday=MO(1)) + relativedelta(days=1),
    "veterans_day": lambda y: date(y, 11, 11),
    "thanksgiving": lambda y: date(y, 11, 1) + relativedelta(weekday=TH(4)),
    "day_after_thanksgiving": lambda y: date(y, 11, 1) + relativedelta(weekday=TH(4)) + relativedelta(days=1),
    "christmas_eve": lambda y: date(y, 12, 24), "christmas": lambda y: date(y, 12, 25),
    "confederate_memorial_day_al": lambda y: date(y, 4, 1) + relativedelta(weekday=MO(4)),
    "confederate_memorial_day_ms": lambda y: date(y, 4, 30) + relativedelta(weekday=MO(-1)),
    "ri_independence_day": lambda y: date(y, 5, 4),
    "jefferson_davis_birthday": lambda y: date(y, 6, 1) + relativedelta(weekday=MO(1)),
    # June 19 on a Monday; the Monday before on Tuesday-Friday; the Monday after on a weekend.
    "juneteenth_utah": lambda y: date(y, 6, 19) + relativedelta(weekday=MO(+1 if date(y, 6, 19).weekday() >= 5 else -1)),
    "pioneer_day": lambda y: date(y, 7, 24),
    "victory_day": lambda y: date(y, 8, 1) + relativedelta(weekday=MO(2)),
    "election_day_even_years": lambda y: date(y, 11, 1) + relativedelta(weekday=MO(1)) + relativedelta(days=1)
    if y % 2 == 0 else None,
}
_FIXED = {"new_years_day": (1, 1), "ri_independence_day": (5, 4), "juneteenth": (6, 19), "independence_day": (7, 4),
          "veterans_day": (11, 11), "christmas": (12, 25)}
for _name, (_month, _dom) in _FIXED.items():
    # The Monday after the day when it falls on a Sunday (or on a Saturday or Sunday).
    _NAMED[f"{_name}_monday_if_sunday"] = (lambda m, d: lambda y: date(y, m, d) + relativedelta(weekday=MO(+1))
                                           if date(y, m, d).weekday() == 6 else None)(_month, _dom)
    _NAMED[f"{_name}_monday_if_weekend"] = (lambda m, d: lambda y: date(y, m, d) + relativedelta(weekday=MO(+1))
                                            if date(y, m, d).weekday() >= 5 else None)(_month, _dom)


def _holiday(kinds: str | tuple[str, ...], state: str, day: date) -> bool:
    if isinstance(kinds, tuple):
        return day in {_NAMED[name](day.year) for name in kinds}
    for kind in kinds.split("+"):
        if day in _calendar(state if kind == "state" else None, day.year):
            return True
    return False


def _standard_time(version: dict) -> bool:
    """The statute names standard time ("8:00 a.m. and 8:00 p.m. Central Standard Time")."""
    return version["clock"] == "standard" or "Standard Time" in version["clock"]


def oracle_allows(state: str | None, at: datetime, tz: str) -> bool:
    """True when the statutes let a text reach someone in `state` at `at`, read in zone `tz`."""
    local = at.astimezone(ZoneInfo(tz))
    day = local.date()
    key = _DAY.get(day.weekday(), "weekday")
    federal = FEDERAL[key]
    if not federal[0] <= local.time() < federal[1]:
        return False
    version = version_on(state, day) if state else None
    if version is None:
        return True
    if version["holidays"] and _holiday(version["holidays"], state, day):
        return False
    window = version[key]
    if window is None:
        return False
    clock = local - (local.dst() or timedelta(0)) if _standard_time(version) else local
    return window[0] <= clock.time() < window[1]


def state_cap(state: str | None, day: date = date(2026, 12, 1)) -> int | None:
    """The statute's messages-per-24-hours limit for `state` (None when it sets none)."""
    version = version_on(state, day) if state else None
    return version["per_24h"] if version else None
