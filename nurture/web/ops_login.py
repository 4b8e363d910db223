"""/ops/login and /ops/logout: a person signs in to the console with their account, and out again;
and the page a refused console request gets (401, 403, or the way to the sign-in page)."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from nurture.accounts import audit, users
from nurture.clock import now
from nurture.config import get_settings
from nurture.db import secret_key, session_scope
from nurture.web.auth import CSRF_FIELD, Refused, account_principal, is_console, signed_in
from nurture.web.pages import render
from nurture.web.responses import answers
from nurture.web.session_cookie import (
    LOGIN_COOKIE,
    LOGIN_LIFETIME,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    new_login,
    new_session,
    read_login,
)

router = APIRouter(tags=["ops"])

REFUSED_SIGN_IN = "Wrong name or password, or the account is locked or disabled."
"""The one answer to every refused sign-in: it never tells whether the name exists."""


def _secure() -> bool:
    return get_settings().public_url.lower().startswith("https://")


def _safe_next(target: str) -> str | None:
    """`target` when it is a console page of this server (never another site, nor the sign-in itself)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not target.startswith("/ops") or target.startswith("//"):
        return None
    if parts.path in ("/ops/login", "/ops/logout") or not (parts.path == "/ops" or parts.path.startswith("/ops/")):
        return None
    return target


def _login_page(request: Request, *, next_: str, error: str | None = None, name: str = "",
                status_code: int = 200) -> HTMLResponse:
    """The form, with a fresh pre-session cookie and the token its form carries."""
    with session_scope() as session:
        secret = secret_key(session)
    cookie, token = new_login(now(), secret)
    page = render("login.html", status_code=status_code, section="login", login_token=token, next=next_,
                  error=error, typed_name=name, principal=None, csrf_token=None)
    page.set_cookie(LOGIN_COOKIE, cookie, max_age=int(LOGIN_LIFETIME.total_seconds()), path="/ops",
                    httponly=True, samesite="lax", secure=_secure())
    return page


@router.get("/ops/login", response_class=HTMLResponse, responses=answers(422))
def login_form(request: Request, next: str = "") -> HTMLResponse:  # noqa: A002 (the query is ?next=)
    """The sign-in form; `next` is the console page to open after it."""
    return _login_page(request, next_=_safe_next(next) or "")


@router.post("/ops/login", response_class=HTMLResponse, status_code=303,
             responses={303: {"description": "signed in: on to the page asked for"}, **answers(401, 403, 422)})
def login(request: Request, name: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1000)] = "", csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "") -> Response:  # noqa: A002
    """Sign in: a session cookie for 12 hours. Five wrong passwords in a row lock the account for 15
    minutes; every refusal says the same, and is recorded in the audit trail."""
    at = now()
    target = _safe_next(next) or ""
    with session_scope() as session:
        expected = read_login(request.cookies.get(LOGIN_COOKIE, ""), at, secret_key(session))
        if expected is None or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
            forged = True
        else:
            forged = False
            client = request.client.host if request.client else ""
            account = users.authenticate(session, name, password, at, source=client)
            session.commit()  # the failure's count and its audit entry stay, whatever follows
            if account is not None:
                cookie, csrf = new_session(account.id or 0, account.session_generation, at, secret_key(session))
                home = "/ops/templates" if not account_principal(account, csrf).may("leads") else "/ops"
    if forged:
        return _login_page(request, next_=target, error="This sign-in form has expired: sign in again.",
                           name=name, status_code=403)
    if account is None:
        return _login_page(request, next_=target, error=REFUSED_SIGN_IN, name=name, status_code=401)
    response = RedirectResponse(target or home, status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=_secure())
    response.delete_cookie(LOGIN_COOKIE, path="/ops")
    return response


@router.post("/ops/logout", status_code=303, response_class=RedirectResponse, responses=answers(403, 422))
def logout(request: Request, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> Response:
    """Sign out: the session cookie is dropped (the form must carry the session's CSRF token)."""
    with session_scope() as session:
        person = signed_in(request, session, now())
        if person is not None:
            if not hmac.compare_digest((person.csrf_token or "").encode(), csrf_token.encode()):
                raise Refused(403, "this form did not come from your console session: reload the page",
                              principal=person)
            audit.record(session, person.actor, "signed out", target_kind="account", target=person.name or "")
    response = RedirectResponse("/ops/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def refused_page(request: Request, exc: Exception) -> Response:
    """The app's answer to Refused: a redirect, an HTML page on the console, JSON on the API."""
    assert isinstance(exc, Refused)
    if exc.status_code == 303:
        return RedirectResponse(exc.headers["Location"] if exc.headers else "/ops", status_code=303)
    if not is_console(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    title = "Sign in" if exc.status_code == 401 else "Not allowed"
    page = render("refused.html", status_code=exc.status_code, title=title, what=exc.detail,
                  principal=exc.principal, csrf_token=exc.principal.csrf_token if exc.principal else None)
    if exc.headers:
        page.headers.update(exc.headers)
    return page
