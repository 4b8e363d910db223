"""Who is asking, and what they may do: the principal behind a request and the capability a route needs.

A request is made by a person signed in to the console (a session cookie), by an integration with
a named API key, with NURTURE_API_KEY (an admin key), or on this machine without a key (a server
bound to loopback with NURTURE_API_KEY unset). Each route names the capability it needs
(`Depends(require("content"))`); the principal's role decides.

FIRST STEP (issue 27): for now every caller that passes `require_api_key` is an admin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from nurture.web.deps import require_api_key, web_actor

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


@dataclass(frozen=True)
class Principal:
    """Who makes the request: `actor` is what the audit trail and events record ("user:maria",
    "key:webform", "api-key", "local"); `role` is a role or a key's scope; `csrf_token` is set for a
    signed-in session, whose forms must carry it."""

    actor: str
    role: str
    csrf_token: str | None = None

    def may(self, capability: str) -> bool:
        return self.role in CAPABILITIES[capability]


_current: ContextVar[Principal | None] = ContextVar("nurture_principal", default=None)


def current_principal() -> Principal | None:
    """The principal of the request being served (set by `require`), or None outside one."""
    return _current.get()


def require(capability: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the request's principal when it holds `capability`, else 401/403."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    async def dependency(request: Request) -> Principal:
        await run_in_threadpool(require_api_key, request, request.headers.get("authorization"))
        principal = Principal(actor=web_actor(request), role="admin")
        _current.set(principal)  # async: the route's own thread sees it (its context is copied from here)
        request.state.principal = principal
        return principal

    return dependency
