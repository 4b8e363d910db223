"""Issue 22's inputs that were answered 500, each answered 4xx (or 200 for a webhook, whose sender
must not retry), on SQLite and PostgreSQL; then every ops form field, token and webhook field driven
with arbitrary Unicode text: never a 5xx."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from nurture.config import get_settings
from nurture.content.tokens import inbound_parse_key
from nurture.db import secret_key, session_scope
from nurture.models import InboundMessage, Lead
from nurture.web import create_app
from nurture.web.ops_inbox import form_token
from web_helpers import local_client, twilio_post

LEAD = {"first_name": "Maria", "last_name": "Lopez", "phone": "(305) 555-0142", "email": "maria@example.com"}
SECRET = "test-secret"


def token_of(lead_id: int) -> str:
    with session_scope() as s:
        return form_token(s, lead_id)


def parse_fields(to: str) -> dict[str, str]:
    return {"to": to, "from": "Maria Lopez <maria@example.com>", "subject": "Re: hi", "text": "Call me",
            "headers": f"From: maria@example.com\nTo: {to}\nSubject: Re: hi\n"}


def test_an_inbound_parse_key_that_is_not_ascii_is_a_403(client):
    r = client.post("/webhooks/sendgrid/inbound?key=%C3%A9", data=parse_fields("replies@parse.example.com"))
    assert r.status_code == 403, r.text


def test_a_reply_address_with_a_superscript_digit_finds_nobody(client, lead_id, monkeypatch):
    monkeypatch.setenv("NURTURE_REPLY_TO", "replies@parse.example.com")
    get_settings.cache_clear()
    with session_scope() as s:
        key = inbound_parse_key(secret_key(s))
    r = client.post(f"/webhooks/sendgrid/inbound?key={key}",
                    data=parse_fields("replies+\u00b22.x@parse.example.com") | {"from": "someone@example.net"})
    assert r.status_code == 200, r.text
    with session_scope() as s:
        assert [m.lead_id for m in s.exec(select(InboundMessage))] == [None]


def test_an_ops_form_token_that_is_not_ascii_is_a_403(client, lead_id):
    r = client.post(f"/ops/leads/{lead_id}/handled", data={"token": "\u00e9"})
    assert r.status_code == 403, r.text


def test_a_sale_within_filter_of_a_superscript_two_is_a_400_page(client, lead_id):
    r = client.get("/ops/leads?sale_within=%C2%B2")
    assert r.status_code == 400, r.text
    assert "is not a number of days" in r.text


def test_a_hold_reason_written_on_two_lines_holds_the_lead(client, lead_id):
    r = client.post(f"/ops/leads/{lead_id}/hold", data={"token": token_of(lead_id),
                                                         "reason": "Attorney called.\nHold everything."},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    with session_scope() as s:
        lead = s.get(Lead, lead_id)
        assert lead.status == "legal_hold" and "Attorney called. Hold everything." in lead.status_reason


def test_a_hold_reason_with_a_nul_is_a_4xx_page_and_holds_nothing(client, lead_id):
    r = client.post(f"/ops/leads/{lead_id}/hold", data={"token": token_of(lead_id), "reason": "why\x00"},
                    follow_redirects=False)
    assert 400 <= r.status_code < 500, r.text
    with session_scope() as s:
        assert s.get(Lead, lead_id).status == "active"


def test_a_num_media_of_a_superscript_two_is_answered_200(client, lead_id):
    r = twilio_post(client, "/webhooks/twilio/inbound", {"From": "+13055550142", "Body": "hi", "NumMedia": "\u00b2"})
    assert r.status_code == 200, r.text


# Any Unicode text, with the characters that broke things before drawn often.
texts = st.one_of(st.text(max_size=40), st.sampled_from(["\u00b2", "\u00e9", "\x00", "a\nb", "\r", "\u0661\u0662",
                                                         "1e3", "-1", "99999999999999999999", " ", ""]))
_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]
ANY_TEXT = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=_QUIET)
app = create_app()

OPS_FORMS = {"reply": ("text", "channel", "subject", "when_allowed", "token"), "resume": ("token", "note"),
             "handled": ("token", "note"), "hold": ("token", "reason"), "converted": ("token", "note"),
             "status": ("status", "reason")}
OPS_QUERIES = {"/ops/leads": ("q", "status", "tier", "state", "sale_within", "needs_person", "page"),
               "/ops/inbox": ("all",), "/ops/inbox/1": ("done",), "/ops/leads/1": ("done",),
               "/ops": ("since", "lead", "state"), "/ops/log": ("q", "range", "kind", "lead")}


def _fill(data, names: tuple[str, ...], valid_token: bool) -> dict[str, str]:
    form = {name: data.draw(texts, label=name) for name in names if data.draw(st.booleans(), label=f"has {name}")}
    if valid_token and "token" in names:
        form["token"] = token_of(1)
    return form


@ANY_TEXT
@given(data=st.data(), action=st.sampled_from(sorted(OPS_FORMS)), valid_token=st.booleans())
def test_ops_forms_never_get_a_5xx(db_url, frozen_now, data, action, valid_token):
    with local_client(app) as client:
        if client.get("/api/leads/1").status_code == 404:
            assert client.post("/api/leads", json=LEAD).status_code == 201
        form = _fill(data, OPS_FORMS[action], valid_token)
        r = client.post(f"/ops/leads/1/{action}", data=form, follow_redirects=False)
        assert r.status_code < 500, (action, form, r.text[:300])


@ANY_TEXT
@given(data=st.data(), path=st.sampled_from(sorted(OPS_QUERIES)))
def test_ops_queries_never_get_a_5xx(db_url, frozen_now, data, path):
    with local_client(app) as client:
        query = "&".join(f"{name}={quote(data.draw(texts, label=name))}" for name in OPS_QUERIES[path]
                         if data.draw(st.booleans(), label=f"has {name}"))
        r = client.get(f"{path}?{query}")
        assert r.status_code < 500, (path, query, r.text[:300])


@ANY_TEXT
@given(key=texts, token=texts, to=texts, num_media=texts)
def test_webhook_keys_tokens_and_fields_never_get_a_5xx(db_url, frozen_now, webhook_keys, key, token, to,
                                                         num_media):
    with local_client(app) as client:
        r = client.post(f"/webhooks/sendgrid/inbound?key={quote(key)}", data=parse_fields(to))
        assert r.status_code == 403, r.text[:300]
        r = client.post(f"/webhooks/sendgrid/inbound?key={inbound_parse_key(SECRET)}",
                        data=parse_fields(f"replies+{to}@parse.example.com"))
        assert r.status_code < 500, r.text[:300]
        for path in (f"/unsubscribe/{quote(token, safe='')}", f"/r/{quote(token, safe='')}"):
            assert client.get(path).status_code < 500
        assert client.post(f"/unsubscribe/{quote(token, safe='')}").status_code < 500
        r = twilio_post(client, "/webhooks/twilio/inbound", {"From": "+13055550142", "Body": "hi",
                                                             "NumMedia": num_media})
        assert r.status_code == 200, r.text[:300]
