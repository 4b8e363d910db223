"""`nurture schedule preview` and `nurture schedule lint`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from nurture.cli.schedule import app, timezone_for
from nurture.clock import clock
from nurture.db import session_scope
from nurture.models import Consent, Lead
from nurture.plans.replan import replan

runner = CliRunner()
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def preview_json(*args: str) -> dict:
    result = runner.invoke(app, ["preview", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_florida_sale_in_ten_days_is_within_8_to_20_and_never_daily_until_the_last_three():
    clock.freeze(NOW)
    today = NOW.astimezone(ZoneInfo("America/New_York")).date()
    sale = (today + timedelta(days=10)).isoformat()
    data = preview_json("--sale-date", sale, "--state", "FL")
    assert data["lead"]["timezone"] == "America/New_York"
    msgs = data["messages"]
    due = [datetime.fromisoformat(m["due_at"]) for m in msgs]
    local = [d.astimezone(ZoneInfo("America/New_York")) for d in due]
    assert all(8 <= t.hour < 20 for t in local)
    # Issue 24: no countdown every day. Between the day of joining and the last three days
    # (December 8, 9 and 10) there are days without any message.
    days = {t.date() for t in local}
    assert today in days and {today + timedelta(days=n) for n in (7, 8, 9)} <= days
    assert len(days - {today + timedelta(days=n) for n in (0, 7, 8, 9)}) <= 2
    assert all(due[i + 3] - due[i] >= timedelta(hours=24) for i in range(len(due) - 3))
    assert all(m["template"] and m["reason"] and m["tier"] in {"urgent", "critical"} for m in msgs)
    assert any("moved from" in m["reason"] for m in msgs)
    assert all(s["reason"] for s in data["skipped"])


def test_table_output_shows_local_and_utc_time_template_and_reason():
    clock.freeze(NOW)
    result = runner.invoke(app, ["preview", "--sale-date", "2026-12-11", "--state", "FL"])
    assert result.exit_code == 0, result.output
    assert "Tue 2026-12-01 10:00 EST" in result.stdout
    assert "12-01 15:00Z" in result.stdout
    assert "sms/welcome" in result.stdout and "speed to lead" in result.stdout
    assert "Not planned" in result.stdout


def test_hypothetical_lead_options():
    data = preview_json(
        "--zip", "77001", "--state", "TX", "--payment-status", "current", "--months-behind", "0",
        "--hardship", "job_loss", "--balance", "425000", "--value", "375000", "--channels", "email",
        "--enrolled-at", "2026-12-06T09:30",
    )
    assert data["lead"]["timezone"] == "America/Chicago"
    assert data["tier"] == "early"
    assert {m["channel"] for m in data["messages"]} == {"email"}
    assert data["messages"][0]["local"] == "Sun 2026-12-06 12:00 CST"  # Texas: Sunday from noon


def test_a_passed_sale_date_shows_the_pause():
    clock.freeze(NOW)
    data = preview_json("--sale-date", "2026-11-20", "--state", "GA")
    assert data["messages"] == []
    assert data["lead_action"][0] == "pause"


def test_existing_lead(sqlite_url):
    clock.freeze(NOW)
    with session_scope() as session:
        lead = Lead(first_name="Ana", phone="+13055550100", email="ana@example.com", state="FL",
                    timezone="America/New_York", sale_date=datetime(2026, 12, 20).date(),
                    foreclosure_stage="sale_scheduled", enrolled_at=NOW)
        session.add(lead)
        session.flush()
        session.add(Consent(lead_id=lead.id, channel="sms", action="grant", method="web_form", recorded_at=NOW))
        replan(session, lead, now=NOW, cause="new lead")
        lead_id = lead.id
    data = preview_json("--lead", str(lead_id))
    assert data["lead"]["id"] == lead_id
    assert {m["channel"] for m in data["messages"]} == {"sms", "email"}


def test_errors_go_to_stderr_with_non_zero_exit(sqlite_url):
    missing = runner.invoke(app, ["preview", "--lead", "999"])
    assert missing.exit_code == 1 and "no lead with id 999" in missing.stderr
    bad = runner.invoke(app, ["preview", "--sale-date", "12/10/2026"])
    assert bad.exit_code == 1 and "is not a date" in bad.stderr
    status = runner.invoke(app, ["preview", "--payment-status", "late"])
    assert status.exit_code == 1 and "current, about_to_fall_behind, behind" in status.stderr


def test_zip_sets_the_time_zone_else_the_state():
    assert timezone_for("FL", "32501") == "America/Chicago"  # Pensacola, in the panhandle
    assert timezone_for("FL", None) == "America/New_York"
    assert timezone_for("CA", "bogus") == "America/Los_Angeles"


def test_lint_passes_on_the_default_schedules():
    result = runner.invoke(app, ["lint", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


def test_money_options_are_read_like_intake_and_bad_amounts_fail():
    for bad, why in (("-5", "must not be negative"), ("10.005", "more than two decimal places"),
                     ("lots", "is not an amount of money")):
        result = runner.invoke(app, ["preview", "--state", "FL", "--balance", bad])
        assert result.exit_code == 1, result.output
        assert f"--balance {bad!r}" in result.stderr and why in result.stderr
    assert preview_json("--state", "FL", "--balance", "$425,000.00", "--value", "375000")["tier"]


def test_preview_of_a_mixed_lead_names_every_state_it_may_be_in_and_keeps_to_them():
    """An Oregon phone and a Florida mailing ZIP, no property: both states are considered, each with
    what says so, and Florida's 8:00-20:00 (Fla. Stat. § 501.616(6)(a)) holds in both zones."""
    clock.freeze(NOW)
    args = ("--phone", "503-555-0100", "--mailing-zip", "33101", "--sale-date", "2026-12-20")
    data = preview_json(*args)
    assert data["lead"]["phone"] == "+15035550100" and data["lead"]["mailing_state"] == "FL"
    assert data["rules"]["states"] == [{"state": "FL", "from": "the mailing address"},
                                       {"state": "FL", "from": "mailing ZIP 33101"},
                                       {"state": "OR", "from": "area code 503"}]
    texts = [datetime.fromisoformat(m["due_at"]) for m in data["messages"] if m["channel"] == "sms"]
    assert texts
    for zone_name in ("America/New_York", "America/Los_Angeles"):
        assert all(8 <= t.astimezone(ZoneInfo(zone_name)).hour < 20 for t in texts), zone_name

    table = runner.invoke(app, ["preview", *args])
    assert table.exit_code == 0, table.output
    assert "where: FL from the mailing address and mailing ZIP 33101; OR from area code 503" in table.stdout


def test_preview_refuses_a_mailing_zip_or_phone_it_cannot_read():
    for args, words in [(("--mailing-zip", "3310"), "--mailing-zip '3310' is not a known US ZIP code"),
                        (("--mailing-state", "TX", "--mailing-zip", "33101"), "--mailing-zip 33101 is in FL, not TX"),
                        (("--phone", "555"), "--phone: ")]:
        result = runner.invoke(app, ["preview", *args])
        assert result.exit_code != 0 and words in result.stderr, (args, result.output)


ESTIMATE_REASON = ("earliest sale 2027-01-21: notice of default recorded 2026-10-01 + 3 months "
                   "(Cal. Civ. Code § 2924(a)(3)) + 20 days (§ 2924f(b)(1))")


def test_preview_shows_an_estimated_sale_date_as_an_estimate_with_its_reason():
    clock.freeze(NOW)
    args = ("--sale-date", "2027-01-21", "--sale-date-estimated", "--sale-date-reason", ESTIMATE_REASON,
            "--state", "CA")
    table = runner.invoke(app, ["preview", *args])
    assert table.exit_code == 0, table.output
    assert f"sale 2027-01-21 (estimate: {ESTIMATE_REASON})" in table.stdout
    lead = preview_json(*args)["lead"]
    assert lead["sale_date"] == "2027-01-21"
    assert lead["sale_date_estimated"] is True and lead["sale_date_reason"] == ESTIMATE_REASON
    # An estimated date comes from a recorded notice of default: no sale is scheduled.
    assert lead["foreclosure_stage"] == "notice_of_default"


def test_preview_of_a_set_sale_date_says_nothing_of_an_estimate():
    clock.freeze(NOW)
    table = runner.invoke(app, ["preview", "--sale-date", "2027-01-21", "--state", "CA"])
    assert table.exit_code == 0, table.output
    assert "sale 2027-01-21, tier now" in table.stdout and "estimate" not in table.stdout
    lead = preview_json("--sale-date", "2027-01-21", "--state", "CA")["lead"]
    assert lead["sale_date_estimated"] is False and lead["sale_date_reason"] is None
    assert lead["foreclosure_stage"] == "sale_scheduled"


def test_preview_of_an_existing_lead_with_an_estimated_date_shows_its_reason(sqlite_url):
    clock.freeze(NOW)
    with session_scope() as session:
        lead = Lead(first_name="Ana", phone="+19165550100", email="ana@example.com", state="CA",
                    timezone="America/Los_Angeles", sale_date=datetime(2027, 1, 21).date(),
                    sale_date_estimated=True, sale_date_reason=ESTIMATE_REASON,
                    foreclosure_stage="notice_of_default", enrolled_at=NOW)
        session.add(lead)
        session.flush()
        lead_id = lead.id
    table = runner.invoke(app, ["preview", "--lead", str(lead_id)])
    assert table.exit_code == 0, table.output
    assert f"lead {lead_id}: CA (America/Los_Angeles), sale 2027-01-21 (estimate: {ESTIMATE_REASON})" in table.stdout


def test_preview_refuses_estimate_options_that_do_not_fit_together():
    no_date = runner.invoke(app, ["preview", "--state", "CA", "--sale-date-estimated"])
    assert no_date.exit_code == 1 and "--sale-date-estimated needs --sale-date" in no_date.stderr
    not_estimated = runner.invoke(app, ["preview", "--state", "CA", "--sale-date", "2027-01-21",
                                        "--sale-date-reason", "a guess"])
    assert not_estimated.exit_code == 1 and "only for an estimated date" in not_estimated.stderr
    too_long = runner.invoke(app, ["preview", "--state", "CA", "--sale-date", "2027-01-21", "--sale-date-estimated",
                                   "--sale-date-reason", "x" * 301])
    assert too_long.exit_code == 1 and "longer than 300 characters" in too_long.stderr


def test_preview_help_lists_the_estimate_options():
    result = runner.invoke(app, ["preview", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--sale-date-estimated" in result.stdout and "--sale-date-reason" in result.stdout
