"""Ops set the language a lead reads on its page (issue 25): the next message follows, the page
says why the lead reads what it reads, and the change is logged with who made it."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from delivery_helpers import add_lead
from nurture.clock import clock
from nurture.db import session_scope
from nurture.models import DeliveryEvent, Lead
from nurture.web import create_app
from web_helpers import LOOPBACK

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def client(db_url):
    clock.freeze(NOW)
    with TestClient(create_app(), follow_redirects=False, **LOOPBACK) as c:
        yield c


def test_ops_switch_a_lead_to_spanish_and_the_page_and_log_say_who(client):
    lead_id = add_lead(NOW)
    page = client.get(f"/ops/leads/{lead_id}").text
    assert '<option value="en" selected>English</option>' in page and '<option value="es">Español</option>' in page
    r = client.post(f"/ops/leads/{lead_id}/language", data={"language": "es"})
    assert r.status_code == 303 and "Language+set+to+Espa%C3%B1ol" in r.headers["location"]
    with session_scope() as s:
        lead = s.get(Lead, lead_id)
        assert lead.language == "es" and lead.language_reason == "set by web via ops on 2026-12-01"
        causes = [e.cause for e in s.exec(select(DeliveryEvent).where(DeliveryEvent.lead_id == lead_id,
                                                                      DeliveryEvent.kind == "lead")).all()]
    assert any("language" in c for c in causes), causes
    page = client.get(f"/ops/leads/{lead_id}").text
    assert '<option value="es" selected>Español</option>' in page
    assert "(set by web via ops on 2026-12-01)" in page
    again = client.post(f"/ops/leads/{lead_id}/language", data={"language": "Spanish"})
    assert "already+reads" in again.headers["location"]


def test_a_language_nurture_does_not_write_in_or_another_sites_post_is_refused(client):
    lead_id = add_lead(NOW)
    bad = client.post(f"/ops/leads/{lead_id}/language", data={"language": "fr"})
    assert bad.status_code == 400 and "is not a language nurture writes in" in bad.text
    evil = client.post(f"/ops/leads/{lead_id}/language", data={"language": "es"},
                       headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert client.post("/ops/leads/999/language", data={"language": "es"}).status_code == 404
    with session_scope() as s:
        assert s.get(Lead, lead_id).language == "en"
