"""`nurture leads add|show|update`: the CLI door to intake."""

import json

from typer.testing import CliRunner

from sqlmodel import select

from nurture.cli import app
from nurture.db import session_scope
from nurture.models import DeliveryEvent

runner = CliRunner()


def add(*args):
    return runner.invoke(app, ["leads", "add", *args])


def test_add_then_show_by_phone_email_or_id(sqlite_url):
    r = add("--first-name", "Maria", "--phone", "(305) 555-0142", "--zip", "33101", "--state", "FL",
            "--balance", "425000", "--value", "375000", "--sale-date", "2026-12-10",
            "--sms-consent-text", "I agree to texts", "--sms-consent-source-url", "https://example.com/start",
            "--json")
    assert r.exit_code == 0, r.output
    lead_id = json.loads(r.stdout)["id"]
    for ref in ("3055550142", str(lead_id)):
        shown = json.loads(runner.invoke(app, ["leads", "show", ref, "--json"]).stdout)
        assert shown["id"] == lead_id
        assert shown["equity_gap"] == "50000.00"
        assert shown["consents"][0]["text"] == "I agree to texts"
    text = runner.invoke(app, ["leads", "show", str(lead_id)]).stdout
    assert "Maria" in text and "America/New_York" in text and "I agree to texts" in text
    assert "$425,000 / $375,000 (gap $50,000)" in text  # money as people write it
    assert "times in America/New_York (the lead's zone)" in text


def test_add_with_bad_input_fails_on_stderr_naming_each_field(sqlite_url):
    r = add("--first-name", "Maria", "--phone", "12", "--zip", "999")
    assert r.exit_code == 1
    assert "phone:" in r.stderr and "property.zip:" in r.stderr
    assert runner.invoke(app, ["leads", "show", "1"]).exit_code == 1


def test_show_an_unknown_lead_fails(sqlite_url):
    r = runner.invoke(app, ["leads", "show", "nobody@example.com"])
    assert r.exit_code == 1 and "no lead matches" in r.stderr


def test_update_changes_facts_and_status(sqlite_url):
    add("--first-name", "Maria", "--email", "maria@example.com")
    r = runner.invoke(app, ["leads", "update", "maria@example.com", "--months-behind", "2", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["payment_status"] == "behind" and data["months_behind"] == 2
    r = runner.invoke(app, ["leads", "update", "maria@example.com", "--status", "converted", "--reason", "signed"])
    assert r.exit_code == 0
    shown = json.loads(runner.invoke(app, ["leads", "show", "maria@example.com", "--json"]).stdout)
    assert (shown["status"], shown["status_reason"]) == ("converted", "signed")
    with session_scope() as session:  # logged as a status change: the console counts the conversion
        ev = session.exec(select(DeliveryEvent).where(DeliveryEvent.to_state == "converted")).one()
        assert ev.kind == "lead" and ev.from_state == "active" and "via cli" in ev.cause
    r = runner.invoke(app, ["leads", "update", "maria@example.com", "--status", "won"])
    assert r.exit_code == 1 and "status:" in r.stderr


def test_show_includes_the_planned_timeline_with_local_times(sqlite_url):
    add("--first-name", "Maria", "--phone", "3055550142", "--zip", "33101", "--sale-date", "2030-01-15",
        "--sms-consent-text", "I agree to texts", "--sms-consent-url", "https://example.com/start")
    shown = json.loads(runner.invoke(app, ["leads", "show", "3055550142", "--json"]).stdout)
    templates = [t["template"] for t in shown["timeline"]]
    assert templates[0] == "sms/welcome"  # no email on file: texts only, the welcome first
    assert all(t.startswith("sms/") for t in templates)
    assert all(t["local"].endswith(("EST", "EDT")) for t in shown["timeline"])
    text = runner.invoke(app, ["leads", "show", "3055550142"], env={"COLUMNS": "200"}).stdout
    assert "sms/welcome" in text and "planned" in text
