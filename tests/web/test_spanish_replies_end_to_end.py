"""Issue 25's reproductions end to end, through the signed Twilio webhook and the real SDKs: a lead
who texts "¿En español?" gets its next message in Spanish; ALTO is confirmed in Spanish and AYUDA
answered in Spanish, whatever language the lead reads."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, lead, message, queue_message, requeue
from nurture.clock import clock
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Message
from nurture.web import create_app
from web_helpers import twilio_post

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Miami
PHONE = "+13055550142"


@pytest.fixture
def sent_sms(sqlite_url, providers):
    """An English reader who got one text."""
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    assert Dispatcher().send(queue_message(lead_id, NOW)).state == "sent"
    return lead_id, providers


def sent_after_the_first(sim) -> list:
    """What the simulator received after the fixture's first text."""
    return sim.received[1:]


@pytest.fixture
def client(sqlite_url):
    with TestClient(create_app()) as c:
        yield c


def system_answers(lead_id: int) -> list[Message]:
    with session_scope() as s:
        return list(s.exec(select(Message).where(Message.lead_id == lead_id, Message.sequence == "system")
                           .order_by(Message.id)))


def test_en_espanol_switches_the_lead_and_its_next_text_is_spanish(sent_sms, client):
    lead_id, sim = sent_sms
    r = twilio_post(client, "/webhooks/twilio/inbound", {"From": PHONE, "Body": "¿En español?", "MessageSid": "SMes1"})
    assert r.status_code == 200
    found = lead(lead_id)
    assert found.language == "es" and found.status == "active"  # no person needed, nothing paused
    assert "¿En español?" in (found.language_reason or "")
    clock.advance(timedelta(hours=4))
    mid = queue_message(lead_id, clock.now(), step="next")
    assert Dispatcher().send(mid).state == "sent"
    (got,) = sent_after_the_first(sim)
    assert "venta corta" in got.body.lower()
    assert "No somos parte del gobierno ni de su prestamista" in got.body
    assert message(mid).language == "es"


def test_alto_is_confirmed_in_spanish_to_an_english_reader(sent_sms, client):
    lead_id, sim = sent_sms
    twilio_post(client, "/webhooks/twilio/inbound", {"From": PHONE, "Body": "ALTO", "MessageSid": "SMes2"})
    (answer,) = system_answers(lead_id)
    assert answer.template == "sms/_stop" and answer.language == "es"
    requeue(answer.id)  # as the scheduler hands it to a worker
    assert Dispatcher().send(answer.id).state == "sent"
    (got,) = sent_after_the_first(sim)
    assert got.to == PHONE and got.body == "Short Sale Help: Usted se dio de baja y ya no le enviaremos mensajes de texto."
    assert message(answer.id).language == "es"
    # nothing else goes out by text after it
    later = queue_message(lead_id, NOW, step="after-alto")
    assert Dispatcher().send(later).state == "skipped"


def test_ayuda_is_answered_in_spanish_and_help_in_the_leads_language(sent_sms, client):
    lead_id, sim = sent_sms
    twilio_post(client, "/webhooks/twilio/inbound", {"From": PHONE, "Body": "AYUDA", "MessageSid": "SMes3"})
    twilio_post(client, "/webhooks/twilio/inbound", {"From": PHONE, "Body": "HELP", "MessageSid": "SMes4"})
    ayuda, help_ = system_answers(lead_id)
    assert (ayuda.template, ayuda.language) == ("sms/_help", "es")
    assert (help_.template, help_.language) == ("sms/_help", None)
    for m in (ayuda, help_):
        requeue(m.id)
        assert Dispatcher().send(m.id).state == "sent"
    spanish, english = (r.body for r in sent_after_the_first(sim))
    assert "Responda ALTO (STOP) para cancelar" in spanish and "Reply STOP" not in spanish
    assert "Reply STOP to opt out" in english
