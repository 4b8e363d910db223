"""Workers on several machines can share one PostgreSQL and one RabbitMQ: NURTURE_BROKER_URL=amqp://...
runs the scheduler and `dramatiq workers` on dramatiq's RabbitMQ broker (queued work survives a
broker restart, which a Redis without persistence does not). Every message reaches the provider once."""

from __future__ import annotations

import subprocess
import uuid
from collections import Counter

import pytest

from conftest import require_service
from testkit import fleet
from nurture.clock import now

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def rabbitmq_url():
    """A vhost of this test's own on the machine's RabbitMQ (guest/guest), deleted afterwards."""
    require_service("RabbitMQ", "127.0.0.1", 5672)
    vhost = f"nurture_test_{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True, timeout=60)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True,
                   capture_output=True, timeout=60)
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=60)


def test_a_scheduler_and_two_worker_processes_on_rabbitmq_send_every_message_once(pg_url, rabbitmq_url,
                                                                                  simulator, tmp_path):
    ids = fleet.seed_due_messages(pg_url, 300, now=now())
    env = {"NURTURE_DATABASE_URL": pg_url, "NURTURE_BROKER_URL": rabbitmq_url,
           "NURTURE_SENDGRID_API_KEY": "SG.rabbit", "NURTURE_SENDGRID_HOST": simulator.url,
           "NURTURE_EMAIL_QUIET_HOURS": "false", "NURTURE_SENDGRID_RATE_PER_SECOND": "5000",
           "NURTURE_SECRET_KEY": "rabbit-secret", "NURTURE_TICK_SECONDS": "0.3"}
    procs = [fleet.start_workers(env, threads=4, log=tmp_path / "w1.log"),
             fleet.start_workers(env, threads=4, log=tmp_path / "w2.log"),
             fleet.start_scheduler(env, log=tmp_path / "s.log")]
    try:
        done = fleet.wait_for(lambda: fleet.count_in(pg_url, "sent", "delivered") >= len(ids), timeout=120)
    finally:
        fleet.stop(*procs)
    logs = "\n".join(p.read_text()[-1500:] for p in tmp_path.glob("*.log"))
    assert done, logs
    copies = Counter(fleet.message_id_of(r) for r in simulator.received)
    assert set(copies) == set(ids) and max(copies.values()) == 1
