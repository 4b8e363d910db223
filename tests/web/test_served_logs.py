"""What `nurture serve` writes to its log (stdout and stderr, as a service manager keeps them) after a run
of requests with secrets and personal data in their query strings: none of it, while the access lines
themselves are there. And the Host rule through the real server."""

import httpx
import pytest

from test_access import Served

PHONE, EMAIL, PARSE_KEY = "3055550199", "zelda.quist@example.org", "parse-secret-7f3a9c"


@pytest.mark.slow
def test_the_server_log_keeps_no_secret_phone_or_email_from_a_query_string(tmp_path):
    with Served(tmp_path, "127.0.0.1") as served, httpx.Client(timeout=30) as http:
        base = f"http://127.0.0.1:{served.port}"
        lead = {"first_name": "Zelda", "phone": PHONE, "email": EMAIL}
        assert http.post(f"{base}/api/leads", json=lead).status_code == 201
        for query in ({"q": PHONE}, {"q": EMAIL}, {"q": "(305) 555-0199"}):
            assert http.get(f"{base}/ops/leads", params=query).status_code == 200
        http.get(f"{base}/api/leads/1", params={"phone": PHONE, "email": EMAIL})
        http.get(f"{base}/no-such-page", params={"email": EMAIL})
        http.post(f"{base}/webhooks/sendgrid/inbound", params={"key": PARSE_KEY}, data={"from": EMAIL})
        http.post(f"{base}/webhooks/twilio/status", params={"message_id": "1", "key": PARSE_KEY})
    log = served.output
    assert '"GET /ops/leads HTTP/1.1" 200' in log and '"POST /webhooks/sendgrid/inbound HTTP/1.1"' in log
    for secret in (PHONE, "555-0199", "555-0199".replace("-", "%2D"), EMAIL, "zelda.quist", "zelda.quist%40",
                   PARSE_KEY):
        assert secret not in log, secret


@pytest.mark.slow
def test_nurture_serve_refuses_a_name_rebound_to_loopback(tmp_path):
    with Served(tmp_path, "127.0.0.1") as served:
        rebound = served.post("127.0.0.1", headers={"Host": f"evil.example:{served.port}"})
        local = served.post("localhost")
    assert rebound.status_code == 400
    assert local.status_code == 201
