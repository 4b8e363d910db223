"""Signing in to the console: the session cookie, sign-out, wrong passwords and lock-out, disabled and
reset accounts, tampered cookies, and CSRF on every form a signed-in person posts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from nurture.accounts import audit, users
from nurture.clock import clock
from nurture.db import session_scope
from nurture.models import AuditEntry, Lead
from nurture.web import create_app
from web_helpers import LOOPBACK

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
REFUSED = "Wrong name or password, or the account is locked or disabled."
MARIA = {"first_name": "Maria", "last_name": "Lopez", "phone": "(305) 555-0142", "email": "maria@example.com"}


def add_account(name: str, role: str, password: str = PASSWORD) -> None:
    with session_scope() as s:
        users.add(s, name, role, password, actor="cli:root", now=NOW)


def hidden(page: str, field: str) -> str:
    found = re.search(rf'name="{field}" value="([^"]*)"', page)
    assert found, f"no {field} field in the page"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD, next_: str = ""):
    form = client.get("/ops/login", params={"next": next_} if next_ else None)
    assert form.status_code == 200
    return client.post("/ops/login", data={"name": name, "password": password, "next": next_,
                                           "csrf_token": hidden(form.text, "csrf_token")})


def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, as every page's sign-out form carries it."""
    return hidden(client.get("/ops/templates").text, "csrf_token")


@pytest.fixture
def client(db_url):
    clock.freeze(NOW)
    with TestClient(create_app(), follow_redirects=False, **LOOPBACK) as c:
        yield c


@pytest.fixture
def lead_id(client):
    r = client.post("/api/leads", json=MARIA)  # /api on loopback without a key: this machine's intake
    assert r.status_code == 201, r.text
    return r.json()["id"]


def status_of(lead_id: int) -> str:
    with session_scope() as s:
        return s.get(Lead, lead_id).status


def test_once_an_account_exists_the_console_asks_to_sign_in_even_on_loopback(client, lead_id):
    assert client.get("/ops/leads").status_code == 200  # no accounts yet: this machine, as before
    add_account("maria", "ops")
    r = client.get("/ops/leads", params={"q": "Lopez"})
    assert r.status_code == 303 and r.headers["location"] == "/ops/login?next=%2Fops%2Fleads%3Fq%3DLopez"
    assert client.post(f"/ops/leads/{lead_id}/status", data={"status": "paused"}).status_code == 401
    assert status_of(lead_id) == "active"


def test_sign_in_opens_the_page_asked_for_and_sign_out_ends_the_session(client, lead_id):
    add_account("maria", "ops")
    r = sign_in(client, "maria", next_=f"/ops/leads/{lead_id}")
    assert r.status_code == 303 and r.headers["location"] == f"/ops/leads/{lead_id}"
    cookie = r.headers["set-cookie"]
    assert "nurture_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Path=/;" in cookie + ";" and "Max-Age=43200" in cookie and "Secure" not in cookie
    page = client.get(f"/ops/leads/{lead_id}")
    assert page.status_code == 200 and "maria (ops)" in page.text and "Sign out" in page.text
    out = client.post("/ops/logout", data={"csrf_token": hidden(page.text, "csrf_token")})
    assert out.status_code == 303 and out.headers["location"] == "/ops/login"
    assert client.get(f"/ops/leads/{lead_id}").status_code == 303
    with session_scope() as s:
        actions = [(e.actor, e.action) for e in reversed(audit.entries(s, target_kind="account", target="maria"))]
    assert actions[-2:] == [("user:maria", "signed in"), ("user:maria", "signed out")]


def test_the_cookie_is_secure_behind_https(client, monkeypatch):
    monkeypatch.setenv("NURTURE_PUBLIC_URL", "https://nurture.example.com")
    from nurture.config import get_settings
    get_settings.cache_clear()
    add_account("maria", "ops")
    assert "Secure" in sign_in(client, "maria").headers["set-cookie"]


def test_next_never_leads_off_the_console(client):
    add_account("maria", "ops")
    for target in ("https://evil.example/ops", "//evil.example/ops", "/api/leads/1", "/\\evil.example"):
        client.cookies.clear()
        r = sign_in(client, "maria", next_=target)
        assert r.status_code == 303 and r.headers["location"] == "/ops", target


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(client):
    add_account("maria", "ops")
    wrong = sign_in(client, "maria", "not the password at all")
    nobody = sign_in(client, "nobody", PASSWORD)
    assert wrong.status_code == nobody.status_code == 401
    assert REFUSED in wrong.text and REFUSED in nobody.text
    assert "nurture_session" not in client.cookies


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused_for_15_minutes(client):
    add_account("maria", "ops")
    for _ in range(5):
        assert sign_in(client, "maria", "not the password at all").status_code == 401
    locked = sign_in(client, "maria")
    assert locked.status_code == 401 and REFUSED in locked.text
    clock.freeze(NOW + timedelta(minutes=15))
    assert sign_in(client, "maria").status_code == 303
    with session_scope() as s:
        actions = [e.action for e in audit.entries(s, target_kind="account", target="maria")]
    assert actions.count("sign-in failed") == 5 and actions.count("account locked") == 1
    assert actions.count("sign-in refused") == 1


def test_the_sign_in_form_needs_its_own_token(client):
    add_account("maria", "ops")
    r = client.post("/ops/login", data={"name": "maria", "password": PASSWORD, "csrf_token": "made-up"})
    assert r.status_code == 403 and "nurture_session" not in client.cookies
    with session_scope() as s:
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "signed in")).first() is None


def test_disabling_an_account_ends_its_open_session(client):
    add_account("maria", "ops")
    sign_in(client, "maria")
    assert client.get("/ops/leads").status_code == 200
    with session_scope() as s:
        users.disable(s, "maria", actor="cli:root", now=NOW)
    assert client.get("/ops/leads").status_code == 303
    assert sign_in(client, "maria").status_code == 401


def test_a_reset_ends_the_old_session_and_the_new_password_works(client):
    add_account("maria", "ops")
    sign_in(client, "maria")
    old_cookie = client.cookies["nurture_session"]
    with session_scope() as s:
        users.reset(s, "maria", "a brand new passphrase", actor="cli:root", now=NOW)
    client.cookies.clear()
    client.cookies.set("nurture_session", old_cookie)
    assert client.get("/ops/leads").status_code == 303
    client.cookies.clear()
    assert sign_in(client, "maria").status_code == 401
    assert sign_in(client, "maria", "a brand new passphrase").status_code == 303


def test_a_session_ends_after_12_hours(client):
    add_account("maria", "ops")
    sign_in(client, "maria")
    clock.freeze(NOW + timedelta(hours=11, minutes=59))
    assert client.get("/ops/leads").status_code == 200
    clock.freeze(NOW + timedelta(hours=12))
    assert client.get("/ops/leads").status_code == 303


def test_a_tampered_cookie_is_refused(client):
    add_account("admin1", "admin")
    add_account("marco", "marketer")
    sign_in(client, "marco")
    value = client.cookies["nurture_session"]
    payload, _, tag = value.rpartition(".")
    account_id, rest = payload.split(":", 1)
    with session_scope() as s:
        admin_id = users.by_name(s, "admin1").id
    for forged in (f"{admin_id}:{rest}.{tag}", f"{payload}.{tag[:-2]}xx", payload, "garbage"):
        client.cookies.clear()
        client.cookies.set("nurture_session", forged)
        assert client.get("/ops/leads").status_code == 303, forged


def test_a_session_cookie_opens_nothing_on_the_api(client, lead_id, monkeypatch):
    add_account("maria", "admin")
    sign_in(client, "maria")
    monkeypatch.setenv("NURTURE_API_KEY", "the-admin-key")
    from nurture.config import get_settings
    get_settings.cache_clear()
    assert client.get(f"/ops/leads/{lead_id}").status_code == 200
    assert client.get(f"/api/leads/{lead_id}").status_code == 401


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_a_post_with_the_session_but_without_its_csrf_token_changes_nothing(client, lead_id, token):
    add_account("maria", "ops")
    sign_in(client, "maria")
    data = {"status": "paused"} | ({"csrf_token": token} if token else {})
    r = client.post(f"/ops/leads/{lead_id}/status", data=data)
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post(f"/ops/leads/{lead_id}/language", data={"language": "es"}, headers={"X-CSRF-Token": token or ""})
    assert r.status_code == 403
    with session_scope() as s:
        lead = s.get(Lead, lead_id)
        assert lead.status == "active" and lead.language == "en"
        assert audit.entries(s, target_kind="lead", target=lead_id) == []


def test_a_post_with_the_token_changes_the_lead_and_the_page_says_who(client, lead_id):
    add_account("maria", "ops")
    sign_in(client, "maria")
    token = csrf_of(client)
    r = client.post(f"/ops/leads/{lead_id}/status", data={"status": "paused", "csrf_token": token})
    assert r.status_code == 303
    r = client.post(f"/ops/leads/{lead_id}/language", data={"language": "es"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 303
    with session_scope() as s:
        lead = s.get(Lead, lead_id)
        assert lead.status == "paused" and lead.language == "es"
        assert lead.language_reason == "set by user:maria via ops on 2026-12-01"
        changes = [(e.actor, e.action) for e in reversed(audit.entries(s, target_kind="lead", target=lead_id))]
    assert changes == [("user:maria", "status set"), ("user:maria", "language set")]
    page = client.get(f"/ops/leads/{lead_id}").text
    changes_section = page[page.index('id="changes"'):]
    assert "user:maria" in changes_section and "status set" in changes_section and "language set" in changes_section


def test_every_post_form_on_a_page_carries_the_token(client, lead_id):
    add_account("maria", "admin")
    sign_in(client, "maria")
    token = csrf_of(client)
    for path in (f"/ops/leads/{lead_id}", f"/ops/inbox/{lead_id}", "/ops/templates", "/ops"):
        page = client.get(path).text
        forms = re.findall(r'<form[^>]*method="post".*?</form>', page, flags=re.S)
        assert forms, path
        for form in forms:
            assert f'name="csrf_token" value="{token}"' in form, (path, form[:120])
