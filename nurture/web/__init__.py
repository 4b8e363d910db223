"""The FastAPI application: API, webhooks, unsubscribe, ops."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from nurture import __version__
from nurture.intake.schema import clean_message
from nurture.web import health, leads, links, metrics, notice, ops, ops_inbox, ops_leads, ops_log, ops_templates, webhooks
from nurture.web import ops_audit, ops_login
from nurture.web.auth import Refused
from nurture.web import ops_editor  # templates and schedules edited in the console (issue 27)
from nurture.web.middleware import AllowOn405, BodySizeLimit, ErrorShield, SecurityHeaders, TrustedHosts
from nurture.web.pages import STATIC_DIR  # the console's ops.css/ops.js, and Swagger UI (swagger-ui-dist 5.35.0)


def create_app(*, bind_host: str | None = None) -> FastAPI:
    """The app. `bind_host` is the address the server listens on, when the caller knows it
    (`nurture serve`): with no API key, a server bound beyond loopback refuses /api and /ops."""
    app = FastAPI(
        title="nurture",
        version=__version__,
        description="Lead intake, provider webhooks and ops for the nurture service.",
        docs_url=None,  # served below, from local assets: FastAPI's default page loads them from a CDN
        redoc_url=None,  # ReDoc would need its own bundle; /docs covers the same document
    )
    app.state.bind_host = bind_host

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body",) and not isinstance(p, int)]
            errors.append({"field": ".".join(loc) or "body", "message": clean_message(err.get("msg", "invalid"))})
        return JSONResponse({"detail": errors}, status_code=422)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API docs",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
            # No badge fetched from validator.swagger.io: the page makes no request beyond this server.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """No icon, and no 404 in every browser's log: the pages name none (`<link rel="icon" href="data:,">`)."""
        return Response(status_code=204)

    # Same origin, no CDN: the console's stylesheet and script, and Swagger UI's assets.
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.add_middleware(AllowOn405)  # a 405 lists every method of its path, not only the first route's
    app.add_middleware(BodySizeLimit)
    app.add_middleware(ErrorShield)  # sees every error the app raises, and turns it into a logged 500
    app.add_middleware(TrustedHosts, bind_host=bind_host)  # before any route: a rebound DNS name gets a 400
    app.add_middleware(SecurityHeaders)  # outermost: even ErrorShield's 500 carries the headers

    app.include_router(health.router)
    app.include_router(leads.router)
    app.add_exception_handler(Refused, ops_login.refused_page)  # sign-in page, 403 page, or JSON on /api
    app.include_router(ops_login.router)
    app.include_router(ops.router)
    app.include_router(ops_log.router)
    app.include_router(ops_leads.router)
    app.include_router(ops_templates.router)
    app.include_router(ops_editor.router)
    app.include_router(ops_audit.router)  # the audit trail, for admins
    app.include_router(links.router)
    app.include_router(notice.router)  # Regulation O's full notice, linked from every text
    app.include_router(ops_inbox.router)
    app.include_router(metrics.router)
    app.include_router(webhooks.router)
    return app


__all__ = ["create_app"]
