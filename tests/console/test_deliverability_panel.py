"""The deliverability panel as ops read it (SQLite and PostgreSQL): /ops, `nurture stats --deliverability` and /metrics, over
messages sent through the real SDKs into the simulator and reported back through signed webhooks.

The figures, worked by hand: 4 emails sent (3 of one template, 1 of another): 3 delivered, one
of those reported as spam, 1 blocked (a bounce of type "blocked"), so spam 1/4 = 25% and blocked
25%; 2 texts sent: 1 delivered, 1 filtered by the carrier (30007), 50%. With the thresholds of
this test (warn at 20%, pause at 50% spam; judged from 4 sent), email warns and nothing pauses:
the texts are too few to judge.
"""

import json
import re
from datetime import UTC, datetime

import pytest
from delivery_helpers import add_lead, cancel_plan, message, queue_message
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_helpers import LOOPBACK, sendgrid_post, twilio_post

from nurture.cli import app
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery import pauses
from nurture.delivery.dispatch import Dispatcher
from nurture.web import create_app

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def reported(db_url, providers, monkeypatch):
    for name, value in {"NURTURE_EMAIL_SPAM_WARN_RATE": "0.2", "NURTURE_EMAIL_SPAM_PAUSE_RATE": "0.5",
                        "NURTURE_DELIVERABILITY_MIN_SENT": "4"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    clock.freeze(NOW)
    leads = []
    for i in range(4):
        lead_id = add_lead(NOW, first_name=f"Lead{i}", email=f"owner{i}@example.com", phone=f"(305) 555-{1000 + i:04d}")
        cancel_plan(lead_id, NOW)
        leads.append(lead_id)
    d = Dispatcher()
    emails = [queue_message(lead_id, NOW, channel="email", step="e",
                            template="email/deficiency" if i == 3 else "email/negative_equity")
              for i, lead_id in enumerate(leads)]
    texts = [queue_message(lead_id, NOW, step="s") for lead_id in leads[:2]]
    for mid in emails + texts:
        assert d.send(mid).state == "sent"
    with TestClient(create_app(), **LOOPBACK) as client:
        events = [{"event": "delivered", "message_id": str(m), "sg_event_id": f"d{m}"} for m in emails[:3]]
        events.append({"event": "spamreport", "message_id": str(emails[1]), "email": "owner1@example.com",
                       "sg_event_id": f"s{emails[1]}"})
        events.append({"event": "bounce", "type": "blocked", "message_id": str(emails[3]), "sg_event_id": "b",
                       "reason": "550 5.7.1 refused for reputation"})
        assert sendgrid_post(client, events).status_code == 200
        for mid, form in ((texts[0], {"MessageStatus": "delivered"}),
                          (texts[1], {"MessageStatus": "undelivered", "ErrorCode": "30007"})):
            form["MessageSid"] = message(mid).provider_id
            assert twilio_post(client, f"/webhooks/twilio/status?message_id={mid}", form).status_code == 200
        yield client


def test_nothing_pauses_but_the_spam_rate_warns(reported):
    with session_scope() as s:
        assert pauses.paused(s, get_settings()) == {}


def test_stats_deliverability_json_has_the_hand_worked_figures(reported):
    r = runner.invoke(app, ["stats", "--deliverability", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["thresholds"] == {"email_spam_pause_rate": 0.5, "email_spam_warn_rate": 0.2,
                                  "email_bounce_pause_rate": 0.05, "sms_filtered_pause_rate": 0.02, "min_sent": 4}
    assert data["paused"] == {}
    panels = {(w["channel"], w["window"]): w for w in data["windows"]}
    assert set(panels) == {("email", "24h"), ("email", "7d"), ("sms", "24h"), ("sms", "7d")}
    email = panels[("email", "24h")]
    assert (email["sent"], email["judged"]) == (4, True)
    figures = {o["outcome"]: (o["count"], o["rate"], o["level"]) for o in email["outcomes"]}
    assert figures == {"delivered": (3, 0.75, "ok"), "bounced": (0, 0.0, "ok"), "blocked": (1, 0.25, "ok"),
                       "spam": (1, 0.25, "warn"), "unsubscribed": (0, 0.0, "ok")}
    by_template = {t["template"]: (t["sent"], t["delivered"], t["spam"], t["blocked"]) for t in email["templates"]}
    assert by_template == {"email/negative_equity": (3, 3, 1, 0), "email/deficiency": (1, 0, 0, 1)}
    sms = panels[("sms", "7d")]
    assert (sms["sent"], sms["judged"]) == (2, False)
    assert {o["outcome"]: (o["count"], o["rate"]) for o in sms["outcomes"]} == {
        "delivered": (1, 0.5), "filtered": (1, 0.5), "unregistered": (0, 0.0)}
    assert [(f["channel"], f["window"], f["level"]) for f in data["findings"]] == [
        ("email", "24h", "warn"), ("email", "7d", "warn")]


def test_stats_deliverability_in_words_names_rates_thresholds_and_the_warning(reported):
    r = runner.invoke(app, ["stats", "--deliverability"])
    assert r.exit_code == 0, r.output
    assert "warning: email: spam reports 25% of 4 emails sent in the last 24h (1), past the warning threshold 20%" in r.output
    assert "  spam reports 1 (25%)  [warn at 20%, pause at 50%]  WARNING" in r.output
    assert "  hard bounces 0 (0%)  [pause past 5%]" in r.output
    assert "sms, last 24h: 2 sent (too few to judge)" in r.output
    assert "    email/deficiency: sent 1, delivered 0 (0%), hard bounces 0 (0%), blocked or dropped 1 (100%)" in r.output
    assert runner.invoke(app, ["stats", "--deliverability", "--by", "template"]).exit_code == 1


def test_the_ops_overview_has_a_deliverability_card_with_the_thresholds(reported):
    page = reported.get("/ops").text
    card = page[page.index('id="deliverability"'):]
    card = card[:card.index("</section>")]
    assert "email warning</strong>: spam reports 25% of 4 emails sent in the last 24h (1)" in card
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))
    assert "email, last 24h: 4 sent" in text
    assert "spam reports 1 25% 25% warn at 20%, pause at 50%" in text  # the meter's fallback text repeats the rate
    assert "carrier-filtered (30007) 1 50% 50% pause past 2%" in text
    assert 'low="0.2" high="0.5"' in card  # the thresholds drawn on the meter


def test_metrics_export_the_rates_per_channel_and_window(reported):
    text = reported.get("/metrics").text
    lines = set(text.splitlines())
    assert 'nurture_deliverability_sent{channel="email",window="24h"} 4' in lines
    assert 'nurture_deliverability_outcomes{channel="email",window="7d",outcome="spam"} 1' in lines
    assert 'nurture_deliverability_rate{channel="email",window="24h",outcome="spam"} 0.25' in lines
    assert 'nurture_deliverability_rate{channel="sms",window="24h",outcome="filtered"} 0.5' in lines
    assert 'nurture_deliverability_threshold{channel="email",outcome="spam",level="pause"} 0.5' in lines
    assert 'nurture_channel_paused{channel="email",kind=""} 0' in lines

