"""Blackouts: days on which nobody in a state is contacted (a declared emergency), declared by ops.

Declaring or lifting one re-plans at once every active lead who may be in that state
(plans.replan.replan_state), so planned texts move out of the blackout; the send gate checks
blackouts again before anything leaves.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture.models import Blackout as BlackoutRow
from nurture.law.hours import Blackout
from nurture.geo import US_STATES
from nurture.models import Lead, stored_id



def active(session: Session, today: date) -> tuple[Blackout, ...]:
    """Blackouts that end today or later (the rules take the past ones as irrelevant)."""
    rows = session.exec(select(BlackoutRow).where(col(BlackoutRow.ends_on) >= today)
                        .order_by(col(BlackoutRow.starts_on))).all()
    return tuple(_rule(r) for r in rows)


def _rule(row: BlackoutRow) -> Blackout:
    return Blackout(stored_id(row), row.state, row.starts_on, row.ends_on, row.reason)


def add(session: Session, *, state: str, starts_on: date, ends_on: date, reason: str, now: datetime) -> BlackoutRow:
    """Declare a blackout (not committed); ValueError names what is wrong."""
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


def count_active_leads(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Lead).where(Lead.status == "active")) or 0
