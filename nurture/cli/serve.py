"""`nurture serve` (the API) and `nurture run` (everything in one process on embedded defaults)."""

from __future__ import annotations

from typing import Annotated

import typer

from nurture.cli.common import err_console, out
from nurture.config import get_settings
from nurture.db import get_engine, redact
from nurture.cli.checks import static_checks
from nurture.web import create_app
from nurture.web.access_log import with_access_filter
from nurture.web.deps import allowed_hosts
from nurture.delivery.runtime import Embedded

Host = Annotated[str, typer.Option("--host", help="Address to listen on.")]
Port = Annotated[int, typer.Option("--port", help="Port to listen on.")]


def _serve(host: str, port: int, *, embedded: bool) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG


    settings = get_settings()
    get_engine()  # migrate before the first request, not during it
    out(f"nurture API on http://{host}:{port} (docs /docs, ops /ops), database {redact(settings.database_url)}")
    for check in static_checks(settings, bind_host=host):
        if check.status != "ok":
            # On stderr, where a service manager's log keeps them; `nurture doctor` says the same and more.
            err_console.print(f"{'warning' if check.status == 'warn' else 'ERROR'}: {check.name}: {check.detail}",
                              highlight=False, soft_wrap=True, markup=False)
        elif check.name == "API key" and not settings.api_key:
            out(check.detail, markup=False)
    # Behind a proxy that sends its own Host (nginx's default), every request would be a 400: say what is answered.
    out(f"answers the Host names {', '.join(allowed_hosts(settings, bind_host=host))} (NURTURE_ALLOWED_HOSTS)",
        markup=False)
    runtime = None
    if embedded:

        runtime = Embedded(settings).start()
        sms = "Twilio" if settings.sms_configured else f"outbox ({settings.outbox_dir}/sms)"
        email = "SendGrid" if settings.email_configured else f"outbox ({settings.outbox_dir}/email)"
        broker = redact(settings.broker) if settings.broker else "embedded broker"
        out(f"scheduler every {settings.tick_seconds}s and 4 worker threads on {broker}; SMS via {sms}, email via {email}")
    try:
        uvicorn.run(create_app(bind_host=host), host=host, port=port, log_level="info",
                    log_config=with_access_filter(LOGGING_CONFIG))  # no secret, phone or email from a query string
    finally:
        if runtime is not None:
            runtime.stop()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
        """Start the HTTP API and webhooks with uvicorn (scheduler and workers run elsewhere)."""
        _serve(host, port, embedded=False)

    @app.command("run")
    def run(host: Host = "127.0.0.1", port: Port = 8000) -> None:
        """Run everything in one process: API, scheduler and worker threads (SQLite and no Redis by default)."""
        _serve(host, port, embedded=True)
