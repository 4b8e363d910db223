"""Each role and key scope against each part of the console and the API: what it may open, what it
is refused (403, saying what the role may not do), and the author each change is recorded with."""

import re
from datetime import UTC, datetime

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlmodel import select

from nurture.accounts import audit, keys, users
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.models import Lead
from nurture.web import create_app
from nurture.web.auth import Principal, require
from test_sign_in import MARIA, PASSWORD, csrf_of, sign_in
from web_helpers import LOOPBACK

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ADMIN_KEY = "the-admin-key-of-this-install"
LEAD = {"first_name": "Ana", "last_name": "Diaz", "phone": "(305) 555-0199"}


def app_with_a_content_route():
    """The app, plus one route that needs the `content` capability (as publishing does)."""
    app = create_app()

    @app.post("/ops/try-content")
    def try_content(principal: Principal = Depends(require("content"))) -> dict[str, str]:
        return {"actor": principal.actor}

    return app


@pytest.fixture
def client(db_url, monkeypatch):
    clock.freeze(NOW)
    monkeypatch.setenv("NURTURE_API_KEY", ADMIN_KEY)
    get_settings.cache_clear()
    with session_scope() as s:
        for name, role in (("alice", "admin"), ("oscar", "ops"), ("marta", "marketer")):
            users.add(s, name, role, PASSWORD, actor="cli:root", now=NOW)
    with TestClient(app_with_a_content_route(), follow_redirects=False, **LOOPBACK) as c:
        yield c


@pytest.fixture
def lead_id(client):
    r = client.post("/api/leads", json=MARIA, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def key(name: str, scope: str) -> str:
    with session_scope() as s:
        return keys.create(s, name, scope, actor="cli:root", now=NOW)[1]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_marketer_is_sent_from_the_overview_to_the_templates_and_refused_a_leads_page(client, lead_id):
    sign_in(client, "marta")
    r = client.get("/ops")
    assert r.status_code == 303 and r.headers["location"] == "/ops/templates"
    page = client.get("/ops/templates")
    assert page.status_code == 200
    assert 'href="/ops/inbox"' not in page.text and 'href="/ops/leads"' not in page.text
    for path in (f"/ops/leads/{lead_id}", "/ops/leads", "/ops/inbox", f"/ops/inbox/{lead_id}", "/ops/log"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert "user:marta (marketer) may not open leads" in r.text and "Maria" not in r.text
    r = client.post(f"/ops/leads/{lead_id}/status", data={"status": "paused", "csrf_token": csrf_of(client)})
    assert r.status_code == 403
    with session_scope() as s:
        assert s.get(Lead, lead_id).status == "active"


def test_a_marketer_previews_on_sample_leads_but_not_on_a_real_one(client, lead_id):
    sign_in(client, "marta")
    sample = client.get("/ops/templates/preview", params={"template": "sms/welcome", "sample": "critical"})
    assert sample.status_code == 200
    real = client.get("/ops/templates/preview", params={"template": "sms/welcome", "lead": str(lead_id)})
    assert real.status_code == 403 and "Maria" not in real.text


def test_ops_open_leads_and_the_inbox_but_may_not_publish(client, lead_id):
    sign_in(client, "oscar")
    page = client.get("/ops")
    assert page.status_code == 200 and 'href="/ops/inbox"' in page.text and 'href="/ops/templates"' in page.text
    for path in (f"/ops/leads/{lead_id}", "/ops/leads", "/ops/inbox", "/ops/log", "/ops/templates"):
        assert client.get(path).status_code == 200, path
    token = csrf_of(client)
    r = client.post("/ops/try-content", headers={"X-CSRF-Token": token})
    assert r.status_code == 403 and "may not change templates and schedules" in r.text
    r = client.post("/ops/editor/draft", data={"csrf_token": token, "kind": "template", "name": "sms/welcome.txt",
                                               "body": "hi"})
    assert r.status_code == 403


def test_marketers_and_admins_hold_the_content_capability(client):
    for name in ("marta", "alice"):
        client.cookies.clear()
        sign_in(client, name)
        r = client.post("/ops/try-content", headers={"X-CSRF-Token": csrf_of(client)})
        assert r.status_code == 200 and r.json() == {"actor": f"user:{name}"}


def test_an_admin_opens_everything(client, lead_id):
    sign_in(client, "alice")
    for path in ("/ops", f"/ops/leads/{lead_id}", "/ops/inbox", "/ops/log", "/ops/templates"):
        assert client.get(path).status_code == 200, path


def test_an_intake_key_may_create_leads_but_not_read_them(client, lead_id):
    intake = key("webform", "intake")
    r = client.post("/api/leads", json=LEAD, headers=bearer(intake))
    assert r.status_code == 201
    assert client.post(f"/api/leads/{r.json()['id']}/events", json={"type": "note", "note": "called"},
                       headers=bearer(intake)).status_code == 201
    refused = client.get(f"/api/leads/{lead_id}", headers=bearer(intake))
    assert refused.status_code == 403 and "may not read leads through the API" in refused.json()["detail"]
    assert client.get(f"/ops/leads/{lead_id}", headers=bearer(intake)).status_code == 403


def test_a_read_key_may_read_but_not_write(client, lead_id):
    read = key("reports", "read")
    r = client.get(f"/api/leads/{lead_id}", headers=bearer(read))
    assert r.status_code == 200 and r.json()["first_name"] == "Maria"
    assert client.post("/api/leads", json=LEAD, headers=bearer(read)).status_code == 403
    assert client.patch(f"/api/leads/{lead_id}", json={"status": "paused"}, headers=bearer(read)).status_code == 403
    with session_scope() as s:
        assert s.exec(select(Lead).where(Lead.first_name == "Ana")).first() is None
        assert s.get(Lead, lead_id).status == "active"


def test_a_revoked_key_and_a_made_up_one_are_refused(client, lead_id):
    secret = key("old-script", "admin")
    assert client.get(f"/api/leads/{lead_id}", headers=bearer(secret)).status_code == 200
    with session_scope() as s:
        keys.revoke(s, "old-script", actor="user:alice", now=NOW)
    assert client.get(f"/api/leads/{lead_id}", headers=bearer(secret)).status_code == 401
    assert client.get(f"/api/leads/{lead_id}", headers=bearer("nk_" + "x" * 32)).status_code == 401


def test_nurture_api_key_is_still_an_admin_everywhere(client, lead_id):
    assert client.get(f"/api/leads/{lead_id}", headers=bearer(ADMIN_KEY)).status_code == 200
    assert client.get(f"/ops/leads/{lead_id}", headers=bearer(ADMIN_KEY)).status_code == 200
    assert client.get("/ops/log", auth=("ops", ADMIN_KEY)).status_code == 200
    assert client.get("/ops/log").status_code == 303  # a browser without credentials: the sign-in page


def test_each_change_through_the_api_is_recorded_with_its_key(client, lead_id):
    crm = key("crm", "intake")
    r = client.patch(f"/api/leads/{lead_id}", json={"status": "paused", "first_name": "Mary"}, headers=bearer(crm))
    assert r.status_code == 200
    client.patch(f"/api/leads/{lead_id}", json={"status": "active"}, headers=bearer(ADMIN_KEY))
    with session_scope() as s:
        trail = [(e.actor, e.action, e.detail) for e in reversed(audit.entries(s, target_kind="lead", target=lead_id))]
        (used,) = keys.keys(s)
        assert used.last_used_at == NOW
    assert trail == [("key:crm", "updated", "changed: first_name, status"), ("api-key", "updated", "changed: status")]


def test_inbox_actions_are_recorded_with_the_person(client, lead_id):
    sign_in(client, "oscar")
    page = client.get(f"/ops/inbox/{lead_id}").text
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    r = client.post(f"/ops/leads/{lead_id}/hold", data={"token": token, "csrf_token": csrf_of(client),
                                                        "reason": "attorney called"})
    assert r.status_code == 303
    with session_scope() as s:
        (entry,) = audit.entries(s, target_kind="lead", target=lead_id)
    assert (entry.actor, entry.action) == ("user:oscar", "hold")
    assert "user:oscar" in client.get(f"/ops/leads/{lead_id}").text


def test_the_audit_trail_shows_each_change_with_its_author_to_admins_only(client, lead_id):
    secret = key("webform", "intake")
    with session_scope() as s:
        keys.revoke(s, "webform", actor="cli:root", now=NOW)
    client.patch(f"/api/leads/{lead_id}", json={"status": "paused"}, headers=bearer(ADMIN_KEY))
    sign_in(client, "marta", "not the password at all")  # a refused sign-in is recorded too
    assert client.post("/api/leads", json=LEAD, headers=bearer(secret)).status_code == 401  # revoked: refused

    sign_in(client, "oscar")
    assert client.get("/ops/audit").status_code == 403
    client.post("/ops/logout", data={"csrf_token": csrf_of(client)})
    sign_in(client, "alice")
    page = client.get("/ops/audit")
    assert page.status_code == 200
    cells = [re.findall(r'data-label="(?:who|what|of)">(.*?)</td>', row) for row in page.text.split("<tr>")[1:]]
    shown = [(who, what, re.sub(r"<[^>]+>", "", of)) for who, what, of in cells]
    # Newest first (the clock stands still: in the order they happened), each with its author.
    assert shown == [
        ("user:alice", "signed in", "account alice"),
        ("user:oscar", "signed out", "account oscar"),
        ("user:oscar", "signed in", "account oscar"),
        ("sign-in", "sign-in failed", "account marta"),
        ("api-key", "updated", f"lead #{lead_id}"),
        ("cli:root", "key revoked", "api_key webform"),
        ("cli:root", "key added", "api_key webform"),
        ("cli:root", "account added", "account marta"),
        ("cli:root", "account added", "account oscar"),
        ("cli:root", "account added", "account alice"),
    ]
    only_leads = client.get("/ops/audit", params={"kind": "lead"}).text
    assert f"lead #{lead_id}" in only_leads and "webform" not in only_leads.split("<table", 1)[1]
