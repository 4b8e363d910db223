"""Dependencies shared by the routers: a database session per request, the API key check."""

from __future__ import annotations

import base64
import hmac
import ipaddress
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlmodel import Session

from nurture.config import get_settings
from nurture.db import session_scope

LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}


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


def require_api_key(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """NURTURE_API_KEY as a bearer token, or as the password of HTTP Basic (so a browser can open
    /ops); with no key configured, only loopback clients are let in."""
    key = get_settings().api_key
    if not key:
        host = request.client.host if request.client else ""
        if host in LOOPBACK:
            return
        raise HTTPException(401, "NURTURE_API_KEY is not set: the API only answers this machine")
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() == "basic":
        try:
            token = base64.b64decode(token, validate=True).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            token = ""
    elif scheme.lower() != "bearer":
        token = ""
    if not token or not hmac.compare_digest(token.encode(), key.encode()):
        challenge = 'Basic realm="nurture ops"' if request.url.path.startswith("/ops") else "Bearer"
        raise HTTPException(401, "missing or wrong API key", headers={"WWW-Authenticate": challenge})


SessionDep = Annotated[Session, Depends(get_session)]
