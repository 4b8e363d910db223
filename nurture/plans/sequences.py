"""Load and validate the marketers' files in schedules/: the sequences (*.yaml) and urgency.yaml.

A sequence is a list of steps. Each step says on which channel, with which template, and when:
  gap: 2d           after the previous step of the same sequence (the first step: after enrollment);
                    may depend on the tier: {early: 4d, active: 3d, urgent: 2d, critical: 1d}
  after: 2d         after enrollment
  before_sale: 7d   that many days before the foreclosure sale date (deadline content)
  after_postponement: 0m
                    after a set sale date moved later (once per postponement: a second one to
                    another date gets its own message); `fallback_for: <step id>` makes a step
                    go only when that step's channel is not allowed for the lead (email when no SMS)
A step may also give a local `window` ("10:00-18:00") or time (`at: "10:00"`), an `importance`,
`when` conditions, a `grace` (how late it may still go out; later, the lead is planned again
by the catch-up rule) and `variants` (the weights of the template's A/B variants, e.g.
{a: 70, b: 30}; without it every variant file beside the template gets an equal share).
Every problem is reported with its file, step id and what is wrong.
A window only makes a sequence quieter: the legal hours (nurture/law/jurisdictions/) always apply.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nurture.config import get_settings
from nurture.errors import OperatorError
from nurture.law.rulebook import RESERVED_SEQUENCES
from nurture.law.statutes import Hours
from nurture.plans.urgency import Condition, Tier, UrgencyRules
from nurture.published import overlay

CHANNELS = ("sms", "email")
# Content that speaks of the sale date: never sent once that date has passed.
DEADLINE_THEMES = frozenset({"sale_countdown"})
# The first message a lead gets on each channel introduces us.
WELCOME_TEMPLATES = {"sms": "sms/welcome", "email": "email/welcome"}
URGENCY_FILE = "urgency.yaml"
PHASES = ("pre_sale", "post_sale")
# Deadline steps with no window or time of their own go out at this local time.
DEFAULT_DEADLINE_TIME = time(10)
# How late a message may still go out when its step gives no `grace`: a message later than this
# is not sent as it was planned but planned again by the catch-up rule (never a burst after an outage).
# The planner, the scheduler and the send gate all ask `nurture.lateness` whether a message is late.
DEFAULT_GRACE = timedelta(hours=4)

PAYMENT_STATUSES = frozenset({"current", "about_to_fall_behind", "behind"})
STAGES = frozenset({"none", "pre_foreclosure", "notice_of_default", "sale_scheduled"})
HARDSHIPS = frozenset({"job_loss", "divorce", "medical", "adjustable_rate_increase", "rental_loss", "other"})

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$")
_UNITS = {"m": 1, "min": 1, "h": 60, "d": 1440, "w": 10080}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_STEP_KEYS = {"id", "channel", "template", "gap", "after", "before_sale", "after_postponement", "window", "at",
              "importance", "when", "grace", "variants", "fallback_for"}
_TIMINGS = ("gap", "after", "before_sale", "after_postponement")
#: The planner's message key of a postponement step: its id, this mark, the date the sale moved from
#: (step ids cannot hold it), so each postponement is its own message and is never sent twice.
POSTPONEMENT_MARK = "@"
_VARIANT = re.compile(r"^[a-z0-9]{1,10}$")
#: The largest weight a variant may have (weights are shares: 70/30 and 7/3 are the same).
MAX_VARIANT_WEIGHT = 1000
_SEQ_KEYS = {"name", "description", "phase", "gap", "window", "when", "steps"}
_COND_KEYS = {
    "tier",
    "payment_status",
    "hardship",
    "foreclosure_stage",
    "negative_equity",
    "months_behind_at_least",
    "sale_within_days",
    "has_sale_date",
}


@dataclass(frozen=True, slots=True)
class Window(Hours):
    """A step's local hours [start, end): a marketer's choice, inside the legal hours."""


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    step: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: step {self.step!r}" if self.step else self.file
        return f"{where}: {self.message}"


class SequenceError(OperatorError, ValueError):
    """A schedules/ file that cannot be used; names the file, the step id and the problem."""

    def __init__(self, file: str, step: str | None, problem: str, *, more: list[Problem] | None = None) -> None:
        self.file, self.step, self.problem = file, step, problem
        self.problems = [Problem(file, step, problem), *(more or [])]
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    channel: str
    template: str
    kind: str  # "gap", "after", "before_sale" or "after_postponement"
    offset: timedelta  # the after / before_sale time, or the gap when it does not depend on the tier
    gap_by_tier: dict[str, timedelta] | None = None
    window: Window | None = None
    importance: int = 0
    when: Condition | None = None
    grace: timedelta = DEFAULT_GRACE
    # (variant, weight) pairs when the step sets its template's A/B weights; None: equal shares.
    variants: tuple[tuple[str, int], ...] | None = None
    # An after_postponement step that goes only when this step's channel is not allowed.
    fallback_for: str | None = None
    # Derived once, because the planner asks for them for every message of every lead.
    theme: str = field(init=False)
    deadline: bool = field(init=False)
    welcome: bool = field(init=False)

    def __post_init__(self) -> None:
        theme = self.template.split("/", 1)[1]
        object.__setattr__(self, "theme", theme)
        object.__setattr__(self, "deadline", self.kind == "before_sale" or theme in DEADLINE_THEMES)
        object.__setattr__(self, "welcome", WELCOME_TEMPLATES.get(self.channel) == self.template)

    def gap_for(self, tier: str) -> timedelta:
        if self.gap_by_tier is not None:
            return self.gap_by_tier[tier]
        return self.offset

    def timing(self) -> str:
        """The step's time in the marketer's words."""
        if self.kind == "before_sale":
            return f"{format_duration(self.offset)} before the sale"
        if self.kind == "after":
            return f"{format_duration(self.offset)} after enrollment"
        if self.kind == "after_postponement":
            return f"{format_duration(self.offset)} after the sale date moved later"
        if self.gap_by_tier is not None:
            gaps = ", ".join(f"{t} {format_duration(g)}" for t, g in self.gap_by_tier.items())
            return f"gap {gaps}"
        return f"{format_duration(self.offset)} after the previous step"


@dataclass(frozen=True, slots=True)
class SequenceSpec:
    name: str
    file: str
    description: str
    phase: str
    when: Condition | None
    steps: tuple[Step, ...]
    # The steps timed from enrollment (placed one after the other), those timed from the sale, and
    # those timed from a postponement.
    chain_steps: tuple[Step, ...] = field(init=False, compare=False)
    deadline_steps: tuple[Step, ...] = field(init=False, compare=False)
    postponement_steps: tuple[Step, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "chain_steps", tuple(s for s in self.steps if s.kind in ("gap", "after")))
        object.__setattr__(self, "deadline_steps", tuple(s for s in self.steps if s.kind == "before_sale"))
        object.__setattr__(self, "postponement_steps",
                           tuple(s for s in self.steps if s.kind == "after_postponement"))


@dataclass(frozen=True)
class Catalog:
    """Every sequence and the urgency rules, validated."""

    sequences: tuple[SequenceSpec, ...]
    urgency: UrgencyRules
    directory: str = ""
    _by_phase: dict[str, tuple[SequenceSpec, ...]] = field(default_factory=dict, repr=False, compare=False, hash=False)
    _by_step: dict[tuple[str, str], tuple[SequenceSpec, Step]] = field(
        default_factory=dict, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for phase in PHASES:
            self._by_phase[phase] = tuple(s for s in self.sequences if s.phase == phase)
        for seq in self.sequences:
            for step in seq.steps:
                self._by_step[(seq.name, step.id)] = (seq, step)

    def phase(self, phase: str) -> tuple[SequenceSpec, ...]:
        return self._by_phase[phase]

    def step(self, sequence: str, step_id: str) -> tuple[SequenceSpec, Step] | None:
        """The sequence and step a message was planned from, or None (a one-off, or a step removed since).

        A postponement message's step is `<step id>@<date it moved from>`: its step is the id's."""
        return self._by_step.get((sequence, step_id.split(POSTPONEMENT_MARK, 1)[0]))

    def templates(self) -> set[str]:
        return {step.template for seq in self.sequences for step in seq.steps}

    def welcome_channels(self) -> frozenset[str]:
        """Channels whose welcome template some step uses: on those, the welcome must go first."""
        return frozenset(step.channel for seq in self.sequences for step in seq.steps if step.welcome)


def parse_duration(value: Any) -> timedelta:
    """'30m', '2h', '3d', '1w' -> timedelta; ValueError with the accepted forms otherwise."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r} is not a duration: write one like 30m, 2h, 3d or 1w")
    return timedelta(minutes=int(match.group(1)) * _UNITS[match.group(2)])


@lru_cache(maxsize=256)
def format_duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def parse_time(value: Any) -> time:
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if not match:
        hint = " (put times in quotes: \"10:00\")" if isinstance(value, int) else ""
        raise ValueError(f"{value!r} is not a time of day like \"10:00\"{hint}")
    return time(int(match.group(1)), int(match.group(2)))


def parse_window(value: Any) -> Window | None:
    """'10:00-18:00' -> Window; 'anytime' -> None."""
    if value == "anytime":
        return None
    if not isinstance(value, str) or "-" not in value:
        raise ValueError(f"{value!r} is not a window like \"10:00-18:00\" (or anytime)")
    start, end = (parse_time(part) for part in value.split("-", 1))
    if end <= start:
        raise ValueError(f"window {value!r} ends before it starts")
    return Window(start, end)


class _File:
    """Collects the problems of one file so that a marketer sees them all at once."""

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        self.problems: list[Problem] = []

    def add(self, step: str | None, message: str) -> None:
        self.problems.append(Problem(self.name, step, message))

    def raise_if_any(self) -> None:
        if self.problems:
            first, *rest = self.problems
            raise SequenceError(first.file, first.step, first.message, more=rest)


def _read_yaml(path: Path, f: _File) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        f.add(None, f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}")
    except OSError as exc:
        f.add(None, f"cannot read: {exc.strerror}")
    return None


def _strings(value: Any, allowed: frozenset[str] | None, what: str) -> frozenset[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        raise ValueError(f"{what} must be a name or a list of names")
    if allowed is not None:
        unknown = sorted(set(items) - allowed)
        if unknown:
            raise ValueError(f"unknown {what} {', '.join(unknown)} (known: {', '.join(sorted(allowed))})")
    return frozenset(items)


def parse_condition(data: Any, tiers: frozenset[str] | None, *, allow_tier: bool = True) -> Condition:
    """A `when` mapping -> Condition; ValueError naming the bad key."""
    if not isinstance(data, dict):
        raise ValueError("conditions must be a mapping like {tier: [urgent, critical]}")  # noqa: TRY004 (callers catch ValueError)
    keys = _COND_KEYS if allow_tier else _COND_KEYS - {"tier"}
    unknown = sorted(set(data) - keys)
    if unknown:
        raise ValueError(f"unknown condition {', '.join(map(str, unknown))} (known: {', '.join(sorted(keys))})")
    kw: dict[str, Any] = {}
    if "tier" in data:
        kw["tiers"] = _strings(data["tier"], tiers, "tier")
    if "payment_status" in data:
        kw["payment_status"] = _strings(data["payment_status"], PAYMENT_STATUSES, "payment_status")
    if "hardship" in data:
        kw["hardship"] = _strings(data["hardship"], HARDSHIPS, "hardship")
    if "foreclosure_stage" in data:
        kw["foreclosure_stage"] = _strings(data["foreclosure_stage"], STAGES, "foreclosure_stage")
    for key in ("negative_equity", "has_sale_date"):
        if key in data:
            if not isinstance(data[key], bool):
                raise ValueError(f"{key} must be true or false")
            kw[key] = data[key]
    for key in ("months_behind_at_least", "sale_within_days"):
        if key in data:
            if isinstance(data[key], bool) or not isinstance(data[key], int) or data[key] < 0:
                raise ValueError(f"{key} must be a whole number of 0 or more")
            kw[key] = data[key]
    return Condition(**kw)


_TIER_KEYS = frozenset({"name", "description", "any", "default", "max_per_week"})


def load_urgency(path: Path) -> UrgencyRules:
    f = _File(path)
    data = _read_yaml(path, f)
    f.raise_if_any()
    tiers_data = data.get("tiers") if isinstance(data, dict) else None
    if not isinstance(tiers_data, list) or not tiers_data:
        f.add(None, "needs a list `tiers:` of tiers, most urgent first")
        f.raise_if_any()
    tiers: list[Tier] = []
    seen: set[str] = set()
    assert isinstance(tiers_data, list)  # raise_if_any raised otherwise
    for n, item in enumerate(tiers_data, 1):
        name = item.get("name") if isinstance(item, dict) else None
        label = name if isinstance(name, str) else f"#{n}"
        if not isinstance(item, dict) or not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            f.add(f"tier {label}", "a tier needs a `name:` in lower case letters")
            continue
        unknown = sorted(set(item) - _TIER_KEYS)
        if unknown:
            f.add(f"tier {name}", f"unknown key {', '.join(unknown)} (known: {', '.join(sorted(_TIER_KEYS))})")
        if name in seen:
            f.add(f"tier {name}", "tier named twice")
        seen.add(name)
        default = item.get("default", False) is True
        conds: list[Condition] = []
        raw = item.get("any", [])
        if not isinstance(raw, list) or (not raw and not default):
            f.add(f"tier {name}", "needs `any:` (a list of conditions) or `default: true`")
            raw = []
        for entry in raw:
            try:
                conds.append(parse_condition(entry, None, allow_tier=False))
            except ValueError as exc:
                f.add(f"tier {name}", str(exc))
        weekly = item.get("max_per_week")
        if weekly is not None and (type(weekly) is not int or weekly < 1):
            f.add(f"tier {name}", f"max_per_week must be a whole number, 1 or more (found {weekly!r})")
            weekly = None
        tiers.append(Tier(name, str(item.get("description", "")), tuple(conds), default, weekly))
    if tiers and not tiers[-1].default:
        f.add(f"tier {tiers[-1].name}", "the last tier must be `default: true` so every lead has a tier")
    if any(t.default for t in tiers[:-1]):
        f.add(None, "only the last tier may be `default: true`")
    f.raise_if_any()
    return UrgencyRules(tuple(tiers))


def load_sequence(path: Path, urgency: UrgencyRules, templates_dir: Path | None = None) -> SequenceSpec:
    """One sequence file, validated against the tiers and (if given) the templates that exist."""
    f = _File(path)
    data = _read_yaml(path, f)
    f.raise_if_any()
    if not isinstance(data, dict):
        f.add(None, "a sequence file is a mapping with `name:` and `steps:`")
        f.raise_if_any()
    tiers = frozenset(urgency.names)
    unknown = sorted(set(map(str, data)) - _SEQ_KEYS)
    if unknown:
        f.add(None, f"unknown key {', '.join(unknown)} (known: {', '.join(sorted(_SEQ_KEYS))})")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        f.add(None, "`name:` must be text")
        name = path.stem
    if name.strip() in RESERVED_SEQUENCES:
        f.add(None, f"the sequence name {name.strip()!r} is nurture's own (its answers to a lead and ops' "
                    "replies are logged under it): choose another name")
    phase = data.get("phase", "pre_sale")
    if phase not in PHASES:
        f.add(None, f"phase {phase!r} is not one of {', '.join(PHASES)}")
    seq_when = _guard(f, None, lambda: parse_condition(data["when"], tiers) if "when" in data else None)
    default_gap = data.get("gap")
    default_window = _guard(f, None, lambda: parse_window(data["window"]) if "window" in data else None)
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        f.add(None, "needs `steps:`, a list of steps")
        steps_data = []
    steps: list[Step] = []
    ids: set[str] = set()
    postponement: dict[str, str] = {}  # the after_postponement steps so far: id -> channel
    for n, item in enumerate(steps_data, 1):
        step = _parse_step(f, n, item, tiers, default_gap, default_window, phase, templates_dir, postponement)
        if isinstance(item, dict) and "after_postponement" in item and isinstance(item.get("id"), str):
            postponement[item["id"]] = str(item.get("channel"))
        if step is None:
            continue
        if step.id in ids:
            f.add(step.id, "step id used twice in this sequence")
        ids.add(step.id)
        steps.append(step)
    f.raise_if_any()
    return SequenceSpec(name.strip(), str(path), str(data.get("description", "")).strip(), phase, seq_when, tuple(steps))


def _guard(f: _File, step: str | None, make: Any) -> Any:
    try:
        return make()
    except ValueError as exc:
        f.add(step, str(exc))
        return None


def _parse_step(
    f: _File,
    n: int,
    item: Any,
    tiers: frozenset[str],
    default_gap: Any,
    default_window: Window | None,
    phase: str,
    templates_dir: Path | None,
    earlier: dict[str, str] | None = None,
) -> Step | None:
    """One step; `earlier` maps the sequence's after_postponement steps so far to their channels."""
    earlier = earlier if earlier is not None else {}
    if not isinstance(item, dict):
        f.add(f"#{n}", "a step is a mapping with id, channel, template and a time")
        return None
    sid = item.get("id")
    if not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", sid):
        f.add(f"#{n}", "needs an `id:` made of letters, digits, '-', '_' or '.'")
        return None
    before = len(f.problems)
    unknown = sorted(set(map(str, item)) - _STEP_KEYS)
    if unknown:
        f.add(sid, f"unknown key {', '.join(unknown)} (known: {', '.join(sorted(_STEP_KEYS))})")
    channel = item.get("channel")
    if channel not in CHANNELS:
        f.add(sid, f"channel {channel!r} is not one of {', '.join(CHANNELS)}")
    template = item.get("template")
    if not isinstance(template, str) or not re.fullmatch(r"[a-z]+/[a-z0-9_]+", template):
        f.add(sid, f"template {template!r} is not a name like sms/welcome")
    elif channel in CHANNELS:
        tchannel, theme = template.split("/", 1)
        if theme.startswith("_"):
            f.add(sid, f"template {template} is an answer nurture sends by itself (names starting with _), "
                       "not a step of a sequence")
        elif tchannel != channel:
            f.add(sid, f"template {template} is for {tchannel}, but the step's channel is {channel}")
        elif templates_dir is not None and not any((templates_dir / tchannel).glob(f"{theme}.*")):
            f.add(sid, f"unknown template {template}: no file {templates_dir / tchannel / theme}.*")
    timing = [k for k in _TIMINGS if k in item]
    if len(timing) > 1:
        f.add(sid, f"give only one of {', '.join(_TIMINGS)} (found {', '.join(timing)})")
    kind = timing[0] if timing else "gap"
    raw = item.get(kind, default_gap)
    if raw is None:
        f.add(sid, "needs a time: gap (after the previous step), after (enrollment), before_sale or "
                   "after_postponement")
    offset, by_tier = timedelta(0), None
    if isinstance(raw, dict) and kind == "gap":
        by_tier = {}
        for tier, value in raw.items():
            if tier not in tiers:
                f.add(sid, f"gap for unknown tier {tier!r} (tiers: {', '.join(sorted(tiers))})")
                continue
            by_tier[tier] = _guard(f, sid, lambda v=value: parse_duration(v))
        missing = sorted(tiers - set(raw))
        if missing:
            f.add(sid, f"gap gives no time for tier {', '.join(missing)}")
    elif raw is not None:
        offset = _guard(f, sid, lambda: parse_duration(raw)) or timedelta(0)
    if kind == "before_sale":
        if offset < timedelta(days=1) or offset % timedelta(days=1):
            f.add(sid, "before_sale must be whole days, 1d or more (deadline content is never sent on the sale day)")
        if phase == "post_sale":
            f.add(sid, "a post_sale sequence cannot have before_sale steps")
    if kind == "after_postponement" and phase == "post_sale":
        f.add(sid, "a post_sale sequence cannot have after_postponement steps (a postponed sale has not passed)")
    fallback_for = item.get("fallback_for")
    if fallback_for is not None:
        if kind != "after_postponement":
            f.add(sid, "fallback_for is for after_postponement steps only (the message a lead gets once)")
        elif not isinstance(fallback_for, str) or fallback_for not in earlier:
            known = ", ".join(sorted(earlier)) or "none"
            f.add(sid, f"fallback_for {fallback_for!r} must name an earlier after_postponement step of this "
                       f"sequence (earlier: {known})")
        elif earlier[fallback_for] == channel:
            f.add(sid, f"fallback_for {fallback_for!r}: that step is on {channel} too; a fallback takes "
                       "another channel")
    if phase == "post_sale" and isinstance(template, str) and template.endswith("/sale_countdown"):
        f.add(sid, "a post_sale sequence cannot speak of the sale date (sale_countdown)")
    if "window" in item and "at" in item:
        f.add(sid, "give either window or at, not both")
    window = default_window
    if "window" in item:
        window = _guard(f, sid, lambda: parse_window(item["window"]))
    elif "at" in item:
        start = _guard(f, sid, lambda: parse_time(item["at"]))
        if start is not None:
            window = Window(start, time(start.hour, start.minute + 1) if start.minute < 59 else time(start.hour, 59, 59))
    importance = item.get("importance", 0)
    if isinstance(importance, bool) or not isinstance(importance, int):
        f.add(sid, "importance must be a whole number (higher: more important)")
        importance = 0
    when = _guard(f, sid, lambda: parse_condition(item["when"], tiers)) if "when" in item else None
    grace = DEFAULT_GRACE
    if "grace" in item:
        grace = _guard(f, sid, lambda: parse_duration(item["grace"])) or DEFAULT_GRACE
        if grace < timedelta(minutes=5):
            f.add(sid, "grace must be 5m or more (the scheduler needs a moment to hand a message over)")
    variants = None
    if "variants" in item:
        variants = _guard(f, sid, lambda: parse_variants(item["variants"]))
        if variants and templates_dir is not None and isinstance(template, str) and "/" in template:
            tchannel, theme = template.split("/", 1)
            for name, _ in variants:
                stem = theme if name == "a" else f"{theme}.{name}"
                if not any((templates_dir / tchannel).glob(f"{stem}.*")):
                    f.add(sid, f"variant {name!r} of {template} has no file {templates_dir / tchannel / stem}.*")
    if len(f.problems) > before:
        return None
    return Step(sid, channel, template, kind, offset, by_tier, window, importance, when, grace, variants,
                fallback_for)


def parse_variants(value: Any) -> tuple[tuple[str, int], ...]:
    """{a: 70, b: 30} -> (("a", 70), ("b", 30)); ValueError naming what is wrong.

    `a` is the template's own file, `b` its file `<theme>.b.txt` (or .md); a weight of 0 stops a
    variant without deleting it."""
    if not isinstance(value, dict) or not value:
        raise ValueError("variants must be a mapping of variant to weight, like {a: 50, b: 50}")
    pairs = []
    for name, weight in value.items():
        if not isinstance(name, str) or not _VARIANT.match(name):
            raise ValueError(f"variant {name!r} must be a short name of lower-case letters or digits (a, b, c)")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= MAX_VARIANT_WEIGHT:
            raise ValueError(f"the weight of variant {name} must be a whole number from 0 to {MAX_VARIANT_WEIGHT}")
        pairs.append((name, weight))
    if not any(weight for _, weight in pairs):
        raise ValueError("at least one variant needs a weight above 0")
    return tuple(pairs)


def load_catalog_uncached(schedules_dir: Path, templates_dir: Path | None = None) -> Catalog:
    schedules_dir = Path(schedules_dir)
    urgency_path = schedules_dir / URGENCY_FILE
    if not urgency_path.is_file():
        raise SequenceError(str(urgency_path), None, "missing: the urgency tiers live in this file")
    urgency = load_urgency(urgency_path)
    sequences: list[SequenceSpec] = []
    problems: list[Problem] = []
    for path in sorted(schedules_dir.glob("*.y*ml")):
        if path.name == URGENCY_FILE or path.suffix not in (".yaml", ".yml"):
            continue
        try:
            sequences.append(load_sequence(path, urgency, templates_dir))
        except SequenceError as exc:
            problems.extend(exc.problems)
    names: dict[str, str] = {}
    for seq in sequences:
        if seq.name in names:
            problems.append(Problem(seq.file, None, f"sequence name {seq.name!r} is also used by {names[seq.name]}"))
        names[seq.name] = seq.file
    if not sequences and not problems:
        problems.append(Problem(str(schedules_dir), None, "no sequence files (*.yaml) found"))
    if problems:
        first, *rest = problems
        raise SequenceError(first.file, first.step, first.message, more=rest)
    return Catalog(tuple(sequences), urgency, str(schedules_dir))


_cache: dict[tuple[str, str | None], tuple[tuple[Any, ...], Catalog]] = {}
_cache_lock = threading.Lock()


def _signature(schedules_dir: Path, templates_dir: Path | None) -> tuple[Any, ...]:
    files = sorted(schedules_dir.glob("*.y*ml"))
    sig: list[Any] = [(p.name, st.st_mtime_ns, st.st_size) for p in files for st in (p.stat(),)]
    if templates_dir is not None:
        for sub in CHANNELS:
            folder = templates_dir / sub
            sig.append((sub, folder.stat().st_mtime_ns if folder.is_dir() else None))
    return tuple(sig)


def load_catalog(schedules_dir: Path | str, templates_dir: Path | str | None = None) -> Catalog:
    """The validated catalog of `schedules_dir`; loaded again only when a file there changed."""
    sdir = Path(schedules_dir).resolve()
    tdir = Path(templates_dir).resolve() if templates_dir is not None else None
    key = (str(sdir), str(tdir) if tdir else None)
    sig = _signature(sdir, tdir)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == sig:
            return hit[1]
    catalog = load_catalog_uncached(sdir, tdir)
    with _cache_lock:
        _cache[key] = (sig, catalog)
    return catalog


def default_catalog() -> Catalog:
    """The catalog in effect: NURTURE_SCHEDULES_DIR with the versions published in the console over it."""

    return load_catalog(overlay.schedules_dir(get_settings()))
