"""Provider webhooks and unsubscribe: what they change, what they log, and what they refuse."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, events, lead, message, messages_of, queue_message, requeue
from nurture.clock import clock
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Consent, DeliveryEvent, Suppression
from nurture.content.tokens import unsubscribe_token
from nurture.web import create_app
from web_helpers import sendgrid_headers, sendgrid_post, twilio_headers, twilio_post

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def sent_sms(sqlite_url, providers):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    mid = queue_message(lead_id, NOW)
    assert Dispatcher().send(mid).state == "sent"
    return lead_id, mid, message(mid).provider_id


@pytest.fixture
def client(sqlite_url):
    with TestClient(create_app()) as c:
        yield c


def test_twilio_delivered_callback_marks_the_message_delivered(sent_sms, client):
    lead_id, mid, sid = sent_sms
    r = twilio_post(client, "/webhooks/twilio/status", {"MessageSid": sid, "MessageStatus": "delivered"})
    assert r.status_code == 200
    assert message(mid).state == "delivered"
    assert events(mid)[-1].cause == "Twilio says delivered"


def test_twilio_undelivered_to_a_landline_suppresses_the_number(sent_sms, client):
    lead_id, mid, sid = sent_sms
    r = twilio_post(client, "/webhooks/twilio/status",
                    {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30006"})
    assert r.status_code == 200
    row = message(mid)
    assert (row.state, row.error_code) == ("undelivered", "30006")
    with session_scope() as s:
        assert s.exec(select(Suppression.reason).where(Suppression.address == "+13055550142")).all() == ["bounce"]


def test_a_callback_with_a_bad_signature_is_refused(sent_sms, client):
    _, mid, sid = sent_sms
    r = client.post("/webhooks/twilio/status", data={"MessageSid": sid, "MessageStatus": "delivered"},
                    headers={"X-Twilio-Signature": "forged"})
    assert r.status_code == 403
    assert message(mid).state == "sent"


def test_a_callback_for_an_unknown_message_is_answered_200_and_logged(sent_sms, client):
    r = twilio_post(client, "/webhooks/twilio/status", {"MessageSid": "SMnope", "MessageStatus": "delivered"})
    assert r.status_code == 200
    with session_scope() as s:
        causes = s.exec(select(DeliveryEvent.cause).where(DeliveryEvent.kind == "provider")).all()
    assert "Twilio status delivered for unknown message SMnope" in causes


def test_stop_suppresses_revokes_consent_and_cancels_future_texts(sent_sms, client):
    lead_id, _, _ = sent_sms
    later = queue_message(lead_id, NOW, step="later", state="planned", due_at=NOW + timedelta(days=1))
    r = twilio_post(client, "/webhooks/twilio/inbound", {"From": "+13055550142", "Body": "stop", "MessageSid": "SMin1"})
    assert r.status_code == 200 and "<Response>" in r.text
    assert message(later).state == "cancelled"
    with session_scope() as s:
        assert s.exec(select(Suppression.reason).where(Suppression.channel == "sms")).all() == ["stop"]
        ledger = s.exec(select(Consent.action).where(Consent.lead_id == lead_id).order_by(Consent.id)).all()
    assert ledger == ["grant", "revoke"]
    # and the final gate agrees, should anything still be queued
    again = queue_message(lead_id, NOW, step="after-stop")
    assert Dispatcher().send(again).state == "skipped"


def test_start_after_stop_lets_texts_go_out_again(sent_sms, client):
    lead_id, _, _ = sent_sms
    twilio_post(client, "/webhooks/twilio/inbound", {"From": "+13055550142", "Body": "STOP"})
    twilio_post(client, "/webhooks/twilio/inbound", {"From": "+13055550142", "Body": "START"})
    with session_scope() as s:
        assert s.exec(select(Suppression)).all() == []
        ledger = s.exec(select(Consent.action).where(Consent.lead_id == lead_id).order_by(Consent.id)).all()
    assert ledger == ["grant", "revoke", "grant"]


def test_a_reply_hands_the_lead_to_a_human_and_stops_the_sequence(sent_sms, client):
    lead_id, _, _ = sent_sms
    later = queue_message(lead_id, NOW, step="later", state="planned", due_at=NOW + timedelta(days=1))
    twilio_post(client, "/webhooks/twilio/inbound", {"From": "+13055550142", "Body": "Can you call me tomorrow?"})
    found = lead(lead_id)
    assert found.status == "needs_human"
    assert found.status_reason == "replied by SMS: Can you call me tomorrow?"
    assert message(later).state == "cancelled"


def test_sendgrid_events_deliver_bounce_and_unsubscribe(sqlite_url, providers, client):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    first = queue_message(lead_id, NOW, channel="email", template="email/deficiency", step="e1")
    second = queue_message(lead_id, NOW, channel="email", template="email/credit_impact", step="e2")
    dispatcher = Dispatcher()
    assert dispatcher.send(first).state == "sent"
    assert dispatcher.send(second).state == "planned"  # two emails are kept an hour apart
    clock.advance(timedelta(hours=1))
    requeue(second)
    assert dispatcher.send(second).state == "sent"
    sg_id = message(first).provider_id
    payload = [
        {"event": "delivered", "email": "maria@example.com", "sg_message_id": f"{sg_id}.filter0001", "timestamp": 1},
        {"event": "bounce", "type": "bounce", "email": "maria@example.com", "message_id": str(second),
         "reason": "550 5.1.1 user unknown", "status": "5.1.1", "timestamp": 2},
        {"event": "open", "email": "maria@example.com", "message_id": "999999"},
    ]
    r = sendgrid_post(client, payload)
    assert r.status_code == 200
    assert message(first).state == "delivered"
    row = message(second)
    assert row.state == "undelivered" and "user unknown" in row.error_reason
    with session_scope() as s:
        assert s.exec(select(Suppression.reason).where(Suppression.channel == "email")).all() == ["bounce"]


def test_sendgrid_body_that_is_not_a_list_is_a_400(sqlite_url, webhook_keys, client):
    assert sendgrid_post(client, None, raw=b'{"event": "x"}').status_code == 400
    assert sendgrid_post(client, None, raw=b"nope").status_code == 400


def test_signed_sendgrid_events_are_verified(sqlite_url, webhook_keys, client):
    body = '[{"event":"processed","email":"a@example.com"}]'
    assert sendgrid_post(client, None, raw=body).status_code == 200
    headers = sendgrid_headers(body)
    headers["X-Twilio-Email-Event-Webhook-Timestamp"] = str(int(headers["X-Twilio-Email-Event-Webhook-Timestamp"]) + 1)
    assert client.post("/webhooks/sendgrid/events", content=body, headers=headers).status_code == 403


def test_one_click_unsubscribe_stops_email_but_the_page_alone_does_not(sqlite_url, client):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    token = unsubscribe_token(lead_id, "email", "test-secret")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "<form method=\"post\">" in page.text
    with session_scope() as s:
        assert s.exec(select(Suppression)).all() == []
    r = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and "You are unsubscribed" in r.text
    with session_scope() as s:
        (sup,) = s.exec(select(Suppression)).all()
    assert (sup.channel, sup.address, sup.reason) == ("email", "maria@example.com", "unsubscribe")
    assert not [m for m in messages_of(lead_id, "planned") if m.channel == "email"]
    assert [m for m in messages_of(lead_id, "planned") if m.channel == "sms"]  # texts go on


def test_a_tampered_unsubscribe_link_is_no_link(sqlite_url, client):
    # A link nurture did not make is no such link (404), and the page says what the person can do.
    for method in ("GET", "POST"):
        r = client.request(method, "/unsubscribe/1.email.AAAAAAAAAAAAAAAAAAAAAA")
        assert r.status_code == 404 and "not valid" in r.text and "Reply to the email" in r.text


def test_a_callback_that_beats_the_worker_still_finds_its_message(sqlite_url, providers, client):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    mid = queue_message(lead_id, NOW, state="sending")  # the worker has not stored Twilio's sid yet
    path = f"/webhooks/twilio/status?message_id={mid}"
    form = {"MessageSid": "SMearly", "MessageStatus": "delivered"}
    r = client.post(path, data=form, headers=twilio_headers(path, form))
    assert r.status_code == 200
    row = message(mid)
    assert (row.state, row.provider_id) == ("delivered", "SMearly")
