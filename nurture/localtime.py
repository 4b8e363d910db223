"""Time where the lead lives: its zone, local midnights and clock times as UTC instants, how a
time is shown to a person, and the days left before a sale. Stored times are UTC; these turn
them local only to decide and to display."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nurture.geo import DEFAULT_TIMEZONE


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The ZoneInfo for `name`, or New York for an unknown or missing zone."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `tz`."""
    return at_local(day, _MIDNIGHT, tz)


_MIDNIGHT = time(0)
#: Local (day, clock time, zone) -> UTC instant: the planner asks for the same few again and again
#: (every lead of a zone has the same window starts on the same days), and a zone conversion
#: costs more than the look-up.
_at_local: dict[tuple[date, time, ZoneInfo], datetime] = {}
#: Entries kept (about 165 bytes each, measured: at most 5 MB; 200,000 let a worker grow by 33 MB).
_AT_LOCAL_MAX = 30_000


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of the local `day` at `clock` in `tz` (fold 0 in a repeated hour, as
    `datetime.combine(day, clock, tzinfo=tz)` gives)."""
    if clock.fold:  # equal to and hashed as its fold-0 twin: never cached
        return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)
    key = (day, clock, tz)
    found = _at_local.get(key)
    if found is None:
        if len(_at_local) >= _AT_LOCAL_MAX:
            _at_local.clear()
        found = _at_local[key] = datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)
    return found


def days_to_sale(sale_date: date | None, at: datetime, tz: ZoneInfo) -> int | None:
    """Calendar days from `at` (the date in `tz`, today = 0) to the sale date; negative once it
    has passed; None without a sale date. The one count of days to a sale: the urgency tiers,
    the planner, the send gate, the templates and the console all read it."""
    if sale_date is None:
        return None
    return (sale_date - at.astimezone(tz).date()).days


def fmt_local(moment: datetime, tz: Any) -> str:
    """'Tue 2026-12-01 19:55 EST': how reasons and previews show a time to a person."""
    # Kept only for UTC moments: two moments of another zone can be equal (a repeated hour's two
    # folds) and still show differently.
    key = (moment, tz) if moment.tzinfo is UTC else None
    text = _shown.get(key) if key is not None else None
    if text is None:
        t = moment.astimezone(zone(tz) if isinstance(tz, str) else tz)
        # Spelled out rather than strftime: reasons are built for many messages and this is 3x faster.
        text = f"{_DAYS[t.weekday()]} {t.year}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d} {t.tzname()}"
        if key is not None:
            if len(_shown) >= _SHOWN_MAX:
                _shown.clear()
            _shown[key] = text
    return text


# UTC moments shown in reasons, per zone: the leads of a list share their window starts and due times.
_shown: dict[tuple[datetime, Any], str] = {}
#: Entries kept (about 215 bytes each, measured: at most 6.5 MB; each due time of a worker is one).
_SHOWN_MAX = 30_000


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
