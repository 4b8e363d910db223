"""Import 10,000 generated CSV rows (5% bad) on SQLite and on PostgreSQL; print leads/s.

    python bench/import_bench.py [--rows 10000] [--zips N] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                 [--before REF ...] [--rounds R]

Each run uses a new SQLite file and a new PostgreSQL database, dropped afterwards. Two figures
per database: intake alone (parsing, validation, dedupe look-ups, lead and consent rows: what the
foundation issue measures) and the real import, which also plans every new lead (about 22
planned messages and as many log rows per lead).

Under each figure, where the time went, in milliseconds per created lead: reading and validating
the rows, the planner, the bulk writes (COPY / executemany, including the database's work on
them), everything else (look-ups, building rows, commits); and on PostgreSQL the CPU the server's
backend used (from /proc/<pid>/stat), so the next bottleneck is visible.

With --before REF, the real import (with planning) of the same rows is made by that commit's code
too, on a database of its own schema, each run in a child process, alternating with this
commit's round by round (default 2 rounds): this machine's speed drifts by two or more between
hours, and alternation weighs it on both sides alike. Every child, database and work tree is
removed at the end, also on Ctrl-C or a `timeout`.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg import cpu_ticks, postgres_backends  # noqa: E402
from nurture import bulk, db
from nurture.intake import csv_import
from nurture.plans import replan as planning  # noqa: E402
from nurture.clock import now  # noqa: E402
from nurture.intake.csv_import import import_text  # noqa: E402

PHASES = (("read + validate", csv_import, "parse_lead"), ("planner", planning, "plan"),
          ("bulk writes", bulk, "insert_rows"))

ZIPS = [("FL", "33101"), ("FL", "32501"), ("TX", "75201"), ("TX", "79901"), ("CA", "90012"),
        ("AZ", "85004"), ("NY", "10001"), ("GA", "30303"), ("AL", "35203"), ("WA", "98101")]
HEADER = ("first_name,last_name,phone,email,property_state,property_zip,mortgage_balance,estimated_value,"
          "payment_status,months_behind,hardships,foreclosure_stage,foreclosure_sale_date,"
          "sms_consent_granted,sms_consent_text,sms_consent_source_url")


def real_zips(count: int, seed: int = 11) -> list[tuple[str, str]]:
    """`count` real ZIPs (active, standard) of the states in ZIPS, drawn at random: a bought county or
    state list has thousands of distinct ZIPs, each looked up once."""
    import zipcodes

    states = {state for state, _ in ZIPS}
    found = [(r["state"], r["zip_code"]) for r in zipcodes.list_all()
             if r["state"] in states and r["active"] and r["zip_code_type"] == "STANDARD"]
    return random.Random(seed).sample(found, min(count, len(found)))


def generate(rows: int, bad_share: float = 0.05, seed: int = 7, zips: int = len(ZIPS)) -> str:
    rnd = random.Random(seed)
    places = ZIPS if zips <= len(ZIPS) else real_zips(zips)
    lines = [HEADER]
    for i in range(rows):
        state, zip_code = rnd.choice(places)
        phone = f"(305) 55{i // 10000 % 10}-{i % 10000:04d}"
        balance = rnd.randrange(150_000, 700_000)
        value = balance + rnd.randrange(-120_000, 40_000)
        status = rnd.choice(["current", "about_to_fall_behind", "behind"])
        months = rnd.randrange(1, 9) if status == "behind" else ""
        stage = rnd.choice(["none", "pre_foreclosure", "notice_of_default", "sale_scheduled"])
        sale = f"2027-0{rnd.randrange(1, 9)}-1{rnd.randrange(0, 9)}" if stage == "sale_scheduled" else ""
        row = [f"Lead{i}", "Bench", phone, f"lead{i}@example.com", state, zip_code, str(balance), str(value),
               status, str(months), "job_loss", stage, sale, "yes", "I agree to receive texts",
               "https://www.example.com/start-short-sale"]
        if rnd.random() < bad_share:
            row[2] = "555-01"  # a phone that cannot be right
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


@contextmanager
def timed_phases() -> Iterator[collections.Counter[str]]:
    """Seconds spent in each phase's function while the block runs (wrapped, then put back)."""
    spent: collections.Counter[str] = collections.Counter()
    saved = []
    for label, module, name in PHASES:
        original = getattr(module, name)
        saved.append((module, name, original))

        def timed(*args: Any, _f: Callable[..., Any] = original, _label: str = label, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - start

        setattr(module, name, functools.wraps(original)(timed))
    try:
        yield spent
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _server_ticks(url: str, admin_url: str) -> int:
    """CPU ticks used so far by the PostgreSQL backends serving `url`'s database (0 for SQLite);
    asked through `admin_url`, another database, so the asking connection is not counted."""
    if not url.startswith("postgresql"):
        return 0
    return sum(cpu_ticks(postgres_backends(url, admin_url=admin_url)).values())


def run(url: str, text: str, *, plan: bool, admin_url: str) -> tuple[float, int, int, dict[str, float]]:
    engine = db.get_engine(url)
    with Session(engine) as warm:  # open the pooled connection, so its backend is counted from the start
        warm.connection()
    ticks = _server_ticks(url, admin_url)
    start = time.perf_counter()
    with timed_phases() as spent:
        report = import_text(lambda: Session(engine, expire_on_commit=False), text, now=now(), plan=plan)
    elapsed = time.perf_counter() - start
    server = (_server_ticks(url, admin_url) - ticks) / os.sysconf("SC_CLK_TCK")
    db.dispose_engines()
    phases = dict(spent)
    phases["everything else"] = elapsed - sum(spent.values())
    if url.startswith("postgresql"):
        phases["(PostgreSQL server CPU)"] = server
    return elapsed, report.created, report.failed_rows, phases


def _print(what: str, rows: int, result: tuple[float, int, int, dict[str, float]]) -> None:
    elapsed, created, bad, phases = result
    print(f"{what} {rows} rows: {created} created, {bad} refused in {elapsed:.2f}s "
          f"= {rows / elapsed:,.0f} rows/s ({created / elapsed:,.0f} leads/s)")
    print("    ms per created lead: " + ", ".join(f"{k} {v * 1000 / max(created, 1):.2f}" for k, v in phases.items()))


# A child process whose `nurture` is the tree measured (PYTHONPATH): the real import, with planning,
# of the CSV file given, on the database given (SQLite: migrated here, by the tree's own code).
_CHILD = r"""
import json, sys, time
from pathlib import Path
from sqlmodel import Session
from nurture import db
from nurture.clock import now
from nurture.intake.csv_import import import_text

path, url = sys.argv[1], sys.argv[2]
text = Path(path).read_text(encoding="utf-8")
if url.startswith("sqlite"):
    db.upgrade(url)
engine = db.get_engine(url)
began, began_cpu = time.perf_counter(), time.process_time()
report = import_text(lambda: Session(engine, expire_on_commit=False), text, now=now())
wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
db.dispose_engines()
print(json.dumps({"created": report.created, "wall": wall, "cpu": cpu, "code": str(Path(db.__file__).parent)}))
"""


def import_in(tree: Path, csv_path: Path, kind: str, pg: str) -> dict[str, Any]:
    """The child's figures for one import by `tree`'s code on a new database of `kind`, dropped after."""
    from bench.trees import run_child

    return run_child(tree, _CHILD, [str(csv_path)], databases=1, pg=pg if kind == "postgresql" else None,
                     prefix="nurture_importbench")


def compare(text: str, rows: int, refs: list[str], rounds: int, pg: str) -> None:
    """The real import of `text` by this commit and by each of `refs`, alternated round by round."""
    # `timeout` and kill send SIGTERM: unwind through the finally blocks that clean up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from bench.trees import print_ratios, trees

    kinds = ("postgresql", "sqlite")
    with trees(refs) as measured, tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "list.csv"
        csv_path.write_text(text, encoding="utf-8")
        rates: dict[str, dict[str, list[float]]] = {label: {kind: [] for kind in kinds} for label in measured}
        for round_no in range(1, rounds + 1):
            for label, tree in measured.items():
                for kind in kinds:
                    got = import_in(tree, csv_path, kind, pg)
                    rates[label][kind].append(got["created"] / got["wall"])
                    print(f"round {round_no}, {label} ({got['code']}), {kind:10}: {rows} rows, "
                          f"{got['created']} created in {got['wall']:.2f} s = "
                          f"{got['created'] / got['wall']:,.0f} leads/s (client CPU {got['cpu']:.2f} s)",
                          flush=True)
    print_ratios(rates, "leads/s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--zips", type=int, default=len(ZIPS),
                    help=f"distinct ZIPs in the list (default {len(ZIPS)}, as earlier figures; more are drawn "
                         "from the real ZIPs of the same states)")
    ap.add_argument("--before", metavar="REF", action="append", default=[],
                    help="also import the same rows with this git commit's code, in alternate rounds")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of each commit with --before (default 2)")
    args = ap.parse_args()
    text = generate(args.rows, zips=args.zips)
    if args.before:
        compare(text, args.rows, args.before, args.rounds, args.pg)
        return 0

    for plan in (False, True):
        what = "intake + planning" if plan else "intake only      "
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            db.upgrade(url)
            _print(f"sqlite     {what}", args.rows, run(url, text, plan=plan, admin_url=args.pg))

        name = f"nurture_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = sa.engine.make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            db.upgrade(url)
            _print(f"postgresql {what}", args.rows, run(url, text, plan=plan, admin_url=args.pg))
        finally:
            db.dispose_engines()
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
