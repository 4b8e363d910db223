"""Named API keys: the secret is shown once and only its hash is kept; revoked keys stop; use is noted."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from nurture.accounts import audit, keys
from nurture.accounts.keys import ApiKeyError
from nurture.db import session_scope
from nurture.models import ApiKey
from sqlmodel import select

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def make(name: str = "webform", scope: str = "intake") -> str:
    with session_scope() as s:
        return keys.create(s, name, scope, actor="cli:root", now=NOW)[1]


def test_a_key_is_shown_once_and_kept_only_as_its_hash(db_url):
    secret = make()
    assert re.fullmatch(r"nk_[A-Za-z0-9_-]{32}", secret)
    with session_scope() as s:
        (row,) = s.exec(select(ApiKey)).all()
        assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert row.prefix == secret[:8] and secret not in (row.key_hash, row.prefix)
        assert [(e.actor, e.action, e.detail) for e in audit.entries(s, target_kind="api_key")] == [
            ("cli:root", "key added", "scope intake")]


def test_find_knows_the_key_and_not_a_guess(sqlite_url):
    secret = make()
    with session_scope() as s:
        found = keys.find(s, secret, NOW)
        assert found is not None and found.name == "webform" and found.scope == "intake"
        assert keys.find(s, secret[:-1] + ("A" if secret[-1] != "A" else "B"), NOW) is None
        assert keys.find(s, "test-secret", NOW) is None


def test_a_revoked_key_is_refused_and_stays_listed(db_url):
    secret = make()
    with session_scope() as s:
        keys.revoke(s, "webform", actor="user:admin", now=NOW)
    with session_scope() as s:
        assert keys.find(s, secret, NOW) is None
        (row,) = keys.keys(s)
        assert row.revoked_at == NOW and row.revoked_by == "user:admin"
        assert ("user:admin", "key revoked") in [(e.actor, e.action) for e in audit.entries(s, target_kind="api_key")]


def test_last_use_is_written_at_most_once_a_minute(sqlite_url):
    secret = make()
    for seconds in (0, 30, 59):
        with session_scope() as s:
            keys.find(s, secret, NOW + timedelta(seconds=seconds))
    with session_scope() as s:
        assert keys.by_name(s, "webform").last_used_at == NOW
    with session_scope() as s:
        keys.find(s, secret, NOW + timedelta(seconds=61))
    with session_scope() as s:
        assert keys.by_name(s, "webform").last_used_at == NOW + timedelta(seconds=61)


@pytest.mark.parametrize("name, scope, words", [("webform", "write", "scope 'write' is not one of intake, read, admin"),
                                                ("", "read", "is not a key name")])
def test_bad_keys_are_refused(sqlite_url, name, scope, words):
    with pytest.raises(ApiKeyError, match=words), session_scope() as s:
        keys.create(s, name, scope, actor="cli:root", now=NOW)


def test_a_name_is_taken_once_even_after_revoking(sqlite_url):
    make()
    with session_scope() as s:
        keys.revoke(s, "webform", actor="cli:root", now=NOW)
    with pytest.raises(ApiKeyError, match="exists already"), session_scope() as s:
        keys.create(s, "webform", "read", actor="cli:root", now=NOW)
