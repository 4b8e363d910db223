"""Worker and scheduler processes, and due messages in bulk: for multi-process tests and benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlmodel import Session

from nurture.db import get_engine
from nurture.models import Consent, Lead, Message

ROOT = Path(__file__).resolve().parent.parent


def daytime_zone(now: datetime) -> str:
    """A fixed-offset zone in which it is around noon at `now`: processes that read the real clock
    (workers, schedulers) keep quiet hours, so tests and benchmarks put their leads where it is day."""
    offset = (12 - now.astimezone(UTC).hour + 12) % 24 - 12  # -12 .. +11 hours from UTC
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX: Etc/GMT-9 is UTC+9


def seed_due_messages(url: str, count: int, *, now: datetime, channel: str = "email",
                      template: str | None = None, start: int = 0) -> list[int]:
    """`count` leads with one planned message each, due now; returns the message ids.

    Texts go to toll-free numbers (their area code names no state or zone) of leads living
    where it is day (see daytime_zone), so the legal hours let them out whenever the test runs.
    """
    engine = get_engine(url)
    ids: list[int] = []
    with Session(engine) as session:
        for offset in range(0, count, 5_000):
            chunk = range(start + offset, start + min(count, offset + 5_000))
            lead_ids = session.scalars(insert(Lead).returning(Lead.id), [
                {"first_name": f"Lead{i}", "last_name": "Fleet", "email": f"lead{i}@fleet.example.com",
                 "phone": f"+1800{5550000 + i:07d}" if channel == "sms" else None,
                 "state": None if channel == "sms" else "GA", "zip": None if channel == "sms" else "30303",
                 "timezone": daytime_zone(now) if channel == "sms" else "America/New_York", "hardships": [], "foreclosure_stage": "none", "status": "active",
                 "mortgage_balance_cents": 30_000_000, "estimated_value_cents": 27_000_000,
                 "enrolled_at": now, "created_at": now, "updated_at": now}
                for i in chunk
            ]).all()
            if channel == "sms":  # the send gate wants the consent on record, as for any real lead
                session.execute(insert(Consent), [
                    {"lead_id": lid, "channel": "sms", "action": "grant", "text": "I agree to receive texts",
                     "source_url": "https://www.example.com/start-short-sale", "ip": "203.0.113.7",
                     "method": "fleet", "recorded_at": now} for lid in lead_ids])
            ids += session.scalars(insert(Message).returning(Message.id), [
                {"lead_id": lid, "sequence": "fleet", "step": "one", "channel": channel,
                 "template": template or f"{channel}/what_is_short_sale", "deadline": False, "tier": "early",
                 "due_at": now - timedelta(seconds=1), "state": "planned", "attempts": 0,
                 "created_at": now, "updated_at": now}
                for lid in lead_ids
            ]).all()
        session.commit()
    return ids


def env_for(settings_env: Mapping[str, str], code: Path = ROOT) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_") or k.startswith("NURTURE_TEST_")}
    env.update(settings_env)
    env.setdefault("NURTURE_TEMPLATES_DIR", str(code / "templates"))
    env.setdefault("NURTURE_SCHEDULES_DIR", str(code / "schedules"))
    if code != ROOT:  # another checkout's code (a benchmark's "before"): it comes first on the path
        env["PYTHONPATH"] = str(code)
    return env


def start_workers(settings_env: Mapping[str, str], *, processes: int = 1, threads: int = 8,
                  log: Path | None = None, code: Path = ROOT) -> subprocess.Popen:
    """`dramatiq workers` (the documented worker command) with these NURTURE_ settings."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "workers", "--processes", str(processes), "--threads", str(threads),
         "--queues", "messages"],
        cwd=code, env=env_for(settings_env, code), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )


def start_scheduler(settings_env: Mapping[str, str], *, log: Path | None = None, code: Path = ROOT) -> subprocess.Popen:
    """`nurture scheduler` with these settings."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-c", "from nurture.cli import main; main()", "scheduler"],
        cwd=code, env=env_for(settings_env, code), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )


def stop(*procs: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM each process group, then SIGKILL what is left."""
    import signal

    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(5)


def wait_for(check: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> bool:
    """Poll `check` until it is true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


def count_in(url: str, *states: str) -> int:
    from sqlalchemy import func

    with Session(get_engine(url)) as session:
        return session.scalar(select(func.count()).select_from(Message).where(Message.state.in_(states))) or 0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server on a port of its own, with no persistence (a restart comes back empty), for
    fault tests and benchmarks that stop and start the broker."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import shutil

        import redis

        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        client = redis.Redis.from_url(self.url)
        if not wait_for(lambda: _pings(client), timeout=10):
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


def _pings(client) -> bool:  # type: ignore[no-untyped-def]
    try:
        return bool(client.ping())
    except Exception:
        return False


class ApiThread:
    """The FastAPI app served by uvicorn in a thread of this process, as `nurture serve` serves it
    (SendGrid's signed events come back to it in fault tests and benchmarks)."""

    def __init__(self) -> None:
        import threading

        import uvicorn

        from nurture.web import create_app

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        if not wait_for(lambda: self.server.started, timeout=10):
            raise RuntimeError("the API did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def message_id_of(received) -> int:  # type: ignore[no-untyped-def]
    """Our message id, from the provider's own record (Twilio's status callback, SendGrid's custom_args)."""
    from urllib.parse import parse_qs, urlparse

    if received.provider == "twilio":
        return int(parse_qs(urlparse(received.json["StatusCallback"]).query)["message_id"][0])
    return int(received.json["custom_args"]["message_id"])


def outcome(url: str, ids: list[int], received) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Counted from the simulator's record: how many arrived, how many twice, how many never (lost),
    and the rows' states."""
    from collections import Counter

    copies = Counter(message_id_of(r) for r in received)
    with Session(get_engine(url)) as s:
        states = Counter(s.scalars(select(Message.state).where(Message.id.in_(ids))).all())  # type: ignore[attr-defined]
        nowhere = log_rows_pointing_nowhere(s)
    return {"received": len(received), "twice": sum(1 for n in copies.values() if n > 1),
            "lost": sum(1 for i in ids if i not in copies), "log_pointing_nowhere": nowhere,
            **{f"state_{k}": v for k, v in states.items()}}


def log_rows_pointing_nowhere(session: Session) -> int:
    """Delivery log rows whose lead or message does not exist. The log has no foreign keys
    (migration 0005), so the fleet tests and the faults bench check that this stays 0."""
    from sqlalchemy import text

    return session.scalar(text(
        "SELECT count(*) FROM deliveryevent e LEFT JOIN lead l ON l.id = e.lead_id "
        "LEFT JOIN message m ON m.id = e.message_id "
        "WHERE (e.lead_id IS NOT NULL AND l.id IS NULL) OR (e.message_id IS NOT NULL AND m.id IS NULL)")) or 0
