"""SMS keywords (STOP, START, HELP): what a one-word reply means."""

from __future__ import annotations

# Twilio's default opt-out / opt-in / help keywords: a message that is exactly one of these words.
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})


def keyword_kind(body: str | None) -> str | None:
    """'opt_out', 'opt_in' or 'help' when the whole SMS body is such a keyword (any case), else None."""
    word = (body or "").strip().strip(".!").upper()
    if word in OPT_OUT_KEYWORDS:
        return "opt_out"
    if word in OPT_IN_KEYWORDS:
        return "opt_in"
    if word in HELP_KEYWORDS:
        return "help"
    return None
