"""`nurture db upgrade`."""

from __future__ import annotations

import typer

from nurture import db
from nurture.cli.common import fail, out
from nurture.config import get_settings

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration to NURTURE_DATABASE_URL (an empty SQLite file is migrated on first use anyway)."""
    url = get_settings().database_url
    try:
        rev = db.upgrade(url)
    except Exception as exc:  # the operator needs the database's own words
        fail(f"could not migrate {db.redact(url)}: {exc}")
    out(f"database {db.redact(url)} is at revision {rev}")
