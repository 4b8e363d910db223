"""How vendors write a cell, read once per cell: dates in a profile's formats, money, owner names,
yes/no flags. Pure; every pattern is compiled here, at import, never per row."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from nurture.intake.schema import parse_money
from nurture.text_rules import shown

# A date's formats, as a marketer writes them in a profile. MM and DD take one or two digits
# (vendors write 3/7/2026 as often as 03/07/2026); YY is 20YY.
DateReader = Callable[[str], "date | None"]


def _separated(sep: str, order: str, year_digits: int = 4) -> DateReader:
    """A reader of dates written as three numbers joined by `sep`, in `order` (some arrangement of
    "ymd"); None when the text is not written that way, ValueError when it is but names no day."""

    def read(text: str) -> date | None:
        parts = text.split(sep)
        if len(parts) != 3 or not all(p.isdigit() and p.isascii() for p in parts):
            return None
        fields = dict(zip(order, parts, strict=True))
        if len(fields["y"]) != year_digits or len(fields["m"]) > 2 or len(fields["d"]) > 2:
            return None
        year = int(fields["y"]) + (2000 if year_digits == 2 else 0)
        return date(year, int(fields["m"]), int(fields["d"]))

    return read


def _compact(text: str) -> date | None:
    if len(text) != 8 or not (text.isdigit() and text.isascii()):
        return None
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


DATE_FORMATS: dict[str, DateReader] = {
    "YYYY-MM-DD": _separated("-", "ymd"),
    "YYYY/MM/DD": _separated("/", "ymd"),
    "MM/DD/YYYY": _separated("/", "mdy"),
    "MM-DD-YYYY": _separated("-", "mdy"),
    "DD/MM/YYYY": _separated("/", "dmy"),
    "MM/DD/YY": _separated("/", "mdy", year_digits=2),
    "YYYYMMDD": _compact,
}
"""Every date format a profile may name, with its reader."""
DEFAULT_DATE_FORMATS: tuple[str, ...] = ("YYYY-MM-DD", "MM/DD/YYYY", "YYYYMMDD")
"""What a date column without `date_formats:` accepts: the three ways US vendors write a day."""

# What may follow the day: a time ("10:00 AM", "00:00:00", "12:30:00.000Z"), which a date ignores.
_TIME = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4})?", re.ASCII)


def read_date(text: str, formats: tuple[str, ...]) -> date:
    """The day `text` names in one of `formats` (names of DATE_FORMATS), a time after it ignored;
    ValueError saying why not."""
    day_text, sep, rest = text.partition(" ")
    if not sep and "T" in text:
        day_text, _, rest = text.partition("T")
    if rest.strip() and not _TIME.fullmatch(rest.strip()):
        raise ValueError(f"{shown(text)} is not a date written {' or '.join(formats)}")
    for name in formats:
        try:
            day = DATE_FORMATS[name](day_text)
        except ValueError as exc:  # written as the format says, but no such day (2027-02-30)
            raise ValueError(f"{shown(text)} is not a real date ({exc})") from None
        if day is not None:
            return day
    raise ValueError(f"{shown(text)} is not a date written {' or '.join(formats)}")


def read_money(text: str) -> str:
    """An amount as a clean decimal string ("$425,000" is "425000", "371450.250" is "371450.25");
    ValueError (the intake's own rule for money, schema.parse_money) when it is not one."""
    cents = parse_money(text)
    whole, part = divmod(cents, 100)
    return str(whole) if part == 0 else f"{whole}.{part:02d}"


NAME_ORDERS = ("last_first", "first_last")
"""How a profile says an owner's name is written: "GARCIA MARIA L" or "Maria L Garcia"."""
# Several owners in one cell: "JOHNSON ROBERT & JOHNSON LINDA", "CHEN, WEI; LIN, MEI".
_OWNERS = re.compile(r"\s*(?:&|;|/|\bAND\b)\s*", re.IGNORECASE)
_SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV", "V", "MD", "ESQ", "DDS", "PHD"})
# An owner that is a company or a trust has no first name to greet.
_ENTITY_WORDS = frozenset({
    "LLC", "L.L.C.", "INC", "INC.", "CORP", "CORPORATION", "CO", "COMPANY", "LP", "LLP", "LTD", "TRUST",
    "TRUSTEE", "BANK", "ESTATE", "ASSOCIATION", "HOLDINGS", "PROPERTIES", "INVESTMENTS", "PARTNERS",
})


def split_name(text: str, order: str) -> tuple[str, str]:
    """(first, last) of the first owner in `text`, written in `order` (NAME_ORDERS); a comma always
    means "LAST, FIRST". A middle name or initial and a suffix (JR, III) are dropped; a company or a
    trust ("ACME HOLDINGS LLC") is all last name. Either part may be ""."""
    owner = _OWNERS.split(text.strip(), maxsplit=1)[0].strip()
    words = owner.replace(",", " ").split()
    if any(w.upper() in _ENTITY_WORDS for w in words):
        return "", " ".join(words)
    if "," in owner:
        last, _, rest = owner.partition(",")
        given = [w for w in rest.split() if w.upper().strip(".") not in _SUFFIXES]
        return (given[0] if given else ""), last.strip()
    words = [w for i, w in enumerate(words) if i == 0 or w.upper().strip(".") not in _SUFFIXES]
    if not words:
        return "", ""
    if order == "last_first":
        return (words[1] if len(words) > 1 else ""), words[0]
    return words[0], (words[-1] if len(words) > 1 else "")


def title_case(text: str) -> str:
    """A name shouted in capitals ("O'BRIEN") or whispered in lower case as people write it
    ("O'Brien"); a name already in mixed case ("McDonald") is left as it is."""
    if text.isupper() or text.islower():
        return text.title()
    return text
