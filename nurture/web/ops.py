"""/ops: the overview ops open every morning (today and the last 7 days in the business's zone, a
chart, the queue, who needs a person, what failed) and one page per lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from nurture.clock import now
from nurture.config import get_settings
from nurture.accounts import audit
from nurture.console import deliverability, log_search, overview, windows
from nurture.console.chart import bar_chart
from nurture.console.outcomes import FAILURE_STATES
from nurture.delivery.log import stats
from nurture.intake.leads import consent_ledger, lead_by_id
from nurture.localtime import days_to_sale, zone
from nurture.models import Channel, Lead, LeadStatus, Message, MessageState
from nurture.web.auth import require
from nurture.web.deps import SessionDep
from nurture.web.pages import render
from nurture.web.responses import KEYED, answers

router = APIRouter(tags=["ops"], dependencies=[Depends(require("leads"))], responses=KEYED)

LIST_LIMIT = 100
"""Rows shown in each "act on this" list (needs a person, needs review)."""
FAILURES_LIMIT = 50
"""Newest failed or undelivered messages shown on the overview."""
OVERVIEW_LOG_ROWS = 15
"""Log rows (folded) at the foot of the overview."""
LEAD_LOG_ROWS = 300
"""Log rows (folded) on one lead's page."""
CHANGES_SHOWN = 50
"""Newest changes people and keys made to the lead (the audit trail) shown on its page."""

STATE_ORDER = [str(s) for s in MessageState]
CHANNELS = [str(c) for c in Channel]


@dataclass
class MessageRow:
    message: Message
    lead_name: str


def messages_in(session: Session, states: list[str], *, limit: int) -> list[MessageRow]:
    """Messages now in one of `states`, most recently changed first, with their lead's name."""
    q = (
        select(Message, Lead)
        .join(Lead, col(Lead.id) == col(Message.lead_id))
        .where(col(Message.state).in_(states))
        .order_by(col(Message.updated_at).desc(), col(Message.id).desc())
        .limit(limit)
    )
    return [MessageRow(m, lead.full_name) for m, lead in session.exec(q).all()]


def leads_needing_a_human(session: Session, *, limit: int) -> list[Lead]:
    """Leads paused for a person to answer (they replied), most recent first."""
    q = (
        select(Lead).where(Lead.status == LeadStatus.needs_human)
        .order_by(col(Lead.updated_at).desc(), col(Lead.id).desc())
        .limit(limit)
    )
    return list(session.exec(q).all())


def passed_sales(session: Session, at: datetime, *, limit: int) -> list[Lead]:
    """Active or paused leads whose SET sale date (not an estimate) has passed in their own zone,
    latest sale first: the planner sent (or skipped) the closing message and told ops; ops confirm
    whether the sale was postponed, held or cancelled (and update the date or the status)."""
    today = at.date()  # UTC; a lead's own date is at most a day either side of it
    base = (select(Lead).where(col(Lead.status).in_([LeadStatus.active, LeadStatus.paused]),
                               col(Lead.sale_date_estimated).is_(False))
            .order_by(col(Lead.sale_date).desc(), col(Lead.id).desc()))
    near = session.exec(base.where(col(Lead.sale_date) >= today - timedelta(days=1),
                                   col(Lead.sale_date) <= today)).all()
    found = [lead for lead in near if (days_to_sale(lead.sale_date, at, zone(lead.timezone)) or 0) < 0]
    older = session.exec(base.where(col(Lead.sale_date) < today - timedelta(days=1)).limit(limit)).all()
    return [*found, *older][:limit]


def with_times(page: log_search.LogPage) -> list[log_search.LogRow]:
    """Log entries carry ISO strings; the pages want datetimes to show in a zone."""
    for row in page.rows:
        for e in row.folded:
            e["at_dt"] = datetime.fromisoformat(e["at"])
    return page.rows


def _state_rows(by_state: dict[str, dict[str, int]]) -> list[tuple[str, list[int], int]]:
    """(state, count per channel, total) in lifecycle order, then any state this code does not know."""
    names = STATE_ORDER + sorted(set(by_state) - set(STATE_ORDER))
    rows = []
    for name in names:
        counts = by_state.get(name, {})
        rows.append((name, [counts.get(c, 0) for c in CHANNELS], sum(counts.values())))
    return rows


def overview_context(session: Session, at: datetime) -> dict[str, Any]:
    """Everything the overview shows, read at `at`."""
    settings = get_settings()
    today = windows.today(at, settings.business_tz)
    week = windows.last_days(at, settings.business_tz, 7)
    counts = stats(session)
    week_counts = stats(session, since=week.start)
    return {
        "today": today,
        "today_figures": overview.figures(session, today),
        "today_chart": bar_chart(list(today.bucket_labels), overview.chart_series(session, today)),
        "week": week,
        "week_figures": overview.figures(session, week),
        "week_chart": bar_chart(list(week.bucket_labels), overview.chart_series(session, week)),
        "queue": overview.queue_health(session, now=at, settings=settings),
        "deliverability": deliverability.report(session, settings, at=at),
        "pct": deliverability.pct,
        "channels": CHANNELS,
        "state_rows": _state_rows(counts["messages"]),
        "leads_by_status": sorted(counts["leads"].items()),
        "failures_by_code": sorted(week_counts["failures_by_code"].items(), key=lambda kv: (-kv[1], kv[0])),
        "needs_human": leads_needing_a_human(session, limit=LIST_LIMIT),
        "passed_sales": passed_sales(session, at, limit=LIST_LIMIT),
        "needs_review": messages_in(session, [str(MessageState.review)], limit=LIST_LIMIT),
        "failures": messages_in(session, list(FAILURE_STATES), limit=FAILURES_LIMIT),
        "log_rows": with_times(log_search.search(session, log_search.LogQuery(limit=OVERVIEW_LOG_ROWS))),
        "list_limit": LIST_LIMIT,
        "failures_limit": FAILURES_LIMIT,
    }


@router.get("/ops", response_class=HTMLResponse)
def dashboard(session: SessionDep) -> HTMLResponse:
    """Today and the last 7 days, the queue, who needs a person, what failed, the latest log."""
    return render("dashboard.html", section="overview", **overview_context(session, now()))


@router.get("/ops/leads/{lead_id}", response_class=HTMLResponse, responses=answers(404))
def lead_page(lead_id: int, session: SessionDep, done: str = "") -> HTMLResponse:
    """One lead: actions, facts, consent ledger, every message and the lead's log, in its own zone."""
    lead = lead_by_id(session, lead_id)
    if lead is None:
        return render("not_found.html", status_code=404, what=f"No lead #{lead_id}.")
    messages = session.exec(
        select(Message).where(Message.lead_id == lead_id)
        .order_by(col(Message.due_at), col(Message.id))
    ).all()
    log = log_search.search(session, log_search.LogQuery(lead_id=lead_id, limit=LEAD_LOG_ROWS))
    return render(
        "lead.html",
        section="leads",
        lead=lead,
        tz=lead.timezone or get_settings().business_tz,
        consents=consent_ledger(session, lead_id),
        messages=messages,
        log_rows=with_times(log),
        log_more=log.next_before is not None,
        done=done,
        statuses=STATUS_ACTIONS,
        changes=audit.entries(session, target_kind="lead", target=lead_id, limit=CHANGES_SHOWN),
    )


#: The lead page's action bar: (status it sets, button label), shown unless the lead has that status.
STATUS_ACTIONS = [("paused", "Pause"), ("active", "Resume"), ("legal_hold", "Legal hold"),
                  ("converted", "Converted")]
