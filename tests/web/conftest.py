"""The client most hostile-input tests of the web doors share: no API key (the API answers this
machine on a loopback-bound server, as on a developer's machine), webhooks that answer requests
signed as Twilio and SendGrid sign them, and one stored lead. A module that needs another client
defines its own `client`, which takes precedence over this one."""

import pytest

from web_helpers import local_client

MARIA = {"first_name": "Maria", "last_name": "Lopez", "phone": "(305) 555-0142", "email": "maria@example.com"}


@pytest.fixture
def client(db_url, frozen_now, webhook_keys):
    with local_client() as c:
        yield c


@pytest.fixture
def lead_id(client):
    r = client.post("/api/leads", json=MARIA)
    assert r.status_code == 201, r.text
    return r.json()["id"]
