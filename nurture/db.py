"""Engine, sessions and migrations: SQLite by default, PostgreSQL through NURTURE_DATABASE_URL."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlmodel import Session

from nurture.config import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

_engines: dict[str, Engine] = {}
_lock = threading.Lock()
#: PostgreSQL connections are pinged before each checkout, except in worker processes, which turn
#: it off (a round trip per send) and retry once on a dropped connection instead.
pre_ping = True
#: Connections are replaced after this many seconds, so a dropped one is rarely met at all.
POOL_RECYCLE = 1800


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
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
    from nurture.models import KeyValue

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


def one_of(session: Session, column: sa.ColumnElement, values: Iterable[object]) -> sa.ColumnElement[bool]:  # type: ignore[type-arg]
    """`column IN (values)` for a batch of values (a CSV batch's ids, phones, emails).

    On PostgreSQL `column = ANY(:array)`: one parameter, so the statement's text is the same
    whatever the batch holds and psycopg prepares it once (an IN list of 500 parameters was parsed
    again by psycopg on every batch, a tenth of an import's own time); elsewhere a plain IN.
    """
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        # bigint[] for any integer column, so a value past int4 matches nothing, as in an IN list.
        item = sa.BigInteger() if isinstance(column.type, sa.Integer) else column.type
        return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(item)))
    return column.in_(values)
