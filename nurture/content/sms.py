"""SMS text rules: GSM-7 / UCS-2 segment counting and normalising typography to GSM-7."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The GSM 03.38 basic character set; each costs one septet.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as ESC + char, so it costs two septets.
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# Characters that word processors (and the source article) put in text. Each one outside GSM-7
# switches the whole message to UCS-2: 70 characters a segment instead of 160, so twice the cost.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        # The rest of the quotes Twilio's Smart Encoding replaces ("List of characters replaced by
        # Smart Encoding", twilio.com/docs/messaging/services/smart-encoding-char-list): modifier
        # letters, ornaments, CJK and fullwidth marks. Letters are never replaced here (í, ó, ễ have
        # no GSM-7 form): a name like María or Nguyễn keeps a text UCS-2 (templates/README.md).
        "\u02ba": '"', "\u02ee": '"', "\u275d": '"', "\u275e": '"', "\u301d": '"', "\u301e": '"',
        "\uff02": '"',
        "\u02bb": "'", "\u02c8": "'", "\u02bc": "'", "\u02bd": "'", "\u02b9": "'", "\uff07": "'",
        "\u02ca": "'", "\u02cb": "'", "\u0060": "'", "\u275b": "'", "\u275c": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "-", "\u00b7": "-",
        # \xa0 and the other fixed-width spaces look like a space but are not in GSM-7.
        "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ",
        "\u2007": " ", "\u2008": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u205f": " ",
        "\t": " ",
        "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    }
)
_SPACES = re.compile(r"[ ]{2,}")
_TRAILING = re.compile(r"[ ]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class SegmentInfo:
    """How a text goes over the air: its encoding, segment count and length in that encoding's units."""

    encoding: str
    segments: int
    length: int


def is_gsm7(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def non_gsm_chars(text: str) -> list[str]:
    """The distinct characters that force UCS-2, in order of appearance."""
    seen: dict[str, None] = {}
    for c in text:
        if c not in GSM_BASIC and c not in GSM_EXTENDED:
            seen.setdefault(c, None)
    return list(seen)


def _units(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if c in GSM_EXTENDED else 1 for c in text]
    # UCS-2 on the wire is UTF-16: a character outside the BMP (an emoji) takes two units.
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def _pack(units: list[int], part: int) -> int:
    # A two-unit character (escape pair or surrogate pair) is never split across segments.
    segments, used = 1, 0
    for u in units:
        if used + u > part:
            segments, used = segments + 1, 0
        used += u
    return segments


def sms_segments(text: str) -> SegmentInfo:
    """Encoding and segment count of `text` as a carrier would split it (160/153 GSM-7, 70/67 UCS-2)."""
    gsm = is_gsm7(text)
    units = _units(text, gsm)
    length = sum(units)
    single, part = (GSM_SINGLE, GSM_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    if length == 0:
        segments = 0
    elif length <= single:
        segments = 1
    else:
        segments = _pack(units, part)
    return SegmentInfo(encoding=GSM7 if gsm else UCS2, segments=segments, length=length)


def normalize_sms(text: str) -> str:
    """Typographic quotes, dashes, ellipses and odd spaces replaced by their GSM-7 look-alikes."""
    return text.translate(_TYPOGRAPHY)


def tidy(text: str) -> str:
    """Collapse the double spaces and blank runs that optional template parts leave behind."""
    text = _SPACES.sub(" ", text.replace("\r\n", "\n"))
    text = _TRAILING.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def with_footer(text: str, footer: str) -> str:
    """`text` with `footer` on a line of its own after it (once; unchanged when `footer` is empty)."""
    if not footer or footer in text:
        return text
    return f"{text}\n{footer}" if text else footer
