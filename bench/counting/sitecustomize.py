"""Loaded by the benchmark's worker and scheduler processes (PYTHONPATH): counts SQL statements and
commits per process and writes them every half second to $NURTURE_BENCH_COUNTS/<pid>.json.
Benchmark-only: the product knows nothing of it."""

import json
import os
import threading
import time

_out = os.environ.get("NURTURE_BENCH_COUNTS")
if _out:
    # Counted in psycopg itself, under SQLAlchemy: the send path runs some statements through
    # psycopg directly (nurture.db.Prepared), which SQLAlchemy's events would not see.
    import psycopg

    counts = {"statements": 0, "commits": 0}

    def _counting(method, key):  # type: ignore[no-untyped-def]
        def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            counts[key] += 1
            return method(self, *args, **kwargs)
        return wrapper

    psycopg.Cursor.execute = _counting(psycopg.Cursor.execute, "statements")
    psycopg.Cursor.executemany = _counting(psycopg.Cursor.executemany, "statements")
    psycopg.Connection.commit = _counting(psycopg.Connection.commit, "commits")

    def _write() -> None:
        while True:
            time.sleep(0.5)
            path = os.path.join(_out, f"{os.getpid()}.json")
            with open(path + ".tmp", "w") as fh:
                json.dump(counts, fh)
            os.replace(path + ".tmp", path)

    def _start() -> None:
        counts.update(statements=0, commits=0)  # a forked worker counts its own
        threading.Thread(target=_write, daemon=True).start()

    _start()
    os.register_at_fork(after_in_child=_start)
