"""One truth per fact: the planner, the send gate, `leads show` and `consent export` read a lead's
current consent the same way, even where the order of the ledger's ids and the order of its times
disagree; the planner and the gate count the same message states toward the caps, and call a
message late at the same moment, and count the days to a sale alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from delivery_helpers import add_lead, cancel_plan, message, messages_of, queue_message
from nurture.cli import app
from nurture.clock import clock
from nurture.config import get_settings
from nurture.content import urgency_rules
from nurture.content.context import days_to_sale as content_days_to_sale
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher, load_locked
from nurture.delivery.scheduler import tick
from nurture.law import consent as ledger
from nurture.lateness import late_from
from nurture.law import Outgoing, Rulebook, check_message
from nurture.law.caps import MIN_GAP
from nurture.models import WENT_OUT_STATES, Lead, Message, MessageState
from nurture.plans.planner import plan
from nurture.plans.replan import allowed_channels, replan
from nurture.plans.sequences import load_catalog
from nurture.plans.urgency import Facts
from nurture.web import create_app
from web_helpers import LOOPBACK

ROOT = Path(__file__).resolve().parents[2]
TUESDAY_10 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in Miami
runner = CliRunner()


def _record(lead_id: int, action: str, at: datetime, method: str = "csv") -> None:
    with session_scope() as s:
        ledger.record(s, lead_id=lead_id, channel="sms", action=action, method=method, at=at,
                      text="I agree to receive texts from Short Sale Help.", recorded_by="csv:ops (leads.csv)",
                      note="refused: this number revoked consent by text" if action == "refused" else None)


def _replan(lead_id: int, now: datetime) -> None:
    with session_scope() as s:
        replan(s, s.get(Lead, lead_id), now=now, cause="consent changed")


def _shown(lead_id: int) -> tuple[str, str]:
    """The SMS consent `leads show --json` and `consent export --json` report now."""
    show = runner.invoke(app, ["leads", "show", str(lead_id), "--json"])
    export = runner.invoke(app, ["consent", "export", str(lead_id), "--json"])
    assert show.exit_code == 0 and export.exit_code == 0, show.output + export.output
    return json.loads(show.stdout)["consent_now"]["sms"], json.loads(export.stdout)["sms_consent_now"]


def test_a_grant_followed_by_a_refused_regrant_is_planned_texts_and_the_gate_sends_them(db_url, providers):
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10)
    cancel_plan(lead_id, TUESDAY_10)
    clock.advance(timedelta(minutes=5))
    _record(lead_id, "refused", clock.now())  # a re-grant that changed nothing
    _replan(lead_id, clock.now())
    planned = [m for m in messages_of(lead_id, "planned") if m.channel == "sms"]
    assert planned, "a refused re-grant took the lead's texts away"
    first = planned[0]
    clock.freeze(max(first.due_at, clock.now()))
    claims: list[tuple[int, str]] = []
    tick(claims.extend, now=clock.now())
    assert first.id in [mid for mid, _ in claims]
    outcome = Dispatcher().send(first.id)
    assert outcome.state == "sent", message(first.id).reason
    assert [r.provider for r in providers.received] == ["twilio"]
    assert all(shown.startswith("granted") for shown in _shown(lead_id))


def test_a_grant_written_after_a_later_revocation_is_not_current_for_anyone(db_url, providers):
    """The ledger's ids say grant, its times say revoke: everyone reads the times."""
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10)
    cancel_plan(lead_id, TUESDAY_10)
    _record(lead_id, "revoke", TUESDAY_10 + timedelta(hours=2), method="cli")
    _record(lead_id, "grant", TUESDAY_10 + timedelta(hours=1))  # received earlier, written later
    now = TUESDAY_10 + timedelta(hours=3)
    clock.freeze(now)
    _replan(lead_id, now)
    assert [m for m in messages_of(lead_id, "planned") if m.channel == "sms"] == []
    with session_scope() as s:
        _, notes = allowed_channels(s, s.get(Lead, lead_id))
    assert notes["sms"] == "SMS consent revoked"
    mid = queue_message(lead_id, now)
    assert Dispatcher().send(mid).state != "sent"
    assert providers.received == []
    assert all(shown.startswith("revoked") for shown in _shown(lead_id))


# -- "went out or may have" ---------------------------------------------------------------------------

@pytest.mark.parametrize("state", [str(s) for s in MessageState])
def test_the_planner_and_the_gate_count_the_same_states_toward_the_caps(sqlite_url, state):
    """A text in `state` a minute ago: the planner keeps the next one an hour after it exactly when
    the gate counts it, or when it is queued (the gate counts it once a worker takes it)."""
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10)
    cancel_plan(lead_id, TUESDAY_10)
    earlier = TUESDAY_10 - timedelta(minutes=1)
    with session_scope() as s:
        row = Message(lead_id=lead_id, sequence="test", step="earlier", channel="sms", template="sms/welcome",
                      due_at=earlier, state=state, sent_at=earlier if state in WENT_OUT_STATES else None,
                      updated_at=earlier)
        s.add(row)
        s.flush()
        earlier_id = row.id
    _replan(lead_id, TUESDAY_10)
    next_sms = min(m.due_at for m in messages_of(lead_id, "planned") if m.channel == "sms")
    planner_counts = next_sms >= earlier + MIN_GAP
    mid = queue_message(lead_id, TUESDAY_10)
    with session_scope() as s:
        loaded = load_locked(s, mid)
        assert loaded is not None
        gate_counts = any(p.id == earlier_id for p in loaded.history)
    assert gate_counts == (state in WENT_OUT_STATES)
    assert planner_counts == (gate_counts or state == "queued"), (state, next_sms)


# -- lateness ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("late_by", [timedelta(minutes=30), timedelta(hours=2), timedelta(hours=3, minutes=59),
                                     timedelta(hours=4), timedelta(hours=5)])
def test_the_planner_and_the_gate_agree_whether_a_step_is_still_on_time(tmp_path, late_by):
    """An `after: 1d` step (grace 4h by default) looked at `late_by` after its time: the planner plans
    it exactly when the gate would still send a message planned for it, i.e. while it is within grace."""
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "urgency.yaml").write_text((ROOT / "schedules" / "urgency.yaml").read_text())
    (folder / "checkin.yaml").write_text(
        "name: checkin\nsteps:\n  - {id: day-one, channel: email, template: email/next_steps, after: 1d}\n")
    catalog = load_catalog(folder)
    (step,) = catalog.sequences[0].steps
    enrolled = TUESDAY_10
    due = enrolled + timedelta(days=1)
    now = due + late_by
    person = Lead(first_name="Maria", email="maria@example.com", state="FL", zip="33101", timezone="America/New_York",
                  enrolled_at=enrolled, payment_status="behind", months_behind=3)
    planned = plan(person, catalog, now, channels={"email"}, settings=SimpleNamespace(email_quiet_hours=True))
    planner_on_time = [m.step for m in planned.messages] == ["day-one"]
    rules = Rulebook.from_settings(SimpleNamespace(email_quiet_hours=True)).for_lead(person, consented=False)
    outgoing = Outgoing(channel="email", sequence="checkin", step="day-one", deadline=False, due_at=due,
                        expires_at=late_from(due, step.grace), sale_date=None, phase="pre_sale")
    verdict = check_message(outgoing, lead=person, rules=rules, consent_granted=False, suppressed=None, history=[],
                            now=now)
    gate_on_time = verdict.action != "replan"
    assert planner_on_time == gate_on_time == (late_by < step.grace), (planned.skipped, verdict)


# -- days to sale -----------------------------------------------------------------------------------

def test_days_to_sale_of_a_lead_with_no_zone_just_after_its_midnight_is_one_count(sqlite_url, monkeypatch):
    """00:30 on the sale day where the lead is taken to live (no zone known: New York), 21:30 the day
    before in the office's zone: the tier, the templates' `days_to_sale` and the leads list all
    say the sale is today."""
    monkeypatch.setenv("NURTURE_BUSINESS_TZ", "America/Los_Angeles")
    get_settings.cache_clear()
    now = datetime(2026, 12, 5, 5, 30, tzinfo=UTC)  # 00:30 in New York, 21:30 on the 4th in Los Angeles
    clock.freeze(now)
    lead_id = add_lead(now - timedelta(days=3), phone="(800) 555-0142", property=None,
                       foreclosure={"stage": "sale_scheduled", "sale_date": "2026-12-05"})
    with session_scope() as s:
        person = s.get(Lead, lead_id)
        assert person.timezone is None
        template_days = content_days_to_sale(person, now)
        rules = urgency_rules(get_settings().schedules_dir)
        tier = rules.tier_at(Facts.from_lead(person), now)
    assert template_days == 0
    assert tier == rules.tier(Facts.from_lead(person), 0)
    with TestClient(create_app(), follow_redirects=False, **LOOPBACK) as client:
        def listed(query: str) -> str | None:
            r = client.get(f"/ops/leads?{query}")
            assert r.status_code == 200, r.text
            section = r.text.split('id="leads-list"')[1]
            return section if "Maria " in section else None

        for within in ("0", "1", "7"):
            row = listed(f"sale_within={within}")
            assert row is not None, f"a sale today is not within {within} days in the list"
            assert "(in 0 d)" in row and f">{tier}<" in row
