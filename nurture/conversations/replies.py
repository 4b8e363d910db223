"""What a lead's reply means: opt-out, opt-in keyword, HELP, maybe a revocation, or conversation.

Pure functions: a reply's text in, a `Classification` (kind and the reason for the delivery log)
out. The SMS webhook and the email inbound parser call these; what to do with each kind is theirs.

The law behind it (REVOCATION_RULE): consent may be revoked "by any reasonable means". The words
stop, quit, end, revoke, opt out, cancel and unsubscribe revoke per se; any other wording that a
reasonable person would read as "stop contacting me" revokes too, in any language and spelling.
A missed revocation costs $500-$1,500 per later text, a false one costs a paused lead that a person
looks at, so wherever a reply could be either this module leans to revocation; only clear
look-alikes ("can you stop the foreclosure?", "stop by tomorrow?") are left as conversation.

Languages (issue 25): the Spanish keywords (law/keywords.py: ALTO, PARAR, CANCELAR, BAJA, "no más",
AYUDA) and revocations in Spanish words come back with language "es", so their answer goes in
Spanish. `language_signal` says what language a reply asks for ("¿En español?", "English please",
"no hablo inglés"), else Spanish when the reply is plainly written in it (written_in_spanish: a
word count that a name or a Spanish word in an English sentence never tips); a reply that asks for
a language and nothing else is ReplyKind.language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from nurture.law.keywords import (
    HELP_KEYWORDS,
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    SPANISH_HELP_KEYWORDS,
    SPANISH_OPT_OUT_KEYWORDS,
)


class ReplyKind(StrEnum):
    """What a reply asks for."""

    opt_out = "opt_out"  # revoke consent: suppress and stop
    opt_in = "opt_in"  # an opt-in keyword (START, UNSTOP, YES); consent only for a number that revoked by text
    help = "help"  # HELP or INFO: the program's help text
    maybe_opt_out = "maybe_opt_out"  # could be a revocation: pause texting, a person reads it; never consent
    language = "language"  # only asks for another language ("¿En español?"): switch the lead, nobody needs to answer
    conversation = "conversation"  # a person should answer it


@dataclass(frozen=True, slots=True)
class Classification:
    """A reply's kind and why, in words for the delivery log.

    `language`: for an opt-out or HELP, "es" when its keyword or words were Spanish (ALTO, AYUDA,
    "no me manden mensajes"), so the answer goes in Spanish whatever the lead reads; None when they
    were English (the answer goes in the lead's language). For `language`, the language asked for."""

    kind: ReplyKind
    reason: str
    language: str | None = None


# -- normalising ---------------------------------------------------------------------------------

# Emoji that say "stop" by themselves; every other emoji is dropped like punctuation.
_STOP_EMOJI = {"\U0001f6d1": " stop ", "\u26d4": " stop ", "\U0001f6ab": " stop "}
# Emoji that say the lead is angry: never consent, a person should look.
_ANGRY_EMOJI = frozenset("\U0001f621\U0001f620\U0001f92c\U0001f595\U0001f44e\U0001f4a9")
_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
})
# Punctuation that ends a thought: "Stop, I'm not interested" is "stop" and "im not interested".
_CLAUSE_BREAK = re.compile(r"[.!?;:,\n\r\u00a1\u00bf]+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    """NFKC (full-width ＳＴＯＰ is STOP), stop-sign emoji as words, straight quotes, casefold, no accents."""
    text = unicodedata.normalize("NFKC", text)
    for emoji, word in _STOP_EMOJI.items():
        text = text.replace(emoji, word)
    text = text.translate(_QUOTES).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # "don't" and "dont" are one word; a lead types either.
    return text.replace("'", "")


def _clauses(folded: str) -> list[list[str]]:
    """The words of each clause: letters and digits only, one space apart."""
    found = []
    for part in _CLAUSE_BREAK.split(folded):
        words = _NOT_WORD.sub(" ", part).split()
        if words:
            found.append(words)
    return found


# -- keywords ------------------------------------------------------------------------------------


def _squeeze(word: str) -> str:
    """'stooop' -> 'stop': repeated letters are how people shout on a phone."""
    return re.sub(r"(.)\1+", r"\1", word)


def _typos(keyword: str) -> set[str]:
    """Misspellings of an opt-out keyword that still clearly mean it: swapped neighbours, one letter dropped."""
    word = keyword.lower()
    found = set()
    if len(word) >= 4:
        found |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    if len(word) >= 6:
        found |= {word[:i] + word[i + 1:] for i in range(len(word))}
    found.discard(word)
    return found


_OPT_OUT_SQUEEZED = {_squeeze(k.lower()): k for k in OPT_OUT_KEYWORDS}
# Typos are read only as opt-out, never as opt-in or help: a false "yes" would be consent nobody gave.
_OPT_OUT_TYPOS = {typo: k for k in sorted(OPT_OUT_KEYWORDS) for typo in _typos(k)} | {
    "stp": "STOP", "stahp": "STOP", "unsub": "UNSUBSCRIBE", "unsuscribe": "UNSUBSCRIBE",
}
_STOP_WORDS = frozenset({"stop", "stopp", "stpo", "sotp", "stp", "stahp"})


# Spanish keywords by their folded words and without spaces ("no mas", "nomas"): the keyword's name.
_SPANISH_OPT_OUTS = {form: k for k in SPANISH_OPT_OUT_KEYWORDS for form in (k.lower(), k.lower().replace(" ", ""))}
_SPANISH_HELPS = {k.lower(): k for k in SPANISH_HELP_KEYWORDS}


def _spanish_keyword(words: list[str]) -> Classification | None:
    """ALTO, PARAR, "no más", AYUDA... (letters or the keyword repeated too): answered in Spanish."""
    for said in (" ".join(words), _squeeze(" ".join(words))):
        if said in _SPANISH_OPT_OUTS:
            return Classification(ReplyKind.opt_out, f"Spanish keyword {_SPANISH_OPT_OUTS[said]}", "es")
        if said in _SPANISH_HELPS:
            return Classification(ReplyKind.help, f"Spanish keyword {_SPANISH_HELPS[said]}", "es")
    # "ALTO ALTO", "ALTO AYUDA": Spanish keywords only, an opt-out among them wins.
    if len(words) > 1 and all(w in _SPANISH_OPT_OUTS or w in _SPANISH_HELPS for w in words):
        for w in words:
            if w in _SPANISH_OPT_OUTS:
                return Classification(ReplyKind.opt_out, f"Spanish keyword {_SPANISH_OPT_OUTS[w]}", "es")
        return Classification(ReplyKind.help, f"Spanish keyword {_SPANISH_HELPS[words[0]]}", "es")
    return None


def _keyword(words: list[str]) -> Classification | None:
    """The message is a keyword (or keywords only, or a keyword with a typo)."""
    spanish = _spanish_keyword(words)
    if spanish is not None:
        return spanish
    compact = "".join(words)
    upper = compact.upper()
    if upper in OPT_OUT_KEYWORDS:
        return Classification(ReplyKind.opt_out, f"keyword {upper}")
    if upper in OPT_IN_KEYWORDS:
        return Classification(ReplyKind.opt_in, f"keyword {upper}")
    if upper in HELP_KEYWORDS:
        return Classification(ReplyKind.help, f"keyword {upper}")
    squeezed = _squeeze(compact)
    if squeezed in _OPT_OUT_SQUEEZED:
        return Classification(ReplyKind.opt_out, f"keyword {_OPT_OUT_SQUEEZED[squeezed]} ({compact!r})")
    if compact in _OPT_OUT_TYPOS:
        return Classification(ReplyKind.opt_out, f'typo of keyword {_OPT_OUT_TYPOS[compact]}: "{compact}"')
    # "STOP STOP", "STOP HELP", "yes stop": keywords only, one of them an opt-out.
    all_keywords = OPT_OUT_KEYWORDS | OPT_IN_KEYWORDS | HELP_KEYWORDS
    if len(words) > 1 and all(w.upper() in all_keywords or w in _OPT_OUT_TYPOS for w in words):
        for w in words:
            if w.upper() in OPT_OUT_KEYWORDS or w in _OPT_OUT_TYPOS:
                keyword = w.upper() if w.upper() in OPT_OUT_KEYWORDS else _OPT_OUT_TYPOS[w]
                return Classification(ReplyKind.opt_out, f"keyword {keyword}")
    return None


# -- phrases -------------------------------------------------------------------------------------

# What messages are called, and the verbs of sending them, as leads type them.
_MSG_NOUNS = (
    r"texts?|txts?|text messages?|messages?|msgs?|msg|sms|mms|emails?|e mails?|mails?|calls?|phone calls?|"
    r"notifications?|alerts?|reminders?|spam|junk|crap|bs|nonsense|harassment|solicitations?|offers?|"
    r"mensajes?|textos?|msjs?|llamadas?|correos?"
)
_MSG_GERUNDS = (
    r"texting|txting|texing|textin|messaging|msging|messeging|sending|contacting|calling|callin|emailing|mailing|"
    r"writing|reaching out|bothering|botherin|bugging|harassing|harrassing|pestering|spamming|hounding|annoying|"
    r"stalking|blowing up|hitting me up|wasting|soliciting"
)
_MSG_VERBS = (
    r"text|txt|message|msg|sms|contact|call|email|e mail|mail me|write me|write us|bother me|bother us|send me|send us|"
    r"reach out|harass|spam|hit me up"
)
_NEGATION = r"dont|do not|dnt|never|please dont|pls dont|plz dont"

_OPT_OUT_PHRASES: list[re.Pattern[str]] = [
    re.compile(p) for p in (
        # stop the texts / quit sending messages / end these texts / cancel my messages
        (rf"\b(?:stop|stp|quit|cease|halt|discontinue)\s+(?:(?:the|these|those|this|that|your|ur|all|of|with|my|any|"
        rf"sending|receiving|getting|me|us)\s+){{0,3}}(?:{_MSG_NOUNS})\b"),
        # "end"/"cancel" only with plural messages: "let's end the call" is not about us
        (r"\b(?:end|cancel)\s+(?:(?:the|these|those|your|ur|all|my|of)\s+){0,3}(?:texts|txts|messages|msgs|sms|emails|"
        r"calls|notifications|alerts|reminders|mensajes|textos)\b"),
        rf"\b(?:stop|stp|quit|cease|halt|discontinue)\s+(?:{_MSG_GERUNDS})\b",
        # don't text me / do not contact / never message me again / don't want any more texts
        rf"\b(?:{_NEGATION})\s+(?:(?:ever|again|even|u|you|ya|yall|evr)\s+)?(?:{_MSG_VERBS})\b",
        (rf"\b(?:dont|do not|no longer|never)\s+(?:want|wish|need|like)\s+(?:(?:to|receive|get|getting|receiving|any|"
        rf"more|your|these|those|the|further)\s+){{0,3}}(?:{_MSG_NOUNS})\b"),
        rf"\bno (?:more|mas|further)\s+(?:{_MSG_NOUNS}|texting|messaging|contact|calling|emailing)\b",
        (r"\b(?:texts|messages|msgs|txts|emails|calls|texting|messaging|mensajes|textos)\s+(?:(?:to|need|needs|must|"
        r"should|have|has|gotta|got|will|can|better|please)\s+){0,2}stop\b"),
        rf"\benough\s+(?:with\s+)?(?:(?:the|these|your|all|of)\s+){{0,2}}(?:{_MSG_NOUNS}|texting|messaging)\b",
        # remove me / take me off / lose my number / delete my info
        (r"\b(?:remove|delete|erase|drop|take|lose|forget|scratch)\s+(?:me|us|my (?:number|phone|phone number|cell|"
        r"cell number|info|information|name|contact|contact info|details|data|email)|this (?:number|phone|phone number|"
        r"email)|our (?:number|names?))\b"),
        r"\b(?:take|get|put|cross)\s+(?:me|us|my (?:number|name)|this number)\s+off\b",
        (r"\bremove\b(?:\s+\w+){0,4}\s+(?:from|off)\s+(?:of\s+)?(?:your|the|ur|this|that|ya|all)\s+(?:\w+\s+)?"
        r"(?:list|lists|database|contacts)\b"),
        r"\boff (?:of )?(?:your|the|this|ur) (?:\w+ )?(?:list|database)\b",
        # unsubscribe / opt out / revoke, in any sentence
        (r"\b(?:unsubscribe|unsubscribing|unsub|unsuscribe|unsubcribe|unsubscibe|unsubscrib|opt out|optout|opt me out|"
        r"opting out|opted out|revoke|revoking|revoked|stopall|stop all)\b"),
        (r"\b(?:withdraw|withdrawing|cancel|cancelling|canceling)\s+(?:my\s+|all\s+)?"
        r"(?:consent|permission|subscription)\b"),
        r"\b(?:do not|dont|no longer|never) (?:consent|give (?:you )?permission|authorize)\b|\bno consent\b",
        # "I never signed up for this": nobody consented. Not "I never asked the bank for a modification".
        (r"\bi (?:never|did not|didnt|dont remember|do not remember) (?:sign(?:ed)? up|opt(?:ed)? in|"
        r"subscribe(?:d)?|consent(?:ed)?)\b"),
        (r"\bi (?:never|did not|didnt) (?:ask(?:ed)?|request(?:ed)?) (?:for )?(?:this|these|that|it|texts|messages|"
        r"your)\b|\bi (?:never|did not|didnt) (?:give|gave) (?:you )?(?:my number|permission|consent|this number)\b"),
        # leave me alone / go away
        (r"\bleave (?:me|us) (?:\w+ ){0,2}alone\b|\b(?:go away|get lost|buzz off|back off|piss off|fuck off|f off|"
        r"fk off|fck off|fuk off|bugger off|shove off|cut it out|knock it off|get off my phone|cease and desist)\b"),
        # wrong number: the phone's owner never consented
        (r"\bwrong (?:number|numbr|num|no|person|guy|lady|girl|phone|contact|maria)\b|\bnot (?:the right|the correct) "
        r"(?:number|person)\b|\b(?:you|u) (?:have|got|ve got) the wrong\b|\bno one (?:by|named|with) that name\b|"
        r"\bnobody (?:by|named|with) that name\b|\b(?:doesnt|does not|no longer|dont|do not) live here\b|"
        r"\bnot my name\b|\b(?:i am|im) not (?:\w+ )?(?:the )?(?:homeowner|owner)\b"),
        r"\b(?:do not call|dnc|do not contact|do not text|donotcall) (?:list|registry)\b|\bdnc\b",
        (r"\bwhy (?:do|does|are|r|did|do you|would) (?:you|u|ya|yall|you guys|u guys)?\s*"
        rf"(?:keep|still|continue to|keep on)\s+(?:{_MSG_GERUNDS})\b"),
        r"\b(?:this is|thats|that is|its|it is|reported as|reporting as|report as|marking as|marked as) spam\b",
    )
]
# Spanish: a revocation in these words is confirmed in Spanish.
_SPANISH_OPT_OUT_PHRASES: list[re.Pattern[str]] = [
    re.compile(p) for p in (
        (r"\bno me (?:(?:vuelvan|vuelva|vuelvas) a )?(?:manden|mande|mandes|mandan|envien|envie|envies|envian|escriban|"
        r"escriba|escribas|texteen|textee|textees|contacten|contacte|contactes|llamen|llame|llames|molesten|moleste|"
        r"molestes|mensajeen)\b"),
        (rf"\bno (?:quiero|deseo|necesito|acepto)\s+(?:(?:recibir|mas|ningun|ninguna|sus|tus|estos|estas|los|las|"
        rf"mensajes de|que me)\s+){{0,3}}(?:{_MSG_NOUNS}|escriban|manden|envien|llamen|contacten)\b"),
        (r"\b(?:deja|dejen|deje|dejar|dejes|para|paren|pare|parar|paran|paren ya) de (?:mandar|enviar|escribir|textear|"
        r"molestar|llamar|contactar|mandarme|enviarme|escribirme|textearme|molestarme|llamarme|contactarme)\w*\b"),
        (r"\b(?:quitame|quitenme|quiteme|quitarme|quitanos|sacame|saquenme|saqueme|sacarme|borrame|borrenme|borreme|"
        r"borrarme|eliminame|eliminenme|elimineme|eliminarme|remueveme|remuevanme)\b"),
        (r"\b(?:quiten|quitar|borren|borrar|eliminen|eliminar|saquen|sacar)\s+(?:mi|mis|este|nuestro)\s+(?:numero|"
        r"telefono|celular|nombre|datos|informacion|correo)\b"),
        (r"\bnumero (?:equivocado|incorrecto|errado|equivocao)\b|\b(?:equivocado|equivocada|equivocados) de numero\b|"
        r"\bse (?:equivoco|equivocaron) de (?:numero|persona)\b|\bpersona equivocada\b"),
        r"\b(?:dejame|dejenme|dejeme|dejanos|dejennos|dejenos) (?:\w+ )?en paz\b",
        r"\b(?:darme|denme|dame|deme|dar|doy|me doy|dar me) de baja\b",
        (r"\b(?:cancelar|cancelen|cancela|cancele|cancelo)\s+(?:(?:la|mi|mis|los|las|el|su|sus|estos|estas)\s+)?"
        r"(?:suscripcion|subscripcion|mensajes|textos|msj|sms|servicio|todo)\b"),
        r"\bno (?:me |nos )?molest(?:en|es|e|ar)\b",
        r"\bbasta\b(?! con)",
    )
]
_OPT_OUT_PHRASES += _SPANISH_OPT_OUT_PHRASES

# A clause that is only one of these (give or take "please", "now", "thanks"...) is a revocation.
_BARE_OPT_OUTS = frozenset({
    "stop", "stop it", "stop this", "stop that", "stop now", "quit", "quit it", "end", "end it", "cancel", "cancel it",
    "cancel all", "cancel everything", "unsubscribe", "remove", "remove me", "enough", "thats enough",
    "enough is enough", "no more", "no mas", "stop all", "spam", "para", "pare", "paren", "parale", "parenle", "alto",
    "basta", "cancelar", "cancela", "cancelen", "baja", "revoke", "opt out", "optout", "stopall",
})
_SPANISH_BARE_OPT_OUTS = frozenset({
    "no mas", "para", "pare", "paren", "parale", "parenle", "alto", "basta", "cancelar", "cancela", "cancelen", "baja",
})
_POLITE = frozenset({
    "please", "pls", "plz", "plase", "pleas", "por", "favor", "porfa", "porfavor", "ya", "now", "thanks", "thank",
    "you", "thx", "ty", "ok", "okay", "just", "gracias", "already", "asap", "immediately", "right", "so", "then",
    "oh", "um", "hey", "hi", "hello", "sir", "maam", "and", "but", "lol", "seriously", "dude", "bro", "man",
    "again", "i", "said", "ahora", "mismo", "inmediatamente", "alright", "well",
})

# -- the word "stop" inside a sentence -----------------------------------------------------------

_NEGATIONS = frozenset({
    "dont", "cant", "cannot", "wont", "never", "couldnt", "wouldnt", "shouldnt", "didnt", "not", "doesnt", "aint",
    "dnt", "cnt",
})
_VISIT = frozenset({"by", "in", "over", "at", "on", "into", "past", "around", "off", "through"})
# The process a lead wants to stop: "stop the foreclosure", "stop it from going to auction".
_PROCESS = frozenset({
    "foreclosure", "foreclosures", "forclosure", "foreclose", "foreclosing", "sale", "sales", "auction", "auctions",
    "eviction", "evict", "evicting", "bank", "banks", "lender", "lenders", "process", "payments", "payment", "paying",
    "interest", "fees", "fee", "garnishment", "garnishing", "lawsuit", "judgment", "judgement", "clock",
    "repossession", "deficiency", "collections", "collection", "sheriff", "trustee", "from", "losing", "lose",
    "taking", "happening", "servicer", "mortgage", "notice", "house", "home", "them", "him", "her", "date",
})
# Harmless things people stop doing: "I can't stop worrying", "stop paying".
_BENIGN_GERUNDS = frozenset({"worrying", "thinking", "crying", "helping", "working", "stressing", "waiting",
                             "paying", "living", "sleeping", "smiling", "laughing", "driving", "raining"})
# Nouns that take "stop": "bus stop", "full stop", "one stop shop".
_STOP_NOUNS = frozenset({"bus", "truck", "pit", "full", "rest", "one", "last", "next", "first", "traffic", "a",
                         "the", "shop", "door", "gas", "quick"})
# "stop" followed by these is telling us to stop: "stop it", "stop now", "stop please".
_STOP_OBJECTS = frozenset({
    "it", "this", "that", "now", "please", "pls", "plz", "already", "immediately", "asap", "thanks", "thank", "ok",
    "okay", "right", "me", "us", "all", "everything", "ya", "yall", "u", "you", "man", "dude", "bro", "lol", "omg",
    "seriously", "dammit", "damn", "forever", "permanently", "i", "im", "we", "goodbye", "bye", "ahora", "gracias",
    "por", "stop", "asking", "again",
})
# Words after "stop" that name our messages. Not "text", "call" or "email": "stop by and text me" is a visit.
_MSG_NOUN_WORDS = frozenset({
    "texts", "txts", "messages", "msgs", "sms", "emails", "calls", "notifications", "alerts", "reminders", "spam",
    "junk", "crap", "bs", "nonsense", "harassment", "solicitations", "mensajes", "textos", "msjs", "llamadas",
})
_MSG_GERUND_WORDS = frozenset(g for g in _MSG_GERUNDS.split("|") if " " not in g)


@dataclass(frozen=True, slots=True)
class _Verdict:
    kind: ReplyKind
    snippet: str


def _stop_in_clause(words: list[str], i: int) -> _Verdict:
    """What the word 'stop' at `words[i]` means, from the words around it."""
    prev = words[i - 1] if i > 0 else ""
    prev2 = words[i - 2] if i > 1 else ""
    after = words[i + 1:]
    snippet = " ".join(words[max(0, i - 2): i + 4])
    negated = prev in _NEGATIONS or (prev2, prev) in {("do", "not"), ("can", "not"), ("will", "not")}
    messaging = bool(after) and (after[0] in _MSG_GERUND_WORDS or any(w in _MSG_NOUN_WORDS for w in after[:4]))
    if negated:
        # "why don't you stop texting me" tells us to stop; "don't stop texting me" does not.
        if messaging and "why" in words[:i]:
            return _Verdict(ReplyKind.opt_out, snippet)
        return _Verdict(ReplyKind.conversation, snippet)
    if messaging:
        return _Verdict(ReplyKind.opt_out, snippet)
    if not after:
        if prev in _STOP_NOUNS:
            return _Verdict(ReplyKind.conversation, snippet)
        # "how do I stop?", "I want to stop", "make it stop": stop what? A person should ask.
        if prev in {"to", "how", "help", "i", "we"} or (prev2, prev) in {("make", "it"), ("make", "this")}:
            return _Verdict(ReplyKind.maybe_opt_out, snippet)
        return _Verdict(ReplyKind.opt_out, snippet)
    if prev in {"a", "the"} and after[0] == "to":
        # "put a stop to this": to what? A person asks.
        return _Verdict(ReplyKind.maybe_opt_out, snippet)
    if after[0] in _VISIT or prev in _STOP_NOUNS:
        return _Verdict(ReplyKind.conversation, snippet)
    if any(w in _PROCESS for w in after[:6]):
        return _Verdict(ReplyKind.conversation, snippet)
    if after[0] in _STOP_OBJECTS:
        return _Verdict(ReplyKind.opt_out, snippet)
    if after[0] in _BENIGN_GERUNDS:
        return _Verdict(ReplyKind.conversation, snippet)
    # "stop <something we cannot tell>": could be us, could be anything. A person reads it.
    return _Verdict(ReplyKind.maybe_opt_out, snippet)


_MAYBE_PHRASES: list[re.Pattern[str]] = [
    re.compile(p) for p in (
        (r"^(?:no|nope|nah|naw|nay|no way|no sir|no maam|not now|not yet|not today|not right now|maybe later|later|"
        r"pass|ill pass|im good|im ok|im okay|were good|we are good|im fine|were fine|busy|im busy|were busy|"
        r"not a good time|bad time|no gracias|ahora no|luego|despues|mas tarde|ocupado|ocupada|estoy ocupad[oa])$"),
        r"\bnot (?:really |at all )?(?:interested|intrested|interseted|intersted)\b|\bno (?:longer )?interest(?:ed)?\b",
        r"\bno thanks?\b|\bno thank (?:you|u)\b|\bno thx\b|\bnot now\b|\bnot (?:a )?good time\b|\bnot right now\b",
        (r"\bwho (?:is|s) (?:this|texting|messaging)\b|\bwhos this\b|\bwho dis\b|\bwho (?:are|r) (?:you|u|yall)\b|"
        r"\bwho sent (?:this|me)\b|\bwhat is this\b|\bwhat company\b|\bdo i know (?:you|u)\b"),
        (r"\b(?:how|where) (?:did|do|does|d|did you|do you) (?:you|u|ya|yall|you guys)?\s*"
        r"(?:get|got|have|find|obtain)\s+(?:my|this|our) (?:number|phone|phone number|cell|info|information|contact|"
        r"email|details)\b"),
        (r"\bwhy (?:are|r|is|do|does|did) (?:you|u|someone|somebody|this|yall)\s+(?:\w+\s+)?(?:texting|messaging|"
        r"contacting|sending|emailing|calling|writing)\b"),
        r"\b(?:scam|scams|scammer|scammers|scamming|fraud|fraudulent|fake|bogus|spam|spammer|spammers|phishing)\b",
        r"\b(?:report|reporting|reported) (?:you|u|this|your|yall)\b|\b(?:ftc|fcc|attorney general)\b",
        (r"\b(?:fuck|fucking|fuckin|fck|fk|fu|shit|bullshit|damn|dammit|wtf|stfu|asshole|bitch|idiots?|morons?|"
        r"vultures?|leeches|harass|harassment|harassing|annoying|annoyed|sick of|tired of|hell no|screw (?:you|u)|"
        r"f (?:you|u)|piss)\b"),
        (r"\bdont (?:want|need) (?:your|any|this|these|to talk|it|you|u)\b|^(?:i )?dont want(?: it)?$|^dont bother$|"
        r"^no quiero(?: nada| eso)?$"),
        # Spanish
        (r"\bno (?:me )?interesa\b|\bno (?:estoy|estamos) interesad[oa]s?\b|\bno gracias\b|\bahora no\b|\bmas tarde\b|"
        r"\bocupad[oa]s?\b|\bquien (?:es|eres|habla|manda|envia|son)\b|\b(?:como|donde) (?:consiguio|consiguieron|"
        r"obtuvo|obtuvieron|tienen|tiene|saco|sacaron) mi (?:numero|telefono|celular)\b|\bestafa\w*\b"),
    )
]

# "Don't call me, text me": a preference for texts, not a revocation of them.
_PREFERS_TEXT = re.compile(r"\b(?:text me|just text|text instead|prefer text|texting is better|only text)\b")


def _snippet(match: re.Match[str]) -> str:
    return match.group(0).strip()


def _judge(clauses: list[list[str]]) -> Classification | None:
    """Opt-out or maybe from the phrases in the text; None when nothing suggests either."""
    prefers_text = _PREFERS_TEXT.search(" ".join(" ".join(c) for c in clauses)) is not None
    maybe: str | None = None
    look_alike: str | None = None
    for words in clauses:
        clause = " ".join(words)
        for pattern in _OPT_OUT_PHRASES:
            match = pattern.search(clause)
            if match is None:
                continue
            said = _snippet(match)
            if prefers_text and re.match(r"(?:dont|do not|never|please dont|pls dont)\s+(?:call|email)", said):
                continue
            if _negated_before(words, said) and not said.startswith(("dont", "do not", "never", "no ", "i ")):
                if said.split()[0] in _STOP_WORDS:
                    continue  # "don't stop texting me" or "why don't you stop texting me": the word analysis decides
                maybe = maybe or said  # "I don't want to unsubscribe": a person should be sure
                continue
            spanish = pattern in _SPANISH_OPT_OUT_PHRASES or _spanish_words(said) > _english_words(said)
            return Classification(ReplyKind.opt_out, f'phrase "{said}"', "es" if spanish else None)
        core = " ".join(w for w in words if w not in _POLITE)
        if core in _BARE_OPT_OUTS:
            return Classification(ReplyKind.opt_out, f'phrase "{clause}"',
                                  "es" if core in _SPANISH_BARE_OPT_OUTS else None)
        for i, word in enumerate(words):
            if word in _STOP_WORDS:
                verdict = _stop_in_clause(words, i)
                if verdict.kind is ReplyKind.opt_out:
                    return Classification(ReplyKind.opt_out, f'phrase "{verdict.snippet}"')
                if verdict.kind is ReplyKind.maybe_opt_out:
                    maybe = maybe or verdict.snippet
                else:
                    look_alike = look_alike or verdict.snippet
        if maybe is None:
            for pattern in _MAYBE_PHRASES:
                match = pattern.search(core if pattern.pattern.startswith("^") else clause)
                if match is not None:
                    maybe = _snippet(match) or clause
                    break
    if maybe is not None:
        return Classification(ReplyKind.maybe_opt_out, f'could be a revocation: "{maybe}"')
    if look_alike is not None:
        return Classification(ReplyKind.conversation, f'"stop" here is not a revocation: "{look_alike}"')
    return None


def _negated_before(words: list[str], said: str) -> bool:
    """'I don't want to unsubscribe': a negation within three words before the phrase."""
    first = said.split()[0]
    if first not in words:
        return False
    i = words.index(first)
    return any(w in _NEGATIONS or w == "no" for w in words[max(0, i - 3): i])


# -- language --------------------------------------------------------------------------------------

# Words (folded: no accents, lower case) that are Spanish and not English, and words that are English
# and not Spanish. Words both languages write ("no", "me", "a", "son", "van", "he", "ya") are in
# neither list, nor are names: "José" weighs nothing, "Los Angeles" one Spanish word.
_SPANISH_WORDS = frozenset({
    "el", "la", "los", "las", "del", "al", "de", "que", "y", "en", "es", "por", "para", "con", "sin", "mi", "mis",
    "su", "sus", "tu", "tus", "un", "una", "unos", "unas", "pero", "como", "donde", "cuando", "cuanto", "cuanta",
    "cuantos", "cuantas", "cuesta", "cual", "cuales", "quien", "quienes", "porque", "este", "esta", "estos",
    "estas", "eso", "esto", "ese", "esa", "muy", "mas", "tengo", "tiene", "tienen", "tenemos", "debo", "debe",
    "deben", "debemos", "puedo", "puede", "pueden", "podemos", "podria", "quiero", "quiere", "queremos", "necesito",
    "necesita", "necesitamos", "soy", "estoy", "estamos", "somos", "fue", "ser", "estar", "hacer", "hago", "casa",
    "meses", "mes", "anos", "dinero", "pagar", "pago", "pagos", "banco", "prestamo", "hipoteca", "subasta", "venta",
    "vender", "atrasado", "atrasada", "atrasados", "gracias", "hola", "buenos", "buenas", "dias", "tardes",
    "noches", "senor", "senora", "usted", "ustedes", "nosotros", "yo", "ella", "ellos", "nuestro", "nuestra",
    "tambien", "ahora", "todavia", "si", "le", "les", "lo", "nos", "se", "sobre", "entre", "hasta", "desde",
    "despues", "antes", "llamar", "llamen", "llame", "llamada", "hablar", "hablo", "habla", "hablan", "espanol",
    "ingles", "favor", "bien", "bueno", "algo", "nada", "todo", "otra", "otro", "pregunta", "ayuda", "ayudar",
    "ayudarme", "mensaje", "mensajes", "textos", "correo", "fecha", "saber", "quisiera", "gustaria",
    "entiendo", "necesitaria", "hijo", "hija", "esposo", "esposa", "trabajo", "perdi", "vivo", "vivimos",
    "manana", "hoy", "semana", "llameme", "llamenme", "interesa", "interesado", "interesada", "informacion",
    "abogado", "deuda", "numero", "telefono", "ayudeme", "ayudenme", "pague", "pagando", "vendiendo", "dueno",
})
_ENGLISH_WORDS = frozenset({
    "the", "an", "i", "im", "ive", "id", "you", "your", "youre", "my", "is", "are", "was", "were", "be", "been",
    "to", "of", "and", "in", "on", "at", "for", "with", "this", "that", "it", "its", "we", "they", "he", "she",
    "what", "how", "when", "where", "why", "who", "can", "could", "would", "will", "do", "does", "did", "have",
    "has", "had", "not", "need", "help", "want", "please", "thanks", "thank", "yes", "hi", "hello", "call", "text",
    "sale", "house", "home", "months", "month", "behind", "pay", "paid", "just", "know", "get", "got", "if", "so",
    "but", "or", "from", "about", "there", "here", "am", "our", "us", "them", "his", "her", "out", "up", "sell",
    "selling", "bank", "lender", "mortgage", "anyone", "someone", "speak", "read", "write", "any", "some", "much",
    "many", "more", "money", "owe", "back", "week", "weeks", "day", "days"
})
# "¿" and "¡" open a Spanish question or exclamation: one Spanish word's weight, however many there are.
_SPANISH_MARKS = re.compile("[\u00bf\u00a1]")


def _words_of(text: str) -> list[str]:
    return [w for c in _clauses(_fold(text)) for w in c]


def _spanish_words(text: str) -> int:
    return sum(w in _SPANISH_WORDS for w in _words_of(text))


def _english_words(text: str) -> int:
    return sum(w in _ENGLISH_WORDS for w in _words_of(text))


#: Spanish words a reply needs, at least, to be read as written in Spanish, and how many times its
#: English words they must outnumber: "Hola, soy José, I need help" (2 Spanish, 3 English) is English.
WRITTEN_IN_SPANISH_MIN = 3
WRITTEN_IN_SPANISH_RATIO = 3


def written_in_spanish(text: str | None) -> bool:
    """True when the reply is plainly Spanish: three Spanish words or more (a "¿" or "¡" counts as
    one) and at least three times as many as English ones. Conservative on purpose: a name, a
    greeting or one Spanish word in an English sentence never switches a lead's language."""
    text = text or ""
    spanish = _spanish_words(text) + (1 if _SPANISH_MARKS.search(text) else 0)
    return spanish >= WRITTEN_IN_SPANISH_MIN and spanish >= WRITTEN_IN_SPANISH_RATIO * _english_words(text)


# What a lead writes to ask for a language, in folded words ("¿En español?" is "en espanol"): the
# first person ("hablo español", "I don't speak English") or a question to us ("¿Habla español?",
# "Do you speak Spanish?"), never a third person ("mi hijo habla inglés" asks nothing). The "don't
# speak" forms come first: "no hablo español" asks for English, not Spanish.
_PLACES = r"(?! (?:fort|fork|wells|lake|springs|town|trail))"  # Spanish Fort, Alabama, and the like
_LANGUAGE_REQUESTS: list[tuple[str, re.Pattern[str]]] = [
    (lang, re.compile(p)) for lang, p in (
        ("en", r"\bno (?:hablo|hablamos|entiendo|entendemos|leo|leemos|se) (?:el |en |mucho |bien )?espanol\b"),
        ("en", r"(?:^|\b(?:i|we) )(?:dont|do not|cant|cannot|can not) (?:speak|read|understand) (?:\w+ )?spanish\b"),
        ("es", r"\bno (?:hablo|hablamos|entiendo|entendemos|leo|leemos|se) (?:el |en |mucho |bien )?ingles\b"),
        ("es", r"(?:^|\b(?:i|we) )(?:dont|do not|cant|cannot|can not) (?:speak|read|understand) (?:\w+ )?english\b"),
        ("es", (r"\b(?:hablo|hablamos|leo|prefiero|preferimos|quiero|queremos|se habla) (?:solo |en )?"
               r"(?:espanol|castellano)\b")),
        ("es", r"^(?:usted |ustedes |alguien |hay alguien que |alguien que )?(?:habla|hablan|hable) (?:en )?espanol\b"),
        ("es", r"^(?:espanol|spanish|castellano)(?: (?:por favor|porfa|porfavor|please|pls|plz|gracias|thanks))*$"),
        ("es", r"\b(?:i|we) (?:only |mostly |just )?(?:speak|read|prefer|understand) (?:\w+ )?spanish\b"),
        ("es", (r"(?:^|\b(?:do|does|can|could) )(?:you|u|anyone|someone|somebody|anybody)(?: there)? "
               r"(?:speak|speaks|read|text|write|talk)(?: in)? spanish\b")),
        ("en", r"\b(?:hablo|hablamos|leo|prefiero|preferimos|quiero|queremos|se habla) (?:solo |en )?ingles\b"),
        ("en", r"^(?:usted |ustedes |alguien |hay alguien que |alguien que )?(?:habla|hablan|hable) (?:en )?ingles\b"),
        ("en", r"^(?:ingles|english)(?: (?:por favor|porfa|porfavor|please|pls|plz|gracias|thanks))*$"),
        ("en", r"\b(?:i|we) (?:only |mostly |just )?(?:speak|read|prefer|understand) (?:\w+ )?english\b"),
        ("en", (r"(?:^|\b(?:do|does|can|could) )(?:you|u|anyone|someone|somebody|anybody)(?: there)? "
               r"(?:speak|speaks|read|text|write|talk)(?: in)? english\b")),
    )
]
# "En español" / "in English" asks only with a verb of writing to us ("escríbanme en español",
# "explain it in English") or with nothing else but courtesy ("¿En español, por favor?"): "la carta
# del banco está en inglés" asks nothing.
_IN_LANGUAGE: list[tuple[str, re.Pattern[str]]] = [
    ("es", re.compile(rf"\b(?:en|in) (?:espanol|spanish|castellano)\b{_PLACES}")),
    ("en", re.compile(r"\b(?:en|in) (?:ingles|english)\b")),
]
_TO_US = frozenset({
    "text", "txt", "write", "send", "talk", "speak", "explain", "message", "call", "email", "reply", "answer",
    "respond", "contact", "escribir", "escribirme", "escriban", "escribanme", "escriba", "escribame", "mandar",
    "mandarme", "manden", "mandenme", "enviar", "enviarme", "envien", "envienme", "hablar", "hablarme", "hablen",
    "hableme", "textear", "textearme", "explicar", "explicarme", "expliquen", "expliqueme", "expliquenme",
    "contestar", "contestarme", "contesten", "responder", "responderme", "respondan", "comunicarse", "llamar",
    "llamarme", "llamen",
})
# Words that may sit around a language request without asking anything else: "¿Pueden escribirme
# en español, por favor?", "Can you text me in Spanish?", "Hola, ¿habla español?".
_REQUEST_FILLER = _POLITE | frozenset({
    "si", "yes", "yeah", "hola", "hello", "buenas", "buenos", "dias", "tardes", "noches", "me", "mi", "my", "us",
    "nos", "puede", "pueden", "podria", "podrian", "puedes", "escribir", "escribirme", "escribanme", "escribame",
    "mandar", "mandarme", "mandenme", "mandeme", "enviar", "enviarme", "envienme", "envieme", "textear",
    "textearme", "hablar", "hablarme", "text", "texts", "write", "send", "talk", "messages", "mensajes", "los",
    "las", "el", "the", "to", "can", "could", "would", "will", "it", "prefer", "prefiero", "is", "es", "do",
    "does", "anyone", "someone", "somebody", "alguien", "que", "hable", "habla", "hablan", "speak", "speaks", "en",
    "in", "only", "solo", "solamente", "we", "con", "with", "usted", "ustedes", "a", "any", "of", "there", "hay",
    "who", "quien", "por", "favor", "todo", "everything", "all", "mejor", "better", "idioma", "language",
})


@dataclass(frozen=True, slots=True)
class LanguageSignal:
    """A reply's sign of the language its writer reads: asked for (`asked`) or only written in it."""

    language: str
    asked: bool
    said: str  # the words that asked, or "" when the reply was only written in the language


def _requested(clauses: list[list[str]]) -> tuple[str, str, bool] | None:
    """The language the reply asks for, the words that ask, and whether the reply asks nothing else."""
    found: tuple[str, str] | None = None
    only_that = True
    for words in clauses:
        clause = " ".join(words)
        match = next((m for m in (pattern.search(clause) for _, pattern in _LANGUAGE_REQUESTS) if m), None)
        lang = next((lang for lang, pattern in _LANGUAGE_REQUESTS if match and pattern is match.re), "")
        if match is None:
            for lang, pattern in _IN_LANGUAGE:
                match = pattern.search(clause)
                if match is not None:
                    around = (clause[: match.start()] + " " + clause[match.end():]).split()
                    if any(w in _TO_US for w in around) or all(w in _REQUEST_FILLER for w in around):
                        break
                    match = None
        if match is not None:
            found = found or (lang, match.group(0))
        rest = (clause[: match.start()] + " " + clause[match.end():]) if match is not None else clause
        if any(w not in _REQUEST_FILLER for w in rest.split()):
            only_that = False
    if found is None:
        return None
    return found[0], found[1], only_that


def language_signal(text: str | None) -> LanguageSignal | None:
    """The language a reply asks for ("¿En español?", "English please", "no hablo inglés"), else
    Spanish when it is written in Spanish (see written_in_spanish), else None. Only a request ever
    asks for English: a Spanish reader may well write a few words of English."""
    asked = _requested(_clauses(_fold(text or "")))
    if asked is not None:
        return LanguageSignal(asked[0], True, asked[1])
    if written_in_spanish(text):
        return LanguageSignal("es", False, "")
    return None


# -- public --------------------------------------------------------------------------------------

_OPT_OUT_TYPES = {"STOP": ReplyKind.opt_out, "START": ReplyKind.opt_in, "HELP": ReplyKind.help}


def classify_sms(body: str | None, *, opt_out_type: str | None = None) -> Classification:
    """What an inbound SMS asks for. Twilio's OptOutType (Advanced Opt-Out), when present, wins."""
    marked = (opt_out_type or "").strip().upper()
    kind = _OPT_OUT_TYPES.get(marked)
    text = (body or "").strip()
    clauses = _clauses(_fold(text))
    if kind is not None:
        spanish = _spanish_keyword([w for c in clauses for w in c])
        return Classification(kind, f"Twilio OptOutType {marked}", spanish.language if spanish else None)
    if not clauses:
        if any(c in _ANGRY_EMOJI for c in text):
            return Classification(ReplyKind.maybe_opt_out, f'could be a revocation: "{text[:40]}"')
        return Classification(ReplyKind.conversation, "empty message" if not text else "no words in the message")
    found = _keyword([w for c in clauses for w in c]) or _judge(clauses)
    if found is not None:
        return found
    if any(c in _ANGRY_EMOJI for c in text):
        return Classification(ReplyKind.maybe_opt_out, f'could be a revocation: "{text[:40]}"')
    return _language_only(clauses) or Classification(ReplyKind.conversation, "no keyword or revocation phrase")


def _language_only(clauses: list[list[str]]) -> Classification | None:
    """A reply that asks for a language and nothing else ("¿En español?", "English please")."""
    asked = _requested(clauses)
    if asked is None or not asked[2]:
        return None
    return Classification(ReplyKind.language, f'asks for {LANGUAGE_NAMES.get(asked[0], asked[0])}: "{asked[1]}"',
                          asked[0])


#: The languages a lead can be switched to, by name for reasons and logs.
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


def classify_email_reply(text: str | None, subject: str | None = None) -> Classification:
    """Opt-out when the reply (quoted earlier messages ignored) or its subject asks to unsubscribe;
    language when the reply only asks for a language ("En español por favor"); else conversation.

    A reply's subject is usually ours with "Re:" in front; our subjects never ask to unsubscribe,
    so the subject is read like the body. Email has no "maybe": every reply reaches a person anyway,
    and the reason says when a person should read it as a possible revocation.
    """
    parts = [("", strip_quoted(text or "")[:5000]), (" (subject)", _REPLY_PREFIX.sub("", subject or ""))]
    maybe: str | None = None
    for where, part in parts:
        clauses = _clauses(_fold(part))
        if not clauses:
            continue
        words = [w for c in clauses for w in c]
        found = _keyword(words) if len(words) <= 3 else None
        if found is None or found.kind is not ReplyKind.opt_out:
            found = _judge(clauses)
        if found is None:
            continue
        if found.kind is ReplyKind.opt_out:
            return Classification(ReplyKind.opt_out, found.reason + where)
        if found.kind is ReplyKind.maybe_opt_out and maybe is None:
            maybe = found.reason.removeprefix("could be a revocation: ") + where
    if maybe is not None:
        return Classification(ReplyKind.conversation, f"a person should read it, it could be a revocation: {maybe}")
    return (_language_only(_clauses(_fold(_without_signature(parts[0][1]))))
            or Classification(ReplyKind.conversation, "no unsubscribe request"))


def _without_signature(text: str) -> str:
    """The reply without a last line that is only a name ("Maria", "José Pérez"): how emails end."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and re.fullmatch(r"(?:[^\W\d_][\w.'-]*\s*){1,3}", lines[-1]) and all(
            w[0].isupper() for w in lines[-1].split()):
        lines.pop()
    return "\n".join(lines)


_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|rv|res|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_ON_WROTE = re.compile(
    r"^\s*(?:on|el|le|am|em)\b.{0,300}(?:wrote|escribi[oó]|a [ée]crit|schrieb|escreveu)\s*:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CUT_LINES = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|mensaje original|forwarded message|mensaje reenviado)\s*-{2,}|"
    r"_{10,}|begin forwarded message:|-- ?)\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|de|von)\s*:\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\*?(?:sent|date|to|subject|enviado|fecha|para|asunto|gesendet|an|betreff)\s*:",
                          re.IGNORECASE)
_DEVICE_LINE = re.compile(
    r"^\s*(?:sent from my \w+|sent from (?:yahoo mail|outlook|mail) for \w+|get outlook for \w+|"
    r"enviado desde mi \w+)\b.*$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The reply without what it quotes: "On ... wrote:" blocks, "> " lines, earlier messages, signatures."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _CUT_LINES.match(line):
            break
        if _starts_quote_header(lines, i):
            break
        if line.lstrip().startswith(">") or _DEVICE_LINE.match(line):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _starts_quote_header(lines: list[str], i: int) -> bool:
    line = lines[i]
    if _HEADER_FROM.match(line):
        return any(_HEADER_NEXT.match(nxt) for nxt in lines[i + 1: i + 5])
    if re.match(r"^\s*(?:on|el|le|am|em)\b", line, re.IGNORECASE):
        # Gmail wraps a long "On <date> <name> <address> wrote:" over two or three lines.
        return any(_ON_WROTE.match(" ".join(lines[i: i + n])) for n in (1, 2, 3))
    return False
