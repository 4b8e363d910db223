"""Named API keys for integrations (the web form, scripts), each with one scope: intake, read, admin.

A key's secret is shown once, when it is made; only its SHA-256 and its first characters (to tell
keys apart in a list) are kept, so a copy of the database gives nobody a working key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture.accounts import audit
from nurture.errors import InputError
from nurture.models import ApiKey, UTCDateTime

SCOPES = ("intake", "read", "admin")
KEY_PREFIX = "nk_"
"""What every named key starts with, so a leaked one is recognisable (and told apart from NURTURE_API_KEY)."""
SHOWN_PREFIX = 8
"""Characters of the key kept and listed: enough to tell keys apart, far too few to guess the rest."""
USE_STAMP_EVERY = timedelta(minutes=1)
"""`last_used_at` is written at most this often: a busy web form must not write a row per request."""
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class ApiKeyError(InputError):
    """A key change that cannot be made (unknown scope, a name taken, no such key)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def by_name(session: Session, name: str) -> ApiKey | None:
    return session.exec(select(ApiKey).where(ApiKey.name == name.strip())).first()


def create(session: Session, name: str, scope: str, *, actor: str, now: datetime) -> tuple[ApiKey, str]:
    """A new key and its secret (`nk_` and 32 URL-safe characters): the only time the secret is known."""
    name = name.strip()
    if not NAME.match(name):
        raise ApiKeyError(f"{name!r} is not a key name: 1 to 64 letters, digits, '.', '_', '@' or '-'")
    if scope not in SCOPES:
        raise ApiKeyError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    if by_name(session, name) is not None:
        raise ApiKeyError(f"a key named {name!r} exists already (revoked keys keep their name)")
    secret = KEY_PREFIX + secrets.token_urlsafe(24)  # 24 bytes: 32 characters
    key = ApiKey(name=name, scope=scope, prefix=secret[:SHOWN_PREFIX], key_hash=digest(secret), created_at=now,
                 created_by=actor)
    session.add(key)
    session.flush()
    audit.record(session, actor, "key added", target_kind="api_key", target=name, detail=f"scope {scope}")
    return key, secret


def keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.name))))


def revoke(session: Session, name: str, *, actor: str, now: datetime) -> ApiKey:
    """The key stops working at once; it stays listed, revoked, with who revoked it."""
    key = by_name(session, name)
    if key is None:
        raise ApiKeyError(f"no key named {name.strip()!r}")
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = now, actor
        session.add(key)
        audit.record(session, actor, "key revoked", target_kind="api_key", target=key.name)
    return key


def find(session: Session, secret: str, now: datetime) -> ApiKey | None:
    """The active key whose secret this is, or None; notes its use at most once a minute."""
    if not secret.startswith(KEY_PREFIX):
        return None
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == digest(secret),
                                            col(ApiKey.revoked_at).is_(None))).first()
    if key is None:
        return None
    if key.last_used_at is None or now - key.last_used_at >= USE_STAMP_EVERY:
        stale = sa.literal(now - USE_STAMP_EVERY, UTCDateTime())
        session.execute(sa.update(ApiKey).where(col(ApiKey.id) == key.id, sa.or_(
            col(ApiKey.last_used_at).is_(None), col(ApiKey.last_used_at) <= stale))
            .values(last_used_at=sa.literal(now, UTCDateTime())))
    return key
