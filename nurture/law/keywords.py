"""The words that opt a lead out, back in, or ask for help, and the revocation rule behind them:
law as data, read by the reply classifier (conversations/replies.py) and by `templates lint`."""

#: Where the revocation rule comes from, so a reader can check it without reading code.
REVOCATION_RULE = (
    "47 CFR 64.1200(a)(10), FCC 24-24 (89 FR 15756, 5 March 2024), in force 11 April 2025: "
    "revocation by any reasonable means; stop, quit, end, revoke, opt out, cancel, unsubscribe per se"
)
REVOCATION_RULE_REVIEWED = "2025-06-01"

# Twilio's default keywords: a message that is only one of these words. The single source:
# `templates lint` refuses templates that ask for START/YES with them.
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
