"""GET /healthz: 200 while the process can serve, with each channel's state; a paused channel says why."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from nurture.delivery import pauses
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.web import create_app

AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def healthz():
    with TestClient(create_app()) as c:
        return c.get("/healthz")


def test_healthz_names_each_channel_and_its_provider(sqlite_url, providers):
    r = healthz()
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "channels": {
        "sms": {"state": "ok", "via": "twilio"}, "email": {"state": "ok", "via": "sendgrid"}}}


def test_a_paused_channel_keeps_healthz_at_200_but_says_degraded_and_why(sqlite_url, providers):
    with session_scope() as s:
        pauses.pause(s, "sms", "Twilio refused the credentials (20003): Authenticate", get_settings(), AT)
    r = healthz()
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "degraded"
    assert body["channels"]["sms"] == {"state": "paused", "via": "twilio",
                                       "reason": "Twilio refused the credentials (20003): Authenticate",
                                       "since": "2026-12-01T15:00:00+00:00"}
    assert body["channels"]["email"] == {"state": "ok", "via": "sendgrid"}


def test_new_credentials_lift_the_pause_reported_by_healthz(sqlite_url, providers, monkeypatch):
    with session_scope() as s:
        pauses.pause(s, "email", "SendGrid refused the API key (401)", get_settings(), AT)
    assert healthz().json()["channels"]["email"]["state"] == "paused"
    monkeypatch.setenv("NURTURE_SENDGRID_API_KEY", "SG.new-key")
    get_settings.cache_clear()
    assert healthz().json()["status"] == "ok"


def test_an_unreachable_database_is_a_503(monkeypatch, tmp_path):
    monkeypatch.setenv("NURTURE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    get_settings.cache_clear()
    r = healthz()
    assert r.status_code == 503 and r.json()["status"] == "error"
