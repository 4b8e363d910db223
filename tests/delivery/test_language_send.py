"""A lead who reads Spanish gets its messages in Spanish through the real SDKs (issue 25), and
each sent message records the language it went out in."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, message, queue_message
from nurture.clock import clock
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Message

TUESDAY_10_MIAMI = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def leads(db_url, providers):
    clock.freeze(TUESDAY_10_MIAMI)
    spanish = add_lead(TUESDAY_10_MIAMI, language="es")
    english = add_lead(TUESDAY_10_MIAMI, first_name="Ann", email="ann@example.com", phone="(305) 555-0143")
    for lead_id in (spanish, english):
        cancel_plan(lead_id, TUESDAY_10_MIAMI)
    return spanish, english, providers


def test_a_spanish_readers_text_goes_out_in_spanish_with_the_spanish_notice(leads):
    spanish, _, sim = leads
    mid = queue_message(spanish, TUESDAY_10_MIAMI)
    assert Dispatcher().send(mid).state == "sent"
    (got,) = sim.received
    words = got.body.split(":", 1)[1].lower()  # after the sender's name ("Short Sale Help")
    assert "venta corta" in words and "short sale" not in words
    assert got.body.endswith("Responda ALTO (STOP) para cancelar.")  # the first text says how to stop, in Spanish
    assert "No somos parte del gobierno ni de su prestamista: https://nurture.example.com/notice?lang=es" in got.body
    assert message(mid).language == "es"


def test_a_spanish_readers_email_has_spanish_words_disclosures_and_html_language(leads):
    spanish, _, sim = leads
    mid = queue_message(spanish, TUESDAY_10_MIAMI, channel="email", template="email/negative_equity")
    assert Dispatcher().send(mid).state == "sent"
    (got,) = sim.received
    assert "AVISO IMPORTANTE" in got.body and "IMPORTANT NOTICE" not in got.body
    assert '<html lang="es"' in got.html
    assert "$50,000" in got.body  # the gap, in the lead's numbers, in any language
    assert message(mid).language == "es"


def test_an_english_readers_text_stays_english_and_says_so(leads):
    _, english, sim = leads
    mid = queue_message(english, TUESDAY_10_MIAMI)
    assert Dispatcher().send(mid).state == "sent"
    (got,) = sim.received
    assert "short sale" in got.body.lower() and "Not affiliated with gov't or your lender" in got.body
    assert message(mid).language == "en"


def test_a_message_planned_in_spanish_goes_out_in_spanish_to_an_english_reader(leads):
    _, english, sim = leads
    mid = queue_message(english, TUESDAY_10_MIAMI)
    with session_scope() as session:
        row = session.exec(select(Message).where(Message.id == mid)).one()
        row.language = "es"
        session.add(row)
    assert Dispatcher().send(mid).state == "sent"
    (got,) = sim.received
    assert "venta corta" in got.body.lower()
    assert message(mid).language == "es"
