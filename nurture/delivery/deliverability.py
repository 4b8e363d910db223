"""Deliverability: what became of the messages sent in a window, per channel and template, and
the pause that stops a channel before mailbox providers or carriers block the sender.

The messages counted are those *sent* in the window (a cohort, as the templates page counts);
for each, what the provider reported since: delivered, a hard bounce, blocked or dropped, a spam
report, an unsubscribe (SendGrid's events), filtered by a carrier (Twilio 30007), or refused
because the sender is not registered (30034, unregistered A2P 10DLC; 30032, unverified toll-free).
Rates are of sent. A message counts once per outcome, however often the provider reported it.

Why these thresholds (defaults, all settings): Gmail's bulk-sender rules keep the spam-complaint
rate under 0.1% and never at 0.3%; a hard-bounce rate over 5% marks a list nobody cleaned; a
30034 or 30032 means no text from this sender can arrive until the registration is approved, so
one is enough; a carrier that filters more than a few texts in a hundred is about to block the number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from nurture.delivery import pauses
from nurture.models import DeliveryEvent, Message

WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}
"""The rolling windows the rates are read over (shown, exported and judged)."""

FILTERED_CODES = ("30007",)
UNREGISTERED_CODES = ("30034", "30032")
_SPAM = ("spamreport",)
_UNSUBSCRIBED = ("unsubscribe", "group_unsubscribe")
_DROPPED = ("dropped",)
_BOUNCE = "bounce"
_DELIVERED = "delivered"
OUTCOMES = ("delivered", "bounced", "blocked", "spam", "unsubscribed", "filtered", "unregistered")
"""Each outcome counted of the messages sent (its label in words: LABELS)."""
LABELS = {"delivered": "delivered", "bounced": "hard bounces", "blocked": "blocked or dropped",
          "spam": "spam reports", "unsubscribed": "unsubscribes", "filtered": "carrier-filtered (30007)",
          "unregistered": "unregistered sender (30034/30032)"}


@dataclass
class Counts:
    """What became of the messages of one channel (and template; None: all) sent in a window."""

    channel: str
    template: str | None = None
    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    blocked: int = 0
    spam: int = 0
    unsubscribed: int = 0
    filtered: int = 0
    unregistered: int = 0

    def rate(self, outcome: str) -> float | None:
        """`outcome`'s count as a share of sent (None: nothing sent)."""
        return getattr(self, outcome) / self.sent if self.sent else None

    def add(self, other: Counts) -> None:
        for f in fields(self):
            if f.name not in ("channel", "template"):
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, Any]:
        figures = {name: getattr(self, name) for name in ("sent", *OUTCOMES)}
        rates = {name: self.rate(name) for name in OUTCOMES}
        return {"channel": self.channel, "template": self.template, **figures, "rates": rates}


@dataclass(frozen=True)
class Thresholds:
    """The rates that warn or pause (NURTURE_EMAIL_SPAM_PAUSE_RATE, ...; see nurture.config)."""

    email_spam_pause: float
    email_spam_warn: float
    email_bounce_pause: float
    sms_filtered_pause: float
    min_sent: int

    @classmethod
    def of(cls, settings: Any) -> Thresholds:
        return cls(email_spam_pause=settings.email_spam_pause_rate, email_spam_warn=settings.email_spam_warn_rate,
                   email_bounce_pause=settings.email_bounce_pause_rate,
                   sms_filtered_pause=settings.sms_filtered_pause_rate, min_sent=settings.deliverability_min_sent)

    def limits(self, channel: str) -> dict[str, tuple[float | None, float]]:
        """Per outcome watched on `channel`: (warning rate or None, pausing rate)."""
        if channel == "email":
            return {"spam": (self.email_spam_warn, self.email_spam_pause), "bounced": (None, self.email_bounce_pause)}
        return {"filtered": (None, self.sms_filtered_pause), "unregistered": (None, 0.0)}


@dataclass(frozen=True)
class Finding:
    """A rate at or past a threshold: `level` "pause" or "warn", with its reason in words."""

    channel: str
    window: str
    outcome: str
    level: str
    reason: str


def counts(session: Session, *, since: datetime, until: datetime,
           channel: str | None = None) -> dict[tuple[str, str], Counts]:
    """(channel, template) -> what became of the messages sent from `since` to `until`."""
    sent_in = [col(Message.sent_at) >= since, col(Message.sent_at) <= until]
    if channel is not None:
        sent_in.append(col(Message.channel) == channel)
    found: dict[tuple[str, str], Counts] = {}

    def row(ch: str, template: str) -> Counts:
        return found.setdefault((ch, template), Counts(ch, template))

    for ch, template, n in session.execute(
            sa.select(col(Message.channel), col(Message.template), sa.func.count())
            .where(*sent_in).group_by(col(Message.channel), col(Message.template))):
        row(ch, template).sent = n

    status, code = col(DeliveryEvent.provider_status), col(DeliveryEvent.error_code)
    outcome = sa.case(
        (status == _DELIVERED, "delivered"),
        (status.in_(_SPAM), "spam"),
        (status.in_(_UNSUBSCRIBED), "unsubscribed"),
        (status.in_(_DROPPED), "blocked"),
        (code.in_(FILTERED_CODES), "filtered"),
        (code.in_(UNREGISTERED_CODES), "unregistered"),
        else_=None,
    ).label("outcome")
    joined = (sa.select(col(Message.channel), col(Message.template), outcome, sa.func.count(sa.distinct(col(Message.id))))
              .join(DeliveryEvent, col(DeliveryEvent.message_id) == col(Message.id))
              .where(*sent_in, col(DeliveryEvent.kind) == "provider",
                     sa.or_(status.in_((_DELIVERED, *_SPAM, *_UNSUBSCRIBED, *_DROPPED)),
                            code.in_(FILTERED_CODES + UNREGISTERED_CODES)))
              .group_by(col(Message.channel), col(Message.template), outcome))
    for ch, template, name, n in session.execute(joined):
        if name is not None:
            setattr(row(ch, template), name, n)

    # Bounces, few: hard (type "bounce", the address does not exist) or blocked (the receiving
    # server refused this message). A bounce is logged twice (the event, the state change without
    # its fields): a message is hard-bounced unless one of its rows says another type.
    types: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    for ch, template, mid, data in session.execute(
            sa.select(col(Message.channel), col(Message.template), col(Message.id), col(DeliveryEvent.data))
            .join(DeliveryEvent, col(DeliveryEvent.message_id) == col(Message.id))
            .where(*sent_in, col(DeliveryEvent.kind) == "provider", status == _BOUNCE)):
        kind = data.get("type") if isinstance(data, dict) else None
        types[(ch, template, mid)].add(str(kind) if kind else _BOUNCE)
    for (ch, template, _), seen in types.items():
        if seen - {_BOUNCE}:
            row(ch, template).blocked += 1
        else:
            row(ch, template).bounced += 1
    return found


def totals(by_template: dict[tuple[str, str], Counts], channels: tuple[str, ...] = ("sms", "email")) -> dict[str, Counts]:
    """The figures of each channel, all templates together (every channel in `channels`, zeros included)."""
    out = {ch: Counts(ch) for ch in channels}
    for (ch, _), c in by_template.items():
        out.setdefault(ch, Counts(ch)).add(c)
    return out


_NOUN = {"email": "emails", "sms": "texts"}


def _pct(rate: float) -> str:
    return f"{rate * 100:.2f}".rstrip("0").rstrip(".") + "%"


def judge(total: Counts, window: str, th: Thresholds) -> list[Finding]:
    """The warnings and pauses one channel's figures over one window call for (pure: figures in, reasons out).

    Rates wait for NURTURE_DELIVERABILITY_MIN_SENT messages (one complaint in 20 emails says little);
    an unregistered sender needs none: one answer is enough."""
    found: list[Finding] = []
    ch = total.channel
    if ch == "sms" and total.unregistered:
        found.append(Finding(ch, window, "unregistered", "pause",
                             f"Twilio refused {total.unregistered} text(s) in the last {window} because the sender is "
                             "not registered (30034: A2P 10DLC campaign; 30032: toll-free verification): no text "
                             "can arrive until the registration is approved"))
    if total.sent < th.min_sent:
        return found
    for outcome, (warn, stop) in th.limits(ch).items():
        if outcome == "unregistered":
            continue
        rate = total.rate(outcome) or 0.0
        # Spam: Gmail's line is "never at 0.3%", so reaching it pauses; the others pause past it.
        over = rate >= stop if outcome == "spam" else rate > stop
        said = (f"{LABELS[outcome]} {_pct(rate)} of {total.sent} {_NOUN.get(ch, ch)} sent in the last {window} "
                f"({getattr(total, outcome)})")
        if over:
            found.append(Finding(ch, window, outcome, "pause", f"{said}, past the pause threshold {_pct(stop)}"))
        elif warn is not None and rate >= warn:
            found.append(Finding(ch, window, outcome, "warn", f"{said}, past the warning threshold {_pct(warn)}"))
    return found


def findings(session: Session, settings: Any, *, at: datetime, channel: str | None = None,
             since_resume: bool = True) -> list[Finding]:
    """Every warning and pause the rates call for now, over each window (from the last resume of
    the channel when `since_resume`: what a person resumed is not judged again)."""
    th = Thresholds.of(settings)
    out: list[Finding] = []
    for ch in ((channel,) if channel else ("sms", "email")):
        resumed = pauses.resumed_at(session, ch) if since_resume else None
        for window, span in WINDOWS.items():
            since = max(at - span, resumed) if resumed else at - span
            out += judge(totals(counts(session, since=since, until=at, channel=ch), (ch,))[ch], window, th)
    return out


def check(session: Session, channel: str, settings: Any, *, at: datetime) -> pauses.Pause | None:
    """Pause `channel` if its rates call for it (called as the provider reports an outcome): the
    pause made, None when none was (already paused, or the rates are fine)."""
    current = pauses.paused(session, settings).get(channel)
    if current is not None and current.kind == pauses.DELIVERABILITY:
        return None
    for finding in findings(session, settings, at=at, channel=channel):
        if finding.level == "pause" and pauses.hold(session, channel, finding.reason, at):
            return pauses.Pause(channel, finding.reason, at, pauses.DELIVERABILITY)
    return None


def watched(channel: str, *, status: str | None, code: str | None) -> bool:
    """Whether a provider's report can change a verdict (only those trigger a check)."""
    if channel == "sms":
        return code in FILTERED_CODES + UNREGISTERED_CODES
    return status in (_BOUNCE, *_SPAM, *_DROPPED)
