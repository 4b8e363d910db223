"""ASGI guards around the whole app: the Host names it answers, a cap on request bodies, a last catch for
unexpected errors that logs them without personal data, and the security headers."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nurture.config import get_settings
from nurture.tracebacks import redacted_traceback, unexpected_error
from nurture.web.deps import allowed_hosts

log = logging.getLogger("nurture.web")

MAX_BODY_BYTES = 1_048_576
"""Largest request body any route reads (1 MiB): a lead is a few hundred bytes, and SendGrid posts
its event batches at about 768 KB. A larger body is refused with 413 before it is read."""


INBOUND_PARSE_MAX_BYTES = 42 * 1_048_576
"""SendGrid Inbound Parse posts whole emails, attachments included (up to 30 MB a message, and a
third more when sent base64-encoded as raw MIME): its route takes this much."""
#: Routes that may take more than MAX_BODY_BYTES, and how much.
LARGE_BODY_PATHS = {"/webhooks/sendgrid/inbound": INBOUND_PARSE_MAX_BYTES}


def _too_large(limit: int = MAX_BODY_BYTES) -> Response:
    return JSONResponse({"detail": f"the request body is larger than {limit:,} bytes"}, status_code=413)


class BodySizeLimit:
    """Refuse bodies over `max_bytes` with 413: at once when Content-Length says so, and while
    reading when the body comes in chunks without one."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = LARGE_BODY_PATHS.get(scope.get("path", ""), self.max_bytes)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await JSONResponse({"detail": "bad Content-Length"}, status_code=400)(scope, receive, send)
                return
            if int(declared) > limit:
                await _too_large(limit)(scope, receive, send)
                return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Raised inside the route's body read: FastAPI and Starlette pass it on as a 413.
                    raise HTTPException(413, f"the request body is larger than {limit:,} bytes")
            return message

        await self.app(scope, counting_receive, send)


ANY_HOST_PATHS = frozenset({"/healthz", "/metrics", "/favicon.ico"})
"""Paths answered whatever the Host header says: a load balancer's probe and a metrics scraper name the
address they connect to, not the public host, and these answers carry no personal data."""


class TrustedHosts:
    """Starlette's TrustedHostMiddleware with the hosts of `allowed_hosts` (read from the settings on each
    request, so a changed setting needs no new app): any other Host header is answered 400. Without it,
    a page whose DNS name is rebound to 127.0.0.1 reads /api and acts on /ops as this machine."""

    def __init__(self, app: ASGIApp, bind_host: str | None = None) -> None:
        self.app = app
        self.bind_host = bind_host
        self._checks: dict[tuple[str, ...], TrustedHostMiddleware] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path") in ANY_HOST_PATHS:
            await self.app(scope, receive, send)
            return
        hosts = tuple(allowed_hosts(get_settings(), bind_host=self.bind_host))
        check = self._checks.get(hosts)
        if check is None:
            check = self._checks[hosts] = TrustedHostMiddleware(self.app, allowed_hosts=hosts, www_redirect=False)
        await check(scope, receive, send)


class ErrorShield:
    """The process edge of the web app: an exception no route handled becomes a plain 500, and its
    traceback is logged without the exception's message, which can hold SQL parameters or input."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error("unhandled error in %s %s: %s\n%s", scope.get("method"), scope.get("path"),
                      unexpected_error(exc), redacted_traceback(exc))
            if not started:
                body: dict[str, Any] = {"detail": "internal error (logged without its details)"}
                await JSONResponse(body, status_code=500)(scope, receive, send)


OPS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""The console's Content-Security-Policy: its own assets only (same-origin files, nothing inline: the
pages keep their styles in /static/ops.css), and no page may frame it."""

NO_STORE = [(b"cache-control", b"no-store"), (b"referrer-policy", b"no-referrer")]
"""For every response that can carry a lead's data: no browser or proxy cache keeps a copy, and no
link followed from it leaks the URL (a lead filter can hold a phone number or an email)."""

HEADERS_BY_PREFIX: tuple[tuple[str, list[tuple[bytes, bytes]]], ...] = (
    ("/ops", [*NO_STORE, (b"x-frame-options", b"DENY"), (b"content-security-policy", OPS_CSP.encode())]),
    ("/api", NO_STORE),
)
"""Response headers by path (the prefix itself and everything under it): /ops pages and /api answers
carry personal data."""


FRAME_NOWHERE = [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'")]
"""Every response: no other site may frame it (an unsubscribe button or /docs under a decoy is clickjacking)."""


class SecurityHeaders:
    """Add the headers of HEADERS_BY_PREFIX to every response under those prefixes (errors included), and
    `X-Content-Type-Options: nosniff` and FRAME_NOWHERE to every response (a prefix's own policy wins)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        chosen = dict([(b"x-content-type-options", b"nosniff"), *FRAME_NOWHERE])
        for prefix, headers in HEADERS_BY_PREFIX:
            if path == prefix or path.startswith(prefix + "/"):
                chosen.update(headers)
        extra = list(chosen.items())

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in chosen]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


#: The methods a 405's Allow header may name: those any route of the app is declared with.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(scope: Scope) -> list[str]:
    """The methods some route of the app answers on this request's path, asked of the app's own
    router (static files aside: a mount takes any method and refuses all but GET itself)."""
    routes = getattr(getattr(scope.get("app"), "router", None), "routes", ())
    return [method for method in METHODS
            if any(not isinstance(route, Mount) and route.matches({**scope, "method": method})[0] == Match.FULL
                   for route in routes)]


class AllowOn405:
    """A 405 names in `Allow` every method its path answers (RFC 9110): Starlette names only those of
    the first route whose path matched, so a 405 on /unsubscribe/{token} would hide its POST."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(scope)
                if methods:
                    kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                    message = {**message, "headers": [*kept, (b"allow", ", ".join(methods).encode())]}
            await send(message)

        await self.app(scope, receive, with_allow)
