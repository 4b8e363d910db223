"""GET /metrics on SQLite and PostgreSQL: Prometheus text whose counts match the rows; no key, no personal data."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.models import Lead, Message
from nurture.web import create_app

SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@pytest.fixture
def client(db_url, frozen_now):
    with TestClient(create_app()) as c:
        yield c


def scrape(client) -> dict[tuple[str, frozenset], float]:
    """The samples of one scrape as {(name, labels): value}; fails on a line that is not the format."""
    r = client.get("/metrics")
    assert r.status_code == 200
    samples = {}
    for line in r.text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) nurture_\w+ ", line), line
            continue
        m = SAMPLE.match(line)
        assert m, f"not exposition format: {line!r}"
        labels = frozenset((k, v.replace('\\"', '"').replace("\\\\", "\\")) for k, v in LABEL.findall(m[2] or ""))
        samples[(m[1], labels)] = float(m[3])
    return samples


def key(name: str, **labels: str) -> tuple[str, frozenset]:
    return name, frozenset(labels.items())


def add_rows(session, lead_kw: dict, messages: list[dict]) -> Lead:
    lead = Lead(**{"first_name": "Ann", **lead_kw})
    session.add(lead)
    session.flush()
    for n, kw in enumerate(messages):  # one step each: a step goes out once per lead
        session.add(Message(**{"lead_id": lead.id, "sequence": "standard", "step": f"step-{n}", "channel": "sms",
                               "template": "sms/intro", **kw}))
    return lead


def test_metrics_is_prometheus_text_format(client):
    r = client.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE nurture_messages gauge" in r.text
    assert r.text.endswith("\n")


def test_message_and_lead_counts_match_the_rows(client, frozen_now):
    with session_scope() as s:
        add_rows(s, {"status": "active"}, [
            {"state": "sent", "due_at": frozen_now}, {"state": "sent", "due_at": frozen_now},
            {"state": "sent", "channel": "email", "due_at": frozen_now},
            {"state": "planned", "channel": "email", "due_at": frozen_now + timedelta(days=1)},
        ])
        add_rows(s, {"status": "needs_human", "first_name": "Bo"}, [{"state": "review", "due_at": frozen_now}])
        add_rows(s, {"status": "needs_human", "first_name": "Cy"}, [])
    m = scrape(client)
    assert m[key("nurture_messages", state="sent", channel="sms")] == 2
    assert m[key("nurture_messages", state="sent", channel="email")] == 1
    assert m[key("nurture_messages", state="planned", channel="email")] == 1
    assert m[key("nurture_messages", state="review", channel="sms")] == 1
    assert m[key("nurture_leads", status="needs_human")] == 2
    assert m[key("nurture_leads", status="active")] == 1
    total = sum(v for (name, _), v in m.items() if name == "nurture_messages")
    assert total == 5


def test_states_and_statuses_without_rows_report_zero(client):
    m = scrape(client)
    assert m[key("nurture_messages", state="failed", channel="email")] == 0
    assert m[key("nurture_leads", status="legal_hold")] == 0
    assert m[key("nurture_messages_due_overdue")] == 0
    assert m[key("nurture_messages_oldest_queued_seconds")] == 0


def test_overdue_counts_planned_messages_more_than_five_minutes_late(client, frozen_now):
    with session_scope() as s:
        add_rows(s, {}, [
            {"state": "planned", "due_at": frozen_now - timedelta(minutes=6)},  # overdue
            {"state": "planned", "due_at": frozen_now - timedelta(hours=3)},  # overdue
            {"state": "planned", "due_at": frozen_now - timedelta(minutes=4)},  # within the grace
            {"state": "planned", "due_at": frozen_now + timedelta(hours=1)},  # not due yet
            {"state": "queued", "due_at": frozen_now - timedelta(hours=3)},  # claimed: not the scheduler's fault
        ])
    assert scrape(client)[key("nurture_messages_due_overdue")] == 2
    clock.advance(timedelta(minutes=2))
    assert scrape(client)[key("nurture_messages_due_overdue")] == 3


def test_oldest_queued_seconds_is_how_long_the_oldest_queued_message_has_waited(client, frozen_now):
    with session_scope() as s:
        add_rows(s, {}, [
            {"state": "queued", "due_at": frozen_now, "updated_at": frozen_now - timedelta(seconds=90)},
            {"state": "queued", "due_at": frozen_now, "updated_at": frozen_now - timedelta(seconds=10)},
            {"state": "sent", "due_at": frozen_now, "updated_at": frozen_now - timedelta(days=1)},
        ])
    assert scrape(client)[key("nurture_messages_oldest_queued_seconds")] == 90


def test_failures_are_counted_by_provider_code(client, frozen_now):
    with session_scope() as s:
        add_rows(s, {}, [
            {"state": "failed", "due_at": frozen_now, "error_code": "21211"},
            {"state": "failed", "due_at": frozen_now, "error_code": "21211"},
            {"state": "failed", "due_at": frozen_now, "error_code": 'odd "code"\\'},
            {"state": "failed", "due_at": frozen_now},
            {"state": "undelivered", "due_at": frozen_now, "error_code": "30006"},
        ])
    m = scrape(client)
    failures = {dict(labels)["code"]: v for (name, labels), v in m.items() if name == "nurture_failures"}
    # A carrier's no (undelivered, Twilio 30006) is a failure as much as a refusal.
    assert failures == {"21211": 2, 'odd "code"\\': 1, "unknown": 1, "30006": 1}


def test_metrics_needs_no_key_and_carries_no_personal_data(db_url, frozen_now, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    with session_scope() as s:
        add_rows(s, {"first_name": "Maria", "last_name": "Lopez", "phone": "+13055550142",
                     "email": "maria@example.com", "status_reason": "replied: call me"},
                 [{"state": "failed", "due_at": frozen_now, "to_address": "+13055550142",
                   "error_reason": "Maria's number is invalid", "body": "Hi Maria"}])
    with TestClient(create_app(), client=("203.0.113.9", 40000)) as c:
        r = c.get("/metrics")
    assert r.status_code == 200
    for personal in ("Maria", "Lopez", "3055550142", "example.com", "call me"):
        assert personal not in r.text
