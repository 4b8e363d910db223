"""The overview's figures: what happened in a window (planned, sent, delivered, failures, opt-outs,
replies, conversions, with rates), series for its chart, and the health of the queue right now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from nurture.delivery import pauses
from nurture.console import outcomes
from nurture.console.windows import Window
from nurture.models import DeliveryEvent, Message, MessageState


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by (shown as "—", never as 0 %)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Figures:
    """What happened in one window. `sent` counts messages that went out in it (later delivered or
    not); failures are `failed` (refused) plus `undelivered` (the carrier or mailbox said no)."""

    planned: int
    sent: int
    delivered: int
    undelivered: int
    failed: int
    opt_outs: int
    replies: int
    conversions: int

    @property
    def failures(self) -> int:
        return self.undelivered + self.failed

    @property
    def attempted(self) -> int:
        """Sends that went out or were refused: what a failure rate is out of."""
        return self.sent + self.failed

    def rates(self) -> dict[str, float | None]:
        return {
            "delivered": rate(self.delivered, self.sent),
            "failures": rate(self.failures, self.attempted),
            "opt_outs": rate(self.opt_outs, self.sent),
            "replies": rate(self.replies, self.sent),
            "conversions": rate(self.conversions, self.sent),
        }

    def as_dict(self) -> dict[str, Any]:
        return {"planned": self.planned, "sent": self.sent, "delivered": self.delivered,
                "undelivered": self.undelivered, "failed": self.failed, "failures": self.failures,
                "opt_outs": self.opt_outs, "replies": self.replies, "conversions": self.conversions,
                "rates": self.rates()}


def bucket_counts(session: Session, column: Any, bounds: tuple[datetime, ...], *where: Any) -> list[int]:
    """How many rows have `column` in each bucket [bounds[i], bounds[i+1]): one GROUP BY, the bucket
    found by a CASE over the boundaries (the same SQL on SQLite and PostgreSQL)."""
    buckets = len(bounds) - 1
    index = sa.case(*[(column < b, i) for i, b in enumerate(bounds[1:-1])], else_=buckets - 1)
    rows = session.execute(
        sa.select(index.label("bucket"), sa.func.count())
        .where(column >= bounds[0], column < bounds[-1], *where)
        .group_by(sa.text("1"))
    ).all()
    counts = [0] * buckets
    for bucket, n in rows:
        counts[int(bucket)] = n
    return counts


def _count(session: Session, column: Any, window: Window, *where: Any) -> int:
    return session.execute(
        sa.select(sa.func.count()).where(column >= window.start, column < window.end, *where)
    ).scalar_one()


def figures(session: Session, window: Window) -> Figures:
    """The window's figures (each one indexed count)."""
    m = Message.__table__
    planned = _count(session, m.c.created_at, window, m.c.state != str(MessageState.cancelled))
    sent = _count(session, m.c.sent_at, window)
    e = DeliveryEvent.__table__
    # Messages that moved into each state in the window: one log row per move.
    moved = {state: _count(session, e.c.at, window, e.c.to_state == state, e.c.message_id.is_not(None))
             for state in ("delivered", "undelivered", "failed")}
    return Figures(
        planned=planned, sent=sent, delivered=moved["delivered"], undelivered=moved["undelivered"],
        failed=moved["failed"],
        opt_outs=len(outcomes.opt_outs(session, window.start, window.end)),
        replies=len(outcomes.replies(session, window.start, window.end)),
        conversions=len(outcomes.conversions(session, window.start, window.end)),
    )


@dataclass(frozen=True)
class Series:
    """One line of the chart: a name, its CSS class and a count per bucket."""

    name: str
    css: str
    counts: list[int]


def chart_series(session: Session, window: Window) -> list[Series]:
    """Sent, delivered and failures (failed + undelivered) per bucket of the window."""
    m = Message.__table__
    e = DeliveryEvent.__table__
    sent = bucket_counts(session, m.c.sent_at, window.bounds)
    delivered = bucket_counts(session, e.c.at, window.bounds, e.c.to_state == "delivered",
                              e.c.message_id.is_not(None))
    failures = bucket_counts(session, e.c.at, window.bounds, e.c.to_state.in_(outcomes.FAILURE_STATES),
                             e.c.message_id.is_not(None))
    return [Series("sent", "sent", sent), Series("delivered", "delivered", delivered),
            Series("failures", "failures", failures)]


#: A `sending` row past its lease by more than this is stale: its worker died or its provider never
#: answered, and the reconciler has not settled it yet.
STALE_GRACE = timedelta(minutes=1)


@dataclass
class QueueHealth:
    """The send queue right now: what waits, since when, what is stuck, which channels are paused."""

    due: int
    queued: int
    oldest_due: datetime | None
    stale_sending: int
    review: int
    paused: list[pauses.Pause] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.due + self.queued


def queue_health(session: Session, *, now: datetime, settings: Any) -> QueueHealth:
    m = Message.__table__
    due_where = (m.c.state == str(MessageState.planned), m.c.due_at <= now)
    due = session.execute(sa.select(sa.func.count()).where(*due_where)).scalar_one()
    oldest = session.execute(sa.select(sa.func.min(m.c.due_at)).where(*due_where)).scalar_one()
    queued_oldest = session.execute(
        sa.select(sa.func.min(m.c.due_at)).where(m.c.state == str(MessageState.queued))).scalar_one()
    if queued_oldest is not None and (oldest is None or queued_oldest < oldest):
        oldest = queued_oldest
    queued = session.execute(
        sa.select(sa.func.count()).where(m.c.state == str(MessageState.queued))).scalar_one()
    stale = session.execute(sa.select(sa.func.count()).where(
        m.c.state == str(MessageState.sending), m.c.lease_until < now - STALE_GRACE)).scalar_one()
    review = session.execute(
        sa.select(sa.func.count()).where(m.c.state == str(MessageState.review))).scalar_one()
    return QueueHealth(due=due, queued=queued, oldest_due=oldest, stale_sending=stale, review=review,
                       paused=sorted(pauses.paused(session, settings).values(), key=lambda p: p.channel))
