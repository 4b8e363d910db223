"""Dependencies shared by the routers: a database session per request, the API key check."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlmodel import Session

from nurture.config import get_settings
from nurture.db import get_engine

LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}


def get_session() -> Iterator[Session]:
    """One session per request: committed if the route returns, rolled back if it raises."""
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def require_api_key(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Bearer NURTURE_API_KEY; with no key configured, only loopback clients are let in."""
    key = get_settings().api_key
    if not key:
        host = request.client.host if request.client else ""
        if host in LOOPBACK:
            return
        raise HTTPException(401, "NURTURE_API_KEY is not set: the API only answers this machine")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), key.encode()):
        raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})


SessionDep = Annotated[Session, Depends(get_session)]
