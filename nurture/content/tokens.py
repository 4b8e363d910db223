"""Signed, URL-safe tokens: unsubscribe links, per-lead tracking, and the short tracked links.

A token is its readable payload plus an HMAC-SHA256 tag of it under the secret key, so the
web side can trust the lead id in a link without a database lookup or a stored token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from nurture.errors import InputError
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
_REPLY = "reply"
_OPS = "ops-form"
_PARSE = "inbound-parse"
#: Bytes of the HMAC in a reply address: hex, because mail systems may lower-case an address.
REPLY_TAG_BYTES = 12


class InvalidToken(InputError, ValueError):
    """The token was not made by nurture with this secret, or is malformed."""


def _tag(kind: str, payload: str, secret: str, size: int = TAG_BYTES) -> str:
    mac = hmac.new(secret.encode(), f"{kind}:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:size]).rstrip(b"=").decode()


def _check(kind: str, payload: str, tag: str, secret: str, size: int = TAG_BYTES) -> None:
    if not hmac.compare_digest(_tag(kind, payload, secret, size).encode(), tag.encode("utf-8", "replace")):
        raise InvalidToken("the token's signature does not match")


def _lead_id(text: str) -> int:
    if not (text.isascii() and text.isdecimal()) or len(text) > 18:
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
def reply_address(reply_to: str, lead_id: int, secret: str) -> str:
    """The Reply-To of a lead's emails: `replies+42.<hex tag>@parse.example.com` for `replies@parse.example.com`."""
    local, _, domain = reply_to.rpartition("@")
    payload = str(int(lead_id))
    tag = hmac.new(secret.encode(), f"{_REPLY}:{payload}".encode(), hashlib.sha256).hexdigest()
    return f"{local}+{payload}.{tag[: REPLY_TAG_BYTES * 2]}@{domain}"


def lead_of_reply_address(address: str, reply_to: str, secret: str) -> int | None:
    """The lead id a reply address was made for, or None (not ours, or the token does not verify)."""
    local, _, domain = address.strip().lower().rpartition("@")
    base_local, _, base_domain = reply_to.lower().rpartition("@")
    if domain != base_domain or not local.startswith(base_local + "+"):
        return None
    token = local[len(base_local) + 1:]
    lead_id, _, tag = token.partition(".")
    if not (lead_id.isascii() and lead_id.isdecimal()) or len(lead_id) > 18 or not tag:
        return None
    expected = reply_address(reply_to, int(lead_id), secret).lower()
    if not hmac.compare_digest(expected.encode(), address.strip().lower().encode()):
        return None
    return int(lead_id)


def ops_form_token(lead_id: int, secret: str) -> str:
    """The hidden field of the ops forms that act on a lead: a page of another site cannot know it, so
    it cannot make an ops person's browser (which sends the Basic credentials by itself) act."""
    return _tag(_OPS, str(int(lead_id)), secret)


def check_ops_form_token(lead_id: int, token: str, secret: str) -> bool:
    # Bytes: compare_digest refuses a str with a character outside ASCII.
    return hmac.compare_digest(ops_form_token(lead_id, secret).encode(), (token or "").encode())


def inbound_parse_key(secret: str) -> str:
    """The `key` query parameter of the Inbound Parse URL: SendGrid posts to the URL it was given,
    so a secret in it tells its posts from anyone else's."""
    return _tag(_PARSE, "sendgrid", secret)


def inbound_parse_url(settings: Settings, secret: str) -> str:
    """The URL to give SendGrid's Inbound Parse settings."""
    return f"{settings.public_url.rstrip('/')}/webhooks/sendgrid/inbound?key={inbound_parse_key(secret)}"
