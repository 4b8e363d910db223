"""The FastAPI application: API, webhooks, unsubscribe, ops."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from nurture import __version__
from nurture.intake_schema import clean_message
from nurture.web import health, leads, links, metrics, ops, ops_leads, ops_log, ops_templates, webhooks
from nurture.web.middleware import BodySizeLimit, ErrorShield
from nurture.web.pages import STATIC_DIR


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
    app.include_router(ops_log.router)
    app.include_router(ops_leads.router)
    app.include_router(ops_templates.router)
    app.include_router(links.router)
    app.include_router(metrics.router)
    app.include_router(webhooks.router)
    # The console's stylesheet and script, same origin (no CDN, nothing inline).
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


__all__ = ["create_app"]
