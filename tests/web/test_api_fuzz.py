"""Fuzzing every route: whatever a client sends, the answer is never a 5xx.

Schemathesis generates requests from the app's OpenAPI document (paths, queries, bodies that fit
the schema and some that do not). The webhooks read forms and JSON the document does not describe,
and the intake body is a free-form object there, so hypothesis sends those bodies too, on SQLite
and on PostgreSQL (which refuses NUL and over-long text where SQLite stores them).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_values import bodies, junk
from nurture.config import get_settings
from nurture.web import create_app
from web_helpers import local_client, sendgrid_headers, twilio_headers

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]
# Cases per route (schemathesis), and per kind of body on each database (hypothesis): together
# about 40 s on a developer machine. Derandomized: CI runs the same cases every time.
FUZZ = settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=_QUIET)
BODIES = settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=_QUIET)

app = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
SEEDED = {"first_name": "Maria", "last_name": "Lopez", "phone": "3055550142", "email": "maria@example.com",
          "foreclosure": {"sale_date": "2027-01-15"},
          "sms_consent": {"granted": True, "text": "I agree to texts. Reply STOP to opt out.",
                          "source_url": "https://example.com/start-short-sale", "ip": "203.0.113.7"}}


API_KEY = "fuzz-key"


def _seed(headers: dict[str, str] | None = None) -> None:
    """Lead #1, so that generated ids sometimes name a real lead."""
    with local_client(app) as client:
        assert client.post("/api/leads", json=SEEDED, headers=headers).status_code in (200, 201)


@pytest.fixture
def api_key(monkeypatch):
    """A key, so that generated requests reach the routes behind it (schemathesis's client is not on loopback)."""
    monkeypatch.setenv("NURTURE_API_KEY", API_KEY)
    get_settings.cache_clear()


@schema.parametrize()
@FUZZ
def test_no_route_answers_a_generated_request_with_a_5xx(case, sqlite_url, webhook_keys, api_key):
    auth = {"Authorization": f"Bearer {API_KEY}"}
    _seed(auth)
    response = case.call(headers=auth)
    assert response.status_code < 500, (case.method, case.formatted_path, case.query, case.body, response.text[:300])


def as_json(value: object) -> dict[str, object]:
    """A request's JSON body as a hostile client writes it: NaN and Infinity as Python's json spells
    them, lone surrogates escaped."""
    return {"content": json.dumps(value, allow_nan=True), "headers": {"Content-Type": "application/json"}}


@BODIES
@given(body=bodies(), patch=bodies(), event=st.fixed_dictionaries({"type": st.sampled_from(
    ["note", "paused", "converted", "reactivated", "nonsense"])}, optional={"note": junk}))
def test_intake_bodies_never_get_a_5xx_on_create_patch_or_events(db_url, body, patch, event):
    with local_client(app) as client:
        created = client.post("/api/leads", **as_json(body))
        assert created.status_code in (200, 201, 422), created.text
        lead_id = created.json()["id"] if created.status_code < 300 else 1
        assert client.patch(f"/api/leads/{lead_id}", **as_json(patch)).status_code in (200, 404, 422)
        assert client.post(f"/api/leads/{lead_id}/events", **as_json(event)).status_code in (201, 404, 422)


form_values = st.one_of(st.text(max_size=50), st.sampled_from(["\x00", "STOP", "delivered", "30006", "+13055550142",
                                                                "9" * 2000, "SM" + "a" * 32]))
twilio_forms = st.dictionaries(st.sampled_from(["MessageSid", "MessageStatus", "ErrorCode", "From", "Body", "To",
                                               "OptOutType", "NumMedia", "MediaUrl0", "MediaContentType0"]),
                               form_values)
parse_forms = st.dictionaries(st.sampled_from(["from", "to", "cc", "subject", "text", "html", "headers", "envelope",
                                               "charsets", "attachment-info", "email", "attachments"]),
                              st.one_of(form_values, junk.map(json.dumps)))
sendgrid_events = st.lists(st.one_of(junk, st.fixed_dictionaries({}, optional={
    k: junk for k in ("event", "message_id", "sg_message_id", "email", "reason", "status", "type", "timestamp")})),
    max_size=5)


@BODIES
@given(form=twilio_forms, message_id=st.one_of(st.none(), st.text(max_size=30), st.integers().map(str)),
       events=sendgrid_events)
def test_webhook_bodies_never_get_a_5xx(db_url, webhook_keys, form, message_id, events):
    _seed()
    with local_client(app) as client:
        path = "/webhooks/twilio/status" + ("" if message_id is None else "?" + urlencode({"message_id": message_id}))
        # Signed as the providers sign, so every body gets past verification to the handlers.
        assert client.post(path, data=form, headers=twilio_headers(path, form)).status_code == 200
        inbound = "/webhooks/twilio/inbound"
        assert client.post(inbound, data=form, headers=twilio_headers(inbound, form)).status_code == 200
        body = as_json(events)["content"]
        r = client.post("/webhooks/sendgrid/events", content=body, headers=sendgrid_headers(body))
        assert r.status_code in (200, 400), r.text


@BODIES
@given(form=parse_forms)
def test_inbound_parse_posts_never_get_a_5xx(db_url, form):
    from nurture.content.tokens import inbound_parse_key

    _seed()
    with local_client(app) as client:
        r = client.post(f"/webhooks/sendgrid/inbound?key={inbound_parse_key('test-secret')}", data=form,
                        files={"attachment1": ("a.txt", b"x", "text/plain")})
        assert r.status_code < 500, r.text
