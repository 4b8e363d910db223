"""How much one message's templates may build, repeat and take, and the checks that hold them to it.

A template is content a marketer edits, so a typo must not take a worker down: `'x'|center(200000000)`
once took 875 MB, and two nested `range(100000)` loops ran past 45 seconds.

- Size: everything that can make a big string or list is measured *before* it is made (a width,
  a repeat count, a join, a replace), so a refusal allocates nothing. No value may exceed
  `RenderLimits.value_chars`; a template's output has its own limit per part (see store.py).
- Repetition and time: renders run in worker threads, where `signal.alarm` does not work and
  nothing can safely interrupt a thread from outside; `sys.settrace` would slow every line and
  fight debuggers and coverage. So the sandbox counts: every loop turn, call and filter is a
  step, and each step checks the step budget and, every few steps, the thread's CPU clock.
  The step budget makes a runaway template fail the same way on every machine (and lint), within
  milliseconds; the clock is the backstop for slow work between steps. CPU time, not wall time,
  so a busy worker process never fails a message that another thread delayed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from inspect import Signature, signature
from string import Formatter
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.utils import Namespace

from nurture.errors import OperatorError

#: Largest exponent `**` may take.
MAX_EXPONENT = 64
#: Largest number a template may compute, in bits (about 1,200 digits; money needs 10).
MAX_INT_BITS = 4096
#: How often (in steps) the CPU clock is read: reading it costs about half a microsecond.
CLOCK_EVERY = 16


class LimitExceeded(OperatorError, SecurityError):
    """A template went over a limit; the message names it in words a marketer can act on."""


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """What rendering one message may use."""

    #: Characters (or list items) in any one value a template builds: no message part may be larger anyway.
    value_chars: int = 100_000
    #: Loop turns, calls and filters in one message: real templates use dozens.
    steps: int = 20_000
    #: CPU seconds of the rendering thread for one message: real templates take milliseconds.
    seconds: float = 2.0


class Budget:
    """What one message's rendering has used so far (steps, time, output of the current part)."""

    __slots__ = ("limits", "steps", "deadline", "output_limit", "output_what", "written")

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.steps = 0
        self.deadline = time.thread_time() + limits.seconds
        self.output_limit = limits.value_chars
        self.output_what = "the output"
        self.written = 0

    def step(self) -> None:
        """One loop turn, call or filter: refused past the step budget or the deadline."""
        self.steps += 1
        if self.steps > self.limits.steps:
            raise LimitExceeded(
                f"too much repetition: more than {self.limits.steps:,} loop turns, calls and filters in one message"
            )
        if self.steps % CLOCK_EVERY == 0:
            self.check_clock()

    def check_clock(self) -> None:
        if time.thread_time() > self.deadline:
            raise LimitExceeded(f"too slow: rendering took more than {self.limits.seconds:g} s of processing time")

    def write(self, size: int) -> None:
        """`size` more characters written by {{ ... }}, in the current part or any buffer inside it."""
        self.written += size
        if self.written > self.output_limit:
            raise too_long(self.output_what, self.output_limit)

    @contextmanager
    def output(self, limit: int, what: str) -> Iterator[None]:
        """Render one part (an SMS body, a subject, an email's HTML) within `limit` characters."""
        saved = self.output_limit, self.output_what, self.written
        self.output_limit, self.output_what, self.written = limit, what, 0
        try:
            yield
        finally:
            self.output_limit, self.output_what, self.written = saved


def too_long(what: str, limit: int) -> LimitExceeded:
    return LimitExceeded(f"too long: {what} would be longer than {limit:,} characters")


_ACTIVE: ContextVar[Budget | None] = ContextVar("nurture_render_budget", default=None)


def active_budget() -> Budget | None:
    """The budget of the render running in this thread, if any."""
    return _ACTIVE.get()


@contextmanager
def budget(limits: RenderLimits) -> Iterator[Budget]:
    """The running render's budget, or a new one for a render starting now (per thread)."""
    current = _ACTIVE.get()
    if current is not None:
        yield current
        return
    fresh = Budget(limits)
    token = _ACTIVE.set(fresh)
    try:
        yield fresh
    finally:
        _ACTIVE.reset(token)


def step() -> None:
    """Count one step against the running render, if there is one (compile-time folding has none)."""
    current = _ACTIVE.get()
    if current is not None:
        current.step()


# -- sizes -----------------------------------------------------------------------------------------


def size_of(value: Any, cap: int) -> int:
    """About how many characters `value` prints as, counted up to `cap` (then cap + 1).

    Lists that hold the same big value many times are counted in full: `[s, s, s]` prints three
    times `s`. Counting stops past `cap`, so a huge (or endlessly nested) value costs at most
    `cap` steps to measure. Iterators are not consumed: whoever consumes them is measured.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 1
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + len(item)
            if total <= cap:
                stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 2 * len(item)
            if total <= cap:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, range):
            total += 20  # prints as "range(0, 10)"; whoever lists or joins it is measured
        elif isinstance(item, Namespace):
            # {% set ns = namespace() %}: prints as its attributes, which a loop can grow.
            stack.append(getattr(item, "_Namespace__attrs", {}))
        else:
            total += 1  # an object of ours (lead, links), a date, a number: prints short
        if total > cap:
            return cap + 1
    return total


def check_size(size: int, limit: int, what: str) -> None:
    """Refuse `what` when it would be `size` characters, above `limit`."""
    if size > limit:
        amount = f"more than {limit:,}" if size == limit + 1 else f"{size:,}"
        raise LimitExceeded(f"too big: {what} would make {amount} characters; a template may build at most {limit:,}")


def check_value(value: Any, limit: int, what: str) -> int:
    size = size_of(value, limit)
    check_size(size, limit, what)
    return size


def materialize(iterable: Any, limit: int, what: str) -> list[Any]:
    """`iterable` as a list, refused past `limit` items (a generator is consumed once, here)."""
    items: list[Any] = []
    for item in iterable:
        items.append(item)
        if len(items) > limit:
            raise LimitExceeded(f"too big: {what} has more than {limit:,} items")
    return items


def check_bits(bits: int, what: str) -> None:
    """Refuse arithmetic whose result would need `bits` bits."""
    if bits > MAX_INT_BITS:
        raise LimitExceeded(f"too big: {what} would be a number with more than {MAX_INT_BITS * 3 // 10:,} digits")


def check_repeat(seq: Any, count: Any, limit: int) -> None:
    """`seq * count` for a string or list."""
    if isinstance(seq, str | list | tuple) and isinstance(count, int) and count > 0:
        check_size(size_of(seq, limit) * count, limit, f"{_short(seq)} * {count}")


def check_width(width: Any, limit: int, what: str) -> None:
    if isinstance(width, int) and width > limit:
        check_size(width, limit, what)


# printf-style conversions: "%s", "%(name)-20s", "%.2f", "%*d".
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def check_printf(fmt: str, args: Any, limit: int) -> None:
    """`fmt % args`: every width and precision is bounded, and so is the result."""
    conversions = _PRINTF.findall(fmt)
    widest = 0
    for width, precision in conversions:
        if "*" in (width, precision):
            raise LimitExceeded("too big: a '*' width in a % format is not allowed; write the number")
        widest = max(widest, int(width or 0), int(precision or 0) + 32)
    need = len(fmt) + len(conversions) * max(widest, size_of(args, limit))
    check_size(need, limit, f"the format {_short(fmt)}")


def check_format(fmt: str, args: Iterable[Any], kwargs: dict[str, Any], limit: int) -> None:
    """`fmt.format(*args, **kwargs)`: bounded widths, no widths taken from values, a bounded result."""
    fields = 0
    widest = 0
    for _literal, field, spec, _conversion in Formatter().parse(fmt):
        if field is None:
            continue
        fields += 1
        if spec and "{" in spec:
            raise LimitExceeded("too big: a width taken from a value ('{:{}}') is not allowed; write the number")
        widest = max([widest, *(int(n) for n in re.findall(r"\d+", spec or ""))])
    biggest = max([0, *(size_of(a, limit) for a in args), *(size_of(v, limit) for v in kwargs.values())])
    check_size(len(fmt) + fields * max(widest, biggest), limit, f"the format {_short(fmt)}")


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def bounded_range(limit: int) -> Callable[..., range]:
    """A `range` global that never counts past what one message may loop over."""

    def range_(*args: int) -> range:
        numbers = range(*args)
        if len(numbers) > limit:
            raise LimitExceeded(
                f"too much repetition: range({', '.join(map(str, args))}) counts {len(numbers):,} numbers; "
                f"a message may loop at most {limit:,} times"
            )
        return numbers

    return range_


# -- filters ---------------------------------------------------------------------------------------

#: Filters a message has no use for and that cannot be bounded cheaply.
REMOVED_FILTERS = ("urlize",)

_Check = Callable[[dict[str, Any], int], None]


def _center(a: dict[str, Any], limit: int) -> None:
    check_width(a["width"], limit, f"center({a['width']})")


def _indent(a: dict[str, Any], limit: int) -> None:
    width, text = a["width"], str(a["s"])
    unit = len(width) if isinstance(width, str) else int(width)
    what = f"indent({width if isinstance(width, int) else '...'})"
    check_size(len(text) + unit * (text.count("\n") + 1), limit, what)


def _wordwrap(a: dict[str, Any], limit: int) -> None:
    text, wrap, width = str(a["s"]), a["wrapstring"] or "\n", max(1, int(a["width"]))
    # A break at most every `width` characters, and after every word (long words are split too).
    breaks = len(text) // width + len(text.split()) + text.count("\n") + 1
    check_size(len(text) + breaks * len(wrap), limit, "wordwrap")


def _format(a: dict[str, Any], limit: int) -> None:
    check_printf(str(a["value"]), a["kwargs"] or a["args"], limit)


def _replace(a: dict[str, Any], limit: int) -> None:
    check_replace(str(a["s"]), str(a["old"]), str(a["new"]), a["count"], limit)


def check_replace(text: str, old: str, new: str, count: int | None, limit: int) -> None:
    found = len(text) + 1 if not old else text.count(old)
    if count is not None and count >= 0:
        found = min(found, count)
    check_size(len(text) + found * max(0, len(new) - len(old)), limit, f"replace({_short(old)}, {_short(new)})")


def check_join(items: list[Any], separator: str, limit: int) -> None:
    total = max(0, len(items) - 1) * len(separator)
    for item in items:
        total += size_of(item, limit)
        if total > limit:
            break
    check_size(total, limit, "join")


def _count(name: str, key: str) -> _Check:
    def check(a: dict[str, Any], limit: int) -> None:
        check_width(a[key], limit, f"{name}({a[key]})")

    return check


def _tojson(a: dict[str, Any], limit: int) -> None:
    # Every line of nested JSON repeats the indent once per level: keep it small.
    if isinstance(a["indent"], int) and a["indent"] > 4:
        raise LimitExceeded(f"too big: tojson(indent={a['indent']}); use an indent of at most 4")


_CHECKS: dict[str, _Check] = {
    "center": _center,
    "indent": _indent,
    "wordwrap": _wordwrap,
    "format": _format,
    "replace": _replace,
    "batch": _count("batch", "linecount"),
    "slice": _count("slice", "slices"),
    "tojson": _tojson,
}
# Filters that take an iterable and may be handed a generator: materialized once, then measured.
_ITERABLES = {"join": "value", "sum": "iterable", "list": "value"}


def bounded_filters(filters: dict[str, Callable[..., Any]], limits: RenderLimits) -> dict[str, Callable[..., Any]]:
    """Every filter wrapped to count a step, measure what it gets and what it makes, and check its own risks."""
    return {name: _bounded_filter(name, func, limits) for name, func in filters.items() if name not in REMOVED_FILTERS}


def _bounded_filter(name: str, func: Callable[..., Any], limits: RenderLimits) -> Callable[..., Any]:
    limit = limits.value_chars
    check = _CHECKS.get(name)
    iterable_arg = _ITERABLES.get(name)
    # A filter marked pass_context (or eval_context, environment) gets that object first: not a value.
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    sig = _value_signature(func, skip) if check is not None or iterable_arg is not None else None
    what = f"the {name} filter"

    @wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        step()
        passed, args = args[:skip], args[skip:]
        for arg in (*args, *kwargs.values()):
            check_value(arg, limit, what)
        if sig is not None:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            if iterable_arg is not None:
                items = materialize(bound.arguments[iterable_arg], limit, what)
                bound.arguments[iterable_arg] = items
                if name == "join":
                    check_join(items, str(bound.arguments["d"]), limit)
                else:
                    check_value(items, limit, what)
            if check is not None:
                check(bound.arguments, limit)
            args, kwargs = bound.args, bound.kwargs
        result = func(*passed, *args, **kwargs)
        check_value(result, limit, what)
        return result

    return bounded


def _value_signature(func: Callable[..., Any], skip: int) -> Signature:
    """The parameters a template fills in: without the context Jinja passes first, when the signature shows it.

    (Jinja's async-variant filters, like `list`, take the context but show the plain function's signature.)
    """
    sig = signature(func)
    params = list(sig.parameters.values())
    if skip and params and params[0].name in {"environment", "eval_ctx", "context", "__context"}:
        sig = sig.replace(parameters=params[1:])
    return sig
