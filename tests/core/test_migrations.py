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


def _lead_and_sent_message(conn: sa.Connection, t: str) -> None:
    """Lead 1 and its message 1, sent at `t` with provider id SM1, written as SQL (any revision's schema)."""
    conn.execute(sa.text(
        "INSERT INTO lead (id, first_name, last_name, hardships, foreclosure_stage, timezone, status, enrolled_at, "
        "created_at, updated_at) VALUES (1, 'Ana', '', '[]', 'none', 'America/New_York', 'active', :t, :t, :t)"),
        {"t": t})
    conn.execute(sa.text(
        "INSERT INTO message (id, lead_id, sequence, step, channel, template, deadline, due_at, state, attempts, "
        "provider_id, sent_at, created_at, updated_at) VALUES (1, 1, 'intro', 'a', 'sms', 'sms/intro', false, :t, "
        "'sent', 1, 'SM1', :t, :t, :t)"), {"t": t})


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    from alembic import command

    engine = db.get_engine(url, migrate=False)
    with engine.begin() as conn:
        cfg = db.alembic_config(url)
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _plan(conn, sql: str, params: dict) -> str:  # type: ignore[no-untyped-def]
    prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    rows = conn.execute(sa.text(prefix + sql), params).all()
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


def test_0005_drops_the_logs_foreign_keys_keeps_every_row_and_the_partial_indexes_serve_the_look_ups(db_url):
    """Down to 0004 and up again with rows in place; then the queries that read the partial indexes
    (webhooks by provider id, the console's windows and failure codes) still use them."""
    t = "2026-12-01 15:00:00"
    engine = db.get_engine(db_url)
    with engine.begin() as conn:
        _lead_and_sent_message(conn, t)
        conn.execute(sa.text(
            "INSERT INTO message (id, lead_id, sequence, step, channel, template, deadline, due_at, state, attempts, "
            "created_at, updated_at) VALUES (2, 1, 'intro', 'b', 'sms', 'sms/intro', false, :t, 'planned', 0, :t, :t)"),
            {"t": t})
        conn.execute(sa.text(
            "INSERT INTO deliveryevent (at, lead_id, message_id, kind, to_state, cause, error_code) VALUES "
            "(:t, 1, 1, 'state', 'sent', 'sent', NULL), (:t, 1, 2, 'state', 'failed', 'refused', '21610')"),
            {"t": t})
    _migrate(db_url, "0004", down=True)
    db.dispose_engines()
    fks = sa.inspect(db.get_engine(db_url, migrate=False)).get_foreign_keys("deliveryevent")
    assert sorted(fk["referred_table"] for fk in fks) == ["lead", "message"]
    _migrate(db_url, "head")
    db.dispose_engines()
    engine = db.get_engine(db_url)
    inspector = sa.inspect(engine)
    assert inspector.get_foreign_keys("deliveryevent") == []
    assert inspector.get_foreign_keys("message") == []  # 0014's: test_0014_...
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET enable_seqscan = off"))  # two rows: ask what the planner could use
        assert conn.execute(sa.text("SELECT count(*) FROM deliveryevent")).scalar() == 2
        ddl = conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'" if conn.dialect.name == "sqlite"
            else "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")).all()
        partial = {name: text.split(" WHERE ")[1].strip("()") for name, text in ddl if text and " WHERE " in text}
        assert partial == {
            "ix_message_sent_at": "sent_at IS NOT NULL", "ix_message_template_sent_at": "sent_at IS NOT NULL",
            "ix_message_provider_id": "provider_id IS NOT NULL", "ix_deliveryevent_error_code": "error_code IS NOT NULL",
            "uq_message_step_once": partial["uq_message_step_once"],  # its clause is checked below
            "ix_lead_email_not_plain": partial["ix_lead_email_not_plain"],  # 0012's: tests/intake/test_lookalike_stored.py
        }
        for state in ("sending", "sent", "delivered", "undelivered", "review"):
            assert f"'{state}'" in partial["uq_message_step_once"]
        for sql, indexes in [
            ("SELECT id FROM message WHERE provider_id = :v", ["ix_message_provider_id"]),
            ("SELECT count(*) FROM message WHERE sent_at >= :t", ["ix_message_sent_at", "ix_message_template_sent_at"]),
            ("SELECT template, count(*) FROM message WHERE template = 'sms/intro' AND sent_at >= :t GROUP BY template",
             ["ix_message_template_sent_at"]),
            ("SELECT id FROM deliveryevent WHERE error_code = :v", ["ix_deliveryevent_error_code"]),
        ]:
            plan = _plan(conn, sql, {"v": "SM1", "t": t})
            assert any(index in plan for index in indexes), (sql, plan)
        assert conn.execute(sa.text("SELECT id FROM message WHERE provider_id = 'SM1'")).scalar() == 1
        assert conn.execute(sa.text("SELECT message_id FROM deliveryevent WHERE error_code = '21610'")).scalar() == 2


def test_0014_drops_the_lead_foreign_key_of_messages_and_records_and_keeps_their_rows_and_clicks(db_url):
    """Down to 0012 and up again (two steps each way, in one transaction) with a lead, a sent
    message, its click and a list's record in place: each keeps its rows; the click still refers to
    its message; `message` keeps its indexes (SQLite rebuilds the table; its partial indexes are
    checked by the 0005 test); SQLite checks foreign keys again afterwards."""
    t = "2026-12-01 15:00:00"
    engine = db.get_engine(db_url)
    with engine.begin() as conn:
        _lead_and_sent_message(conn, t)
        conn.execute(sa.text("INSERT INTO click (at, message_id, lead_id, channel, template, link) "
                             "VALUES (:t, 1, 1, 'sms', 'sms/intro', 'start')"), {"t": t})
        conn.execute(sa.text("INSERT INTO leadrecord (lead_id, list_name, imported_at) VALUES (1, 'county', :t)"),
                     {"t": t})
    indexes_before = {ix["name"] for ix in sa.inspect(engine).get_indexes("message")}

    def referred(inspector, table: str) -> list[str]:  # type: ignore[no-untyped-def]
        return sorted(fk["referred_table"] for fk in inspector.get_foreign_keys(table))

    _migrate(db_url, "0012", down=True)
    db.dispose_engines()
    inspector = sa.inspect(db.get_engine(db_url, migrate=False))
    assert (referred(inspector, "message"), referred(inspector, "leadrecord")) == (["lead"], ["lead"])
    _migrate(db_url, "head")
    engine = db.get_engine(db_url, migrate=False)  # the migration's own connection, back in the pool
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose_engines()
    engine = db.get_engine(db_url)
    inspector = sa.inspect(engine)
    assert (referred(inspector, "message"), referred(inspector, "leadrecord")) == ([], [])
    assert referred(inspector, "click") == ["lead", "message"]
    assert {ix["name"] for ix in inspector.get_indexes("message")} == indexes_before
    with engine.connect() as conn:
        counts = [conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("lead", "message", "click", "leadrecord")]
        assert counts == [1, 1, 1, 1]
        if conn.dialect.name == "sqlite":
            assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
