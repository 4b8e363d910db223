"""`nurture demo`: a week of a few leads' sequences, played in seconds through the real machinery."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import typer

from nurture.cli.common import console, fail, out
from nurture.config import get_settings
from nurture.db import redact
from nurture.db import session_scope
from nurture.models import Lead
from nurture.intake import status as lead_status
from nurture.clock import clock
from nurture.conversations.inbound import handle_inbound_sms
from nurture.intake.leads import upsert_lead
from nurture.models import Message
from nurture.delivery.runtime import Embedded
from nurture.delivery.scheduler import tick
from nurture.web import create_app
from nurture.web.webhooks import record_twilio_status

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


#: Provider and broker settings the demo never uses: it sends to the outbox, on the embedded broker.
_REAL_SENDERS = ("NURTURE_REDIS_URL", "NURTURE_BROKER_URL", "NURTURE_TWILIO_ACCOUNT_SID", "NURTURE_TWILIO_AUTH_TOKEN",
                 "NURTURE_TWILIO_MESSAGING_SERVICE_SID", "NURTURE_SENDGRID_API_KEY")


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        days: Annotated[int, typer.Option("--days", min=1, max=30, help="How many days of simulated time to play.")] = 7,
        step_minutes: Annotated[int, typer.Option("--step", min=5, max=720, help="Simulated minutes per scheduler tick.")] = 60,
        throwaway: Annotated[bool, typer.Option("--throwaway", help="Play on a temporary database and outbox instead of the configured ones.")] = False,
        keep: Annotated[bool, typer.Option("--keep", help="With --throwaway: keep the temporary database and outbox and print where they are.")] = False,
    ) -> None:
        """Play the last few days of five sample leads of different urgency, through the real machinery.

        The days played end now, so the console (/ops) shows them as today and the last 7 days. By
        default the demo plays into the configured database (NURTURE_DATABASE_URL, ./nurture.db:
        the one `nurture run` serves), and refuses one that holds leads it did not make; --throwaway
        plays on a temporary one. Texts and emails always go to the outbox, never to a provider.
        Along the way Dana replies STOP, Linda asks to be called (she needs a person), a carrier
        cannot deliver one of James's texts (Twilio 30003), Robert follows a link, and James converts.
        """
        for key in _REAL_SENDERS:
            os.environ.pop(key, None)
        workdir = None
        if throwaway:
            workdir = Path(tempfile.mkdtemp(prefix="nurture-demo-"))
            os.environ["NURTURE_DATABASE_URL"] = f"sqlite:///{workdir / 'demo.db'}"
            os.environ["NURTURE_OUTBOX_DIR"] = str(workdir / "outbox")
        elif keep:
            fail("--keep only goes with --throwaway: without it the demo plays into your database")

        get_settings.cache_clear()
        settings = get_settings()
        if not throwaway:
            _refuse_a_database_in_use()
        try:
            _play(settings.outbox_dir, days=days, step=timedelta(minutes=step_minutes))
        finally:
            if workdir is not None and not keep:  # gone also when the demo fails or is interrupted
                shutil.rmtree(workdir, ignore_errors=True)
        if workdir is None:
            out(f"\nplayed into {redact(settings.database_url)}: `nurture run` (or `nurture serve`) and open "
                "http://127.0.0.1:8000/ops to see it")
        elif keep:
            out(f"\nkept: database {workdir / 'demo.db'}, outbox {workdir / 'outbox'}")
            out(f"look around: NURTURE_DATABASE_URL=sqlite:///{workdir / 'demo.db'} nurture log")


def _refuse_a_database_in_use() -> None:
    """The demo's sample traffic never mixes with real leads, and plays once per database."""
    from sqlalchemy import func, select


    with session_scope() as session:
        by_source = dict(session.execute(select(Lead.source, func.count()).group_by(Lead.source)).all())
    where = redact(get_settings().database_url)
    real = sum(n for source, n in by_source.items() if source != "demo")
    if real:
        fail(f"{where} holds {real} lead(s) the demo did not make: it never plays into real data. "
             "Point NURTURE_DATABASE_URL at a fresh database, or use --throwaway")
    if by_source.get("demo"):
        fail(f"the demo already played into {where}: use a fresh database (or --throwaway) to play it again")


def _play(outbox: Path, *, days: int, step: timedelta) -> None:
    from sqlmodel import col, select


    # The days played end now; they start on an afternoon in UTC (morning in the leads' zones).
    end = datetime.now(UTC)
    start = (end - timedelta(days=days)).replace(hour=14, minute=0, second=0, microsecond=0)
    clock.freeze(start)
    runtime = Embedded(scheduler=False, worker_threads=2).start()
    # Providers' callbacks and a lead's click arrive as they would: through the HTTP routes.
    # The routes a lead's phone uses (a tracked link), as this machine reaches `nurture serve`.
    web = _InProcess(create_app())
    try:
        with session_scope() as session:
            for body in demo_leads(start.date()):
                upsert_lead(session, body, method="demo", now=start)
        out(f"seeded 5 leads at {start:%a %d %b %H:%M} UTC; playing {days} days up to now in steps of "
            f"{int(step.total_seconds() // 60)} minutes\n")
        table = _Lines()
        table.add_row("local time", "lead", "ch", "template", "what went out (email: subject, text: first words)")
        seen: set[tuple[int, str]] = set()
        texts: dict[str, int] = {}
        clicked: set[str] = set()
        converted = False
        while clock.now() < end:
            tick(runtime.enqueue, now=clock.now())
            runtime.join()
            with session_scope() as session:
                rows = session.exec(
                    select(Message, Lead).join(Lead, col(Lead.id) == col(Message.lead_id))
                    .where(col(Message.state).in_(["sent", "delivered", "skipped", "failed"]))
                    .order_by(col(Message.updated_at), col(Message.id))
                ).all()
            for msg, lead in rows:
                if (msg.id, msg.state) in seen:
                    continue
                seen.add((msg.id, msg.state))
                local = (msg.sent_at or msg.updated_at).astimezone(ZoneInfo(lead.timezone))
                stamp = f"{local:%a %d %H:%M} {local.tzname()}"
                if msg.state not in ("sent", "delivered"):
                    what = f"{msg.state}: {msg.reason or msg.error_reason}"
                elif msg.channel == "email":
                    what = f"\u2709 {msg.subject}"
                else:
                    what = " ".join((msg.body or "").split())
                table.add_row(stamp, lead.first_name, msg.channel, msg.template, what)
                if msg.state in ("sent", "delivered") and lead.first_name == "Robert" and "Robert" not in clicked:
                    # Robert follows the first tracked link he gets, by text or by email (a lead whose
                    # sale is days away gets action content: a counselor, a person, no link of ours).
                    link = next((w for w in re.split(r"[\s\"'<>()]+", msg.body or "") if "/r/" in w), None)
                    if link is not None:
                        clicked.add("Robert")
                        web.get("/r/" + link.rsplit("/r/", 1)[1])
                        table.add_row(stamp, "Robert", msg.channel, "(event)", "Robert followed the link in it")
                if msg.channel != "sms" or msg.state not in ("sent", "delivered"):
                    continue
                texts[lead.first_name] = texts.get(lead.first_name, 0) + 1
                for who, what_happened in _story(web, msg, lead, texts[lead.first_name]):
                    table.add_row(stamp, who, "sms", "(event)", what_happened)
                    if who == "Dana":
                        # Her one confirmation goes within minutes (or never): hand it over before time moves.
                        tick(runtime.enqueue, now=clock.now())
                        runtime.join()
            if not converted and clock.now() >= start + timedelta(days=min(4, days - 1) or 1) and texts.get("James"):
                converted = True
                with session_scope() as session:
                    james = session.exec(select(Lead).where(Lead.first_name == "James")).one()
                    lead_status.set_status(session, james, "converted", reason="signed a listing agreement",
                                           method="demo", now=clock.now())
                local = clock.now().astimezone(ZoneInfo(james.timezone))
                table.add_row(f"{local:%a %d %H:%M} {local.tzname()}", "James", "-", "(event)",
                              "James signed a listing agreement: converted, his sequence stops")
            clock.advance(min(step, end - clock.now()))
        table.print()
        with session_scope() as session:
            counts: dict[str, int] = {}
            for (state,) in session.execute(select(Message.state)).all():
                counts[state] = counts.get(state, 0) + 1
        out("\nmessages by state: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        out(f"the texts and emails are in {outbox}; `nurture run` does the same on real time")
    finally:
        runtime.stop()
        clock.reset()


class _InProcess:
    """The web app called in this process the way uvicorn calls it (one ASGI request through the
    middleware and the route), as this machine reaches `nurture serve` on 127.0.0.1:8000. Only
    what the demo needs: a GET, its status back (a redirect is not followed)."""

    HOST, PORT = "127.0.0.1", 8000
    CLIENT = ("127.0.0.1", 50000)

    def __init__(self, app: Any) -> None:
        self.app = app

    def get(self, target: str) -> int:
        return asyncio.run(self._get(target))

    async def _get(self, target: str) -> int:
        path, _, query = target.partition("?")
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": unquote(path), "raw_path": path.encode(),
            "query_string": query.encode(), "root_path": "",
            "headers": [(b"host", f"{self.HOST}:{self.PORT}".encode()), (b"user-agent", b"nurture-demo")],
            "client": self.CLIENT, "server": (self.HOST, self.PORT),
        }
        answered = asyncio.Event()
        asked = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await answered.wait()  # the client hangs up only once the answer is complete
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                answered.set()

        await self.app(scope, receive, send)
        return status


class _Lines:
    """The demo's timeline, a row a line in fixed columns: names whole (never cut to fit), the
    message's words shortened to keep a line readable."""

    WHAT_MAX = 60

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add_row(self, *cells: str) -> None:
        self.rows.append(cells)

    def print(self) -> None:
        widths = [max(len(r[i]) for r in self.rows) for i in range(4)]
        for row in self.rows:
            what = row[4] if len(row[4]) <= self.WHAT_MAX else row[4][: self.WHAT_MAX - 1] + "\u2026"
            line = "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
            console.print(f"{line}  {what}", markup=False, highlight=False, soft_wrap=True)


def _story(web: _InProcess, msg: Any, lead: Any, nth_text: int) -> list[tuple[str, str]]:
    """What the sample leads do after their texts, through the same routes providers and phones use."""

    name = lead.first_name
    if name == "Dana" and nth_text == 1:
        with session_scope() as session:
            handle_inbound_sms(session, from_=lead.phone or "", body="STOP", now=clock.now())
        return [("Dana", "Dana replied STOP: no more texts to her")]
    if name == "Linda" and nth_text == 2:
        with session_scope() as session:
            handle_inbound_sms(session, from_=lead.phone or "", body="Can you call me tomorrow morning? I work nights.",
                               now=clock.now())
        return [("Linda", "Linda asked for a call: she needs a person, her sequence pauses")]
    if name == "James" and nth_text == 2:
        # What Twilio's status callback says of an unreachable handset (the demo has no Twilio to sign it).

        with session_scope() as session:
            record_twilio_status(session, message_ref=str(msg.id), sid=msg.provider_id or "", status="undelivered",
                                 code="30003", at=clock.now())
        return [("James", "the carrier could not deliver it: Twilio 30003 (unreachable handset)")]
    return []
