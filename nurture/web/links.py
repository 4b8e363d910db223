"""GET /r/{token}: the short tracked link in every message. It counts the click (message, lead,
template, variant, page) and sends the lead on to the business site with the utm parameters.

Public, like the unsubscribe link: a lead's phone opens it. A damaged or forged token gets a
harmless page pointing at the site, never an error; a database that cannot record the click still
lets the lead through."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from nurture.conversations import clicks
from nurture.clock import now
from nurture.config import get_settings
from nurture.content.context import PAGE_CODES
from nurture.db import secret_key, session_scope
from nurture.content.tokens import InvalidToken, verify_link_token
from nurture.web.pages import render
from nurture.web.responses import answers

log = logging.getLogger("nurture.web.links")
router = APIRouter(tags=["links"])

#: Longest token looked at: a real one is under 40 characters.
TOKEN_MAX = 100


def _invalid() -> HTMLResponse:
    settings = get_settings()
    return render("link_invalid.html", status_code=404, site=settings.site_url, company=settings.company_name)


@router.get("/r/{token}", response_class=HTMLResponse, responses={302: {"description": "to the business site"},
                                                                  404: {"description": "not a valid link"},
                                                                  **answers(422)})
def follow(token: str) -> Response:
    """Count the click and redirect to the page on the business site."""
    if len(token) > TOKEN_MAX:
        return _invalid()
    settings = get_settings()
    try:
        with session_scope() as session:
            secret = secret_key(session)
    except SQLAlchemyError:
        log.error("short link: the database is unreachable, so the link cannot be checked")
        return _invalid()
    try:
        message_id, code = verify_link_token(token, secret)
    except InvalidToken:
        return _invalid()
    page = PAGE_CODES.get(code)
    if page is None:
        return _invalid()
    message = None
    try:
        with session_scope() as session:
            message = clicks.record(session, message_id=message_id, page=page, at=now())
            target = clicks.destination(settings, secret, page, message)
    except SQLAlchemyError as exc:
        log.error("short link: click on message %s not recorded (database: %s)", message_id,
                  exc.__class__.__name__)
        target = clicks.destination(settings, secret, page, None)
    return RedirectResponse(target, status_code=302)
