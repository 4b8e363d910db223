"""One provider code, one outcome: the same Twilio error code through the send (the real SDK against
the simulator) and through the status callback fails the message for good and suppresses the
number the same way."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, message, queue_message
from nurture.clock import clock
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Suppression
from nurture.web import create_app
from web_helpers import twilio_post

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
REFUSED_PHONE, REFUSED_E164 = "(305) 555-0142", "+13055550142"
CALLBACK_PHONE, CALLBACK_E164 = "(305) 555-0177", "+13055550177"

# Written here from Twilio's error pages, not read from the product's table: what each code must do
# to the number (None: the message fails, the number stays).
SUPPRESSION_BY_CODE = {
    21211: None,  # invalid 'To' number: that message only
    21610: "stop",  # the person texted STOP
    30004: "stop",  # message blocked by the recipient
    30005: "bounce",  # unknown handset, no longer in service
    30006: "bounce",  # landline or unreachable carrier: "do not retry the same SMS to that destination"
    30007: None,  # filtered as spam: the text is at fault, not the number
}


@pytest.fixture
def client(sqlite_url):
    with TestClient(create_app()) as c:
        yield c


def suppressions(address: str) -> list[str]:
    with session_scope() as s:
        return list(s.exec(select(Suppression.reason).where(Suppression.address == address)).all())


@pytest.mark.parametrize("code", sorted(SUPPRESSION_BY_CODE))
def test_a_twilio_code_has_one_outcome_through_the_send_and_the_status_callback(
        sqlite_url, providers, simulator, client, code):
    clock.freeze(NOW)
    expected = [SUPPRESSION_BY_CODE[code]] if SUPPRESSION_BY_CODE[code] else []

    # Twilio refuses the send itself with the code.
    refused = add_lead(NOW, phone=REFUSED_PHONE, email="refused@example.com")
    cancel_plan(refused, NOW)
    refused_mid = queue_message(refused, NOW)
    simulator.reject(to=REFUSED_E164, status=400, code=code)
    outcome = Dispatcher().send(refused_mid)

    # Twilio takes the send, then its status callback reports the code.
    called_back = add_lead(NOW, phone=CALLBACK_PHONE, email="calledback@example.com")
    cancel_plan(called_back, NOW)
    callback_mid = queue_message(called_back, NOW)
    assert Dispatcher().send(callback_mid).state == "sent"
    r = twilio_post(client, "/webhooks/twilio/status", {"MessageSid": message(callback_mid).provider_id,
                                                         "MessageStatus": "undelivered", "ErrorCode": str(code)})
    assert r.status_code == 200

    # Both are final (not retried), carry the code, and do the same to the number.
    assert outcome.state == "failed" and outcome.retry_in is None
    assert message(callback_mid).state == "undelivered"
    assert message(refused_mid).error_code == message(callback_mid).error_code == str(code)
    assert suppressions(REFUSED_E164) == expected
    assert suppressions(CALLBACK_E164) == expected
