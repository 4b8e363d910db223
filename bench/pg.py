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


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """CPU ticks (user + system) used so far by each pid that still exists (/proc/<pid>/stat)."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = int(fields[11]) + int(fields[12])
    return found


def postgres_backends(url: str, admin_url: str = PG_ADMIN) -> list[int]:
    """The pids of the PostgreSQL backends connected to `url`'s database."""
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(admin_url)
    with engine.connect() as conn:
        pids = list(conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                 {"d": name}).scalars())
    engine.dispose()
    return pids
