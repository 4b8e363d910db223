"""Plan 100,000 varied leads with the pure planner and print leads/s.

    python bench/plan_bench.py [--leads N] [--profile]

Each lead has its own moment within two years (so the legal hours of its days are rarely worked
out already: the planner's hardest case); a second figure plans the same leads at one moment, as
a CSV import plans a batch.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from nurture.planner import plan
from nurture.rules import Rulebook
from nurture.sequences import load_catalog
from nurture.urgency import Facts, zone

ROOT = Path(__file__).resolve().parent.parent
STATES = ["FL", "TX", "CA", "NY", "AL", "LA", "MS", "OK", "MD", "WA", "GA", "AZ", "IL", "OH", "NV"]
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles"]


def make_leads(n: int, seed: int = 7) -> list[tuple[Facts, datetime, set[str]]]:
    """Varied leads: states, zones, sale dates from passed to months away, stages, channels."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cases = []
    for _ in range(n):
        now = start + timedelta(minutes=rng.randrange(0, 2 * 365 * 1440))
        tz = zone(rng.choice(ZONES))
        sale = None if rng.random() < 0.4 else now.astimezone(tz).date() + timedelta(days=rng.randint(-5, 120))
        facts = Facts(
            state=rng.choice(STATES),
            tz=tz,
            payment_status=rng.choice([None, "current", "about_to_fall_behind", "behind"]),
            months_behind=rng.randint(0, 8),
            hardships=frozenset(rng.sample(["job_loss", "divorce", "medical"], rng.randint(0, 2))),
            foreclosure_stage="sale_scheduled" if sale else rng.choice(["none", "pre_foreclosure", "notice_of_default"]),
            sale_date=sale,
            status="active" if rng.random() < 0.95 else "converted",
            status_reason=None,
            enrolled_at=now,
            negative_equity=rng.random() < 0.8,
        )
        channels = rng.choice([{"sms", "email"}, {"sms", "email"}, {"email"}, {"sms"}])
        cases.append((facts, now, channels))
    return cases


def run(cases: list[tuple[Facts, datetime, set[str]]]) -> tuple[float, float, int]:
    """Plan every case; return wall seconds, CPU seconds and the number of messages planned."""
    catalog = load_catalog(ROOT / "schedules")
    # One rulebook for the run, as a CSV import uses one per batch: its caches are shared by the leads.
    book = Rulebook(email_quiet_hours=True)
    planned = 0
    began, began_cpu = time.perf_counter(), time.process_time()
    for facts, now, channels in cases:
        planned += len(plan(facts, catalog, now, channels=channels, rulebook=book).messages)
    return time.perf_counter() - began, time.process_time() - began_cpu, planned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="print the 25 most expensive functions")
    args = parser.parse_args()
    cases = make_leads(args.leads)
    # The 100,000 inputs live for the whole run; keep the cyclic GC from rescanning them all the
    # time, which would measure the benchmark's own memory instead of the planner.
    gc.collect()
    gc.freeze()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(cases[: min(len(cases), 20_000)])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    elapsed, cpu, planned = run(cases)
    # CPU time too: on a shared machine the wall clock also measures the neighbours.
    print(f"planned {args.leads:,} leads ({planned:,} messages) in {elapsed:.2f} s wall, {cpu:.2f} s CPU: "
          f"{args.leads / elapsed:,.0f} leads/s wall, {args.leads / cpu:,.0f} leads/s CPU, "
          f"{planned / elapsed:,.0f} messages/s wall")
    # The same leads planned at one moment, as an import plans a batch: the legal hours of each
    # day are then worked out once per place, not once per lead (each lead above has its own date).
    # Each sale date moves with its lead, so the mix of tiers stays the same.
    moment = cases[0][1]
    at_once = [(replace(f, enrolled_at=moment, sale_date=f.sale_date and f.sale_date + (moment.date() - at.date())),
                moment, channels) for f, at, channels in cases]
    elapsed, cpu, planned = run(at_once)
    print(f"  the same leads at one moment (as in an import): {args.leads / elapsed:,.0f} leads/s wall, "
          f"{args.leads / cpu:,.0f} leads/s CPU ({planned:,} messages)")


if __name__ == "__main__":
    main()
