"""Read 100,000 rows of each vendor sample through its import profile (map_row alone) and print rows/s.

    python bench/profile_bench.py [--rows N] [--wide COLUMNS] [--rounds R]

Each sample's rows (tests/intake/samples/) are repeated to N rows, as csv.DictReader would give them
(a new dict per row). A last figure reads the DealMachine rows with COLUMNS extra columns the profile
does not read (a vendor file with hundreds of columns): such a column costs a row only its share of
the tuple of the row's keys that finds the profile's binding to the header (its columns resolved
once); the work per mapped column is the rest. The best of R rounds is printed, since this
machine's speed drifts.
"""

from __future__ import annotations

import argparse
import csv
import gc
import time
from pathlib import Path

from nurture.intake.profiles import load_profile, map_row

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "intake" / "samples"
NAMES = ("attom-preforeclosure", "dealmachine", "batchdata", "county-notices")


def rows_of(name: str, count: int, extra: int = 0) -> list[dict[str, str]]:
    with open(SAMPLES / f"{name}.csv", newline="", encoding="utf-8") as f:
        base = list(csv.DictReader(f))
    padding = {f"Vendor Column {i}": f"value {i}" for i in range(extra)}
    return [{**base[i % len(base)], **padding} for i in range(count)]


def best_rate(name: str, rows: list[dict[str, str]], rounds: int) -> tuple[float, float]:
    """(rows/s, microseconds per row) of the best round."""
    profile = load_profile(name)
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        for row in rows:
            map_row(profile, row)
        best = min(best, time.perf_counter() - start)
    return len(rows) / best, best / len(rows) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--wide", type=int, default=400, help="extra, unread columns for the wide figure")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"map_row over {args.rows:,} rows, best of {args.rounds} rounds")
    for name in NAMES:
        rows = rows_of(name, args.rows)
        rate, micros = best_rate(name, rows, args.rounds)
        print(f"  {name:22} {len(rows[0]):4} columns  {rate:10,.0f} rows/s  {micros:6.1f} us/row")
    rows = rows_of("dealmachine", args.rows, args.wide)
    rate, micros = best_rate("dealmachine", rows, args.rounds)
    print(f"  {'dealmachine, wide':22} {len(rows[0]):4} columns  {rate:10,.0f} rows/s  {micros:6.1f} us/row")


if __name__ == "__main__":
    main()
