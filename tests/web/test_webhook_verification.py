"""Webhooks are closed unless they can verify their caller: no key = 503, a bad or stale signature = 403,
and nothing a refused request says is acted on."""

import base64
import logging
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlmodel import select

from delivery_helpers import add_lead, lead
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.models import Consent, Suppression
from nurture.web import create_app
from web_helpers import SENDGRID_PUBLIC_KEY, sendgrid_headers, sendgrid_post, twilio_post

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
UNSUBSCRIBE = [{"event": "unsubscribe", "email": "maria@example.com"}]


@pytest.fixture
def client(sqlite_url):
    clock.freeze(NOW)
    with TestClient(create_app()) as c:
        yield c


def setenv(monkeypatch, **values):
    for name, value in values.items():
        monkeypatch.setenv(f"NURTURE_{name.upper()}", value)
    get_settings.cache_clear()


def suppressions():
    with session_scope() as s:
        return s.exec(select(Suppression.channel, Suppression.reason)).all()


def consent_ledger(lead_id):
    with session_scope() as s:
        return s.exec(select(Consent.action).where(Consent.lead_id == lead_id).order_by(Consent.id)).all()


# Twilio

def test_a_forged_stop_without_a_twilio_auth_token_is_a_503_and_opts_nobody_out(client):
    lead_id = add_lead(NOW)
    r = client.post("/webhooks/twilio/inbound", data={"From": "+13055550142", "Body": "STOP"})
    assert r.status_code == 503
    assert r.json()["detail"].startswith("Twilio is not configured: webhook disabled")
    assert suppressions() == []
    assert consent_ledger(lead_id) == ["grant"]
    assert lead(lead_id).status == "active"


def test_a_status_callback_without_a_twilio_auth_token_is_a_503(client):
    r = client.post("/webhooks/twilio/status", data={"MessageSid": "SM1", "MessageStatus": "delivered"})
    assert r.status_code == 503


def test_with_the_auth_token_a_signed_stop_opts_out_and_an_unsigned_one_is_a_403(client, monkeypatch):
    setenv(monkeypatch, twilio_auth_token="twilio-token", public_url="https://nurture.example.com")
    lead_id = add_lead(NOW)
    forged = client.post("/webhooks/twilio/inbound", data={"From": "+13055550142", "Body": "STOP"},
                         headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    assert forged.status_code == 403
    assert consent_ledger(lead_id) == ["grant"]
    signed = twilio_post(client, "/webhooks/twilio/inbound", {"From": "+13055550142", "Body": "STOP"})
    assert signed.status_code == 200
    assert suppressions() == [("sms", "stop")]


def test_a_refused_callback_while_the_public_url_is_the_default_says_to_set_it(client, monkeypatch, caplog):
    # Credentials set, NURTURE_PUBLIC_URL forgotten: Twilio signs the address it called, which is not ours.
    setenv(monkeypatch, twilio_account_sid="AC" + "a" * 32, twilio_auth_token="twilio-token",
           twilio_from="+13055550000")
    with caplog.at_level(logging.WARNING, logger="nurture.webhooks"):
        r = twilio_post(client, "/webhooks/twilio/status", {"MessageSid": "SM1", "MessageStatus": "delivered"},
                        public="https://nurture.example.com")
    assert r.status_code == 403
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "nurture.webhooks"]
    assert "bad X-Twilio-Signature" in line
    assert "NURTURE_PUBLIC_URL is left at its default (http://127.0.0.1:8000)" in line


def test_a_refused_callback_with_a_public_url_set_does_not_blame_it(client, monkeypatch, caplog):
    setenv(monkeypatch, twilio_account_sid="AC" + "a" * 32, twilio_auth_token="twilio-token",
           twilio_from="+13055550000", public_url="https://nurture.example.com")
    with caplog.at_level(logging.WARNING, logger="nurture.webhooks"):
        r = twilio_post(client, "/webhooks/twilio/status", {"MessageSid": "SM1"}, token="another-token")
    assert r.status_code == 403
    assert "NURTURE_PUBLIC_URL" not in caplog.text


# SendGrid

def test_sendgrid_events_without_sendgrid_configured_are_a_503(client):
    add_lead(NOW)
    r = client.post("/webhooks/sendgrid/events", json=UNSUBSCRIBE)
    assert r.status_code == 503
    assert r.json()["detail"] == "SendGrid is not configured: webhook disabled"
    assert suppressions() == []


def test_sendgrid_events_with_an_api_key_but_no_public_key_are_a_503_naming_the_setting(client, monkeypatch):
    setenv(monkeypatch, sendgrid_api_key="SG.key")
    add_lead(NOW)
    r = client.post("/webhooks/sendgrid/events", json=UNSUBSCRIBE)
    assert r.status_code == 503
    assert "NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY" in r.json()["detail"]
    assert suppressions() == []


def test_an_unreadable_public_key_is_a_503_not_a_403(client, monkeypatch):
    setenv(monkeypatch, sendgrid_api_key="SG.key", sendgrid_webhook_public_key="not a key")
    r = sendgrid_post(client, UNSUBSCRIBE)
    assert r.status_code == 503
    assert "cannot be read" in r.json()["detail"]


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=4, seconds=59), -timedelta(minutes=4, seconds=59)])
def test_signed_events_stamped_within_five_minutes_are_taken(client, monkeypatch, offset):
    setenv(monkeypatch, sendgrid_api_key="SG.key", sendgrid_webhook_public_key=SENDGRID_PUBLIC_KEY)
    add_lead(NOW)
    assert sendgrid_post(client, UNSUBSCRIBE, at=NOW + offset).status_code == 200
    assert suppressions() == [("email", "unsubscribe")]


@pytest.mark.parametrize("at", [NOW - timedelta(minutes=5, seconds=1), NOW + timedelta(minutes=5, seconds=1),
                                datetime(2024, 12, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)])
def test_signed_events_stamped_more_than_five_minutes_away_are_refused(client, monkeypatch, at):
    setenv(monkeypatch, sendgrid_api_key="SG.key", sendgrid_webhook_public_key=SENDGRID_PUBLIC_KEY)
    add_lead(NOW)
    r = sendgrid_post(client, UNSUBSCRIBE, at=at)
    assert r.status_code == 403
    assert "refused as a replay" in r.json()["detail"]
    assert suppressions() == []


@pytest.mark.parametrize("stamp", ["", "soon", "-1", "1.5", "17e8", " 1700000000"])
def test_a_missing_or_malformed_timestamp_is_refused(client, monkeypatch, stamp):
    setenv(monkeypatch, sendgrid_api_key="SG.key", sendgrid_webhook_public_key=SENDGRID_PUBLIC_KEY)
    headers = sendgrid_headers("[]")
    headers["X-Twilio-Email-Event-Webhook-Timestamp"] = stamp
    assert client.post("/webhooks/sendgrid/events", content="[]", headers=headers).status_code == 403


def test_events_signed_by_another_key_or_altered_are_refused(client, monkeypatch):
    setenv(monkeypatch, sendgrid_api_key="SG.key", sendgrid_webhook_public_key=SENDGRID_PUBLIC_KEY)
    add_lead(NOW)
    other = ec.generate_private_key(ec.SECP256R1())
    assert sendgrid_post(client, UNSUBSCRIBE, key=other).status_code == 403
    headers = sendgrid_headers('[{"event": "delivered"}]')
    r = client.post("/webhooks/sendgrid/events", json=UNSUBSCRIBE, headers=headers)
    assert r.status_code == 403
    headers["X-Twilio-Email-Event-Webhook-Signature"] = "%%% not base64"
    assert client.post("/webhooks/sendgrid/events", json=UNSUBSCRIBE, headers=headers).status_code == 403
    assert suppressions() == []


def test_the_public_key_may_be_pasted_as_pem(client, monkeypatch):
    pem = base64.b64decode(SENDGRID_PUBLIC_KEY)
    pem_text = serialization.load_der_public_key(pem).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    setenv(monkeypatch, sendgrid_api_key="SG.key", sendgrid_webhook_public_key=pem_text)
    assert sendgrid_post(client, []).status_code == 200
