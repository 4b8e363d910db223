"""`nurture doctor` warns when a rate passes its warning line before anything pauses (issue 26):
spam reports at 0.1 % of the emails sent in the last 24 hours."""

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select
from typer.testing import CliRunner

from delivery_helpers import add_lead, cancel_plan
from nurture.cli import app
from nurture.clock import clock
from nurture.db import session_scope
from nurture.models import DeliveryEvent, Message

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
runner = CliRunner()


def paused_channels_line() -> tuple[str, str]:
    body = json.loads(runner.invoke(app, ["doctor", "--json"]).stdout)
    (line,) = [c for c in body["checks"] if c["name"] == "paused channels"]
    return line["status"], line["detail"]


def emails(lead_id: int, n: int, *, spam: int) -> None:
    with session_scope() as s:
        for i in range(n):
            at = NOW - timedelta(hours=2, seconds=i)
            m = Message(lead_id=lead_id, sequence="test", step=f"e{i}", channel="email", template="email/welcome",
                        due_at=at, state="delivered", sent_at=at, created_at=at, updated_at=at,
                        to_address="maria@example.com")
            s.add(m)
            s.flush()
            if i < spam:
                s.add(DeliveryEvent(at=at + timedelta(minutes=30), lead_id=lead_id, message_id=m.id, kind="provider",
                                    provider_status="spamreport", cause="SendGrid spamreport"))


def test_one_spam_report_in_a_thousand_emails_is_a_warning_and_none_is_ok(sqlite_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW - timedelta(days=1))
    cancel_plan(lead_id, NOW - timedelta(days=1))
    emails(lead_id, 1000, spam=0)
    assert paused_channels_line() == ("ok", "no channel is paused")
    with session_scope() as s:
        m = s.exec(select(Message).where(Message.channel == "email", Message.step == "e0")).one()
        s.add(DeliveryEvent(at=NOW - timedelta(minutes=5), lead_id=lead_id, message_id=m.id, kind="provider",
                            provider_status="spamreport", cause="SendGrid spamreport"))
    status, detail = paused_channels_line()
    assert status == "warn" and detail.startswith("no channel is paused; spam reports 0.1% of 1000 emails")
