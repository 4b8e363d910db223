"""Who is asking, and what they may do: the principal behind a request and the capability a route needs.

A request is made by a person signed in to the console (a session cookie, /ops only), by an
integration with a named API key (its scope), with NURTURE_API_KEY (an admin key, as before
accounts existed), or on this machine without a key (a server bound to loopback with
NURTURE_API_KEY unset: an admin, until the first account exists; from then on the console asks
everyone to sign in). Each route names the capability it needs (`Depends(require("content"))`);
the principal's role decides. A signed-in person's forms must carry the session's CSRF token.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from fastapi import HTTPException, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from nurture.accounts import keys, users
from nurture.clock import now
from nurture.config import get_settings
from nurture.db import secret_key, session_scope
from nurture.errors import InputError
from nurture.models import Account
from nurture.text_rules import clip
from nurture.web.deps import not_local, presented_key
from nurture.web.session_cookie import SESSION_COOKIE, read_session

#: Which roles and key scopes hold each capability.
CAPABILITIES: dict[str, frozenset[str]] = {
    # A lead's personal data: lead pages, inbox, delivery log, channels, the dashboard's lists.
    "leads": frozenset({"admin", "ops"}),
    # Change templates and schedules: drafts, publish, revert.
    "content": frozenset({"admin", "marketer"}),
    # Read templates' results and previews on sample leads.
    "results": frozenset({"admin", "ops", "marketer"}),
    # Accounts, keys, settings, the audit trail.
    "admin": frozenset({"admin"}),
    # The API: create or update leads (the web form), read leads.
    "api.intake": frozenset({"admin", "intake"}),
    "api.read": frozenset({"admin", "read"}),
}

#: What each capability lets one do, in the words of the page that refuses it.
CAPABILITY_WORDS = {
    "leads": "open leads' personal data (lead pages, the inbox, the delivery log, the overview)",
    "content": "change templates and schedules",
    "results": "read templates' results and previews",
    "admin": "manage accounts, keys and settings",
    "api.intake": "create or update leads through the API",
    "api.read": "read leads through the API",
}

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Principal:
    """Who makes the request: `actor` is what the audit trail and events record ("user:maria",
    "key:webform", "api-key", "web" for this machine without a key); `role` is a role or a key's
    scope; `csrf_token` is set for a signed-in session, whose forms must carry it; `name` is the
    signed-in account's name (None for a key or a local caller)."""

    actor: str
    role: str
    csrf_token: str | None = None
    name: str | None = None

    def may(self, capability: str) -> bool:
        return self.role in CAPABILITIES[capability]


class Refused(HTTPException, InputError):
    """The request may not go on: not signed in (401, or 303 to the sign-in page), the role lacks the
    capability or the form lacks the session's CSRF token (403). `principal` is who was refused."""

    def __init__(self, status_code: int, detail: str, *, headers: dict[str, str] | None = None,
                 principal: Principal | None = None) -> None:
        super().__init__(status_code, detail, headers=headers)
        self.principal = principal


_current: ContextVar[Principal | None] = ContextVar("nurture_principal", default=None)


def current_principal() -> Principal | None:
    """The principal of the request being served (set by `require`), or None outside one."""
    return _current.get()


def acting() -> str:
    """Who does what the request does, for the audit trail and the lead's log (the principal's actor)."""
    principal = current_principal()
    return principal.actor if principal is not None else "web"


def is_console(request: Request) -> bool:
    path = request.url.path
    return path == "/ops" or path.startswith("/ops/")


def account_principal(account: Account, csrf_token: str) -> Principal:
    return Principal(actor=f"user:{account.name}", role=account.role, csrf_token=csrf_token, name=account.name)


def signed_in(request: Request, session: Session, at: datetime) -> Principal | None:
    """The person whose session cookie this request carries, if the cookie is genuine and current
    (not expired, same session generation, the account not disabled); console paths only."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw or not is_console(request):
        return None
    claims = read_session(raw, at, secret_key(session))
    if claims is None:
        return None
    account = session.get(Account, claims.account_id)
    if account is None or account.session_generation != claims.generation or account.disabled_at is not None:
        return None
    return account_principal(account, claims.csrf_token)


def _basic_user(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(value.strip(), validate=True).decode().partition(":")[0].strip()
    except (ValueError, UnicodeDecodeError):
        return ""


def _not_signed_in(request: Request, session: Session, detail: str) -> Refused:
    """The answer to a caller who is nobody yet: the sign-in page for a browser opening a console page
    once accounts exist, else a 401 with the challenge its kind of client answers."""
    console = is_console(request)
    if console and request.method in ("GET", "HEAD") and users.any_account(session):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Refused(303, "sign in first", headers={"Location": f"/ops/login?next={quote(target, safe='')}"})
    challenge = 'Basic realm="nurture ops"' if console else "Bearer"
    return Refused(401, detail, headers={"WWW-Authenticate": challenge})


def identify(request: Request, session: Session, at: datetime) -> Principal:
    """Who asks, in order: a signed-in session (console only), a key (NURTURE_API_KEY or a named
    key), this machine without a key; else Refused (401, 403, or 303 to the sign-in page)."""
    person = signed_in(request, session, at)
    if person is not None:
        return person
    configured = get_settings().api_key
    token = presented_key(request.headers.get("authorization"))
    if token:
        if configured and hmac.compare_digest(token.encode(), configured.encode()):
            user = _basic_user(request)
            return Principal(actor=clip(f"web:{user}", 100) if user else "api-key", role="admin")
        key = keys.find(session, token, at)
        if key is not None:
            return Principal(actor=f"key:{key.name}", role=key.scope)
        raise _not_signed_in(request, session, "missing or wrong API key")
    if configured:
        raise _not_signed_in(request, session, "missing or wrong API key")
    reason = not_local(bind_host=getattr(request.app.state, "bind_host", None), server=request.scope.get("server"),
                       client=request.scope.get("client"), headers=request.headers)
    if is_console(request) and users.any_account(session):
        raise _not_signed_in(request, session, "sign in, or send an API key")
    if reason is None:
        return Principal(actor="web", role="admin")
    raise Refused(403, f"NURTURE_API_KEY is not set, so /api and /ops answer only requests made on this "
                       f"machine to a server bound to a loopback address, and {reason}. "
                       f"Set NURTURE_API_KEY and send it as a bearer token.")


def _who(request: Request) -> Principal:
    with session_scope() as session:  # committed: a key's last use is noted
        return identify(request, session, now())


def refused_for(principal: Principal, capability: str) -> str:
    return (f"{principal.actor} ({principal.role}) may not {CAPABILITY_WORDS[capability]}: "
            f"ask an admin if your work needs it.")


async def _csrf_token_sent(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)  # the form is cached: the route reads the same one
        return value if isinstance(value, str) else ""
    return ""


def require(capability: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the request's principal when it holds `capability`, else Refused (401/403, or a
    303 to the sign-in page); a signed-in person's POST/PUT/PATCH/DELETE must carry its CSRF token."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    async def dependency(request: Request) -> Principal:
        principal = await run_in_threadpool(_who, request)
        _current.set(principal)  # async: the route's own thread sees it (its context is copied from here)
        request.state.principal = principal
        if not principal.may(capability):
            if request.url.path == "/ops" and principal.may("results"):
                # The overview lists leads; a marketer's start page is the templates' results.
                raise Refused(303, "the overview lists leads", headers={"Location": "/ops/templates"})
            raise Refused(403, refused_for(principal, capability), principal=principal)
        if principal.csrf_token and request.method in UNSAFE_METHODS:
            sent = await _csrf_token_sent(request)
            if not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):
                raise Refused(403, "this form did not come from your console session (missing or wrong CSRF "
                                   "token): reload the page and try again", principal=principal)
        return principal

    return dependency
