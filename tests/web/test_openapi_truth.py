"""The OpenAPI document tells the truth: every one of schemathesis's checks passes on every route,
none left out. Every status a route answers is documented, with its content type, body and
headers; invalid data is refused; no 5xx; every request the document calls valid is accepted (the
intake body, an event's note and the ops pages' filters are documented with the rules the app
checks them by: web/schemas.py, the tiers and templates as loaded when the document is generated);
and a 405 names in `Allow` every method its path answers. A 422 is documented as the
`{field, message}` entries the app answers."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from nurture.config import get_settings
from nurture.web import create_app
from web_helpers import local_client

API_KEY = "fuzz-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
ALL_CHECKS = settings(max_examples=40, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                             HealthCheck.filter_too_much])
app = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def api_key(monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", API_KEY)
    get_settings.cache_clear()


@schema.parametrize()
@ALL_CHECKS
def test_every_route_answers_as_its_document_says(case, sqlite_url, webhook_keys, api_key):
    with local_client(app) as client:
        client.post("/api/leads", headers=AUTH, json={"first_name": "Maria", "phone": "3055550142",
                                                       "email": "maria@example.com"})
    case.call_and_validate(headers=AUTH, excluded_checks=[])


def test_a_422_is_documented_as_field_and_message_entries():
    document = app.openapi()
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["properties"]) == {"field", "message"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "422" in operation["responses"]:
                ref = operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Problems"), (method, path, ref)
