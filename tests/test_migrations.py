"""Migrations bring an empty database to the newest revision on SQLite and PostgreSQL."""

import sqlalchemy as sa

from nurture import db


def test_an_empty_sqlite_file_is_migrated_on_first_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = db.get_engine(url)
    assert db.current_revision(engine) == db.head_revision()
    assert {"lead", "consent", "message", "deliveryevent", "suppression"} <= set(sa.inspect(engine).get_table_names())


def test_migrations_are_at_head_on_postgres(pg_url):
    engine = db.get_engine(pg_url)
    assert db.current_revision(engine) == db.head_revision()
    assert db.upgrade(pg_url) == db.head_revision()  # running it again is harmless


def test_db_upgrade_command_reports_the_revision(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from nurture.cli import app
    from nurture.config import get_settings

    monkeypatch.setenv("NURTURE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["db", "upgrade"])
    assert r.exit_code == 0, r.output
    assert f"is at revision {db.head_revision()}" in r.stdout


def test_the_migrations_build_exactly_the_tables_and_indexes_the_models_declare(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import nurture.models  # noqa: F401  (the tables)

    with db.get_engine(db_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
