"""SMS text rules: GSM-7 / UCS-2 segment counting, normalising typography to GSM-7, and the
per-template Smart Encoding option (Twilio's list of look-alikes)."""

from __future__ import annotations

import re
import unicodedata
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
#: Twilio's Smart Encoding: every character it replaces, and what it sends instead. Taken as it is
#: from the map of Twilio's own segment calculator, src/libs/SmartEncodingMap.ts of
#: github.com/TwilioDevEd/message-segment-calculator (commit a50230f, "Add support for Twilio's
#: current SmartEncoding"), which follows "List of characters replaced by Smart Encoding"
#: (twilio.com/docs/messaging/services/smart-encoding-char-list). Quotes, dashes, spaces, fullwidth
#: and small forms, a few symbols and control characters; NO letter with an accent: á, í, ó, ú, ễ
#: are not on it, so a Spanish or Vietnamese word keeps a text UCS-2 with or without the option.
#: Kept as the source has it, oddities included (U+2039 '‹' becomes '>', U+00A0 two spaces, a tab
#: seven), so our count and Twilio's calculator agree; tidy() then folds the runs of spaces.
SMART_ENCODING: dict[str, str] = {
    "\u00ab": '"', "\u00bb": '"', "\u201c": '"', "\u201d": '"', "\u02ba": '"', "\u02ee": '"', "\u201f": '"',
    "\u201e": '"', "\u275d": '"', "\u275e": '"', "\u301d": '"', "\u301e": '"', "\uff02": '"', "\u2018": "'",
    "\u2019": "'", "\u02bb": "'", "\u02c8": "'", "\u02bc": "'", "\u02bd": "'", "\u02b9": "'", "\u201b": "'",
    "\uff07": "'", "\u00b4": "'", "\u02ca": "'", "\u0060": "'", "\u02cb": "'", "\u275b": "'", "\u275c": "'",
    "\u0313": "'", "\u0314": "'", "\ufe10": "'", "\ufe11": "'", "\u00f7": '/', "\u00bc": '1/4', "\u00bd": '1/2',
    "\u00be": '3/4', "\u29f8": '/', "\u0337": '/', "\u0338": '/', "\u2044": '/', "\u2215": '/', "\uff0f": '/',
    "\u29f9": '\\', "\u29f5": '\\', "\u20e5": '\\', "\ufe68": '\\', "\uff3c": '\\', "\u0332": '_', "\uff3f": '_',
    "\u20d2": '|', "\u20d3": '|', "\u2223": '|', "\uff5c": '|', "\u23b8": '|', "\u23b9": '|', "\u23d0": '|',
    "\u239c": '|', "\u239f": '|', "\u23bc": '-', "\u23bd": '-', "\u2015": '-', "\ufe63": '-', "\uff0d": '-',
    "\u2010": '-', "\u2043": '-', "\ufe6b": '@', "\uff20": '@', "\ufe69": '$', "\uff04": '$', "\u01c3": '!',
    "\ufe15": '!', "\ufe57": '!', "\uff01": '!', "\ufe5f": '#', "\uff03": '#', "\ufe6a": '%', "\uff05": '%',
    "\ufe60": '&', "\uff06": '&', "\u201a": ',', "\u0326": ',', "\ufe50": ',', "\ufe51": ',', "\uff0c": ',',
    "\uff64": ',', "\u2768": '(', "\u276a": '(', "\ufe59": '(', "\uff08": '(', "\u27ee": '(', "\u2985": '(',
    "\u2769": ')', "\u276b": ')', "\ufe5a": ')', "\uff09": ')', "\u27ef": ')', "\u2986": ')', "\u204e": '*',
    "\u2217": '*', "\u229b": '*', "\u2722": '*', "\u2723": '*', "\u2724": '*', "\u2725": '*', "\u2731": '*',
    "\u2732": '*', "\u2733": '*', "\u273a": '*', "\u273b": '*', "\u273c": '*', "\u273d": '*', "\u2743": '*',
    "\u2749": '*', "\u274a": '*', "\u274b": '*', "\u29c6": '*', "\ufe61": '*', "\uff0a": '*', "\u02d6": '+',
    "\ufe62": '+', "\uff0b": '+', "\u3002": '.', "\ufe52": '.', "\uff0e": '.', "\uff61": '.', "\uff10": '0',
    "\uff11": '1', "\uff12": '2', "\uff13": '3', "\uff14": '4', "\uff15": '5', "\uff16": '6', "\uff17": '7',
    "\uff18": '8', "\uff19": '9', "\u02d0": ':', "\u02f8": ':', "\u2982": ':', "\ua789": ':', "\ufe13": ':',
    "\uff1a": ':', "\u204f": ';', "\ufe14": ';', "\ufe54": ';', "\uff1b": ';', "\ufe64": '<', "\uff1c": '<',
    "\u0347": '=', "\ua78a": '=', "\ufe66": '=', "\uff1d": '=', "\ufe65": '>', "\uff1e": '>', "\ufe16": '?',
    "\ufe56": '?', "\uff1f": '?', "\uff21": 'A', "\u1d00": 'A', "\uff22": 'B', "\u0299": 'B', "\uff23": 'C',
    "\u1d04": 'C', "\uff24": 'D', "\u1d05": 'D', "\uff25": 'E', "\u1d07": 'E', "\uff26": 'F', "\ua730": 'F',
    "\uff27": 'G', "\u0262": 'G', "\uff28": 'H', "\u029c": 'H', "\uff29": 'I', "\u026a": 'I', "\uff2a": 'J',
    "\u1d0a": 'J', "\uff2b": 'K', "\u1d0b": 'K', "\uff2c": 'L', "\u029f": 'L', "\uff2d": 'M', "\u1d0d": 'M',
    "\uff2e": 'N', "\u0274": 'N', "\uff2f": 'O', "\u1d0f": 'O', "\uff30": 'P', "\u1d18": 'P', "\uff31": 'Q',
    "\uff32": 'R', "\u0280": 'R', "\uff33": 'S', "\ua731": 'S', "\uff34": 'T', "\u1d1b": 'T', "\uff35": 'U',
    "\u1d1c": 'U', "\uff36": 'V', "\u1d20": 'V', "\uff37": 'W', "\u1d21": 'W', "\uff38": 'X', "\uff39": 'Y',
    "\u028f": 'Y', "\uff3a": 'Z', "\u1d22": 'Z', "\u02c6": '^', "\u0302": '^', "\uff3e": '^', "\u1dcd": '^',
    "\u2774": '{', "\ufe5b": '{', "\uff5b": '{', "\u2775": '}', "\ufe5c": '}', "\uff5d": '}', "\uff3b": '[',
    "\uff3d": ']', "\u02dc": '~', "\u02f7": '~', "\u0303": '~', "\u0330": '~', "\u0334": '~', "\u223c": '~',
    "\uff5e": '~', "\u00a0": '  ', "\u2000": '  ', "\u2002": '  ', "\u2003": '  ', "\u2004": '  ',
    "\u2005": '  ', "\u2006": '  ', "\u2007": '  ', "\u2008": '  ', "\u2009": '  ', "\u200a": '  ',
    "\u202f": '  ', "\u205f": '  ', "\u3000": '  ', "\u008d": '  ', "\u009f": '  ', "\u0080": '  ',
    "\u0090": '  ', "\u009b": '  ', "\u0010": '', "\u0009": '       ', "\u0000": '', "\u0003": '', "\u0004": '',
    "\u0017": '', "\u0019": '', "\u0011": '', "\u0012": '', "\u0013": '', "\u0014": '', "\u2060": '',
    "\u2017": '_', "\u2014": '-', "\u2013": '-', "\u2039": '>', "\u203a": '<', "\u203c": '!!', "\u2028": ' ',
    "\u2029": ' ', "\u2026": '...', "\u2001": ' ', "\u200b": '', "\u3001": ',', "\ufeff": '', "\u2022": '-',
}
_SMART = str.maketrans(SMART_ENCODING)
_SPACES = re.compile(r"[ ]{2,}")
_TRAILING = re.compile(r"[ ]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class SegmentInfo:
    """How a text goes over the air: its encoding, segment count and length in that encoding's units."""

    encoding: str
    segments: int
    length: int
    #: The characters that made it UCS-2, in order of appearance (none for GSM-7).
    non_gsm_chars: tuple[str, ...] = ()


def is_gsm7(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)


def non_gsm_chars(text: str) -> list[str]:
    """The distinct characters that force UCS-2, in order of appearance."""
    seen: dict[str, None] = {}
    for c in text:
        if c not in GSM_BASIC and c not in GSM_EXTENDED:
            seen.setdefault(c, None)
    return list(seen)


def _joins(previous: str, char: str, regional_run: int) -> bool:
    """Whether `char` belongs to the same visible character as the text before it: an accent or
    other combining mark, a zero-width joiner and what it joins, a variation selector, a skin tone
    or emoji tag, the second of a pair of regional indicators (a flag). Never across a line break."""
    if unicodedata.category(previous) in ("Cc", "Zl", "Zp") or unicodedata.category(char) in ("Cc", "Zl", "Zp"):
        return False
    code = ord(char)
    if (unicodedata.category(char) in ("Mn", "Me", "Mc") or char == "\u200d" or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F):
        return True
    if previous == "\u200d" and unicodedata.category(char) == "So":
        return True
    return 0x1F1E6 <= code <= 0x1F1FF and regional_run % 2 == 1


def _units(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if c in GSM_EXTENDED else 1 for c in text]
    # UCS-2 on the wire is UTF-16: a character outside the BMP (an emoji) takes two units, and a
    # visible character made of several (é as e + accent, a flag, a family emoji) is kept whole in
    # one segment, as Twilio's segment calculator keeps it.
    units: list[int] = []
    regional_run = 0
    previous = ""
    for c in text:
        size = 2 if ord(c) > 0xFFFF else 1
        if units and _joins(previous, c, regional_run):
            units[-1] += size
        else:
            units.append(size)
        regional_run = regional_run + 1 if 0x1F1E6 <= ord(c) <= 0x1F1FF else 0
        previous = c
    return units


def _pack(units: list[int], part: int) -> int:
    # A character of several units (escape pair, surrogate pair, a letter and its accent) is never
    # split across segments.
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
    forcing = () if gsm else tuple(non_gsm_chars(text))
    return SegmentInfo(encoding=GSM7 if gsm else UCS2, segments=segments, length=length, non_gsm_chars=forcing)


def normalize_sms(text: str) -> str:
    """Typographic quotes, dashes, ellipses and odd spaces replaced by their GSM-7 look-alikes."""
    return text.translate(_TYPOGRAPHY)


def encoding_words(text: str) -> str:
    """'GSM-7', or 'UCS-2 because of 'á' 'ó'': how `text` goes out and, for UCS-2, why (preview, lint)."""
    info = sms_segments(text)
    if info.encoding == GSM7:
        return GSM7
    return f"{UCS2} because of " + " ".join(repr(c) for c in info.non_gsm_chars)


def smart_would_help(text: str) -> bool:
    """True when `text` is UCS-2 and Twilio's look-alikes (the `{# encoding: smart #}` option) make it GSM-7."""
    return not is_gsm7(text) and is_gsm7(smart_encode(text))


def smart_encode(text: str) -> str:
    """`text` with every character of Twilio's Smart Encoding list replaced as Twilio replaces it.

    Twilio applies its list when a Messaging Service has Smart Encoding on (its announcement says
    only when the whole text then fits GSM-7; its calculator replaces always, as here). A template
    with the option has it applied here, before counting, so the text Twilio gets has nothing left
    to replace and what lint and preview count is what is sent, whatever the Service's setting.
    """
    return text.translate(_SMART)


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


# -- a template's options ----------------------------------------------------------------------------

#: The option a marketer sets on the first line of an SMS template: `{# encoding: smart #}`.
ENCODING_OPTION = "encoding"
#: Its values: `smart` (Twilio's Smart Encoding list) or `as-written` (the default: typography only).
SMART, AS_WRITTEN = "smart", "as-written"
ENCODINGS = (SMART, AS_WRITTEN)
# A Jinja comment holding `name: value` ("{# encoding: smart #}", "{#- encoding: smart -#}").
_OPTION = re.compile(r"^\s*\{#-?\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*-?#\}\s*$")


@dataclass(frozen=True)
class SmsOptions:
    """What an SMS template's option comments ask for, and what is wrong with them (line, problem)."""

    smart_encoding: bool = False
    problems: tuple[tuple[int, str], ...] = ()


def sms_options(source: str) -> SmsOptions:
    """The options of an SMS template: Jinja comments `{# name: value #}` on its first lines, one a
    line. They render as nothing, so a lead never sees them. Other comments are ordinary comments."""
    smart = False
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(source.splitlines(), 1):
        match = _OPTION.match(line)
        if match is None:
            break
        name, value = match.group(1), match.group(2)
        if name.lower() != ENCODING_OPTION:
            problems.append((number, (f"unknown option {name!r} in {line.strip()!r}: the one option is "
                                      f"'{{# {ENCODING_OPTION}: {SMART} #}}' (a comment on the first lines written "
                                      f"as 'name: value' is read as an option; write a note without the colon)")))
        elif value.lower() not in ENCODINGS:
            problems.append((number, (f"unknown {ENCODING_OPTION} {value!r} in {line.strip()!r}: write "
                                      f"'{SMART}' (Twilio's Smart Encoding look-alikes) or '{AS_WRITTEN}'")))
        else:
            smart = value.lower() == SMART
    return SmsOptions(smart_encoding=smart, problems=tuple(problems))
