"""The fault harness (fixtures the fault tests import): a Redis of the test's own (so it can be stopped and started), the API served by
uvicorn (SendGrid's signed events come back to it), and the simulator posting those events.

Every process a test starts is stopped when the test ends, also when it fails.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from nurture import fleet


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server on a port of its own, with no persistence: a restart comes back empty."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: the fault tests start a Redis of their own")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        import redis

        client = redis.Redis.from_url(self.url)
        assert fleet.wait_for(lambda: _pings(client), timeout=10), "the test's Redis did not start"

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


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def events_key():
    """SendGrid's event-webhook signing key pair: (private key, the public key as SendGrid shows it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, base64.b64encode(public).decode()


class Api:
    """The FastAPI app served by uvicorn in a thread, as `nurture serve` serves it."""

    def __init__(self) -> None:
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
        assert fleet.wait_for(lambda: self.server.started, timeout=10), "the API did not start"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def fleet_env(pg_url, own_redis, events_key, monkeypatch):
    """The settings every process of a fault test shares (the test process too: the API runs here)."""
    from nurture.config import get_settings

    env = {
        "NURTURE_DATABASE_URL": pg_url, "NURTURE_REDIS_URL": own_redis.url,
        "NURTURE_TWILIO_ACCOUNT_SID": "AC" + "f" * 32, "NURTURE_TWILIO_AUTH_TOKEN": "fault-token",
        "NURTURE_TWILIO_FROM": "+13055550000", "NURTURE_SENDGRID_API_KEY": "SG.faults",
        "NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY": events_key[1], "NURTURE_EMAIL_QUIET_HOURS": "false",
        "NURTURE_TWILIO_RATE_PER_SECOND": "5000", "NURTURE_SENDGRID_RATE_PER_SECOND": "5000",
        "NURTURE_SECRET_KEY": "fault-secret", "NURTURE_PUBLIC_URL": "https://nurture.example.com",
        "NURTURE_TICK_SECONDS": "0.3", "NURTURE_CLAIM_BATCH": "200", "NURTURE_LEASE_SECONDS": "30",
        "NURTURE_RECONCILE_SECONDS": "2", "NURTURE_PROVIDER_TIMEOUT_SECONDS": "1",
        "NURTURE_TWILIO_SETTLE_SECONDS": "4", "NURTURE_SENDGRID_SETTLE_SECONDS": "30",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return env


@pytest.fixture
def stack(fleet_env, events_key, tmp_path):
    """Simulator (with SendGrid's events), API, and a way to start workers and schedulers; all stopped at the end."""
    from nurture.simulator import Simulator

    api = Api()
    api.start()
    sim = Simulator(events_url=f"{api.url}/webhooks/sendgrid/events", events_key=events_key[0])
    sim.start()
    procs: list[subprocess.Popen] = []

    class Stack:
        simulator = sim
        env = {**fleet_env, "NURTURE_TWILIO_API_BASE": sim.url, "NURTURE_SENDGRID_HOST": sim.url}
        logs = tmp_path

        def workers(self, n: int = 1, *, threads: int = 8, **env: str) -> subprocess.Popen:
            proc = fleet.start_workers({**self.env, **env}, threads=threads, log=tmp_path / f"workers-{n}.log")
            procs.append(proc)
            return proc

        def scheduler(self, n: int = 1, **env: str) -> subprocess.Popen:
            proc = fleet.start_scheduler({**self.env, **env}, log=tmp_path / f"scheduler-{n}.log")
            procs.append(proc)
            return proc

        def stop(self, *which: subprocess.Popen) -> None:
            fleet.stop(*(which or procs))

        def tail(self) -> str:
            return "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}" for p in tmp_path.glob("*.log"))

    try:
        yield Stack()
    finally:
        fleet.stop(*procs)
        sim.stop()
        api.stop()


def message_id_of(received) -> int:  # type: ignore[no-untyped-def]
    """Our message id, from the provider's own record (Twilio's status callback, SendGrid's custom_args)."""
    if received.provider == "twilio":
        return int(parse_qs(urlparse(received.json["StatusCallback"]).query)["message_id"][0])
    return int(received.json["custom_args"]["message_id"])


def outcome(url: str, ids: list[int], received) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Counted from the simulator's record: sent twice, never sent (lost), and the rows' states."""
    from sqlmodel import Session, select

    from nurture.db import get_engine
    from nurture.models import Message

    copies = Counter(message_id_of(r) for r in received)
    with Session(get_engine(url)) as s:
        states = Counter(s.exec(select(Message.state).where(Message.id.in_(ids))).all())  # type: ignore[attr-defined]
    return {"received": len(received), "twice": sum(1 for n in copies.values() if n > 1),
            "lost": sum(1 for i in ids if i not in copies), **{f"state_{k}": v for k, v in states.items()}}


def done(url: str, ids: list[int]) -> bool:
    return fleet.count_in(url, "sent", "delivered") >= len(ids)

