"""POST/GET/PATCH /api/leads on SQLite and PostgreSQL: create, dedupe, refuse, authenticate."""

import copy

import pytest
from fastapi.testclient import TestClient

from nurture.config import get_settings
from nurture.web import create_app
from nurture.web.leads import EXAMPLE
from web_helpers import local_client

AUTH = {"Authorization": "Bearer k3y"}


@pytest.fixture
def client(db_url, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c


def test_the_readme_sample_creates_a_lead_with_normalised_fields(client):
    r = client.post("/api/leads", json=EXAMPLE, headers=AUTH)
    assert r.status_code == 201, r.text
    lead = r.json()
    assert lead["id"] > 0
    assert lead["phone"] == "+13055550142"
    assert lead["email"] == "maria@example.com"
    assert lead["mortgage_balance"] == "425000.00"
    assert lead["equity_gap"] == "50000.00"
    assert lead["timezone"] == "America/New_York"
    assert lead["foreclosure"] == {"stage": "sale_scheduled", "sale_date": "2026-12-10", "sale_date_estimated": False,
                                  "sale_date_reason": None}
    assert lead["status"] == "active"
    (consent,) = lead["consents"]
    assert consent["action"] == "grant"
    assert consent["text"] == "I agree to receive texts from ..."
    assert consent["ip"] == "203.0.113.7"
    assert client.get(f"/api/leads/{lead['id']}", headers=AUTH).json()["phone"] == "+13055550142"


def test_a_second_intake_with_the_same_phone_finds_the_lead_and_holds_its_changes(client):
    first = client.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    again = copy.deepcopy(EXAMPLE)
    again.pop("email")
    again["phone"] = "305.555.0142"
    again["foreclosure"] = {"sale_date": "2027-01-15"}
    r = client.post("/api/leads", json=again, headers=AUTH)
    assert r.status_code == 201  # as to a new lead: the answer does not say whether it matched
    assert r.json()["id"] == first["id"] and r.json()["email"] is None  # what was sent, not what is stored
    stored = client.get(f"/api/leads/{first['id']}", headers=AUTH).json()
    assert stored["foreclosure"]["sale_date"] == "2026-12-10"  # held for ops (issue 22), not applied
    assert stored["email"] == "maria@example.com"  # not mentioned, so kept
    assert len(stored["consents"]) == 1  # the same consent is not recorded twice


def test_the_same_email_finds_the_same_lead(client):
    first = client.post("/api/leads", json={"first_name": "Ann", "email": "ann@example.com"}, headers=AUTH)
    second = client.post("/api/leads", json={"first_name": "Ann", "email": "ANN@example.com",
                                             "phone": "3055550199"}, headers=AUTH)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] == first.json()["id"]
    # A phone the lead never had, from an intake found by email: held for ops, not taken on its word.
    assert client.get(f"/api/leads/{first.json()['id']}", headers=AUTH).json()["phone"] is None


def test_phone_and_email_of_two_different_leads_are_held_for_the_phones_lead(client):
    # Issue 22: a 422 naming both leads told a stranger that both exist; the intake is held instead.
    a = client.post("/api/leads", json={"first_name": "A", "phone": "3055550101"}, headers=AUTH).json()
    b = client.post("/api/leads", json={"first_name": "B", "email": "b@example.com"}, headers=AUTH).json()
    r = client.post("/api/leads", json={"first_name": "C", "phone": "3055550101", "email": "b@example.com"},
                    headers=AUTH)
    assert r.status_code == 201 and r.json()["id"] == a["id"]
    assert client.get(f"/api/leads/{a['id']}", headers=AUTH).json()["email"] is None
    assert client.get(f"/api/leads/{b['id']}", headers=AUTH).json()["first_name"] == "B"


def test_bad_fields_get_a_422_with_one_entry_each_and_nothing_is_saved(client):
    body = copy.deepcopy(EXAMPLE)
    body["phone"] = "555"
    body["property"]["zip"] = "ABCDE"
    body["nickname"] = "Mari"
    r = client.post("/api/leads", json=body, headers=AUTH)
    assert r.status_code == 422
    fields = sorted(e["field"] for e in r.json()["detail"])
    assert fields == ["nickname", "phone", "property.zip"]
    assert client.get("/api/leads/1", headers=AUTH).status_code == 404


def test_a_body_that_is_not_an_object_is_a_422(client):
    r = client.post("/api/leads", content=b"[1,2]", headers=AUTH | {"Content-Type": "application/json"})
    assert r.status_code == 422


def test_the_api_wants_the_bearer_key(client):
    assert client.post("/api/leads", json=EXAMPLE).status_code == 401
    assert client.post("/api/leads", json=EXAMPLE, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_patch_changes_facts_and_status(client):
    lead = client.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    r = client.patch(f"/api/leads/{lead['id']}", json={"foreclosure": {"sale_date": "2027-02-01"}}, headers=AUTH)
    assert r.status_code == 200
    assert r.json()["foreclosure"]["sale_date"] == "2027-02-01"
    r = client.patch(f"/api/leads/{lead['id']}", json={"status": "converted"}, headers=AUTH)
    assert r.json()["status"] == "converted"
    r = client.patch(f"/api/leads/{lead['id']}", json={"status": "won"}, headers=AUTH)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "status"


def test_lead_events_change_status(client):
    lead = client.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    r = client.post(f"/api/leads/{lead['id']}/events", json={"type": "converted", "note": "signed"}, headers=AUTH)
    assert r.status_code == 201
    assert r.json()["status"] == "converted"
    assert r.json()["status_reason"] == "converted (api event): signed"


def test_healthz_answers_without_a_key(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "channels": {
        "sms": {"state": "ok", "via": "outbox"}, "email": {"state": "ok", "via": "outbox"}}}


def test_without_a_configured_key_only_this_machine_on_a_loopback_server_gets_in(sqlite_url):
    with TestClient(create_app(), client=("203.0.113.9", 5000)) as remote:
        assert remote.post("/api/leads", json=EXAMPLE).status_code == 403
    with local_client() as local:
        assert local.post("/api/leads", json=EXAMPLE).status_code == 201
