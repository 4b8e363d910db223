"""SMS keywords: what a one-word reply means."""

from __future__ import annotations

from nurture.compliance import (
    HELP_KEYWORDS,
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    keyword_kind,
)


def test_twilio_default_keywords():
    assert OPT_OUT_KEYWORDS == {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
    assert OPT_IN_KEYWORDS == {"START", "UNSTOP", "YES"}
    assert HELP_KEYWORDS == {"HELP", "INFO"}
    assert keyword_kind("  stop ") == "opt_out"
    assert keyword_kind("Start") == "opt_in"
    assert keyword_kind("help") == "help"
    assert keyword_kind("please stop texting me") == "opt_out"  # revocation in the lead's words (nurture.replies)
    assert keyword_kind("yes please") is None
