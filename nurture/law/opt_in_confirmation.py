"""What the text that confirms an opt-in must say: the lead's first text (`sms/welcome`, each of its
variants, in each language).

The carriers' code of conduct, which Twilio and the carriers enforce on every A2P campaign (the
campaign's sample opt-in message is reviewed against it): the confirmation names the program, says
how often messages come, that message and data rates may apply, how to get help and how to stop.
The sender's name and the opt-out words are checked with the first text's other rules
(content/lint.py); this table holds the other three, per language, with their source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SOURCE = ("CTIA Short Code Monitoring Handbook v1.4.1 (2014), A.1.04 Handset Confirmation and A.22 "
          "Recurring-Messages Program Message Flow; CTIA Messaging Principles and Best Practices (2023), "
          "opt-in confirmation")


@dataclass(frozen=True)
class Element:
    """One thing the confirmation must say: what to add, and how each language says it."""

    name: str
    advice: str
    patterns: dict[str, re.Pattern[str]]

    def said(self, text: str, language: str) -> bool:
        pattern = self.patterns.get(language) or self.patterns["en"]
        return bool(pattern.search(text))


ELEMENTS = (
    Element(
        "frequency",
        "say how often texts come ('Msg frequency varies' or '4 msgs/month')",
        {"en": re.compile(r"\bfrequency\b|\b\d+\s*(msgs?|messages|texts)\s*(/|per|a)\s*(day|wk|week|mo|month)\b"
                          r"|\b(texts?|messages?|msgs?)\s+(a|per)\s+(day|week|month)\b", re.I),
         "es": re.compile(r"\bfrecuencia\b|\bmensajes?\s+(al|por\s+el|por\s+la|por|a\s+la)\s*(d[ií]a|semana|mes)\b",
                          re.I)},
    ),
    Element(
        "rates",
        "say 'Msg & data rates may apply'",
        {"en": re.compile(r"\b(msg|message)\s*(&|and)\s*data\s+rates\b", re.I),
         "es": re.compile(r"\btarifas\s+de\s+mensajes\s+y\s+datos\b", re.I)},
    ),
    Element(
        "help",
        "say how to get help ('Reply HELP for help')",
        {"en": re.compile(r"\bHELP\b"), "es": re.compile(r"\bAYUDA\b|\bHELP\b")},
    ),
)


def missing(text: str, language: str) -> list[Element]:
    """What the confirmation `text`, written in `language`, does not say."""
    return [element for element in ELEMENTS if not element.said(text, language)]
