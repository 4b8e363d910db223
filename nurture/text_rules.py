"""What a stored string may hold (a length cap, no control characters, no lone surrogates), and
`shown()`, the one way to quote outside input back in an error message."""

from __future__ import annotations

import reprlib
import unicodedata
from typing import Any

# Bidirectional embedding, override and isolate controls: they make a name or a reason display
# as something else than it is (the "Trojan Source" trick), on the dashboard and in terminals.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Tab and line breaks are text in a consent wording or a note; anywhere else they are damage.
_MULTILINE_WHITESPACE = frozenset("\t\n\r")
SHOWN_MAX = 40
"""Characters of an input quoted back in an error message: enough to recognise it, never a flood."""
# reprlib bounds the work as well as the output: a deeply nested list is not walked to the bottom.
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 2, SHOWN_MAX, SHOWN_MAX


def text_problem(value: str, *, max_len: int, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text, or None: longer than `max_len` once trimmed, or it holds
    a control character (NUL included), a lone surrogate, or a bidi override. Tab and line breaks
    are allowed only in `multiline` fields."""
    trimmed = value.strip()
    if len(trimmed) > max_len:
        return f"is longer than {max_len:,} characters"
    if value.isascii() and value.isprintable():
        return None  # U+0020..U+007E only: none of them is a control, a surrogate or a bidi mark
    for ch in value:
        if multiline and ch in _MULTILINE_WHITESPACE:
            continue
        category = unicodedata.category(ch)
        if category == "Cs":
            return "is not valid Unicode text (a lone surrogate)"
        if category == "Cc" or ch in _BIDI_CONTROLS or (not multiline and category in ("Zl", "Zp")):
            if ch in _MULTILINE_WHITESPACE and ch not in trimmed:
                continue  # a trailing newline or tab is trimmed away, not stored
            what = "a line break or tab" if ch in _MULTILINE_WHITESPACE else f"a control character (U+{ord(ch):04X})"
            return f"contains {what}: remove it"
    return None


def clip(value: str, max_len: int) -> str:
    """`value` cut to `max_len` characters, with an ellipsis when something was cut."""
    return value if len(value) <= max_len else value[: max_len - 1] + "\u2026"


def scrub(value: Any, max_len: int) -> str:
    """Text from outside (a provider's callback) made storable: NUL, other control characters and
    lone surrogates dropped, tab and line breaks kept, cut to `max_len`."""
    text = "" if value is None else str(value)
    kept = "".join(
        ch for ch in text
        if ch in _MULTILINE_WHITESPACE or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return clip(kept, max_len)


def shown(value: Any) -> str:
    """`value` quoted for an error message: at most SHOWN_MAX characters, control characters escaped."""
    if isinstance(value, str):
        return repr(value[:SHOWN_MAX]) + ("\u2026" if len(value) > SHOWN_MAX else "")
    return clip(_REPR.repr(value), SHOWN_MAX)


#: What a spreadsheet reads as the start of a formula (OWASP's CSV injection list): `=`, `+`, `-`,
#: `@`, and tab and carriage return, which some programs strip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell safe to open in a spreadsheet: text that a spreadsheet would run as a formula gets a
    leading single quote (OWASP's rule), so `=HYPERLINK(...)` from a web form stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        return "'" + str(value)
    return value
