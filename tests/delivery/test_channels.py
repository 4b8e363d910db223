"""The channels, driven through the real twilio and sendgrid SDKs against the provider simulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nurture.delivery.channels import ChannelError, OutgoingMessage, clear_channel_cache, get_channel
from nurture.delivery.channels.email import SendGridChannel
from nurture.delivery.channels.outbox import OutboxChannel
from nurture.delivery.channels.sms import TwilioChannel
from nurture.config import Settings, get_settings
from testkit.simulator import Simulator

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token"
SENDGRID_KEY = "SG.test-key"
FROM_NUMBER = "+13055550100"
LEAD_PHONE = "+13055550142"
LEAD_EMAIL = "maria@example.com"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, sendgrid_api_key=SENDGRID_KEY) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def _fresh_channels() -> Iterator[None]:
    clear_channel_cache()
    yield
    clear_channel_cache()


@pytest.fixture
def settings(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Both providers configured through the environment and pointed at the simulator."""
    for key, value in {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": FROM_NUMBER,
        "TWILIO_API_BASE": sim.url,
        "SENDGRID_API_KEY": SENDGRID_KEY,
        "SENDGRID_HOST": sim.url,
        "EMAIL_FROM": "Short Sale Help <help@example.com>",
        "PUBLIC_URL": "https://nurture.example.com",
    }.items():
        monkeypatch.setenv(f"NURTURE_{key}", value)
    get_settings.cache_clear()
    return get_settings()


def sms(text: str = "Hi Maria, a short sale may stop the foreclosure. Reply STOP to opt out.", *,
        to: str = LEAD_PHONE, message_id: int = 7) -> OutgoingMessage:
    return OutgoingMessage(message_id=message_id, lead_id=3, channel="sms", to=to, subject=None, text=text)


def email(*, to: str = LEAD_EMAIL, message_id: int = 8) -> OutgoingMessage:
    return OutgoingMessage(
        message_id=message_id,
        lead_id=3,
        channel="email",
        to=to,
        subject="What a short sale is",
        text="Hi Maria,\nA short sale lets the bank accept less than you owe.\n",
        html="<p>Hi Maria,</p><p>A short sale lets the bank accept less than you owe.</p>",
        unsubscribe_url="https://nurture.example.com/unsubscribe/tok123",
    )


def send_error(channel: object, msg: OutgoingMessage) -> ChannelError:
    with pytest.raises(ChannelError) as info:
        channel.send(msg)  # type: ignore[attr-defined]
    return info.value


# -- SMS --------------------------------------------------------------------------------------


def test_sms_reaches_twilio_with_to_from_body_and_status_callback(sim: Simulator, settings: Settings) -> None:
    result = get_channel("sms", settings).send(sms())

    [got] = sim.received
    assert got.provider == "twilio"
    assert (got.to, got.from_) == (LEAD_PHONE, FROM_NUMBER)
    assert got.body == sms().text
    assert got.json["StatusCallback"] == "https://nurture.example.com/webhooks/twilio/status?message_id=7"
    assert result.provider_id == got.provider_id
    assert result.provider_id.startswith("SM") and len(result.provider_id) == 34
    assert (result.status, result.delivered) == ("queued", False)


def test_sms_can_go_through_a_messaging_service(
    sim: Simulator, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NURTURE_TWILIO_FROM")
    monkeypatch.setenv("NURTURE_TWILIO_MESSAGING_SERVICE_SID", "MG" + "1" * 32)
    get_settings.cache_clear()

    result = get_channel("sms", get_settings()).send(sms())

    [got] = sim.received
    assert got.json["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in got.json
    assert result.status == "accepted"


def test_sms_channel_without_a_sender_fails_at_start_up(settings: Settings) -> None:
    with pytest.raises(ValueError, match="NURTURE_TWILIO_FROM"):
        TwilioChannel(settings.model_copy(update={"twilio_from": None}))


def test_twilio_rate_limit_is_transient_with_retry_after(sim: Simulator, settings: Settings) -> None:
    sim.fail_next(1, status=429, retry_after=3, code=20429)
    channel = get_channel("sms", settings)

    error = send_error(channel, sms())

    assert not error.permanent and not error.suppress
    assert (error.code, error.retry_after) == ("20429", 3.0)
    assert sim.received == []
    channel.send(sms())  # the fault was for one send only
    assert len(sim.received) == 1


@pytest.mark.parametrize(("status", "code"), [(500, "20500"), (503, "20503")])
def test_twilio_server_error_is_transient(sim: Simulator, settings: Settings, status: int, code: str) -> None:
    sim.fail_next(1, status=status)

    error = send_error(get_channel("sms", settings), sms())

    assert not error.permanent
    assert error.code == code


def test_twilio_timeout_is_transient_and_maybe_sent(sim: Simulator, settings: Settings) -> None:
    sim.delay = 1.0
    channel = TwilioChannel(settings, timeout=0.2)

    error = send_error(channel, sms())

    assert not error.permanent
    assert error.maybe_sent  # Twilio may have taken it: reconcile before sending again


def test_unreachable_twilio_is_transient_and_certainly_not_sent(sim: Simulator, settings: Settings) -> None:
    channel = get_channel("sms", settings)
    sim.stop()

    error = send_error(channel, sms())

    assert not error.permanent
    assert not error.maybe_sent


def test_invalid_number_is_permanent_with_twilio_code(sim: Simulator, settings: Settings) -> None:
    error = send_error(get_channel("sms", settings), sms(to="+1555"))

    assert error.permanent and not error.suppress
    assert error.code == "21211"
    assert "+1555" in error.reason


def test_unsubscribed_recipient_is_permanent_and_suppressed(sim: Simulator, settings: Settings) -> None:
    sim.reject(to=LEAD_PHONE, status=400, code=21610)

    error = send_error(get_channel("sms", settings), sms())

    assert error.permanent and error.suppress
    assert error.code == "21610"
    assert "unsubscribed" in error.reason


@pytest.mark.parametrize("code", [21612, 21614, 21635])  # 30006 suppresses: test_provider_codes.py
def test_unreachable_recipients_are_permanent_without_suppression(
    sim: Simulator, settings: Settings, code: int
) -> None:
    sim.reject(to=LEAD_PHONE, status=400, code=code)

    error = send_error(get_channel("sms", settings), sms())

    assert error.permanent and not error.suppress
    assert error.code == str(code)


def test_other_twilio_client_errors_are_permanent(sim: Simulator, settings: Settings) -> None:
    error = send_error(get_channel("sms", settings), sms(text="x" * 1601))

    assert error.permanent
    assert error.code == "21617"


def test_wrong_twilio_credentials_pause_the_channel_instead_of_failing_the_message(
        sim: Simulator, settings: Settings) -> None:
    channel = TwilioChannel(settings.model_copy(update={"twilio_auth_token": "wrong"}))
    error = send_error(channel, sms())

    assert error.auth and not error.permanent  # the message is not at fault
    assert error.code == "20003"
    with pytest.raises(ChannelError) as checked:
        channel.check()
    assert checked.value.auth
    TwilioChannel(settings).check()  # the right token passes the cheap check


def test_reconcile_finds_the_message_sent_after_since(sim: Simulator, settings: Settings) -> None:
    channel = get_channel("sms", settings)
    since = datetime.now(UTC) - timedelta(seconds=1)
    channel.send(sms("An earlier, different message"))
    sent = channel.send(sms())
    channel.send(sms("A message to somebody else", to="+13055550143"))

    found = channel.reconcile(sms(), since)

    assert found is not None
    assert found.provider_id == sent.provider_id
    assert found.status == "sent"


def test_reconcile_does_not_match_a_message_before_since_or_never_sent(sim: Simulator, settings: Settings) -> None:
    channel = get_channel("sms", settings)
    channel.send(sms())

    assert channel.reconcile(sms(), datetime.now(UTC) + timedelta(minutes=5)) is None
    assert channel.reconcile(sms("Never sent"), datetime.now(UTC) - timedelta(minutes=5)) is None


def test_reconcile_that_cannot_ask_raises_a_transient_error(sim: Simulator, settings: Settings) -> None:
    channel = get_channel("sms", settings)
    sim.stop()

    with pytest.raises(ChannelError) as info:
        channel.reconcile(sms(), datetime.now(UTC))
    assert not info.value.permanent


def test_one_twilio_channel_serves_many_threads(sim: Simulator, settings: Settings) -> None:
    channel = get_channel("sms", settings)
    sids: list[str] = []

    def send_some(worker: int) -> None:
        for i in range(25):
            sids.append(channel.send(sms(f"worker {worker} message {i}")).provider_id)

    threads = [threading.Thread(target=send_some, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(set(sids)) == 200
    assert len(sim.received) == 200


# -- email ------------------------------------------------------------------------------------


def test_email_has_both_parts_custom_args_and_one_click_unsubscribe(sim: Simulator, settings: Settings) -> None:
    result = get_channel("email", settings).send(email())

    [got] = sim.received
    assert got.provider == "sendgrid"
    assert (got.to, got.from_, got.subject) == (LEAD_EMAIL, "Short Sale Help <help@example.com>", email().subject)
    assert got.body == email().text
    assert got.html == email().html
    assert [c["type"] for c in got.json["content"]] == ["text/plain", "text/html"]
    assert got.json["custom_args"] == {"message_id": "8", "lead_id": "3"}
    assert got.headers == {
        "List-Unsubscribe": "<https://nurture.example.com/unsubscribe/tok123>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert result.provider_id == got.provider_id  # the X-Message-Id header
    assert len(result.provider_id) == 22


def test_email_without_unsubscribe_url_has_no_list_unsubscribe(sim: Simulator, settings: Settings) -> None:
    msg = email()
    msg.unsubscribe_url = None
    msg.html = None

    get_channel("email", settings).send(msg)

    [got] = sim.received
    assert got.headers == {}
    assert [c["type"] for c in got.json["content"]] == ["text/plain"]


def test_sendgrid_rate_limit_is_transient_with_retry_after(sim: Simulator, settings: Settings) -> None:
    sim.fail_next(1, status=429, retry_after=2, provider="sendgrid")

    error = send_error(get_channel("email", settings), email())

    assert not error.permanent
    assert error.code == "429"
    assert error.retry_after is not None and 1.0 <= error.retry_after <= 3.0
    assert error.reason == "too many requests"


@pytest.mark.parametrize("status", [500, 503])
def test_sendgrid_server_error_is_transient(sim: Simulator, settings: Settings, status: int) -> None:
    sim.fail_next(1, status=status)

    error = send_error(get_channel("email", settings), email())

    assert not error.permanent
    assert error.code == str(status)


def test_sendgrid_timeout_is_transient_and_maybe_sent(sim: Simulator, settings: Settings) -> None:
    sim.delay = 1.0

    error = send_error(SendGridChannel(settings, timeout=0.2), email())

    assert not error.permanent
    assert error.maybe_sent


def test_unreachable_sendgrid_is_transient_and_not_sent(sim: Simulator, settings: Settings) -> None:
    channel = get_channel("email", settings)
    sim.stop()

    error = send_error(channel, email())

    assert not error.permanent and not error.maybe_sent


class _LoopbackServer:
    """A TCP server on loopback; each connection it accepts goes to `handle` (in the accepting thread)."""

    def __init__(self) -> None:
        import socket

        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.handle(conn)

    def handle(self, conn) -> None:  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def close(self) -> None:
        self._server.close()


class _OneAnswer(_LoopbackServer):
    """Reads each request, counts it, sends `answer` and closes the connection. With no answer it
    hangs up: the provider took the request and the answer never came."""

    def __init__(self, answer: bytes = b"") -> None:
        self.answer = answer
        self.requests = 0
        super().__init__()

    def handle(self, conn) -> None:  # type: ignore[no-untyped-def]
        with conn:
            if conn.recv(65536):
                self.requests += 1
                if self.answer:
                    conn.sendall(self.answer)


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_an_answer_cut_off_after_the_request_left_is_transient_and_maybe_sent(
        settings: Settings, channel: str) -> None:
    hang_up = _OneAnswer()
    try:
        at = settings.model_copy(update={"twilio_api_base": hang_up.url, "sendgrid_host": hang_up.url})
        sender = TwilioChannel(at) if channel == "sms" else SendGridChannel(at)

        error = send_error(sender, sms() if channel == "sms" else email())

        assert hang_up.requests == 1  # it reached the provider once, and was not sent again
        assert not error.permanent
        assert error.maybe_sent  # settled by asking the provider (or its events), never sent blindly again
    finally:
        hang_up.close()


class _UntrustedTls(_LoopbackServer):
    """An HTTPS server on loopback whose certificate no client trusts (self-signed, made here):
    counts the requests that reached it past the handshake."""

    def __init__(self, tmp_path: Path) -> None:
        import ssl
        from datetime import timedelta as _td

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - _td(hours=1))
                .not_valid_after(now + _td(hours=1)).sign(key, hashes.SHA256()))
        (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                             serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
        self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
        self.requests = 0
        super().__init__()
        self.url = self.url.replace("http://", "https://")

    def handle(self, conn) -> None:  # type: ignore[no-untyped-def]
        import ssl

        try:
            with self._tls.wrap_socket(conn, server_side=True) as tls:
                if tls.recv(65536):
                    self.requests += 1
        except (ssl.SSLError, OSError):
            pass  # the client refused the certificate


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_refused_certificate_is_transient_and_certainly_not_sent(settings: Settings, tmp_path: Path,
                                                                    channel: str) -> None:
    """Refused in the TLS handshake, before any of the request left: retried later, never taken
    for "maybe sent" (which would send every email of a misconfigured machine to review)."""
    server = _UntrustedTls(tmp_path)
    try:
        at = settings.model_copy(update={"twilio_api_base": server.url, "sendgrid_host": server.url})
        sender = TwilioChannel(at) if channel == "sms" else SendGridChannel(at)

        error = send_error(sender, sms() if channel == "sms" else email())

        assert server.requests == 0
        assert not error.permanent and not error.maybe_sent
        assert "certificate was refused" in error.reason
    finally:
        server.close()


#: What a wrong address (http:// for https://) answers to everything.
_REDIRECT = (b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://api.example.com/\r\n"
             b"Content-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_provider_address_that_redirects_pauses_the_channel_instead_of_counting_as_sent(
        settings: Settings, channel: str) -> None:
    """A redirect accepted nothing: the message is neither sent nor failed, the channel pauses
    (as for a refused credential) and the words name the setting to fix."""
    server = _OneAnswer(_REDIRECT)
    try:
        at = settings.model_copy(update={"twilio_api_base": server.url, "sendgrid_host": server.url})
        sender = TwilioChannel(at) if channel == "sms" else SendGridChannel(at)

        error = send_error(sender, sms() if channel == "sms" else email())

        assert server.requests == 1  # not followed, not sent again
        assert error.auth and not error.permanent and not error.maybe_sent and error.code == "301"
        assert ("NURTURE_TWILIO_API_BASE" if channel == "sms" else "NURTURE_SENDGRID_HOST") in error.reason
    finally:
        server.close()


def test_sendgrid_bad_request_is_permanent_with_its_message(sim: Simulator, settings: Settings) -> None:
    error = send_error(get_channel("email", settings), email(to="not-an-address"))

    assert error.permanent
    assert error.code == "400"
    assert error.reason == "personalizations.0.to.0.email: Does not contain a valid address."
    assert sim.received == []


def test_a_wrong_sendgrid_key_pauses_the_channel_instead_of_failing_the_message(
        sim: Simulator, settings: Settings) -> None:
    channel = SendGridChannel(settings.model_copy(update={"sendgrid_api_key": "SG.wrong"}))

    error = send_error(channel, email())

    assert error.auth and not error.permanent and error.code == "401"
    assert "authorization grant is invalid" in error.reason
    with pytest.raises(ChannelError) as checked:
        channel.check()
    assert checked.value.auth
    SendGridChannel(settings).check()


def test_email_reconcile_is_unknown(sim: Simulator, settings: Settings) -> None:
    channel = get_channel("email", settings)
    channel.send(email())

    assert channel.reconcile(email(), datetime.now(UTC) - timedelta(minutes=1)) is None


def test_email_channel_refuses_a_sender_without_address(settings: Settings) -> None:
    with pytest.raises(ValueError, match="NURTURE_EMAIL_FROM"):
        SendGridChannel(settings.model_copy(update={"email_from": "Short Sale Help"}))


# -- outbox and choice of channel -------------------------------------------------------------


def test_outbox_writes_the_message_and_marks_it_delivered() -> None:
    settings = get_settings()
    outbox = Path(settings.outbox_dir)

    sms_result = get_channel("sms", settings).send(sms())
    email_result = get_channel("email", settings).send(email())

    assert (sms_result.provider_id, sms_result.status, sms_result.delivered) == ("outbox-7", "delivered", True)
    assert email_result.provider_id == "outbox-8" and email_result.delivered
    sms_file = (outbox / "sms" / "7.txt").read_text()
    assert f"To: {LEAD_PHONE}" in sms_file and sms().text in sms_file
    assert not (outbox / "sms" / "7.html").exists()
    email_file = (outbox / "email" / "8.txt").read_text()
    assert "Subject: What a short sale is" in email_file
    assert "List-Unsubscribe: <https://nurture.example.com/unsubscribe/tok123>" in email_file
    assert (outbox / "email" / "8.html").read_text() == email().html


def test_outbox_reconcile_knows_what_it_wrote() -> None:
    channel = get_channel("sms", get_settings())
    channel.send(sms())

    found = channel.reconcile(sms(), datetime.now(UTC))
    assert found is not None and found.provider_id == "outbox-7"
    assert channel.reconcile(sms(message_id=99), datetime.now(UTC)) is None


def test_outbox_is_safe_from_many_threads() -> None:
    channel = get_channel("email", get_settings())

    def write(start: int) -> None:
        for i in range(start, start + 20):
            channel.send(email(message_id=i))

    threads = [threading.Thread(target=write, args=(n * 20,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    folder = Path(get_settings().outbox_dir) / "email"
    assert len(list(folder.glob("*.txt"))) == 120
    assert len(list(folder.glob("*.html"))) == 120
    assert not list(folder.glob(".*"))  # no temporary files left behind


def test_channels_without_credentials_are_the_outbox() -> None:
    settings = get_settings()

    assert isinstance(get_channel("sms", settings), OutboxChannel)
    assert isinstance(get_channel("email", settings), OutboxChannel)


def test_configured_channels_are_the_providers_and_are_reused(sim: Simulator, settings: Settings) -> None:
    sms_channel = get_channel("sms", settings)

    assert isinstance(sms_channel, TwilioChannel)
    assert isinstance(get_channel("email", settings), SendGridChannel)
    assert get_channel("sms", settings) is sms_channel
    assert get_channel("sms", Settings(**settings.model_dump())) is sms_channel
    assert get_channel("sms", settings.model_copy(update={"twilio_from": "+13055550101"})) is not sms_channel


def test_unknown_channel_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        get_channel("fax", get_settings())


# -- connections ------------------------------------------------------------------------------


class _CountingProxy(_LoopbackServer):
    """A TCP relay on loopback in front of the simulator that counts the connections clients open."""

    def __init__(self, target_port: int) -> None:
        import socket

        self.target_port = target_port
        self.accepted = 0
        self._open: list[socket.socket] = []
        super().__init__()

    def handle(self, client) -> None:  # type: ignore[no-untyped-def]
        import socket

        self.accepted += 1
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        self._open += [client, upstream]
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst) -> None:  # type: ignore[no-untyped-def]
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(1)
            except OSError:
                pass

    def close(self) -> None:
        super().close()
        for s in self._open:
            s.close()


def test_sends_reuse_one_connection_per_provider(sim: Simulator, settings: Settings,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty texts and twenty emails, one after the other, through a relay that counts TCP
    connections: each provider's client keeps one alive instead of opening one per message."""
    from urllib.parse import urlsplit

    proxy = _CountingProxy(urlsplit(sim.url).port)  # type: ignore[arg-type]
    try:
        monkeypatch.setenv("NURTURE_TWILIO_API_BASE", proxy.url)
        monkeypatch.setenv("NURTURE_SENDGRID_HOST", proxy.url)
        get_settings.cache_clear()
        clear_channel_cache()
        texts, emails = get_channel("sms", get_settings()), get_channel("email", get_settings())
        for i in range(20):
            texts.send(sms(f"message {i}", message_id=100 + i))
            emails.send(email(message_id=200 + i))
        assert len(sim.received) == 40
        assert proxy.accepted == 2
    finally:
        proxy.close()
