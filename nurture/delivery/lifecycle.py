"""Message state changes: each one a conditional UPDATE whose row count is checked, plus a log row.

`planned -> queued -> sending -> sent -> delivered`, with `skipped`, `failed`, `undelivered`,
`cancelled` and `review` (see docs/architecture.md, the message state machine).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import ClauseElement
from sqlmodel import Session

from nurture.db import Prepared
from nurture.models import DeliveryEvent, Message, MessageState

S = MessageState


def transition(
    session: Session,
    message_id: int,
    *,
    from_state: MessageState | Iterable[MessageState],
    to_state: MessageState,
    at: datetime,
    cause: str,
    lead_id: int | None = None,
    kind: str = "state",
    provider_status: str | None = None,
    error_code: str | None = None,
    data: dict[str, Any] | None = None,
    **values: Any,
) -> bool:
    """Move one message from `from_state` to `to_state` if it is still there; log it. True if it moved."""
    sources = [from_state] if isinstance(from_state, str) else list(from_state)
    if error_code is not None:
        values.setdefault("error_code", error_code)
    log_row = {
        "at": at, "lead_id": lead_id, "message_id": message_id, "kind": kind,
        "from_state": str(sources[0]) if len(sources) == 1 else "|".join(str(s) for s in sources),
        "to_state": str(to_state), "cause": cause[:500], "provider_status": provider_status,
        "error_code": error_code, "data": data,
    }
    if session.get_bind().dialect.name == "postgresql":
        # One statement: the state change and its log row, or neither.
        if not any(isinstance(v, ClauseElement) for v in values.values()):
            return _pg_transition(session, message_id, sources, to_state, at, values, log_row)
    # The Core table, not the mapped class: the ORM's bulk-UPDATE machinery costs more than the query.
    table = Message.__table__
    stmt = (
        update(table)
        .where(table.c.id == message_id, table.c.state.in_([str(s) for s in sources]))
        .values(state=str(to_state), updated_at=at, **values)
    )
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(_with_log(stmt, log_row)).first() is not None
    if session.exec(stmt).rowcount != 1:
        return False
    session.execute(insert(DeliveryEvent.__table__).values(**log_row))
    return True


_EVENT_COLUMNS = ("at", "lead_id", "kind", "from_state", "to_state", "cause", "provider_status", "error_code", "data")
# The statement of each kind of transition (sources and columns set), built and compiled once:
# building an UPDATE with a CTE per message costs a worker more than the database does.
_pg_statements: dict[tuple[Any, ...], Prepared] = {}


def _pg_transition(session: Session, message_id: int, sources: list[Any], to_state: Any, at: datetime,
                   values: dict[str, Any], log_row: dict[str, Any]) -> bool:
    keys = tuple(sorted(values))
    shape = (tuple(str(s) for s in sources), keys)
    stmt = _pg_statements.get(shape)
    if stmt is None:
        messages, events = Message.__table__, DeliveryEvent.__table__
        sets = "".join(f", {k} = :v_{k}" for k in keys)
        states = ", ".join(f"'{s}'" for s in shape[0])  # our own enum values, never input
        stmt = Prepared(sa.text(
            f"WITH moved AS (UPDATE message SET state = :to_state, updated_at = :at{sets} "
            f"WHERE id = :id AND state IN ({states}) RETURNING id) "
            f"INSERT INTO deliveryevent (message_id, {', '.join(_EVENT_COLUMNS)}) "
            f"SELECT id, {', '.join(':e_' + c for c in _EVENT_COLUMNS)} FROM moved RETURNING message_id"
        ).bindparams(
            sa.bindparam("at", type_=messages.c.updated_at.type),
            *(sa.bindparam(f"v_{k}", type_=messages.c[k].type) for k in keys),
            *(sa.bindparam(f"e_{c}", type_=events.c[c].type) for c in _EVENT_COLUMNS),
        ))
        _pg_statements[shape] = stmt
    params = {"to_state": str(to_state), "at": at, "id": message_id,
              **{f"v_{k}": v for k, v in values.items()}, **{f"e_{c}": log_row[c] for c in _EVENT_COLUMNS}}
    return bool(stmt.rows(session, params))


def _with_log(update_stmt: Any, log_row: dict[str, Any]) -> Any:
    """PostgreSQL: `WITH moved AS (UPDATE ... RETURNING id) INSERT INTO deliveryevent SELECT ... FROM moved`."""
    events = DeliveryEvent.__table__
    moved = update_stmt.returning(Message.__table__.c.id).cte("moved")
    columns = [c for c in log_row if c != "message_id"]
    chosen = sa.select(*(sa.literal(log_row[c], type_=events.c[c].type).label(c) for c in columns),
                       moved.c.id.label("message_id"))
    return insert(events).from_select([*columns, "message_id"], chosen).returning(events.c.message_id)


def log_event(
    session: Session, *, at: datetime, kind: str, cause: str, lead_id: int | None = None,
    message_id: int | None = None, from_state: str | None = None, to_state: str | None = None,
    provider_status: str | None = None, error_code: str | None = None, data: dict[str, Any] | None = None,
) -> None:
    """A delivery-log row (an inbound SMS, a callback, or a state change already made by the caller)."""
    session.execute(insert(DeliveryEvent.__table__).values(
        at=at, lead_id=lead_id, message_id=message_id, kind=kind, cause=cause[:500], from_state=from_state,
        to_state=to_state, provider_status=provider_status, error_code=error_code, data=data,
    ))


def log_event_once(
    session: Session, *, event_key: str, at: datetime, kind: str, cause: str, lead_id: int | None = None,
    message_id: int | None = None, provider_status: str | None = None, error_code: str | None = None,
    data: dict[str, Any] | None = None,
) -> bool:
    """The log row of a provider's event, unless one with `event_key` is there already (the provider
    sent it again): True if this is its first row. The unique index decides, so two deliveries of one
    event at the same moment log it once too (PostgreSQL makes the second wait for the first)."""
    table = DeliveryEvent.__table__
    dialect = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    stmt = dialect(table).values(
        at=at, lead_id=lead_id, message_id=message_id, kind=kind, cause=cause[:500], provider_status=provider_status,
        error_code=error_code, data=data, event_key=event_key,
    ).on_conflict_do_nothing(index_elements=["event_key"]).returning(table.c.id)
    return session.execute(stmt).first() is not None
