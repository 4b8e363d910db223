"""Tracebacks that are safe to print and log: where an error happened, never what it said.

An exception's message can carry personal data: SQLAlchemy quotes the SQL parameters, PostgreSQL
the duplicate key ("Key (email)=(maria@...)"), pydantic the input. The frames (file, line, code)
and the exception's type say where to look; those are what this prints. An ImportError's message is
a module's name, never anyone's data: it is printed whole.
"""

from __future__ import annotations

import traceback

_CHAIN_MAX = 5
"""Causes followed back from the exception raised (`raise ... from ...`, or during handling)."""


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)  # a SQLAlchemy DBAPIError wraps the driver's error
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code if isinstance(code, str) else None


def _describe(exc: BaseException) -> str:
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException):
        kind += f" from {type(orig).__module__}.{type(orig).__qualname__}"
    code = _sqlstate(exc)
    return kind + (f" (SQLSTATE {code})" if code else "")


def _behind(exc: BaseException) -> BaseException | None:
    """The exception `exc` was raised from or while handling, as Python's own traceback shows it."""
    return exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def _shown_message(exc: BaseException) -> str:
    """What follows the exception's type: its message when it is only a module's name, else a note."""
    if isinstance(exc, ImportError):
        return str(exc)
    return "(message withheld: it may hold personal data)"


def redacted_traceback(exc: BaseException) -> str:
    """`exc`'s traceback (and its causes') with the frames and exception types, messages withheld."""
    parts: list[str] = []
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen and len(seen) < _CHAIN_MAX:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"Traceback (most recent call last):\n{frames}{_describe(current)}: {_shown_message(current)}\n")
        current = _behind(current)
    return "\nwhich was raised while handling or because of:\n\n".join(reversed(parts))


def error_summary(exc: BaseException) -> str:
    """The error's type in a few words for a report a person reads: "IntegrityError (SQLSTATE 23505)"."""
    code = _sqlstate(exc)
    return type(exc).__name__ + (f" (SQLSTATE {code})" if code else "")


def error_place(exc: BaseException) -> str:
    """Where `exc` happened, in the words a developer searches for: the module, function and line of
    the innermost frame in the nurture package, then the last frame's when that is elsewhere
    ("nurture.cli.demo._play, line 139 (raised in starlette.testclient.<module>, line 34)")."""
    frames: list[tuple[str, str, int]] = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append((str(tb.tb_frame.f_globals.get("__name__", "?")), tb.tb_frame.f_code.co_qualname, tb.tb_lineno))
        tb = tb.tb_next
    if not frames:
        return "an unknown place"
    ours = [f for f in frames if f[0] == "nurture" or f[0].startswith("nurture.")]
    module, function, line = (ours or frames)[-1]
    place = f"{module}.{function}, line {line}"
    if ours and ours[-1] != frames[-1]:
        module, function, line = frames[-1]
        place += f" (raised in {module}.{function}, line {line})"
    return place


def unexpected_error(exc: BaseException) -> str:
    """One line for a person at the process edge: the error's type and where it happened, its message
    withheld (an ImportError's shown: a module name), and an import error behind it named in full,
    even one a library hid with `raise ... from None` ("unexpected RuntimeError in
    nurture.cli.demo._play, line 139 (...) (its message is withheld: it may hold personal data);
    behind it: ModuleNotFoundError: No module named 'httpx'")."""
    line = f"unexpected {error_summary(exc)} in {error_place(exc)}"
    line += f": {exc}" if isinstance(exc, ImportError) else " (its message is withheld: it may hold personal data)"
    seen = {id(exc)}
    behind = exc.__cause__ or exc.__context__
    while behind is not None and id(behind) not in seen and len(seen) < _CHAIN_MAX:
        if isinstance(behind, ImportError):
            return line + f"; behind it: {type(behind).__name__}: {behind}"
        seen.add(id(behind))
        behind = behind.__cause__ or behind.__context__
    return line
