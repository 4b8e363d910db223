"""The public pages a lead reaches from a message, in the lead's language (issue 25): the
unsubscribe page and its answer, and Regulation O's full notice that every Spanish text links to."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from delivery_helpers import add_lead
from nurture.clock import clock
from nurture.content.tokens import unsubscribe_token
from nurture.db import session_scope
from nurture.models import Suppression
from nurture.web import create_app

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def client(sqlite_url):
    with TestClient(create_app()) as c:
        yield c


def test_a_spanish_readers_unsubscribe_page_and_answer_are_in_spanish(client):
    clock.freeze(NOW)
    lead_id = add_lead(NOW, language="es")
    token = unsubscribe_token(lead_id, "email", "test-secret")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and '<html lang="es"' in page.text
    assert "¿Dejar de recibir correos electrónicos de Short Sale Help sobre su casa?" in page.text
    assert "Cancelar la suscripción</button>" in page.text
    done = client.post(f"/unsubscribe/{token}")
    assert done.status_code == 200 and "Su suscripción fue cancelada" in done.text
    assert "No recibirá más correos electrónicos de Short Sale Help." in done.text
    with session_scope() as session:
        sup = session.exec(select(Suppression).where(Suppression.address == "maria@example.com")).one()
    assert sup.reason == "unsubscribe"


def test_an_english_readers_unsubscribe_page_stays_english(client):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    page = client.get(f"/unsubscribe/{unsubscribe_token(lead_id, 'email', 'test-secret')}")
    assert '<html lang="en"' in page.text and "Stop receiving emails from Short Sale Help" in page.text


def test_the_full_notice_in_spanish_with_the_spanish_fee_words(client, monkeypatch):
    monkeypatch.setenv("NURTURE_MARS_FEE_ES", "el 3 % del precio de venta")
    from nurture.config import get_settings

    get_settings.cache_clear()
    page = client.get("/notice", params={"lang": "es"})
    assert page.status_code == 200 and '<html lang="es"' in page.text
    assert "<h1>AVISO IMPORTANTE</h1>" in page.text
    assert "tendrá que pagarnos el 3 % del precio de venta por nuestros servicios" in page.text
    assert "Si deja de pagar su hipoteca, podría perder su casa" in page.text
    assert "IMPORTANT NOTICE" not in page.text


def test_the_full_notice_is_english_by_default_and_refuses_a_language_it_does_not_have(client):
    page = client.get("/notice")
    assert '<html lang="en"' in page.text and "<h1>IMPORTANT NOTICE</h1>" in page.text
    bad = client.get("/notice", params={"lang": "fr"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "query.lang"
