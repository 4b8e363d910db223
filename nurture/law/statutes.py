"""The law on when a lead may be texted, as data: one file per jurisdiction in
nurture/law/jurisdictions/ (docs/law.md), loaded and validated.

Each rule carries its citation, the page it was read from, the day it was reviewed, what it
covers and the dates it takes effect and ends, so a reader can check it without reading code;
a jurisdiction with nothing beyond the federal rule says so, with what was read. The files live
in the package, not in `schedules/`: marketers can make a sequence quieter, never the law weaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import yaml

from nurture.errors import OperatorError
from nurture.geo import US_STATES
from nurture.law.holidays import unknown_names

LAW_DIR = Path(__file__).with_name("jurisdictions")

#: The kinds of day a statute gives hours for.
DAY_TYPES = ("weekday", "saturday", "sunday")
#: Which holidays a holiday ban means: none, the state's legal holidays, or the national ones (or
#: a list of named holidays, law.holidays.NAMED_HOLIDAYS).
HOLIDAY_KINDS = ("none", "state", "federal")
#: What a statute's own words reach: texts, calls (texts neither named nor excluded), or
#: prerecorded voice only. Every rule applies to texts whatever it covers (the stricter reading).
COVERS = ("texts", "calls", "prerecorded")
#: The clock a rule's hours are read on: the local time where the lead is, or the zone's
#: standard time all year (a statute that names "Central Standard Time").
CLOCKS = ("local", "standard")
#: What a jurisdiction's review found.
FINDINGS = ("rules", "federal_only")

_RULE_KEYS = {"id", "title", "citation", "source", "reviewed", "effective", "ends", "covers", "hours", "clock",
              "holidays", "holidays_observed", "max_per_24h", "exempt_with_consent", "area_code_presumption",
              "emergency_ban", "quote", "note"}
_REQUIRED = ("id", "title", "citation", "source", "reviewed", "effective", "covers", "quote")
_JURISDICTION_KEYS = {"code", "name", "reviewed", "finding", "summary", "checked", "rules"}
_CHECKED_KEYS = {"citation", "source", "note"}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class LawError(OperatorError):
    """A law file cannot be used: names the file, the place in it and the problem."""


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
    covers: str = "calls"
    # Hours by day type (weekday, saturday, sunday); absent: this rule sets no hours.
    hours: tuple[tuple[str, Hours | None], ...] | None = None
    clock: str = "local"
    # "none", "state", "federal", or the names of the holidays the statute lists.
    holidays: str | tuple[str, ...] = "none"
    holidays_observed: bool = False
    max_per_24h: int | None = None
    exempt_with_consent: bool = False
    area_code_presumption: bool = False
    emergency_ban: bool = False
    quote: str = ""
    note: str = ""

    def in_force(self, day: date) -> bool:
        return self.effective <= day and (self.ends is None or day < self.ends)

    def lifted_for_consent(self) -> bool:
        """Whether the `statute` policy lifts this rule for a consented lead: only a state's rule whose
        statute exempts consent. The federal hours are never lifted: they are the product's floor (no
        marketing text outside 8:00-21:00 wherever the lead may be, consented or not)."""
        return self.exempt_with_consent and self.where != "US"

    def hours_on(self, day_type: str) -> Hours | None | bool:
        """The hours for `day_type`; None: no texts that day; True: this rule sets no hours."""
        if self.hours is None:
            return True
        return dict(self.hours).get(day_type, True)


@dataclass(frozen=True, slots=True)
class Checked:
    """A statute read and found to add nothing (or nothing more) for texts."""

    citation: str
    source: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """One jurisdiction's file: its finding, when it was reviewed, what was read, and its rules."""

    code: str
    name: str
    reviewed: date
    finding: str
    summary: str
    checked: tuple[Checked, ...]
    rules: tuple[LawRule, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Law:
    """The federal rule and every state's rules (compared and hashed by identity: one per load)."""

    federal: LawRule
    states: dict[str, tuple[LawRule, ...]]
    names: dict[str, str]
    jurisdictions: dict[str, Jurisdiction]

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
    holidays = _holidays(raw.get("holidays") or "none", place)
    covers = raw["covers"]
    if covers not in COVERS:
        raise LawError(f"{place}: covers is one of {', '.join(COVERS)}, not {covers!r}")
    clock = raw.get("clock") or "local"
    if clock not in CLOCKS:
        raise LawError(f"{place}: clock is one of {', '.join(CLOCKS)}, not {clock!r}")
    cap = raw.get("max_per_24h")
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
        raise LawError(f"{place}: max_per_24h must be a whole number of messages, not {cap!r}")
    effective = _day(raw["effective"], f"{place} effective")
    ends = _day(raw["ends"], f"{place} ends") if raw.get("ends") is not None else None
    if ends is not None and ends <= effective:
        raise LawError(f"{place}: ends {ends} is not after effective {effective}")
    for flag in ("exempt_with_consent", "area_code_presumption", "emergency_ban", "holidays_observed"):
        if not isinstance(raw.get(flag, False), bool):
            raise LawError(f"{place}: {flag} is true or false")
    return LawRule(
        id=str(raw["id"]), where=where, title=str(raw["title"]), citation=str(raw["citation"]),
        source=str(raw["source"]), reviewed=_day(raw["reviewed"], f"{place} reviewed"), effective=effective,
        ends=ends, covers=covers, hours=hours, clock=clock, holidays=holidays,
        holidays_observed=bool(raw.get("holidays_observed", False)), max_per_24h=cap,
        exempt_with_consent=bool(raw.get("exempt_with_consent", False)),
        area_code_presumption=bool(raw.get("area_code_presumption", False)),
        emergency_ban=bool(raw.get("emergency_ban", False)),
        quote=str(raw.get("quote") or "").strip(), note=str(raw.get("note") or "").strip(),
    )


def _holidays(value: Any, place: str) -> str | tuple[str, ...]:
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) for v in value):
            raise LawError(f"{place}: a holidays list names at least one holiday")
        unknown = unknown_names(value)
        if unknown:
            raise LawError(f"{place}: unknown holiday(s) {', '.join(unknown)} (docs/law.md lists the names)")
        return tuple(value)
    if value not in HOLIDAY_KINDS:
        raise LawError(f"{place}: holidays is one of {', '.join(HOLIDAY_KINDS)} or a list of named holidays, "
                       f"not {value!r}")
    return str(value)


def _checked(raw: Any, place: str) -> Checked:
    if not isinstance(raw, dict) or set(raw) - _CHECKED_KEYS or not raw.get("citation") or not raw.get("source"):
        raise LawError(f"{place}: a checked entry has a citation, a source and an optional note")
    return Checked(str(raw["citation"]), str(raw["source"]), str(raw.get("note") or "").strip())


def parse_jurisdiction(raw: Any, file: str) -> Jurisdiction:
    """One jurisdiction's file; LawError names the file, the rule and the problem."""
    if not isinstance(raw, dict):
        raise LawError(f"{file}: a jurisdiction is a mapping of keys")
    unknown = set(raw) - _JURISDICTION_KEYS
    if unknown:
        raise LawError(f"{file}: unknown key(s) {', '.join(sorted(unknown))}")
    code = raw.get("code")
    if not isinstance(code, str) or not (code == "US" or code in US_STATES):
        raise LawError(f"{file}: code {code!r} is not US or a state or territory code")
    if Path(file).stem != code:
        raise LawError(f"{file}: holds code {code}: the file must be named {code}.yaml")
    for key in ("name", "reviewed", "finding", "summary"):
        if raw.get(key) in (None, ""):
            raise LawError(f"{file}: {key} is required")
    finding = raw["finding"]
    if finding not in FINDINGS:
        raise LawError(f"{file}: finding is one of {', '.join(FINDINGS)}, not {finding!r}")
    if not isinstance(raw.get("rules"), list) or not isinstance(raw.get("checked") or [], list):
        raise LawError(f"{file}: rules (and checked) are lists")
    rules = tuple(_rule(r, code, f"{file} rule {i + 1}") for i, r in enumerate(raw["rules"]))
    checked = tuple(_checked(c, f"{file} checked {i + 1}") for i, c in enumerate(raw.get("checked") or []))
    if finding == "rules" and not rules:
        raise LawError(f"{file}: finding is rules but there are none (federal_only, with what was checked)")
    if finding == "federal_only" and (rules or not checked):
        raise LawError(f"{file}: federal_only has no rules and lists what was checked")
    return Jurisdiction(code=code, name=str(raw["name"]), reviewed=_day(raw["reviewed"], f"{file} reviewed"),
                        finding=finding, summary=" ".join(str(raw["summary"]).split()), checked=checked, rules=rules)


def build_law(jurisdictions: Iterable[Jurisdiction]) -> Law:
    """The Law of the federal file (US) and the states' files; LawError for a repeated id or code."""
    found: dict[str, Jurisdiction] = {}
    seen: set[str] = set()
    for j in jurisdictions:
        if j.code in found:
            raise LawError(f"{j.code}: two files for one jurisdiction")
        found[j.code] = j
        for rule in j.rules:
            if rule.id in seen:
                raise LawError(f"{j.code}: rule id {rule.id!r} is used twice")
            seen.add(rule.id)
    federal = found.pop("US", None)
    if federal is None or len(federal.rules) != 1:
        raise LawError("US.yaml: needs exactly one rule, the federal one")
    return Law(federal=federal.rules[0], states={c: j.rules for c, j in sorted(found.items())},
               names={c: j.name for c, j in sorted(found.items())}, jurisdictions=dict(sorted(found.items())))


@lru_cache(maxsize=4)
def load_law(path: Path = LAW_DIR) -> Law:
    """The law files (cached: they change with a release, not at run time)."""
    jurisdictions = []
    for file in sorted(path.glob("*.yaml")):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise LawError(f"{file.name}: cannot be read: {exc}") from exc
        jurisdictions.append(parse_jurisdiction(data, file.name))
    if not jurisdictions:
        raise LawError(f"{path}: no law files")
    return build_law(jurisdictions)
