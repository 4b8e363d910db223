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

#: Where the Spanish keywords come from. Carriers expect a program that texts in Spanish to answer
#: AYUDA (help) and ALTO (stop) in Spanish; Twilio's short-code FAQ restates it ("What are the
#: requirements for a Spanish-language short code?": "it must return compliant Spanish-language
#: responses for the keywords AYUDA and ALTO"). The CTIA Short Code Monitoring Handbook itself
#: was not read for this (its Spanish requirement is known here only through Twilio's FAQ). The
#: FCC's rule above lets a lead revoke in the language the messages came in, so the other Spanish
#: words a person uses for "stop" (PARAR, CANCELAR, BAJA, "no mas") are keywords too; PARA and
#: PARE ("stop!") were read as revocations before this list existed. Twilio does not know any of
#: these words: nurture answers them itself, with or without Advanced Opt-Out.
SPANISH_KEYWORDS_SOURCE = (
    "Twilio FAQ 'What are the requirements for a Spanish-language short code?' (AYUDA and ALTO answered in "
    "Spanish, carrier guidelines); 47 CFR 64.1200(a)(10) for the other words of revocation"
)
SPANISH_KEYWORDS_REVIEWED = "2026-12-07"

# A message that is only one of these (upper-case, without accents, words one space apart) is the
# keyword, answered in Spanish. Accents and case do not matter: "no más" and "No mas" are NO MAS.
SPANISH_OPT_OUT_KEYWORDS = frozenset({"ALTO", "PARAR", "PARA", "PARE", "CANCELAR", "BAJA", "NO MAS"})
# AYUDA only. INFORMACION is left out on purpose: the guidance names AYUDA alone, and a lead who
# writes "información" most likely wants to know about their own case, which a person answers.
SPANISH_HELP_KEYWORDS = frozenset({"AYUDA"})
# No Spanish opt-in keyword: a false "yes" would be consent nobody gave; START/UNSTOP/YES stay the only ones.
