"""/ops/audit: the audit trail for admins: every change a person, a key or the CLI made (accounts and
keys, sign-in refusals and lock-outs, leads, templates and schedules), newest first, with its author."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from nurture.models import AuditEntry
from nurture.web.auth import Principal, require
from nurture.web.deps import SessionDep
from nurture.web.pages import render
from nurture.web.responses import KEYED, answers

router = APIRouter(tags=["ops"], responses=KEYED)

#: What the page lists at most; a narrower `kind` or `target` reaches older entries.
AUDIT_PAGE = 500


@router.get("/ops/audit", response_class=HTMLResponse, responses=answers(400))
def audit_page(session: SessionDep, principal: Annotated[Principal, Depends(require("admin"))],
               kind: str = Query("", max_length=30, description="account, api_key, lead, template, schedule..."),
               target: str = Query("", max_length=200, description="an account's or key's name, a lead's id, a file")
               ) -> HTMLResponse:
    """The newest changes first, of one kind of thing (and one of them) when asked."""
    query = select(AuditEntry)
    if kind.strip():
        query = query.where(AuditEntry.target_kind == kind.strip())
    if target.strip():
        query = query.where(AuditEntry.target == target.strip())
    rows = session.exec(query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(AUDIT_PAGE)).all()
    kinds = session.exec(select(AuditEntry.target_kind).distinct().order_by(AuditEntry.target_kind)).all()
    return render("audit.html", section="audit", entries=rows, kinds=kinds, kind=kind.strip(), target=target.strip(),
                  limit=AUDIT_PAGE)
