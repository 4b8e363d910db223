"""`nurture schedule preview` for issue 24's closing email and postponement message: a lead we
have been writing to (--welcomed) after a passed sale, and a sale date that moved later
(--sale-postponed-from). Georgia, Eastern time: Tuesday 2026-12-01 10:00 EST is 15:00 UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from typer.testing import CliRunner

from nurture.cli.schedule import app
from nurture.clock import clock

runner = CliRunner()
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
LEAD = ("--state", "GA", "--enrolled-at", "2026-11-10T09:00", "--now", "2026-12-01T10:00")


def preview_json(*args: str) -> dict:
    result = runner.invoke(app, ["preview", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_lead_we_wrote_to_gets_the_closing_email_after_a_passed_sale_and_ops_are_told():
    clock.freeze(NOW)
    data = preview_json("--sale-date", "2026-11-28", "--welcomed", *LEAD)
    assert [(m["sequence"], m["template"], m["local"]) for m in data["messages"]] == [
        ("after-sale", "email/after_sale", "Tue 2026-12-01 12:00 EST")]
    assert data["lead_action"] == ["tell", "sale date 2026-11-28 has passed: confirm postponed/sold/cancelled"]
    assert {(h["step"], h["channel"]) for h in data["history"]} == {("welcome", "sms"), ("welcome", "email")}


def test_a_passed_sale_long_ago_gets_no_closing_email():
    clock.freeze(NOW)
    data = preview_json("--sale-date", "2026-11-10", "--welcomed", *LEAD)
    assert data["messages"] == []
    assert data["lead_action"][0] == "pause"
    assert {"sequence": "after-sale", "step": "closing", "channel": "email", "template": "email/after_sale",
            "reason": "more than 14 days after the sale date 2026-11-10: too late for a closing message"} in data["skipped"]


def test_a_postponement_is_previewed_as_one_text():
    clock.freeze(NOW)
    data = preview_json("--sale-date", "2026-12-31", "--sale-postponed-from", "2026-12-10", "--welcomed", *LEAD)
    told = [(m["step"], m["template"], m["local"]) for m in data["messages"] if m["sequence"] == "postponed"]
    assert told == [("sale-postponed@2026-12-10", "sms/sale_postponed", "Tue 2026-12-01 10:00 EST")]
    assert data["lead"]["sale_postponed_from"] == "2026-12-10"


def test_table_output_names_the_action_for_ops():
    clock.freeze(NOW)
    result = runner.invoke(app, ["preview", "--sale-date", "2026-11-28", "--welcomed", *LEAD])
    assert result.exit_code == 0, result.output
    assert "tell: sale date 2026-11-28 has passed: confirm postponed/sold/cancelled" in result.stdout
    assert "email/after_sale" in result.stdout


def test_a_postponement_must_move_a_set_date_later():
    clock.freeze(NOW)
    earlier = runner.invoke(app, ["preview", "--sale-date", "2026-12-10", "--sale-postponed-from", "2026-12-31",
                                  "--state", "GA"])
    assert earlier.exit_code == 1
    assert "--sale-postponed-from 2026-12-31 is not before --sale-date 2026-12-10" in earlier.output
    estimate = runner.invoke(app, ["preview", "--sale-date", "2026-12-31", "--sale-date-estimated",
                                   "--sale-postponed-from", "2026-12-10", "--state", "GA"])
    assert estimate.exit_code == 1
    assert "needs --sale-date, the set date the sale moved to (not an estimate)" in estimate.output
