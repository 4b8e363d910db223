"""GET /healthz: the process answers and the database is reachable."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from nurture.db import get_engine

router = APIRouter()


@router.get("/healthz", tags=["ops"])
def healthz() -> JSONResponse:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # report, don't crash: this is what the load balancer reads
        return JSONResponse({"status": "error", "database": str(exc)[:200]}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
