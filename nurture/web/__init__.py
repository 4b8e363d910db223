"""The FastAPI application: API, webhooks, unsubscribe, ops."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from nurture import __version__
from nurture.intake_schema import clean_message
from nurture.web import health, inbox, leads, metrics, ops, webhooks
from nurture.web.middleware import BodySizeLimit, ErrorShield


def create_app() -> FastAPI:
    app = FastAPI(
        title="nurture",
        version=__version__,
        description="Lead intake, provider webhooks and ops for the nurture service.",
    )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body",) and not isinstance(p, int)]
            errors.append({"field": ".".join(loc) or "body", "message": clean_message(err.get("msg", "invalid"))})
        return JSONResponse({"detail": errors}, status_code=422)

    app.add_middleware(BodySizeLimit)
    app.add_middleware(ErrorShield)  # added last, so it is the outermost: it sees every error

    app.include_router(health.router)
    app.include_router(leads.router)
    app.include_router(ops.router)
    app.include_router(inbox.router)
    app.include_router(metrics.router)
    app.include_router(webhooks.router)
    return app


__all__ = ["create_app"]
