"""Many rows into one table in the session's transaction: PostgreSQL `COPY` (psycopg 3), elsewhere
one DB-API `executemany`.

A bulk import writes tens of planned messages and log rows per lead. On PostgreSQL, SQLAlchemy's
multi-row INSERT builds statements of thousands of parameters that psycopg then re-parses (most of
an import's time went there); `COPY ... FROM STDIN` streams the same rows with no SQL to parse.
Values go through each column's own bind processing first (UTC datetimes, JSON), so a row means the
same whichever way it is written. Rows whose ids are needed take them first (`reserve_ids`: the
table's sequence on PostgreSQL, the writer lock and the largest id on SQLite) and are written with them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault
from sqlmodel import Session

from nurture.locking import take_sqlite_writer_lock


def reserve_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """`count` new ids for `table`, taken before its rows are written: on PostgreSQL from the id
    sequence in one statement; on SQLite the ones after the largest id, under the writer lock this
    transaction takes first (a no-op write), which it then holds until it ends."""
    if count == 0:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # One row holding an array: fetching 10,000 one-value rows cost more than taking the ids.
        return list(conn.execute(
            sa.text("SELECT array_agg(nextval(pg_get_serial_sequence(:table, 'id'))) FROM generate_series(1, :n)"),
            {"table": table.name, "n": count},
        ).scalar_one())
    take_sqlite_writer_lock(session)
    top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + count))


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys) into `table`: COPY on PostgreSQL, one DB-API
    `executemany` on SQLite, each value through its column's bind processing.

    Columns a row leaves out get their Python-side scalar or callable default, as an INSERT would.
    A constraint the rows break raises SQLAlchemy's IntegrityError on every database."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    names = list(rows[0])
    defaults = {c.name: _default_value(c) for c in table.columns if c.name not in rows[0] and c.default is not None}
    columns = names + list(defaults)
    extra = list(defaults.values())
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]

    # Column by column: a bulk write repeats values (the batch's `now`, the due times of leads
    # planned alike), so each distinct value is converted once and the rest is a look-up.
    table_columns: list[list[Any]] = [[row[name] for row in rows] for name in names]
    table_columns += [[value] * len(rows) for value in extra]
    for i, process in enumerate(processors):
        if process is not None:
            table_columns[i] = _processed(process, table_columns[i])

    raw = conn.connection.driver_connection
    quote = dialect.identifier_preparer.quote
    try:
        if dialect.name == "postgresql":
            statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            with raw.cursor() as cur, cur.copy(statement) as copy:
                fields = [_copy_fields(cur, values) for values in table_columns]
                for start in range(0, len(rows), COPY_CHUNK):
                    copy.write(b"".join(b"\t".join(line) + b"\n"
                                        for line in zip(*(f[start:start + COPY_CHUNK] for f in fields))))
        else:  # SQLite: its positional parameters in the compiled INSERT's order
            compiled = sa.insert(table).compile(dialect=dialect, column_keys=columns)
            statement = str(compiled)
            assert compiled.positiontup is not None  # SQLite's parameters are positional (qmark)
            order = [columns.index(key) for key in compiled.positiontup]
            cursor = raw.cursor()
            try:
                cursor.executemany(statement, list(zip(*[table_columns[i] for i in order], strict=True)))
            finally:
                cursor.close()
    except dialect.loaded_dbapi.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc


ANALYZE_MIN_CHANGES = 1_000
"""Rows a table must have gained or lost since PostgreSQL last took its statistics before an import
takes them again (and at least half the table): a few ANALYZEs per import, each a few ms."""


def analyze_grown(session: Session, table: sa.Table) -> bool:
    """On PostgreSQL, ANALYZE `table` when it changed by ANALYZE_MIN_CHANGES rows and half its size
    since its statistics were taken (True when it did); elsewhere nothing. Run it in a transaction
    of its own, between an import's batches: ANALYZE holds its lock to the end of the transaction.

    A table an import fills while it reads it needs this. Before any statistics, PostgreSQL plans
    `channel = 'sms' AND address = ANY($1)` as a scan of every 'sms' row compared with each
    address of the array in turn (a prepared statement's array is not hashed): a batch's look-up
    of its numbers in `suppression` grew with the table, from 8 ms at 5,000 rows, and cost a
    100,000-row list 7.6 s of its own and most of 33 s more in planning. With them it reads the
    unique key, 0.2 ms. Autovacuum does the same, but only after up to a minute, or never where it
    is off."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return False
    row = conn.execute(sa.text("SELECT n_live_tup, n_mod_since_analyze FROM pg_stat_user_tables "
                               "WHERE relid = CAST(:table AS regclass)"), {"table": table.name}).first()
    if row is None or row.n_mod_since_analyze < max(ANALYZE_MIN_CHANGES, row.n_live_tup // 2):
        return False
    conn.execute(sa.text(f"ANALYZE {conn.dialect.identifier_preparer.quote(table.name)}"))
    return True


#: Rows per write to the COPY stream.
COPY_CHUNK = 5_000
_COPY_ESCAPES = re.compile(b"[\b\t\n\v\f\r\\\\]")
_COPY_ESCAPED = {b"\b": b"\\b", b"\t": b"\\t", b"\n": b"\\n", b"\v": b"\\v", b"\f": b"\\f", b"\r": b"\\r",
                 b"\\": b"\\\\"}


def _copy_fields(cursor: Any, values: list[Any]) -> list[bytes]:
    """One column's values as fields of COPY's text format, each distinct value worked out once:
    as psycopg's own text dumper for its type gives it, escaped as COPY reads it back (\\N for NULL).

    The common types take a short way to the same bytes: psycopg dumps an int, a date and a naive
    datetime as `str(value)` encoded, and text as its encoding (UTF-8 here); a printable string
    with no backslash has nothing for COPY to unescape. Anything else goes through psycopg's dumper.
    """
    from psycopg.adapt import PyFormat

    dumpers: dict[type, Any] = {}
    utf8 = cursor.connection.info.encoding == "utf-8"

    def dumped(value: Any) -> bytes:
        kind = type(value)
        dumper = dumpers.get(kind)
        if dumper is None:
            dumper = dumpers[kind] = cursor.adapters.get_dumper(kind, PyFormat.TEXT)(kind, cursor)
        # As psycopg's own COPY does: the dumper of the value itself (a naive datetime, a big int).
        out = dumper.upgrade(value, PyFormat.TEXT).dump(value)
        return _COPY_ESCAPES.sub(lambda m: _COPY_ESCAPED[m.group(0)], bytes(out))

    def field(value: Any) -> bytes:
        kind = type(value)
        if kind is str:
            if utf8 and value.isprintable() and "\\" not in value:
                return value.encode()
            return dumped(value)
        if kind is int or kind is date or (kind is datetime and value.tzinfo is None):
            return str(value).encode()
        if value is None:
            return b"\\N"
        return dumped(value)

    return _each_distinct_once(field, values)


def _processed(process: Any, values: list[Any]) -> list[Any]:
    return _each_distinct_once(lambda v: None if v is None else process(v), values)


def _each_distinct_once(convert: Any, values: list[Any]) -> list[Any]:
    """`convert` of each value, worked out once per distinct value (a bulk write repeats them);
    unhashable values (JSON lists and dicts) each on their own."""
    try:
        done = {v: convert(v) for v in set(values)}
    except TypeError:
        return [convert(v) for v in values]
    return list(map(done.__getitem__, values))


def _default_value(column: sa.Column[Any]) -> Any:
    default = column.default
    if isinstance(default, ScalarElementColumnDefault):
        return default.arg
    if isinstance(default, CallableColumnDefault):
        return default.arg(None)  # type: ignore[arg-type]  # no statement runs, so no execution context: SQLAlchemy's wrapper of a no-argument default ignores it
    raise ValueError(f"{column}: a default COPY cannot compute; give the value")
