"""Events once (issue 22 item 6): a SendGrid batch posted again, or a Twilio status callback seen
twice, is stored and acted on once, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, events, message, queue_message
from nurture.clock import clock
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import DeliveryEvent, Suppression
from web_helpers import local_client, sendgrid_headers, twilio_post

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def client(db_url, providers):
    clock.freeze(NOW)
    with local_client() as c:
        yield c


def sent(channel: str) -> int:
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    template = "email/deficiency" if channel == "email" else None
    mid = queue_message(lead_id, NOW, channel=channel, template=template)
    assert Dispatcher().send(mid).state == "sent"
    return mid


def sg_event_ids() -> Counter[str]:
    with session_scope() as s:
        rows = s.exec(select(DeliveryEvent)).all()
    return Counter(e.data["sg_event_id"] for e in rows if (e.data or {}).get("sg_event_id"))


def test_the_same_signed_sendgrid_batch_twice_stores_each_event_once(client):
    mid = sent("email")
    sg_id = message(mid).provider_id
    batch = [{"event": "delivered", "email": "maria@example.com", "sg_message_id": f"{sg_id}.filter0001",
              "sg_event_id": "ZGVsaXZlcmVk-1", "timestamp": 1},
             {"event": "open", "email": "maria@example.com", "message_id": str(mid), "sg_event_id": "b3Blbg-2"},
             {"event": "open", "email": "maria@example.com", "message_id": str(mid), "sg_event_id": "b3Blbg-2"},
             {"event": "bounce", "type": "bounce", "email": "nobody@example.com", "reason": "550 user unknown",
              "sg_event_id": "Ym91bmNl-3"}]
    body = json.dumps(batch)
    headers = sendgrid_headers(body)  # one signature, one timestamp: the very request again, as SendGrid retries
    assert client.post("/webhooks/sendgrid/events", content=body, headers=headers).status_code == 200
    first = [(e.id, e.cause) for e in events(mid)]
    assert client.post("/webhooks/sendgrid/events", content=body, headers=headers).status_code == 200
    assert sg_event_ids() == {"ZGVsaXZlcmVk-1": 1, "b3Blbg-2": 1, "Ym91bmNl-3": 1}
    assert [(e.id, e.cause) for e in events(mid)] == first
    assert message(mid).state == "delivered"
    with session_scope() as s:
        assert s.exec(select(Suppression.address)).all() == []  # an address with no lead and a bounce: not ours


def test_a_twilio_status_callback_seen_twice_is_stored_once(client):
    mid = sent("sms")
    sid = message(mid).provider_id
    form = {"MessageSid": sid, "MessageStatus": "delivered"}
    assert twilio_post(client, "/webhooks/twilio/status", form).status_code == 200
    first = [(e.id, e.cause) for e in events(mid)]
    assert twilio_post(client, "/webhooks/twilio/status", form).status_code == 200
    assert [(e.id, e.cause) for e in events(mid)] == first
    assert sum(e.provider_status == "delivered" and e.to_state is None for e in events(mid)) == 1
    # Another status of the same message is another event.
    failed = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert twilio_post(client, "/webhooks/twilio/status", failed).status_code == 200
    assert len(events(mid)) == len(first) + 2  # the callback and the change it made
    assert message(mid).state == "undelivered"


def test_a_twilio_callback_for_an_unknown_message_seen_twice_is_logged_once(client):
    form = {"MessageSid": "SMnope", "MessageStatus": "delivered"}
    for _ in range(2):
        assert twilio_post(client, "/webhooks/twilio/status", form).status_code == 200
    with session_scope() as s:
        causes = s.exec(select(DeliveryEvent.cause).where(DeliveryEvent.kind == "provider")).all()
    assert causes.count("Twilio status delivered for unknown message SMnope") == 1


@pytest.mark.postgres
def test_one_twilio_callback_delivered_twice_at_once_is_stored_once(pg_url):
    # An unknown message: nothing but the unique index can tell the second delivery from the first.
    import threading

    from nurture.web.webhooks import record_twilio_status

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            with session_scope() as s:
                barrier.wait(timeout=10)
                record_twilio_status(s, message_ref="", sid="SMtwice", status="delivered", code=None, at=NOW)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with session_scope() as s:
        causes = s.exec(select(DeliveryEvent.cause).where(DeliveryEvent.kind == "provider")).all()
    assert causes == ["Twilio status delivered for unknown message SMtwice"]
