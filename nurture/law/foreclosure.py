"""The earliest day a foreclosure sale could legally happen, from a recorded document and the
state's procedure: one reviewed file per jurisdiction in nurture/law/foreclosure/ (docs/law.md,
"Foreclosure timelines"), loaded and validated. Pure: no database, no clock.

A bought pre-foreclosure list names a recorded document (notice of default, lis pendens, notice of
sale, final judgment) and its recording date, often without an auction date. The estimate adds the
statutory minimum waits the state's file lists, in order, then moves to a day the state's sale-day
rule allows. It errs early by design: "the earliest the sale could be", never "when it will be".
Nothing here is legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta

from nurture.geo import US_STATES
from nurture.law.statutes import LawError
from nurture.text_rules import clip

FORECLOSURE_DIR = Path(__file__).with_name("foreclosure")

#: The recorded documents a file may give an estimate for.
RECORD_TYPES = ("notice_of_default", "lis_pendens", "notice_of_sale", "judgment")
#: How each record type reads in a reason.
RECORD_NAMES = {"notice_of_default": "notice of default", "lis_pendens": "lis pendens",
                "notice_of_sale": "notice of sale", "judgment": "final judgment"}
#: The procedure most residential foreclosures in a state use.
PROCEDURES = ("judicial", "nonjudicial")
#: The days a sale may be held on: the first Tuesday of a month, Monday to Friday, or any day.
SALE_DAY_RULES = ("first_tuesday", "weekday", "any")
#: The longest wait a file may state, so a typo (300 months) fails at load and not in a reason.
MAX_MONTHS = 24
MAX_DAYS = 730
#: A reason is one line for people (ops and marketers).
REASON_MAX = 300

_FILE_KEYS = {"code", "name", "reviewed", "usual", "sale_days", "records", "note"}
_SALE_DAYS_KEYS = {"rule", "citation", "source"}
_RECORD_KEYS = {"waits"}
_WAIT_KEYS = {"months", "days", "why", "citation", "source"}
_TUESDAY = 1
_MOVED = {"first_tuesday": "the first Tuesday of a month", "weekday": "the next weekday"}


@dataclass(frozen=True, slots=True)
class Wait:
    """One statutory minimum between the recording and the sale: `months` or `days`, with its source."""

    months: int | None
    days: int | None
    why: str
    citation: str
    source: str

    def add_to(self, day: date) -> date:
        """`day` plus this wait: calendar months clipped to the month's last day, or plain days."""
        if self.months is not None:
            return day + relativedelta(months=self.months)
        return day + timedelta(days=self.days or 0)

    def __str__(self) -> str:
        count, unit = (self.months, "month") if self.months is not None else (self.days, "day")
        return f"{count} {unit}{'' if count == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class SaleDays:
    """The days a sale may be held on (SALE_DAY_RULES), with the statute that says so."""

    rule: str
    citation: str
    source: str


@dataclass(frozen=True, slots=True)
class ForeclosureTimeline:
    """One jurisdiction's file: its usual procedure, its sale days and the waits per record type."""

    code: str
    name: str
    reviewed: date
    usual: str
    sale_days: SaleDays | None
    records: dict[str, tuple[Wait, ...]]
    note: str


@dataclass(frozen=True)
class SaleEstimate:
    """The earliest sale date the law allows, or None with the reason there is no estimate."""

    on: date | None
    reason: str
    citations: tuple[str, ...]


def _text(raw: dict[str, Any], key: str, place: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LawError(f"{place}: {key} is required, a non-empty text (law is data with its source)")
    return " ".join(value.split())


def _count(raw: dict[str, Any], key: str, low: int, high: int, place: str) -> int:
    value = raw[key]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise LawError(f"{place}: {key} is a whole number from {low} to {high}, not {value!r}")
    return value


def _wait(raw: Any, place: str) -> Wait:
    if not isinstance(raw, dict):
        raise LawError(f"{place}: a wait is a mapping of keys (months or days, why, citation, source)")
    unknown = set(raw) - _WAIT_KEYS
    if unknown:
        raise LawError(f"{place}: unknown key(s) {', '.join(sorted(unknown))}")
    if ("months" in raw) == ("days" in raw):
        raise LawError(f"{place}: a wait has exactly one of months or days")
    months = _count(raw, "months", 1, MAX_MONTHS, place) if "months" in raw else None
    days = _count(raw, "days", 0, MAX_DAYS, place) if "days" in raw else None
    return Wait(months=months, days=days, why=_text(raw, "why", place), citation=_text(raw, "citation", place),
                source=_text(raw, "source", place))


def _waits(raw: Any, place: str) -> tuple[Wait, ...]:
    if not isinstance(raw, dict) or set(raw) - _RECORD_KEYS:
        raise LawError(f"{place}: a record type holds only waits")
    waits = raw.get("waits")
    if not isinstance(waits, list) or not waits:
        raise LawError(f"{place}: waits is a list of at least one wait")
    return tuple(_wait(w, f"{place}.waits[{i + 1}]") for i, w in enumerate(waits))


def _sale_days(raw: Any, place: str) -> SaleDays | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - _SALE_DAYS_KEYS:
        raise LawError(f"{place}: sale_days has rule, citation and source")
    if raw.get("rule") not in SALE_DAY_RULES:
        raise LawError(f"{place}: rule is one of {', '.join(SALE_DAY_RULES)}, not {raw.get('rule')!r}")
    return SaleDays(rule=raw["rule"], citation=_text(raw, "citation", place), source=_text(raw, "source", place))


def parse_timeline(raw: Any, file: str) -> ForeclosureTimeline:
    """One jurisdiction's foreclosure file; LawError names the file, the key and the problem."""
    if not isinstance(raw, dict):
        raise LawError(f"{file}: a foreclosure timeline is a mapping of keys")
    unknown = set(raw) - _FILE_KEYS
    if unknown:
        raise LawError(f"{file}: unknown key(s) {', '.join(sorted(unknown))}")
    code = raw.get("code")
    if not isinstance(code, str) or code not in US_STATES:
        raise LawError(f"{file}: code {code!r} is not a state's two-letter postal code")
    if Path(file).stem != code:
        raise LawError(f"{file}: holds code {code}: the file must be named {code}.yaml")
    name = _text(raw, "name", file)
    if not isinstance(raw.get("reviewed"), date):
        raise LawError(f"{file}: reviewed {raw.get('reviewed')!r} is not a date like 2026-12-07")
    if raw.get("usual") not in PROCEDURES:
        raise LawError(f"{file}: usual is one of {', '.join(PROCEDURES)}, not {raw.get('usual')!r}")
    records = raw.get("records")
    if not isinstance(records, dict):
        raise LawError(f"{file}: records is a mapping of record types ({', '.join(RECORD_TYPES)})")
    wrong = [str(k) for k in records if k not in RECORD_TYPES]
    if wrong:
        raise LawError(f"{file}: records: unknown record type(s) {', '.join(wrong)} "
                       f"(one of {', '.join(RECORD_TYPES)})")
    return ForeclosureTimeline(
        code=code, name=name, reviewed=raw["reviewed"], usual=raw["usual"],
        sale_days=_sale_days(raw.get("sale_days"), f"{file} sale_days"),
        records={k: _waits(records[k], f"{file} records.{k}") for k in RECORD_TYPES if k in records},
        note=_text(raw, "note", file))


@lru_cache(maxsize=4)
def load_all(path: Path = FORECLOSURE_DIR) -> dict[str, ForeclosureTimeline]:
    """Every foreclosure file, validated (cached: they change with a release, not at run time)."""
    found: dict[str, ForeclosureTimeline] = {}
    for file in sorted(path.glob("*.yaml")):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise LawError(f"{file.name}: cannot be read: {exc}") from exc
        parsed = parse_timeline(data, file.name)
        found[parsed.code] = parsed
    if not found:
        raise LawError(f"{path}: no foreclosure files")
    return found


def timeline(state: str) -> ForeclosureTimeline | None:
    """The loaded file of `state` (a two-letter code), None for a code without one."""
    return load_all().get(state.strip().upper())


def _first_tuesday(month: date) -> date:
    start = month.replace(day=1)
    return start + timedelta(days=(_TUESDAY - start.weekday()) % 7)


def first_tuesday_on_or_after(day: date) -> date:
    """The first Tuesday of `day`'s month if it is not before `day`, else the next month's."""
    tuesday = _first_tuesday(day)
    return tuesday if tuesday >= day else _first_tuesday(day.replace(day=1) + relativedelta(months=1))


def sale_day_on_or_after(day: date, rule: str) -> date:
    """The first day on or after `day` that the sale-day `rule` allows (no holidays)."""
    if rule == "first_tuesday":
        return first_tuesday_on_or_after(day)
    if rule == "weekday":
        return day + timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)
    return day


def earliest_sale(state: str, record: str, recorded_on: date) -> SaleEstimate:
    """The earliest sale the law of `state` allows after `record` was recorded on `recorded_on`."""
    if record not in RECORD_TYPES:
        raise ValueError(f"record is one of {', '.join(RECORD_TYPES)}, not {record!r}")
    found = timeline(state)
    if found is None:
        return SaleEstimate(None, f"no estimate: no foreclosure timeline for state {state!r}", ())
    waits = found.records.get(record)
    if waits is None:
        return SaleEstimate(None, f"no estimate: {found.name}'s file gives no statutory minimum from a "
                                  f"{RECORD_NAMES[record]} (its note says why)", ())
    day = recorded_on
    for wait in waits:
        day = wait.add_to(day)
    steps = [(f" + {w}", w.citation) for w in waits]
    rule = found.sale_days
    if rule is not None and (moved := sale_day_on_or_after(day, rule.rule)) != day:
        day = moved
        steps.append((f", moved to {_MOVED[rule.rule]}", rule.citation))
    citations = tuple(dict.fromkeys(c for _, c in steps))
    start = f"earliest sale {day.isoformat()}: {RECORD_NAMES[record]} recorded {recorded_on.isoformat()}"
    reason = start + "".join(f"{what} ({cite})" for what, cite in steps)
    if len(reason) > REASON_MAX:
        reason = start + "".join(what for what, _ in steps)
    return SaleEstimate(day, clip(reason, REASON_MAX), citations)
