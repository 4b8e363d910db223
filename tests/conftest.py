"""Shared fixtures: a migrated SQLite file per test, the machine's PostgreSQL and Redis, a movable clock.

PostgreSQL and Redis tests skip on a developer machine without them, but FAIL when CI=true:
CI must never go green because a service was down.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from nurture import db
from nurture.clock import clock
from nurture.config import get_settings
from nurture.published import overlay
from web_helpers import PUBLIC, SENDGRID_PUBLIC_KEY, TWILIO_TOKEN

PG_ADMIN_URL = os.environ.get("NURTURE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("NURTURE_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
ROOT = Path(__file__).resolve().parent.parent
# Starlette's TestClient calls itself "testserver", a Host no real deployment answers: tests talk to the app
# under any Host, and the Host rule's own tests (tests/web/test_hosts.py) unset this. Set here too for
# apps built when a test module is collected.
ANY_HOST = "*"
os.environ["NURTURE_ALLOWED_HOSTS"] = ANY_HOST

TABLES = ("click", "deliveryevent", "message", "consent", "suppression", "inboundmessage", "proposedchange", "leadcontact", "leadrecord", "lead",
          "keyvalue", "account", "apikey", "auditentry", "contentversion")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: a test that needs it fails, it does not skip)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every test starts with settings read afresh, the real clock, and no provider credentials."""
    for key in list(os.environ):
        if key.startswith("NURTURE_") and not key.startswith("NURTURE_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("NURTURE_TEMPLATES_DIR", str(ROOT / "templates"))
    monkeypatch.setenv("NURTURE_SCHEDULES_DIR", str(ROOT / "schedules"))
    monkeypatch.setenv("NURTURE_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("NURTURE_SECRET_KEY", "test-secret")
    monkeypatch.setenv("NURTURE_ALLOWED_HOSTS", ANY_HOST)
    get_settings.cache_clear()
    clock.reset()
    yield
    clock.reset()
    db.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade(f"sqlite:///{path}")
    db.dispose_engines()
    return path


@pytest.fixture
def sqlite_url(_migrated_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, migrated SQLite database for this test, set as NURTURE_DATABASE_URL."""
    path = tmp_path / "nurture.db"
    shutil.copy(_migrated_sqlite, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("NURTURE_DATABASE_URL", url)
    get_settings.cache_clear()
    return url


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"nurture_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db.upgrade(url)
    db.dispose_engines()
    yield url
    db.dispose_engines()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(_pg_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The session's PostgreSQL test database, emptied, set as NURTURE_DATABASE_URL."""
    engine = sa.create_engine(_pg_database)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    monkeypatch.setenv("NURTURE_DATABASE_URL", _pg_database)
    get_settings.cache_clear()
    overlay.refresh()  # nothing is published any more: no process may read an older overlay
    return _pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (database 9), emptied."""
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    client.close()
    return REDIS_TEST_URL


@pytest.fixture
def frozen_now() -> datetime:
    """Freezes the clock at a fixed Tuesday morning, 2026-12-01 15:00 UTC (10:00 in Miami)."""
    at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    clock.freeze(at)
    return at


TWILIO_SID = "AC" + "a" * 32
TWILIO_FROM = "+13055550000"


@pytest.fixture
def simulator():
    """The provider simulator on 127.0.0.1 (Twilio Messages + SendGrid Mail Send)."""
    from testkit.simulator import Simulator

    with Simulator() as sim:
        yield sim


@pytest.fixture
def webhook_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys the webhooks verify requests with (Twilio's auth token, SendGrid's public key), with no
    provider credentials: the webhooks are open to requests signed as tests/web_helpers.py signs them."""
    monkeypatch.setenv("NURTURE_TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    monkeypatch.setenv("NURTURE_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY", SENDGRID_PUBLIC_KEY)
    get_settings.cache_clear()


@pytest.fixture
def providers(simulator, monkeypatch: pytest.MonkeyPatch):
    """Twilio and SendGrid credentials pointed at the simulator: the real SDKs talk to it."""
    from nurture.delivery.channels import clear_channel_cache
    from nurture.delivery.tasks import reset_dispatcher

    env = {
        "NURTURE_TWILIO_ACCOUNT_SID": TWILIO_SID, "NURTURE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "NURTURE_TWILIO_FROM": TWILIO_FROM, "NURTURE_TWILIO_API_BASE": simulator.url,
        "NURTURE_SENDGRID_API_KEY": "SG.test-key", "NURTURE_SENDGRID_HOST": simulator.url,
        "NURTURE_EMAIL_FROM": "Short Sale Help <help@shortsalehelp.example>",
        "NURTURE_PUBLIC_URL": PUBLIC,
        "NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY": SENDGRID_PUBLIC_KEY,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    clear_channel_cache()
    reset_dispatcher()
    yield simulator
    clear_channel_cache()
    reset_dispatcher()


@pytest.fixture
def english_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped templates without the translation folders, in use (and the development
    public URL, so links are as long as on a developer's machine)."""
    target = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", target, ignore=shutil.ignore_patterns("es"))
    monkeypatch.setenv("NURTURE_TEMPLATES_DIR", str(target))
    monkeypatch.setenv("NURTURE_PUBLIC_URL", "http://127.0.0.1:8000")
    get_settings.cache_clear()
    return target
