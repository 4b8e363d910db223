"""`nurture log`, `stats`, `scheduler`, `demo` and `run` as a user runs them."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from delivery_helpers import add_lead, cancel_plan, queue_message
from nurture.cli import app
from nurture.clock import clock
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Message
from sqlalchemy import func
from sqlalchemy import select as sa_select

runner = CliRunner()
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def history(sqlite_url, providers):
    """One text sent, one failed with Twilio 21211, one deadline email cancelled (no sale date any more)."""
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    other = add_lead(NOW, first_name="Bob", phone="(305) 555-0199", email="bob@example.com")
    cancel_plan(other, NOW)
    d = Dispatcher()
    d.send(queue_message(lead_id, NOW, step="a"))
    providers.reject("+13055550199", code=21211, message="The 'To' number is not a valid phone number.")
    d.send(queue_message(other, NOW, step="b"))
    d.send(queue_message(other, NOW, step="c", channel="email", template="email/deficiency", deadline=True))
    clock.reset()
    return lead_id, other


def test_log_shows_what_happened_and_why_newest_first(history):
    r = runner.invoke(app, ["log"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert any("lead #2 Bob" in line and "[21211]" in line and "not a valid phone number" in line for line in lines)
    assert any("queued -> cancelled" in line and "no longer has a sale date" in line for line in lines)
    assert any("sending -> sent" in line and "accepted by the provider" in line for line in lines)


def test_log_filters_by_lead_and_state_and_prints_json(history):
    lead_id, other = history
    rows = json.loads(runner.invoke(app, ["log", "--lead", "bob@example.com", "--state", "failed", "--json"]).stdout)
    assert len(rows) == 1 and rows[0]["lead_id"] == other and rows[0]["error_code"] == "21211"
    rows = json.loads(runner.invoke(app, ["log", "--lead", str(lead_id), "--json"]).stdout)
    assert rows and {r["lead_id"] for r in rows} == {lead_id}
    assert [r["at"] for r in rows] == sorted((r["at"] for r in rows), reverse=True)


def test_log_refuses_a_bad_duration_and_an_unknown_lead(sqlite_url):
    r = runner.invoke(app, ["log", "--since", "yesterday"])
    assert r.exit_code == 1 and "not a duration" in r.stderr
    r = runner.invoke(app, ["log", "--lead", "nobody@example.com"])
    assert r.exit_code == 1 and "no lead matches" in r.stderr


def test_stats_counts_messages_by_state_and_failures_by_code(history):
    data = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)
    assert data["messages"]["sent"] == {"sms": 1}
    assert data["messages"]["failed"] == {"sms": 1}
    with session_scope() as s:  # the stale deadline email and the plans the fixture cancelled
        cancelled = dict(s.exec(sa_select(Message.channel, func.count()).where(Message.state == "cancelled")
                                .group_by(Message.channel)).all())
    assert data["messages"]["cancelled"] == cancelled and cancelled["email"] >= 1
    assert data["failures_by_code"] == {"21211": 1}
    assert data["leads"] == {"active": 2}
    text = runner.invoke(app, ["stats"]).stdout
    assert "21211 x1" in text
    assert text.splitlines()[0].startswith("messages all time to ") and text.splitlines()[0].endswith(("EST", "EDT"))
    text = runner.invoke(app, ["stats", "--since", "1d"]).stdout
    assert "(last 1d)" in text.splitlines()[0] and "changed since" in text.splitlines()[0]


def test_stats_by_template_gives_each_template_whole_with_its_window(history):
    clock.freeze(NOW + timedelta(hours=1))
    r = runner.invoke(app, ["stats", "--by", "template"], env={"COLUMNS": "40"})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith("results per template, messages sent, all time to")
    assert any(line.startswith("sms/what_is_short_sale (sms)  sent 1, delivered 0 (0.0%)") for line in lines), lines
    data = json.loads(runner.invoke(app, ["stats", "--by", "template", "--since", "2d", "--json"]).stdout)
    assert data["window"]["since"] is not None
    assert {t["template"] for t in data["templates"]} == {"sms/what_is_short_sale"}
    assert runner.invoke(app, ["stats", "--by", "lead"]).exit_code == 1


def test_log_times_are_in_the_business_zone_or_the_leads_and_always_labelled(history, monkeypatch):
    lead_id, _ = history
    text = runner.invoke(app, ["log"]).stdout
    assert "times in America/New_York (the business's zone" in text.splitlines()[0]
    assert any(line.startswith("Tue 2026-12-01 10:00 EST  lead #") for line in text.splitlines())
    monkeypatch.setenv("NURTURE_BUSINESS_TZ", "America/Los_Angeles")
    from nurture.config import get_settings

    get_settings.cache_clear()
    assert any(line.startswith("Tue 2026-12-01 07:00 PST") for line in runner.invoke(app, ["log"]).stdout.splitlines())
    own = runner.invoke(app, ["log", "--lead", str(lead_id)]).stdout  # one lead: its own zone (Miami)
    assert "(the lead's zone)" in own and "Tue 2026-12-01 10:00 EST" in own


def test_scheduler_alone_wants_redis(sqlite_url):
    r = runner.invoke(app, ["scheduler"])
    assert r.exit_code == 1 and "NURTURE_REDIS_URL is not set" in r.stderr


def test_demo_shows_messages_going_out_and_stop_being_honoured(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env["NURTURE_TEMPLATES_DIR"] = str(ROOT / "templates")
    env["NURTURE_SCHEDULES_DIR"] = str(ROOT / "schedules")
    r = subprocess.run([sys.executable, "-c", "from nurture.cli import main; main()", "demo", "--days", "3",
                        "--throwaway"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    assert "seeded 5 leads" in out
    assert "welcome" in out and "Maria" in out and "Robert" in out
    assert "replied STOP" in out
    assert "messages by state:" in out and "delivered" in out
    assert not (tmp_path / "nurture.db").exists()  # --throwaway: the configured database is not touched


def test_demo_plays_the_days_up_to_now_into_the_configured_database_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env.update({"NURTURE_TEMPLATES_DIR": str(ROOT / "templates"), "NURTURE_SCHEDULES_DIR": str(ROOT / "schedules")})
    cli = [sys.executable, "-c", "from nurture.cli import main; main()"]
    r = subprocess.run([*cli, "demo", "--days", "5"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "played into sqlite:///nurture.db" in r.stdout and "/ops" in r.stdout
    assert "Twilio 30003" in r.stdout and "Linda asked for a call" in r.stdout and "converted" in r.stdout
    stats = json.loads(subprocess.run([*cli, "stats", "--json"], cwd=tmp_path, env=env, capture_output=True,
                                      text=True, timeout=60).stdout)
    assert stats["failures_by_code"] == {"30003": 1}
    assert stats["leads"]["needs_human"] == 1 and stats["leads"]["converted"] == 1
    log = json.loads(subprocess.run([*cli, "log", "--limit", "1", "--json"], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=60).stdout)
    assert datetime.fromisoformat(log[0]["at"]) <= datetime.now(UTC)  # the days played end now, not later
    again = subprocess.run([*cli, "demo", "--days", "1"], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 1 and "already played" in again.stderr


def test_demo_never_plays_into_a_database_with_real_leads(sqlite_url):
    add_lead(NOW)
    r = runner.invoke(app, ["demo", "--days", "1"])
    assert r.exit_code == 1 and "lead(s) the demo did not make" in r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_takes_a_lead_and_sends_its_first_messages_to_the_outbox(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env.update({"NURTURE_TEMPLATES_DIR": str(ROOT / "templates"), "NURTURE_SCHEDULES_DIR": str(ROOT / "schedules"),
                "NURTURE_TICK_SECONDS": "0.5",
                # Email without quiet hours: the welcome email goes out whatever the real hour is.
                "NURTURE_EMAIL_QUIET_HOURS": "false"})
    proc = subprocess.Popen([sys.executable, "-c", "from nurture.cli import main; main()", "run", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        lead = {"first_name": "Maria", "email": "maria@example.com",
                "property": {"city": "Miami", "state": "FL", "zip": "33101"},
                "mortgage_balance": "425000.00", "estimated_value": "375000.00"}
        r = httpx.post(f"{base}/api/leads", json=lead, timeout=10)
        assert r.status_code == 201, r.text
        outbox = tmp_path / "outbox"
        for _ in range(100):
            if list(outbox.glob("*/*.txt")):
                break
            time.sleep(0.2)
        files = sorted(p.relative_to(outbox).parts[0] for p in outbox.glob("*/*.txt"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    assert files == ["email"], output[-3000:]
    assert (tmp_path / "nurture.db").exists()
