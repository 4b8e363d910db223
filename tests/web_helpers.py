"""Talking to the web app as the real world does: from this machine to a server bound to loopback,
and as Twilio and SendGrid, whose requests are signed with their real SDKs' schemes."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from nurture.clock import clock
from nurture.web import create_app

PUBLIC = "https://nurture.example.com"
TWILIO_TOKEN = "twilio-token"

# What uvicorn puts in the ASGI scope for a request made on this machine to `nurture serve` on its
# default address: the server's socket is 127.0.0.1:8000, the client's a loopback port.
LOOPBACK = {"base_url": "http://127.0.0.1:8000", "client": ("127.0.0.1", 50000)}

# Stands in for SendGrid's signing key; the app gets its public half, as from SendGrid's settings page.
SENDGRID_SIGNING_KEY = ec.generate_private_key(ec.SECP256R1())
SENDGRID_PUBLIC_KEY = base64.b64encode(SENDGRID_SIGNING_KEY.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


def local_client(app: FastAPI | None = None) -> TestClient:
    """A client on this machine talking to a server bound to 127.0.0.1 (no API key needed)."""
    return TestClient(app or create_app(), **LOOPBACK)


def twilio_headers(path: str, form: dict[str, str], *, token: str = TWILIO_TOKEN,
                   public: str = PUBLIC) -> dict[str, str]:
    """The X-Twilio-Signature Twilio sends when it posts `form` to `public + path` (path with its query)."""
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(public + path, form)}


def twilio_post(client: TestClient, path: str, form: dict[str, str], **kw: Any) -> Any:
    """POST `form` to `path` signed as Twilio does."""
    return client.post(path, data=form, headers=twilio_headers(path, form, **kw))


def sendgrid_headers(body: str | bytes, *, at: datetime | int | None = None,
                     key: ec.EllipticCurvePrivateKey = SENDGRID_SIGNING_KEY) -> dict[str, str]:
    """The signature headers SendGrid sends with `body`, stamped `at` (default: the clock's now)."""
    raw = body.encode() if isinstance(body, str) else body
    if at is None:
        at = clock.now()
    stamp = str(int(at.timestamp()) if isinstance(at, datetime) else at)
    signature = base64.b64encode(key.sign(stamp.encode() + raw, ec.ECDSA(hashes.SHA256()))).decode()
    return {"X-Twilio-Email-Event-Webhook-Signature": signature, "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
            "Content-Type": "application/json"}


def sendgrid_post(client: TestClient, events: Any, *, raw: str | bytes | None = None, **kw: Any) -> Any:
    """POST `events` (or the `raw` body) to the event webhook, signed as SendGrid does."""
    body = raw if raw is not None else json.dumps(events)
    return client.post("/webhooks/sendgrid/events", content=body, headers=sendgrid_headers(body, **kw))
