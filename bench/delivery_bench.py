"""Delivery benchmarks on Redis + PostgreSQL, printing figures (not a test).

    python bench/delivery_bench.py [--sends 5000] [--rss-sends 100000] [--skip-tick] [--before REF]

1. End-to-end sends/s: N due emails, 2 `dramatiq workers` processes (8 threads each), the
   scheduler ticking, the real SendGrid SDK against the provider simulator in its own process;
   printed beside a no-op dramatiq actor's throughput on the same Redis, measured in the same run.
   With --before REF (a git commit, e.g. the one before the per-lead lock), the same run is made
   with that commit's workers and scheduler too, and both figures are printed side by side.
2. Scheduler tick: 10,000 due among 100,000 and among 1,000,000 planned rows, claim + enqueue.
3. Peak RSS of a worker process over --rss-sends sends.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nurture import db, fleet  # noqa: E402
from nurture.clock import now  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/11"


def fresh_database() -> tuple[str, str]:
    name = f"nurture_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = sa.engine.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    db.upgrade(url)
    return name, url


def drop_database(name: str) -> None:
    db.dispose_engines()
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def start_simulator() -> tuple[subprocess.Popen, str]:
    port = 18000 + os.getpid() % 1000
    proc = subprocess.Popen([sys.executable, "-m", "nurture.simulator", "--port", str(port), "--no-payloads"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    from nurture.simulator import RemoteSimulator

    sim = RemoteSimulator(url)
    fleet.wait_for(lambda: _up(sim), timeout=20)
    return proc, url


def _up(sim) -> bool:  # type: ignore[no-untyped-def]
    try:
        sim.stats()
        return True
    except OSError:
        return False


def env_for(url: str, sim_url: str, **more: str) -> dict[str, str]:
    env = {"NURTURE_DATABASE_URL": url, "NURTURE_REDIS_URL": REDIS_URL, "NURTURE_SENDGRID_API_KEY": "SG.bench",
           "NURTURE_SENDGRID_HOST": sim_url, "NURTURE_EMAIL_QUIET_HOURS": "false",
           "NURTURE_SENDGRID_RATE_PER_SECOND": "100000", "NURTURE_SECRET_KEY": "bench",
           "NURTURE_TICK_SECONDS": "0.5", "NURTURE_CLAIM_BATCH": "2000"}
    env.update(more)
    return env


def noop_throughput(count: int) -> float:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    env = fleet.env_for({"NURTURE_REDIS_URL": REDIS_URL})
    procs = [subprocess.Popen([sys.executable, "-m", "dramatiq", "bench.noop_workers", "--processes", "1",
                               "--threads", "8", "--queues", "bench"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
             for _ in range(2)]
    try:
        time.sleep(3)  # let both processes boot before the clock starts
        os.environ["NURTURE_REDIS_URL"] = REDIS_URL
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


def end_to_end(sends: int, code: Path = ROOT) -> tuple[float, list[int]]:
    name, url = fresh_database()
    sim_proc, sim_url = start_simulator()
    redis.Redis.from_url(REDIS_URL).flushdb()
    workers: list[subprocess.Popen] = []
    scheduler = None
    try:
        fleet.seed_due_messages(url, sends, now=now())
        env = env_for(url, sim_url)
        workers = [fleet.start_workers(env, threads=8, code=code) for _ in range(2)]
        time.sleep(3)
        start = time.perf_counter()
        scheduler = fleet.start_scheduler(env, code=code)
        ok = fleet.wait_for(lambda: fleet.count_in(url, "sent", "delivered") >= sends, timeout=900, interval=0.1)
        elapsed = time.perf_counter() - start
        rss = [_peak_rss_kb(p.pid) for p in workers]
        fleet.stop(scheduler, *workers)
        if not ok:
            print(f"  only {fleet.count_in(url, 'sent')} of {sends} sent", file=sys.stderr)
        return sends / elapsed, rss
    finally:
        fleet.stop(*workers, *([scheduler] if scheduler else []), sim_proc)
        drop_database(name)


def checkout(ref: str) -> Path:
    """A temporary work tree of `ref` (removed by the caller), for a before/after comparison."""
    import tempfile

    where = Path(tempfile.mkdtemp(prefix="nurture-before-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(where), ref], cwd=ROOT, check=True)
    return where


def remove_checkout(where: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=False)


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
    from nurture.broker import enqueuer, make_broker
    from nurture.config import Settings
    from nurture.scheduler import tick

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
    ap.add_argument("--before", metavar="REF", help="also run the workers of this git commit and compare")
    args = ap.parse_args()

    noop = noop_throughput(max(args.sends, 5000))
    rate, _ = end_to_end(args.sends)
    print(f"end to end: {rate:,.0f} sends/s ({args.sends} emails, 2 worker processes x 8 threads, Redis, "
          f"PostgreSQL, SendGrid SDK -> simulator); no-op actor: {noop:,.0f} msgs/s; ratio {rate / noop:.2f}")
    if args.before:
        tree = checkout(args.before)
        try:
            before, _ = end_to_end(args.sends, code=tree)
        finally:
            remove_checkout(tree)
        print(f"before ({args.before}): {before:,.0f} sends/s, ratio {before / noop:.2f}; "
              f"now/before {rate / before:.2f} ({(rate / before - 1) * 100:+.0f}%)")
    if not args.skip_tick:
        for total in (100_000, 1_000_000):
            print(f"scheduler tick: 10,000 due among {total:,} planned rows: claim + enqueue in "
                  f"{tick_bench(total):.2f} s")
    if not args.skip_rss:
        rate, rss = end_to_end(args.rss_sends)
        print(f"worker peak RSS over {args.rss_sends:,} sends: {max(rss) / 1024:.0f} MiB "
              f"(per worker process: {', '.join(f'{r / 1024:.0f} MiB' for r in rss)}; {rate:,.0f} sends/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
