"""The sandboxed Jinja environment every message template is compiled in, held to its limits (content.limits)."""

from __future__ import annotations

import traceback
import types
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from functools import update_wrapper
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from nurture.content import limits
from nurture.content.context import money
from nurture.content.languages import DEFAULT_LANGUAGE, words
from nurture.content.limits import (
    MAX_EXPONENT,
    Budget,
    LimitExceeded,
    RenderLimits,
    check_bits,
    check_format,
    check_join,
    check_printf,
    check_repeat,
    check_replace,
    check_size,
    check_value,
    check_width,
    materialize,
    size_of,
    too_long,
)

#: Names with this suffix are compiled with HTML autoescaping on.
HTML_SUFFIX = "#html"

#: Text methods a template may call ('{{ lead.city.upper() }}'); the others have no use in a message.
STR_METHODS = frozenset({
    "capitalize", "casefold", "center", "count", "endswith", "find", "index", "isalnum", "isalpha", "isascii",
    "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join", "ljust", "lower",
    "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition",
    "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "zfill",
    "striptags", "unescape",
})
#: List and dict methods a template may call (changing them is refused by the sandbox anyway).
CONTAINER_METHODS = frozenset({"count", "index", "get", "keys", "values", "items", "copy"})


class _LimitedCodeGenerator(CodeGenerator):
    """Jinja's compiler, with every loop counted and every `~` measured before it joins."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        # {% for x in items %} iterates environment.bounded_iter(items): one step per turn.
        node.iter = nodes.Call(
            nodes.EnvironmentAttribute("bounded_iter"), [node.iter], [], None, None, lineno=node.iter.lineno
        )
        super().visit_For(node, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # As Jinja's own, with the parts measured before they are joined.
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.bounded_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


class BoundedTemplate(Template):
    """A template whose render runs within a budget: the caller's (TemplateStore) or its own."""

    environment: MessageEnvironment

    def render(self, *args: Any, **kwargs: Any) -> str:
        with self.environment.budget():
            return super().render(*args, **kwargs)


def _blank_none(value: Any) -> Any:
    # A missing city must print as nothing, not as "None".
    return "" if value is None else value


class MessageEnvironment(ImmutableSandboxedEnvironment):
    """Sandboxed (no Python internals, no mutation), strict about undefined names, and bounded.

    Bounded: no value bigger than `render_limits.value_chars`, no more than `render_limits.steps` loop
    turns, calls and filters per message, no more than `render_limits.seconds` of CPU (see
    nurture.content.limits).
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _LimitedCodeGenerator
    template_class = BoundedTemplate

    def __init__(self, render_limits: RenderLimits | None = None, *, language: str = DEFAULT_LANGUAGE) -> None:
        self.render_limits = render_limits or RenderLimits()
        self.language = language
        super().__init__(
            undefined=StrictUndefined,
            autoescape=lambda name: bool(name) and name.endswith(HTML_SUFFIX),
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=self._finalize,
            auto_reload=False,
        )
        said = words(language)  # the templates compiled here are written in `language`
        self.filters.update(money=money, days=said.days, and_list=said.and_list)
        self.filters = limits.bounded_filters(self.filters, self.render_limits)
        self.globals["range"] = limits.bounded_range(self.render_limits.steps)
        del self.globals["lipsum"]  # random filler text can build megabytes and has no place in a message

    def budget(self) -> AbstractContextManager[Budget]:
        """The running render's budget, or a new one: wrap a whole message (all its parts) in one."""
        return limits.budget(self.render_limits)

    def compile_template(self, source: str, *, name: str, filename: str) -> Template:
        """Compile `source`; `filename` is what runtime errors are traced back to."""
        code = self.compile(source, name=name, filename=filename)
        return self.template_class.from_code(self, code, self.make_globals(None))

    # -- what compiled templates call ---------------------------------------------------------------

    def bounded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """A loop's items, one step each."""
        for item in iterable:
            limits.step()
            yield item

    def bounded_parts(self, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        """The parts of `a ~ b ~ c`, refused before joining when together they are too big."""
        limit = self.render_limits.value_chars
        check_size(sum(size_of(part, limit) for part in parts), limit, "joining text with '~'")
        return parts

    def concat(self, parts: Iterable[str]) -> str:
        """Join a template's output or a buffer (a macro, a {% set %} block), within the part's limit."""
        current = limits.active_budget()
        if current is not None:
            limit, what = current.output_limit, current.output_what
        else:
            limit, what = self.render_limits.value_chars, "the output"
        if isinstance(parts, list):
            if sum(map(len, parts)) > limit:
                raise too_long(what, limit)
            return "".join(parts)
        out: list[str] = []
        total = 0
        for piece in parts:
            total += len(piece)
            if total > limit:
                throw = getattr(parts, "throw", None)
                if throw is not None:
                    throw(too_long(what, limit))  # raised at the template line that wrote too much
                raise too_long(what, limit)
            out.append(piece)
        return "".join(out)

    def _finalize(self, value: Any) -> Any:
        """Every {{ ... }} on its way out: measured, and counted against the part being written."""
        value = _blank_none(value)
        size = check_value(value, self.render_limits.value_chars, "this value")
        current = limits.active_budget()
        if current is not None:
            current.write(size)
        return value

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Every call in a template (functions, macros, methods): one step, measured in and out."""
        limits.step()
        limit = __self.render_limits.value_chars
        if isinstance(__obj, LoopContext) and args:  # loop(children) in a recursive loop
            args = (__self.bounded_iter(args[0]), *args[1:])
        args = __self._checked_method_args(__obj, args, kwargs)
        for key, arg in (*enumerate(args), *kwargs.items()):
            if key not in _JINJA_KWARGS:
                check_value(arg, limit, "a value passed to a call")
        result = super().call(__context, __obj, *args, **kwargs)
        check_value(result, limit, "the result of a call")
        return result

    def _checked_method_args(self, obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        if not isinstance(obj, types.BuiltinMethodType | types.MethodType):
            return args
        owner, name = obj.__self__, obj.__name__
        limit = self.render_limits.value_chars
        if isinstance(owner, str):
            if name not in STR_METHODS:
                raise SecurityError(f"the text method {name!r} is not available in templates")
            if name in {"center", "ljust", "rjust", "zfill"}:
                check_width(args[0] if args else kwargs.get("width"), limit, f"{name}({args[0] if args else ''})")
            elif name == "replace" and len(args) >= 2:
                check_replace(owner, str(args[0]), str(args[1]), args[2] if len(args) > 2 else None, limit)
            elif name == "join" and args:
                items = materialize(args[0], limit, "join")
                check_join(items, owner, limit)
                args = (items, *args[1:])
        elif isinstance(owner, list | tuple | dict) and name not in CONTAINER_METHODS:
            raise SecurityError(f"the method {name!r} is not available in templates")
        return args

    def wrap_str_format(self, value: Any) -> Any:
        """'...'.format(...) and format_map, with their widths and result bounded."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt, is_map, limit = value.__self__, value.__name__ == "format_map", self.render_limits.value_chars

        def bounded(*args: Any, **kwargs: Any) -> str:
            named = args[0] if is_map and args and isinstance(args[0], dict) else kwargs
            check_format(fmt, () if is_map else args, named, limit)
            return wrapped(*args, **kwargs)

        return update_wrapper(bounded, value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        limit = self.render_limits.value_chars
        if operator == "*":
            check_repeat(left, right, limit)
            check_repeat(right, left, limit)
            if _whole(left) and _whole(right):
                check_bits(left.bit_length() + right.bit_length(), f"{left} * {right}")
        elif operator == "**" and isinstance(right, int | float):
            if abs(right) > MAX_EXPONENT:
                raise LimitExceeded(f"too big: the exponent {right} is larger than {MAX_EXPONENT}")
            if _whole(left) and isinstance(right, int) and right > 0:
                check_bits(left.bit_length() * right, f"{left} ** {right}")
        elif operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            check_size(size_of(left, limit) + size_of(right, limit), limit, "joining with '+'")
        elif operator == "%" and isinstance(left, str):
            check_printf(left, right, limit)
        return super().call_binop(context, operator, left, right)


# What Jinja itself passes to calls made inside loops and blocks: the scope, not an argument.
_JINJA_KWARGS = frozenset({"_loop_vars", "_block_vars"})


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def describe(exc: BaseException) -> str:
    """A marketer-readable line for a template error."""
    if isinstance(exc, TemplateSyntaxError):
        return f"syntax error: {exc.message}"
    if isinstance(exc, LimitExceeded):
        return str(exc)  # "too big: ...", "too long: ...", "too much repetition: ...", "too slow: ..."
    if isinstance(exc, RecursionError):
        return "too much repetition: a macro or recursive loop calls itself without end"
    if isinstance(exc, SecurityError):
        return f"unsafe: {exc}"
    if isinstance(exc, UndefinedError):
        message = str(exc)
        for view in ("LeadView", "Links", "Company"):
            message = message.replace(f"'nurture.content.context.{view} object'", f"'{view.lower()}'")
        message = message.replace("'leadview'", "'lead'")
        return f"undefined name: {message}"
    return f"{type(exc).__name__}: {exc}"


def error_line(exc: BaseException, filenames: set[str]) -> tuple[str, int] | None:
    """The (file, line) in a template that raised `exc`, from the traceback Jinja rewrote."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename in filenames and exc.lineno:
        return exc.filename, exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in filenames and frame.lineno:
            return frame.filename, frame.lineno
    return None
