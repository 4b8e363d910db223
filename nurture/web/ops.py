"""/ops: the dashboard ops watch (counts, what needs a human, failures, the log) and one page per lead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlmodel import Session, select

from nurture.clock import now
from nurture.delivery_log import entries, parse_since, stats
from nurture.intake import consent_ledger, find_lead, lead_by_id
from nurture.models import Channel, Lead, LeadStatus, Message, MessageState
from nurture.planner import fmt_local
from nurture.web.deps import SessionDep, require_api_key

router = APIRouter(tags=["ops"], dependencies=[Depends(require_api_key)])

HTML_DIR = Path(__file__).resolve().parent / "html"
LIST_LIMIT = 100
"""Rows shown in each "act on this" list (needs a human, needs review)."""
FAILURES_LIMIT = 50
"""Newest failed messages shown on the dashboard."""
LOG_LIMIT = 100
"""Newest delivery-log entries shown on the dashboard."""
LEAD_LOG_LIMIT = 500
"""Delivery-log entries shown on one lead's page."""

# Every page is autoescaped: names, reasons and provider texts come from outside and may hold markup.
_env = Environment(loader=FileSystemLoader(HTML_DIR), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)


def _utc(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _local(moment: datetime | None, tz: str) -> str:
    return "—" if moment is None else fmt_local(moment, tz)


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"${value:,.2f}"


_env.filters.update(utc=_utc, local=_local, money=_money)

STATE_ORDER = [str(s) for s in MessageState]
CHANNELS = [str(c) for c in Channel]


def _render(name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(name).render(now=now(), **context)
    return HTMLResponse(html, status_code=status_code)


@dataclass
class Filters:
    """The dashboard's query string, checked: a bad value becomes an error shown on the page."""

    lead: str = ""
    state: str = ""
    since: str = ""
    lead_id: int | None = None
    cutoff: datetime | None = None
    errors: list[str] = field(default_factory=list)

    def query(self, **override: str) -> str:
        """The query string for these filters with some changed (links in the tables)."""
        values = {"lead": self.lead, "state": self.state, "since": self.since, **override}
        return urlencode({k: v for k, v in values.items() if v})


def read_filters(session: Session, *, lead: str, state: str, since: str, at: datetime) -> Filters:
    f = Filters(lead=lead.strip(), state=state.strip().lower(), since=since.strip())
    if f.lead:
        found = find_lead(session, f.lead)
        if found is None:
            f.errors.append(f"lead: no lead matches {f.lead!r} (give an id, phone or email)")
        else:
            f.lead_id = found.id
    if f.state and f.state not in STATE_ORDER:
        f.errors.append(f"state: {f.state!r} is not a message state: use one of {', '.join(STATE_ORDER)}")
    if f.since:
        try:
            f.cutoff = at - parse_since(f.since)
        except ValueError as exc:
            f.errors.append(f"since: {exc}")
    return f


@dataclass
class MessageRow:
    message: Message
    lead_name: str


def messages_in(
    session: Session, state: MessageState, *, lead_id: int | None = None, since: datetime | None = None,
    limit: int,
) -> list[MessageRow]:
    """Messages now in `state`, most recently changed first, with their lead's name."""
    q = (
        select(Message, Lead)
        .join(Lead, Lead.id == Message.lead_id)  # type: ignore[arg-type]
        .where(Message.state == state)
        .order_by(Message.updated_at.desc(), Message.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
    )
    if lead_id is not None:
        q = q.where(Message.lead_id == lead_id)
    if since is not None:
        q = q.where(Message.updated_at >= since)
    return [MessageRow(m, lead.full_name) for m, lead in session.exec(q).all()]


def leads_needing_a_human(session: Session, *, limit: int) -> list[Lead]:
    """Leads paused for a person to answer (they replied), most recent first."""
    q = (
        select(Lead).where(Lead.status == LeadStatus.needs_human)
        .order_by(Lead.updated_at.desc(), Lead.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
    )
    return list(session.exec(q).all())


def _with_times(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Log entries carry ISO strings; the pages want datetimes to show in more than one zone."""
    return [{**row, "at_dt": datetime.fromisoformat(row["at"])} for row in rows]


def _state_rows(by_state: dict[str, dict[str, int]]) -> list[tuple[str, list[int], int]]:
    """(state, count per channel, total) in lifecycle order, then any state this code does not know."""
    names = STATE_ORDER + sorted(set(by_state) - set(STATE_ORDER))
    rows = []
    for name in names:
        counts = by_state.get(name, {})
        rows.append((name, [counts.get(c, 0) for c in CHANNELS], sum(counts.values())))
    return rows


@router.get("/ops", response_class=HTMLResponse)
def dashboard(session: SessionDep, lead: str = "", state: str = "", since: str = "") -> HTMLResponse:
    """Counts, leads that need a human, messages that need review, recent failures and the log."""
    at = now()
    f = read_filters(session, lead=lead, state=state, since=since, at=at)
    log_state = f.state if f.state in STATE_ORDER else None
    counts = stats(session, since=f.cutoff)
    return _render(
        "dashboard.html",
        status_code=400 if f.errors else 200,
        filters=f,
        tz=None,
        states=STATE_ORDER,
        channels=CHANNELS,
        state_rows=_state_rows(counts["messages"]),
        leads_by_status=sorted(counts["leads"].items()),
        failures_by_code=sorted(counts["failures_by_code"].items(), key=lambda kv: (-kv[1], kv[0])),
        needs_human=leads_needing_a_human(session, limit=LIST_LIMIT),
        needs_review=messages_in(session, MessageState.review, lead_id=f.lead_id, limit=LIST_LIMIT),
        failures=messages_in(session, MessageState.failed, lead_id=f.lead_id, since=f.cutoff,
                             limit=FAILURES_LIMIT),
        log=_with_times(entries(session, lead_id=f.lead_id, state=log_state, since=f.cutoff, limit=LOG_LIMIT)),
        list_limit=LIST_LIMIT,
        failures_limit=FAILURES_LIMIT,
        log_limit=LOG_LIMIT,
    )


@router.get("/ops/leads/{lead_id}", response_class=HTMLResponse)
def lead_page(lead_id: int, session: SessionDep) -> HTMLResponse:
    """One lead: facts, consent ledger, every message and the lead's log, times in UTC and local."""
    lead = lead_by_id(session, lead_id)
    if lead is None:
        return _render("not_found.html", status_code=404, what=f"No lead #{lead_id}.")
    messages = session.exec(
        select(Message).where(Message.lead_id == lead_id)
        .order_by(Message.due_at, Message.id)  # type: ignore[arg-type]
    ).all()
    return _render(
        "lead.html",
        lead=lead,
        tz=lead.timezone,
        consents=consent_ledger(session, lead_id),
        messages=messages,
        log=_with_times(entries(session, lead_id=lead_id, limit=LEAD_LOG_LIMIT)),
        log_limit=LEAD_LOG_LIMIT,
    )
