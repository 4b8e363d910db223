"""`nurture scheduler`, `log`, `stats`: the delivery side of the CLI."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from nurture.cli.common import console, fail, out, print_json, when
from nurture.clock import now
from nurture.config import get_settings
from nurture.db import get_engine, redact, session_scope
from nurture.delivery.log import describe, entries, parse_since, stats as delivery_stats
from nurture.intake.leads import find_lead
from nurture.delivery.broker import enqueuer, make_broker
from nurture.delivery.scheduler import build_scheduler
from nurture.console.lists import list_results
from nurture.console.deliverability import pct as deliverability_pct
from nurture.console.deliverability import report as deliverability_report
from nurture.console.results import template_results

JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Since = Annotated[str | None, typer.Option("--since", help="Only the last 90s, 15m, 2h, 3d or 1w.")]


def register(app: typer.Typer) -> None:
    @app.command("scheduler")
    def scheduler() -> None:
        """Run the scheduler alone: claim due messages every few seconds and hand them to the workers'
        broker (Redis or RabbitMQ)."""

        settings = get_settings()
        if not settings.broker:
            fail("NURTURE_REDIS_URL is not set (nor NURTURE_BROKER_URL): a scheduler on its own needs Redis or "
                 "RabbitMQ to reach the workers (`nurture run` runs scheduler and workers together without it)")
        get_engine()
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        # APScheduler logs two lines per tick at INFO: keep its warnings and errors only.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        out(f"scheduler: database {redact(settings.database_url)}, broker {redact(settings.broker)}, "
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
        tz = get_settings().business_tz
        with session_scope() as session:
            lead_id = None
            if lead is not None:
                found = find_lead(session, lead)
                if found is None:
                    fail(f"no lead matches {lead!r}")
                lead_id = found.id
                tz = found.timezone or tz  # one lead shown: its own zone
            rows = entries(session, lead_id=lead_id, state=state, since=cutoff, limit=limit)
        if json:
            print_json(rows)
            return
        whose = "the lead's zone" if lead is not None else "the business's zone, NURTURE_BUSINESS_TZ"
        out(f"delivery log, newest first, times in {tz} ({whose})"
            + (f", since {when(cutoff, tz)}" if cutoff else ""), markup=False)
        if not rows:
            out("no log entries match")
        for row in rows:
            console.print(describe(row, when(row["at"], tz)), markup=False, highlight=False, soft_wrap=True)

    @app.command("stats")
    def stats(
        since: Since = None,
        by: Annotated[str | None, typer.Option("--by", help="template: results per template and A/B variant "
                                                           "(sent, delivered, clicked, replied, opted out, converted); "
                                                           "list: what each bought list yielded (leads, reached, "
                                                           "replied, opted out, converted).")] = None,
        deliverability: Annotated[bool, typer.Option(
            "--deliverability", help="What became of the messages sent in the last 24 hours and 7 days, per "
                                     "channel and template (delivered, bounces, blocked, spam reports, "
                                     "unsubscribes, 30007, 30034/30032), beside the thresholds that warn or "
                                     "pause the channel.")] = False,
        json: JsonOut = False,
    ) -> None:
        """Counts: messages by state and channel, leads by status, failures (failed and undelivered) by
        provider code; or, with --by template, results per template; or, with --deliverability, the
        rates that pause a channel. The window is in the header."""
        if by not in (None, "template", "list"):
            fail(f"--by {by!r}: group by 'template' or 'list'")
        if deliverability:
            if by or since:
                fail("--deliverability has its own windows (the last 24 hours and 7 days): without --by or --since")
            _stats_deliverability(json)
            return
        at = now()
        try:
            cutoff = at - parse_since(since) if since else None
        except ValueError as exc:
            fail(str(exc))
        tz = get_settings().business_tz
        window = (f"changed since {when(cutoff, tz)} (last {since.strip()}) to {when(at, tz)}" if cutoff
                  else f"all time to {when(at, tz)}")
        if by == "template":
            _stats_by_template(cutoff, at, since, json)
            return
        if by == "list":
            _stats_by_list(cutoff, at, since, json)
            return
        with session_scope() as session:
            data = delivery_stats(session, since=cutoff)
        if json:
            print_json(data | {"window": _window_json(cutoff, at, tz)})
            return
        out(f"messages {window}", markup=False)
        table = Table("state", "sms", "email", box=None, pad_edge=False)
        for state, by_channel in sorted(data["messages"].items()):
            table.add_row(state, str(by_channel.get("sms", 0)), str(by_channel.get("email", 0)))
        console.print(table)
        out("leads now: " + (", ".join(f"{k} {v}" for k, v in sorted(data["leads"].items())) or "none"))
        if data["failures_by_code"]:
            out("failures (failed and undelivered) by code: "
                + ", ".join(f"{k} x{v}" for k, v in sorted(data["failures_by_code"].items())))


def _stats_deliverability(json: bool) -> None:
    """`stats --deliverability`: each channel's rates over the last 24 hours and 7 days, the thresholds,
    the pauses in force and the warnings."""
    settings = get_settings()
    at = now()
    with session_scope() as session:
        report = deliverability_report(session, settings, at=at)
    if json:
        print_json(report.as_dict())
        return
    tz = settings.business_tz
    out(f"deliverability at {when(at, tz)}: of the messages sent in each window, what the providers reported; "
        f"rates are of sent, judged from {report.thresholds.min_sent} sent (NURTURE_DELIVERABILITY_MIN_SENT)",
        markup=False)
    for channel, pause in sorted(report.paused.items()):
        out(f"{channel} PAUSED since {when(pause.at, tz)}: {pause.reason}; until {pause.until}", markup=False)
    for finding in report.warnings:
        out(f"warning: {finding.channel}: {finding.reason}", markup=False)
    for panel in report.panels:
        judged = "" if panel.judged else " (too few to judge)"
        out(f"{panel.channel}, last {panel.window}: {panel.total.sent} sent{judged}", markup=False)
        for line in panel.lines:
            flag = {"pause": "  PAUSE", "warn": "  WARNING"}.get(line.level, "")
            limits = f"  [{line.thresholds}]" if line.thresholds else ""
            out(f"  {line.label} {line.count} ({deliverability_pct(line.rate)}){limits}{flag}", markup=False)
        for t in panel.templates:
            figures = ", ".join(f"{line.label} {getattr(t, line.outcome)} ({deliverability_pct(t.rate(line.outcome))})"
                                for line in panel.lines)
            out(f"    {t.template}: sent {t.sent}, {figures}", markup=False)


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def _start(cutoff: datetime | None) -> datetime:
    """Where a `--since` window begins: its cutoff, or the beginning of time without one."""
    return cutoff or datetime(1970, 1, 1, tzinfo=UTC)


def _window_json(cutoff: datetime | None, at: datetime, tz: str) -> dict[str, str | None]:
    """A `stats --json` answer's window: since (None: all time), until, and the business's zone."""
    return {"since": cutoff.isoformat() if cutoff else None, "until": at.isoformat(), "business_tz": tz}


def _stats_by_template(cutoff: datetime | None, at: datetime, since: str | None, json: bool) -> None:
    """`stats --by template`: each template's (and variant's) results for messages sent in the window."""

    tz = get_settings().business_tz
    with session_scope() as session:
        results = template_results(session, start=_start(cutoff), end=at, now=at)
    if json:
        print_json({"window": _window_json(cutoff, at, tz), "templates": [r.as_dict() for r in results]})
        return
    window = f"sent since {when(cutoff, tz)} (last {since})" if cutoff else "sent, all time"
    out(f"results per template, messages {window} to {when(at, tz)}; rates are of sent", markup=False)
    if not results:
        out("no message was sent in the window")
        return
    for t in results:
        # One template a line, whole: a name is never cut to fit a terminal.
        out(f"{t.total.template} ({t.total.channel})  {_figures(t.total)}", markup=False)
        for v in t.variants:
            out(f"  variant {v.variant}  {_figures(v)}", markup=False)
        if t.split_by_language:
            for lang in t.languages:
                out(f"  in {lang.language}  {_figures(lang)}", markup=False)
        if t.split_by_version:
            for version in t.versions:
                out(f"  version {version.version}  {_figures(version)}", markup=False)
        if t.verdict is not None:
            verdict = f"variant {t.verdict.winner} wins" if t.verdict.winner else "no winner yet"
            out(f"  A/B: {verdict}: {t.verdict.reason}", markup=False)


def _stats_by_list(cutoff: datetime | None, at: datetime, since: str | None, json: bool) -> None:
    """`stats --by list`: each bought list's leads, and what they did in the window."""
    tz = get_settings().business_tz
    with session_scope() as session:
        results = list_results(session, start=_start(cutoff), end=at)
    if json:
        print_json({"window": _window_json(cutoff, at, tz), "lists": [r.as_dict() for r in results]})
        return
    window = f"since {when(cutoff, tz)} (last {since})" if cutoff else "all time"
    out(f"results per bought list, {window} to {when(at, tz)}; rates are of the list's leads", markup=False)
    if not results:
        out("no lead came from a bought list (nurture leads import FILE --profile NAME)")
        return
    for r in results:
        out(f"{r.list_name} ({r.vendor or 'no vendor'}, imported {when(r.first_imported, tz)}): {r.leads} leads, "
            f"{r.with_phone} with a number to text, {r.with_email} with an email, {r.estimated} with an estimated "
            f"sale date, {r.closed} closed (REO)", markup=False)
        counts = [("reached", r.reached), ("replied", r.replied), ("opted out", r.opted_out),
                  ("converted", r.converted)]
        out("  " + ", ".join(f"{name} {n} ({_pct(r.rate(n))})" for name, n in counts), markup=False)


def _figures(r: Any) -> str:
    counts = [("delivered", r.delivered), ("clicked", r.clicked), ("replied", r.replied),
              ("opted out", r.opted_out), ("converted", r.converted)]
    return f"sent {r.sent}, " + ", ".join(f"{name} {n} ({_pct(r.rate(n))})" for name, n in counts)
