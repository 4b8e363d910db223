"""`nurture scheduler`, `log`, `stats`: the delivery side of the CLI."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.table import Table

from nurture.cli.common import console, fail, out, print_json
from nurture.clock import now
from nurture.config import get_settings
from nurture.db import get_engine, redact, session_scope
from nurture.delivery_log import describe, entries, parse_since, stats as delivery_stats
from nurture.intake import find_lead

JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Since = Annotated[str | None, typer.Option("--since", help="Only the last 90s, 15m, 2h, 3d or 1w.")]


def register(app: typer.Typer) -> None:
    @app.command("scheduler")
    def scheduler() -> None:
        """Run the scheduler alone: claim due messages every few seconds and enqueue them on Redis."""
        from nurture.broker import enqueuer, make_broker
        from nurture.scheduler import build_scheduler

        settings = get_settings()
        if not settings.redis_url:
            fail("NURTURE_REDIS_URL is not set: a scheduler on its own needs Redis to reach the workers "
                 "(`nurture run` runs scheduler and workers together without it)")
        get_engine()
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        # APScheduler logs two lines per tick at INFO: keep its warnings and errors only.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        out(f"scheduler: database {redact(settings.database_url)}, broker {redact(settings.redis_url)}, "
            f"tick every {settings.tick_seconds}s")
        sched = build_scheduler(enqueuer(make_broker(settings)), settings=settings, background=False)
        try:
            sched.start()
        except (KeyboardInterrupt, SystemExit):
            pass

    @app.command("log")
    def log_(
        lead: Annotated[str | None, typer.Option("--lead", help="Lead id, phone or email.")] = None,
        state: Annotated[str | None, typer.Option("--state", help="Only changes into this state (sent, failed, skipped, ...).")] = None,
        since: Since = None,
        limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 100,
        json: JsonOut = False,
    ) -> None:
        """The delivery log, newest first: what was sent to whom, what was skipped or failed, and why."""
        try:
            cutoff = now() - parse_since(since) if since else None
        except ValueError as exc:
            fail(str(exc))
        with session_scope() as session:
            lead_id = None
            if lead is not None:
                found = find_lead(session, lead)
                if found is None:
                    fail(f"no lead matches {lead!r}")
                lead_id = found.id
            rows = entries(session, lead_id=lead_id, state=state, since=cutoff, limit=limit)
        if json:
            print_json(rows)
            return
        if not rows:
            out("no log entries match")
        for row in rows:
            console.print(describe(row), markup=False, highlight=False, soft_wrap=True)

    @app.command("stats")
    def stats(since: Since = None, json: JsonOut = False) -> None:
        """Counts: messages by state and channel, leads by status, failures by provider code."""
        try:
            cutoff = now() - parse_since(since) if since else None
        except ValueError as exc:
            fail(str(exc))
        with session_scope() as session:
            data = delivery_stats(session, since=cutoff)
        if json:
            print_json(data)
            return
        table = Table("state", "sms", "email", title="messages")
        for state, by_channel in sorted(data["messages"].items()):
            table.add_row(state, str(by_channel.get("sms", 0)), str(by_channel.get("email", 0)))
        console.print(table)
        out("leads: " + (", ".join(f"{k} {v}" for k, v in sorted(data["leads"].items())) or "none"))
        if data["failures_by_code"]:
            out("failures: " + ", ".join(f"{k} x{v}" for k, v in sorted(data["failures_by_code"].items())))
