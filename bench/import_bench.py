"""Import 10,000 generated CSV rows (5% bad) on SQLite and on PostgreSQL; print leads/s.

    python bench/import_bench.py [--rows 10000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each run uses a new SQLite file and a new PostgreSQL database, dropped afterwards. Two figures
per database: intake alone (parsing, validation, dedupe look-ups, lead and consent rows: what the
foundation issue measures) and the real import, which also plans every new lead (about 22
planned messages and as many log rows per lead).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from nurture import db
from nurture.clock import now
from nurture.csv_import import import_text

ZIPS = [("FL", "33101"), ("FL", "32501"), ("TX", "75201"), ("TX", "79901"), ("CA", "90012"),
        ("AZ", "85004"), ("NY", "10001"), ("GA", "30303"), ("AL", "35203"), ("WA", "98101")]
HEADER = ("first_name,last_name,phone,email,property_state,property_zip,mortgage_balance,estimated_value,"
          "payment_status,months_behind,hardships,foreclosure_stage,foreclosure_sale_date,"
          "sms_consent_granted,sms_consent_text,sms_consent_source_url")


def generate(rows: int, bad_share: float = 0.05, seed: int = 7) -> str:
    rnd = random.Random(seed)
    lines = [HEADER]
    for i in range(rows):
        state, zip_code = rnd.choice(ZIPS)
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


def run(url: str, text: str, *, plan: bool) -> tuple[float, int, int]:
    engine = db.get_engine(url)
    start = time.perf_counter()
    report = import_text(lambda: Session(engine, expire_on_commit=False), text, now=now(), plan=plan)
    elapsed = time.perf_counter() - start
    db.dispose_engines()
    return elapsed, report.created, report.failed_rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    text = generate(args.rows)

    for plan in (False, True):
        what = "intake + planning" if plan else "intake only      "
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            db.upgrade(url)
            elapsed, created, bad = run(url, text, plan=plan)
            print(f"sqlite     {what} {args.rows} rows: {created} created, {bad} refused in {elapsed:.2f}s "
                  f"= {args.rows / elapsed:,.0f} rows/s ({created / elapsed:,.0f} leads/s)")

        name = f"nurture_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = sa.engine.make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            db.upgrade(url)
            elapsed, created, bad = run(url, text, plan=plan)
            print(f"postgresql {what} {args.rows} rows: {created} created, {bad} refused in {elapsed:.2f}s "
                  f"= {args.rows / elapsed:,.0f} rows/s ({created / elapsed:,.0f} leads/s)")
        finally:
            db.dispose_engines()
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
