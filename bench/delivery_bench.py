"""Delivery benchmarks on Redis + PostgreSQL, printing figures (not a test).

    python bench/delivery_bench.py [--sends 5000] [--rss-sends 100000] [--skip-tick] [--skip-rss]
                                   [--skip-scaling] [--before REF]

Every process it starts is stopped at the end, also on Ctrl-C or a `timeout`.

0. Calibrations of the same run: a no-op dramatiq actor on Redis (2 processes x 8 threads), and
   PostgreSQL's small commits per second from 16 threads.
1. End-to-end sends/s: N due messages (half texts, half emails), 2 `dramatiq workers` processes
   (8 threads each), the scheduler ticking, the real Twilio and SendGrid SDKs against the provider
   simulator served by uvicorn in its own process, a Redis of the run's own (the messages fall
   due once every process has booted, and the clock starts then: a running system's figures); with the CPU
   milliseconds per send of the workers, the scheduler, PostgreSQL (the database's backends),
   Redis and the simulator (from /proc/<pid>/stat before and after), and the SQL statements and
   commits per send (counted in each process by bench/counting/sitecustomize.py). Then the same
   with 1, 2 and 4 worker processes (scaling).
   With --before REF (a git commit, e.g. the one before the per-lead lock), the same run is made
   with that commit's workers and scheduler too, and both figures are printed side by side.
2. Scheduler tick: 10,000 due among 100,000 and among 1,000,000 planned rows, claim + enqueue.
3. Peak RSS of a worker process over --rss-sends sends.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg import cpu_ticks, drop_database, fresh_database, postgres_backends
from nurture import db
from nurture.clock import now
from testkit import fleet

REDIS_URL = "redis://127.0.0.1:6379/11"


def _up(sim) -> bool:  # type: ignore[no-untyped-def]
    try:
        sim.stats()
        return True
    except OSError:
        return False


def env_for(url: str, sim_url: str, redis_url: str = REDIS_URL, **more: str) -> dict[str, str]:
    env = {"NURTURE_DATABASE_URL": url, "NURTURE_REDIS_URL": redis_url, "NURTURE_SENDGRID_API_KEY": "SG.bench",
           "NURTURE_SENDGRID_HOST": sim_url, "NURTURE_EMAIL_QUIET_HOURS": "false",
           "NURTURE_TWILIO_ACCOUNT_SID": "AC" + "d" * 32, "NURTURE_TWILIO_AUTH_TOKEN": "bench",
           "NURTURE_TWILIO_FROM": "+13055550000", "NURTURE_TWILIO_API_BASE": sim_url,
           "NURTURE_SENDGRID_RATE_PER_SECOND": "100000", "NURTURE_TWILIO_RATE_PER_SECOND": "100000",
           "NURTURE_SECRET_KEY": "bench", "NURTURE_TICK_SECONDS": "0.5", "NURTURE_CLAIM_BATCH": "2000"}
    env.update(more)
    return env


def noop_throughput(count: int, redis_url: str = REDIS_URL) -> float:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    env = fleet.env_for({"NURTURE_REDIS_URL": redis_url})
    procs = [subprocess.Popen([sys.executable, "-m", "dramatiq", "bench.noop_workers", "--processes", "1",
                               "--threads", "8", "--queues", "bench"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
             for _ in range(2)]
    try:
        time.sleep(3)  # let both processes boot before the clock starts
        os.environ["NURTURE_REDIS_URL"] = redis_url
        sys.path.insert(0, str(ROOT))
        from bench import noop_workers

        start = time.perf_counter()
        for i in range(count):
            noop_workers.noop.send(i)
        fleet.wait_for(lambda: int(client.get("bench:noop:done") or 0) >= count, timeout=600, interval=0.05)
        elapsed = time.perf_counter() - start
    finally:
        fleet.stop(*procs)
    return count / elapsed


def commit_throughput(url: str, seconds: float = 4.0, threads: int = 16) -> float:
    """PostgreSQL's ceiling for small transactions here: threads each updating its own row and committing."""
    import threading

    engine = sa.create_engine(url, pool_size=threads, max_overflow=0)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_commit (id int PRIMARY KEY, n int)"))
        conn.execute(sa.text("INSERT INTO bench_commit SELECT g, 0 FROM generate_series(1, :t) g "
                             "ON CONFLICT DO NOTHING"), {"t": threads})
    done = [0] * threads
    stop = time.monotonic() + seconds

    def work(i: int) -> None:
        with engine.connect() as conn:
            while time.monotonic() < stop:
                conn.execute(sa.text("UPDATE bench_commit SET n = n + 1 WHERE id = :i"), {"i": i + 1})
                conn.commit()
                done[i] += 1

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    engine.dispose()
    return sum(done) / seconds


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (dramatiq forks its worker processes)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


#: Seconds from the processes' start to the moment the seeded messages fall due (they boot meanwhile).
BOOT_SECONDS = 6.0


def _due_later(url: str, seconds: float) -> datetime:
    """Make every planned message due `seconds` from now (plain SQL: the database may belong to
    another commit's code); return that moment. Until then the scheduler claims none of them."""
    due = now() + timedelta(seconds=seconds)
    engine = _plain_engine(url)
    with engine.begin() as conn:
        # Stored as naive UTC (models.UTCDateTime).
        conn.execute(sa.text("UPDATE message SET due_at = :due WHERE state = 'planned'"),
                     {"due": due.astimezone(UTC).replace(tzinfo=None)})
    return due


def _finished(url: str) -> int:
    """Messages sent or delivered, counted in plain SQL (no model, no migration: the database may
    belong to another commit's code)."""
    engine = _plain_engine(url)
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM message WHERE state IN ('sent', 'delivered')")).scalar_one()


_plain_engines: dict[str, sa.Engine] = {}


def _plain_engine(url: str) -> sa.Engine:
    """One small engine per database, without nurture's models (disposed at the end of the run)."""
    return _plain_engines.get(url) or _plain_engines.setdefault(url, sa.create_engine(url, pool_size=1))


def _redis_pid(redis_url: str) -> int:
    return int(redis.Redis.from_url(redis_url).info("server")["process_id"])


def end_to_end(sends: int, code: Path = ROOT, *, processes: int = 2, threads: int = 8,
               breakdown: bool = False, emails_only: bool = False,
               samples: list[tuple[int, list[int]]] | None = None) -> tuple[float, list[int], dict[str, float]]:
    """`sends` messages (half texts, half emails) through `processes` worker processes: sends/s, the
    workers' peak RSS, and (breakdown) CPU ms per send of each part and statements per send.
    `samples`, when given, gets (messages sent so far, each worker process's RSS in KiB) during the run."""
    import json
    import tempfile

    name, url = fresh_database(code=None if code == ROOT else code)
    work = Path(tempfile.mkdtemp(prefix="nurture-bench-"))
    own_redis = fleet.OwnRedis(work)  # its own: the figures are not mixed with anything else's
    own_redis.start()
    port = fleet.free_port()
    sim_proc = subprocess.Popen([sys.executable, "-m", "testkit.simulator", "--port", str(port), "--no-payloads",
                                 "--asgi"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                start_new_session=True)
    sim_url = f"http://127.0.0.1:{port}"
    from testkit.simulator import RemoteSimulator

    sim = RemoteSimulator(sim_url)
    fleet.wait_for(lambda: _up(sim), timeout=20)
    counts_dir = work / "counts"
    counts_dir.mkdir()
    workers: list[subprocess.Popen] = []
    scheduler = None
    cost: dict[str, float] = {}
    try:
        at = now()
        # Comparisons with other commits (--before) send emails only: an older schema may predate the
        # texts' rules, and both sides must do the same work.
        texts = 0 if emails_only or code != ROOT else sends // 2
        if code == ROOT:
            fleet.seed_due_messages(url, texts, now=at, channel="sms")
            fleet.seed_due_messages(url, sends - texts, now=at, channel="email", start=texts)
        else:  # with that commit's own models: this commit's would migrate its schema ahead of its code
            subprocess.run([sys.executable, "-c", ("import sys; from datetime import datetime; "
                            "from nurture import fleet; fleet.seed_due_messages(sys.argv[1], int(sys.argv[2]), "
                            "now=datetime.fromisoformat(sys.argv[3]), channel='email')"),
                            url, str(sends), at.isoformat()], cwd=code, env={**os.environ, "PYTHONPATH": str(code)},
                           check=True)
        # Due once every process has booted (a scheduler's imports alone take over a second of CPU):
        # the clock starts when they fall due, so the figures are those of a running system, as
        # the no-op calibration's clock also starts after its workers booted.
        due = _due_later(url, BOOT_SECONDS)
        env = env_for(url, sim_url, own_redis.url)
        if breakdown:
            env |= {"PYTHONPATH": str(ROOT / "bench" / "counting"), "NURTURE_BENCH_COUNTS": str(counts_dir)}
        workers = [fleet.start_workers(env, threads=threads, code=code) for _ in range(processes)]
        scheduler = fleet.start_scheduler(env, code=code)
        time.sleep(max(0.0, (due - now()).total_seconds()))
        parts = {"workers": [p for w in workers for p in _tree(w.pid)], "postgres": postgres_backends(url),
                 "redis": [_redis_pid(own_redis.url)], "simulator": [sim_proc.pid], "scheduler": _tree(scheduler.pid)}
        before = {k: cpu_ticks(v) for k, v in parts.items()}
        start = time.perf_counter()
        ok = _wait_sampling(url, sends, workers, samples if samples is not None else [])
        elapsed = time.perf_counter() - start
        parts["postgres"] = sorted(set(parts["postgres"]) | set(postgres_backends(url)))
        after = {k: cpu_ticks(v) for k, v in parts.items()}
        rss = [_peak_rss_kb(p.pid) for p in workers]
        if breakdown:
            hz = os.sysconf("SC_CLK_TCK")
            for part in parts:
                used = sum(after[part].get(p, 0) - before.get(part, {}).get(p, 0) for p in after[part])
                cost[part] = used / hz * 1000 / sends
            time.sleep(1)  # the counters' last write
            totals = [json.loads(f.read_text()) for f in counts_dir.glob("*.json")]
            cost["statements"] = sum(t["statements"] for t in totals) / sends
            cost["commits"] = sum(t["commits"] for t in totals) / sends
        if not ok:
            print(f"  only {_finished(url)} of {sends} sent", file=sys.stderr)
        return sends / elapsed, rss, cost
    finally:
        fleet.stop(*workers, *([scheduler] if scheduler else []), sim_proc)
        own_redis.stop()
        if url in _plain_engines:
            _plain_engines.pop(url).dispose()
        drop_database(name)


#: Seconds between two samples of the workers' RSS.
SAMPLE_SECONDS = 2.0


def _wait_sampling(url: str, sends: int, workers: list[subprocess.Popen],
                   samples: list[tuple[int, list[int]]], timeout: float = 900) -> bool:
    """Wait until `sends` messages went out; meanwhile append (sent so far, each worker process's
    current RSS in KiB) to `samples` every SAMPLE_SECONDS, and once more at the end."""
    deadline = time.monotonic() + timeout
    next_sample = time.monotonic()
    while True:
        sent = _finished(url)
        done = sent >= sends
        if done or time.monotonic() >= next_sample:
            samples.append((sent, [_rss_kb(p) for w in workers for p in _worker_processes(w.pid)]))
            next_sample += SAMPLE_SECONDS
        if done or time.monotonic() >= deadline:
            return done
        time.sleep(0.1)


def _worker_processes(pid: int) -> list[int]:
    """The worker processes `dramatiq workers` (`pid`) forked: they hold the actors and their memory."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    """The current resident set (VmRSS) of `pid` in KiB, 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_at(samples: list[tuple[int, list[int]]], share: float, total: int) -> tuple[int, list[int]]:
    """The first sample taken once `share` of `total` messages had gone out."""
    return next((s for s in samples if s[0] >= share * total), samples[-1])


def _peak_rss_kb(pid: int) -> int:
    """The highest VmHWM among `pid` and its children (dramatiq forks its worker processes)."""
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    best = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    best = max(best, int(line.split()[1]))
        except OSError:
            pass
    return best


def tick_bench(total: int, due: int = 10_000) -> float:
    from nurture.config import Settings
    from nurture.delivery.broker import enqueuer, make_broker
    from nurture.delivery.scheduler import tick

    name, url = fresh_database()
    try:
        t = now()
        engine = db.get_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO lead (first_name, last_name, hardships, foreclosure_stage, timezone, status, "
                "enrolled_at, created_at, updated_at) VALUES ('Bench', '', '[]', 'none', 'America/New_York', "
                "'active', :t, :t, :t)"), {"t": t.replace(tzinfo=None)})
            # Rows not due are spread over the next 90 days; `due` of them are due now.
            conn.execute(sa.text(
                "INSERT INTO message (lead_id, sequence, step, channel, template, deadline, due_at, state, "
                "attempts, created_at, updated_at) SELECT 1, 'bench', 's' || g, 'email', 'email/welcome', false, "
                "CASE WHEN g <= :due THEN :t - interval '1 minute' ELSE :t + (g % 129600) * interval '1 minute' END, "
                "'planned', 0, :t, :t FROM generate_series(1, :n) AS g"),
                {"due": due, "n": total, "t": t.replace(tzinfo=None)})
            conn.execute(sa.text("ANALYZE message"))
        redis.Redis.from_url(REDIS_URL).flushdb()
        settings = Settings(database_url=url, redis_url=REDIS_URL, claim_batch=due)
        broker = make_broker(settings)
        enqueue = enqueuer(broker)
        start = time.perf_counter()
        result = tick(enqueue, settings=settings, now=t)
        elapsed = time.perf_counter() - start
        assert result.due == due, result
        broker.close()
        return elapsed
    finally:
        drop_database(name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sends", type=int, default=5000)
    ap.add_argument("--rss-sends", type=int, default=100_000)
    ap.add_argument("--skip-tick", action="store_true")
    ap.add_argument("--skip-rss", action="store_true")
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--before", metavar="REF", action="append", default=[],
                    help="also run the workers and scheduler of this git commit (emails only, as this one) "
                         "and compare; give it more than once for several")
    args = ap.parse_args()
    # `timeout` and kill send SIGTERM: unwind through the finally blocks that stop every process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    name, url = fresh_database()
    try:
        commits = commit_throughput(url)
    finally:
        drop_database(name)
    noop = noop_throughput(max(args.sends, 5000))
    rate, _, cost = end_to_end(args.sends, breakdown=True)
    print(f"calibration: no-op dramatiq actor {noop:,.0f} msgs/s (2 processes x 8 threads, Redis); "
          f"PostgreSQL {commits:,.0f} small commits/s (16 threads)")
    print(f"end to end: {rate:,.0f} sends/s ({args.sends} messages, half texts half emails, 2 worker processes "
          f"x 8 threads, Redis, PostgreSQL, Twilio and SendGrid SDKs -> simulator on uvicorn); ratio to no-op "
          f"{rate / noop:.2f}")
    parts = {k: v for k, v in cost.items() if k not in ("statements", "commits")}
    total = sum(parts.values())
    print("  CPU ms per send: " + ", ".join(f"{k} {v:.2f}" for k, v in parts.items())
          + f"; all {total:.2f} (two cores give at most {2000 / total:,.0f} sends/s)")
    print(f"  per send: {cost['statements']:.1f} SQL statements and {cost['commits']:.1f} commits "
          "(workers and scheduler, counted in each process)")
    if not args.skip_scaling:
        for processes in (1, 2, 4):
            r, _, _ = end_to_end(args.sends, processes=processes)
            print(f"  scaling: {processes} worker process(es) x 8 threads: {r:,.0f} sends/s")
    if args.before:
        emails, _, _ = end_to_end(args.sends, emails_only=True)
        print(f"compared, emails only: this commit {emails:,.0f} sends/s (ratio to no-op {emails / noop:.2f})")
        from bench.trees import trees

        with trees(args.before) as measured:
            for ref in args.before:
                before, _, _ = end_to_end(args.sends, code=measured[ref])
                print(f"  {ref}: {before:,.0f} sends/s (ratio {before / noop:.2f}); this commit / {ref} "
                      f"{emails / before:.2f} ({(emails / before - 1) * 100:+.0f}%)")
    if not args.skip_tick:
        for total_rows in (100_000, 1_000_000):
            print(f"scheduler tick: 10,000 due among {total_rows:,} planned rows: claim + enqueue in "
                  f"{tick_bench(total_rows):.2f} s")
    if not args.skip_rss:
        samples: list[tuple[int, list[int]]] = []
        rate, rss, _ = end_to_end(args.rss_sends, samples=samples)
        print(f"worker peak RSS over {args.rss_sends:,} sends: {max(rss) / 1024:.0f} MiB "
              f"(per worker process: {', '.join(f'{r / 1024:.0f} MiB' for r in rss)}; {rate:,.0f} sends/s)")
        if samples:
            print("  RSS per worker process during the run (MiB, after that share of the sends): " + "; ".join(
                f"{share:.0%} {', '.join(f'{r / 1024:.0f}' for r in _rss_at(samples, share, args.rss_sends)[1])}"
                for share in (0.1, 0.25, 0.5, 0.75, 1.0)))
            half, end = _rss_at(samples, 0.5, args.rss_sends)[1], samples[-1][1]
            print("  second half: " + ", ".join(f"{h / 1024:.0f} -> {e / 1024:.0f} MiB ({(e - h) / 1024:+.0f})"
                                                for h, e in zip(half, end, strict=False)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
