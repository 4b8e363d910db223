"""/ops/inbox: the leads who wrote back and their conversations; POST /ops/leads/{id}/reply|resume|
handled|hold|converted: what a person does about one (the same service as `nurture inbox`).

The action routes take a form (an ops page's) or a script's request with a bearer key. A form
must carry `token` (tokens.ops_form_token, see `form_token`): a browser sends an ops person's
Basic credentials by itself, so without it any page on the web could make that browser act.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from nurture.conversations import inbox as service
from nurture.clock import now
from nurture.db import secret_key
from nurture.intake.leads import IntakeError, lead_by_id
from nurture.models import Lead, stored_id
from nurture.text_rules import clip
from nurture.content.tokens import check_ops_form_token, ops_form_token
from nurture.web.responses import KEYED, answers
from nurture.accounts import audit
from nurture.web.auth import acting, require
from nurture.web.deps import SessionDep
from nurture.web.pages import render

router = APIRouter(tags=["inbox"], dependencies=[Depends(require("leads"))], responses=KEYED)

#: Characters of a flash message carried back to the page in its query string.
FLASH_MAX = 300


def _render(name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    # The console's environment: autoescaped (everything a lead writes may hold markup), its filters.
    return render(name, status_code=status_code, section="inbox", **context)


def form_token(session: Session, lead_id: int) -> str:
    """The `token` field an ops page's form must send to act on lead `lead_id`."""
    return ops_form_token(lead_id, secret_key(session))


def _check_form(request: Request, session: Session, lead_id: int, token: str | None) -> None:
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # a script with the key: no browser sends that by itself
    if not check_ops_form_token(lead_id, token or "", secret_key(session)):
        raise HTTPException(403, "this form is not one of nurture's pages (missing or wrong token): reload the page")


def _lead_or_404(session: Session, lead_id: int) -> Lead:
    lead = lead_by_id(session, lead_id)
    if lead is None:
        raise HTTPException(404, f"no lead #{lead_id}")
    return lead


@router.get("/ops/inbox", response_class=HTMLResponse)
def inbox_page(session: SessionDep, all: bool = False) -> HTMLResponse:  # noqa: A002 (the query is ?all=1)
    """Every lead who wrote back and waits for a person (or, with ?all=1, every lead who wrote back)."""
    return _render("inbox.html", conversations=service.conversations(session, everything=all), everything=all,
                   limit=service.LIST_LIMIT, proposals=service.leads_with_proposals(session))


def _thread_page(session: Session, lead: Lead, *, error: str | None = None, done: str | None = None,
                 status_code: int = 200, typed: dict[str, str] | None = None) -> HTMLResponse:
    return _render("inbox_thread.html", status_code=status_code, lead=lead, thread=service.thread(session, lead),
                   token=form_token(session, stored_id(lead)), error=error, done=done,
                   typed=typed or {}, resumable=lead.status in service.RESUMABLE,
                   proposals=service.pending_proposals(session, lead))


@router.get("/ops/inbox/{lead_id}", response_class=HTMLResponse, responses=answers(404))
def thread_page(lead_id: int, session: SessionDep, done: str = "") -> HTMLResponse:
    """One lead's conversation, times in the lead's zone, with the actions."""
    lead = lead_by_id(session, lead_id)
    if lead is None:
        return _render("not_found.html", status_code=404, what=f"No lead #{lead_id}.")
    return _thread_page(session, lead, done=clip(done, FLASH_MAX) or None)


def _back(lead_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/ops/inbox/{lead_id}?{urlencode({'done': clip(done, FLASH_MAX)})}", status_code=303)


TokenField = Annotated[str | None, Form()]
NoteField = Annotated[str | None, Form()]


@router.post("/ops/leads/{lead_id}/reply", status_code=303, response_class=RedirectResponse,
             responses=answers(404, 409))
def reply_action(
    lead_id: int, request: Request, session: SessionDep,
    text: Annotated[str, Form(min_length=1)], channel: Annotated[str, Form()] = "sms",
    subject: Annotated[str | None, Form()] = None, when_allowed: Annotated[bool, Form()] = False,
    token: TokenField = None,
) -> Response:
    """Reply to the lead (a one-off text or email). Refused (no consent, suppressed, outside the legal
    hours) the page says which rule, and nothing is planned unless `when_allowed`."""
    lead = _lead_or_404(session, lead_id)
    _check_form(request, session, lead_id, token)
    try:
        result = service.reply(session, lead, channel=channel, text=text, subject=subject or None,
                               actor=acting(), now=now(), when_allowed=when_allowed)
    except service.InboxError as exc:
        session.rollback()
        lead = _lead_or_404(session, lead_id)
        return _thread_page(session, lead, error=str(exc), status_code=409,
                            typed={"text": text, "channel": channel, "subject": subject or ""})
    if result.verdict.action == "move":
        audit.record(session, acting(), "reply", target_kind="lead", target=lead_id, detail=f"{channel}, planned later")
        return _back(lead_id, f"reply planned for {result.local} ({result.verdict.reason})")
    audit.record(session, acting(), "reply", target_kind="lead", target=lead_id, detail=channel)
    return _back(lead_id, "reply planned: it goes out within a few seconds")


def _act(request: Request, session: Session, lead_id: int, token: str | None, done: str, do) -> Response:
    lead = _lead_or_404(session, lead_id)
    _check_form(request, session, lead_id, token)
    try:
        do(lead, acting(), now())
    except service.InboxError as exc:
        session.rollback()
        return _thread_page(session, _lead_or_404(session, lead_id), error=str(exc), status_code=409)
    except IntakeError as exc:  # a value the lead's row refuses (a control character in a reason)
        session.rollback()
        return _thread_page(session, _lead_or_404(session, lead_id), status_code=400,
                            error="; ".join(e.message for e in exc.errors))
    # The action as its path names it: resume, handled, hold, converted, proposed/3/accept.
    audit.record(session, acting(), request.url.path.split(f"/{lead_id}/", 1)[-1], target_kind="lead",
                 target=lead_id, detail=done)
    return _back(lead_id, done)


def _one_line(text: str | None) -> str:
    """A reason typed in a text box, its line breaks and runs of spaces made single spaces (a
    lead's status reason is one line)."""
    return " ".join((text or "").split())


@router.post("/ops/leads/{lead_id}/resume", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404, 409))
def resume_action(lead_id: int, request: Request, session: SessionDep, token: TokenField = None,
                  note: NoteField = None) -> Response:
    """Resume the lead's sequence; its open messages are marked handled."""
    return _act(request, session, lead_id, token, "sequence resumed",
                lambda lead, by, at: service.resume(session, lead, actor=by, now=at, note=note or None))


@router.post("/ops/leads/{lead_id}/handled", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404, 409))
def handled_action(lead_id: int, request: Request, session: SessionDep, token: TokenField = None,
                   note: NoteField = None) -> Response:
    """Mark what the lead wrote as handled (the lead's status stays as it is)."""
    return _act(request, session, lead_id, token, "marked handled",
                lambda lead, by, at: service.mark_handled(session, lead, actor=by, now=at, note=note or None))


@router.post("/ops/leads/{lead_id}/hold", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404, 409))
def hold_action(lead_id: int, request: Request, session: SessionDep, token: TokenField = None,
                reason: NoteField = None) -> Response:
    """Legal hold: nothing more goes to the lead."""
    return _act(request, session, lead_id, token, "on legal hold",
                lambda lead, by, at: service.hold(session, lead, actor=by, now=at, reason=_one_line(reason)))


@router.post("/ops/leads/{lead_id}/converted", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404, 409))
def converted_action(lead_id: int, request: Request, session: SessionDep, token: TokenField = None,
                     note: NoteField = None) -> Response:
    """The lead became a client: its sequence ends."""
    return _act(request, session, lead_id, token, "converted",
                lambda lead, by, at: service.converted(session, lead, actor=by, now=at, note=note or None))


@router.post("/ops/leads/{lead_id}/proposed/{proposal_id}/accept", status_code=303,
             response_class=RedirectResponse, responses=answers(400, 404, 409))
def accept_proposal_action(lead_id: int, proposal_id: int, request: Request, session: SessionDep,
                           token: TokenField = None) -> Response:
    """Apply a change an intake proposed for the lead (as `leads update` would; logged with who)."""
    return _act(request, session, lead_id, token, "proposed change accepted",
                lambda lead, by, at: service.decide_proposal(session, lead, proposal_id, accept=True, actor=by, now=at))


@router.post("/ops/leads/{lead_id}/proposed/{proposal_id}/reject", status_code=303,
             response_class=RedirectResponse, responses=answers(400, 404, 409))
def reject_proposal_action(lead_id: int, proposal_id: int, request: Request, session: SessionDep,
                           token: TokenField = None) -> Response:
    """Drop a change an intake proposed for the lead (logged with who)."""
    return _act(request, session, lead_id, token, "proposed change rejected",
                lambda lead, by, at: service.decide_proposal(session, lead, proposal_id, accept=False, actor=by, now=at))


__all__ = ["form_token", "router"]
