"""SMS through Twilio's Messages API, with Twilio's error codes mapped to transient or permanent."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from nurture.delivery.channels import twilio_codes
from nurture.delivery.channels.base import (
    ChannelError,
    OutgoingMessage,
    SendResult,
    never_arrived,
    parse_retry_after,
)
from nurture.config import Settings

# Connections kept open to the API per channel, so worker threads do not open one per send.
POOL_SIZE = 32
# How many of the newest messages to a number reconcile looks through.
RECONCILE_LIMIT = 50
# Slack for the difference between Twilio's clock and ours when comparing creation times.
CLOCK_SKEW = timedelta(seconds=60)

# The SDK logs about ten INFO lines per request, headers included; at a thousand sends a second
# that is most of a worker's output. Set this logger to INFO to see them while debugging.
_sdk_log = logging.getLogger("nurture.delivery.channels.sms.sdk")
_sdk_log.setLevel(logging.WARNING)


class _PooledHttpClient(TwilioHttpClient):
    """Twilio's requests client with a pool for http:// too, remembering each thread's last headers.

    TwilioRestException does not carry the response headers, yet a 429's Retry-After is there;
    the headers of the last answer on this thread are kept so the error mapping can read them.
    """

    def __init__(self, timeout: float) -> None:
        super().__init__(timeout=timeout, logger=_sdk_log)
        assert self.session is not None
        # No proxy, netrc or CA bundle looked up in the environment on every request (requests does
        # that per call: about a hundred os.environ reads a send).
        self.session.trust_env = False
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._local = threading.local()

    def request(self, *args: Any, **kwargs: Any) -> Response:
        self._local.headers = {}
        response = super().request(*args, **kwargs)
        self._local.headers = response.headers or {}
        return response

    def last_headers(self) -> Any:
        return getattr(self._local, "headers", {})


class TwilioChannel:
    """Sends SMS with the twilio SDK; one client (and connection pool) per channel instance."""

    name = "sms"

    def __init__(self, settings: Settings, *, timeout: float | None = None) -> None:
        # Seconds to wait for Twilio to connect and answer; a hung call must not pin a worker.
        if timeout is None:
            timeout = settings.provider_timeout_seconds
        if not settings.sms_configured:
            raise ValueError("Twilio is not configured: set NURTURE_TWILIO_ACCOUNT_SID and NURTURE_TWILIO_AUTH_TOKEN")
        if not (settings.twilio_from or settings.twilio_messaging_service_sid):
            raise ValueError("Twilio needs a sender: set NURTURE_TWILIO_FROM or NURTURE_TWILIO_MESSAGING_SERVICE_SID")
        self._from = settings.twilio_from
        self._service_sid = settings.twilio_messaging_service_sid
        self._status_callback = f"{settings.public_url.rstrip('/')}/webhooks/twilio/status"
        self._http = _PooledHttpClient(timeout)
        # environment={} keeps TWILIO_EDGE / TWILIO_REGION of the machine from rewriting the host.
        self._client = Client(
            settings.twilio_account_sid, settings.twilio_auth_token, http_client=self._http, environment={}
        )
        point_at(self._client, settings.twilio_api_base)

    def send(self, msg: OutgoingMessage) -> SendResult:
        # Our message id rides on the callback URL: a callback can arrive before the worker has
        # stored Twilio's sid, and must still find its message.
        params: dict[str, Any] = {"to": msg.to, "body": msg.text,
                                  "status_callback": f"{self._status_callback}?message_id={msg.message_id}"}
        if self._from:
            params["from_"] = self._from
        if self._service_sid:
            params["messaging_service_sid"] = self._service_sid
        try:
            created = self._client.messages.create(**params)
        except Exception as exc:
            raise self._classify(exc) from exc
        return SendResult(provider_id=created.sid, status=created.status or "queued")

    def reconcile(self, msg: OutgoingMessage, since: datetime) -> SendResult | None:
        """Find `msg` among the newest messages Twilio holds for its number, created after `since`.

        No DateSent filter: a message still waiting in Twilio's queue has no date_sent yet and
        would be missed, which is exactly the one a crashed worker may have left behind.
        """
        earliest = since.astimezone(UTC) - CLOCK_SKEW
        try:
            records = self._client.messages.list(to=msg.to, limit=RECONCILE_LIMIT)
        except Exception as exc:
            raise self._classify(exc) from exc
        for record in records:
            created = record.date_created
            if isinstance(created, datetime) and created < earliest:
                continue
            if record.body is not None and record.body.endswith(msg.text):
                status = record.status or "queued"
                return SendResult(provider_id=record.sid, status=status, delivered=status == "delivered")
        return None

    def check(self) -> None:
        """Fetch the account itself: the cheapest call that proves the credentials work."""
        try:
            self._client.api.v2010.accounts(self._client.account_sid).fetch()
        except Exception as exc:
            raise self._classify(exc) from exc

    def _classify(self, exc: Exception) -> ChannelError:
        if isinstance(exc, TwilioRestException | TwilioServiceException):
            return classify_twilio_error(
                status=exc.status,
                code=exc.code,
                message=str(getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")),
                retry_after=parse_retry_after(_header(self._http.last_headers(), "Retry-After")),
            )
        if isinstance(exc, requests.ConnectTimeout):
            return ChannelError(f"Twilio did not accept the connection: {exc}")
        if isinstance(exc, requests.Timeout):
            return ChannelError(f"Twilio did not answer in time: {exc}", maybe_sent=True)
        if isinstance(exc, requests.ConnectionError):
            never = never_arrived(exc)
            return ChannelError(f"could not reach Twilio: {never + ': ' if never else ''}{exc}", maybe_sent=not never)
        if isinstance(exc, requests.RequestException | TwilioException | ValueError):
            # A 200 page we could not read, a garbled body: Twilio's side, worth another try.
            return ChannelError(f"unexpected answer from Twilio: {exc}", maybe_sent=True)
        raise exc


def point_at(client: Client, base: str) -> Client:
    """Send the SDK's requests to `base` (NURTURE_TWILIO_API_BASE): the Messages API (api.twilio.com)
    and Messaging v1 (messaging.twilio.com: A2P campaigns, brands, toll-free verifications), which
    the SDK addresses on a domain of its own. Twilio's own address leaves each domain as it is."""
    base = base.rstrip("/")
    client.api.base_url = base
    if base != "https://api.twilio.com":
        client.messaging.base_url = base
    return client


def classify_twilio_error(*, status: int, code: int | None, message: str, retry_after: float | None) -> ChannelError:
    """Map Twilio's HTTP status and error code to a ChannelError, by the table in twilio_codes.py."""
    code_str = str(code) if code is not None else str(status)
    # The SDK prefixes its own words ("Unable to create record: ..."); keep Twilio's.
    text = message.split(": ", 1)[1] if message.startswith("Unable to ") and ": " in message else message
    outcome = twilio_codes.outcome_of(status=status, code=code)
    if outcome.auth:
        if 300 <= status < 400:  # the setting points somewhere else: nothing can go out until it is fixed
            return ChannelError(f"Twilio's address answered {status}, a redirect: NURTURE_TWILIO_API_BASE must be "
                                "Twilio's API address", code=code_str, auth=True)
        return ChannelError(f"Twilio refused the credentials ({code_str}): {text or 'Authenticate'}", code=code_str,
                            auth=True)
    described = code in twilio_codes.CODES and outcome is twilio_codes.CODES[code]
    if not outcome.permanent:
        reason = f"{outcome.reason}: {text}" if described and text and code != 20429 else text or outcome.reason
        return ChannelError(reason, code=code_str, retry_after=retry_after)
    reason = f"{outcome.reason}: {text}" if described and text else text or outcome.reason
    return ChannelError(reason, code=code_str, permanent=True, suppress=outcome.suppress)


def _header(headers: Any, name: str) -> str | None:
    try:
        return headers.get(name)
    except AttributeError:
        return None
