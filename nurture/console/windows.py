"""Windows of time in the business's zone (NURTURE_BUSINESS_TZ): today, the last 7 days, and
their hours or days as buckets for a chart. Every boundary is a local midnight or hour turned into
UTC, so a day is 23 or 25 hours long when the clocks change, as the business lives it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC, with the local buckets it is charted in and a label that says which."""

    start: datetime
    end: datetime
    label: str
    tz: str
    bounds: tuple[datetime, ...]  # bucket boundaries, start first, end last
    bucket_labels: tuple[str, ...]

    @property
    def phrase(self) -> str:
        """The label inside a sentence: 'last 7 days, ...'."""
        return self.label[:1].lower() + self.label[1:]

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def today(now: datetime, tz_name: str) -> Window:
    """Today in the business's zone, in hours."""
    tz = ZoneInfo(tz_name)
    day = now.astimezone(tz).date()
    start, end = _midnight(day, tz), _midnight(day + timedelta(days=1), tz)
    bounds, labels = [], []
    moment = start
    while moment < end:  # hour by hour in UTC: a DST day has 23 or 25 of them
        bounds.append(moment)
        labels.append(f"{moment.astimezone(tz):%H}")
        moment += timedelta(hours=1)
    bounds.append(end)
    zone_label = start.astimezone(tz).tzname()
    return Window(start, end, f"Today, {day:%a %b} {day.day} ({zone_label})", tz_name, tuple(bounds), tuple(labels))


def last_days(now: datetime, tz_name: str, days: int = 7) -> Window:
    """The last `days` days in the business's zone, today included, in days."""
    tz = ZoneInfo(tz_name)
    last = now.astimezone(tz).date()
    first = last - timedelta(days=days - 1)
    day_list = [first + timedelta(days=n) for n in range(days + 1)]
    bounds = tuple(_midnight(d, tz) for d in day_list)
    labels = tuple(f"{d:%a} {d.day}" for d in day_list[:-1])
    label = f"Last {days} days, {first:%b} {first.day} to {last:%b} {last.day} ({tz_name})"
    return Window(bounds[0], bounds[-1], label, tz_name, bounds, labels)
