"""Stress: 200 leads x 6 messages due in the same second, many workers at once, the real SDKs into the
simulator. Per lead, counted from what the simulator received: no cap exceeded, no step twice, the
1-hour gap kept, nothing lost (every message ends sent, moved, or skipped with a reason).

Each lead already had one text two hours ago, so the 2-texts-a-day cap is at stake, not only the gap.
Its six messages: texts s1, s2, s2 again (the same step twice), emails e1, e2, e2 again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, insert, select
from sqlmodel import Session

from testkit import fleet
from nurture.clock import now as clock_now
from nurture.db import get_engine
from nurture.models import Consent, Lead, Message

LEADS = 200
PLAN = [("sms", "s1"), ("sms", "s2"), ("sms", "s2"), ("email", "e1"), ("email", "e2"), ("email", "e2")]
TEMPLATES = {"sms": "sms/what_is_short_sale", "email": "email/deficiency"}


def seed(url: str, at: datetime) -> dict[int, int]:
    """The leads (where it is day: the workers keep quiet hours by the real clock), their consent,
    one text each two hours ago, and six messages each due now. Returns message id -> lead id."""
    zone = fleet.daytime_zone(at)
    with Session(get_engine(url)) as s:
        lead_ids = s.scalars(insert(Lead).returning(Lead.id), [
            {"first_name": f"S{i}", "last_name": "Stress", "email": f"s{i}@stress.example.com",
             "phone": f"+1800{5560000 + i:07d}", "timezone": zone, "hardships": [], "foreclosure_stage": "none",
             "status": "active", "enrolled_at": at, "created_at": at, "updated_at": at}
            for i in range(LEADS)
        ]).all()
        s.execute(insert(Consent), [{"lead_id": lid, "channel": "sms", "action": "grant", "text": "I agree",
                                     "source_url": "https://example.com/f", "ip": "203.0.113.7", "method": "test",
                                     "recorded_at": at} for lid in lead_ids])
        earlier = at - timedelta(hours=2)
        s.execute(insert(Message), [{"lead_id": lid, "sequence": "stress", "step": "earlier", "channel": "sms",
                                     "template": TEMPLATES["sms"], "due_at": earlier, "state": "sent",
                                     "sent_at": earlier, "attempts": 1, "created_at": earlier, "updated_at": earlier}
                                    for lid in lead_ids])
        rows = s.execute(insert(Message).returning(Message.id, Message.lead_id), [
            {"lead_id": lid, "sequence": "stress", "step": step, "channel": channel, "template": TEMPLATES[channel],
             "due_at": at - timedelta(seconds=1), "state": "planned", "attempts": 0, "created_at": at,
             "updated_at": at}
            for lid in lead_ids for channel, step in PLAN
        ]).all()
        s.commit()
    return dict(rows)  # type: ignore[arg-type]


def message_of(received) -> int:  # type: ignore[no-untyped-def]
    """Our message id, from the provider's own record (Twilio's status callback, SendGrid's custom_args)."""
    if received.provider == "twilio":
        return int(parse_qs(urlparse(received.json["StatusCallback"]).query)["message_id"][0])
    return int(received.json["custom_args"]["message_id"])


def settle(url: str) -> bool:
    """Nothing due is waiting and nothing is in flight."""
    with Session(get_engine(url)) as s:
        busy = s.scalar(select(func.count()).select_from(Message).where(
            Message.state.in_(["queued", "sending"]) | ((Message.state == "planned") & (Message.due_at <= clock_now()))))
    return busy == 0


def assert_rules_held(url: str, owner: dict[int, int], received) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(url)) as s:
        rows = {m.id: m for m in s.exec(select(Message).where(Message.id.in_(owner))).scalars()}  # type: ignore[call-overload]
    steps_of: dict[int, Counter[str]] = defaultdict(Counter)
    channels_of: dict[int, Counter[str]] = defaultdict(Counter)
    ids = [message_of(r) for r in received]
    assert len(ids) == len(set(ids)), "a message reached the provider twice"
    for r, mid in zip(received, ids, strict=True):
        lead = owner[mid]
        steps_of[lead][rows[mid].step] += 1
        channels_of[lead][r.provider] += 1
    for lead in set(owner.values()):
        assert max(steps_of[lead].values(), default=0) <= 1, (lead, steps_of[lead])  # no step twice
        # one earlier text + at most one now: 2 texts in any 24 h; the gap allows one email now
        assert channels_of[lead]["twilio"] <= 1, (lead, channels_of[lead])
        assert channels_of[lead]["sendgrid"] <= 1, (lead, channels_of[lead])
    assert sum(c["twilio"] for c in channels_of.values()) == LEADS, "every lead had room for exactly one more text"
    assert sum(c["sendgrid"] for c in channels_of.values()) == LEADS
    ends = Counter(m.state for m in rows.values())
    assert set(ends) <= {"sent", "delivered", "planned", "skipped"}, ends  # nothing lost or stuck
    assert ends["sent"] + ends["delivered"] == len(received)
    for m in rows.values():
        if m.state in ("planned", "skipped"):
            assert m.reason, m  # moved or skipped: always with the rule that said so
        if m.state == "planned":
            assert m.due_at >= m.updated_at + timedelta(minutes=59)


def provider_env(sim, **more: str) -> dict[str, str]:
    env = {
        "NURTURE_SENDGRID_API_KEY": "SG.stress", "NURTURE_SENDGRID_HOST": sim.url,
        "NURTURE_TWILIO_ACCOUNT_SID": "AC" + "c" * 32, "NURTURE_TWILIO_AUTH_TOKEN": "tok",
        "NURTURE_TWILIO_FROM": "+13055550000", "NURTURE_TWILIO_API_BASE": sim.url,
        "NURTURE_TWILIO_RATE_PER_SECOND": "5000", "NURTURE_SENDGRID_RATE_PER_SECOND": "5000",
        "NURTURE_SECRET_KEY": "stress-secret", "NURTURE_PUBLIC_URL": "https://nurture.example.com",
    }
    env.update(more)
    return env


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_two_worker_processes_of_16_threads_keep_every_lead_within_the_rules(pg_url, redis_url, simulator, tmp_path):
    owner = seed(pg_url, clock_now())
    env = provider_env(simulator, NURTURE_DATABASE_URL=pg_url, NURTURE_REDIS_URL=redis_url,
                       NURTURE_TICK_SECONDS="0.2", NURTURE_LEASE_SECONDS="60")
    procs = [fleet.start_workers(env, threads=16, log=tmp_path / "w1.log"),
             fleet.start_workers(env, threads=16, log=tmp_path / "w2.log"),
             fleet.start_scheduler(env, log=tmp_path / "s.log")]
    try:
        done = fleet.wait_for(lambda: len(simulator.received) >= 2 * LEADS and settle(pg_url), timeout=180)
    finally:
        fleet.stop(*procs)
    logs = "\n".join(p.read_text()[-1500:] for p in tmp_path.glob("*.log"))
    assert done, f"{len(simulator.received)} received; logs:\n{logs}"
    assert_rules_held(pg_url, owner, simulator.received)


@pytest.mark.slow
def test_the_embedded_default_keeps_every_lead_within_the_rules(sqlite_url, providers, monkeypatch):
    """The same on the embedded default: SQLite, the in-process broker, 16 worker threads."""
    from nurture.config import get_settings
    from nurture.delivery.runtime import Embedded
    from nurture.delivery.scheduler import tick

    for key, value in provider_env(providers).items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    owner = seed(sqlite_url, clock_now())
    runtime = Embedded(scheduler=False, worker_threads=16).start()
    try:
        for _ in range(20):
            tick(runtime.enqueue)
            runtime.join()
            if settle(sqlite_url):
                break
    finally:
        runtime.stop()
    assert_rules_held(sqlite_url, owner, providers.received)
