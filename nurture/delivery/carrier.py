"""Carrier readiness: may the configured sender text at all?

US carriers block A2P traffic from a 10DLC number whose campaign is not registered (Twilio error
30034) and from a toll-free number that is not verified (30032). Every text sent before then fails,
one by one. So before the first text (at start-up), every 15 minutes after, and in `nurture
doctor`, nurture reads through the Twilio SDK:

- with NURTURE_TWILIO_MESSAGING_SERVICE_SID: the Messaging Service's A2P 10DLC campaign
  (`GET /v1/Services/{MG}/Compliance/Usa2p`, `campaign_status`: VERIFIED is ready), and the
  brand registrations when the campaign is not ready, to say why;
- with a toll-free NURTURE_TWILIO_FROM (800, 833, 844, 855, 866, 877, 888): its toll-free
  verification (`GET /v1/Tollfree/Verifications`, `status`: TWILIO_APPROVED is ready).

While not ready, SMS is paused with the reason (nurture.delivery.pauses, kind `carrier`): texts
stay planned. The pause lifts by itself at the check that finds the registration approved. No
Twilio credentials (the outbox) is ready; a 10DLC number without a Messaging Service SID cannot be
checked (its campaign is found through the service) and is left to send.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from nurture.clock import now as clock_now
from nurture.config import Settings
from nurture.db import session_scope
from nurture.delivery import pauses
from nurture.delivery.channels.sms import classify_twilio_error, point_at

log = logging.getLogger("nurture.delivery.carrier")
_sdk_log = logging.getLogger("nurture.delivery.carrier.sdk")
_sdk_log.setLevel(logging.WARNING)

#: North American toll-free area codes (the FCC's SMS-capable toll-free prefixes).
TOLL_FREE_CODES = ("800", "833", "844", "855", "866", "877", "888")
_NANP = re.compile(r"^\+1(\d{3})\d{7}$")
#: The statuses that let texts go.
CAMPAIGN_READY = "VERIFIED"
TOLLFREE_READY = "TWILIO_APPROVED"
BRAND_READY = "APPROVED"

State = Literal["ready", "not_ready", "unknown"]


@dataclass(frozen=True)
class Readiness:
    """What the check found: `ready`, `not_ready` (SMS pauses) or `unknown` (Twilio did not answer:
    nothing changes); `detail` says what, in words a person can act on."""

    state: State
    detail: str
    checked: bool = True

    @property
    def ready(self) -> bool:
        return self.state == "ready"


def toll_free(number: str | None) -> bool:
    """A North American toll-free number in E.164 (+1 8xx ...)."""
    match = _NANP.match(number or "")
    return match is not None and match.group(1) in TOLL_FREE_CODES


def client_for(settings: Settings) -> Client:
    """A Twilio client for the registration reads, pointed where NURTURE_TWILIO_API_BASE says."""
    http = TwilioHttpClient(timeout=settings.provider_timeout_seconds, logger=_sdk_log)
    if http.session is not None:
        http.session.trust_env = False
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http, environment={})
    return point_at(client, settings.twilio_api_base)


def readiness(settings: Settings, *, client: Client | None = None) -> Readiness:
    """Whether the configured sender may text, read from Twilio now."""
    if not settings.sms_configured:
        return Readiness("ready", "no Twilio credentials: texts go to the outbox, no carrier is involved",
                         checked=False)
    service, sender = settings.twilio_messaging_service_sid, settings.twilio_from
    if not service and not toll_free(sender):
        return Readiness("ready", f"not checked: {sender} is a 10DLC number without NURTURE_TWILIO_MESSAGING_SERVICE_SID "
                                  f"(its A2P campaign is read through the Messaging Service: set the SID to check it)",
                         checked=False)
    client = client or client_for(settings)
    try:
        if service:
            return _campaign(client, service)
        return _tollfree(client, sender or "")
    except (requests.RequestException, TwilioException, ValueError, KeyError) as exc:
        return Readiness("unknown", f"could not read the carrier registration from Twilio: {_failure(exc)}")


def _campaign(client: Client, service: str) -> Readiness:
    campaigns = client.messaging.v1.services(service).us_app_to_person.list(limit=20)
    statuses = [str(c.campaign_status or "UNKNOWN").upper() for c in campaigns]
    if CAMPAIGN_READY in statuses:
        return Readiness("ready", f"the A2P 10DLC campaign of {service} is {CAMPAIGN_READY}")
    if not statuses:
        said = f"the Messaging Service {service} has no A2P 10DLC campaign"
    else:
        said = f"the A2P 10DLC campaign of {service} is {', '.join(dict.fromkeys(statuses))}"
        errors = [e.get("description") for c in campaigns for e in (c.errors or []) if isinstance(e, dict)]
        if any(errors):
            said += f" ({'; '.join(str(e) for e in errors if e)})"
    said += ": carriers block unregistered traffic (Twilio error 30034)"
    brands = [str(b.status or "UNKNOWN").upper() for b in client.messaging.v1.brand_registrations.list(limit=20)]
    if not brands:
        said += "; no A2P brand is registered on the account either"
    elif BRAND_READY not in brands:
        said += f"; the A2P brand is {', '.join(dict.fromkeys(brands))}"
    return Readiness("not_ready", said + ". Texts stay planned until it is VERIFIED (Twilio Console > Messaging > "
                                         "Regulatory Compliance)")


def _tollfree(client: Client, sender: str) -> Readiness:
    found = [v for v in client.messaging.v1.tollfree_verifications.list(limit=1000)
             if v.tollfree_phone_number == sender]
    if not found:
        said = f"no toll-free verification was submitted for {sender}"
    else:
        statuses = [str(v.status or "UNKNOWN").upper() for v in found]
        if TOLLFREE_READY in statuses:
            return Readiness("ready", f"the toll-free verification of {sender} is {TOLLFREE_READY}")
        said = f"the toll-free verification of {sender} is {', '.join(dict.fromkeys(statuses))}"
        rejected = [v.rejection_reason for v in found if v.rejection_reason]
        if rejected:
            said += f" ({'; '.join(rejected)})"
    return Readiness("not_ready", said + ": carriers block unverified toll-free traffic (Twilio error 30032). Texts "
                                         "stay planned until it is TWILIO_APPROVED")


def _failure(exc: Exception) -> str:
    if isinstance(exc, TwilioRestException):
        return classify_twilio_error(status=exc.status, code=exc.code, message=str(exc.msg or ""),
                                     retry_after=None).reason
    # A list page Twilio refused: the SDK raises TwilioException("Unable to fetch page", response).
    response = exc.args[1] if isinstance(exc, TwilioException) and len(exc.args) > 1 else None
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        try:
            body = json.loads(getattr(response, "text", "") or "{}")
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code = body.get("code") if isinstance(body.get("code"), int) else None
        return classify_twilio_error(status=status, code=code, message=str(body.get("message") or ""),
                                     retry_after=None).reason
    return f"{exc.__class__.__name__}: {str(exc)[:200]}"


def enforce(settings: Settings, *, now: datetime | None = None, client: Any = None) -> Readiness:
    """Check, then pause SMS while not ready (texts stay planned) or lift the carrier pause once
    ready; an unknown answer changes nothing. Never raises for Twilio's sake."""
    now = now or clock_now()
    found = readiness(settings, client=client)
    with session_scope(settings.database_url) as session:
        if found.state == "not_ready":
            pauses.carrier_hold(session, "sms", found.detail, now)
        elif found.state == "ready":
            if pauses.carrier_release(session, "sms", at=now):
                log.warning("sms channel resumed: %s", found.detail)
        else:
            log.warning("carrier readiness unknown (nothing changes): %s", found.detail)
    return found
