"""Deprecated: SMS keywords moved to nurture.replies (the classifier of what a lead says back)."""

from __future__ import annotations

# The keyword sets live in nurture.replies; imported here for the callers that still look for them here.
from nurture.replies import HELP_KEYWORDS, OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS, ReplyKind, classify_sms  # noqa: F401


def keyword_kind(body: str | None) -> str | None:
    """Deprecated, use nurture.replies.classify_sms: 'opt_out', 'opt_in', 'help' or None (any other reply).

    An opt-out in the lead's own words ("please stop texting me") is 'opt_out' too: the FCC's
    revocation rule does not wait for callers to switch over.
    """
    kind = classify_sms(body).kind
    if kind in (ReplyKind.opt_out, ReplyKind.opt_in, ReplyKind.help):
        return kind.value
    return None
