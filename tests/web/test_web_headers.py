"""Response headers of pages with personal data (/ops, /api), and /docs that works offline."""

import re

import pytest
from fastapi.testclient import TestClient

from nurture.web import create_app
from web_helpers import local_client

LEAD = {"first_name": "Maria", "email": "maria@example.com"}


@pytest.fixture
def client(sqlite_url):
    with local_client() as c:
        yield c


def csp_sources(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def assert_console_headers(r) -> None:
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    policy = csp_sources(r.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Only this origin: no scheme, host or wildcard source anywhere in the policy.
    for directive, sources in policy.items():
        for source in sources:
            assert source.startswith("'") or source == "data:", (directive, source)


def test_ops_pages_are_not_cached_framed_or_allowed_other_origins(client):
    lead_id = client.post("/api/leads", json=LEAD).json()["id"]
    for path in ("/ops", f"/ops/leads/{lead_id}", "/ops/leads/999999", "/ops?since=nonsense"):
        assert_console_headers(client.get(path))


def test_ops_refusals_carry_the_headers_too(sqlite_url):
    with TestClient(create_app(), client=("203.0.113.9", 40000)) as c:
        r = c.get("/ops")
    assert r.status_code == 403
    assert_console_headers(r)


@pytest.mark.parametrize("method,path,body", [("post", "/api/leads", LEAD), ("get", "/api/leads/1", None),
                                              ("patch", "/api/leads/1", {"first_name": "Ann"}),
                                              ("get", "/api/leads/999999", None), ("post", "/api/leads", {"x": 1})])
def test_api_answers_are_not_stored_by_any_cache(client, method, path, body):
    if path != "/api/leads":
        client.post("/api/leads", json=LEAD)
    r = client.request(method, path, json=body)
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_an_unexpected_error_on_the_api_is_not_cached_either(client, monkeypatch):
    from nurture.plans import replan as planning

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(planning, "replan_many", explode)
    r = client.post("/api/leads", json=LEAD)
    assert r.status_code == 500
    assert r.headers["cache-control"] == "no-store"


def test_paths_that_only_start_like_ops_or_api_are_not_the_console(client):
    r = client.get("/opsx")
    # Only the policy every response carries (no framing), not the console's.
    assert r.headers["content-security-policy"] == "frame-ancestors 'none'" and "cache-control" not in r.headers
    assert "cache-control" not in client.get("/apix").headers


def test_docs_load_swagger_ui_from_this_server_only(client):
    r = client.get("/docs")
    assert r.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', r.text) + re.findall(r"url: '([^']+)'", r.text)
    assert sorted(urls) == ["/openapi.json", "/static/swagger/favicon-32x32.png",
                            "/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css"]
    assert '"validatorUrl": null' in r.text  # no badge fetched from validator.swagger.io


@pytest.mark.parametrize("asset,kind", [("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "text/css"),
                                        ("favicon-32x32.png", "image/png")])
def test_the_swagger_assets_are_served(client, asset, kind):
    r = client.get(f"/static/swagger/{asset}")
    assert r.status_code == 200 and kind in r.headers["content-type"] and len(r.content) > 500


def test_redoc_is_off_rather_than_blank(client):
    assert client.get("/redoc").status_code == 404


def test_no_page_may_be_framed_by_another_site(client):
    # The table: /unsubscribe/{token} and /docs carried no frame-ancestors (an unsubscribe button under
    # a decoy page is clickjacking).
    from nurture.content.tokens import unsubscribe_token

    lead_id = client.post("/api/leads", json=LEAD).json()["id"]
    token = unsubscribe_token(lead_id, "email", "test-secret")
    for method, path in [("get", f"/unsubscribe/{token}"), ("post", "/unsubscribe/not-a-token"), ("get", "/docs"),
                         ("get", "/openapi.json"), ("get", "/healthz"), ("get", "/static/ops.css"),
                         ("get", "/no-such-page"), ("get", "/ops")]:
        r = client.request(method, path)
        assert csp_sources(r.headers["content-security-policy"])["frame-ancestors"] == ["'none'"], path
        assert r.headers["x-frame-options"] == "DENY", path


def test_the_browsers_favicon_request_is_answered_without_a_404(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 204 and r.content == b""
