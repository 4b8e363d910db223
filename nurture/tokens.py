"""Signed, URL-safe tokens: unsubscribe links, per-lead tracking, and the short tracked links.

A token is its readable payload plus an HMAC-SHA256 tag of it under the secret key, so the
web side can trust the lead id in a link without a database lookup or a stored token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from nurture.config import Settings
from nurture.models import Channel

#: Bytes of the HMAC kept in a token: 128 bits is beyond guessing and keeps SMS links short.
TAG_BYTES = 16
#: Bytes of the HMAC in a short tracked link: 96 bits is still beyond guessing, and a forged one
#: would only count a click; every character saved is one an SMS does not pay for.
LINK_TAG_BYTES = 12
#: Channels an unsubscribe token may name.
CHANNELS = frozenset(c.value for c in Channel)

# Each kind of token signs under its own prefix, so a tracking token is never a valid unsubscribe token.
_UNSUBSCRIBE = "unsub"
_LEAD = "lead"
_LINK = "link"
_LINK_TOKEN = re.compile(r"^([0-9]{1,18})([a-z])\.([A-Za-z0-9_-]{16})$")


class InvalidToken(ValueError):
    """The token was not made by nurture with this secret, or is malformed."""


def _tag(kind: str, payload: str, secret: str, size: int = TAG_BYTES) -> str:
    mac = hmac.new(secret.encode(), f"{kind}:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:size]).rstrip(b"=").decode()


def _check(kind: str, payload: str, tag: str, secret: str, size: int = TAG_BYTES) -> None:
    if not hmac.compare_digest(_tag(kind, payload, secret, size).encode(), tag.encode("utf-8", "replace")):
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


def link_token(message_id: int, page_code: str, secret: str) -> str:
    """A token naming the message a link was sent in and (one letter) the page it leads to:
    `4821s.<tag>`, 22 characters for a message id of four digits."""
    if len(page_code) != 1 or not "a" <= page_code <= "z":
        raise ValueError(f"{page_code!r} is not a one-letter page code")
    payload = f"{int(message_id)}{page_code}"
    return f"{payload}.{_tag(_LINK, payload, secret, LINK_TAG_BYTES)}"


def verify_link_token(token: str, secret: str) -> tuple[int, str]:
    """The (message_id, page code) a short-link token was made for; InvalidToken if it is not genuine."""
    match = _LINK_TOKEN.match(token)
    if not match:
        raise InvalidToken("not a link token")
    message_id, code, tag = match.groups()
    _check(_LINK, f"{message_id}{code}", tag, secret, LINK_TAG_BYTES)
    return int(message_id), code


def short_link_url(settings: Settings, secret: str, message_id: int, page_code: str) -> str:
    """The tracked link a message carries: `{public_url}/r/{token}`, which counts the click and
    sends the lead on to the business site's page."""
    return f"{settings.public_url.rstrip('/')}/r/{link_token(message_id, page_code, secret)}"
