"""Consent you can show a court: each door asks for its evidence, `granted: false` revokes, a grant
for a number that revoked by text is refused and kept as refused, `consent export` tells the whole
story; and an intake cannot take over someone else's lead."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from delivery_helpers import CONSENT, add_lead, cancel_plan, message, messages_of, queue_message
from nurture.cli import app
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.conversations.inbound import handle_inbound_sms
from nurture.models import Consent, Lead, ProposedChange
from nurture.web import create_app
from nurture.web.leads import EXAMPLE
from web_helpers import local_client

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer k3y"}
runner = CliRunner()


@pytest.fixture
def api(db_url, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    clock.freeze(NOW)
    with TestClient(create_app()) as c:
        yield c


def ledger(lead_id):
    with session_scope() as s:
        return list(s.exec(select(Consent).where(Consent.lead_id == lead_id).order_by(Consent.id)))


def stored(lead_id):
    with session_scope() as s:
        return s.get(Lead, lead_id)


def revoke_by_text(lead_id, phone="+13055550142"):
    with session_scope() as s:
        handle_inbound_sms(s, from_=phone, body="stop texting me please", now=clock.now(), provider_id="SMrev")


# -- the API ---------------------------------------------------------------------------------------


def test_an_api_grant_without_its_evidence_is_a_422_naming_each_missing_field(api):
    body = copy.deepcopy(EXAMPLE)
    body["sms_consent"] = {"granted": True}
    r = api.post("/api/leads", json=body, headers=AUTH)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["detail"]] == ["sms_consent.text", "sms_consent.source_url", "sms_consent.ip"]
    with session_scope() as s:
        assert s.exec(select(Lead)).all() == []


def test_the_consent_time_is_the_forms_when_given_else_the_time_of_receipt(api):
    body = copy.deepcopy(EXAMPLE)
    body["sms_consent"]["at"] = "2026-12-01T09:58:12-05:00"
    lead = api.post("/api/leads", json=body, headers=AUTH).json()
    (grant,) = lead["consents"]
    assert grant["given_at"] == "2026-12-01T14:58:12+00:00"
    assert grant["recorded_at"] == NOW.isoformat() and grant["recorded_by"] == "api (key)"
    other = copy.deepcopy(EXAMPLE) | {"phone": "3055550100", "email": "x@example.com"}
    (grant,) = api.post("/api/leads", json=other, headers=AUTH).json()["consents"]
    assert grant["given_at"] == NOW.isoformat()


def test_patch_granted_false_revokes_and_the_next_queued_text_does_not_go(db_url, api, providers):
    lead_id = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()["id"]
    cancel_plan(lead_id, NOW)
    queued = queue_message(lead_id, NOW)
    r = api.patch(f"/api/leads/{lead_id}", json={"sms_consent": {"granted": False}}, headers=AUTH)
    assert r.status_code == 200
    assert [c["action"] for c in r.json()["consents"]] == ["grant", "revoke"]
    assert Dispatcher().send(queued).state == "skipped"
    assert providers.received == []


def test_a_grant_for_a_number_that_revoked_by_text_is_refused_and_kept_as_refused(api):
    lead_id = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()["id"]
    revoke_by_text(lead_id)
    again = copy.deepcopy(EXAMPLE)
    again["sms_consent"]["text"] = "I agree to receive texts (signed again)"
    r = api.post("/api/leads", json=again, headers=AUTH)
    # The answer is a new lead's (issue 22): whoever sent it learns nothing of the revocation.
    assert r.status_code == 201 and [c["action"] for c in r.json()["consents"]] == ["grant"]
    entries = ledger(lead_id)
    assert [c.action for c in entries] == ["grant", "revoke", "refused"]
    assert entries[-1].text == "I agree to receive texts (signed again)"
    assert "revoked consent by text" in entries[-1].note and f"entry #{entries[1].id}" in entries[-1].note
    r = api.patch(f"/api/leads/{lead_id}", json={"sms_consent": again["sms_consent"]}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert [c["action"] for c in r.json()["consents"]][-1] == "refused"
    assert not [m for m in messages_of(lead_id, "planned") if m.channel == "sms" and m.sequence != "system"]


# -- no takeover ---------------------------------------------------------------------------------------


def test_a_known_phone_with_a_new_email_changes_no_contact_field_and_echoes_nothing(api):
    victim = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    attack = {"first_name": "Eve", "last_name": "Mallory", "phone": "(305) 555-0142", "email": "eve@evil.example",
              "foreclosure": {"sale_date": "2027-02-01"}}
    r = api.post("/api/leads", json=attack, headers=AUTH)
    assert r.status_code == 201
    body = r.json()
    assert body["id"] == victim["id"] and (body["first_name"], body["email"]) == ("Eve", "eve@evil.example")
    assert body["property"]["street"] is None and body["foreclosure"]["stage"] == "sale_scheduled"
    assert "12 Palm Ave" not in r.text and "425000" not in r.text and "Maria" not in r.text
    lead = stored(victim["id"])
    assert (lead.first_name, lead.last_name, lead.email) == ("Maria", "Lopez", "maria@example.com")
    with session_scope() as s:
        held = {(p.field, p.current_value, p.proposed_value, p.method)
                for p in s.exec(select(ProposedChange).where(ProposedChange.lead_id == victim["id"]))}
    assert held == {("first_name", "Maria", "Eve", "api"), ("last_name", "Lopez", "Mallory", "api"),
                    ("email", "maria@example.com", "eve@evil.example", "api"),
                    ("foreclosure.sale_date", "2026-12-10", "2027-02-01", "api")}
    assert stored(victim["id"]).sale_date.isoformat() == "2026-12-10"


def test_a_known_email_with_a_new_phone_is_held_the_same_way(api):
    victim = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    r = api.post("/api/leads", json={"first_name": "Maria", "email": "maria@example.com", "phone": "3055550177"},
                 headers=AUTH)
    assert r.status_code == 201 and r.json()["id"] == victim["id"]
    assert stored(victim["id"]).phone == "+13055550142"
    with session_scope() as s:
        held = {(p.field, p.current_value, p.proposed_value)
                for p in s.exec(select(ProposedChange).where(ProposedChange.lead_id == victim["id"]))}
    assert held == {("phone", "+13055550142", "+13055550177")}


def test_merge_replace_changes_nothing_even_with_the_api_key(api):
    # Issue 22: a match changes nothing, whatever key the request carried; `merge` is still accepted.
    victim = api.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    r = api.post("/api/leads", json={"first_name": "Maria", "phone": "3055550142", "email": "maria.l@example.com",
                                     "merge": "replace"}, headers=AUTH)
    assert r.status_code == 201 and r.json()["id"] == victim["id"]
    assert stored(victim["id"]).email == "maria@example.com"
    assert api.post("/api/leads", json={"first_name": "M", "phone": "3055550142", "merge": "overwrite"},
                    headers=AUTH).status_code == 422


def test_merge_replace_without_a_key_is_accepted_and_replaces_nothing(sqlite_url):
    with local_client() as c:  # this machine, no key: let in; `replace` is honoured for nobody
        first = c.post("/api/leads", json={"first_name": "M", "phone": "3055550142"})
        r = c.post("/api/leads", json={"first_name": "N", "phone": "3055550142", "merge": "replace"})
    assert (first.status_code, r.status_code) == (201, 201)
    assert stored(first.json()["id"]).first_name == "M"


def test_the_cli_holds_the_takeover_too_and_says_so(sqlite_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    r = runner.invoke(app, ["leads", "add", "--first-name", "Eve", "--phone", "3055550142", "--email", "eve@x.example"])
    assert r.exit_code == 0, r.output
    assert "held for ops" in r.stderr
    assert stored(lead_id).email == "maria@example.com"
    shown = json.loads(runner.invoke(app, ["leads", "show", str(lead_id), "--json"]).stdout)
    assert {p["field"] for p in shown["proposed_changes"]} == {"first_name", "email"}
    text = runner.invoke(app, ["leads", "show", str(lead_id)], env={"COLUMNS": "200"}).stdout
    assert "proposed changes" in text and "eve@x.example" in text


# -- CSV and CLI -----------------------------------------------------------------------------------------

HEADER = "first_name,phone,sms_consent_granted,sms_consent_text,sms_consent_source_url,sms_consent_ip"


def import_csv(tmp_path, *rows):
    path = tmp_path / "leads.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["leads", "import", str(path), "--json"])
    return r, json.loads(r.stdout) if r.stdout.strip().startswith("{") else None


def test_a_csv_grant_needs_wording_and_page_and_records_who_imported_it(sqlite_url, tmp_path):
    clock.freeze(NOW)
    r, report = import_csv(tmp_path, "Maria,3055550142,yes,I agree to texts,,",
                           "Ann,3055550100,yes,I agree to texts,https://example.com/start,")
    assert report["created"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, "sms_consent_source_url")]
    (grant,) = ledger(1) or ledger(2)
    assert grant.method == "csv" and grant.recorded_by.startswith("csv:") and grant.recorded_by.endswith("(leads.csv)")


def test_csv_revocation_revokes_cancels_the_plan_and_a_queued_text_is_skipped(sqlite_url, providers, tmp_path):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    planned = [m for m in messages_of(lead_id, "planned") if m.channel == "sms"]
    assert planned
    queued = queue_message(lead_id, NOW, step="queued-story")
    r, report = import_csv(tmp_path, "Maria,3055550142,no,,,")
    assert r.exit_code == 0, r.output
    assert report["updated"] == 1
    assert [(c.action, c.method) for c in ledger(lead_id)] == [("grant", "test"), ("revoke", "csv")]
    assert all(message(m.id).state == "cancelled" for m in planned)
    assert Dispatcher().send(queued).state == "skipped"
    assert providers.received == []
    # the same file again: nothing left to revoke, nothing recorded
    import_csv(tmp_path, "Maria,3055550142,no,,,")
    assert len(ledger(lead_id)) == 2


def test_a_csv_reimport_after_stop_is_refused_and_reported(sqlite_url, tmp_path):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    revoke_by_text(lead_id)
    r, report = import_csv(tmp_path, "Maria,3055550142,yes,I agree to texts,https://example.com/start,")
    assert r.exit_code == 0
    (warning,) = report["warnings"]
    assert (warning["line"], warning["field"]) == (2, "sms_consent") and "revoked consent by text" in warning["message"]
    assert [c.action for c in ledger(lead_id)] == ["grant", "revoke", "refused"]


def test_leads_add_takes_ip_and_source_url_and_the_old_url_flag(sqlite_url):
    clock.freeze(NOW)
    r = runner.invoke(app, ["leads", "add", "--first-name", "Maria", "--phone", "3055550142",
                            "--sms-consent-text", "I agree", "--sms-consent-source-url", "https://example.com/a",
                            "--sms-consent-ip", "203.0.113.9", "--sms-consent-at", "2026-12-01T09:00:00-05:00"])
    assert r.exit_code == 0, r.output
    (grant,) = ledger(1)
    assert (grant.source_url, grant.ip, grant.method) == ("https://example.com/a", "203.0.113.9", "cli")
    assert grant.given_at == datetime(2026, 12, 1, 14, 0, tzinfo=UTC) and grant.recorded_by.startswith("cli:")
    r = runner.invoke(app, ["leads", "add", "--first-name", "Ann", "--phone", "3055550100",
                            "--sms-consent-text", "I agree", "--sms-consent-url", "https://example.com/b"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["leads", "add", "--first-name", "Bo", "--phone", "3055550111", "--sms-consent-text", "ok"])
    assert r.exit_code == 1 and "sms_consent.source_url: is required" in r.stderr


def test_leads_update_sms_consent_granted_no_revokes(sqlite_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    r = runner.invoke(app, ["leads", "update", str(lead_id), "--sms-consent-granted", "no"])
    assert r.exit_code == 0, r.output
    assert [c.action for c in ledger(lead_id)] == ["grant", "revoke"]


# -- the story -------------------------------------------------------------------------------------------


def test_consent_export_tells_the_whole_story_with_provider_ids(sqlite_url, providers):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    first = queue_message(lead_id, NOW, step="welcome")
    assert Dispatcher().send(first).state == "sent"
    clock.advance(timedelta(hours=2))
    revoke_by_text(lead_id)
    confirmation = next(m for m in messages_of(lead_id) if m.sequence == "system")
    with session_scope() as s:
        from sqlalchemy import update

        from nurture.models import Message
        s.execute(update(Message).where(Message.id == confirmation.id).values(state="queued"))
    assert Dispatcher().send(confirmation.id).state == "sent"
    r = runner.invoke(app, ["consent", "export", "3055550142", "--json"])
    assert r.exit_code == 0, r.output
    story = json.loads(r.stdout)
    assert [e["action"] for e in story["ledger"]] == ["grant", "revoke"]
    assert story["ledger"][0]["text"] == CONSENT["text"] and story["ledger"][0]["ip"] == CONSENT["ip"]
    assert story["sms_consent_now"].startswith("revoked by text")
    welcome, confirmed = story["texts"]
    assert welcome["consent_id"] == story["ledger"][0]["id"] and welcome["provider_id"].startswith("SM")
    assert confirmed["consent_id"] is None and "64.1200(a)(12)" in confirmed["basis"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["consent", "export", str(lead_id), "--csv"]).stdout)))
    assert [r["row"] for r in rows] == ["consent", "consent", "text", "text"]
    assert rows[2]["provider_id"] == welcome["provider_id"]
    text = runner.invoke(app, ["consent", "export", str(lead_id)], env={"COLUMNS": "200"}).stdout
    assert "REVOKE via sms_reply" in text and "stop texting me please" in text and welcome["provider_id"] in text
    shown = runner.invoke(app, ["leads", "show", str(lead_id)], env={"COLUMNS": "200"}).stdout
    assert "texts now: revoked by text" in shown and "from IP 203.0.113.7" in shown
