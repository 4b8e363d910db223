"""/ops/leads: the leads list (search, filters) and the lead page's status actions
(POST /ops/leads/{id}/status: pause, resume, legal hold, converted)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nurture.intake import status as lead_status
from nurture.clock import now
from nurture.config import get_settings
from nurture.console import leads_list
from nurture.console.lists import list_names
from nurture.content import urgency_rules
from nurture.content.languages import LANGUAGES
from nurture.published import overlay
from nurture.intake.leads import IntakeError, lead_by_id, update_lead
from nurture.intake.lists import LIST_NAME_MAX
from nurture.models import LeadStatus
from nurture.text_rules import shown, text_problem
from nurture.web.responses import KEYED, answers
from nurture.accounts import audit
from nurture.web.auth import acting, require
from nurture.web.deps import SessionDep, from_our_pages
from nurture.web.ops import STATUS_ACTIONS
from nurture.web.pages import render

router = APIRouter(tags=["ops"], dependencies=[Depends(require("leads"))], responses=KEYED)

STATUSES = [str(s) for s in LeadStatus]
#: The largest "sale within N days" the filter takes (a sale more than ten years out is a typo).
SALE_WITHIN_MAX = 3660


# The filters' formats, for the OpenAPI document (the page checks them itself, and shows what is wrong).
_STATE_CODE = r"^(?:[A-Za-z]{2})?$"
# A list's name as the import keeps it: one line of printable characters, at most LIST_NAME_MAX.
_LIST_NAME = r"^[ -~]{0,100}$"
_DAYS = r"^(?:[0-9]{1,3}|[0-2][0-9]{3}|3[0-5][0-9]{2}|36[0-5][0-9]|3660)?$"  # 0 to SALE_WITHIN_MAX


def _tiers_now(schema: dict[str, Any]) -> None:
    """The tier filter's values: the tiers of urgency.yaml as loaded when the document is generated."""
    rules = urgency_rules(overlay.schedules_dir())
    schema["enum"] = ["", *(rules.names if rules is not None else ())]


@router.get("/ops/leads", response_class=HTMLResponse, responses=answers(400))
def leads_page(session: SessionDep, q: str = "",
               status: str = Query("", json_schema_extra={"enum": ["", *STATUSES]}),
               tier: str = Query("", json_schema_extra=_tiers_now),
               state: str = Query("", json_schema_extra={"pattern": _STATE_CODE}),
               sale_within: str = Query("", json_schema_extra={"pattern": _DAYS}),
               list_name: str = Query("", alias="list", json_schema_extra={"pattern": _LIST_NAME},
                                      description="a bought list's name (nurture stats --by list)"),
               needs_person: str = "", page: int = 1) -> HTMLResponse:
    """Leads, people waiting for a person first; filters combine."""
    settings = get_settings()
    at = now()
    rules = urgency_rules(overlay.schedules_dir(settings))
    tiers = list(rules.names) if rules is not None else []
    errors = []
    query = leads_list.LeadQuery(q=q.strip()[:200], needs_person=needs_person in ("1", "on", "true"),
                                 page=max(1, min(page, 100_000)))
    if status:
        if status in STATUSES:
            query.status = status
        else:
            errors.append(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    if tier:
        if tier in tiers:
            query.tier = tier
        else:
            errors.append(f"tier: {tier!r} is not one of {', '.join(tiers) or 'the tiers (urgency.yaml cannot be read)'}")
    if state:
        if len(state.strip()) == 2 and state.strip().isalpha() and state.isascii():
            query.state = state.strip().upper()
        else:
            errors.append(f"state: {state!r} is not a two-letter state like FL")
    if sale_within:
        days = sale_within.strip()
        # ASCII digits only: "²" and "١" are digits to isdigit, and int() refuses the first.
        if days.isascii() and days.isdecimal() and int(days) <= SALE_WITHIN_MAX:
            query.sale_within_days = int(days)
        else:
            errors.append(f"sale within: {sale_within!r} is not a number of days (0 to {SALE_WITHIN_MAX})")
    if list_name:
        problem = text_problem(list_name, max_len=LIST_NAME_MAX)
        if problem:
            errors.append(f"list: {shown(list_name)} {problem}")
        else:
            query.list_name = list_name.strip()
    result = leads_list.search(session, query, rules=rules, now=at)
    params = {"q": q, "status": status, "tier": tier, "state": state, "sale_within": sale_within, "list": list_name,
              "needs_person": "1" if query.needs_person else ""}
    base = {k: v for k, v in params.items() if v}
    return render("leads.html", status_code=400 if errors else 200, section="leads", errors=errors,
                  params=params, statuses=STATUSES, tiers=tiers, result=result, lists=list_names(session),
                  next_link="/ops/leads?" + urlencode(base | {"page": result.page + 1}) if result.more else None,
                  prev_link="/ops/leads?" + urlencode(base | {"page": result.page - 1}) if result.page > 1 else None)


@router.post("/ops/leads/{lead_id}/language", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404))
def set_language(lead_id: int, request: Request, session: SessionDep,
                 language: str = Form(..., min_length=1, max_length=20,
                                      json_schema_extra={"enum": list(LANGUAGES)})) -> Response:
    """The language the lead reads (en, es): its next messages are written in it; logged with who set it."""
    if not from_our_pages(request):
        return HTMLResponse("cross-site request refused", status_code=403)
    lead = lead_by_id(session, lead_id)
    if lead is None:
        return render("not_found.html", status_code=404, what=f"No lead #{lead_id}.")
    try:
        result = update_lead(session, lead, {"language": language}, method="ops", now=now(),
                             recorded_by=acting())
    except IntakeError as exc:
        return render("not_found.html", status_code=400, what="; ".join(e.message for e in exc.errors))
    name = LANGUAGES[lead.language]
    if result.changed:
        audit.record(session, acting(), "language set", target_kind="lead", target=lead_id, detail=lead.language)
    done = f"Language set to {name}." if result.changed else f"The lead already reads {name}."
    return RedirectResponse(f"/ops/leads/{lead_id}?{urlencode({'done': done})}", status_code=303)


@router.post("/ops/leads/{lead_id}/status", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404))
def set_status(lead_id: int, request: Request, session: SessionDep,
               status: str = Form(..., min_length=1, json_schema_extra={"enum": [s for s, _ in STATUS_ACTIONS]}),
               reason: str = Form("")) -> Response:
    """The action bar: pause, resume, legal hold or converted; the plan follows and the change is logged."""
    if not from_our_pages(request):
        return HTMLResponse("cross-site request refused", status_code=403)
    lead = lead_by_id(session, lead_id)
    if lead is None:
        return render("not_found.html", status_code=404, what=f"No lead #{lead_id}.")
    labels = dict(STATUS_ACTIONS)
    if status not in labels:
        return render("not_found.html", status_code=400,
                      what=f"{status!r} is not an action here: use one of {', '.join(labels)}.")
    why = " ".join(reason.split())[:200] or f"{labels[status].lower()} from the console"
    try:
        changed = lead_status.set_status(session, lead, status, reason=why, method="ops", now=now())
    except IntakeError as exc:
        return render("not_found.html", status_code=400, what="; ".join(e.message for e in exc.errors))
    if changed:
        audit.record(session, acting(), "status set", target_kind="lead", target=lead_id, detail=f"{status}: {why}")
    done = f"Status set to {status}." if changed else f"The lead was already {status}."
    return RedirectResponse(f"/ops/leads/{lead_id}?{urlencode({'done': done})}", status_code=303)
