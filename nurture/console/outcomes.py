"""What counts as a failure, a reply, an opt-out and a conversion: one definition, read by the
overview, the templates page and `nurture stats`.

Carrier failures (`undelivered`: Twilio 30003-30008, ...) and email bounces and drops (also
`undelivered`) are failures as much as a refused send (`failed`): the lead did not get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from nurture.models import FAILURE_STATES, Consent, ConsentAction, DeliveryEvent, InboundMessage

__all__ = ["FAILURE_STATES", "Outcome", "conversions", "opt_outs", "replies"]

#: What counts as a reply (nurture.conversations.replies' kinds): what a lead wrote that a person
#: must read, and a request for another language (answered by nurture, but the lead did write back);
#: not a revocation, START or HELP.
CONVERSATION = ("conversation", "maybe_opt_out", "language")


@dataclass(frozen=True)
class Outcome:
    """Something a lead did: replied, opted out (of `channel`) or converted, at `at`."""

    lead_id: int
    at: datetime
    channel: str | None = None


def replies(session: Session, start: datetime, end: datetime) -> list[Outcome]:
    """Texts and emails from leads in [start, end) that reply (not STOP, START or HELP)."""
    m = InboundMessage.__table__
    rows = session.execute(
        sa.select(m.c.lead_id, m.c.received_at, m.c.channel)
        .where(m.c.kind.in_(CONVERSATION), m.c.lead_id.is_not(None), m.c.received_at >= start,
               m.c.received_at < end)
    ).all()
    return [Outcome(lead_id, at, channel) for lead_id, at, channel in rows]


def opt_outs(session: Session, start: datetime, end: datetime) -> list[Outcome]:
    """Consent revocations in [start, end): STOP, an unsubscribe link, a spam report."""
    c = Consent.__table__
    rows = session.execute(
        sa.select(c.c.lead_id, c.c.recorded_at, c.c.channel)
        .where(c.c.action == str(ConsentAction.revoke), c.c.recorded_at >= start, c.c.recorded_at < end)
    ).all()
    return [Outcome(lead_id, at, channel) for lead_id, at, channel in rows]


def conversions(session: Session, start: datetime, end: datetime) -> list[Outcome]:
    """Leads whose status became `converted` in [start, end) (nurture.intake.status logs each change)."""
    e = DeliveryEvent.__table__
    rows = session.execute(
        sa.select(e.c.lead_id, e.c.at)
        .where(e.c.to_state == "converted", e.c.kind == "lead", e.c.lead_id.is_not(None), e.c.at >= start,
               e.c.at < end)
    ).all()
    return [Outcome(lead_id, at) for lead_id, at in rows]
