"""Jobs that must run in one scheduler at a time (the daily re-tier, the reconcile pass).

Several `nurture scheduler` processes may run for safety; each periodic job takes a lease, a
row in the key-value table moved with one conditional UPDATE, so only one of them runs it while
the lease lasts. It works the same on PostgreSQL and SQLite, across hosts, and a scheduler that
dies mid-job only holds the lease until it runs out.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from nurture.models import KeyValue

_PREFIX = "lease:"
#: Who this process is, in a lease (for people reading the table, and to renew its own).
OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: lexical order is time order
_FREE = "0000-00-00T00:00:00.000000Z|nobody"  # before any time: a free lease


def acquire(session: Session, job: str, *, now: datetime, ttl: timedelta, owner: str = OWNER) -> bool:
    """Take the lease on `job` until now + ttl; True if it is ours (free, expired, or already ours)."""
    key = _PREFIX + job
    until = (now + ttl).strftime(_FORMAT)
    table = KeyValue.__table__
    if session.get(KeyValue, key) is None:
        dialect = session.get_bind().dialect.name
        values = {"key": key, "value": _FREE}
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        session.execute(insert(table).values(**values).on_conflict_do_nothing())
    stamp = now.strftime(_FORMAT)
    taken = session.exec(
        sa.update(table).where(table.c.key == key, sa.or_(table.c.value < stamp, table.c.value.like(f"%|{owner}")))
        .values(value=f"{until}|{owner}")
    ).rowcount
    session.commit()
    return taken == 1


def release(session: Session, job: str, *, owner: str = OWNER) -> None:
    table = KeyValue.__table__
    session.execute(sa.update(table).where(table.c.key == _PREFIX + job, table.c.value.like(f"%|{owner}"))
                    .values(value=_FREE))
    session.commit()
