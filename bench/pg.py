"""A PostgreSQL database of a benchmark's own: created and migrated, then dropped."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

from nurture import db

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def fresh_database(prefix: str = "nurture_bench", admin_url: str = PG_ADMIN,
                   code: Path | None = None) -> tuple[str, str]:
    """(name, URL) of a new database at the newest migration (of the checkout `code`, when given:
    another commit's processes want the schema they know)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    if code is None:
        db.upgrade(url)
    else:
        subprocess.run([sys.executable, "-c", f"from nurture import db; db.upgrade({url!r})"], cwd=code,
                       env={**os.environ, "PYTHONPATH": str(code)}, check=True)
    return name, url


def drop_database(name: str, admin_url: str = PG_ADMIN) -> None:
    db.dispose_engines()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
