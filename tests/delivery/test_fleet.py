"""Several processes on real Redis and PostgreSQL: every due message reaches the provider exactly once,
and a worker killed mid-send is reconciled, not blindly re-sent."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from testkit import fleet
from nurture.clock import now
from nurture.db import get_engine
from nurture.models import DeliveryEvent, Message
from nurture.delivery.scheduler import reconcile_stale

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def settings_env(pg_url, redis_url, sim, **more):
    env = {
        "NURTURE_DATABASE_URL": pg_url, "NURTURE_REDIS_URL": redis_url,
        "NURTURE_SENDGRID_API_KEY": "SG.fleet", "NURTURE_SENDGRID_HOST": sim.url,
        "NURTURE_TWILIO_ACCOUNT_SID": "AC" + "b" * 32, "NURTURE_TWILIO_AUTH_TOKEN": "tok",
        "NURTURE_TWILIO_FROM": "+13055550000", "NURTURE_TWILIO_API_BASE": sim.url,
        # Email keeps no quiet hours here, so the test passes at any hour of the real clock.
        "NURTURE_EMAIL_QUIET_HOURS": "false", "NURTURE_SENDGRID_RATE_PER_SECOND": "5000",
        "NURTURE_SECRET_KEY": "fleet-secret", "NURTURE_TICK_SECONDS": "0.2", "NURTURE_CLAIM_BATCH": "150",
        "NURTURE_LEASE_SECONDS": "60",
    }
    env.update(more)
    return env


def test_two_schedulers_and_two_worker_processes_send_2000_messages_exactly_once(
        pg_url, redis_url, simulator, tmp_path):
    ids = fleet.seed_due_messages(pg_url, 2000, now=now())
    env = settings_env(pg_url, redis_url, simulator)
    procs = [fleet.start_workers(env, threads=8, log=tmp_path / "w1.log"),
             fleet.start_workers(env, threads=8, log=tmp_path / "w2.log"),
             fleet.start_scheduler(env, log=tmp_path / "s1.log"),
             fleet.start_scheduler(env, log=tmp_path / "s2.log")]
    try:
        done = fleet.wait_for(lambda: fleet.count_in(pg_url, "sent", "delivered") >= 2000, timeout=150)
    finally:
        fleet.stop(*procs)
    logs = "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("*.log"))
    assert done, f"only {fleet.count_in(pg_url, 'sent')} of 2000 sent; logs:\n{logs}"
    received = simulator.received
    per_address = Counter(r.to for r in received)
    assert len(received) == 2000
    assert max(per_address.values()) == 1
    assert set(per_address) == {f"lead{i}@fleet.example.com" for i in range(2000)}
    with Session(get_engine(pg_url)) as s:
        sent_events = s.exec(select(DeliveryEvent.message_id).where(DeliveryEvent.to_state == "sent")).all()
        assert sorted(sent_events) == sorted(ids)  # one "sent" log row per message, none twice
        ids_by_provider = {m.provider_id for m in s.exec(select(Message)).all()}
        # The log has no foreign keys (migration 0005): every row must still name its lead and message.
        assert fleet.log_rows_pointing_nowhere(s) == 0
    assert ids_by_provider == {r.provider_id for r in received}


def test_a_worker_killed_mid_send_is_reconciled_from_the_provider_not_resent(pg_url, redis_url, simulator, tmp_path):
    import os
    import signal
    import time

    # A text to Twilio that takes 5 s to answer: the worker is killed while it waits.
    simulator.delay = 5
    (mid,) = fleet.seed_due_messages(pg_url, 1, now=now(), channel="sms", template="sms/what_is_short_sale")
    env = settings_env(pg_url, redis_url, simulator, NURTURE_TWILIO_SETTLE_SECONDS="2")
    # The worker's gate keeps SMS quiet hours by the real clock: seed_due_messages put the lead where it is day.
    workers = fleet.start_workers(env, threads=1, log=tmp_path / "w.log")
    scheduler = fleet.start_scheduler(env, log=tmp_path / "s.log")
    try:
        assert fleet.wait_for(lambda: fleet.count_in(pg_url, "sending") == 1, timeout=60), \
            (tmp_path / "w.log").read_text()[-3000:]
        time.sleep(2.5)  # claimed and rendered: now inside the 5 s provider call
        os.killpg(workers.pid, signal.SIGKILL)
        workers.wait(10)
        fleet.stop(scheduler)
        # The simulator still takes the request, as Twilio would have: it was accepted.
        assert fleet.wait_for(lambda: len(simulator.received) == 1, timeout=10)
        simulator.delay = 0
        settings_over = {k.removeprefix("NURTURE_").lower(): v for k, v in env.items() if k.startswith("NURTURE_")}
        from nurture.config import Settings

        settings = Settings(**settings_over)
        # Past the request's connect and read timeouts and Twilio's settle time (not a queue lease).
        settled = 2 * settings.provider_timeout_seconds + settings.twilio_settle_seconds
        assert reconcile_stale(settings=settings, now=now() + timedelta(seconds=settled + 1)) == 1
    finally:
        fleet.stop(workers, scheduler)
    with Session(get_engine(pg_url)) as s:
        msg = s.get(Message, mid)
        assert msg.state == "sent"
        assert msg.provider_id == simulator.received[0].provider_id
        causes = s.exec(select(DeliveryEvent.cause).where(DeliveryEvent.message_id == mid)).all()
    assert any("no answer in time, but the provider has it as" in c for c in causes)
    assert len(simulator.received) == 1  # reconciled, never sent a second time
