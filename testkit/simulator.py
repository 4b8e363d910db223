"""A loopback stand-in for Twilio's Messages API and SendGrid's Mail Send, for tests and benchmarks.

It also answers Twilio's carrier-registration reads (Messaging v1: a Messaging Service's A2P campaign,
brand registrations, toll-free verifications), approved unless a test sets another status:
``sim.set_a2p_status("PENDING")``, ``sim.set_tollfree_status("+18885550100", "PENDING_REVIEW")``.

It answers with the providers' real status codes and error bodies, records what it received, and
injects faults on demand: rate limits, 5xx, per-recipient rejections, slow answers and timeouts.

In process::

    with Simulator() as sim:                 # sim.url == "http://127.0.0.1:<port>"
        sim.fail_next(2, status=429, retry_after=1)
        ...
        assert sim.received[0].to == "+13055550142"

Shared by several processes: ``python -m testkit.simulator --port 8025`` and, elsewhere,
``RemoteSimulator("http://127.0.0.1:8025")``, which has the same methods over the control
endpoints ``GET /_sim/received``, ``GET /_sim/stats``, ``POST /_sim/reset`` and ``POST /_sim/faults``.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import secrets
import signal
import sys
import threading
import time
import traceback
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from nurture.clock import now as nurture_now
from nurture.content.sms import sms_segments

TWILIO = "twilio"
SENDGRID = "sendgrid"

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_TWILIO_LIST = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
_TWILIO_ONE = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json$")
_TWILIO_ACCOUNT = re.compile(r"^/2010-04-01/Accounts/([^/]+)\.json$")
# Messaging v1 (messaging.twilio.com: the SDK's messaging domain, pointed here as api.twilio.com is).
_TWILIO_A2P_CAMPAIGNS = re.compile(r"^/v1/Services/([^/]+)/Compliance/Usa2p$")
_TWILIO_BRANDS = "/v1/a2p/BrandRegistrations"
_TWILIO_TOLLFREE = "/v1/Tollfree/Verifications"
#: The statuses a registration starts with: approved, so a test sends unless it says otherwise.
A2P_APPROVED, BRAND_APPROVED, TOLLFREE_APPROVED = "VERIFIED", "APPROVED", "TWILIO_APPROVED"
_SENDGRID_SEND = "/v3/mail/send"
_SENDGRID_SCOPES = "/v3/scopes"


# Twilio's wording for the codes the simulator answers with; {to}/{from_} are filled in.
TWILIO_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number: {to}, is not currently reachable using the 'From' phone number: "
    "{from_} via SMS.",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    21635: "'To' number cannot be a Landline",
    30006: "Landline or unreachable carrier",
}
_TWILIO_DEFAULT_CODE = {400: 21211, 401: 20003, 404: 20404, 429: 20429, 500: 20500, 502: 20500, 503: 20503}
_SENDGRID_DEFAULT_MESSAGE = {
    400: "Bad Request",
    401: "The provided authorization grant is invalid, expired, or revoked",
    403: "access forbidden",
    413: "Payload Too Large",
    429: "too many requests",
    500: "internal server error",
    503: "service unavailable",
}


@dataclass
class Received:
    """One message the simulator accepted (one per recipient)."""

    provider: str
    to: str
    from_: str | None
    body: str
    subject: str | None
    headers: dict[str, str]
    json: dict[str, Any]
    at: datetime
    provider_id: str = ""
    html: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Received:
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})


@dataclass
class Fault:
    """An error answer: for the next sends (fail_next) or for one recipient (reject)."""

    status: int
    code: int | None = None
    message: str | None = None
    retry_after: float | None = None
    provider: str | None = None  # None: either provider


@dataclass
class _State:
    received: list[Received] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {TWILIO: 0, SENDGRID: 0})
    pending: deque[Fault] = field(default_factory=deque)
    rejects: dict[str, Fault] = field(default_factory=dict)
    # Twilio messages by account, newest last, for the list and fetch endpoints.
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_sid: dict[str, dict[str, Any]] = field(default_factory=dict)
    delay: float = 0.0
    # Every n-th provider request waits this long (a provider that sometimes answers too late).
    delay_every: int = 0
    delay_every_seconds: float = 0.0
    requests: int = 0
    # Carrier registration (Messaging v1): the A2P campaign status per Messaging Service (None: no
    # campaign), the brand's status, and toll-free verification statuses per number.
    a2p: dict[str, str | None] = field(default_factory=dict)
    a2p_default: str | None = A2P_APPROVED
    brand: str | None = BRAND_APPROVED
    tollfree: dict[str, str] = field(default_factory=dict)


class Simulator:
    """The provider simulator: a threaded HTTP server on 127.0.0.1."""

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        account_sid: str | None = None,
        auth_token: str | None = None,
        sendgrid_api_key: str | None = None,
        keep_payloads: bool = True,
        clock: Callable[[], datetime] = nurture_now,
        events_url: str | None = None,
        events_key: Any = None,
    ) -> None:
        """Credentials left None accept any non-empty value; `clock` stamps messages (nurture's by
        default, so tests that move time see provider dates move with it).

        With `events_url` and `events_key` (a cryptography EC private key, P-256), every email
        accepted is followed by SendGrid's signed event webhook: `processed` then `delivered`,
        carrying the message's custom_args, as SendGrid posts them."""
        self.events_url = events_url
        self.events_key = events_key
        self._events: deque[list[dict[str, Any]]] = deque()
        self._events_ready = threading.Condition()
        self.host = host
        self.port = port
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sendgrid_api_key = sendgrid_api_key
        self.keep_payloads = keep_payloads
        self.clock = clock
        self._state = _State()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not running: call start()")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> str:
        """Start serving in a background thread; return the base URL."""
        if self._server is not None:
            return self.url
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="provider-simulator", daemon=True
        )
        self._thread.start()
        if self.events_url:
            threading.Thread(target=self._post_events, name="simulator-events", daemon=True).start()
        return self.url

    def stop(self) -> None:
        """Stop serving; answers still being delayed are dropped."""
        self._stopping.set()
        with self._events_ready:
            self._events_ready.notify_all()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- record --------------------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        """A copy of everything accepted so far, oldest first."""
        with self._lock:
            return list(self._state.received)

    def received_since(self, offset: int) -> list[Received]:
        with self._lock:
            return self._state.received[offset:]

    def stats(self) -> dict[str, int]:
        """How many messages each provider accepted (cheap to poll from a benchmark)."""
        with self._lock:
            counts = dict(self._state.counts)
        return {**counts, "total": counts[TWILIO] + counts[SENDGRID]}

    def clear(self) -> None:
        """Forget everything received, every pending fault, rejection and delay."""
        with self._lock:
            self._state = _State()

    # -- faults --------------------------------------------------------------------------------

    @property
    def delay(self) -> float:
        return self._state.delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        """Seconds every provider request waits before it is handled (longer than the client's
        timeout makes a timeout; the request is still handled afterwards, as a slow provider would)."""
        with self._lock:
            self._state.delay = max(0.0, float(seconds))

    def delay_every(self, n: int, seconds: float) -> None:
        """Every `n`-th provider request waits `seconds` before it is handled (0 turns it off)."""
        with self._lock:
            self._state.delay_every = max(0, int(n))
            self._state.delay_every_seconds = max(0.0, float(seconds))

    def _delay_for_request(self) -> float:
        with self._lock:
            state = self._state
            state.requests += 1
            if state.delay_every and state.requests % state.delay_every == 0:
                return max(state.delay, state.delay_every_seconds)
            return state.delay

    # -- SendGrid's event webhook ----------------------------------------------------------------

    def _queue_events(self, events: list[dict[str, Any]]) -> None:
        with self._events_ready:
            self._events.append(events)
            self._events_ready.notify()

    def _post_events(self) -> None:
        """Post queued events to events_url, signed as SendGrid signs them; retried like SendGrid."""
        import base64

        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        while not self._stopping.is_set():
            with self._events_ready:
                while not self._events and not self._stopping.is_set():
                    self._events_ready.wait(0.5)
                if self._stopping.is_set():
                    return
                batch = self._events.popleft()
            body = json.dumps(batch)
            for attempt in range(20):
                stamp = str(int(time.time()))
                signature = base64.b64encode(
                    self.events_key.sign((stamp + body).encode(), ec.ECDSA(hashes.SHA256()))).decode()
                request = urllib.request.Request(self.events_url, data=body.encode(), method="POST", headers={
                    "Content-Type": "application/json",
                    "X-Twilio-Email-Event-Webhook-Signature": signature,
                    "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
                })
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        if answer.status < 300:
                            break
                except OSError:
                    pass
                if self._stopping.wait(min(5.0, 0.2 * 2 ** attempt)):
                    return

    def fail_next(
        self,
        n: int = 1,
        status: int = 429,
        *,
        retry_after: float | None = None,
        code: int | None = None,
        message: str | None = None,
        provider: str | None = None,
    ) -> None:
        """Answer the next `n` sends (to `provider`, or either) with `status` instead of accepting them."""
        if provider not in (None, TWILIO, SENDGRID):
            raise ValueError(f"provider must be {TWILIO!r}, {SENDGRID!r} or None")
        fault = Fault(status=status, code=code, message=message, retry_after=retry_after, provider=provider)
        with self._lock:
            self._state.pending.extend(fault for _ in range(n))

    def reject(self, to: str, status: int = 400, *, code: int | None = 21610, message: str | None = None) -> None:
        """Refuse every send to `to` (a phone number or an email address) with this error."""
        with self._lock:
            self._state.rejects[to] = Fault(status=status, code=code, message=message)

    # -- carrier registration ------------------------------------------------------------------

    def set_a2p_status(self, status: str | None, service: str | None = None) -> None:
        """The `campaign_status` of the A2P 10DLC campaign of `service` (every Messaging Service
        when None): VERIFIED, PENDING, IN_PROGRESS, FAILED...; None: no campaign registered."""
        with self._lock:
            if service is None:
                self._state.a2p_default = status
                self._state.a2p.clear()
            else:
                self._state.a2p[service] = status

    def set_brand_status(self, status: str | None) -> None:
        """The A2P brand's status (APPROVED, PENDING, IN_REVIEW, FAILED...); None: no brand registered."""
        with self._lock:
            self._state.brand = status

    def set_tollfree_status(self, number: str, status: str | None) -> None:
        """The toll-free verification status of `number` (TWILIO_APPROVED, PENDING_REVIEW, IN_REVIEW,
        TWILIO_REJECTED); None: no verification submitted."""
        with self._lock:
            if status is None:
                self._state.tollfree.pop(number, None)
            else:
                self._state.tollfree[number] = status

    def apply_faults(self, spec: dict[str, Any]) -> None:
        """The JSON form of the fault calls, as POST /_sim/faults takes it."""
        if "delay" in spec:
            self.delay = float(spec["delay"])
        if "delay_every" in spec:
            self.delay_every(**spec["delay_every"])
        for item in _as_list(spec.get("fail_next")):
            self.fail_next(**item)
        for item in _as_list(spec.get("reject")):
            self.reject(**item)
        for item in _as_list(spec.get("a2p_status")):
            self.set_a2p_status(**item)
        if "brand_status" in spec:
            self.set_brand_status(spec["brand_status"])
        for item in _as_list(spec.get("tollfree_status")):
            self.set_tollfree_status(**item)

    # -- used by the handler -------------------------------------------------------------------

    def _take_fault(self, provider: str, to: str | None) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self._state.pending):
                if fault.provider in (None, provider):
                    del self._state.pending[i]
                    return fault
            return self._state.rejects.get(to) if to else None

    def _record(self, item: Received) -> None:
        if not self.keep_payloads:
            item.json = {}
        with self._lock:
            self._state.received.append(item)
            self._state.counts[item.provider] += 1

    def _store_sms(self, account: str, message: dict[str, Any]) -> None:
        with self._lock:
            self._state.messages.setdefault(account, []).append(message)
            self._state.by_sid[message["sid"]] = message

    def _list_sms(self, account: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(reversed(self._state.messages.get(account, [])))

    def _fetch_sms(self, sid: str) -> dict[str, Any] | None:
        with self._lock:
            return self._state.by_sid.get(sid)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # Several worker processes open connections at once; the default backlog of 5 drops them.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], sim: Simulator) -> None:
        self.sim = sim
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is expected here, not worth a traceback.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nurture-simulator"
    sys_version = ""
    # Headers and body go out in one write; without this, Nagle and delayed ACKs add 40 ms stalls.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        try:
            self._route(method)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:
            # A bug in the simulator shows as a 500 and a traceback, not as a dropped connection.
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            self._json(500, {"code": 20500, "message": "simulator error", "status": 500})

    # -- routing -------------------------------------------------------------------------------

    def _route(self, method: str) -> None:
        sim = self.server.sim
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        body = self._read_body()
        if path.startswith("/_sim/"):
            return self._control(method, path, query, body)
        wait = sim._delay_for_request()
        if wait and sim._stopping.wait(wait):
            self.close_connection = True
            return
        if path == _SENDGRID_SEND:
            if method != "POST":
                return self._sendgrid_error(405, "method not allowed")
            return self._sendgrid_send(body)
        if path == _SENDGRID_SCOPES:
            if self._sendgrid_authorised():
                self._json(200, {"scopes": ["mail.send"]})
            return None
        if campaign := _TWILIO_A2P_CAMPAIGNS.match(path):
            service = campaign.group(1)
            return self._twilio_registration(path, query, "compliance", lambda acct: self._a2p(acct, service))
        if path == _TWILIO_BRANDS:
            return self._twilio_registration(path, query, "data", self._brands)
        if path == _TWILIO_TOLLFREE:
            return self._twilio_registration(path, query, "verifications", self._tollfree)
        if match := _TWILIO_ACCOUNT.match(path):
            if self._twilio_authorised(match.group(1)):
                self._json(200, {"sid": match.group(1), "status": "active", "type": "Full",
                                 "friendly_name": "nurture simulator"})
            return None
        if match := _TWILIO_LIST.match(path):
            if not self._twilio_authorised(match.group(1)):
                return
            if method == "POST":
                return self._twilio_create(match.group(1), body)
            return self._twilio_list(match.group(1), path, query)
        if match := _TWILIO_ONE.match(path):
            if not self._twilio_authorised(match.group(1)):
                return
            message = sim._fetch_sms(match.group(2))
            if message is None or message["account_sid"] != match.group(1):
                return self._twilio_error(404, 20404, path=path)
            return self._json(200, message)
        return self._twilio_error(404, 20404, path=path)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    # -- Twilio --------------------------------------------------------------------------------

    def _twilio_authorised(self, account: str) -> bool:
        sim = self.server.sim
        user, password = _basic_auth(self.headers.get("Authorization"))
        ok = bool(user and password) and (user == account or user.startswith("SK"))
        if ok and sim.account_sid is not None:
            ok = account == sim.account_sid
        if ok and sim.auth_token is not None:
            ok = password == sim.auth_token
        if not ok:
            self._json(
                401,
                {
                    "code": 20003,
                    "detail": "Your AccountSid or AuthToken was incorrect.",
                    "message": "Authenticate",
                    "more_info": "https://www.twilio.com/docs/errors/20003",
                    "status": 401,
                },
                headers={"WWW-Authenticate": 'Basic realm="Twilio API"'},
            )
        return ok

    # -- Twilio Messaging v1: carrier registration (read only) ---------------------------------

    def _twilio_registration(self, path: str, query: dict[str, list[str]], key: str,
                             records: Callable[[str], list[dict[str, Any]]]) -> None:
        """A v1 list page as Twilio answers it: the records under `key`, and `meta` naming the key."""
        user, _ = _basic_auth(self.headers.get("Authorization"))
        account = self.server.sim.account_sid or user
        if not self._twilio_authorised(account):
            return
        size = max(1, min(1000, int(query.get("PageSize", ["50"])[0] or 50)))
        found = records(account)
        url = f"https://messaging.twilio.com{path}?PageSize={size}&Page=0"
        self._json(200, {key: found[:size], "meta": {
            "page": 0, "page_size": size, "first_page_url": url, "previous_page_url": None, "url": url,
            "next_page_url": None, "key": key}})

    def _a2p(self, account: str, service: str) -> list[dict[str, Any]]:
        state = self.server.sim._state
        with self.server.sim._lock:
            status = state.a2p.get(service, state.a2p_default)
        if status is None:
            return []
        stamp = "2026-01-05T16:00:00Z"
        return [{
            "sid": "QE" + uuid.uuid5(uuid.NAMESPACE_URL, service).hex, "account_sid": account,
            "brand_registration_sid": "BN" + uuid.uuid5(uuid.NAMESPACE_URL, account).hex,
            "messaging_service_sid": service, "description": "Follow-up texts to homeowners who asked for help",
            "us_app_to_person_usecase": "MIXED", "has_embedded_links": True, "has_embedded_phone": False,
            "campaign_status": status, "campaign_id": "CFOOBAR" if status == A2P_APPROVED else None,
            "is_externally_registered": False,
            "rate_limits": {"att": {"mps": 75, "msg_class": "A"}, "tmobile": {"brand_tier": "TOP"}},
            "errors": [] if status != "FAILED" else [{"code": 30896, "fields": ["MESSAGE_FLOW"],
                                                     "description": "Opt-in information is missing"}],
            "date_created": stamp, "date_updated": stamp, "mock": False,
            "url": f"https://messaging.twilio.com/v1/Services/{service}/Compliance/Usa2p/QE",
        }]

    def _brands(self, account: str) -> list[dict[str, Any]]:
        with self.server.sim._lock:
            status = self.server.sim._state.brand
        if status is None:
            return []
        sid = "BN" + uuid.uuid5(uuid.NAMESPACE_URL, account).hex
        return [{"sid": sid, "account_sid": account, "brand_type": "STANDARD", "status": status,
                 "tcr_id": "BXXXXXX", "failure_reason": None, "errors": [], "brand_score": 82,
                 "identity_status": "VERIFIED", "russell_3000": False, "government_entity": False,
                 "date_created": "2026-01-02T16:00:00Z", "date_updated": "2026-01-03T16:00:00Z", "mock": False,
                 "url": f"https://messaging.twilio.com/v1/a2p/BrandRegistrations/{sid}"}]

    def _tollfree(self, account: str) -> list[dict[str, Any]]:
        with self.server.sim._lock:
            numbers = dict(self.server.sim._state.tollfree)
        found = []
        for number, status in numbers.items():
            sid = "HH" + uuid.uuid5(uuid.NAMESPACE_URL, number).hex
            found.append({
                "sid": sid, "account_sid": account, "business_name": "Short Sale Help",
                "tollfree_phone_number_sid": "PN" + uuid.uuid5(uuid.NAMESPACE_DNS, number).hex,
                "tollfree_phone_number": number, "status": status, "message_volume": "10,000",
                "rejection_reason": "Opt-in process not shown" if status == "TWILIO_REJECTED" else None,
                "error_code": 30509 if status == "TWILIO_REJECTED" else None,
                "edit_allowed": status == "TWILIO_REJECTED",
                "date_created": "2026-01-02T16:00:00Z", "date_updated": "2026-01-03T16:00:00Z",
                "url": f"https://messaging.twilio.com/v1/Tollfree/Verifications/{sid}",
            })
        return found

    def _twilio_create(self, account: str, raw: bytes) -> None:
        sim = self.server.sim
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
        to, from_ = form.get("To", ""), form.get("From")
        service = form.get("MessagingServiceSid")
        body = form.get("Body", "")
        fault = sim._take_fault(TWILIO, to)
        if fault is not None:
            return self._twilio_fault(fault, to=to, from_=from_)
        if not to:
            return self._twilio_error(400, 21604)
        if not (from_ or service):
            return self._twilio_error(400, 21603)
        if not body and not form.get("MediaUrl") and not form.get("ContentSid"):
            return self._twilio_error(400, 21602)
        if not _E164.match(to):
            return self._twilio_error(400, 21211, to=to)
        if len(body) > 1600:
            return self._twilio_error(400, 21617)
        at = sim.clock()
        sid = "SM" + uuid.uuid4().hex
        stamp = format_datetime(at.astimezone(UTC))
        uri = f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"
        segments = str(sms_segments(body).segments)
        message = {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": stamp,
            "date_sent": None,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": "0",
            # Twilio reports 0 segments until a Messaging Service has picked the sender.
            "num_segments": segments if from_ else "0",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued" if from_ else "accepted",
            "to": to,
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"},
            "uri": uri,
        }
        sim._record(
            Received(TWILIO, to=to, from_=from_ or service, body=body, subject=None, headers={}, json=form, at=at,
                     provider_id=sid)
        )
        # What a later list or fetch shows: the carrier took it at once.
        sim._store_sms(account, {**message, "status": "sent", "date_sent": stamp, "num_segments": segments})
        self._json(201, message)

    def _twilio_list(self, account: str, path: str, query: dict[str, list[str]]) -> None:
        sim = self.server.sim
        arg = {k: v[0] for k, v in query.items()}
        try:
            after = _parse_twilio_date(arg.get("DateSent>"))
            before = _parse_twilio_date(arg.get("DateSent<"))
            on = _parse_twilio_date(arg.get("DateSent"))
            size = max(1, min(1000, int(arg.get("PageSize", 50))))
            page = max(0, int(arg.get("Page", 0)))
        except ValueError:
            return self._twilio_error(400, 20001, message="Invalid query parameter")
        matches = []
        for message in sim._list_sms(account):
            if "To" in arg and message["to"] != arg["To"]:
                continue
            if "From" in arg and message["from"] != arg["From"]:
                continue
            sent = _parse_rfc2822(message["date_sent"])
            if after and (sent is None or sent < after):
                continue
            if before and (sent is None or sent > before):
                continue
            if on and (sent is None or sent.date() != on.date()):
                continue
            matches.append(message)
        start = page * size
        chunk = matches[start : start + size]
        filters = {k: v for k, v in arg.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int) -> str:
            return f"{path}?{urlencode({**filters, 'PageSize': size, 'Page': number})}"

        has_next = start + size < len(matches)
        self._json(
            200,
            {
                "end": start + max(0, len(chunk) - 1),
                "first_page_uri": page_uri(0),
                "messages": chunk,
                "next_page_uri": page_uri(page + 1) if has_next else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": page_uri(page - 1) if page > 0 else None,
                "start": start,
                "uri": page_uri(page),
            },
        )

    def _twilio_fault(self, fault: Fault, *, to: str, from_: str | None) -> None:
        code = fault.code or _TWILIO_DEFAULT_CODE.get(fault.status, fault.status)
        headers = {"Retry-After": _seconds(fault.retry_after)} if fault.retry_after is not None else None
        self._twilio_error(fault.status, code, message=fault.message, to=to, from_=from_, headers=headers)

    def _twilio_error(
        self,
        status: int,
        code: int,
        *,
        message: str | None = None,
        to: str = "",
        from_: str | None = None,
        path: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        text = message or TWILIO_MESSAGES.get(code, _phrase(status)).format(to=to, from_=from_, path=path)
        payload = {"code": code, "message": text, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                   "status": status}
        self._json(status, payload, headers=headers)

    # -- SendGrid ------------------------------------------------------------------------------

    def _sendgrid_authorised(self) -> bool:
        sim = self.server.sim
        auth = self.headers.get("Authorization") or ""
        key = auth[7:] if auth.startswith("Bearer ") else ""
        if not key or (sim.sendgrid_api_key is not None and key != sim.sendgrid_api_key):
            self._sendgrid_error(401, _SENDGRID_DEFAULT_MESSAGE[401])
            return False
        return True

    def _sendgrid_send(self, raw: bytes) -> None:
        sim = self.server.sim
        if not self._sendgrid_authorised():
            return None
        try:
            payload = json.loads(raw)
            if not isinstance(payload, dict):
                raise ValueError
        except ValueError:
            return self._sendgrid_error(400, "Bad Request")
        recipients = [
            (i, to.get("email", "")) for i, p in enumerate(_dicts(payload.get("personalizations"))) for to in
            _dicts(p.get("to"))
        ]
        fault = sim._take_fault(SENDGRID, recipients[0][1] if recipients else None)
        if fault is None:
            for _, address in recipients[1:]:
                fault = sim._take_fault(SENDGRID, address)
                if fault:
                    break
        if fault is not None:
            return self._sendgrid_fault(fault)
        problem = _sendgrid_problem(payload)
        if problem:
            return self._sendgrid_error(400, problem[1], field=problem[0], help=problem[2])
        message_id = secrets.token_urlsafe(16)[:22]
        content = {c.get("type"): c.get("value") for c in _dicts(payload.get("content"))}
        sender = payload["from"]
        at = sim.clock()
        for index, address in recipients:
            personalization = payload["personalizations"][index]
            sim._record(
                Received(
                    SENDGRID,
                    to=address,
                    from_=_format_address(sender),
                    body=content.get("text/plain") or "",
                    subject=personalization.get("subject") or payload.get("subject"),
                    headers={**(payload.get("headers") or {}), **(personalization.get("headers") or {})},
                    json=payload,
                    at=at,
                    provider_id=message_id,
                    html=content.get("text/html"),
                )
            )
        self._reply(202, b"", content_type=None, headers={"X-Message-Id": message_id})
        if sim.events_url:
            stamp = int(time.time())
            args = {k: str(v) for k, v in (payload.get("custom_args") or {}).items()}
            for kind in ("processed", "delivered"):
                sim._queue_events([{"email": address, "timestamp": stamp, "event": kind,
                                    "sg_event_id": secrets.token_urlsafe(16), "sg_message_id": f"{message_id}.filter0001",
                                    **args} for _, address in recipients])

    def _sendgrid_fault(self, fault: Fault) -> None:
        headers = None
        if fault.status == 429:
            reset = time.time() + (fault.retry_after if fault.retry_after is not None else 1)
            headers = {"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0",
                       "X-RateLimit-Reset": str(int(-(-reset // 1)))}
        message = fault.message or _SENDGRID_DEFAULT_MESSAGE.get(fault.status, _phrase(fault.status))
        self._sendgrid_error(fault.status, message, headers=headers)

    def _sendgrid_error(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        help: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._json(status, {"errors": [{"message": message, "field": field, "help": help}]}, headers=headers)

    # -- control -------------------------------------------------------------------------------

    def _control(self, method: str, path: str, query: dict[str, list[str]], raw: bytes) -> None:
        sim = self.server.sim
        if method == "GET" and path == "/_sim/received":
            offset = int(query.get("offset", ["0"])[0])
            items = sim.received_since(offset)
            return self._json(200, {"offset": offset, "received": [r.to_dict() for r in items]})
        if method == "GET" and path == "/_sim/stats":
            return self._json(200, sim.stats())
        if method == "POST" and path == "/_sim/reset":
            sim.clear()
            return self._json(200, {"ok": True})
        if method == "POST" and path == "/_sim/faults":
            try:
                sim.apply_faults(json.loads(raw or b"{}"))
            except (ValueError, TypeError) as exc:
                return self._json(400, {"error": str(exc)})
            return self._json(200, {"ok": True})
        return self._json(404, {"error": f"no control endpoint {method} {path}"})

    # -- answers -------------------------------------------------------------------------------

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._reply(status, json.dumps(payload).encode(), headers=headers)

    def _reply(
        self, status: int, body: bytes, *, content_type: str | None = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        lines = [f"HTTP/1.1 {status} {_phrase(status)}", f"Date: {formatdate(usegmt=True)}",
                 f"Content-Length: {len(body)}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        if self.close_connection:
            lines.append("Connection: close")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def _sendgrid_problem(payload: dict[str, Any]) -> tuple[str | None, str, str | None] | None:
    """The first thing SendGrid would refuse in a Mail Send body: (field, message, help), or None."""
    help_base = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message"
    personalizations = _dicts(payload.get("personalizations"))
    if not personalizations:
        return ("personalizations", "The personalizations field is required and must have at least one "
                "personalization.", f"{help_base}.personalizations")
    sender = payload.get("from")
    if not isinstance(sender, dict) or not sender.get("email"):
        return ("from.email", "The from object must be provided for every email send. It is an object that "
                "requires the email parameter, but may also contain a name parameter.", f"{help_base}.from")
    if not _EMAIL.match(sender["email"]):
        return ("from.email", "The from email does not contain a valid address.", f"{help_base}.from")
    for i, p in enumerate(personalizations):
        tos = _dicts(p.get("to"))
        if not tos:
            return (f"personalizations.{i}.to", "The to array is required for all personalization objects, and "
                    "must have at least one email object with a valid email address.",
                    f"{help_base}.personalizations.to")
        for j, to in enumerate(tos):
            if not _EMAIL.match(str(to.get("email", ""))):
                return (f"personalizations.{i}.to.{j}.email", "Does not contain a valid address.",
                        f"{help_base}.personalizations.to")
    if not payload.get("template_id"):
        if not payload.get("subject") and not all(p.get("subject") for p in personalizations):
            return ("subject", "The subject is required. You can get around this requirement if you use a "
                    "template with a subject defined or if every personalization has a subject defined.",
                    f"{help_base}.subject")
        content = _dicts(payload.get("content"))
        if not content or not all(c.get("value") for c in content):
            return ("content", "Unless a valid template_id is provided, the content parameter is required. "
                    "There must be at least one defined content block.", f"{help_base}.content")
        types = [c.get("type") for c in content]
        if "text/plain" in types and types[0] != "text/plain" or (
            "text/html" in types and types.index("text/html") > (1 if "text/plain" in types else 0)
        ):
            return ("content", "If present, text/plain content must be first, followed by text/html, followed "
                    "by any other content.", f"{help_base}.content")
    for name, value in (payload.get("custom_args") or {}).items():
        if not isinstance(value, str):
            return (f"custom_args.{name}", f"Invalid type. Expected: string, given: {type(value).__name__}.",
                    f"{help_base}.custom_args")
    for name, value in (payload.get("headers") or {}).items():
        if not isinstance(value, str):
            return (f"headers.{name}", f"Invalid type. Expected: string, given: {type(value).__name__}.",
                    f"{help_base}.headers")
    return None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _as_list(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _format_address(address: dict[str, Any]) -> str:
    return f"{address['name']} <{address['email']}>" if address.get("name") else address["email"]


def _basic_auth(header: str | None) -> tuple[str, str]:
    if not header or not header.startswith("Basic "):
        return "", ""
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except ValueError:
        return "", ""
    return user, password


def _parse_twilio_date(value: str | None) -> datetime | None:
    """A DateSent filter: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, in GMT."""
    if not value:
        return None
    value = value.lstrip("<>=")
    fmt = "%Y-%m-%d" if len(value) == 10 else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.strptime(value, fmt).replace(tzinfo=UTC)


def _parse_rfc2822(value: str | None) -> datetime | None:
    return parsedate_to_datetime(value) if value else None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class RemoteSimulator:
    """A simulator running in another process, driven through its control endpoints."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(
            f"{self.url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.loads(response.read())

    @property
    def received(self) -> list[Received]:
        return self.received_since(0)

    def received_since(self, offset: int) -> list[Received]:
        data = self._call("GET", f"/_sim/received?offset={offset}")
        return [Received.from_dict(item) for item in data["received"]]

    def stats(self) -> dict[str, int]:
        return self._call("GET", "/_sim/stats")

    def clear(self) -> None:
        self._call("POST", "/_sim/reset")

    @property
    def delay(self) -> float:
        raise AttributeError("the delay of a remote simulator can be set, not read")

    @delay.setter
    def delay(self, seconds: float) -> None:
        self._call("POST", "/_sim/faults", {"delay": seconds})

    def delay_every(self, n: int, seconds: float) -> None:
        self._call("POST", "/_sim/faults", {"delay_every": {"n": n, "seconds": seconds}})

    def fail_next(self, n: int = 1, status: int = 429, **options: Any) -> None:
        self._call("POST", "/_sim/faults", {"fail_next": {"n": n, "status": status, **options}})

    def reject(self, to: str, status: int = 400, **options: Any) -> None:
        self._call("POST", "/_sim/faults", {"reject": {"to": to, "status": status, **options}})

    def set_a2p_status(self, status: str | None, service: str | None = None) -> None:
        self._call("POST", "/_sim/faults", {"a2p_status": {"status": status, "service": service}})

    def set_brand_status(self, status: str | None) -> None:
        self._call("POST", "/_sim/faults", {"brand_status": status})

    def set_tollfree_status(self, number: str, status: str | None) -> None:
        self._call("POST", "/_sim/faults", {"tollfree_status": {"number": number, "status": status}})


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


class _AsgiExchange(_Handler):
    """One request handled by the same code as the threaded server, its raw answer captured."""

    def __init__(self, sim: Simulator, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        import io
        from email.message import Message as Headers

        # The base class's __init__ would serve a socket: set what _Handler reads instead.
        self.server = SimpleNamespace(sim=sim)  # type: ignore[assignment]
        self.path = target
        self.headers = Headers()  # type: ignore[assignment]
        for key, value in headers.items():
            self.headers[key] = value
        self.headers["Content-Length"] = str(len(body))
        self.rfile = io.BytesIO(body)
        self.wfile = io.BytesIO()
        self.close_connection = False
        self.method = method

    def run(self) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        self._handle(self.method)
        raw = self.wfile.getvalue()
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = [(k.strip().lower().encode(), v.strip().encode()) for k, _, v in (h.partition(":") for h in header_lines)
                   if k.lower() not in ("content-length", "date", "connection")]
        return int(status_line.split()[1]), headers, body


def asgi_app(sim: Simulator):  # type: ignore[no-untyped-def]
    """The simulator as an ASGI app (served by uvicorn for benchmarks: the threaded server's own
    cost would hide the product's). Requests without a configured delay are answered on the event
    loop; delayed ones in a thread, so one slow answer does not hold the others."""
    import anyio

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            event = await receive()
            chunks.append(event.get("body", b""))
            if not event.get("more_body"):
                break
        target = scope["path"] + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        exchange = _AsgiExchange(sim, scope["method"], target, headers, b"".join(chunks))
        if sim._state.delay or sim._state.delay_every:
            status, out_headers, body = await anyio.to_thread.run_sync(exchange.run)
        else:
            status, out_headers, body = exchange.run()
        await send({"type": "http.response.start", "status": status, "headers": out_headers})
        await send({"type": "http.response.body", "body": body})

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m testkit.simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025, help="0 picks a free port")
    parser.add_argument("--account-sid", help="only this Twilio account SID is accepted (default: any)")
    parser.add_argument("--auth-token", help="only this Twilio auth token is accepted (default: any)")
    parser.add_argument("--sendgrid-api-key", help="only this SendGrid key is accepted (default: any)")
    parser.add_argument("--no-payloads", action="store_true", help="do not keep request bodies (long benchmarks)")
    parser.add_argument("--events-url", help="post SendGrid's signed event webhook (processed, delivered) here")
    parser.add_argument("--asgi", action="store_true",
                        help="serve with uvicorn (asyncio) instead of a thread per connection: for benchmarks")
    parser.add_argument("--events-key-file", help="the P-256 private key (PEM) to sign those events with")
    args = parser.parse_args(argv)
    events_key = None
    if args.events_key_file:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        with open(args.events_key_file, "rb") as fh:
            events_key = load_pem_private_key(fh.read(), password=None)
    sim = Simulator(
        host=args.host,
        port=args.port,
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        sendgrid_api_key=args.sendgrid_api_key,
        keep_payloads=not args.no_payloads,
        # A separate process cannot share a test's moved clock: it stamps with the real one.
        clock=lambda: datetime.now(UTC),
        events_url=args.events_url,
        events_key=events_key,
    )
    if args.asgi:
        import uvicorn

        if args.events_url:
            threading.Thread(target=sim._post_events, name="simulator-events", daemon=True).start()
        print(f"http://{args.host}:{args.port}", flush=True)
        uvicorn.run(asgi_app(sim), host=args.host, port=args.port, log_level="warning", access_log=False,
                    http="httptools" if _has("httptools") else "h11")
        sim._stopping.set()
        sys.exit(0)
    url = sim.start()

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
