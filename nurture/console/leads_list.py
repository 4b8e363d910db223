"""The leads list: search by name, phone or email and filter by status, tier, state, a sale date
within N days, the bought list a lead came in, or "needs a person"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture.intake.leads import find_lead
from nurture.models import Lead, LeadRecord, LeadStatus
from nurture.plans.urgency import Facts, UrgencyRules

#: Leads on a page of the list.
PAGE_SIZE = 50
#: Leads a tier or sale-date filter looks at (tiers and days to sale are computed per lead, in the
#: lead's own zone, not stored): beyond, narrow the list first.
TIER_SCAN_LIMIT = 5000


@dataclass
class LeadQuery:
    q: str = ""
    status: str | None = None
    tier: str | None = None
    state: str | None = None
    sale_within_days: int | None = None
    list_name: str | None = None  # leads that came in this bought list
    needs_person: bool = False
    page: int = 1


@dataclass(frozen=True)
class LeadRow:
    lead: Lead
    tier: str | None
    days_to_sale: int | None


@dataclass(frozen=True)
class LeadPage:
    rows: list[LeadRow]
    page: int
    more: bool
    capped: bool  # the tier or sale-date filter looked at TIER_SCAN_LIMIT leads and stopped


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(session: Session, query: LeadQuery, *, rules: UrgencyRules | None, now: datetime) -> LeadPage:
    """A page of leads matching `query`, people waiting for a person first, then the newest."""
    stmt: Any = select(Lead)
    if query.q.strip():
        text = query.q.strip()
        pattern = f"%{_escape_like(text.lower())}%"
        name = sa.func.lower(Lead.first_name + " " + Lead.last_name)
        conds: list[sa.ColumnElement[bool]] = [
            name.like(pattern, escape="\\"), sa.func.lower(Lead.email).like(pattern, escape="\\"),
            col(Lead.phone).like(pattern, escape="\\")]
        found = find_lead(session, text.removeprefix("#"))
        if found is not None:
            conds.append(col(Lead.id) == found.id)
        stmt = stmt.where(sa.or_(*conds))
    if query.needs_person:
        stmt = stmt.where(Lead.status == LeadStatus.needs_human)
    elif query.status:
        stmt = stmt.where(Lead.status == query.status)
    if query.state:
        stmt = stmt.where(Lead.state == query.state.upper())
    if query.list_name:
        stmt = stmt.where(col(Lead.id).in_(select(LeadRecord.lead_id).where(LeadRecord.list_name == query.list_name)))
    within = query.sale_within_days
    if within is not None:
        # Narrowed in SQL with a day to spare each side (a lead's local date is the UTC date or a day
        # either side); which leads are in is then the lead's own days to sale, the count its row,
        # its tier and its templates show.
        utc_today = now.astimezone(UTC).date()
        stmt = stmt.where(col(Lead.sale_date) >= utc_today - timedelta(days=1),
                          col(Lead.sale_date) <= utc_today + timedelta(days=within + 1))
    waiting_first = sa.case((col(Lead.status) == LeadStatus.needs_human, 0), else_=1)
    stmt = stmt.order_by(waiting_first, col(Lead.updated_at).desc(), col(Lead.id).desc())
    start = (max(1, query.page) - 1) * PAGE_SIZE
    if query.tier is None and within is None:
        leads = list(session.exec(stmt.offset(start).limit(PAGE_SIZE + 1)).all())
        capped = False
    else:
        scanned = list(session.exec(stmt.limit(TIER_SCAN_LIMIT)).all())
        capped = len(scanned) == TIER_SCAN_LIMIT
        leads = [lead for lead in scanned
                 if (query.tier is None or _tier(lead, rules, now) == query.tier)
                 and (within is None or _sale_within(lead, within, now))][start:start + PAGE_SIZE + 1]
    rows = [LeadRow(lead, _tier(lead, rules, now), Facts.from_lead(lead).days_to_sale(now)) for lead in leads[:PAGE_SIZE]]
    return LeadPage(rows, max(1, query.page), len(leads) > PAGE_SIZE, capped)


def _sale_within(lead: Lead, days: int, now: datetime) -> bool:
    """Whether the lead's sale is today or within `days` days, counted where the lead lives."""
    left = Facts.from_lead(lead).days_to_sale(now)
    return left is not None and 0 <= left <= days


def _tier(lead: Lead, rules: UrgencyRules | None, now: datetime) -> str | None:
    return rules.tier_at(Facts.from_lead(lead), now) if rules is not None else None
