"""Signed, URL-safe tokens: unsubscribe links and per-lead tracking on outgoing links.

A token is its readable payload plus an HMAC-SHA256 tag of it under the secret key, so the
web side can trust the lead id in a link without a database lookup or a stored token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from nurture.config import Settings
from nurture.models import Channel

#: Bytes of the HMAC kept in a token: 128 bits is beyond guessing and keeps SMS links short.
TAG_BYTES = 16
#: Channels an unsubscribe token may name.
CHANNELS = frozenset(c.value for c in Channel)

# Each kind of token signs under its own prefix, so a tracking token is never a valid unsubscribe token.
_UNSUBSCRIBE = "unsub"
_LEAD = "lead"


class InvalidToken(ValueError):
    """The token was not made by nurture with this secret, or is malformed."""


def _tag(kind: str, payload: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"{kind}:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TAG_BYTES]).rstrip(b"=").decode()


def _check(kind: str, payload: str, tag: str, secret: str) -> None:
    if not hmac.compare_digest(_tag(kind, payload, secret), tag):
        raise InvalidToken("the token's signature does not match")


def _lead_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise InvalidToken("the token does not carry a lead id")
    return int(text)


def unsubscribe_token(lead_id: int, channel: str, secret: str) -> str:
    """A token that names a lead and the channel they unsubscribe from: `42.email.<tag>`."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    payload = f"{int(lead_id)}.{channel}"
    return f"{payload}.{_tag(_UNSUBSCRIBE, payload, secret)}"


def verify_unsubscribe_token(token: str, secret: str) -> tuple[int, str]:
    """The (lead_id, channel) an unsubscribe token was made for; InvalidToken if it is not genuine."""
    parts = token.split(".")
    if len(parts) != 3 or parts[1] not in CHANNELS:
        raise InvalidToken("not an unsubscribe token")
    lead_id, channel, tag = parts
    _check(_UNSUBSCRIBE, f"{lead_id}.{channel}", tag, secret)
    return _lead_id(lead_id), channel


def lead_token(lead_id: int, secret: str) -> str:
    """A token for the `lt` parameter of tracked links: `42.<tag>`."""
    payload = str(int(lead_id))
    return f"{payload}.{_tag(_LEAD, payload, secret)}"


def verify_lead_token(token: str, secret: str) -> int:
    """The lead id a tracking token was made for; InvalidToken if it is not genuine."""
    parts = token.split(".")
    if len(parts) != 2:
        raise InvalidToken("not a lead token")
    _check(_LEAD, parts[0], parts[1], secret)
    return _lead_id(parts[0])


def unsubscribe_url(settings: Settings, secret: str, lead_id: int, channel: str) -> str:
    """The one-click unsubscribe address for a lead and channel: `{public_url}/unsubscribe/{token}`."""
    base = settings.public_url.rstrip("/")
    return f"{base}/unsubscribe/{unsubscribe_token(lead_id, channel, secret)}"
