"""Results per template, channel and A/B variant over a window, for marketers.

The messages counted are those *sent* in the window (a cohort); for each one: was it delivered,
was one of its links followed (unique: a message clicked twice counts once), and did the lead
reply, opt out or convert after it. A reply, opt-out or conversion is credited to the last message
the lead got before it (on the same channel for replies and opt-outs): last touch, said on the page.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from nurture.console import abtest
from nurture.console import outcomes
from nurture.console.authoring import version_labels
from nurture.content.languages import DEFAULT_LANGUAGE
from nurture.models import Click, Message, MessageState

#: The version of a message rendered from a text no version published in the console has.
FILES = "files"
#: The version a typed message records (content/store.py: compose).
TYPED = "typed"

#: Leads looked up at once when crediting outcomes (an IN list the databases take easily).
LEAD_CHUNK = 500


@dataclass
class Result:
    """The figures of one template (variant None: all its variants together) or of one variant."""

    template: str
    channel: str
    variant: str | None
    sent: int = 0
    # The language these messages went out in (None: every language together).
    language: str | None = None
    # The published version these messages were rendered from ("v3"; "files": a text no version
    # published in the console has; None: every version together).
    version: str | None = None
    delivered: int = 0
    clicked: int = 0
    replied: int = 0
    opted_out: int = 0
    converted: int = 0

    def rate(self, count: int) -> float | None:
        return count / self.sent if self.sent else None

    @property
    def click_interval(self) -> tuple[float, float]:
        return abtest.wilson(self.clicked, self.sent)

    @property
    def reply_interval(self) -> tuple[float, float]:
        return abtest.wilson(self.replied, self.sent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "template": self.template, "channel": self.channel, "variant": self.variant,
            **({"language": self.language} if self.language is not None else {}),
            **({"version": self.version} if self.version is not None else {}), "sent": self.sent,
            "delivered": self.delivered, "clicked": self.clicked, "replied": self.replied,
            "opted_out": self.opted_out, "converted": self.converted,
            "rates": {k: self.rate(getattr(self, k)) for k in ("delivered", "clicked", "replied", "opted_out",
                                                               "converted")},
            "click_interval": list(self.click_interval),
        }


@dataclass
class TemplateResults:
    """One template: its total, its variants (empty without an A/B test), the test's verdict, its
    figures per language the messages went out in (issue 25) and per version they were rendered
    from (issue 27)."""

    total: Result
    variants: list[Result] = field(default_factory=list)
    verdict: abtest.Verdict | None = None
    languages: list[Result] = field(default_factory=list)
    versions: list[Result] = field(default_factory=list)

    @property
    def split_by_version(self) -> bool:
        """True when the split says something: more than one version, or one published in the console."""
        return len(self.versions) > 1 or any(r.version != FILES for r in self.versions)

    @property
    def split_by_language(self) -> bool:
        """True when the split says something: more than one language, or one that is not English."""
        return len(self.languages) > 1 or any(r.language != DEFAULT_LANGUAGE for r in self.languages)

    def as_dict(self) -> dict[str, Any]:
        verdict = None
        if self.verdict is not None:
            v = self.verdict
            verdict = {"leader": v.leader, "winner": v.winner, "needed_per_variant": v.needed_per_arm,
                       "more": v.more, "reason": v.reason}
        return {**self.total.as_dict(), "variants": [r.as_dict() for r in self.variants], "verdict": verdict,
                "languages": [r.as_dict() for r in self.languages], "versions": [r.as_dict() for r in self.versions]}


@dataclass(frozen=True)
class _Sent:
    id: int
    lead_id: int
    channel: str
    template: str
    variant: str | None
    state: str
    sent_at: datetime
    language: str | None
    template_version: str | None


def _sent_in(session: Session, start: datetime, end: datetime) -> list[_Sent]:
    m = Message.__table__
    rows = session.execute(
        sa.select(m.c.id, m.c.lead_id, m.c.channel, m.c.template, m.c.variant, m.c.state, m.c.sent_at,
                  m.c.language, m.c.template_version)
        .where(m.c.sent_at >= start, m.c.sent_at < end)
    ).all()
    return [_Sent(*r) for r in rows]


def _clicked(session: Session, start: datetime) -> set[int]:
    c = Click.__table__
    m = Message.__table__
    return set(session.execute(
        sa.select(c.c.message_id).join(m, m.c.id == c.c.message_id).where(m.c.sent_at >= start).distinct()
    ).scalars())


def _history(session: Session, lead_ids: set[int]) -> dict[int, list[tuple[datetime, int, str]]]:
    """Each lead's sent messages as (sent_at, id, channel), oldest first."""
    m = Message.__table__
    out: dict[int, list[tuple[datetime, int, str]]] = defaultdict(list)
    ids = sorted(lead_ids)
    for i in range(0, len(ids), LEAD_CHUNK):
        for lead_id, sent_at, message_id, channel in session.execute(
            sa.select(m.c.lead_id, m.c.sent_at, m.c.id, m.c.channel)
            .where(m.c.lead_id.in_(ids[i:i + LEAD_CHUNK]), m.c.sent_at.is_not(None))
            .order_by(m.c.sent_at, m.c.id)
        ):
            out[lead_id].append((sent_at, message_id, channel))
    return out


def credit(history: list[tuple[datetime, int, str]], at: datetime, channel: str | None) -> int | None:
    """The id of the last message sent before `at` (on `channel` when given), or None."""
    candidates = history if channel is None else [h for h in history if h[2] == channel]
    i = bisect_right([h[0] for h in candidates], at)
    return candidates[i - 1][1] if i else None


def _credited(found: list[outcomes.Outcome], history: dict[int, list[tuple[datetime, int, str]]], *,
              by_channel: bool) -> set[int]:
    """The messages each outcome is credited to (a message counts once, however many outcomes)."""
    out = set()
    for o in found:
        message_id = credit(history.get(o.lead_id, []), o.at, o.channel if by_channel else None)
        if message_id is not None:
            out.add(message_id)
    return out


def template_results(session: Session, *, start: datetime, end: datetime, now: datetime) -> list[TemplateResults]:
    """Every template with a message sent in [start, end), by channel and name, with its variants."""
    sent = _sent_in(session, start, end)
    if not sent:
        return []
    clicked = _clicked(session, start)
    # Outcomes after the window still count for messages sent in it (a reply the next morning).
    replies = outcomes.replies(session, start, now)
    opt_outs = outcomes.opt_outs(session, start, now)
    conversions = outcomes.conversions(session, start, now)
    history = _history(session, {o.lead_id for o in (*replies, *opt_outs, *conversions)})
    replied = _credited(replies, history, by_channel=True)
    opted_out = _credited(opt_outs, history, by_channel=True)
    converted = _credited(conversions, history, by_channel=False)
    labels = version_labels(session)

    totals: dict[tuple[str, str], Result] = {}
    per_variant: dict[tuple[str, str, str], Result] = {}
    per_language: dict[tuple[str, str, str], Result] = {}
    per_version: dict[tuple[str, str, str], Result] = {}
    for msg in sent:
        rows = [totals.setdefault((msg.channel, msg.template), Result(msg.template, msg.channel, None))]
        if msg.variant is not None:
            rows.append(per_variant.setdefault((msg.channel, msg.template, msg.variant),
                                               Result(msg.template, msg.channel, msg.variant)))
        if msg.language is not None:  # typed replies and messages sent before issue 25 have none
            rows.append(per_language.setdefault((msg.channel, msg.template, msg.language),
                                                Result(msg.template, msg.channel, None, language=msg.language)))
        if msg.template_version is not None and msg.template_version != TYPED:
            label = labels.get(msg.template_version, FILES)
            rows.append(per_version.setdefault((msg.channel, msg.template, label),
                                               Result(msg.template, msg.channel, None, version=label)))
        for r in rows:
            r.sent += 1
            r.delivered += msg.state == MessageState.delivered
            r.clicked += msg.id in clicked
            r.replied += msg.id in replied
            r.opted_out += msg.id in opted_out
            r.converted += msg.id in converted
    out = []
    for (channel, template), total in sorted(totals.items()):
        variants = sorted((r for (c, t, _), r in per_variant.items() if (c, t) == (channel, template)),
                          key=lambda r: r.variant or "")
        verdict = None
        if len(variants) > 1:
            verdict = abtest.compare([abtest.Arm(r.variant or "", r.clicked, r.sent) for r in variants])
        languages = sorted((r for (c, t, _), r in per_language.items() if (c, t) == (channel, template)),
                           key=lambda r: r.language or "")
        versions = sorted((r for (c, t, _), r in per_version.items() if (c, t) == (channel, template)),
                          key=lambda r: _version_order(r.version))
        out.append(TemplateResults(total, variants, verdict, languages, versions))
    return out


def _version_order(label: str | None) -> tuple[int, str, int]:
    """"files" first, then each file's versions by number (v2 before v10; a translation's or a
    variant's, "v1 (es)", after the template's own)."""
    if label is None or label == FILES:
        return (0, "", 0)
    number = re.match(r"v(\d+)", label)
    qualifier = label[label.index("("):] if "(" in label else ""
    return (1, qualifier, int(number.group(1)) if number else 0)
