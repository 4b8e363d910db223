"""The rules of contacting a lead: the law as data (law.yaml), where a lead may be, legal hours,
caps, and the rulebook the planner and the send gate both ask."""

from nurture.rules.caps import CAP_WINDOW, DEFAULT_CAPS, MIN_GAP, CapBook, Caps, Limits
from nurture.rules.hours import Blackout, ContactHours
from nurture.rules.law import Law, LawError, LawRule, load_law
from nurture.rules.location import Location, Place, locate
from nurture.rules.rulebook import (
    LeadRules,
    Outgoing,
    PastSend,
    Rulebook,
    Verdict,
    check_message,
    sale_day_start,
)

__all__ = [
    "CAP_WINDOW", "DEFAULT_CAPS", "MIN_GAP", "Blackout", "CapBook", "Caps", "ContactHours", "Law",
    "LawError", "LawRule", "LeadRules", "Limits", "Location", "Outgoing", "PastSend", "Place", "Rulebook",
    "Verdict", "check_message", "load_law", "locate", "sale_day_start",
]
