"""ASGI guards around the whole app: a cap on request bodies, and a last catch for unexpected errors
that logs them without personal data."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nurture.tracebacks import redacted_traceback

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
            log.error("unhandled error in %s %s\n%s", scope.get("method"), scope.get("path"),
                      redacted_traceback(exc))
            if not started:
                body: dict[str, Any] = {"detail": "internal error (logged without its details)"}
                await JSONResponse(body, status_code=500)(scope, receive, send)
