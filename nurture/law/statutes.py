"""The law on when a lead may be texted, as data: nurture/law/law.yaml, loaded and validated.

Each rule carries its citation, the page it was read from, the day it was reviewed, and the
dates it takes effect and ends, so a reader can check it without reading code. The file lives in
the package, not in `schedules/`: marketers can make a sequence quieter, never the law weaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nurture.errors import OperatorError

LAW_FILE = Path(__file__).with_name("law.yaml")

#: The kinds of day a statute gives hours for.
DAY_TYPES = ("weekday", "saturday", "sunday")
#: Which holidays a holiday ban means: none, the state's legal holidays, or the national ones.
HOLIDAY_KINDS = ("none", "state", "federal")

_RULE_KEYS = {"id", "title", "citation", "source", "reviewed", "effective", "ends", "hours", "holidays",
              "max_per_24h", "exempt_with_consent", "area_code_presumption", "emergency_ban", "quote", "note"}
_REQUIRED = ("id", "title", "citation", "source", "reviewed", "effective")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class LawError(OperatorError):
    """law.yaml cannot be used: names the place in the file and the problem."""


@dataclass(frozen=True, slots=True)
class Hours:
    """Local hours [start, end) in which texts may go out; `None` for a whole day means not at all."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start.hour}:{self.start.minute:02d}-{self.end.hour}:{self.end.minute:02d}"


@dataclass(frozen=True, slots=True)
class LawRule:
    """One rule of one jurisdiction, in force from `effective` (inclusive) to `ends` (exclusive)."""

    id: str
    where: str  # a state code, or "US" for the federal rule
    title: str
    citation: str
    source: str
    reviewed: date
    effective: date
    ends: date | None = None
    # Hours by day type (weekday, saturday, sunday); absent: this rule sets no hours.
    hours: tuple[tuple[str, Hours | None], ...] | None = None
    holidays: str = "none"
    max_per_24h: int | None = None
    exempt_with_consent: bool = False
    area_code_presumption: bool = False
    emergency_ban: bool = False
    quote: str = ""
    note: str = ""

    def in_force(self, day: date) -> bool:
        return self.effective <= day and (self.ends is None or day < self.ends)

    def hours_on(self, day_type: str) -> Hours | None | bool:
        """The hours for `day_type`; None: no texts that day; True: this rule sets no hours."""
        if self.hours is None:
            return True
        return dict(self.hours).get(day_type, True)


@dataclass(frozen=True, slots=True, eq=False)
class Law:
    """The federal rule and every state's rules (compared and hashed by identity: one per file)."""

    federal: LawRule
    states: dict[str, tuple[LawRule, ...]]
    names: dict[str, str]

    def rules_of(self, state: str) -> tuple[LawRule, ...]:
        return self.states.get(state, ())

    def all_rules(self) -> list[LawRule]:
        return [self.federal, *(r for rules in self.states.values() for r in rules)]


def _day(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    raise LawError(f"{where}: {value!r} is not a date like 2021-07-01")


def _hours(value: Any, where: str) -> Hours | None:
    if value in (None, "none"):
        return None
    if not isinstance(value, str) or "-" not in value:
        raise LawError(f'{where}: {value!r} is not hours like "08:00-20:00" (or none)')
    parts = [p.strip() for p in value.split("-", 1)]
    found = [m for m in (_TIME.match(p) for p in parts) if m is not None]
    if len(found) != len(parts):
        raise LawError(f'{where}: {value!r} is not hours like "08:00-20:00"')
    start, end = (time(int(m[1]), int(m[2])) for m in found)
    if end <= start:
        raise LawError(f"{where}: {value!r} ends before it starts")
    return Hours(start, end)


def _rule(raw: Any, where: str, place: str) -> LawRule:
    if not isinstance(raw, dict):
        raise LawError(f"{place}: a rule must be a mapping of keys")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise LawError(f"{place}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in _REQUIRED:
        if raw.get(key) in (None, ""):
            raise LawError(f"{place}: {key} is required (law is data with its source)")
    place = f"{place} ({raw['id']})"
    hours = None
    if raw.get("hours") is not None:
        if not isinstance(raw["hours"], dict) or set(raw["hours"]) - set(DAY_TYPES):
            raise LawError(f"{place}: hours takes weekday, saturday and sunday")
        hours = tuple((k, _hours(v, f"{place} hours.{k}")) for k, v in raw["hours"].items())
    holidays = raw.get("holidays") or "none"
    if holidays not in HOLIDAY_KINDS:
        raise LawError(f"{place}: holidays is one of {', '.join(HOLIDAY_KINDS)}, not {holidays!r}")
    cap = raw.get("max_per_24h")
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
        raise LawError(f"{place}: max_per_24h must be a whole number of messages, not {cap!r}")
    effective = _day(raw["effective"], f"{place} effective")
    ends = _day(raw["ends"], f"{place} ends") if raw.get("ends") is not None else None
    if ends is not None and ends <= effective:
        raise LawError(f"{place}: ends {ends} is not after effective {effective}")
    for flag in ("exempt_with_consent", "area_code_presumption", "emergency_ban"):
        if not isinstance(raw.get(flag, False), bool):
            raise LawError(f"{place}: {flag} is true or false")
    return LawRule(
        id=str(raw["id"]), where=where, title=str(raw["title"]), citation=str(raw["citation"]),
        source=str(raw["source"]), reviewed=_day(raw["reviewed"], f"{place} reviewed"), effective=effective,
        ends=ends, hours=hours, holidays=holidays, max_per_24h=cap,
        exempt_with_consent=bool(raw.get("exempt_with_consent", False)),
        area_code_presumption=bool(raw.get("area_code_presumption", False)),
        emergency_ban=bool(raw.get("emergency_ban", False)),
        quote=str(raw.get("quote") or "").strip(), note=str(raw.get("note") or "").strip(),
    )


def parse_law(data: Any, file: str = "law.yaml") -> Law:
    """A Law from the parsed YAML; LawError names the state, rule and problem."""
    if not isinstance(data, dict) or "federal" not in data or "states" not in data:
        raise LawError(f"{file}: needs a `federal` rule and a `states` mapping")
    federal = _rule(data["federal"], "US", f"{file}: federal")
    states: dict[str, tuple[LawRule, ...]] = {}
    names: dict[str, str] = {}
    seen: set[str] = {federal.id}
    for code, entry in (data["states"] or {}).items():
        place = f"{file}: {code}"
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
            raise LawError(f"{place}: state codes are two capital letters")
        if not isinstance(entry, dict) or not isinstance(entry.get("rules"), list) or not entry["rules"]:
            raise LawError(f"{place}: needs a name and a list of rules")
        rules = tuple(_rule(r, code, f"{place} rule {i + 1}") for i, r in enumerate(entry["rules"]))
        for rule in rules:
            if rule.id in seen:
                raise LawError(f"{place}: rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        states[code] = rules
        names[code] = str(entry.get("name") or code)
    return Law(federal=federal, states=states, names=names)


@lru_cache(maxsize=4)
def load_law(path: Path = LAW_FILE) -> Law:
    """The law file (cached: it changes with a release, not at run time)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LawError(f"{path}: cannot be read: {exc}") from exc
    return parse_law(data, str(path.name))
