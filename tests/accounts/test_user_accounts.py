"""Accounts: the password rule, sign-in, lock-out after five wrong passwords, disable and reset, and
the audit trail each change leaves."""

from datetime import UTC, datetime, timedelta

import pytest

from nurture.accounts import audit, users
from nurture.accounts.users import AccountError
from nurture.db import session_scope
from nurture.errors import InputError
from nurture.models import Account

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
GOOD = "correct horse battery"


def add(name: str = "maria", role: str = "ops", password: str = GOOD) -> None:
    with session_scope() as s:
        users.add(s, name, role, password, actor="cli:root", now=NOW)


def sign_in(name: str, password: str, at: datetime = NOW) -> Account | None:
    with session_scope() as s:
        return users.authenticate(s, name, password, at)


def account(name: str = "maria") -> Account:
    with session_scope() as s:
        found = users.by_name(s, name)
        assert found is not None
        return found


def trail(name: str = "maria") -> list[tuple[str, str]]:
    with session_scope() as s:
        return [(e.actor, e.action) for e in reversed(audit.entries(s, target_kind="account", target=name))]


def test_the_right_password_signs_in_and_the_hash_is_not_the_password(db_url):
    add()
    signed = sign_in("maria", GOOD)
    assert signed is not None and signed.name == "maria" and signed.role == "ops"
    assert GOOD not in account().password_hash and account().password_hash.startswith("$argon2")
    assert account().last_signin_at == NOW
    assert trail() == [("cli:root", "account added"), ("user:maria", "signed in")]


@pytest.mark.parametrize("name, role, password, words", [
    ("maria", "boss", GOOD, "role 'boss' is not one of admin, ops, marketer"),
    ("maria", "ops", "short pass", "at least 12 characters"),
    ("maria", "ops", "Maria-is-my-name-1", "must not contain the account's name"),
    ("maria lopez", "ops", GOOD, "is not an account name"),
])
def test_bad_accounts_are_refused_with_the_reason(sqlite_url, name, role, password, words):
    with pytest.raises(AccountError, match=words) as exc, session_scope() as s:
        users.add(s, name, role, password, actor="cli:root", now=NOW)
    assert isinstance(exc.value, InputError)


def test_a_name_is_taken_once(sqlite_url):
    add()
    with pytest.raises(AccountError, match="exists already"), session_scope() as s:
        users.add(s, "maria", "admin", "another long password", actor="cli:root", now=NOW)


def test_an_unknown_name_and_a_wrong_password_are_both_refused(sqlite_url):
    add()
    assert sign_in("nobody", GOOD) is None
    assert sign_in("maria", "wrong password here") is None
    assert account().failed_signins == 1
    with session_scope() as s:
        assert [e.detail for e in audit.entries(s, target_kind="account", target="nobody")] == ["no such account"]


def test_five_wrong_passwords_lock_for_15_minutes_even_against_the_right_one(db_url):
    add()
    for _ in range(4):
        assert sign_in("maria", "wrong password here") is None
    assert users.state(account(), NOW) == "active"
    assert sign_in("maria", "wrong password here") is None
    assert users.state(account(), NOW) == "locked" and account().locked_until == NOW + timedelta(minutes=15)
    assert sign_in("maria", GOOD, NOW + timedelta(minutes=14, seconds=59)) is None
    assert sign_in("maria", GOOD, NOW + timedelta(minutes=15)) is not None
    assert account().failed_signins == 0
    actions = [a for _, a in trail()]
    assert actions.count("sign-in failed") == 5 and actions.count("account locked") == 1
    assert actions[-2:] == ["sign-in refused", "signed in"]


def test_a_success_between_failures_starts_the_count_again(sqlite_url):
    add()
    for _ in range(4):
        sign_in("maria", "wrong password here")
    assert sign_in("maria", GOOD) is not None
    for _ in range(4):
        sign_in("maria", "wrong password here")
    assert users.state(account(), NOW) == "active"


def test_a_lock_that_ran_out_counts_from_one_again(sqlite_url):
    add()
    for _ in range(5):
        sign_in("maria", "wrong password here")
    later = NOW + timedelta(minutes=16)
    assert sign_in("maria", "wrong password here", later) is None
    assert account().failed_signins == 1 and users.state(account(), later) == "active"


def test_disable_refuses_the_right_password_and_ends_sessions(sqlite_url):
    add()
    generation = account().session_generation
    with session_scope() as s:
        users.disable(s, "maria", actor="user:admin", now=NOW)
    assert sign_in("maria", GOOD) is None
    assert users.state(account(), NOW) == "disabled" and account().session_generation == generation + 1
    assert ("user:admin", "account disabled") in trail()


def test_reset_unlocks_enables_and_ends_sessions(sqlite_url):
    add()
    for _ in range(5):
        sign_in("maria", "wrong password here")
    with session_scope() as s:
        users.disable(s, "maria", actor="user:admin", now=NOW)
    generation = account().session_generation
    with session_scope() as s:
        users.reset(s, "maria", "a brand new passphrase", actor="cli:root", now=NOW)
    assert account().session_generation == generation + 1
    assert sign_in("maria", GOOD) is None
    assert sign_in("maria", "a brand new passphrase") is not None
    assert ("cli:root", "password reset") in trail()


def test_reset_of_an_unknown_account_says_so(sqlite_url):
    with pytest.raises(AccountError, match="no account named 'ghost'"), session_scope() as s:
        users.reset(s, "ghost", "a brand new passphrase", actor="cli:root", now=NOW)
