"""The sandboxed Jinja environment every message template is compiled in."""

from __future__ import annotations

import traceback
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from nurture.content.context import and_list, days, money

#: Longest string or list a template may build with `*` (a typo like `'=' * 10**9` must not eat memory).
MAX_PRODUCT = 20_000
#: Largest exponent `**` may take.
MAX_EXPONENT = 64

#: Names with this suffix are compiled with HTML autoescaping on.
HTML_SUFFIX = "#html"


def _blank_none(value: Any) -> Any:
    # A missing city must print as nothing, not as "None".
    return "" if value is None else value


class MessageEnvironment(ImmutableSandboxedEnvironment):
    """Sandboxed (no Python internals, no mutation), strict about undefined names, bounded `*` and `**`."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=lambda name: bool(name) and name.endswith(HTML_SUFFIX),
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_blank_none,
            auto_reload=False,
        )
        self.filters.update(money=money, days=days, and_list=and_list)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"the exponent {right} is too large")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int) and len(seq) * count > MAX_PRODUCT:
                    raise SecurityError(f"'*' would build something longer than {MAX_PRODUCT}")
        return super().call_binop(context, operator, left, right)

    def compile_template(self, source: str, *, name: str, filename: str) -> Template:
        """Compile `source`; `filename` is what runtime errors are traced back to."""
        code = self.compile(source, name=name, filename=filename)
        return self.template_class.from_code(self, code, self.make_globals(None))


def describe(exc: BaseException) -> str:
    """A marketer-readable line for a template error."""
    if isinstance(exc, TemplateSyntaxError):
        return f"syntax error: {exc.message}"
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
