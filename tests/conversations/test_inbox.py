"""The inbox, in the CLI and the dashboard: who wrote back, the conversation both ways in the lead's
time, and the actions. A reply passes the same gate as any message: consent, suppression and the
legal hours (refused at 21:30 in Florida, with the rule), but not caps or the lead's status."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from delivery_helpers import add_lead, cancel_plan, lead, message, messages_of, queue_message
from nurture.cli import app
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.conversations.inbound import InboundEmail, handle_inbound_email, handle_inbound_sms
from nurture.models import InboundMessage, Message
from nurture.delivery.scheduler import tick
from nurture.web import create_app

TUESDAY_10 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in Miami
TUESDAY_2130 = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)  # 21:30 in Miami
WEDNESDAY_8 = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # 08:00 in Miami
PHONE = "+13055550142"
runner = CliRunner()

#: What nurture adds under a typed text for a provider (NURTURE_MARS_STATUS's default).
SHORT_NOTICE = "Not affiliated with gov't or your lender: https://nurture.example.com/notice"


def deliver(at):
    dispatcher = Dispatcher()
    outcomes = []
    tick(lambda claims: outcomes.extend(dispatcher.send(i, channel) for i, channel in claims), now=at)
    return outcomes


@pytest.fixture
def replied(db_url, providers):
    """A Miami lead who got the welcome text and answered with a question at 10:00."""
    clock.freeze(TUESDAY_10)
    lead_id = add_lead(TUESDAY_10)
    cancel_plan(lead_id, TUESDAY_10)
    assert Dispatcher().send(queue_message(lead_id, TUESDAY_10, step="welcome")).state == "sent"
    with session_scope() as s:
        handle_inbound_sms(s, from_=PHONE, body="Can you call me tomorrow?", now=TUESDAY_10 + timedelta(minutes=5),
                           provider_id="SMq1")
    clock.freeze(TUESDAY_10 + timedelta(minutes=10))
    return lead_id


def inbox(*args):
    r = runner.invoke(app, ["inbox", *args])
    return r


def test_the_inbox_lists_who_replied_and_shows_the_thread_both_ways_in_the_leads_time(replied):
    r = inbox("--json")
    assert r.exit_code == 0, r.output
    (entry,) = json.loads(r.stdout)
    assert (entry["lead_id"], entry["status"], entry["open"], entry["last_channel"]) == (replied, "needs_human", 1, "sms")
    assert entry["last_text"] == "Can you call me tomorrow?" and entry["last_local"] == "Tue 2026-12-01 10:05 EST"
    thread = json.loads(inbox("show", str(replied), "--json").stdout)["thread"]
    assert [(i["direction"], i["channel"], i["who"]) for i in thread] == [("out", "sms", "nurture (test)"),
                                                                        ("in", "sms", "lead")]
    assert thread[0]["local"] == "Tue 2026-12-01 10:00 EST" and thread[0]["state"] == "sent"
    text = inbox("show", str(replied)).stdout
    assert "<- sms lead (open): Can you call me tomorrow?" in text


def test_an_email_reply_shows_in_the_same_thread(replied):
    with session_scope() as s:
        handle_inbound_email(s, InboundEmail(sender="maria@example.com", recipients=("replies@x.example",),
                                             subject="Re: Your home", text="Also: my sale date moved.",
                                             message_id="<m1@x>"), now=TUESDAY_10 + timedelta(minutes=7),
                             secret="test-secret")
    thread = json.loads(inbox("show", str(replied), "--json").stdout)["thread"]
    assert [i["channel"] for i in thread if i["direction"] == "in"] == ["sms", "email"]
    assert thread[-1]["subject"] == "Re: Your home"


def test_a_reply_at_2130_in_florida_is_refused_with_the_rule_and_nothing_is_planned(replied, providers):
    clock.freeze(TUESDAY_2130)
    r = inbox("reply", str(replied), "--text", "Sure, I will call you at 10.")
    assert r.exit_code == 1
    assert "quiet hours: FL 8:00-20:00 (Fla. Stat." in r.stderr
    assert "first moment allowed is Wed 2026-12-02 08:00 EST" in r.stderr
    assert [m for m in messages_of(replied) if m.sequence == "ops"] == []


def test_a_reply_asked_to_go_when_allowed_leaves_at_8_the_next_morning_as_typed(replied, providers):
    clock.freeze(TUESDAY_2130)
    r = inbox("reply", str(replied), "--text", "Sure, I will call you at 10.", "--when-allowed", "--json")
    assert r.exit_code == 0, r.output
    planned = json.loads(r.stdout)
    assert planned["local"] == "Wed 2026-12-02 08:00 EST" and "FL 8:00-20:00" in planned["rule"]
    deliver(TUESDAY_2130)
    assert len(providers.received) == 1
    clock.freeze(WEDNESDAY_8)
    deliver(WEDNESDAY_8)
    # As typed, with Regulation O's short notice under it, as under every text.
    assert [r.body for r in providers.received][1:] == [f"Sure, I will call you at 10.\n{SHORT_NOTICE}"]
    sent = message(planned["message_id"])
    assert (sent.sequence, sent.state) == ("ops", "sent")
    thread = json.loads(inbox("show", str(replied), "--json").stdout)["thread"]
    assert thread[-1]["who"].startswith("ops (cli:")
    assert thread[-1]["text"] == f"Sure, I will call you at 10.\n{SHORT_NOTICE}"  # what went out


def test_a_reply_goes_to_a_paused_lead_past_the_cap_but_never_without_consent(replied, providers):
    clock.advance(timedelta(hours=1))
    second = queue_message(replied, clock.now(), step="second", state="sent")  # two texts today: the cap
    with session_scope() as s:
        s.get(Message, second).sent_at = clock.now()
    clock.advance(timedelta(minutes=10))  # and the hour between two texts has not passed
    assert inbox("reply", str(replied), "--text", "Calling you at 3 today.").exit_code == 0
    deliver(clock.now())
    assert providers.received[-1].body == f"Calling you at 3 today.\n{SHORT_NOTICE}"
    assert lead(replied).status == "needs_human"  # a reply is not a resume
    with session_scope() as s:
        handle_inbound_sms(s, from_=PHONE, body="stop", now=clock.now(), provider_id="SMstop")
    r = inbox("reply", str(replied), "--text", "Sorry to hear that")
    assert r.exit_code == 1 and "no SMS consent" in r.stderr


def test_an_email_reply_carries_the_footer_and_re_subject(replied, providers):
    with session_scope() as s:
        handle_inbound_email(s, InboundEmail(sender="maria@example.com", recipients=(), subject="Re: The deficiency",
                                             text="What is a deficiency?", message_id="<m2@x>"),
                             now=clock.now(), secret="test-secret")
    assert inbox("reply", str(replied), "--email", "--text", "It is what may be left owing.").exit_code == 0
    deliver(clock.now())
    sent = providers.received[-1]
    assert sent.subject == "Re: The deficiency"
    assert sent.body.startswith("It is what may be left owing.") and "100 Main Street" in sent.body
    assert "/unsubscribe/" in sent.body and "/unsubscribe/" in sent.html


def test_resume_handled_hold_and_converted(replied):
    assert inbox("resume", str(replied)).exit_code == 0
    assert lead(replied).status == "active"
    assert [m for m in messages_of(replied, "planned") if m.sequence != "ops"]
    assert json.loads(inbox("--json").stdout) == []
    assert json.loads(inbox("--all", "--json").stdout)[0]["open"] == 0
    r = inbox("resume", str(replied))
    assert r.exit_code == 1 and "only a lead that needs a person" in r.stderr
    assert inbox("hold", str(replied), "--reason", "").exit_code == 1
    assert inbox("hold", str(replied), "--reason", "attorney letter").exit_code == 0
    assert (lead(replied).status, messages_of(replied, "planned")) == ("legal_hold", [])
    assert inbox("converted", str(replied), "--note", "signed").exit_code == 0
    assert lead(replied).status == "converted"
    r = inbox("handled", str(replied))
    assert r.exit_code == 1 and "nothing open" in r.stderr


def test_mark_handled_keeps_the_status(replied):
    assert inbox("handled", str(replied), "--note", "called her").exit_code == 0
    assert lead(replied).status == "needs_human"
    with session_scope() as s:
        (row,) = s.exec(select(InboundMessage)).all()
    assert row.handled_by.startswith("cli:")


def test_parse_url_prints_the_url_with_its_key(sqlite_url, monkeypatch):
    monkeypatch.setenv("NURTURE_PUBLIC_URL", "https://nurture.example.com")
    get_settings.cache_clear()
    out = inbox("parse-url").stdout.strip()
    assert re.fullmatch(r"https://nurture\.example\.com/webhooks/sendgrid/inbound\?key=[\w-]{22}", out)


# -- the dashboard -----------------------------------------------------------------------------------


@pytest.fixture
def web(replied, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        c.auth = ("alice", "k3y")
        yield c


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_the_inbox_page_lists_the_lead_and_its_thread(web, replied):
    page = web.get("/ops/inbox")
    assert page.status_code == 200
    assert f'href="/ops/inbox/{replied}"' in page.text and "Can you call me tomorrow?" in page.text
    thread = web.get(f"/ops/inbox/{replied}")
    assert "Tue 2026-12-01 10:05 EST" in thread.text and "Can you call me tomorrow?" in thread.text
    assert 'href="/ops/inbox"' in web.get("/ops").text  # the nav link


def test_a_form_without_the_pages_token_is_refused(web, replied):
    r = web.post(f"/ops/leads/{replied}/reply", data={"text": "hi", "channel": "sms"})
    assert r.status_code == 403
    assert [m for m in messages_of(replied) if m.sequence == "ops"] == []


def test_a_reply_from_the_page_at_2130_shows_the_rule_and_keeps_the_text(web, replied):
    token = token_of(web.get(f"/ops/inbox/{replied}").text)
    clock.freeze(TUESDAY_2130)
    r = web.post(f"/ops/leads/{replied}/reply", data={"text": "Call you at 10", "channel": "sms", "token": token})
    assert r.status_code == 409
    assert "FL 8:00-20:00" in r.text and "Call you at 10</textarea>" in r.text
    r = web.post(f"/ops/leads/{replied}/reply", follow_redirects=False,
                 data={"text": "Call you at 10", "channel": "sms", "token": token, "when_allowed": "true"})
    assert r.status_code == 303 and "Wed+2026-12-02+08%3A00+EST" in r.headers["location"]
    (ops,) = [m for m in messages_of(replied) if m.sequence == "ops"]
    assert ops.due_at == WEDNESDAY_8
    with session_scope() as s:
        assert s.get(Message, ops.id).reason == "typed by web:alice"


def test_the_actions_from_the_page(web, replied):
    token = token_of(web.get(f"/ops/inbox/{replied}").text)
    r = web.post(f"/ops/leads/{replied}/resume", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert lead(replied).status == "active"
    r = web.post(f"/ops/leads/{replied}/hold", data={"token": token, "reason": ""})
    assert r.status_code == 409 and "needs its reason" in r.text
    # a script with the key as a bearer token needs no page token
    web.auth = None
    r = web.post(f"/ops/leads/{replied}/converted", headers={"Authorization": "Bearer k3y"}, follow_redirects=False)
    assert r.status_code == 303 and lead(replied).status == "converted"
    assert web.post("/ops/leads/999/handled", data={"token": token}, headers={"Authorization": "Bearer k3y"}).status_code == 404
