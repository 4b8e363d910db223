"""A PostgreSQL database of a benchmark's own: created and migrated, then dropped."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from nurture import db

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def fresh_database(prefix: str = "nurture_bench", admin_url: str = PG_ADMIN) -> tuple[str, str]:
    """(name, URL) of a new database at the newest migration."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    db.upgrade(url)
    return name, url


def drop_database(name: str, admin_url: str = PG_ADMIN) -> None:
    db.dispose_engines()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
