"""The worker's own CPU per send, alone: the dispatcher in one process and one thread (no dramatiq,
no other worker), half texts and half emails through the real Twilio and SendGrid SDKs to the
simulator on uvicorn, on a fresh PostgreSQL database. Prints CPU ms per send (not a test).

    python bench/send_bench.py [--sends 1000] [--rounds 3] [--before REF ...]

With --before REF the same is measured with that commit's dispatcher, in alternate rounds, so that
a machine whose speed drifts (this one's does, by two or more between hours) weighs on both sides
alike. Every process it starts is stopped at the end, also on Ctrl-C or a `timeout`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a child process whose `nurture` is the tree measured (PYTHONPATH): everything it imports is
# that tree's, and only names that commit had are used.
_CHILD = r"""
import json, os, sys, time
import sqlalchemy as sa
from nurture import db
from testkit import fleet
from nurture.delivery import tasks
from nurture.clock import now

sends, sim_url, url = int(sys.argv[1]), sys.argv[2], sys.argv[3]
db.pre_ping = False  # as in a worker process (tasks.worker_process), before the engine exists
at = now()
fleet.seed_due_messages(url, sends // 2, now=at, channel="sms")
fleet.seed_due_messages(url, sends - sends // 2, now=at, channel="email", start=sends // 2)
os.environ.update({
    "NURTURE_DATABASE_URL": url, "NURTURE_REDIS_URL": "redis://127.0.0.1:6379/13",
    "NURTURE_SENDGRID_API_KEY": "SG.bench", "NURTURE_SENDGRID_HOST": sim_url,
    "NURTURE_EMAIL_QUIET_HOURS": "false", "NURTURE_TWILIO_ACCOUNT_SID": "AC" + "d" * 32,
    "NURTURE_TWILIO_AUTH_TOKEN": "bench", "NURTURE_TWILIO_FROM": "+13055550000",
    "NURTURE_TWILIO_API_BASE": sim_url, "NURTURE_SENDGRID_RATE_PER_SECOND": "100000",
    "NURTURE_TWILIO_RATE_PER_SECOND": "100000", "NURTURE_SECRET_KEY": "bench"})
tasks.worker_process()
with db.get_engine(url).begin() as conn:  # queued, as the scheduler leaves them
    rows = conn.execute(sa.text("UPDATE message SET state = 'queued' WHERE state = 'planned' "
                                "RETURNING id, channel")).all()
rows.sort()
dispatcher = tasks.dispatcher()
warm, rows = rows[:20], rows[20:]  # connections, templates, the ZIP and area-code tables
for message_id, channel in warm:
    dispatcher.send(message_id, channel)
began, began_cpu = time.perf_counter(), time.process_time()
states = {}
for message_id, channel in rows:
    state = dispatcher.send(message_id, channel).state
    states[state] = states.get(state, 0) + 1
wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
db.dispose_engines()
print(json.dumps({"sends": len(rows), "wall": wall, "cpu": cpu, "states": states}))
"""


def measure(tree: Path, sends: int, sim_url: str) -> dict[str, float]:
    """One run of `tree`'s dispatcher on a database of its own schema, created and dropped here
    (a child stopped by a Ctrl-C or `timeout` cannot leave it behind)."""
    from bench.pg import drop_database, fresh_database

    name, url = fresh_database(prefix="nurture_sendbench", code=None if tree == ROOT else tree)
    try:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        done = subprocess.run([sys.executable, "-c", _CHILD, str(sends), sim_url, url], cwd=tree, env=env,
                              capture_output=True, text=True, timeout=900, check=False)
    finally:
        drop_database(name)
    if done.returncode != 0:
        raise SystemExit(f"the run with {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sends", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", metavar="REF", action="append", default=[],
                    help="also measure the dispatcher of this git commit, in alternate rounds")
    args = ap.parse_args()
    # `timeout` and kill send SIGTERM: unwind through the finally blocks that stop every process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.path.insert(0, str(ROOT))
    from bench.delivery_bench import _up
    from bench.trees import print_ratios, trees
    from testkit import fleet
    from testkit.simulator import RemoteSimulator

    port = fleet.free_port()
    simulator = subprocess.Popen([sys.executable, "-m", "testkit.simulator", "--port", str(port), "--no-payloads",
                                  "--asgi"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    try:
        sim_url = f"http://127.0.0.1:{port}"
        fleet.wait_for(lambda: _up(RemoteSimulator(sim_url)), timeout=20)
        with trees(args.before) as measured:
            figures: dict[str, dict[str, list[float]]] = {label: {"CPU ms per send": []} for label in measured}
            for round_no in range(1, args.rounds + 1):
                for label, tree in measured.items():
                    got = measure(tree, args.sends, sim_url)
                    per_send = got["cpu"] * 1000 / got["sends"]
                    figures[label]["CPU ms per send"].append(per_send)
                    print(f"round {round_no}, {label}: {per_send:.2f} CPU ms per send "
                          f"({got['sends'] / got['wall']:,.0f} sends/s in one thread; {got['states']})", flush=True)
        for label, values in figures.items():
            print(f"{label}: {', '.join(f'{v:.2f}' for v in values['CPU ms per send'])} CPU ms per send")
        if len(figures) > 1:
            print_ratios(figures)
    finally:
        fleet.stop(simulator)
    return 0


if __name__ == "__main__":
    sys.exit(main())
