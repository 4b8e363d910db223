"""Regulation O (12 CFR part 1015, mortgage assistance relief services) as data: the disclosures
each status renders and the banned claims, loaded from regulation_o.yaml (docs/law.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nurture.errors import OperatorError

LAW_FILE = Path(__file__).with_name("regulation_o.yaml")
#: NURTURE_MARS_STATUS's values: a MARS provider, a real estate licensee (FTC forbearance), an
#: attorney (1015.7).
STATUSES = ("provider", "licensed_agent", "attorney")
PROVIDER = "provider"
#: A template marks a claim a person reviewed with this comment (only where the status allows it).
REVIEWED_MARK = re.compile(r"\{#-?\s*claim-reviewed:\s*(.+?)\s*-?#\}", re.IGNORECASE)
#: The variable that shows the stop-paying notice (1015.4(c)) in a template.
STOP_PAYING_NAME = "notice.stop_paying"
# A claim right after one of these is honest wording: "we can't guarantee", "don't stop paying".
_NEGATED = re.compile(r"(?:\bnot|n't|\bno|\bnever|\bcannot|\bwithout|\bnunca|\bni)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
#: The language of the rule's own model sentences; others are translations (`translations:`).
RULE_LANGUAGE = "en"


class RegulationOError(OperatorError):
    """regulation_o.yaml is missing a part or has a phrase that is not a regular expression."""


@dataclass(frozen=True)
class Claim:
    """One banned phrase: its pattern, the section it breaks and why."""

    pattern: re.Pattern[str]
    section: str
    why: str
    unless_disclosed: str | None = None


@dataclass(frozen=True)
class ClaimHit:
    """A banned phrase found on one line."""

    line: int
    phrase: str
    claim: Claim


@dataclass(frozen=True)
class Sentence:
    """One required sentence with its citation."""

    id: str
    citation: str
    text: str


@dataclass(frozen=True)
class Notice:
    """What a status renders: the heading and sentences for an email, the short form for a text
    (all empty when the status renders none), the full notice page's URL."""

    status: str
    heading: str
    general: tuple[str, ...]
    consumer: tuple[str, ...]
    stop_paying: str
    sms: str
    url: str

    @property
    def shown(self) -> bool:
        """True when this status renders the disclosures."""
        return bool(self.general)

    @property
    def sentences(self) -> tuple[str, ...]:
        """Every sentence an email carries, general first."""
        return self.general + self.consumer


@dataclass(frozen=True)
class RegulationO:
    """The loaded file."""

    reviewed: str
    statuses: dict[str, dict[str, Any]]
    heading: str
    general: tuple[Sentence, ...]
    consumer: tuple[Sentence, ...]
    stop_paying: Sentence
    sms_short: str
    notice_path: str
    claims: tuple[Claim, ...]
    # language -> sentence id (and "heading", "sms_short") -> the sentence in that language.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    def wording(self, language: str) -> tuple[str, tuple[str, ...], tuple[str, ...], str, str]:
        """(heading, general, consumer, stop_paying, sms_short) in `language`; the rule's English
        where the file has no translation for a sentence."""
        words = self.translations.get(language, {})
        return (words.get("heading", self.heading),
                tuple(words.get(s.id, s.text) for s in self.general),
                tuple(words.get(s.id, s.text) for s in self.consumer),
                words.get(self.stop_paying.id, self.stop_paying.text),
                words.get("sms_short", self.sms_short))

    def renders_disclosures(self, status: str) -> bool:
        return bool(self.statuses[status]["disclosures"])

    def claims_reviewable(self, status: str) -> bool:
        return bool(self.statuses[status]["claims_reviewable"])


def _sentence(raw: dict[str, Any], default_id: str = "") -> Sentence:
    try:
        return Sentence(id=str(raw.get("id", default_id)), citation=str(raw["citation"]), text=str(raw["text"]))
    except KeyError as exc:
        raise RegulationOError(f"{LAW_FILE.name}: a disclosure without {exc.args[0]}") from None


@lru_cache(maxsize=1)
def load() -> RegulationO:
    """regulation_o.yaml, parsed and checked once."""
    try:
        data = yaml.safe_load(LAW_FILE.read_text("utf-8"))
        statuses = {name: data["statuses"][name] for name in STATUSES}
        disc = data["disclosures"]
        claims = tuple(
            Claim(pattern=re.compile(phrase, re.IGNORECASE), section=str(group["section"]), why=str(group["why"]),
                  unless_disclosed=group.get("unless_disclosed"))
            for group in data["claims"] for phrase in group["phrases"]
        )
        return RegulationO(
            reviewed=str(data["reviewed"]),
            statuses=statuses,
            heading=str(disc["heading"]),
            general=tuple(_sentence(s) for s in disc["general"]),
            consumer=tuple(_sentence(s) for s in disc["consumer_specific"]),
            stop_paying=_sentence(disc["stop_paying"], "stop_paying"),
            sms_short=str(disc["sms_short"]),
            notice_path=str(disc["notice_path"]),
            claims=claims,
            translations={str(lang): {str(k): str(v) for k, v in words.items()}
                          for lang, words in (disc.get("translations") or {}).items()},
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as exc:
        raise RegulationOError(f"{LAW_FILE}: {type(exc).__name__}: {exc}") from exc


def notice_url(public_url: str, language: str = RULE_LANGUAGE) -> str:
    """The full notice page on the public URL (in `language`: `?lang=es`)."""
    url = public_url.rstrip("/") + load().notice_path
    return url if language == RULE_LANGUAGE else f"{url}?lang={language}"


def notice(*, status: str, company: str, fee: str, public_url: str, language: str = RULE_LANGUAGE) -> Notice:
    """The disclosures `status` renders in `language`, with the company's name and fee words filled in."""
    law = load()
    url = notice_url(public_url, language)
    if not law.renders_disclosures(status):
        return Notice(status=status, heading="", general=(), consumer=(), stop_paying="", sms="", url=url)

    def fill(text: str) -> str:
        return text.replace("{company}", company).replace("{fee}", fee)

    heading, general, consumer, stop_paying, sms_short = law.wording(language)
    return Notice(
        status=status,
        heading=heading,
        general=tuple(fill(text) for text in general),
        consumer=tuple(fill(text) for text in consumer),
        stop_paying=fill(stop_paying),
        sms=sms_short.replace("{url}", url),
        url=url,
    )


def banned_claims(source: str, *, status: str) -> list[ClaimHit]:
    """Every banned phrase in a template's source, by line; phrases the template marks as reviewed
    are left out only where the status allows review, and a claim that needs a disclosure is left
    out when the template carries it (the sentence, or {{ notice.stop_paying }})."""
    law = load()
    reviewed: set[str] = set()
    if law.claims_reviewable(status):
        reviewed = {m.group(1).casefold() for m in REVIEWED_MARK.finditer(source)}
    flat = " ".join(source.split()).casefold()
    carries_stop_paying = STOP_PAYING_NAME in flat or any(
        law.wording(lang)[3].casefold() in flat for lang in (RULE_LANGUAGE, *law.translations))
    hits: list[ClaimHit] = []
    for number, line in enumerate(source.splitlines(), 1):
        # The mark's own words are not a claim; the text around it still is.
        line = REVIEWED_MARK.sub(lambda m: " " * len(m.group(0)), line)
        found: list[tuple[int, int, Claim]] = []
        for claim in law.claims:
            for match in claim.pattern.finditer(line):
                if _NEGATED.search(line[: match.start()]):
                    continue
                if claim.unless_disclosed == "stop_paying" and carries_stop_paying:
                    continue
                if match.group(0).casefold() in reviewed:
                    continue
                found.append((match.start(), match.end(), claim))
        end = -1
        # Overlapping phrases ("we can stop foreclosure", "stop foreclosure") are one claim: the longest.
        for start, stop, claim in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
            if start >= end:
                hits.append(ClaimHit(line=number, phrase=line[start:stop], claim=claim))
                end = stop
    return hits
