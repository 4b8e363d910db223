"""Blackouts: days on which nobody in a state is contacted (a declared emergency), declared by ops.

Declaring or lifting one re-plans at once every active lead who may be in that state, so planned
texts move out of the blackout; the send gate checks blackouts again before anything leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture.models import Blackout as BlackoutRow
from nurture.models import Lead
from nurture.rules import Blackout, locate

#: Leads re-planned per batch when a blackout changes.
BATCH = 500


def active(session: Session, today: date) -> tuple[Blackout, ...]:
    """Blackouts that end today or later (the rules take the past ones as irrelevant)."""
    rows = session.exec(select(BlackoutRow).where(col(BlackoutRow.ends_on) >= today)
                        .order_by(col(BlackoutRow.starts_on))).all()
    return tuple(_rule(r) for r in rows)


def _rule(row: BlackoutRow) -> Blackout:
    return Blackout(row.id, row.state, row.starts_on, row.ends_on, row.reason)  # type: ignore[arg-type]


def add(session: Session, *, state: str, starts_on: date, ends_on: date, reason: str, now: datetime) -> BlackoutRow:
    """Declare a blackout (not committed); ValueError names what is wrong."""
    from nurture.intake_schema import US_STATES

    state = state.strip().upper()
    if state not in US_STATES:
        raise ValueError(f"{state!r} is not a US state or territory code (two letters, e.g. LA)")
    if ends_on < starts_on:
        raise ValueError(f"--to {ends_on} is before --from {starts_on}")
    reason = reason.strip()
    if not reason:
        raise ValueError("--reason is required: say why (it is shown on every message it moves)")
    if len(reason) > 300:
        raise ValueError("--reason is longer than 300 characters")
    row = BlackoutRow(state=state, starts_on=starts_on, ends_on=ends_on, reason=reason, created_at=now)
    session.add(row)
    session.flush()
    return row


def remove(session: Session, blackout_id: int) -> BlackoutRow | None:
    row = session.get(BlackoutRow, blackout_id)
    if row is not None:
        session.delete(row)
        session.flush()
    return row


def listed(session: Session, *, include_past: bool, today: date) -> list[BlackoutRow]:
    query = select(BlackoutRow).order_by(col(BlackoutRow.starts_on), col(BlackoutRow.id))
    if not include_past:
        query = query.where(col(BlackoutRow.ends_on) >= today)
    return list(session.exec(query))


def replan_state(session_factory: Callable[[], object], state: str, *, now: datetime, cause: str,
                 progress: Callable[[int], None] | None = None) -> int:
    """Re-plan every active lead who may be in `state` (property, ZIP or area code), in batches.

    Each batch is its own transaction (`session_factory()` gives a Session, committed here per
    batch), so a long list never holds the scheduler's claims. Returns how many were re-planned.
    """
    from nurture.planning import replan_many

    done = 0
    after = 0
    while True:
        with session_factory() as session:  # type: ignore[attr-defined]
            leads = session.exec(select(Lead).where(Lead.status == "active", col(Lead.id) > after)
                                 .order_by(col(Lead.id)).limit(BATCH)).all()
            if not leads:
                return done
            after = leads[-1].id
            mine = [lead for lead in leads if state in locate(lead.state, lead.zip, lead.phone, lead.timezone).states]
            if mine:
                replan_many(session, [(lead, cause) for lead in mine], now=now)
                session.commit()
                done += len(mine)
        if progress is not None:
            progress(len(leads))


def count_active_leads(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Lead).where(Lead.status == "active")) or 0
