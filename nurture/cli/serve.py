"""`nurture serve` (the API) and `nurture run` (everything in one process on embedded defaults)."""

from __future__ import annotations

from typing import Annotated

import typer

from nurture.cli.common import out
from nurture.config import get_settings
from nurture.db import get_engine, redact

Host = Annotated[str, typer.Option("--host", help="Address to listen on.")]
Port = Annotated[int, typer.Option("--port", help="Port to listen on.")]


def _serve(host: str, port: int) -> None:
    import uvicorn

    from nurture.web import create_app

    settings = get_settings()
    get_engine()  # migrate before the first request, not during it
    out(f"nurture API on http://{host}:{port} (docs at /docs), database {redact(settings.database_url)}")
    if not settings.api_key:
        out("NURTURE_API_KEY is not set: /api and /ops answer only this machine (127.0.0.1)")
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
        """Start the HTTP API and webhooks with uvicorn."""
        _serve(host, port)

    @app.command("run")
    def run(host: Host = "127.0.0.1", port: Port = 8000) -> None:
        """Run nurture in one process on embedded defaults: the API (and, with delivery, scheduler and workers)."""
        _serve(host, port)
