"""The languages a lead can read, and how each writes what templates format: dates, day counts,
lists and hardships (issue 25).

English is the templates' own language (`templates/`); every other language is a folder of
translations beside it (`templates/es/`), and a message missing there is sent in English.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

#: The templates' own language: every message exists in it.
DEFAULT_LANGUAGE: Final = "en"
#: The languages nurture writes in, by ISO 639-1 code, with their names as their speakers write them.
LANGUAGES: Final = {"en": "English", "es": "Español"}

_EN_HARDSHIPS = {
    "job_loss": "job loss or reduced income",
    "divorce": "divorce",
    "medical": "medical hardship",
    "adjustable_rate_increase": "an adjustable rate increase",
    "rental_loss": "rental property losses",
    "other": "another hardship",
}
_ES_HARDSHIPS = {
    "job_loss": "la pérdida del empleo o de ingresos",
    "divorce": "un divorcio",
    "medical": "problemas de salud",
    "adjustable_rate_increase": "el aumento de una tasa ajustable",
    "rental_loss": "pérdidas en una propiedad de alquiler",
    "other": "otra dificultad",
}
_ES_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_ES_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
              "octubre", "noviembre", "diciembre")


#: What people and vendors' files write for a language, folded (lower case, no accents): its code.
_SPOKEN = {"en": "en", "eng": "en", "english": "en", "ingles": "en",
           "es": "es", "spa": "es", "spanish": "es", "espanol": "es", "castellano": "es"}


def parse(value: str) -> str:
    """The code of the language `value` names ("es", "Spanish", "Español", "SPA"); ValueError
    naming what is accepted otherwise."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", value.strip().casefold())
                     if not unicodedata.combining(c))
    code = _SPOKEN.get(folded)
    if code is None:
        known = ", ".join(f"{c} ({n})" for c, n in LANGUAGES.items())
        raise ValueError(f"{value!r} is not a language nurture writes in: {known}")
    return code


def check(code: str) -> str:
    """`code` if nurture writes in it; ValueError naming the ones it does otherwise."""
    if code not in LANGUAGES:
        known = ", ".join(f"{c} ({n})" for c, n in LANGUAGES.items())
        raise ValueError(f"{code!r} is not a language nurture writes in: {known}")
    return code


@dataclass(frozen=True)
class Words:
    """How one language writes the values templates format."""

    code: str

    def days(self, value: int | None) -> str:
        """'1 day' / '9 days', '1 día' / '9 días'; "" when unknown."""
        if value is None:
            return ""
        one = abs(value) == 1
        if self.code == "es":
            return f"{value} día" if one else f"{value} días"
        return f"{value} day" if one else f"{value} days"

    def and_list(self, items: list[str] | tuple[str, ...]) -> str:
        """'a', 'a and b', 'a, b and c' (Spanish: 'a y b', 'a, b y c')."""
        parts = [str(i) for i in items]
        word = " y " if self.code == "es" else " and "
        if len(parts) <= 2:
            return word.join(parts)
        return f"{', '.join(parts[:-1])}{word}{parts[-1]}"

    def long_date(self, d: date | None, today: date, *, weekday: bool = True) -> str:
        """'Thursday, December 10' / 'jueves 10 de diciembre', with the year when it is not this
        year's ('..., 2027' / '... de 2027'); "" when unknown. Without `weekday`, Spanish drops the
        day's name ('10 de diciembre'): texts, where the á of sábado and the é... of miércoles would
        bill the whole message as UCS-2 (the months need no accent)."""
        if d is None:
            return ""
        if self.code == "es":
            day = f"{_ES_WEEKDAYS[d.weekday()]} " if weekday else ""
            text = f"{day}{d.day} de {_ES_MONTHS[d.month - 1]}"
            return text if d.year == today.year else f"{text} de {d.year}"
        text = f"{d:%A, %B} {d.day}"
        return text if d.year == today.year else f"{text}, {d.year}"

    def hardship(self, code: str) -> str:
        """A hardship in the words the article uses ('job loss or reduced income')."""
        table = _ES_HARDSHIPS if self.code == "es" else _EN_HARDSHIPS
        return table.get(code, code.replace("_", " "))


def words(code: str | None) -> Words:
    """The Words of `code` (English for None or a language nurture does not write in)."""
    return Words(code if code in LANGUAGES else DEFAULT_LANGUAGE)
