"""`nurture users` and `nurture keys`: accounts and keys from the shell, with clear errors on stderr."""

import getpass
import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from nurture.accounts import audit, keys, users
from nurture.cli import app
from nurture.clock import clock
from nurture.db import session_scope

runner = CliRunner()
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
ME = f"cli:{getpass.getuser()}"


@pytest.fixture(autouse=True)
def _db(sqlite_url):
    clock.freeze(NOW)


def users_cli(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["users", *args], input=stdin)


def test_add_list_and_sign_in(sqlite_url):
    r = users_cli("add", "maria", "--role", "ops", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    listed = json.loads(users_cli("list", "--json").stdout)["users"]
    rows = [(u["name"], u["role"], u["state"], u["last_signin_at"]) for u in listed]
    assert rows == [("maria", "ops", "active", None)]
    with session_scope() as s:
        assert users.authenticate(s, "maria", PASSWORD, NOW) is not None
        assert (ME, "account added") in [(e.actor, e.action) for e in audit.entries(s, target_kind="account")]
    words = users_cli("list").stdout
    assert "maria" in words and "ops" in words and "active" in words


def test_the_password_can_be_typed_twice(sqlite_url, monkeypatch):
    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    assert users_cli("add", "ana", "--role", "marketer").exit_code == 0
    typed = iter([PASSWORD, "something else entirely"])
    r = users_cli("add", "bea", "--role", "marketer")
    assert r.exit_code == 1 and "the two passwords differ" in r.stderr


@pytest.mark.parametrize("args, stdin, words", [
    (["add", "maria", "--role", "boss", "--password-stdin"], PASSWORD,
     "role 'boss' is not one of admin, ops, marketer"),
    (["add", "maria", "--role", "ops", "--password-stdin"], "too short", "at least 12 characters"),
    (["add", "maria", "--role", "ops", "--password-stdin"], "maria-has-a-long-password", "must not contain"),
    (["disable", "ghost"], None, "no account named 'ghost'"),
    (["reset", "ghost", "--password-stdin"], PASSWORD, "no account named 'ghost'"),
])
def test_bad_input_is_an_error_on_stderr(sqlite_url, args, stdin, words):
    r = users_cli(*args, stdin=stdin + "\n" if stdin else None)
    assert r.exit_code == 1 and words in r.stderr, r.stderr
    with session_scope() as s:
        assert users.accounts(s) == []


def test_a_duplicate_name_is_refused(sqlite_url):
    users_cli("add", "maria", "--role", "ops", "--password-stdin", stdin=PASSWORD + "\n")
    r = users_cli("add", "maria", "--role", "admin", "--password-stdin", stdin="another long password\n")
    assert r.exit_code == 1 and "exists already" in r.stderr


def test_disable_then_reset(sqlite_url):
    users_cli("add", "maria", "--role", "ops", "--password-stdin", stdin=PASSWORD + "\n")
    with session_scope() as s:
        for _ in range(5):
            users.authenticate(s, "maria", "wrong password here", NOW)
    assert json.loads(users_cli("list", "--json").stdout)["users"][0]["state"] == "locked"
    assert users_cli("disable", "maria").exit_code == 0
    assert json.loads(users_cli("list", "--json").stdout)["users"][0]["state"] == "disabled"
    r = users_cli("reset", "maria", "--password-stdin", stdin="a brand new passphrase\n")
    assert r.exit_code == 0 and "sessions have ended" in r.stdout
    assert json.loads(users_cli("list", "--json").stdout)["users"][0]["state"] == "active"
    with session_scope() as s:
        assert users.authenticate(s, "maria", "a brand new passphrase", NOW) is not None


def test_keys_add_prints_the_key_once_and_list_never(sqlite_url):
    r = runner.invoke(app, ["keys", "add", "webform", "--scope", "intake", "--json"])
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    assert made["key"].startswith("nk_") and made["scope"] == "intake" and made["created_by"] == ME
    listing = runner.invoke(app, ["keys", "list", "--json"]).stdout
    assert made["key"] not in listing and made["key"] not in runner.invoke(app, ["keys", "list"]).stdout
    assert json.loads(listing)["keys"][0]["state"] == "active"
    assert runner.invoke(app, ["keys", "revoke", "webform"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)["keys"][0]["state"] == "revoked"
    with session_scope() as s:
        assert keys.find(s, made["key"], NOW) is None


@pytest.mark.parametrize("args, words", [
    (["add", "webform", "--scope", "write"], "scope 'write' is not one of intake, read, admin"),
    (["revoke", "ghost"], "no key named 'ghost'"),
])
def test_keys_bad_input_is_an_error_on_stderr(sqlite_url, args, words):
    r = runner.invoke(app, ["keys", *args])
    assert r.exit_code == 1 and words in r.stderr


def test_a_key_name_is_taken_once(sqlite_url):
    runner.invoke(app, ["keys", "add", "webform", "--scope", "read"])
    r = runner.invoke(app, ["keys", "add", "webform", "--scope", "intake"])
    assert r.exit_code == 1 and "exists already" in r.stderr
