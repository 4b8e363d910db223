"""Issue 24: content that fits the time left, for the six Florida leads of the issue.

`schedule preview --json` on the shipped schedules and templates, at Monday 2026-12-07 10:00 in
Florida. The expected facts are written by hand from the issue, not read from the schedules:
the story (education) stops 30 days before a sale, a lead without a date is asked for it, a
current payer never reads about late fees, a passed sale gets one closing email (within 14 days
of the sale; ops are told, and the lead waits for them once it went).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from nurture.cli.schedule import app
from nurture.clock import clock
from nurture.models import Lead
from nurture.plans.planner import PastMessage, plan
from nurture.plans.sequences import load_catalog

ROOT = Path(__file__).resolve().parents[2]
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday 10:00 in Miami
runner = CliRunner()

#: The short-sale story: explanations that only make sense while there is time for a short sale.
STORY = {"negative_equity", "what_is_short_sale", "bank_says_no", "waiting_worse", "not_behind",
         "deficiency", "credit_impact", "who_this_is_for", "next_steps"}
#: What a homeowner can still do when the sale is close (the issue's list), and the welcome.
ACTION = {"welcome", "talk_to_us", "ask_postponement", "housing_counselor", "attorney", "sale_countdown"}

DATED = {  # days to the sale: the sale date, written out
    3: "2026-12-10",
    10: "2026-12-17",
    30: "2027-01-06",
    90: "2027-03-07",
}


def preview(*args: str) -> dict:
    clock.freeze(NOW)
    result = runner.invoke(app, ["preview", "--state", "FL", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def theme(message: dict) -> str:
    return message["template"].split("/", 1)[1]


def local_day(message: dict) -> date:
    return datetime.fromisoformat(message["due_at"]).astimezone(NY).date()


@pytest.mark.parametrize("days", sorted(DATED))
def test_no_story_message_in_the_last_30_days_before_a_sale(days):
    sale = date.fromisoformat(DATED[days])
    data = preview("--sale-date", DATED[days])
    messages = data["messages"]
    assert messages, "a lead with a sale date hears from us"
    late = [m for m in messages if local_day(m) >= sale - timedelta(days=30)]
    assert late, "every one of these leads has messages in its last month"
    assert [m["template"] for m in late if theme(m) in STORY] == []
    assert {theme(m) for m in late} <= ACTION
    assert all(local_day(m) < sale for m in messages)


@pytest.mark.parametrize("days", [3, 10])
def test_a_sale_within_days_gets_only_action_content_and_no_daily_countdown(days):
    data = preview("--sale-date", DATED[days])
    themes = [theme(m) for m in data["messages"]]
    assert set(themes) <= ACTION
    countdown_days = sorted({local_day(m) for m in data["messages"] if theme(m) == "sale_countdown"})
    sale = date.fromisoformat(DATED[days])
    # The countdown is for the last three days only (3, 2 and 1 days before), never on the sale day.
    assert set(countdown_days) <= {sale - timedelta(days=n) for n in (1, 2, 3)}


def test_the_90_day_lead_is_taught_first_and_offered_a_person():
    data = preview("--sale-date", DATED[90])
    themes = {theme(m) for m in data["messages"]}
    assert {"what_is_short_sale", "talk_to_us", "housing_counselor", "ask_postponement", "attorney"} <= themes


def test_a_notice_of_default_without_a_date_is_asked_for_it_and_then_not_left_in_silence():
    data = preview("--foreclosure-stage", "notice_of_default", "--payment-status", "behind",
                   "--months-behind", "3")
    messages = data["messages"]
    assert "sms/ask_sale_date" in [m["template"] for m in messages]
    asked = next(m for m in messages if m["template"] == "sms/ask_sale_date")
    assert local_day(asked) <= date(2026, 12, 9)  # within two days of joining
    # After the story, a slow tail: a check-in at least three weeks after the message before it,
    # and messages still planned two months on.
    days = [local_day(m) for m in messages]
    check_in = next(i for i, m in enumerate(messages) if theme(m) == "check_in")
    assert days[check_in] - days[check_in - 1] >= timedelta(days=14)
    assert max(days) >= date(2027, 2, 7)


def test_a_current_payer_underwater_never_reads_about_late_fees():
    data = preview("--payment-status", "current", "--balance", "300000", "--value", "250000")
    themes = [theme(m) for m in data["messages"]]
    assert "waiting_worse" not in themes
    assert "not_behind" in themes  # the myth that you must be behind is for them
    assert "ask_sale_date" not in themes  # no foreclosure: nobody asks them for a sale date


PASSED = "sale date {} has passed: confirm postponed/sold/cancelled"


def passed_sale_lead(sale: date) -> tuple[Lead, list[PastMessage]]:
    enrolled = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    lead = Lead(first_name="Ana", state="FL", timezone="America/New_York", enrolled_at=enrolled,
                payment_status="behind", months_behind=6, foreclosure_stage="sale_scheduled", sale_date=sale)
    history = [PastMessage("welcome", "story-sms", "sms", enrolled, "delivered"),
               PastMessage("welcome", "story-email", "email", enrolled, "delivered")]
    return lead, history


def test_a_passed_sale_gets_one_closing_email_and_nothing_else():
    # The sale was Thursday Dec 3; Monday Dec 7 at 10:00 the closing email waits for its window (12:00).
    lead, history = passed_sale_lead(date(2026, 12, 3))
    result = plan(lead, load_catalog(ROOT / "schedules"), NOW, channels={"sms", "email"}, history=history,
                  settings=SimpleNamespace(email_quiet_hours=True))
    assert [(m.template, m.due_at) for m in result.messages] == [
        ("email/after_sale", datetime(2026, 12, 7, 17, 0, tzinfo=UTC))]
    # Ops are told at once; the lead is paused for them once the email went.
    assert result.lead_action == ("tell", PASSED.format("2026-12-03"))


def test_a_sale_passed_more_than_14_days_ago_is_handed_to_ops_without_a_closing_email():
    lead, history = passed_sale_lead(date(2026, 11, 20))  # 17 days before Dec 7
    result = plan(lead, load_catalog(ROOT / "schedules"), NOW, channels={"sms", "email"}, history=history,
                  settings=SimpleNamespace(email_quiet_hours=True))
    assert result.messages == []
    assert result.lead_action == ("pause", PASSED.format("2026-11-20"))


def test_the_closing_email_reads_as_a_goodbye_that_points_to_free_help():
    words = (ROOT / "templates" / "email" / "after_sale.md").read_text()
    assert "last email we will send you" in words
    assert "800-569-4287" in words and "hud.gov/findacounselor" in words
