"""The people who sign in to the console: accounts with one role, argon2 passwords, lock-out.

Each change (add, disable, reset, a sign-in, a failure, a lock-out) is written to the audit trail in
the caller's transaction. `session_generation` is part of every session cookie: raising it (reset,
disable) ends every session the account had open.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from nurture.accounts import audit
from nurture.errors import InputError
from nurture.models import Account, UTCDateTime

ROLES = ("admin", "ops", "marketer")
PASSWORD_MIN = 12
"""Characters a password needs at least: length is what makes a password hard to guess."""
MAX_FAILURES = 5
"""Wrong passwords in a row that lock an account."""
LOCK_FOR = timedelta(minutes=15)
"""How long a locked account refuses every sign-in, the right password included."""
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

_hasher = PasswordHasher()


class AccountError(InputError):
    """An account change that cannot be made (unknown role, a name taken, a weak password, no such account)."""


@cache
def _decoy_hash() -> str:
    # Verified when the name is unknown, so a refusal takes as long whether the name exists or not.
    return _hasher.hash("not a password of anyone's")


def password_problem(name: str, password: str) -> str | None:
    """Why `password` may not be `name`'s password, or None."""
    if len(password) < PASSWORD_MIN:
        return f"the password must have at least {PASSWORD_MIN} characters"
    if name.strip().lower() in password.lower():
        return "the password must not contain the account's name"
    return None


def state(account: Account, at: datetime) -> str:
    """active, locked (until the lock-out ends) or disabled."""
    if account.disabled_at is not None:
        return "disabled"
    if account.locked_until is not None and account.locked_until > at:
        return "locked"
    return "active"


def by_name(session: Session, name: str) -> Account | None:
    return session.exec(select(Account).where(Account.name == name.strip())).first()


def any_account(session: Session) -> bool:
    """True once anyone has an account: then the console asks everyone to sign in, even on loopback."""
    return session.exec(select(Account.id).limit(1)).first() is not None


def accounts(session: Session) -> list[Account]:
    return list(session.exec(select(Account).order_by(col(Account.name))))


def _existing(session: Session, name: str) -> Account:
    account = by_name(session, name)
    if account is None:
        raise AccountError(f"no account named {name.strip()!r}")
    return account


def add(session: Session, name: str, role: str, password: str, *, actor: str, now: datetime) -> Account:
    """A new account; refused for an unknown role, a name in use or a password the rule refuses."""
    name = name.strip()
    if not NAME.match(name):
        raise AccountError(f"{name!r} is not an account name: 1 to 64 letters, digits, '.', '_', '@' or '-'")
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if by_name(session, name) is not None:
        raise AccountError(f"an account named {name!r} exists already")
    problem = password_problem(name, password)
    if problem:
        raise AccountError(problem)
    account = Account(name=name, role=role, password_hash=_hasher.hash(password), created_at=now, created_by=actor)
    session.add(account)
    session.flush()
    audit.record(session, actor, "account added", target_kind="account", target=name, detail=f"role {role}")
    return account


def disable(session: Session, name: str, *, actor: str, now: datetime) -> Account:
    """The account can no longer sign in, and its open sessions end."""
    account = _existing(session, name)
    account.disabled_at = account.disabled_at or now
    account.session_generation += 1
    session.add(account)
    audit.record(session, actor, "account disabled", target_kind="account", target=account.name)
    return account


def reset(session: Session, name: str, password: str, *, actor: str, now: datetime) -> Account:
    """A new password: the account is unlocked (and enabled again), and its open sessions end."""
    account = _existing(session, name)
    problem = password_problem(account.name, password)
    if problem:
        raise AccountError(problem)
    account.password_hash = _hasher.hash(password)
    account.failed_signins = 0
    account.locked_until = None
    account.disabled_at = None
    account.session_generation += 1
    session.add(account)
    audit.record(session, actor, "password reset", target_kind="account", target=account.name)
    return account


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _open(at: datetime) -> sa.ColumnElement[bool]:
    """The account is neither disabled nor locked at `at` (in SQL, read at the UPDATE)."""
    return sa.and_(col(Account.disabled_at).is_(None),
                   sa.or_(col(Account.locked_until).is_(None), col(Account.locked_until) <= at))


def _count_failure(session: Session, account_id: int, at: datetime) -> tuple[int, bool] | None:
    """One wrong password, counted in one conditional UPDATE (so concurrent failures all count):
    (failures in a row, locked now), or None when the account was already locked or disabled."""
    moment = sa.literal(at, UTCDateTime())
    expired = sa.and_(col(Account.locked_until).is_not(None), col(Account.locked_until) <= moment)
    count = sa.case((expired, 1), else_=col(Account.failed_signins) + 1)  # a lock that ran out starts again
    row = session.execute(
        sa.update(Account).where(col(Account.id) == account_id, _open(at))
        .values(failed_signins=count,
                locked_until=sa.case((count >= MAX_FAILURES, sa.literal(at + LOCK_FOR, UTCDateTime())),
                                     (expired, sa.null()), else_=col(Account.locked_until)))
        .returning(col(Account.failed_signins))
    ).first()
    if row is None:
        return None
    return row[0], row[0] >= MAX_FAILURES


def _signed_in(session: Session, account_id: int, at: datetime) -> bool:
    """Clears the failures and stamps the sign-in, unless a lock or a disable landed meanwhile."""
    result = session.execute(
        sa.update(Account).where(col(Account.id) == account_id, _open(at))
        .values(failed_signins=0, locked_until=None, last_signin_at=sa.literal(at, UTCDateTime())))
    return result.rowcount == 1


def authenticate(session: Session, name: str, password: str, now: datetime, *, source: str = "") -> Account | None:
    """The account when `password` is its password and it may sign in now, else None (the caller says
    only "wrong name or password", so a refusal never tells whether the name exists). Failures, lock-outs
    and refusals are counted and audited in the caller's transaction: commit it either way."""
    name = name.strip()
    where = f" from {source}" if source else ""
    account = by_name(session, name) if NAME.match(name) else None
    if account is None:
        _verify(_decoy_hash(), password)
        audit.record(session, "sign-in", "sign-in failed", target_kind="account", target=name[:64],
                     detail=f"no such account{where}")
        return None
    account_id = account.id
    assert account_id is not None
    if state(account, now) != "active":
        audit.record(session, "sign-in", "sign-in refused", target_kind="account", target=account.name,
                     detail=f"account {state(account, now)}{where}")
        return None
    if not _verify(account.password_hash, password):
        counted = _count_failure(session, account_id, now)
        if counted is None:
            audit.record(session, "sign-in", "sign-in refused", target_kind="account", target=account.name,
                         detail=f"account locked or disabled{where}")
        else:
            failures, locked = counted
            audit.record(session, "sign-in", "sign-in failed", target_kind="account", target=account.name,
                         detail=f"wrong password ({failures} in a row){where}")
            if locked:
                audit.record(session, "sign-in", "account locked", target_kind="account", target=account.name,
                             detail=f"{MAX_FAILURES} wrong passwords in a row: locked for "
                                    f"{int(LOCK_FOR.total_seconds() // 60)} minutes")
        session.expire(account)
        return None
    if not _signed_in(session, account_id, now):
        audit.record(session, "sign-in", "sign-in refused", target_kind="account", target=account.name,
                     detail=f"account locked or disabled{where}")
        return None
    session.expire(account)
    audit.record(session, f"user:{account.name}", "signed in", target_kind="account", target=account.name,
                 detail=source)
    return session.get(Account, account_id)
