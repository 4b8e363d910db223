"""The rules of contacting a lead: the law as data (jurisdictions/, one file per jurisdiction), where a lead may be, legal hours,
caps, and the rulebook the planner and the send gate both ask."""

from nurture.law.caps import CAP_WINDOW, DEFAULT_CAPS, MIN_GAP, CapBook, Caps, Limits
from nurture.law.hours import Blackout, ContactHours
from nurture.law.statutes import Law, LawError, LawRule, load_law
from nurture.law.location import Location, Place, locate, locate_lead
from nurture.law.rulebook import (
    CONFIRMATION_WITHIN,
    HELP_ANSWER_STEP,
    HELP_ANSWER_WITHIN,
    OPS_SEQUENCE,
    STOP_CONFIRMATION_STEP,
    RESERVED_SEQUENCES,
    SYSTEM_SEQUENCE,
    LeadRules,
    MessageKind,
    Outgoing,
    PastSend,
    Rulebook,
    Verdict,
    check_message,
    message_kind,
    sale_day_start,
)

__all__ = [
    "CONFIRMATION_WITHIN", "HELP_ANSWER_STEP", "HELP_ANSWER_WITHIN", "STOP_CONFIRMATION_STEP",
    "CAP_WINDOW", "DEFAULT_CAPS", "MIN_GAP", "Blackout", "CapBook", "Caps", "ContactHours", "Law",
    "LawError", "LawRule", "LeadRules", "Limits", "Location", "MessageKind", "OPS_SEQUENCE", "Outgoing",
    "PastSend", "Place", "RESERVED_SEQUENCES", "Rulebook", "SYSTEM_SEQUENCE", "Verdict", "check_message",
    "load_law", "locate", "locate_lead", "message_kind", "sale_day_start",
]
