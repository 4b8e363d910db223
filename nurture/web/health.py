"""GET /healthz: the process answers, the database is reachable, and which channels can send.

A paused channel (the provider refused the credentials, or the deliverability rates paused it
until a person resumes it) keeps the answer at 200 with `"status": "degraded"`: this process still
takes leads, webhooks and unsubscribes, and restarting it would fix neither. Monitors read
`channels` (reason, since, and for a deliverability pause `kind` and `until`) to page someone.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlmodel import Session

from nurture.delivery import pauses
from nurture.delivery.channels import CHANNEL_NAMES
from nurture.config import get_settings
from nurture.db import get_engine

router = APIRouter()


@router.get("/healthz", tags=["ops"])
def healthz() -> JSONResponse:
    settings = get_settings()
    try:
        engine = get_engine()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        with Session(engine) as session:
            paused = pauses.paused(session, settings)
    except Exception as exc:  # report, don't crash: this is what the load balancer reads
        return JSONResponse({"status": "error", "database": str(exc)[:200]}, status_code=503)
    configured = {"sms": settings.sms_configured, "email": settings.email_configured}
    channels: dict[str, dict[str, Any]] = {}
    for name in CHANNEL_NAMES:
        via = ("twilio" if name == "sms" else "sendgrid") if configured[name] else "outbox"
        pause = paused.get(name)
        if pause is None:
            channels[name] = {"state": "ok", "via": via}
        else:
            channels[name] = {"state": "paused", "via": via, "reason": pause.reason, "since": pause.at.isoformat()}
            if pause.kind == pauses.DELIVERABILITY:  # it stays until a person resumes it: say how
                channels[name] |= {"kind": pause.kind, "until": pause.until}
    status = "degraded" if paused else "ok"
    return JSONResponse({"status": status, "database": "ok", "channels": channels})
