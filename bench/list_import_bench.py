"""A bought list against our own format: the same generated owners imported as a DealMachine-style
skip-trace export (profile mapping, contacts, estimates, planning) and as the intake's own CSV
columns (planning too), alternately, each on a fresh database; prints rows/s for both.

    python bench/list_import_bench.py [--rows 100000] [--rounds 2] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                      [--own-before REF ...]

The list rows (bench/profiles/bench-skiptraced-notices.yaml: DealMachine's columns and a county
notice) carry three phones (a Wireless, a Landline flagged DNC on one row in five, a VoIP) and two
emails, an owner mailing address, and a notice: half a notice of sale with its auction date, half
a notice of default recorded in the last 60 days (its sale date estimated from the state's
timeline). The own-format rows carry one phone and one email and the sale date the list import
reaches for the same owner (its auction date, or the estimate while it is ahead), so both imports
plan the same leads alike (no consent in either, as a bought lead has none). Without --pg the
databases are SQLite files in a temp folder.

Each import runs in a process of its own, which first imports WARM_UP_ROWS owners of its kind
into a database of their own (not counted): the loads a process makes once (the law files, the
ZIP and area-code tables, the confusables, the profile's binding) do not fall on the timed import.

With --own-before REF the own-format rows are also imported by that commit's code (a work tree,
its own schema), in each round after this commit's two: issue 23 asks the list to be as fast as
the own-format import of the day it was written (a4abf5f), and this commit's own format has been
made faster since. Every child, database and work tree is removed at the end, also on Ctrl-C or
a `timeout`.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import signal
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nurture.clock import now
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


# A child process whose `nurture` is the tree measured (PYTHONPATH): a warm-up import (not counted),
# then the timed one, each on the database given (SQLite: migrated here by the tree's own code).
_CHILD = r"""
import io, json, sys, time
from datetime import date
from pathlib import Path
from sqlmodel import Session
from nurture import db
from nurture.clock import now

kind, profile_path = sys.argv[1], sys.argv[2]

def once(path, url):
    if url.startswith("sqlite"):
        db.upgrade(url)
    engine = db.get_engine(url)
    factory = lambda: Session(engine, expire_on_commit=False)
    lines = io.StringIO(Path(path).read_text(encoding="utf-8"), newline="")
    began, began_cpu = time.perf_counter(), time.process_time()
    if kind == "list":
        from nurture.intake.lists import import_list
        from nurture.intake.profiles import load_profile
        report = import_list(factory, lines, profile=load_profile(profile_path), list_name="bench",
                             purchased_on=date.today(), now=now())
    else:
        from nurture.intake.csv_import import import_text
        report = import_text(factory, lines, now=now())
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    db.dispose_engines()
    return report, wall, cpu

warm_path, timed_path, warm_url, timed_url = sys.argv[3:7]
once(warm_path, warm_url)  # the warm-up: the loads a process makes once
report, wall, cpu = once(timed_path, timed_url)
print(json.dumps({"created": report.created, "wall": wall, "cpu": cpu, "estimated": getattr(report, "estimated", 0),
                  "no_textable_phone": getattr(report, "no_textable_phone", 0),
                  "errors": [str(e) for e in report.errors[:3]], "code": str(Path(db.__file__).parent)}))
"""


def import_in(tree: Path, kind: str, warm_up: Path, timed: Path, pg: str | None) -> dict[str, Any]:
    """The child's figures for one import of `kind` by `tree`'s code, after a warm-up import, each
    on a new database (its schema migrated by that tree's code), dropped after."""
    from bench.trees import run_child

    return run_child(tree, _CHILD, [kind, str(PROFILE), str(warm_up), str(timed)], databases=2, pg=pg,
                     prefix="nurture_listbench")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--pg", default=None, help="a PostgreSQL URL to make the databases on (default: SQLite files)")
    ap.add_argument("--own-before", metavar="REF", action="append", default=[],
                    help="also import the own-format rows with this git commit's code, in each round (e.g. the "
                         "commit an issue was written against)")
    args = ap.parse_args()
    # `timeout` and kill send SIGTERM: unwind through the finally blocks that clean up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from bench.trees import THIS, trees

    listed, own = generate(args.rows)
    warm_listed, warm_own = generate(WARM_UP_ROWS, seed=9)
    where = "PostgreSQL" if args.pg else "SQLite"
    print(f"{args.rows:,} owners, {where}, {args.rounds} alternated rounds (list, then own format"
          f"{', then the own format by ' + ', '.join(args.own_before) if args.own_before else ''}), each import in a "
          f"process of its own after a warm-up import of {WARM_UP_ROWS} rows of its kind", flush=True)
    with trees(args.own_before) as measured, tempfile.TemporaryDirectory() as tmp:
        files = {}
        for label, text in (("list", listed), ("own", own), ("warm-list", warm_listed), ("warm-own", warm_own)):
            files[label] = Path(tmp) / f"{label}.csv"
            files[label].write_text(text, encoding="utf-8")
        runs = [("list", THIS, "bought list (skip-traced notices)"), ("own", THIS, "own format")]
        runs += [("own", ref, f"own format at {ref}") for ref in args.own_before]
        rates: dict[str, list[float]] = {label: [] for _, _, label in runs}
        for r in range(1, args.rounds + 1):
            for kind, tree_label, label in runs:
                got = import_in(measured[tree_label], kind, files["warm-" + kind], files[kind], args.pg)
                if got["created"] != args.rows:
                    raise SystemExit(f"{label}: {got['created']} of {args.rows} created; first errors: {got['errors']}")
                rates[label].append(args.rows / got["wall"])
                extra = (f"  ({got['estimated']:,} estimated sale dates, {got['no_textable_phone']:,} with no "
                         "number to text)") if kind == "list" else ""
                print(f"round {r}: {label:34} {got['wall']:7.1f} s  {args.rows / got['wall']:8,.0f} rows/s  "
                      f"(CPU {got['cpu']:.1f} s){extra}", flush=True)
    first = runs[0][2]
    for _, _, label in runs[1:]:
        ratios = ", ".join(f"{a / b:.2f}" for a, b in zip(rates[first], rates[label], strict=True))
        print(f"bought list / {label}, rows/s, round by round: {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
