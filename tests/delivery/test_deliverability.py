"""Deliverability: rates of what was sent, and the pause that stops a channel before mailbox providers
or carriers block the sender. Driven through the real SDKs into the simulator, with the providers'
reports posted to the webhooks signed as Twilio and SendGrid sign them."""

from datetime import UTC, datetime, timedelta

import pytest
from delivery_helpers import add_lead, cancel_plan, message, queue_message
from fastapi.testclient import TestClient
from sqlmodel import select
from web_helpers import sendgrid_post, twilio_post

from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery import deliverability, pauses
from nurture.delivery.deliverability import Counts, Thresholds, judge
from nurture.delivery.dispatch import Dispatcher
from nurture.delivery.lifecycle import S
from nurture.delivery.scheduler import tick
from nurture.models import DeliveryEvent
from nurture.web import create_app

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Miami


@pytest.fixture
def client(sqlite_url, providers):
    clock.freeze(NOW)
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def on_either_database(db_url, providers):
    """SQLite and PostgreSQL (the pause's upsert and the rates' queries differ by dialect)."""
    clock.freeze(NOW)
    with TestClient(create_app()) as c:
        yield c


def _leads(n: int, *, start: int = 0) -> list[int]:
    """`n` Miami leads with nothing planned (each test decides what is due)."""
    ids = []
    for i in range(start, start + n):
        lead_id = add_lead(NOW, first_name=f"Lead{i}", email=f"owner{i}@example.com", phone=f"(305) 555-{1000 + i:04d}")
        cancel_plan(lead_id, NOW)
        ids.append(lead_id)
    return ids


def _send_emails(lead_ids: list[int]) -> list[int]:
    dispatcher = Dispatcher()
    sent = []
    for lead_id in lead_ids:
        mid = queue_message(lead_id, NOW, channel="email", template="email/negative_equity")
        assert dispatcher.send(mid).state == "sent"
        sent.append(mid)
    return sent


def _events(kind: str, mids: list[int], offset: int = 0) -> list[dict]:
    return [{"event": kind, "email": f"owner{offset + i}@example.com", "message_id": str(mid),
             "sg_event_id": f"{kind}-{mid}", "timestamp": 1} for i, mid in enumerate(mids)]


def _planned_and_due(lead_id: int, channel: str, step: str = "next") -> int:
    template = "email/credit_impact" if channel == "email" else None
    return queue_message(lead_id, NOW, channel=channel, template=template, step=step, state=S.planned)


def test_spam_reports_at_half_a_percent_pause_email_and_the_next_email_stays_planned(client, providers, monkeypatch):
    lead_ids = _leads(201)
    mids = _send_emails(lead_ids[:200])
    assert len(providers.received) == 200
    delivered = sendgrid_post(client, _events("delivered", mids))
    assert delivered.status_code == 200
    # One complaint in 200 delivered (0.5%): under the default NURTURE_DELIVERABILITY_MIN_SENT (500) a
    # rate over so few says little, so nothing pauses; /ops and doctor would warn.
    assert sendgrid_post(client, _events("spamreport", mids[:1])).status_code == 200
    with session_scope() as s:
        assert pauses.paused(s, get_settings()) == {}
        found = deliverability.findings(s, get_settings(), at=NOW)
    assert found == []  # nor a warning: too few sent
    # The operator judges from 200: the same figures now pause email, at the next report.
    monkeypatch.setenv("NURTURE_DELIVERABILITY_MIN_SENT", "200")
    get_settings.cache_clear()
    # The next report SendGrid posts (another message dropped) has the rates judged again.
    assert sendgrid_post(client, _events("dropped", mids[1:2], offset=1)).status_code == 200
    with session_scope() as s:
        pause = pauses.paused(s, get_settings())["email"]
    assert pause.kind == "deliverability"
    assert pause.reason.startswith("spam reports 0.5% of 200 emails sent in the last 24h (1), "
                                   "past the pause threshold 0.3%")
    health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["channels"]["email"]["state"] == "paused"
    assert health["channels"]["email"]["reason"] == pause.reason
    assert "nurture channels resume email" in health["channels"]["email"]["until"]
    assert health["channels"]["sms"]["state"] == "ok"

    # The next email comes due: the scheduler leaves it planned and nothing more reaches SendGrid.
    waiting = _planned_and_due(lead_ids[200], "email")
    claimed: list = []
    tick(claimed.extend, now=NOW)
    assert [mid for mid, channel in claimed if channel == "email"] == []  # texts replanned for the complainers go
    assert message(waiting).state == "planned"
    # A worker that held it already (queued before the pause) holds it too, with the reason.
    held = queue_message(lead_ids[200], NOW, channel="email", template="email/deficiency", step="held")
    outcome = Dispatcher().send(held)
    assert outcome.state == "planned" and "spam reports" in outcome.reason
    assert len(providers.received) == 200
    # Texts go on: only email is paused.
    sms = queue_message(lead_ids[200], NOW, step="text")
    assert Dispatcher().send(sms).state == "sent"


def test_a_30034_answer_pauses_sms_after_one_message_and_resume_lets_the_next_text_go(on_either_database, providers):
    client = on_either_database
    first, second = _leads(2)
    mid = queue_message(first, NOW)
    assert Dispatcher().send(mid).state == "sent"
    sid = message(mid).provider_id
    # What Twilio does for an unregistered 10DLC sender: it takes the message, then calls back
    # "undelivered" with ErrorCode 30034.
    r = twilio_post(client, f"/webhooks/twilio/status?message_id={mid}",
                    {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30034"})
    assert r.status_code == 200
    with session_scope() as s:
        pause = pauses.paused(s, get_settings())["sms"]
    assert pause.kind == "deliverability"
    assert "not registered" in pause.reason and "30034" in pause.reason
    assert client.get("/healthz").json()["channels"]["sms"]["reason"] == pause.reason

    waiting = _planned_and_due(second, "sms")
    claimed: list = []
    tick(claimed.extend, now=NOW)
    assert claimed == [] and message(waiting).state == "planned"
    assert len(providers.received) == 1  # one text reached Twilio, no second

    # The registration is approved; a person resumes texting: the old 30034 pauses nothing again.
    with session_scope() as s:
        lifted = pauses.release(s, "sms", by="cli:ops", at=NOW + timedelta(minutes=5), note="campaign approved")
    assert [p.kind for p in lifted] == ["deliverability"]
    clock.freeze(NOW + timedelta(minutes=5))
    tick(claimed.extend, now=clock.now())
    assert [c[0] for c in claimed] == [waiting]
    assert Dispatcher().send(waiting).state == "sent"
    assert len(providers.received) == 2
    r = twilio_post(client, f"/webhooks/twilio/status?message_id={waiting}",
                    {"MessageSid": message(waiting).provider_id, "MessageStatus": "delivered"})
    with session_scope() as s:
        assert pauses.paused(s, get_settings()) == {}
        log = s.exec(select(DeliveryEvent.cause).where(DeliveryEvent.kind == "channel")
                     .order_by(DeliveryEvent.id)).all()
    assert log[0].startswith("sms channel paused: Twilio refused 1 text(s) in the last 24h")
    assert log[1].startswith("sms channel resumed by cli:ops (campaign approved); deliverability: Twilio refused")


def test_a_pause_survives_new_credentials_unlike_a_refused_credential(client, monkeypatch):
    with session_scope() as s:
        assert pauses.hold(s, "email", "spam reports 0.5%", NOW)
        assert not pauses.hold(s, "email", "a second reason", NOW)  # the first reason stays
    monkeypatch.setenv("NURTURE_SENDGRID_API_KEY", "SG.another-key")
    get_settings.cache_clear()
    with session_scope() as s:
        assert pauses.paused(s, get_settings())["email"].reason == "spam reports 0.5%"
        assert not pauses.resume(s, "email")  # what lifts a credential pause leaves this one


def test_hard_bounces_past_five_percent_pause_email_but_blocked_ones_do_not_count(client, providers, monkeypatch):
    monkeypatch.setenv("NURTURE_DELIVERABILITY_MIN_SENT", "20")
    get_settings.cache_clear()
    mids = _send_emails(_leads(20))
    blocked = [{"event": "bounce", "type": "blocked", "message_id": str(m), "sg_event_id": f"b-{m}",
                "reason": "550 5.7.1 reputation"} for m in mids[:3]]
    assert sendgrid_post(client, blocked).status_code == 200  # 3 of 20 blocked: no hard bounce
    with session_scope() as s:
        assert pauses.paused(s, get_settings()) == {}
        figures = deliverability.totals(deliverability.counts(s, since=NOW - timedelta(days=1), until=NOW))
    assert (figures["email"].sent, figures["email"].blocked, figures["email"].bounced) == (20, 3, 0)
    hard = _events("bounce", mids[3:4], offset=3)
    assert sendgrid_post(client, hard).status_code == 200  # 1 of 20 = 5%: not past 5%
    with session_scope() as s:
        assert pauses.paused(s, get_settings()) == {}
    assert sendgrid_post(client, _events("bounce", mids[4:5], offset=4)).status_code == 200  # 10%
    with session_scope() as s:
        reason = pauses.paused(s, get_settings())["email"].reason
    assert reason.startswith("hard bounces 10% of 20 emails sent in the last 24h (2), past the pause threshold 5%")


TH = Thresholds(email_spam_pause=0.003, email_spam_warn=0.001, email_bounce_pause=0.05,
                sms_filtered_pause=0.02, min_sent=1000)


def test_the_spam_rate_warns_from_0_1_percent_and_pauses_at_0_3():
    assert judge(Counts("email", sent=1000, spam=0), "24h", TH) == []
    (warn,) = judge(Counts("email", sent=1000, spam=1), "24h", TH)
    assert (warn.level, warn.outcome) == ("warn", "spam")
    assert warn.reason == ("spam reports 0.1% of 1000 emails sent in the last 24h (1), past the warning threshold 0.1%")
    assert [f.level for f in judge(Counts("email", sent=1000, spam=2), "7d", TH)] == ["warn"]
    assert [f.level for f in judge(Counts("email", sent=1000, spam=3), "7d", TH)] == ["pause"]
    assert judge(Counts("email", sent=999, spam=50), "7d", TH) == []  # too few sent to judge


def test_sms_pauses_on_one_unregistered_answer_whatever_the_volume_and_on_carrier_filtering():
    (one,) = judge(Counts("sms", sent=1, unregistered=1), "24h", TH)
    assert one.level == "pause" and one.outcome == "unregistered"
    assert judge(Counts("sms", sent=1000, filtered=20), "24h", TH) == []  # 2%: not past it
    (filtered,) = judge(Counts("sms", sent=1000, filtered=21), "24h", TH)
    assert filtered.reason == ("carrier-filtered (30007) 2.1% of 1000 texts sent in the last 24h (21), "
                               "past the pause threshold 2%")


def test_the_thresholds_are_settings(monkeypatch):
    monkeypatch.setenv("NURTURE_EMAIL_SPAM_PAUSE_RATE", "0.01")
    monkeypatch.setenv("NURTURE_EMAIL_SPAM_WARN_RATE", "0.005")
    monkeypatch.setenv("NURTURE_EMAIL_BOUNCE_PAUSE_RATE", "0.1")
    monkeypatch.setenv("NURTURE_SMS_FILTERED_PAUSE_RATE", "0.05")
    monkeypatch.setenv("NURTURE_DELIVERABILITY_MIN_SENT", "100")
    get_settings.cache_clear()
    th = Thresholds.of(get_settings())
    assert th == Thresholds(0.01, 0.005, 0.1, 0.05, 100)
    assert [f.level for f in judge(Counts("email", sent=100, spam=1), "24h", th)] == ["pause"]
    assert judge(Counts("email", sent=1000, spam=3), "24h", th) == []  # 0.3%: fine under these settings
    assert judge(Counts("sms", sent=100, filtered=5), "24h", th) == []


def test_an_unsubscribe_takes_effect_before_the_next_email(client, providers):
    (lead_id,) = _leads(1)
    _send_emails([lead_id])
    raw = providers.received[0].json  # what the SendGrid SDK posted
    headers = raw["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://nurture.example.com/unsubscribe/")
    # The mailbox provider's one-click POST (RFC 8058), then the next email comes due.
    assert client.post(url.removeprefix("https://nurture.example.com"),
                       content="List-Unsubscribe=One-Click").status_code == 200
    nxt = queue_message(lead_id, NOW + timedelta(hours=2), channel="email", template="email/credit_impact",
                        step="later")
    clock.freeze(NOW + timedelta(hours=2))
    outcome = Dispatcher().send(nxt)
    assert outcome.state == "skipped", outcome
    assert len(providers.received) == 1
