"""Webhook verification: whether each provider's webhook is open, and how a request proves it came
from that provider. The webhooks, the start-up log of `nurture serve` and `nurture doctor` all ask here.

A webhook that cannot verify its caller is closed (503), never open: a forged `Body=STOP` opts a
lead out, a forged `unsubscribe` or `bounce` event suppresses one, a forged `delivered` fakes stats.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec

from nurture.config import DEFAULT_PUBLIC_URL, Settings
from nurture.errors import InputError
from nurture.web.deps import is_loopback

SENDGRID_MAX_SKEW_SECONDS = 300
"""A signed SendGrid batch stamped further than this from now, either side, is refused: a replay
of a captured request, or a clock that needs fixing."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_PEM_LINE = re.compile(r"-----(BEGIN|END) PUBLIC KEY-----")


class WebhookRefused(InputError):
    """A provider request not to act on; `status` is the answer: 503 webhook disabled, 403 not genuine."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def twilio_disabled(settings: Settings) -> str | None:
    """Why the Twilio webhooks answer 503, or None when they verify X-Twilio-Signature."""
    if settings.twilio_auth_token:
        return None
    return ("Twilio is not configured: webhook disabled (without NURTURE_TWILIO_AUTH_TOKEN no request can be "
            "verified as Twilio's)")


def sendgrid_disabled(settings: Settings) -> str | None:
    """Why the SendGrid event webhook answers 503, or None when it verifies signed events."""
    key = settings.sendgrid_webhook_public_key
    if key:
        try:
            sendgrid_public_key(key)
        except ValueError as exc:
            return f"NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY cannot be read ({exc}): webhook disabled"
        return None
    if settings.email_configured:
        return ("SendGrid events cannot be verified: webhook disabled until NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY is "
                "set (SendGrid: Settings > Mail Settings > Event Webhook > Signed Event Webhook > Verification Key)")
    return "SendGrid is not configured: webhook disabled"


@lru_cache(maxsize=4)
def sendgrid_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """The verification key SendGrid shows (base64 of the DER key, with or without PEM lines)."""
    from sendgrid.helpers.eventwebhook import EventWebhook

    body = "".join(_PEM_LINE.sub("", text).split())
    try:
        key = EventWebhook().convert_public_key_to_ecdsa(body)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError("expected the base64 verification key of SendGrid's Signed Event Webhook") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("it is a public key, but not the elliptic-curve key SendGrid signs with")
    return key


def verify_twilio(settings: Settings, *, url: str, form: dict[str, str], signature: str) -> None:
    """Raise WebhookRefused unless `signature` is Twilio's for `url` (the public URL it called) and `form`."""
    disabled = twilio_disabled(settings)
    if disabled:
        raise WebhookRefused(503, disabled)
    from twilio.request_validator import RequestValidator

    if not RequestValidator(settings.twilio_auth_token).validate(url, form, signature):
        raise WebhookRefused(403, "bad X-Twilio-Signature")


def verify_sendgrid(settings: Settings, *, body: bytes, signature: str, timestamp: str, now: datetime) -> None:
    """Raise WebhookRefused unless `body` is signed by SendGrid's key, stamped within five minutes of `now`."""
    disabled = sendgrid_disabled(settings)
    if disabled:
        raise WebhookRefused(503, disabled)
    if not _TIMESTAMP.fullmatch(timestamp):
        raise WebhookRefused(403, "missing or malformed event webhook timestamp")
    skew = int(timestamp) - now.timestamp()
    if abs(skew) > SENDGRID_MAX_SKEW_SECONDS:
        when = "old" if skew < 0 else "in the future"
        raise WebhookRefused(403, f"event webhook timestamp is {abs(skew):.0f} s {when} (more than "
                                  f"{SENDGRID_MAX_SKEW_SECONDS} s): refused as a replay")
    from sendgrid.helpers.eventwebhook import EventWebhook

    key = sendgrid_public_key(settings.sendgrid_webhook_public_key or "")
    try:
        ok = EventWebhook().verify_signature(body.decode("utf-8"), signature, timestamp, public_key=key)
    except (ValueError, TypeError):  # a signature that is not base64, a body that is not UTF-8
        ok = False
    if not ok:
        raise WebhookRefused(403, "bad event webhook signature")


def public_url_problem(settings: Settings) -> str | None:
    """Why NURTURE_PUBLIC_URL cannot work with the providers configured, or None."""
    if not settings.providers_configured:
        return None
    url = settings.public_url.rstrip("/")
    host = urlsplit(url).hostname
    if url == DEFAULT_PUBLIC_URL:
        what = f"NURTURE_PUBLIC_URL is left at its default ({DEFAULT_PUBLIC_URL})"
    elif is_loopback(host):
        what = f"NURTURE_PUBLIC_URL ({url}) is a loopback address"
    else:
        return None
    return (f"{what} while provider credentials are set: Twilio signs the URL it called, so every real "
            f"callback is refused (403), and unsubscribe links point at this machine. Set it to the address "
            f"Twilio and your leads reach this service at.")
