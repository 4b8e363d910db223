"""The fault harness (fixtures the fault tests import): a Redis of the test's own (so it can be stopped and started), the API served by
uvicorn (SendGrid's signed events come back to it), and the simulator posting those events.

Every process a test starts is stopped when the test ends, also when it fails.
"""

from __future__ import annotations

import base64
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit import fleet


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[fleet.OwnRedis]:
    server = fleet.OwnRedis(tmp_path)
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(f"the fault tests start a Redis of their own: {exc}")
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
    from testkit.simulator import Simulator

    api = fleet.ApiThread()
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


outcome = fleet.outcome


def done(url: str, ids: list[int]) -> bool:
    return fleet.count_in(url, "sent", "delivered") >= len(ids)

