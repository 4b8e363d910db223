"""/api/leads: intake (201 new, 200 updated), read, partial update, lead events."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, WithJsonSchema, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from nurture.intake import status as lead_status
from nurture.clock import now
from nurture.db import get_engine
from nurture.config import get_settings
from nurture.intake.leads import (
    STATUS_REASON_MAX,
    IntakeError,
    as_if_new,
    consent_ledger,
    lead_by_id,
    update_lead,
    upsert_lead,
)
from nurture.models import DeliveryEvent, Lead
from nurture.intake.serialize import lead_json
from nurture.text_rules import shown, text_problem
from nurture.web.responses import API_KEYED, Problems, answers
from nurture.web.schemas import lead_body, text_pattern
from nurture.accounts import audit
from nurture.web.auth import acting, require
from nurture.web.deps import SessionDep

router = APIRouter(prefix="/api", tags=["leads"], responses=API_KEYED)
INTAKE = [Depends(require("api.intake"))]
READ = [Depends(require("api.read"))]

EXAMPLE = {
    "first_name": "Maria", "last_name": "Lopez", "email": "maria@example.com", "phone": "3055550142",
    "property": {"street": "12 Palm Ave", "city": "Miami", "state": "FL", "zip": "33101"},
    "mortgage_balance": "425000.00", "estimated_value": "375000.00",
    "payment_status": "behind", "months_behind": 3, "hardships": ["job_loss"],
    "foreclosure": {"stage": "sale_scheduled", "sale_date": "2026-12-10"},
    "sms_consent": {"granted": True, "text": "I agree to receive texts from ...",
                    "source_url": "https://example.com/start-short-sale", "ip": "203.0.113.7"},
    "source": "web", "external_id": "crm-8812",
}


ERRORS_LISTED = 50
"""Problems a 422 answer lists: a megabyte of unknown keys is 100,000 problems, not a 5 MB answer."""


def _errors(exc: IntakeError) -> JSONResponse:
    """The 422 answer: one entry per bad field, at most ERRORS_LISTED, then one saying how many more."""
    detail = [e.as_dict() for e in exc.errors[:ERRORS_LISTED]]
    if len(exc.errors) > ERRORS_LISTED:
        detail.append({"field": "body", "message": f"and {len(exc.errors) - ERRORS_LISTED:,} more problems, "
                                                   f"not listed: fix these {ERRORS_LISTED} and send it again"})
    return JSONResponse({"detail": detail}, status_code=422)


def _body(session: Session, lead: Lead) -> dict[str, Any]:
    return lead_json(lead, consent_ledger(session, lead.id))


def _lead_or_404(session: Session, lead_id: int) -> Lead:
    lead = lead_by_id(session, lead_id)
    if lead is None:
        raise HTTPException(404, f"no lead #{lead_id}")
    return lead


MERGE_VALUES = ("keep", "replace")


def _recorded_by(request: Request) -> str:
    """Who puts a consent on record through the API: a caller holding the key, or this machine."""
    if get_settings().api_key:
        return "api (key)"
    return f"api (no key: {request.client.host if request.client else 'unknown'})"


def _merge(body: dict[str, Any]) -> JSONResponse | None:
    """`merge` (`keep` or `replace`) is still accepted from older forms; it changes nothing: a
    matched lead's fields are held for ops whatever key the request carried."""
    merge = body.pop("merge", "keep")
    if merge not in MERGE_VALUES:
        return JSONResponse({"detail": [{"field": "merge", "message": f"{shown(merge)} is not one of keep, replace"}]},
                            status_code=422)
    return None


@router.post("/leads", responses={201: {"description": "the lead as this intake makes it: a new lead as stored; "
                                                       "for a lead that matched, what a new lead from this body "
                                                       "would be, under its id (its fields held for ops)"},
                                  422: {"model": Problems,
                                        "description": "one entry per bad field (at most 50, then one saying how many more)"},
                                  **answers(400)}, dependencies=INTAKE,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": lead_body()}}}})
def create_or_update_lead(request: Request, body: dict[str, Any] = Body(..., examples=[EXAMPLE])) -> JSONResponse:
    """Create a lead, or update the lead with the same phone or email (one lead per person).

    A consent grant needs its evidence: `text`, `source_url` and `ip` (and `at` when the form took
    it earlier than this request). A body matching a lead by phone or email (or whose email looks
    like a lead's) changes none of its facts: every difference is held for ops as a proposed change,
    `granted: false` is noted, not applied, and a grant with its evidence is recorded. The answer is
    then what a new lead from this body would be, under the matched lead's id: it tells nothing stored.
    """
    refused = _merge(body) if isinstance(body, dict) else None
    if refused is not None:
        return refused
    for attempt in range(2):
        session = Session(get_engine(), expire_on_commit=False)
        try:
            at, recorded_by = now(), _recorded_by(request)
            result = upsert_lead(session, body, method="api", now=at, recorded_by=recorded_by, on_match="propose")
            session.commit()
            if result.created:
                return JSONResponse(_body(session, result.lead), status_code=201)
            lead, consents = as_if_new(session, result, method="api", now=at, recorded_by=recorded_by)
            return JSONResponse(lead_json(lead, consents), status_code=201)
        except IntakeError as exc:
            session.rollback()
            return _errors(exc)
        except IntegrityError:
            # Two requests for the same new person at once: the second one now finds the first.
            session.rollback()
            if attempt:
                raise
        finally:
            session.close()
    raise AssertionError("unreachable")


@router.get("/leads/{lead_id}", responses=answers(404), dependencies=READ)
def get_lead(lead_id: int, session: SessionDep) -> dict[str, Any]:
    return _body(session, _lead_or_404(session, lead_id))


@router.patch("/leads/{lead_id}", responses=answers(400, 404), dependencies=INTAKE)
def patch_lead(lead_id: int, request: Request, session: SessionDep, body: dict[str, Any] = Body(...)) -> Any:
    """Change some of a lead's facts (or its `status`); the lead's plan follows. `sms_consent`
    with `granted: false` revokes; a grant needs `text`, `source_url` and `ip`."""
    lead = _lead_or_404(session, lead_id)
    before = lead.status
    at = now()
    try:
        result = update_lead(session, lead, body, method="api", now=at, recorded_by=_recorded_by(request))
    except IntakeError as exc:
        session.rollback()
        return _errors(exc)
    lead_status.log_change(session, lead, before, method="api", now=at)
    if result.changed:
        audit.record(session, acting(), "updated", target_kind="lead", target=lead_id,
                     detail="changed: " + ", ".join(sorted(result.changed)))
    return _body(session, lead)


NOTE_MAX = 500
"""Characters of an event's note: what one delivery-log entry holds, so a note is kept whole."""


class LeadEventIn(BaseModel):
    """Something that happened to a lead outside nurture (the CRM, a call)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    type: Literal["converted", "closed", "legal_hold", "needs_human", "paused", "reactivated", "note"]
    # Documented with text_problem's rules (the validator below), which pydantic does not check twice.
    note: Annotated[str | None, WithJsonSchema({"anyOf": [
        {"type": "string", "maxLength": NOTE_MAX, "pattern": text_pattern(multiline=True)}, {"type": "null"}]})] = None

    @field_validator("note")
    @classmethod
    def _note(cls, v: str | None) -> str | None:
        problem = text_problem(v, max_len=NOTE_MAX, multiline=True) if v else None
        if problem:
            raise ValueError(problem)
        return v or None


_STATUS_FOR = {"converted": "converted", "closed": "closed", "legal_hold": "legal_hold",
               "needs_human": "needs_human", "paused": "paused", "reactivated": "active"}


@router.post("/leads/{lead_id}/events", status_code=201, responses=answers(400, 404), dependencies=INTAKE)
def lead_event(lead_id: int, event: LeadEventIn, session: SessionDep) -> dict[str, Any]:
    """Record an outside event; status events stop or restart the lead's sequence."""
    lead = _lead_or_404(session, lead_id)
    at = now()
    if event.type in _STATUS_FOR:
        # The status reason is one line of at most 300 characters; a longer note is also kept whole
        # in the lead's log below.
        note = " ".join(event.note.split()) if event.note else ""
        reason = f"{event.type} (api event)" + (f": {note}" if note else "")
        lead_status.set_status(session, lead, _STATUS_FOR[event.type], reason=reason, method="api", now=at)
        if len(reason) > STATUS_REASON_MAX:
            session.add(DeliveryEvent(at=at, lead_id=lead.id, kind="note", cause=event.note))
    else:
        session.add(DeliveryEvent(at=at, lead_id=lead.id, kind="note", cause=event.note or ""))
    return _body(session, lead)
