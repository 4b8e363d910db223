"""`nurture keys add|list|revoke`: named API keys for integrations, each with one scope."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from nurture.accounts import keys
from nurture.cli.common import actor, fail, out, print_json, when
from nurture.clock import now
from nurture.db import session_scope
from nurture.models import ApiKey

app = typer.Typer(no_args_is_help=True)
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _row(key: ApiKey) -> dict[str, Any]:
    return {"name": key.name, "scope": key.scope, "prefix": key.prefix,
            "state": "revoked" if key.revoked_at else "active",
            "created_at": key.created_at.isoformat(), "created_by": key.created_by,
            "last_used_at": key.last_used_at.isoformat() if key.last_used_at else None,
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None, "revoked_by": key.revoked_by}


@app.command("add")
def add(name: Annotated[str, typer.Argument(help="What uses the key, e.g. webform.")],
        scope: Annotated[str, typer.Option("--scope", help="intake (POST leads), read (GET leads) or admin.")],
        json: JsonOut = False) -> None:
    """Make a key and print it once: only its hash is kept, so copy it now."""
    try:
        with session_scope() as session:
            key, secret = keys.create(session, name, scope, actor=actor(), now=now())
            row = _row(key)
    except keys.ApiKeyError as exc:
        fail(str(exc))
    if json:
        print_json(row | {"key": secret})
        return
    out(f"key {row['name']} ({row['scope']}): {secret}", markup=False)
    out("copy it now: it is not shown again (send it as 'Authorization: Bearer <key>')", markup=False)


@app.command("list")
def list_(json: JsonOut = False) -> None:
    """Every key: name, scope, its first characters, active or revoked, last use (never the key)."""
    with session_scope() as session:
        rows = [_row(k) for k in keys.keys(session)]
    if json:
        print_json({"keys": rows})
        return
    if not rows:
        out("no named keys (nurture keys add NAME --scope intake)")
    for r in rows:
        used = f"last used {when(r['last_used_at'])}" if r["last_used_at"] else "never used"
        out(f"{r['name']:<24} {r['scope']:<7} {r['prefix']}…  {r['state']:<8} {used}", markup=False)


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """The key stops working at once (it stays listed, revoked)."""
    try:
        with session_scope() as session:
            keys.revoke(session, name, actor=actor(), now=now())
    except keys.ApiKeyError as exc:
        fail(str(exc))
    out(f"revoked {name.strip()}", markup=False)
