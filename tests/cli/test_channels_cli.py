"""`nurture channels list|resume` as ops run them: which channel is paused and why; one command
resumes it and the delivery log keeps who did, when and why."""

import getpass
import json
from datetime import UTC, datetime, timedelta

import pytest
from delivery_helpers import add_lead, cancel_plan, message, queue_message
from sqlmodel import select
from typer.testing import CliRunner

from nurture.cli import app
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery import pauses
from nurture.delivery.lifecycle import S
from nurture.delivery.scheduler import tick
from nurture.models import DeliveryEvent

runner = CliRunner()
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
REASON = "spam reports 0.5% of 1000 emails sent in the last 24h (5), past the pause threshold 0.3%"


@pytest.fixture
def email_paused(sqlite_url, providers):
    clock.freeze(NOW)
    with session_scope() as s:
        assert pauses.hold(s, "email", REASON, NOW - timedelta(hours=1))


def test_list_says_which_channel_is_paused_why_and_how_it_lifts(email_paused):
    r = runner.invoke(app, ["channels", "list", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"channels": [
        {"channel": "sms", "state": "ok", "via": "twilio"},
        {"channel": "email", "state": "paused", "via": "sendgrid", "kind": "deliverability", "reason": REASON,
         "since": "2026-12-01T14:00:00+00:00", "until": "a person resumes it (nurture channels resume email)"},
    ], "warnings": []}
    words = runner.invoke(app, ["channels", "list"]).output
    assert "sms: ok (via twilio)" in words
    assert f"email: PAUSED (deliverability) since Tue 2026-12-01 09:00 EST: {REASON}; until a person resumes it" in words


def test_resume_lets_the_held_email_go_and_the_log_says_who_and_why(email_paused):
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    held = queue_message(lead_id, NOW, channel="email", template="email/negative_equity", state=S.planned)
    claimed: list = []
    tick(claimed.extend, now=NOW)
    assert claimed == [] and message(held).state == "planned"

    r = runner.invoke(app, ["channels", "resume", "email", "--note", "list cleaned, bought-list B dropped", "--json"])
    assert r.exit_code == 0, r.output
    answer = json.loads(r.output)
    me = f"cli:{getpass.getuser()}"
    assert (answer["resumed"], answer["by"], answer["still_paused"]) == (True, me, None)
    assert answer["lifted"] == [{"kind": "deliverability", "reason": REASON, "since": "2026-12-01T14:00:00+00:00"}]
    with session_scope() as s:
        assert pauses.paused(s, get_settings()) == {}
        (row,) = s.exec(select(DeliveryEvent).where(DeliveryEvent.kind == "channel",
                                                   DeliveryEvent.to_state == "resumed")).all()
    assert row.at.replace(tzinfo=UTC) == NOW
    assert row.cause == f"email channel resumed by {me} (list cleaned, bought-list B dropped); deliverability: {REASON}"
    tick(claimed.extend, now=NOW)
    assert [mid for mid, _ in claimed] == [held]

    again = runner.invoke(app, ["channels", "resume", "email"])
    assert again.exit_code == 0 and "email was not paused: nothing to resume" in again.output


def test_resume_lifts_a_refused_credential_pause_too(sqlite_url, providers):
    with session_scope() as s:
        pauses.pause(s, "sms", "Twilio refused the credentials (20003)", get_settings(), NOW)
    r = runner.invoke(app, ["channels", "resume", "sms"])
    assert r.exit_code == 0, r.output
    assert "sms resumed by cli:" in r.output and "lifted the credential pause (Twilio refused the credentials" in r.output
    with session_scope() as s:
        assert pauses.paused(s, get_settings()) == {}


def test_resume_refuses_a_channel_that_does_not_exist(sqlite_url):
    r = runner.invoke(app, ["channels", "resume", "fax"])
    assert r.exit_code == 1
    assert "'fax' is not a channel: sms or email" in r.output
