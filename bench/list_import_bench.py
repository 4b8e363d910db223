"""A bought list against our own format: the same generated owners imported as a DealMachine-style
skip-trace export (profile mapping, contacts, estimates, planning) and as the intake's own CSV
columns (planning too), alternately, each on a fresh database; prints rows/s for both.

    python bench/list_import_bench.py [--rows 100000] [--rounds 2] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

The list rows (bench/profiles/bench-skiptraced-notices.yaml: DealMachine's columns and a county
notice) carry three phones (a Wireless, a Landline flagged DNC on one row in five, a VoIP) and two
emails, an owner mailing address, and a notice: half a notice of sale with its auction date, half
a notice of default recorded in the last 60 days (its sale date estimated from the state's
timeline). The own-format rows carry one phone and one email and the sale date the list import
reaches for the same owner (its auction date, or the estimate while it is ahead), so both imports
plan the same leads alike (no consent in either, as a bought lead has none). Without --pg the databases are SQLite files in a temp folder.

Before the timed rounds, a small import of each format (WARM_UP_ROWS owners, a database each, not counted)
pays what a process loads once (the law files, the ZIP and area-code tables, the confusables, the
profile's binding): otherwise the first import timed, the list's, pays it alone.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nurture import db
from nurture.clock import now
from nurture.intake.csv_import import import_text
from nurture.intake.lists import import_list
from nurture.intake.profiles import load_profile
from nurture.law.foreclosure import earliest_sale

PROFILE = ROOT / "bench" / "profiles" / "bench-skiptraced-notices.yaml"
PLACES = [("FL", "Miami", "33125", "305"), ("TX", "Houston", "77036", "713"), ("CA", "Los Angeles", "90043", "213"),
          ("AZ", "Phoenix", "85016", "602"), ("GA", "Atlanta", "30310", "404"), ("WA", "Seattle", "98118", "206")]
FIRST = ["Maria", "David", "Grace", "Robert", "Ana", "James", "Priya", "Kevin", "Linda", "Luis"]
LAST = ["Rivera", "Nguyen", "Okafor", "Johnson", "Martinez", "Washington", "Patel", "Holloway", "Klein", "Brooks"]
LIST_HEADER = ["lead_id", "property_address_full", "property_address_city", "property_address_state",
               "property_address_zipcode", "owner_1_name", "owner_address_full", "owner_address_city",
               "owner_address_state", "owner_address_zip", "estimated_value", "total_loan_balance",
               "contact_1_name", "contact_1_phone1", "contact_1_phone1_type", "contact_1_phone1_dnc",
               "contact_1_phone1_litigator", "contact_1_phone2", "contact_1_phone2_type", "contact_1_phone2_dnc",
               "contact_1_phone2_litigator", "contact_1_phone3", "contact_1_phone3_type", "contact_1_phone3_dnc",
               "contact_1_phone3_litigator", "contact_1_email1", "contact_1_email2", "document_type",
               "recording_date", "auction_date", "apn"]
WARM_UP_ROWS = 300
"""Rows of each format imported once before the timed rounds, not counted."""
OWN_HEADER = ["first_name", "last_name", "phone", "email", "property_street", "property_city", "property_state",
              "property_zip", "mailing_address_street", "mailing_address_city", "mailing_address_state",
              "mailing_address_zip", "mortgage_balance", "estimated_value", "foreclosure_stage",
              "foreclosure_sale_date", "external_id"]


def _phone(area: str, n: int) -> str:
    # 555-01XX numbers are the only 555 numbers libphonenumber calls valid: vary the exchange instead.
    return f"({area}) {200 + n // 10000 % 800:03d}-{n % 10000:04d}"


def generate(rows: int, seed: int = 5) -> tuple[str, str]:
    """The same owners as a DealMachine-style list and as our own columns."""
    rnd = random.Random(seed)
    listed, own = io.StringIO(), io.StringIO()
    lw, ow = csv.writer(listed), csv.writer(own)
    lw.writerow(LIST_HEADER)
    ow.writerow(OWN_HEADER)
    today = now().date()
    for i in range(rows):
        state, city, zip_code, area = PLACES[i % len(PLACES)]
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        street = f"{100 + i} Palm Ave"
        mobile, landline, voip = _phone(area, 3 * i), _phone(area, 3 * i + 1), _phone(area, 3 * i + 2)
        email = f"owner{i}@example.com"
        value = rnd.randrange(150_000, 700_000)
        balance = value + rnd.randrange(-50_000, 80_000)
        auction = (today + timedelta(days=rnd.randrange(5, 120))).isoformat() if i % 2 else ""
        # A notice of sale with its auction date, or a notice of default recorded in the last 60 days
        # (no auction date: the sale date is estimated from the state's timeline).
        kind = "NTS" if auction else "NOD"
        recorded = (today - timedelta(days=rnd.randrange(1, 60))).isoformat()
        lw.writerow([f"DM-{i}", street, city, state, zip_code, f"{first} {last}", street, city, state, zip_code,
                     f"{value}.00", f"{balance}.00", f"{first} {last}", mobile, "Wireless", "No", "",
                     landline, "Landline", "Yes" if i % 5 == 0 else "No", "", voip, "VoIP", "No", "",
                     email, f"alt{i}@example.net", kind, recorded, auction, f"{i:09d}"])
        # The own-format row carries the sale date the list import will reach (its auction date, or
        # the estimate while it is ahead), so both imports plan the same leads alike.
        sale = auction
        if not auction:
            estimate = earliest_sale(state, "notice_of_default", date.fromisoformat(recorded))
            sale = estimate.on.isoformat() if estimate.on is not None and estimate.on >= today else ""
        stage = "sale_scheduled" if auction else "notice_of_default"
        ow.writerow([first, last, mobile, email, street, city, state, zip_code, street, city, state, zip_code,
                     balance, value, stage, sale, f"DM-{i}"])
    return listed.getvalue(), own.getvalue()


def fresh_url(pg: str | None, folder: Path) -> tuple[str, str | None]:
    if not pg:
        return f"sqlite:///{folder / (uuid.uuid4().hex + '.db')}", None
    name = "bench_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg.rsplit("/", 1)[0] + "/" + name, name


def drop(pg: str | None, name: str | None) -> None:
    if pg and name:
        db.dispose_engines()
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(kind: str, text: str, rows: int, pg: str | None, folder: Path, *, quiet: bool = False) -> float:
    url, name = fresh_url(pg, folder)
    try:
        engine = db.get_engine(url)

        def factory() -> Session:
            return Session(engine, expire_on_commit=False)

        start = time.perf_counter()
        if kind == "list":
            report = import_list(factory, io.StringIO(text, newline=""), profile=load_profile(str(PROFILE)),
                                 list_name="bench", purchased_on=date.today(), now=now())
        else:
            report = import_text(factory, io.StringIO(text, newline=""), now=now())
        elapsed = time.perf_counter() - start
        if report.created != rows:
            raise SystemExit(f"{kind}: {report.created} of {rows} created; first errors: {report.errors[:3]}")
        if kind == "list" and not quiet:
            print(f"  (list: {report.estimated:,} estimated sale dates, {report.no_textable_phone:,} with no number "
                  "to text)", flush=True)
        return elapsed
    finally:
        drop(pg, name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--pg", default=None, help="a PostgreSQL URL to make the databases on (default: SQLite files)")
    args = ap.parse_args()
    listed, own = generate(args.rows)
    where = "PostgreSQL" if args.pg else "SQLite"
    print(f"{args.rows:,} owners, {where}, {args.rounds} alternated rounds (list, then own format), "
          f"after a warm-up import of {WARM_UP_ROWS} rows of each")
    warm_listed, warm_own = generate(WARM_UP_ROWS, seed=9)
    with tempfile.TemporaryDirectory() as tmp:
        for kind, text in (("list", warm_listed), ("own", warm_own)):
            run(kind, text, WARM_UP_ROWS, args.pg, Path(tmp), quiet=True)
        for r in range(1, args.rounds + 1):
            for kind, text in (("list", listed), ("own", own)):
                seconds = run(kind, text, args.rows, args.pg, Path(tmp))
                label = "bought list (skip-traced notices)" if kind == "list" else "own format"
                print(f"round {r}: {label:34} {seconds:7.1f} s  {args.rows / seconds:8,.0f} rows/s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
