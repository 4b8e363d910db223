"""Plan 100,000 varied leads with the pure planner and print leads/s.

    python bench/plan_bench.py [--leads N] [--profile] [--before REF ...] [--rounds R]

Each lead has its own moment within two years (so the legal hours of its days are rarely worked
out already: the planner's hardest case); a second figure plans the same leads at one moment, as
a CSV import plans a batch.

With --before REF the same leads are planned by that commit's planner (and its schedules) too, in
a child process per run, alternating with this commit's round by round (default 2 rounds), so that
a machine whose speed drifts (this one's does, by two or more between hours) weighs on both alike.
The commit's `plan` must take the arguments this bench gives it. Every child and work tree is
removed at the end, also on Ctrl-C or a `timeout`.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nurture.plans.planner import plan
from nurture.law import Rulebook
from nurture.plans.sequences import load_catalog
from nurture.plans.urgency import Facts
from nurture.localtime import zone

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


def run(cases: list[tuple[Facts, datetime, set[str]]], schedules: Path = ROOT / "schedules") -> tuple[float, float, int]:
    """Plan every case; return wall seconds, CPU seconds and the number of messages planned."""
    catalog = load_catalog(schedules)
    # One rulebook for the run, as a CSV import uses one per batch: its caches are shared by the leads.
    book = Rulebook(email_quiet_hours=True)
    planned = 0
    began, began_cpu = time.perf_counter(), time.process_time()
    for facts, now, channels in cases:
        planned += len(plan(facts, catalog, now, channels=channels, rulebook=book).messages)
    return time.perf_counter() - began, time.process_time() - began_cpu, planned


def at_one_moment(cases: list[tuple[Facts, datetime, set[str]]]) -> list[tuple[Facts, datetime, set[str]]]:
    """The same leads planned at one moment, as an import plans a batch: the legal hours of each
    day are then worked out once per place, not once per lead (each lead above has its own date).
    Each sale date moves with its lead, so the mix of tiers stays the same."""
    moment = cases[0][1]
    return [(replace(f, enrolled_at=moment, sale_date=f.sale_date and f.sale_date + (moment.date() - at.date())),
             moment, channels) for f, at, channels in cases]


def measure(leads: int, schedules: Path) -> dict[str, tuple[float, float, int]]:
    """Both figures for `leads` leads, in this process: (wall s, CPU s, messages) of each."""
    cases = make_leads(leads)
    # The inputs live for the whole run; keep the cyclic GC from rescanning them all the time,
    # which would measure the benchmark's own memory instead of the planner.
    gc.collect()
    gc.freeze()
    return {"varied": run(cases, schedules), "one moment": run(at_one_moment(cases), schedules)}


def measure_in(tree: Path, leads: int) -> dict[str, Any]:
    """`measure` in a child process whose `nurture` is `tree`'s (PYTHONPATH), with its schedules;
    "code" names the package it imported."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--leads", str(leads), "--child",
                           str(tree / "schedules")], env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree,
                          capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the run with {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare(leads: int, refs: list[str], rounds: int) -> None:
    """This commit's planner against each of `refs`, alternated round by round."""
    # `timeout` and kill send SIGTERM: unwind through the finally block that removes the work trees.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.path.insert(0, str(ROOT))
    from bench.trees import print_ratios, trees

    with trees(refs) as measured:
        cpu_rates: dict[str, dict[str, list[float]]] = {label: {"varied": [], "one moment": []} for label in measured}
        for round_no in range(1, rounds + 1):
            for label, tree in measured.items():
                got = measure_in(tree, leads)
                for kind in ("varied", "one moment"):
                    wall, cpu, planned = got[kind]
                    cpu_rates[label][kind].append(leads / cpu)
                    print(f"round {round_no}, {label} ({got['code']}), {kind}: {leads / wall:,.0f} leads/s wall, "
                          f"{leads / cpu:,.0f} leads/s CPU ({planned:,} messages)", flush=True)
    print_ratios(cpu_rates, "leads/s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="print the 25 most expensive functions")
    parser.add_argument("--before", metavar="REF", action="append", default=[],
                        help="also plan the same leads with this git commit's planner, in alternate rounds")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each commit with --before (default 2)")
    parser.add_argument("--child", metavar="SCHEDULES", help=argparse.SUPPRESS)  # one run, printed as JSON
    args = parser.parse_args()
    if args.child:
        import nurture

        print(json.dumps({**measure(args.leads, Path(args.child)), "code": str(Path(nurture.__file__).parent)}))
        return
    if args.before:
        compare(args.leads, args.before, args.rounds)
        return
    if args.profile:
        cases = make_leads(args.leads)
        gc.collect()
        gc.freeze()
        profiler = cProfile.Profile()
        profiler.enable()
        run(cases[: min(len(cases), 20_000)])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    figures = measure(args.leads, ROOT / "schedules")
    elapsed, cpu, planned = figures["varied"]
    # CPU time too: on a shared machine the wall clock also measures the neighbours.
    print(f"planned {args.leads:,} leads ({planned:,} messages) in {elapsed:.2f} s wall, {cpu:.2f} s CPU: "
          f"{args.leads / elapsed:,.0f} leads/s wall, {args.leads / cpu:,.0f} leads/s CPU, "
          f"{planned / elapsed:,.0f} messages/s wall")
    elapsed, cpu, planned = figures["one moment"]
    print(f"  the same leads at one moment (as in an import): {args.leads / elapsed:,.0f} leads/s wall, "
          f"{args.leads / cpu:,.0f} leads/s CPU ({planned:,} messages)")


if __name__ == "__main__":
    main()
