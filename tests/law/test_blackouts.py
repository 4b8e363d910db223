"""`nurture blackout add|list|remove`: planned texts move out of a declared emergency at once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from delivery_helpers import add_lead, messages_of
from nurture.cli import app
from nurture.clock import clock

runner = CliRunner()
NOW = datetime(2027, 8, 27, 15, tzinfo=UTC)  # a Friday, 10:00 in New Orleans
CHI = ZoneInfo("America/Chicago")


def new_orleans(n: int = 0) -> int:
    return add_lead(NOW, first_name=f"Lou{n}", phone=f"(504) 555-{200 + n:04d}", email=f"lou{n}@example.com",
                    property={"street": "1 Canal St", "city": "New Orleans", "state": "LA", "zip": "70112"})


def days_of(lead_id: int) -> set[date]:
    return {m.due_at.astimezone(CHI).date() for m in messages_of(lead_id, "planned")}


def test_a_blackout_moves_every_planned_message_out_at_once_and_lifting_it_restores_them(sqlite_url):
    clock.freeze(NOW)
    la = new_orleans()
    miami = add_lead(NOW)  # Florida: not concerned
    storm = {date(2027, 8, 30), date(2027, 8, 31), date(2027, 9, 1), date(2027, 9, 2), date(2027, 9, 3),
             date(2027, 9, 4), date(2027, 9, 5)}
    assert days_of(la) & storm, "the plan had messages in those days before"
    florida_before = days_of(miami)
    r = runner.invoke(app, ["blackout", "add", "--state", "LA", "--from", "2027-08-30", "--to", "2027-09-05",
                            "--reason", "Hurricane: state of emergency declared", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["state"] == "LA" and data["leads_replanned"] == 1
    assert not days_of(la) & storm
    assert days_of(miami) == florida_before
    moved = [m for m in messages_of(la, "planned") if "Hurricane" in (m.reason or "")]
    assert moved, "the reason names the blackout"
    listed = json.loads(runner.invoke(app, ["blackout", "list", "--json"]).stdout)
    assert [b["id"] for b in listed] == [data["id"]]
    r = runner.invoke(app, ["blackout", "remove", str(data["id"])])
    assert r.exit_code == 0, r.output
    assert days_of(la) & storm


def test_bad_blackouts_are_refused_with_the_reason(sqlite_url):
    r = runner.invoke(app, ["blackout", "add", "--state", "XX", "--from", "2027-08-30", "--to", "2027-09-05",
                            "--reason", "x"])
    assert r.exit_code == 1 and "not a US state" in r.stderr
    r = runner.invoke(app, ["blackout", "add", "--state", "LA", "--from", "2027-09-05", "--to", "2027-08-30",
                            "--reason", "x"])
    assert r.exit_code == 1 and "before --from" in r.stderr
    r = runner.invoke(app, ["blackout", "remove", "999"])
    assert r.exit_code == 1 and "no blackout with id 999" in r.stderr
