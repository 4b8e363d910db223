"""The tests' own reading of the law: may a text go out at this moment to someone in this state and
zone? Built only on tests/statute_table.py (read from the statutes) and the `holidays` calendar,
never on nurture's rules, so a wrong entry in nurture/law/jurisdictions/ fails a test."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from statute_table import FEDERAL, STATUTES, version_on

_DAY = {5: "saturday", 6: "sunday"}


@lru_cache(maxsize=256)
def _calendar(where: str | None, year: int) -> frozenset[date]:
    days = holidays.country_holidays("US", subdiv=where, years=year) if where else holidays.country_holidays("US", years=year)
    return frozenset(days)


def _holiday(kinds: str, state: str, day: date) -> bool:
    for kind in kinds.split("+"):
        if day in _calendar(state if kind == "state" else None, day.year):
            return True
    return False


def oracle_allows(state: str | None, at: datetime, tz: str) -> bool:
    """True when the statutes let a text reach someone in `state` at `at`, read in zone `tz`."""
    local = at.astimezone(ZoneInfo(tz))
    day = local.date()
    key = _DAY.get(day.weekday(), "weekday")
    windows = [FEDERAL[key]]
    version = version_on(state, day) if state else None
    if version is not None:
        windows.append(version[key])
        if version["holidays"] and _holiday(version["holidays"], state, day):
            return False
    if any(w is None for w in windows):
        return False
    start = max(w[0] for w in windows)
    end = min(w[1] for w in windows)
    return start <= local.time() < end


def state_cap(state: str | None, day: date = date(2026, 12, 1)) -> int | None:
    """The statute's messages-per-24-hours limit for `state` (None when it sets none)."""
    version = version_on(state, day) if state else None
    return version["per_24h"] if version else None
