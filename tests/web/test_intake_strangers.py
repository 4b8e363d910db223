"""Issue 22, intake from strangers: whoever knows a phone or an email can post an intake that
matches someone's lead. Such an intake changes nothing it could choose (every difference is held
for ops as a proposed change), never revokes consent, answers exactly as to a new lead apart from
the id, and a look-alike email is held instead of becoming a second lead."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.law import consent as ledger
from nurture.models import DeliveryEvent, Lead, ProposedChange
from nurture.web import create_app
from nurture.web.leads import EXAMPLE

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer k3y"}


@pytest.fixture
def api(db_url, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    clock.freeze(NOW)
    with TestClient(create_app()) as c:
        yield c


def stored(lead_id: int) -> Lead:
    with session_scope() as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None
        return lead


def proposals(lead_id: int) -> dict[str, tuple[str | None, str | None]]:
    with session_scope() as s:
        return {p.field: (p.current_value, p.proposed_value)
                for p in s.exec(select(ProposedChange).where(ProposedChange.lead_id == lead_id))}


def sms_consent_now(lead_id: int) -> str | None:
    with session_scope() as s:
        current = ledger.current(s, lead_id, "sms")
        return current.action if current else None


def without_ids(body: dict) -> dict:
    """An intake's answer less what differs between any two answers (ids, nothing else)."""
    body = copy.deepcopy(body)
    body.pop("id")
    for entry in body.get("consents", []):
        entry.pop("id")
    return body


def test_mallory_with_a_known_phone_and_no_email_overwrites_nothing(api):
    maria = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    r = api.post("/api/leads", json={"first_name": "Mallory", "phone": "(305) 555-0142",
                                     "foreclosure": {"stage": "none"}, "mortgage_balance": 1}, headers=AUTH)
    assert r.status_code == 201, r.text
    lead = stored(maria["id"])
    assert (lead.first_name, lead.foreclosure_stage, lead.mortgage_balance_cents) == ("Maria", "sale_scheduled",
                                                                                      42_500_000)
    held = proposals(maria["id"])
    assert held["first_name"] == ("Maria", "Mallory")
    assert held["foreclosure.stage"] == ("sale_scheduled", "none")
    assert held["mortgage_balance"] == ("425000.00", "1.00")


def test_a_stranger_cannot_revoke_marias_consent_nor_move_her_city_or_stage(api):
    maria = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    r = api.post("/api/leads", json={"first_name": "Eve", "phone": "3055550142", "email": "eve@evil.example",
                                     "property": {"city": "Tampa"}, "foreclosure": {"stage": "pre_foreclosure"},
                                     "sms_consent": {"granted": False}}, headers=AUTH)
    assert r.status_code == 201, r.text
    assert sms_consent_now(maria["id"]) == "grant"
    lead = stored(maria["id"])
    assert (lead.city, lead.foreclosure_stage, lead.email) == ("Miami", "sale_scheduled", "maria@example.com")
    held = proposals(maria["id"])
    assert held["sms_consent"] == ("grant", "revoke")
    assert held["property.city"] == ("Miami", "Tampa")
    with session_scope() as s:
        notes = [e.cause for e in s.exec(select(DeliveryEvent).where(DeliveryEvent.lead_id == maria["id"]))]
    assert any("sms_consent" in n and "held for ops" in n for n in notes), notes


def test_a_new_consent_grant_with_its_evidence_on_a_matched_lead_is_recorded(api):
    body = {k: v for k, v in EXAMPLE.items() if k != "sms_consent"}
    lead_id = api.post("/api/leads", json=body, headers=AUTH).json()["id"]
    assert sms_consent_now(lead_id) is None
    r = api.post("/api/leads", json={"first_name": "Maria", "phone": "3055550142",
                                     "sms_consent": EXAMPLE["sms_consent"]}, headers=AUTH)
    assert r.status_code == 201
    assert sms_consent_now(lead_id) == "grant"


def test_the_answer_to_a_matched_intake_is_the_answer_to_a_new_one_apart_from_ids(api):
    api.post("/api/leads", json=EXAMPLE, headers=AUTH)
    guess = {"first_name": "Wrong", "phone": "3055550142", "email": "someone@example.net",
             "sms_consent": EXAMPLE["sms_consent"]}
    matched = api.post("/api/leads", json=guess, headers=AUTH)
    fresh = api.post("/api/leads", json=guess | {"phone": "3055550199", "email": "nobody@example.net"},
                     headers=AUTH)
    assert (matched.status_code, fresh.status_code) == (201, 201)
    expected = without_ids(fresh.json())
    expected["phone"], expected["email"] = "+13055550142", "someone@example.net"
    assert without_ids(matched.json()) == expected
    assert "Maria" not in matched.text and "Miami" not in matched.text and "425000" not in matched.text


def test_guessing_a_name_one_answer_at_a_time_learns_nothing(api):
    api.post("/api/leads", json=EXAMPLE, headers=AUTH)
    answers = []
    for name in ("Wrong", "Maria"):
        r = api.post("/api/leads", json={"first_name": name, "phone": "3055550142", "email": "x@example.net"},
                     headers=AUTH)
        body = r.json()
        answers.append((r.status_code, sorted(body), {k: v for k, v in body.items() if k != "first_name"}))
        assert "held_for_review" not in body
    assert answers[0] == answers[1]


def test_a_look_alike_email_is_held_for_review_instead_of_a_second_lead(api):
    maria = api.post("/api/leads", json={"first_name": "Maria", "email": "maria@example.com"}, headers=AUTH).json()
    for email in ("m\u0430ria@example.com", "\uff4d\uff41\uff52\uff49\uff41@example.com", "maria@EXAMPLE.com"):
        r = api.post("/api/leads", json={"first_name": "Maria", "email": email}, headers=AUTH)
        assert r.status_code == 201, r.text
        assert r.json()["id"] == maria["id"]
    with session_scope() as s:
        assert [lead.email for lead in s.exec(select(Lead))] == ["maria@example.com"]
    assert proposals(maria["id"])["email"] == ("maria@example.com", "m\u0430ria@example.com")


def test_ops_see_the_proposed_changes_in_the_inbox_and_accept_or_reject_each(api):
    maria = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    api.post("/api/leads", json={"first_name": "Maria", "phone": "3055550142", "property": {"city": "Tampa"},
                                 "sms_consent": {"granted": False}}, headers=AUTH)
    listing = api.get("/ops/inbox", headers=AUTH)
    assert f'href="/ops/inbox/{maria["id"]}#proposed"' in listing.text and "2 proposed changes" in listing.text
    page = api.get(f"/ops/inbox/{maria['id']}", headers=AUTH).text
    assert "Tampa" in page and "revoke" in page
    with session_scope() as s:
        ids = {p.field: p.id for p in s.exec(select(ProposedChange).where(ProposedChange.lead_id == maria["id"]))}
    r = api.post(f"/ops/leads/{maria['id']}/proposed/{ids['property.city']}/accept", headers=AUTH,
                 follow_redirects=False)
    assert r.status_code == 303, r.text
    r = api.post(f"/ops/leads/{maria['id']}/proposed/{ids['sms_consent']}/reject", headers=AUTH,
                 follow_redirects=False)
    assert r.status_code == 303, r.text
    assert stored(maria["id"]).city == "Tampa" and sms_consent_now(maria["id"]) == "grant"
    assert proposals(maria["id"]) == {}
    again = api.post(f"/ops/leads/{maria['id']}/proposed/{ids['sms_consent']}/accept", headers=AUTH)
    assert again.status_code == 409 and "no proposed change" in again.text
    with session_scope() as s:
        causes = [e.cause for e in s.exec(select(DeliveryEvent).where(DeliveryEvent.lead_id == maria["id"]))]
    assert any("proposed change accepted (property.city: Miami -> Tampa)" in c for c in causes), causes
    assert any("proposed change rejected (sms_consent: grant -> revoke)" in c for c in causes), causes


def test_the_same_change_sent_again_waits_for_ops_once(api):
    maria = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    for _ in range(3):
        api.post("/api/leads", json={"first_name": "Mallory", "phone": "3055550142"}, headers=AUTH)
    api.post("/api/leads", json={"first_name": "Mal", "phone": "3055550142"}, headers=AUTH)
    with session_scope() as s:
        held = [(p.field, p.proposed_value)
                for p in s.exec(select(ProposedChange).where(ProposedChange.lead_id == maria["id"]))]
    assert held == [("first_name", "Mallory"), ("first_name", "Mal")]


def test_a_body_without_a_name_is_refused_alike_whether_the_phone_is_known_or_not(api):
    api.post("/api/leads", json=EXAMPLE, headers=AUTH)
    known = api.post("/api/leads", json={"phone": "3055550142"}, headers=AUTH)
    unknown = api.post("/api/leads", json={"phone": "3055550199"}, headers=AUTH)
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 422
