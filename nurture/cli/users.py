"""`nurture users add|list|disable|reset`: the people who sign in to the console, and their roles."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Any

import typer

from nurture.accounts import users
from nurture.cli.common import actor, fail, out, print_json, when
from nurture.clock import now
from nurture.db import session_scope
from nurture.models import Account

app = typer.Typer(no_args_is_help=True)
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin",
                                             help="Read the password from the first line of stdin (scripts).")]


def _password(name: str, from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass(f"password for {name}: ")
            again = getpass.getpass("the same again: ")
        except (EOFError, KeyboardInterrupt):
            fail("no password given (type it twice, or use --password-stdin)")
        if password != again:
            fail("the two passwords differ: nothing changed")
    problem = users.password_problem(name, password)
    if problem:
        fail(f"{problem}: nothing changed")
    return password


def _row(account: Account) -> dict[str, Any]:
    return {"name": account.name, "role": account.role, "state": users.state(account, now()),
            "last_signin_at": account.last_signin_at.isoformat() if account.last_signin_at else None,
            "locked_until": account.locked_until.isoformat() if users.state(account, now()) == "locked"
            and account.locked_until else None,
            "created_at": account.created_at.isoformat(), "created_by": account.created_by}


@app.command("add")
def add(name: Annotated[str, typer.Argument(help="The name the person signs in with.")],
        role: Annotated[str, typer.Option("--role", help="admin, ops or marketer.")],
        password_stdin: PasswordStdin = False) -> None:
    """Add an account: admin (everything), ops (leads, inbox, log) or marketer (templates, results)."""
    if role not in users.ROLES:
        fail(f"role {role!r} is not one of {', '.join(users.ROLES)}")
    with session_scope() as session:
        if users.by_name(session, name) is not None:
            fail(f"an account named {name.strip()!r} exists already")
    password = _password(name.strip(), password_stdin)
    try:
        with session_scope() as session:
            account = users.add(session, name, role, password, actor=actor(), now=now())
            out(f"added {account.name} ({account.role})", markup=False)
    except users.AccountError as exc:
        fail(str(exc))


@app.command("list")
def list_(json: JsonOut = False) -> None:
    """Every account: name, role, state (active, locked, disabled), last sign-in."""
    with session_scope() as session:
        rows = [_row(a) for a in users.accounts(session)]
    if json:
        print_json({"users": rows})
        return
    if not rows:
        out("no accounts: the console answers this machine without sign-in (nurture users add NAME --role admin)")
    for r in rows:
        last = when(r["last_signin_at"]) if r["last_signin_at"] else "never signed in"
        out(f"{r['name']:<24} {r['role']:<9} {r['state']:<9} {last}", markup=False)


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="The account's name.")]) -> None:
    """The account can no longer sign in; its open sessions end now."""
    try:
        with session_scope() as session:
            users.disable(session, name, actor=actor(), now=now())
    except users.AccountError as exc:
        fail(str(exc))
    out(f"disabled {name.strip()}: its sessions have ended", markup=False)


@app.command("reset")
def reset(name: Annotated[str, typer.Argument(help="The account's name.")],
          password_stdin: PasswordStdin = False) -> None:
    """A new password: the account is unlocked (and enabled again), and its open sessions end."""
    with session_scope() as session:
        if users.by_name(session, name) is None:
            fail(f"no account named {name.strip()!r}")
    password = _password(name.strip(), password_stdin)
    try:
        with session_scope() as session:
            users.reset(session, name, password, actor=actor(), now=now())
    except users.AccountError as exc:
        fail(str(exc))
    out(f"new password for {name.strip()}: unlocked, its sessions have ended", markup=False)
