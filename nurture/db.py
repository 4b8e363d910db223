"""Engine, sessions and migrations: SQLite by default, PostgreSQL through NURTURE_DATABASE_URL."""

from __future__ import annotations

import functools
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped
from sqlmodel import Session

from nurture.config import get_settings
from nurture.models import KeyValue

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

_engines: dict[str, Engine] = {}
_lock = threading.Lock()
#: PostgreSQL connections are pinged before each checkout, except in worker processes, which turn
#: it off (a round trip per send) and retry once on a dropped connection instead.
pre_ping = True
#: Connections are replaced after this many seconds, so a dropped one is rarely met at all.
POOL_RECYCLE = 1800


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the API read while a worker writes; busy_timeout waits instead of failing on a lock.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    """A new engine for `url`, with the SQLite pragmas nurture relies on.

    hide_parameters: a database error's message then names the statement but not its values, which
    are names, phones and emails; those messages end up in logs and tracebacks.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10},
                                  hide_parameters=True)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_pre_ping=pre_ping, pool_recycle=POOL_RECYCLE, pool_size=10,
                                  max_overflow=20, hide_parameters=True)
    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> str | None:
    """Bring the database at `url` up to the newest migration; return the revision it is at."""
    engine = get_engine(url, migrate=False)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def get_engine(url: str | None = None, *, migrate: bool = True) -> Engine:
    """The shared engine for `url` (default: settings); an out-of-date database is migrated on first use."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
            fresh = True
        else:
            fresh = False
    if migrate and fresh and current_revision(engine) != head_revision():
        upgrade(url)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests and forked workers)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on error."""
    session = Session(get_engine(url), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def secret_key(session: Session) -> str:
    """NURTURE_SECRET_KEY, or one generated on first use and kept in the database."""

    configured = get_settings().secret_key
    if configured:
        return configured
    row = session.get(KeyValue, "secret_key")
    if row is None:
        row = KeyValue(key="secret_key", value=secrets.token_urlsafe(32))
        session.add(row)
        session.flush()
    return row.value


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def one_of(session: Session, column: sa.ColumnElement[Any] | Mapped[Any], values: Iterable[object]) -> sa.ColumnElement[bool]:
    """`column IN (values)` for a batch of values (a CSV batch's ids, phones, emails).

    On PostgreSQL `column = ANY(:array)`: one parameter, so the statement's text is the same
    whatever the batch holds and psycopg prepares it once (an IN list of 500 parameters was parsed
    again by psycopg on every batch, a tenth of an import's own time). On SQLite, texts or integers
    go as one JSON array, `column IN (SELECT value FROM json_each(:array))`, for the same reason:
    SQLAlchemy rendered an IN list of 3,500 parameters in 2-5 ms, the array takes 1.4 ms with its
    look-ups (and no list is too long for SQLite's limit on parameters). Elsewhere a plain IN.
    """
    values = list(values)
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        # bigint[] for any integer column, so a value past int4 matches nothing, as in an IN list.
        # (inspect gives a table column back as it is and a model attribute as its column, with its type)
        column_type = sa.inspect(column).type
        item = sa.BigInteger() if isinstance(column_type, sa.Integer) else column_type
        return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(item)))
    if (dialect.name == "sqlite" and values and _json_each_works()
            and _json_safe(sa.inspect(column).type, dialect, values)):
        array = sa.bindparam(None, json.dumps(values), type_=sa.String())
        return column.in_(sa.select(sa.column("value")).select_from(sa.func.json_each(array)).scalar_subquery())
    return column.in_(values)


def _json_safe(column_type: sa.types.TypeEngine[Any], dialect: sa.engine.Dialect, values: list[object]) -> bool:
    """Whether `values` read back from a JSON array are what an IN list would bind: a column whose
    type binds values as they are, texts for a text column, integers (not booleans) for an integer
    one; anything else goes as an IN list."""
    if column_type.bind_processor(dialect) is not None:
        return False
    base = column_type.impl_instance if isinstance(column_type, sa.TypeDecorator) else column_type
    if isinstance(base, sa.String):
        return all(type(v) is str for v in values)
    if isinstance(base, sa.Integer):
        return all(type(v) is int for v in values)  # one past 64 bits is read as a real: it matches nothing
    return False


@functools.cache
def _json_each_works() -> bool:
    """Whether this Python's SQLite has json_each (built in since SQLite 3.38; an extension before)."""
    try:
        with closing(sqlite3.connect(":memory:")) as conn:
            return conn.execute("SELECT value FROM json_each('[1]')").fetchall() == [(1,)]
    except sqlite3.Error:
        return False


class Prepared:
    """A statement built with SQLAlchemy that PostgreSQL runs through psycopg itself, on the
    session's own connection and in its transaction (elsewhere: `session.execute`).

    For the few statements of every send. SQLAlchemy's execution layer (execution context, result
    metadata, ORM session dispatch) costs a worker about 0.3 ms per statement; psycopg alone about
    0.1 ms, and it prepares a statement it has run five times. What reaches the database is what
    `session.execute` would send: the statement is compiled once by SQLAlchemy's PostgreSQL
    compiler, each parameter converted by its type's own bind processor and each column by its
    result processor. A database error comes out as SQLAlchemy's (IntegrityError, or a DBAPIError
    with `connection_invalidated` when the connection was lost, the connection then invalidated)
    so callers handle it as any other.
    """

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._plans: dict[Any, _Plan] = {}
        self._lock = threading.Lock()

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row the statement returns (none for a statement without RETURNING)."""
        conn = session.connection()
        dialect = conn.dialect
        if dialect.name != "postgresql":
            result = conn.execute(self.statement, dict(params))
            return [tuple(row) for row in result.all()] if result.returns_rows else []
        plan = self._plans.get(dialect)
        if plan is None:
            with self._lock:
                plan = self._plans.get(dialect) or _Plan(self.statement, dialect)
                self._plans[dialect] = plan
        values = dict(plan.fixed)
        for name, value in params.items():
            convert = plan.binds[name]
            values[name] = value if convert is None else convert(value)
        fairy = conn.connection
        dbapi = fairy.dbapi_connection
        assert dbapi is not None  # a connection in use holds its DB-API connection
        try:
            with dbapi.cursor() as cursor:  # type: ignore[attr-defined]  # psycopg's cursor is a context manager; SQLAlchemy types it as a bare DB-API cursor
                cursor.execute(plan.sql, values)
                # Whether rows came back, from the result's status: `cursor.description` would
                # describe every column first (a tenth of a send's statement time, for nothing).
                result = cursor.pgresult
                found = cursor.fetchall() if result is not None and result.status == plan.rows_back else []
        except dialect.loaded_dbapi.Error as exc:
            lost = dialect.is_disconnect(exc, dbapi, None)
            if lost:
                conn.invalidate(exc)
            raise sa.exc.DBAPIError.instance(plan.sql, values, exc, dialect.loaded_dbapi.Error,
                                             hide_parameters=True, connection_invalidated=lost,
                                             dialect=dialect) from exc
        if plan.columns is None:
            return found
        columns = plan.columns
        return [tuple(v if c is None or v is None else c(v) for c, v in zip(columns, row)) for row in found]


class _Plan:
    """A statement compiled for one dialect: its SQL, its fixed parameters (converted), the
    converter of each parameter the caller gives, and each result column's (None if none needs one)."""

    def __init__(self, statement: Any, dialect: Any) -> None:
        from psycopg import pq

        compiled = statement.compile(dialect=dialect)
        self.sql: str = compiled.string
        self.rows_back = int(pq.ExecStatus.TUPLES_OK)  # a result's status when the statement returned rows
        if "POSTCOMPILE" in self.sql:  # an IN list expanded at run time: write it as = ANY(array) or literal
            raise ValueError(f"a prepared statement takes no expanding IN list: {self.sql}")
        self.binds: dict[str, Callable[[Any], Any] | None] = {}
        for bind, name in compiled.bind_names.items():
            self.binds[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
        # The caller gives the parameters the statement leaves open; the others are fixed.
        given = {name for bind, name in compiled.bind_names.items() if bind.required}
        values = compiled.construct_params(dict.fromkeys(given))
        self.fixed: dict[str, Any] = {}
        for name, value in values.items():
            if name not in given:
                convert = self.binds.get(name)
                self.fixed[name] = value if convert is None else convert(value)
        selected = getattr(statement, "selected_columns", None)
        if selected is None:
            self.columns: list[Callable[[Any], Any] | None] | None = None
        else:
            self.columns = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected]
            if all(c is None for c in self.columns):
                self.columns = None
