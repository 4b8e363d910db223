"""Per-lead serialization: whatever reads a lead's history to decide (caps, "never twice",
consent) does it under a lock on that lead, taken before the read.

PostgreSQL: a row lock on the lead (FOR NO KEY UPDATE: it serializes deciders and lead updates
but not the inserts of rows that merely point at the lead). SQLite: the database's single
writer lock, taken at once with a no-op write, serves.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from nurture.models import Lead, Message


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_leads(session: Session, lead_ids: Iterable[int]) -> None:
    """Lock these leads until the transaction ends (in id order, so two lockers never deadlock)."""
    ids = sorted(set(lead_ids))
    if not ids:
        return
    table = Lead.__table__
    if is_postgres(session):
        session.execute(sa.select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id)
                        .with_for_update(key_share=True)).all()
    else:
        session.execute(sa.update(table).where(table.c.id.in_(ids)).values(id=table.c.id))


def take_sqlite_writer_lock(session: Session) -> None:
    """SQLite: make this transaction the writer now, with a write that changes nothing (held until
    it ends); nothing on PostgreSQL, whose writers do not exclude each other."""
    if is_postgres(session):
        return
    table = Lead.__table__
    session.execute(sa.update(table).where(sa.false()).values(id=table.c.id))


def take_sqlite_writer_lock_for_message(session: Session, message_id: int) -> None:
    """SQLite: start this transaction as the writer now, before anything is read."""
    if is_postgres(session):
        return
    lead = Lead.__table__
    message = Message.__table__
    owner = sa.select(message.c.lead_id).where(message.c.id == message_id).scalar_subquery()
    session.execute(sa.update(lead).where(lead.c.id == owner).values(id=lead.c.id))
