"""/ops/log: the delivery log, searched (lead, phone, email, template, code, cause), filtered
(channel, state, time range), a page at a time, with plan churn folded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from nurture.clock import now
from nurture.config import get_settings
from nurture.console import log_search, windows
from nurture.delivery.log import parse_since
from nurture.intake.leads import find_lead
from nurture.models import Channel, MessageState, row_id
from nurture.web.responses import KEYED, answers
from nurture.web.auth import require
from nurture.web.deps import SessionDep
from nurture.web.ops import with_times
from nurture.web.pages import render

router = APIRouter(tags=["ops"], dependencies=[Depends(require("leads"))], responses=KEYED)

#: The time ranges the log offers, by the value its form sends.
RANGES = {"today": "today", "24h": "last 24 hours", "7d": "last 7 days", "30d": "last 30 days", "all": "all time"}
STATES = [str(s) for s in MessageState]
CHANNELS = [str(c) for c in Channel]
#: Longest search text: more is never a real search, and it goes into LIKE patterns.
QUERY_MAX = 200


@dataclass
class LogForm:
    """The log page's query string, checked: a bad value is shown on the page and not applied."""

    q: str = ""
    lead: str = ""
    channel: str = ""
    state: str = ""
    range: str = "all"
    since: str = ""
    before: str = ""
    errors: list[str] = field(default_factory=list)
    lead_unknown: bool = False  # the lead filter names no lead: a 404 when it is the only problem

    def link(self, **override: str) -> str:
        values = {"q": self.q, "lead": self.lead, "channel": self.channel, "state": self.state,
                  "range": self.range if self.range != "all" else "", "since": self.since, **override}
        return "/ops/log?" + urlencode({k: v for k, v in values.items() if v})


def read_form(session: Session, form: LogForm, at: datetime) -> log_search.LogQuery:
    """The query the form asks for; each problem is added to `form.errors` and that filter dropped."""
    query = log_search.LogQuery(q=form.q.strip()[:QUERY_MAX])
    if form.lead.strip():
        found = find_lead(session, form.lead.strip().removeprefix("#"))
        if found is None:
            form.errors.append(f"lead: no lead matches {form.lead.strip()!r} (give an id, phone or email)")
            form.lead_unknown = True
        else:
            query.lead_id = found.id
    if form.channel:
        if form.channel in CHANNELS:
            query.channel = form.channel
        else:
            form.errors.append(f"channel: {form.channel!r} is not one of {', '.join(CHANNELS)}")
    if form.state:
        if form.state in STATES or form.state == log_search.FAILURES:
            query.state = form.state
        else:
            form.errors.append(f"state: {form.state!r} is not a message state: use one of "
                               f"{', '.join(STATES)} or {log_search.FAILURES}")
    tz = get_settings().business_tz
    if form.range not in RANGES:
        form.errors.append(f"range: {form.range!r} is not one of {', '.join(RANGES)}")
        form.range = "all"
    if form.range == "today":
        query.since = windows.today(at, tz).start
    elif form.range == "24h":
        query.since = at - timedelta(hours=24)
    elif form.range in ("7d", "30d"):
        query.since = windows.last_days(at, tz, int(form.range[:-1])).start
    if form.since.strip():
        try:
            query.since = at - parse_since(form.since)
        except ValueError as exc:
            form.errors.append(f"since: {exc}")
    if form.before:
        query.before = row_id(form.before)
        if query.before is None:
            form.errors.append(f"before: {form.before!r} is not a log position")
    return query


# The filters' formats, for the OpenAPI document (the page checks them itself, and shows what is wrong).
_SINCE_FORMS = r"^(?:[0-9]{1,3}[smhd]|[0-9]{1,2}w)?$"  # a narrower form of parse_since's: at most ten years
_LOG_POSITION = r"^(?:[1-9][0-9]{0,8})?$"  # a log row's id, as the "older" link carries it


@router.get("/ops/log", response_class=HTMLResponse, responses=answers(400, 404))
def log_page(session: SessionDep, q: str = "", lead: str = "",
             channel: str = Query("", json_schema_extra={"enum": ["", *CHANNELS]}),
             state: str = Query("", json_schema_extra={"enum": ["", *STATES, log_search.FAILURES]}),
             window: str = Query("all", alias="range", json_schema_extra={"enum": ["", *RANGES]}),
             since: str = Query("", json_schema_extra={"pattern": _SINCE_FORMS}),
             before: str = Query("", json_schema_extra={"pattern": _LOG_POSITION})) -> HTMLResponse:
    """A page of the log, newest first; `before` continues from where the last page ended. A bad
    filter is a 400 page naming it; a lead filter that matches no lead (and nothing else wrong), a 404."""
    form = LogForm(q=q, lead=lead, channel=channel.strip().lower(), state=state.strip().lower(),
                   range=window.strip().lower() or "all", since=since, before=before.strip())
    query = read_form(session, form, now())
    page = log_search.search(session, query)
    status = 200
    if form.errors:
        status = 404 if form.lead_unknown and len(form.errors) == 1 else 400
    return render(
        "log.html",
        status_code=status,
        section="log",
        form=form,
        rows=with_times(page),
        next_link=form.link(before=str(page.next_before)) if page.next_before is not None else None,
        first_link=form.link() if query.before is not None else None,
        ranges=RANGES,
        states=STATES,
        channels=CHANNELS,
        failures=log_search.FAILURES,
        tz=None,
    )
