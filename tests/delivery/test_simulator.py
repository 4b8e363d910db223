"""The provider simulator speaks enough Twilio and SendGrid for the real SDKs, and can be shared."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest
from twilio.rest import Client

from nurture.delivery.channels import ChannelError, OutgoingMessage
from nurture.delivery.channels.email import SendGridChannel
from nurture.delivery.channels.sms import TwilioChannel
from nurture.config import Settings
from testkit.simulator import RemoteSimulator, Simulator

ACCOUNT = "AC" + "f" * 32
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(account_sid=ACCOUNT, auth_token="token", sendgrid_api_key="SG.key") as simulator:
        yield simulator


@pytest.fixture
def http(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, timeout=5) as client:
        yield client


def create_sms(http: httpx.Client, **form: str) -> httpx.Response:
    return http.post(MESSAGES, data=form, auth=(ACCOUNT, "token"))


def send_mail(http: httpx.Client, payload: dict, key: str = "SG.key") -> httpx.Response:
    return http.post("/v3/mail/send", json=payload, headers={"Authorization": f"Bearer {key}"})


def mail(**overrides: object) -> dict:
    payload: dict = {
        "personalizations": [{"to": [{"email": "maria@example.com"}]}],
        "from": {"email": "help@example.com", "name": "Short Sale Help"},
        "subject": "Hello",
        "content": [{"type": "text/plain", "value": "Hi"}, {"type": "text/html", "value": "<p>Hi</p>"}],
    }
    payload.update(overrides)
    return payload


# -- Twilio -----------------------------------------------------------------------------------


def test_twilio_create_answers_201_with_a_message_resource(http: httpx.Client, sim: Simulator) -> None:
    answer = create_sms(http, To="+13055550142", From="+13055550100", Body="Hello")

    assert answer.status_code == 201
    message = answer.json()
    assert re.fullmatch(r"SM[0-9a-f]{32}", message["sid"])
    assert (message["status"], message["to"], message["from"], message["body"]) == (
        "queued", "+13055550142", "+13055550100", "Hello")
    assert (message["num_segments"], message["direction"], message["date_sent"]) == ("1", "outbound-api", None)
    assert parsedate_to_datetime(message["date_created"]).tzinfo is not None
    assert message["uri"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{message['sid']}.json"
    assert sim.received[0].provider_id == message["sid"]


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": "+13055550100", "Body": "x"}, 21604),
        ({"To": "+13055550142", "Body": "x"}, 21603),
        ({"To": "+13055550142", "From": "+13055550100"}, 21602),
        ({"To": "305-555-0142", "From": "+13055550100", "Body": "x"}, 21211),
    ],
)
def test_twilio_validation_errors_have_twilios_body(http: httpx.Client, form: dict, code: int) -> None:
    answer = create_sms(http, **form)

    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, 400)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"


def test_twilio_wrong_credentials_answer_401(http: httpx.Client) -> None:
    answer = http.post(MESSAGES, data={"To": "+13055550142"}, auth=(ACCOUNT, "nope"))

    assert answer.status_code == 401
    assert answer.json()["code"] == 20003
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_twilio_sdk_lists_and_pages_messages_by_recipient_and_date_sent(sim: Simulator) -> None:
    client = Client(ACCOUNT, "token", environment={})
    client.api.base_url = sim.url
    for i in range(5):
        client.messages.create(to="+13055550142", from_="+13055550100", body=f"message {i}")
    client.messages.create(to="+13055550143", from_="+13055550100", body="someone else")

    listed = client.messages.list(to="+13055550142", page_size=2)  # three pages
    recent = client.messages.list(to="+13055550142", date_sent_after=datetime.now(UTC) - timedelta(minutes=1))
    future = client.messages.list(to="+13055550142", date_sent_after=datetime.now(UTC) + timedelta(minutes=1))

    assert [m.body for m in listed] == [f"message {i}" for i in reversed(range(5))]  # newest first
    assert len(recent) == 5 and future == []
    assert listed[0].status == "sent" and listed[0].date_sent is not None
    assert client.messages(listed[0].sid).fetch().body == "message 4"


def test_twilio_sdk_sees_rejections_as_twilio_errors(sim: Simulator) -> None:
    from twilio.base.exceptions import TwilioRestException

    client = Client(ACCOUNT, "token", environment={})
    client.api.base_url = sim.url
    sim.reject("+13055550142", code=21610)

    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to="+13055550142", from_="+13055550100", body="Hi")
    assert (info.value.status, info.value.code) == (400, 21610)
    assert "unsubscribed recipient" in info.value.msg


# -- SendGrid ---------------------------------------------------------------------------------


def test_sendgrid_answers_202_with_x_message_id(http: httpx.Client, sim: Simulator) -> None:
    answer = send_mail(http, mail())

    assert answer.status_code == 202
    assert answer.content == b""
    assert answer.headers["X-Message-Id"] == sim.received[0].provider_id
    assert sim.received[0].from_ == "Short Sale Help <help@example.com>"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (mail(personalizations=[]), "personalizations"),
        (mail(**{"from": {}}), "from.email"),
        (mail(subject=""), "subject"),
        (mail(content=[]), "content"),
        (mail(content=[{"type": "text/html", "value": "<p>"}, {"type": "text/plain", "value": "x"}]), "content"),
        (mail(custom_args={"message_id": 7}), "custom_args.message_id"),
        (mail(personalizations=[{"to": [{"email": "nope"}]}]), "personalizations.0.to.0.email"),
    ],
)
def test_sendgrid_validation_errors_have_sendgrids_body(http: httpx.Client, payload: dict, field: str) -> None:
    answer = send_mail(http, payload)

    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert error["field"] == field and error["message"]


def test_sendgrid_wrong_key_and_bad_json(http: httpx.Client) -> None:
    assert send_mail(http, mail(), key="SG.wrong").status_code == 401
    garbled = http.post("/v3/mail/send", content=b"{", headers={"Authorization": "Bearer SG.key"})
    assert garbled.status_code == 400
    assert garbled.json() == {"errors": [{"message": "Bad Request", "field": None, "help": None}]}


def test_sendgrid_rate_limit_carries_rate_limit_headers(http: httpx.Client, sim: Simulator) -> None:
    sim.fail_next(1, status=429, retry_after=5)

    answer = send_mail(http, mail())

    assert answer.status_code == 429
    assert answer.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(answer.headers["X-RateLimit-Reset"]) - datetime.now(UTC).timestamp() <= 6


# -- faults, record, clock --------------------------------------------------------------------


def test_faults_only_take_the_provider_they_name(http: httpx.Client, sim: Simulator) -> None:
    sim.fail_next(2, status=503, provider="twilio")

    assert send_mail(http, mail()).status_code == 202
    assert create_sms(http, To="+13055550142", From="+1305", Body="x").status_code == 503
    assert create_sms(http, To="+13055550142", From="+1305", Body="x").status_code == 503
    assert create_sms(http, To="+13055550142", From="+1305", Body="x").status_code == 201


def test_clear_forgets_records_and_faults(http: httpx.Client, sim: Simulator) -> None:
    create_sms(http, To="+13055550142", From="+1305", Body="x")
    sim.fail_next(3, status=500)
    sim.reject("+13055550143")
    sim.delay = 0.5

    sim.clear()

    assert sim.received == [] and sim.delay == 0
    assert create_sms(http, To="+13055550143", From="+1305", Body="x").status_code == 201


def test_records_are_stamped_with_nurtures_clock(http: httpx.Client, sim: Simulator, frozen_now: datetime) -> None:
    answer = create_sms(http, To="+13055550142", From="+1305", Body="x")

    assert sim.received[0].at == frozen_now
    assert parsedate_to_datetime(answer.json()["date_created"]) == frozen_now


def test_slow_answers_are_slow_but_arrive(http: httpx.Client, sim: Simulator) -> None:
    sim.delay = 0.3

    answer = create_sms(http, To="+13055550142", From="+1305", Body="x")

    assert answer.status_code == 201
    assert answer.elapsed >= timedelta(seconds=0.3)


def test_unknown_paths_answer_404(http: httpx.Client) -> None:
    assert http.get("/2010-04-01/Nothing.json").status_code == 404
    assert http.post("/_sim/nothing").status_code == 404


# -- shared between processes -----------------------------------------------------------------


@pytest.fixture
def simulator_process() -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "testkit.simulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def test_a_simulator_process_is_driven_and_read_from_another_process(simulator_process: str) -> None:
    remote = RemoteSimulator(simulator_process)
    settings = Settings(
        twilio_account_sid=ACCOUNT,
        twilio_auth_token="token",
        twilio_from="+13055550100",
        twilio_api_base=simulator_process,
        sendgrid_api_key="SG.key",
        sendgrid_host=simulator_process,
    )
    sms = TwilioChannel(settings)
    email = SendGridChannel(settings)
    msg = OutgoingMessage(1, 2, "sms", "+13055550142", None, "Hello", None, None)

    remote.fail_next(1, status=429, retry_after=1)
    with pytest.raises(ChannelError, match="Too Many Requests") as info:
        sms.send(msg)
    assert not info.value.permanent
    assert info.value.retry_after == 1.0
    sms.send(msg)
    email.send(OutgoingMessage(2, 2, "email", "maria@example.com", "Hi", "Hello", "<p>Hello</p>", "https://u/t"))

    got = remote.received
    assert [(r.provider, r.to) for r in got] == [("twilio", "+13055550142"), ("sendgrid", "maria@example.com")]
    assert got[1].headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert remote.stats() == {"twilio": 1, "sendgrid": 1, "total": 2}
    assert [r.provider for r in remote.received_since(1)] == ["sendgrid"]

    remote.clear()
    assert remote.received == []
