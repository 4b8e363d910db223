"""A template's results split by the language its messages went out in (issue 25): the console's
templates page and `nurture stats --by template`."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from delivery_helpers import add_lead, cancel_plan
from nurture.cli import app
from nurture.clock import clock
from nurture.console.results import template_results
from nurture.db import session_scope
from nurture.models import Click, Message
from nurture.web import create_app
from web_helpers import LOOPBACK

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
runner = CliRunner()


def sent(session, lead_id, n, *, template, language, clicked=False, channel="sms"):
    at = NOW - timedelta(hours=2, minutes=n)
    msg = Message(lead_id=lead_id, sequence="test", step=f"s{n}", channel=channel, template=template, due_at=at,
                  state="delivered", sent_at=at, created_at=at, updated_at=at, language=language,
                  to_address="+13055550142")
    session.add(msg)
    session.flush()
    if clicked:
        session.add(Click(message_id=msg.id, lead_id=lead_id, channel=channel, template=template, link="how",
                          at=at + timedelta(minutes=5)))


@pytest.fixture
def traffic(db_url):
    """sms/what_is_short_sale: 3 in Spanish (1 clicked), 1 in English, 1 typed before languages were
    recorded (no language); sms/deficiency: 2 in English only."""
    clock.freeze(NOW)
    lead_id = add_lead(NOW - timedelta(days=2))
    cancel_plan(lead_id, NOW - timedelta(days=2))
    with session_scope() as s:
        for n, lang in enumerate(["es", "es", "es", "en", None]):
            sent(s, lead_id, n, template="sms/what_is_short_sale", language=lang, clicked=n == 0)
        for n in (10, 11):
            sent(s, lead_id, n, template="sms/deficiency", language="en")
    return lead_id


def test_results_count_each_language_apart_and_the_total_counts_them_all(traffic):
    with session_scope() as s:
        results = {r.total.template: r for r in template_results(s, start=NOW - timedelta(days=1), end=NOW, now=NOW)}
    short = results["sms/what_is_short_sale"]
    assert short.total.sent == 5 and short.total.clicked == 1
    assert [(r.language, r.sent, r.clicked) for r in short.languages] == [("en", 1, 0), ("es", 3, 1)]
    assert short.split_by_language
    deficiency = results["sms/deficiency"]
    assert [(r.language, r.sent) for r in deficiency.languages] == [("en", 2)]
    assert not deficiency.split_by_language  # English alone says nothing the total does not


def test_stats_by_template_prints_and_exports_the_split(traffic):
    text = runner.invoke(app, ["stats", "--by", "template"]).stdout.splitlines()
    at = text.index(next(line for line in text if line.startswith("sms/what_is_short_sale (sms)")))
    assert text[at + 1].startswith("  in en  sent 1,") and text[at + 2].startswith("  in es  sent 3,")
    assert not any(line.startswith("  in ") for line in text[text.index(
        next(line for line in text if line.startswith("sms/deficiency (sms)"))) + 1:][:1])
    data = json.loads(runner.invoke(app, ["stats", "--by", "template", "--json"]).stdout)
    short = next(t for t in data["templates"] if t["template"] == "sms/what_is_short_sale")
    assert [(r["language"], r["sent"], r["clicked"]) for r in short["languages"]] == [("en", 1, 0), ("es", 3, 1)]


def test_the_templates_page_shows_the_split_under_the_template(traffic):
    with TestClient(create_app(), follow_redirects=False, **LOOPBACK) as client:
        page = client.get("/ops/templates", params={"window": "today"}).text
    assert 'in <strong>Español</strong> (es)</td>' in page and 'in <strong>English</strong> (en)</td>' in page
    assert page.count('class="variant language"') == 2  # what_is_short_sale's two; deficiency's English alone is not split
