"""The console's signed cookies: the session of a signed-in person, and the short-lived cookie that
protects the sign-in form itself.

A session cookie holds the account's id, its `session_generation` (a reset or disable raises it,
ending every open session), when it was issued and the session's CSRF token, signed with HMAC-SHA256
under the instance's secret key (nurture.db.secret_key) as the content tokens are. Nothing in it is
secret but the signature: it cannot be made or changed without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_COOKIE = "nurture_session"
SESSION_LIFETIME = timedelta(hours=12)
"""A session ends 12 hours after sign-in, whatever is done in it: a working day, not a week."""
LOGIN_COOKIE = "nurture_login"
LOGIN_LIFETIME = timedelta(hours=1)
"""How long a sign-in form stays usable."""


@dataclass(frozen=True)
class SessionClaims:
    account_id: int
    generation: int
    issued: datetime
    csrf_token: str


def _tag(kind: str, payload: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"{kind}:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _sign(kind: str, payload: str, secret: str) -> str:
    return f"{payload}.{_tag(kind, payload, secret)}"


def _open(kind: str, value: str, secret: str) -> list[str] | None:
    payload, _, tag = value.rpartition(".")
    if not payload or not hmac.compare_digest(_tag(kind, payload, secret).encode(), tag.encode("utf-8", "replace")):
        return None
    return payload.split(":")


def _issued_ok(stamp: str, at: datetime, lifetime: timedelta) -> datetime | None:
    try:
        issued = datetime.fromtimestamp(int(stamp), tz=at.tzinfo)
    except (ValueError, OverflowError, OSError):
        return None
    return issued if issued <= at + timedelta(minutes=1) and at - issued < lifetime else None


def new_session(account_id: int, generation: int, at: datetime, secret: str) -> tuple[str, str]:
    """(the cookie's value, the session's CSRF token)."""
    csrf = secrets.token_urlsafe(18)
    return _sign("session", f"{account_id}:{generation}:{int(at.timestamp())}:{csrf}", secret), csrf


def read_session(value: str, at: datetime, secret: str) -> SessionClaims | None:
    """The claims of a genuine, unexpired session cookie, else None."""
    parts = _open("session", value, secret)
    if parts is None or len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    issued = _issued_ok(parts[2], at, SESSION_LIFETIME)
    if issued is None:
        return None
    return SessionClaims(int(parts[0]), int(parts[1]), issued, parts[3])


def new_login(at: datetime, secret: str) -> tuple[str, str]:
    """The sign-in form's cookie and the token its form carries (a page elsewhere cannot read either)."""
    nonce = secrets.token_urlsafe(18)
    return _sign("login", f"{int(at.timestamp())}:{nonce}", secret), nonce


def read_login(value: str, at: datetime, secret: str) -> str | None:
    """The token a genuine, fresh sign-in cookie stands for, else None."""
    parts = _open("login", value, secret)
    if parts is None or len(parts) != 2 or _issued_ok(parts[0], at, LOGIN_LIFETIME) is None:
        return None
    return parts[1]
