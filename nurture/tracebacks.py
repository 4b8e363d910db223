"""Tracebacks that are safe to print and log: where an error happened, never what it said.

An exception's message can carry personal data: SQLAlchemy quotes the SQL parameters, PostgreSQL
the duplicate key ("Key (email)=(maria@...)"), pydantic the input. The frames (file, line, code)
and the exception's type say where to look; those are what this prints.
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


def redacted_traceback(exc: BaseException) -> str:
    """`exc`'s traceback (and its causes') with the frames and exception types, messages withheld."""
    parts: list[str] = []
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen and len(seen) < _CHAIN_MAX:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"Traceback (most recent call last):\n{frames}{_describe(current)}: "
                     "(message withheld: it may hold personal data)\n")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\nwhich was raised while handling or because of:\n\n".join(reversed(parts))


def error_summary(exc: BaseException) -> str:
    """The error's type in a few words for a report a person reads: "IntegrityError (SQLSTATE 23505)"."""
    code = _sqlstate(exc)
    return type(exc).__name__ + (f" (SQLSTATE {code})" if code else "")
