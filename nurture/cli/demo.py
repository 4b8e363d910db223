"""`nurture demo`: a week of a few leads' sequences, played in seconds through the real machinery."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from nurture.cli.common import console, out

CONSENT = ("I agree to receive texts from Short Sale Help about my home at this number. "
           "Msg & data rates may apply. Reply STOP to opt out.")


def demo_leads(today: date) -> list[dict[str, Any]]:
    """Five homeowners of different urgency, from a sale next week to no foreclosure at all."""
    def sale(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    def consent() -> dict[str, Any]:
        return {"granted": True, "text": CONSENT, "source_url": "https://www.example.com/start-short-sale",
                "ip": "203.0.113.7"}

    return [
        {"first_name": "Maria", "last_name": "Lopez", "phone": "(305) 555-0142", "email": "maria@example.com",
         "property": {"city": "Miami", "state": "FL", "zip": "33101"}, "mortgage_balance": "425000",
         "estimated_value": "375000", "payment_status": "behind", "months_behind": 4, "hardships": ["job_loss"],
         "foreclosure": {"stage": "sale_scheduled", "sale_date": sale(6)}, "sms_consent": consent()},
        {"first_name": "James", "last_name": "Carter", "phone": "(214) 555-0188", "email": "james@example.com",
         "property": {"city": "Dallas", "state": "TX", "zip": "75201"}, "mortgage_balance": "310000",
         "estimated_value": "280000", "payment_status": "behind", "months_behind": 5, "hardships": ["medical"],
         "foreclosure": {"stage": "sale_scheduled", "sale_date": sale(24)}, "sms_consent": consent()},
        {"first_name": "Linda", "last_name": "Nguyen", "phone": "(602) 555-0110", "email": "linda@example.com",
         "property": {"city": "Phoenix", "state": "AZ", "zip": "85004"}, "mortgage_balance": "520000",
         "estimated_value": "455000", "payment_status": "behind", "months_behind": 2,
         "foreclosure": {"stage": "notice_of_default"}, "sms_consent": consent()},
        {"first_name": "Robert", "last_name": "Miles", "email": "robert@example.com",
         "property": {"city": "Pensacola", "state": "FL", "zip": "32501"}, "mortgage_balance": "198000",
         "estimated_value": "185000", "payment_status": "about_to_fall_behind",
         "hardships": ["adjustable_rate_increase"]},
        {"first_name": "Dana", "last_name": "Price", "phone": "(404) 555-0123", "email": "dana@example.com",
         "property": {"city": "Atlanta", "state": "GA", "zip": "30303"}, "mortgage_balance": "260000",
         "estimated_value": "240000", "payment_status": "current", "sms_consent": consent()},
    ]


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        days: Annotated[int, typer.Option("--days", min=1, max=30, help="How many days of simulated time to play.")] = 7,
        step_minutes: Annotated[int, typer.Option("--step", min=5, max=720, help="Simulated minutes per scheduler tick.")] = 60,
        keep: Annotated[bool, typer.Option("--keep", help="Keep the demo database and outbox and print where they are.")] = False,
    ) -> None:
        """Seed five sample leads of different urgency and watch their messages go out through the outbox.

        Runs on its own SQLite file and outbox folder (your database is not touched), with the
        clock moved forward one step per tick, so a week of sequences plays in under a minute.
        Dana replies STOP after her first text, to show that nothing more goes to her phone.
        """
        workdir = Path(tempfile.mkdtemp(prefix="nurture-demo-"))
        os.environ["NURTURE_DATABASE_URL"] = f"sqlite:///{workdir / 'demo.db'}"
        os.environ["NURTURE_OUTBOX_DIR"] = str(workdir / "outbox")
        for key in ("NURTURE_REDIS_URL", "NURTURE_TWILIO_ACCOUNT_SID", "NURTURE_SENDGRID_API_KEY"):
            os.environ.pop(key, None)
        from nurture.config import get_settings

        get_settings.cache_clear()
        _play(workdir, days=days, step=timedelta(minutes=step_minutes))
        if keep:
            out(f"\nkept: database {workdir / 'demo.db'}, outbox {workdir / 'outbox'}")
            out(f"look around: NURTURE_DATABASE_URL=sqlite:///{workdir / 'demo.db'} nurture log")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


def _play(workdir: Path, *, days: int, step: timedelta) -> None:
    from sqlmodel import select

    from nurture.clock import clock
    from nurture.db import session_scope
    from nurture.inbound import handle_inbound_sms
    from nurture.intake import upsert_lead
    from nurture.models import Lead, Message
    from nurture.runtime import Embedded
    from nurture.scheduler import tick

    # Start on a weekday morning in Miami so the first texts go out at once.
    start = datetime.now(UTC).replace(hour=14, minute=0, second=0, microsecond=0)
    clock.freeze(start)
    runtime = Embedded(scheduler=False, worker_threads=2).start()
    try:
        with session_scope() as session:
            for body in demo_leads(start.date()):
                upsert_lead(session, body, method="demo", now=start)
        out(f"seeded 5 leads at {start:%a %d %b %H:%M} UTC; playing {days} days in steps of "
            f"{int(step.total_seconds() // 60)} minutes\n")
        table = Table(box=None, pad_edge=False)
        for name in ("local time", "lead", "ch", "template"):
            table.add_column(name, no_wrap=True)
        table.add_column("what went out (email: subject, text: first words)", no_wrap=True, overflow="ellipsis",
                         max_width=72)
        seen: set[tuple[int, str]] = set()
        stopped = False
        end = start + timedelta(days=days)
        while clock.now() < end:
            tick(runtime.enqueue, now=clock.now())
            runtime.join()
            with session_scope() as session:
                rows = session.exec(
                    select(Message, Lead).join(Lead, Lead.id == Message.lead_id)
                    .where(Message.state.in_(["sent", "delivered", "skipped", "failed"]))  # type: ignore[attr-defined]
                    .order_by(Message.updated_at, Message.id)
                ).all()
            for msg, lead in rows:
                if (msg.id, msg.state) in seen:
                    continue
                seen.add((msg.id, msg.state))
                local = (msg.sent_at or msg.updated_at).astimezone(ZoneInfo(lead.timezone))
                if msg.state not in ("sent", "delivered"):
                    what = f"{msg.state}: {msg.reason or msg.error_reason}"
                elif msg.channel == "email":
                    what = f"\u2709 {msg.subject}"
                else:
                    what = " ".join((msg.body or "").split())
                table.add_row(f"{local:%a %d %H:%M} {local.tzname()}", lead.first_name, msg.channel,
                              msg.template.split("/")[-1], what)
                if lead.first_name == "Dana" and msg.channel == "sms" and not stopped:
                    stopped = True
                    with session_scope() as session:
                        handle_inbound_sms(session, from_=lead.phone or "", body="STOP", now=clock.now())
                    table.add_row(f"{local:%a %d %H:%M} {local.tzname()}", "Dana", "sms", "(inbound)",
                                  "Dana replied STOP: no more texts to her")
                    # Its one confirmation goes within minutes (or never): hand it over before time moves.
                    tick(runtime.enqueue, now=clock.now())
                    runtime.join()
            clock.advance(step)
        console.print(table)
        with session_scope() as session:
            counts: dict[str, int] = {}
            for (state,) in session.execute(select(Message.state)).all():
                counts[state] = counts.get(state, 0) + 1
        out("\nmessages by state: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        out(f"the texts and emails are in {workdir / 'outbox'}; `nurture run` does the same on real time")
    finally:
        runtime.stop()
        clock.reset()
