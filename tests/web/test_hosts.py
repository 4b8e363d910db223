"""The Host names the server answers (NURTURE_ALLOWED_HOSTS, Starlette's TrustedHostMiddleware): a page whose
DNS name is rebound to 127.0.0.1 reaches the server with its own name in Host, and is refused before any
route runs; without a key, a request through a proxy is refused whatever the proxy's header is called."""

import pydantic
import pytest
from fastapi.testclient import TestClient

from nurture.config import Settings, get_settings
from nurture.web import create_app
from web_helpers import LOOPBACK, PUBLIC, local_client

LEAD = {"first_name": "Maria", "email": "maria@example.com"}


@pytest.fixture
def default_hosts(sqlite_url, monkeypatch):
    """NURTURE_ALLOWED_HOSTS unset, as a deployment leaves it (the test suite sets it to '*')."""
    monkeypatch.delenv("NURTURE_ALLOWED_HOSTS")
    get_settings.cache_clear()


def with_key(monkeypatch, public: str = PUBLIC) -> dict[str, str]:
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    monkeypatch.setenv("NURTURE_PUBLIC_URL", public)
    get_settings.cache_clear()
    return {"Authorization": "Bearer k3y"}


def test_a_rebound_name_neither_reads_a_lead_nor_acts_on_ops_without_a_key(default_hosts):
    # The table: no key, Host: evil.example -> 200 with the lead's JSON, and an /ops POST with a
    # matching Origin changed a lead's status.
    with local_client() as c:
        lead_id = c.post("/api/leads", json=LEAD).json()["id"]
        evil = {"Host": "evil.example", "Origin": "http://evil.example"}
        read = c.get(f"/api/leads/{lead_id}", headers=evil)
        act = c.post(f"/ops/leads/{lead_id}/status", headers=evil, data={"status": "converted"})
        page = c.get("/ops", headers={"Host": "evil.example:8000"})
        after = c.get(f"/api/leads/{lead_id}").json()
    assert (read.status_code, act.status_code, page.status_code) == (400, 400, 400)
    assert "maria" not in read.text.lower()
    assert after["status"] == "active"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "localhost", "[::1]:8000", "app.localhost:8000"])
def test_the_loopback_names_get_in_without_a_key(default_hosts, host):
    with local_client() as c:
        assert c.post("/api/leads", json=LEAD, headers={"Host": host}).status_code == 201


def test_the_loopback_address_nurture_serve_binds_is_a_name_it_answers(default_hosts):
    app = create_app(bind_host="127.0.0.2")
    with TestClient(app, base_url="http://127.0.0.2:8000", client=("127.0.0.1", 50000)) as c:
        assert c.post("/api/leads", json=LEAD).status_code == 201
    with TestClient(create_app(bind_host="127.0.0.1"), base_url="http://127.0.0.2:8000",
                    client=("127.0.0.1", 50000)) as c:
        assert c.post("/api/leads", json=LEAD).status_code == 400


def test_with_a_key_the_public_urls_host_is_answered_and_no_other(default_hosts, monkeypatch):
    auth = with_key(monkeypatch)
    with TestClient(create_app(bind_host="0.0.0.0"), base_url=PUBLIC, client=("203.0.113.9", 40000)) as c:
        assert c.post("/api/leads", json=LEAD, headers=auth).status_code == 201
        for host in ("evil.example", "127.0.0.1:8000", "nurture.example.com.evil.example"):
            assert c.post("/api/leads", json=LEAD, headers={**auth, "Host": host}).status_code == 400, host


def test_allowed_hosts_names_them_all(default_hosts, monkeypatch):
    auth = with_key(monkeypatch)
    monkeypatch.setenv("NURTURE_ALLOWED_HOSTS", "api.example.com, *.internal.example, ::1")
    get_settings.cache_clear()
    with TestClient(create_app(), client=("203.0.113.9", 40000)) as c:
        for host, answered in [("api.example.com", True), ("a.internal.example:443", True), ("[::1]:8000", True),
                               ("nurture.example.com", False), ("internal.example.evil", False)]:
            status = c.get("/api/leads/999", headers={**auth, "Host": host}).status_code
            assert status == (404 if answered else 400), host


def test_probes_and_scrapers_may_name_any_address(default_hosts, monkeypatch):
    with_key(monkeypatch)
    with TestClient(create_app(bind_host="0.0.0.0"), base_url="http://10.1.2.3:8000", client=("10.1.2.4", 40000)) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/metrics").status_code == 200
        assert c.get("/ops").status_code == 400


@pytest.mark.parametrize("value", ["api.*.example.com", "*example.com", "a.example.com,**"])
def test_a_pattern_trustedhostmiddleware_would_reject_fails_at_start_up(value):
    with pytest.raises(pydantic.ValidationError, match="NURTURE_ALLOWED_HOSTS"):
        Settings(allowed_hosts=value)


@pytest.mark.parametrize("header", ["X-Forwarded-Port", "X-Forwarded-Server", "X-Forwarded-Prefix", "X-Forwarded-Scheme",
                                    "X-Original-Forwarded-For", "X-Original-Host", "Fastly-Client-IP",
                                    "X-Cluster-Client-IP", "Forwarded", "Via"])
def test_every_forwarded_style_header_is_refused_without_a_key(default_hosts, header):
    with TestClient(create_app(bind_host="127.0.0.1"), **LOOPBACK) as c:
        r = c.post("/api/leads", json=LEAD, headers={header: "127.0.0.1"})
        ops = c.get("/ops", headers={header: "127.0.0.1"})
    assert r.status_code == 403 and ops.status_code == 403
    assert f"it carries {header.lower()}" in r.json()["detail"]
