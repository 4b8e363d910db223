"""Loaded by the benchmark's worker and scheduler processes (PYTHONPATH): counts SQL statements and
commits per process and writes them every half second to $NURTURE_BENCH_COUNTS/<pid>.json.
Benchmark-only: the product knows nothing of it."""

import json
import os
import threading
import time

_out = os.environ.get("NURTURE_BENCH_COUNTS")
if _out:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counts = {"statements": 0, "commits": 0}

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts["statements"] += 1

    @event.listens_for(Engine, "commit")
    def _commit(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts["commits"] += 1

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
