"""The delivery log as the console searches it: one search box (lead, phone, email, template, error
code, cause), filters (channel, state, time range), pages of rows, and plan churn folded.

A replan writes one log row per planned message it cancels or adds; a reply or a STOP can write
twenty. Those rows are folded into one ("13 planned messages cancelled: the lead replied"), which
opens to show them, so they never push a provider's answer off the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from nurture.console.outcomes import FAILURE_STATES
from nurture.delivery.log import entry, joined
from nurture.intake.leads import find_lead
from nurture.models import DeliveryEvent, Lead, Message

#: Rows (a folded group is one) on a page of the log.
PAGE_SIZE = 50
#: Log rows read at a time while filling a page.
CHUNK = 400
#: Templates a folded row names before "and N more".
SUMMARY_TEMPLATES = 3
#: The `state` filter that means "failed or undelivered".
FAILURES = "failures"


@dataclass
class LogQuery:
    """What the log is narrowed to; every field optional."""

    q: str = ""
    channel: str | None = None
    state: str | None = None  # a message state, or FAILURES
    since: datetime | None = None
    until: datetime | None = None
    lead_id: int | None = None
    before: int | None = None  # the page: rows older than this log id
    limit: int = PAGE_SIZE


@dataclass
class LogRow:
    """One row of the page: a log entry, or a fold of plan churn with the entries inside it."""

    first: dict[str, Any]
    folded: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_fold(self) -> bool:
        return len(self.folded) > 1

    @property
    def summary(self) -> str:
        """'13 planned messages cancelled, 2 planned: the lead replied: a person takes over'."""
        cancelled = sum(1 for e in self.folded if e["to_state"] == "cancelled")
        planned = sum(1 for e in self.folded if e["to_state"] == "planned")
        parts = []
        if cancelled:
            parts.append(f"{cancelled} planned message{'s' * (cancelled != 1)} cancelled")
        if planned:
            parts.append(f"{planned} planned")
        if not parts:
            parts.append(f"{len(self.folded)} plan entries")
        templates = sorted({e["template"] for e in self.folded if e["template"]})
        shown = ", ".join(templates[:SUMMARY_TEMPLATES])
        if len(templates) > SUMMARY_TEMPLATES:
            shown += f" and {len(templates) - SUMMARY_TEMPLATES} more"
        return ", ".join(parts) + (f" ({shown})" if shown else "") + f": {self.cause}"

    @property
    def cause(self) -> str:
        """The replan's own cause (its summary row), else the first entry's."""
        for e in self.folded:
            if e["kind"] == "plan" and e["message_id"] is None:
                return e["cause"]
        return self.first["cause"]


@dataclass
class LogPage:
    rows: list[LogRow]
    next_before: int | None  # None: this is the last page


def is_churn(e: dict[str, Any]) -> bool:
    """A row a replan wrote: a planned message cancelled, a message planned, or the replan's summary."""
    if e["kind"] == "plan":
        return True
    return e["kind"] == "state" and e["from_state"] == "planned" and e["to_state"] == "cancelled"


def _same_replan(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["lead_id"] == b["lead_id"] and a["at"] == b["at"]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_condition(session: Session, q: str) -> Any:
    """Rows whose lead (name, phone, email, id), template, error code, provider status or cause matches."""
    pattern = f"%{_escape_like(q.lower())}%"
    e, m = DeliveryEvent.__table__, Message.__table__
    name = sa.func.lower(Lead.__table__.c.first_name + " " + Lead.__table__.c.last_name)
    conds = [
        sa.func.lower(m.c.template).like(pattern, escape="\\"),
        e.c.error_code == q,
        sa.func.lower(e.c.provider_status) == q.lower(),
        sa.func.lower(e.c.cause).like(pattern, escape="\\"),
        name.like(pattern, escape="\\"),
        sa.func.lower(m.c.to_address).like(pattern, escape="\\"),
    ]
    # "#12" is lead 12; bare digits are an error code (30006) unless they are a phone number.
    ref = q.removeprefix("#")
    if q.startswith("#") or not ref.isdigit() or len(ref) >= 10:
        lead = find_lead(session, ref)
        if lead is not None:
            conds.append(e.c.lead_id == lead.id)
    return sa.or_(*conds)


def _statement(session: Session, query: LogQuery) -> Any:
    e, m = DeliveryEvent.__table__, Message.__table__
    stmt = joined()
    if query.q.strip():
        stmt = stmt.where(_search_condition(session, query.q.strip()))
    if query.channel:
        stmt = stmt.where(m.c.channel == query.channel)
    if query.state == FAILURES:
        stmt = stmt.where(e.c.to_state.in_(FAILURE_STATES))
    elif query.state:
        stmt = stmt.where(e.c.to_state == query.state)
    if query.since is not None:
        stmt = stmt.where(e.c.at >= query.since)
    if query.until is not None:
        stmt = stmt.where(e.c.at < query.until)
    if query.lead_id is not None:
        stmt = stmt.where(e.c.lead_id == query.lead_id)
    return stmt


def search(session: Session, query: LogQuery) -> LogPage:
    """A page of the log, newest first, with churn folded; `next_before` continues it."""
    base = _statement(session, query)
    rows: list[LogRow] = []
    cursor = query.before
    while True:
        stmt = base.limit(CHUNK)
        if cursor is not None:
            stmt = stmt.where(DeliveryEvent.__table__.c.id < cursor)
        chunk = [entry(r) for r in session.execute(stmt).all()]
        for e in chunk:
            last = rows[-1] if rows else None
            if last is not None and is_churn(e) and is_churn(last.first) and _same_replan(last.first, e):
                last.folded.append(e)
            elif len(rows) >= query.limit:
                return LogPage(rows, cursor)
            else:
                rows.append(LogRow(e, [e]))
            cursor = e["id"]
        if len(chunk) < CHUNK:
            return LogPage(rows, None)
