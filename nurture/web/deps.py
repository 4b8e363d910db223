"""Dependencies shared by the routers: a database session per request; the facts the access check reads
(the key a request presents, whether it was made on this machine: nurture.web.auth decides)."""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Iterator, Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlmodel import Session

from nurture.config import Settings, get_settings, host_patterns
from nurture.db import session_scope

# Headers a reverse proxy adds. Their values prove nothing (any client can write them); their
# presence says another hop stands between the client and this server, so the client may be anywhere.
# Every X-Forwarded-* header counts (-Port, -Server, -Prefix, ...), and the X-Original-* ones some proxies write.
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip",
                 "x-client-ip", "true-client-ip", "cf-connecting-ip", "fastly-client-ip", "x-cluster-client-ip",
                 "x-proxyuser-ip", "via")
PROXY_HEADER_PREFIXES = ("x-forwarded-", "x-original-")

LOOPBACK_NAMES = ("localhost", "*.localhost", "127.0.0.1", "[::1]")
"""Host names that reach this machine only (browsers resolve *.localhost to loopback, RFC 6761): a DNS
name an attacker controls is none of them, so a page that rebinds its name to 127.0.0.1 is refused."""


def allowed_hosts(settings: Settings, *, bind_host: str | None = None) -> list[str]:
    """The Host names the server answers: NURTURE_ALLOWED_HOSTS; unset, the loopback names (and the loopback
    address `nurture serve` binds) when no API key is set, the public URL's host when one is."""
    if settings.allowed_hosts:
        return host_patterns(settings.allowed_hosts)
    if settings.api_key:
        return host_patterns(urlsplit(settings.public_url).hostname or "")
    bound = host_patterns(bind_host) if bind_host and is_loopback(bind_host) else []
    return list(dict.fromkeys([*LOOPBACK_NAMES, *bound]))


def proxy_header(headers: Mapping[str, str]) -> str | None:
    """The first header in `headers` that a proxy writes, or None."""
    return next((name for name in (n.lower() for n in headers.keys())
                 if name in PROXY_HEADERS or name.startswith(PROXY_HEADER_PREFIXES)), None)


def presented_key(authorization: str | None) -> str:
    """The key an Authorization header carries: a bearer token, or the password of HTTP Basic (what a
    browser sends for /ops, and what a URL like https://user:KEY@host gives); "" when neither."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(token, validate=True).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return ""
    return token if scheme.lower() == "bearer" else ""


def get_session() -> Iterator[Session]:
    """One session per request: committed if the route returns, rolled back if it raises."""
    with session_scope() as session:
        yield session


def is_loopback(host: str | None) -> bool:
    """True for `localhost` and the loopback addresses (127.0.0.0/8, ::1, ::ffff:127.x)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def not_local(*, bind_host: str | None, server: Any, client: Any, headers: Mapping[str, str]) -> str | None:
    """Why a request may not use the no-key exception, or None when it is made on this machine to a
    server bound to a loopback address.

    `bind_host` is the address `nurture serve` was told to listen on (None when another ASGI server
    runs the app); `server` and `client` are the ASGI scope's (host, port) of the connection, which
    uvicorn takes from the socket, never from a header.
    """
    if bind_host is not None and not is_loopback(bind_host):
        return f"this server listens on {bind_host}, which other machines can reach"
    server_host = server[0] if server else None
    if not is_loopback(server_host):
        return f"this server was reached at {server_host or 'an unknown address'}, not at a loopback address"
    client_host = client[0] if client else None
    if not is_loopback(client_host):
        return f"the request came from {client_host or 'an unknown address'}"
    proxied = proxy_header(headers)
    if proxied:
        return f"the request came through a proxy (it carries {proxied})"
    return None


SessionDep = Annotated[Session, Depends(get_session)]


def from_our_pages(request: Request) -> bool:
    """True for a form posted from this server's own pages (or by a client that says nothing of where
    it comes from, like curl): a browser holding a session or Basic credentials must not act because
    another site told it to. A browser says where a request comes from in Sec-Fetch-Site; the console's
    `Referrer-Policy: no-referrer` makes it send `Origin: null` even from our own pages, so the Origin
    (or Referer) decides only for a client that sends no Sec-Fetch-Site."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    ours = {request.headers.get("host", ""), urlsplit(get_settings().public_url).netloc}  # behind a proxy too
    return urlsplit(origin).netloc in ours
