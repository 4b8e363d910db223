"""What each bought list yielded: its leads, how many could be texted or emailed, and what they did
(replied, opted out, converted), counted with the one definition of each in outcomes.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from nurture.console.outcomes import conversions, opt_outs, replies
from nurture.models import WENT_OUT_STATES, Lead, LeadRecord, LeadStatus, Message


@dataclass
class ListResult:
    """One list's figures. A lead that came in two lists counts in each."""

    list_name: str
    vendor: str | None = None
    first_imported: datetime | None = None
    leads: int = 0
    closed: int = 0
    with_phone: int = 0
    with_email: int = 0
    estimated: int = 0
    reached: int = 0  # leads at least one message went out to
    replied: int = 0
    opted_out: int = 0
    converted: int = 0
    _ids: set[int] = field(default_factory=set, repr=False)

    def rate(self, count: int) -> float | None:
        return count / self.leads if self.leads else None

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.list_name, "vendor": self.vendor,
                "first_imported": self.first_imported.isoformat() if self.first_imported else None,
                "leads": self.leads, "closed_reo": self.closed, "with_phone": self.with_phone,
                "with_email": self.with_email, "estimated_sale_dates": self.estimated, "reached": self.reached,
                "replied": self.replied, "opted_out": self.opted_out, "converted": self.converted}


def list_results(session: Session, *, start: datetime, end: datetime) -> list[ListResult]:
    """Every list's leads and what they did in [start, end), the newest list first."""
    r, lead = LeadRecord.__table__, Lead.__table__
    results: dict[str, ListResult] = {}
    members: dict[int, list[ListResult]] = defaultdict(list)
    rows = session.execute(
        sa.select(r.c.list_name, r.c.vendor, r.c.imported_at, lead.c.id, lead.c.status, lead.c.phone, lead.c.email,
                  lead.c.sale_date_estimated, lead.c.sale_date)
        .join(lead, lead.c.id == r.c.lead_id).order_by(r.c.imported_at)
    ).all()
    for list_name, vendor, imported_at, lead_id, status, phone, email, estimated, sale_date in rows:
        result = results.setdefault(list_name, ListResult(list_name, vendor, imported_at))
        if lead_id in result._ids:
            continue
        result._ids.add(lead_id)
        members[lead_id].append(result)
        result.leads += 1
        result.closed += status == LeadStatus.closed
        result.with_phone += phone is not None
        result.with_email += email is not None
        result.estimated += bool(estimated) and sale_date is not None
    if not members:
        return []
    m = Message.__table__
    reached = {row[0] for row in session.execute(
        sa.select(m.c.lead_id).where(m.c.state.in_(WENT_OUT_STATES), m.c.sent_at >= start, m.c.sent_at < end)
        .distinct())}
    for name, outcomes in (("replied", replies(session, start, end)), ("opted_out", opt_outs(session, start, end)),
                           ("converted", conversions(session, start, end)), ("reached", None)):
        ids = reached if outcomes is None else {o.lead_id for o in outcomes}
        for lead_id in ids & members.keys():
            for result in members[lead_id]:
                setattr(result, name, getattr(result, name) + 1)
    return sorted(results.values(), key=lambda x: x.first_imported or end, reverse=True)


def list_names(session: Session) -> list[str]:
    """The lists leads came in, by name."""
    r = LeadRecord.__table__
    return [row[0] for row in session.execute(sa.select(r.c.list_name).distinct().order_by(r.c.list_name))]
