"""/ops, /ops/log and /ops/leads/{id}: what needs a human, what failed and why, filters, escaping, the API key."""

import itertools
import re
from datetime import timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient

from nurture.config import get_settings
from nurture.db import session_scope
from nurture.models import Consent, DeliveryEvent, Lead, Message
from nurture.web import create_app
from web_helpers import local_client

XSS = "<script>alert(1)</script>"


@pytest.fixture
def client(sqlite_url, frozen_now):
    with local_client() as c:
        yield c


def add_lead(session, **kw) -> Lead:
    lead = Lead(**{"first_name": "Ann", "last_name": "Lee", **kw})
    session.add(lead)
    session.flush()
    return lead


_steps = itertools.count(1)


def add_message(session, lead, *, state, due_at, channel="sms", template="sms/intro", step=None, **kw) -> Message:
    # Each message its own step unless told: a step goes out once per lead (a database constraint).
    msg = Message(lead_id=lead.id, sequence="standard", step=step or f"step-{next(_steps)}", channel=channel,
                  template=template, due_at=due_at, state=state, **kw)
    session.add(msg)
    session.flush()
    return msg


def add_event(session, msg, *, at, from_state, to_state, cause, error_code=None) -> None:
    session.add(DeliveryEvent(at=at, lead_id=msg.lead_id, message_id=msg.id, kind="state", from_state=from_state,
                              to_state=to_state, cause=cause, error_code=error_code))


def text_of(response) -> str:
    return unescape(response.text)


def table_rows(html: str, after: str) -> list[list[str]]:
    """The first table after the marker `after`, as rows of cell texts (a line break shown as " | ")."""
    table = html.split(after, 1)[1].split("</table>", 1)[0]
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell.replace("<br>", " | "))).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_dashboard_lists_a_lead_that_needs_a_human_with_its_reason_and_a_link(client, frozen_now):
    with session_scope() as s:
        waiting = add_lead(s, first_name="Maria", last_name="Lopez", phone="+13055550142", status="needs_human",
                           status_reason="replied by SMS: 'can you call me tomorrow?'")
        add_lead(s, first_name="Quiet", status="active")
    r = client.get("/ops")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<script src="/static/ops.js" defer></script>' in r.text and "data-refresh" in r.text
    section = text_of(r).split('id="needs-human"')[1].split('id="queue"')[0]
    assert "Maria Lopez" in section
    assert "replied by SMS: 'can you call me tomorrow?'" in section
    assert f'href="/ops/leads/{waiting.id}"' in section
    assert "Quiet" not in section


def test_dashboard_lists_a_failed_message_with_its_code_and_reason(client, frozen_now):
    with session_scope() as s:
        lead = add_lead(s, phone="+13055550100")
        failed = add_message(s, lead, state="failed", due_at=frozen_now - timedelta(hours=1), to_address=lead.phone,
                             error_code="21211", error_reason="invalid phone number", attempts=1)
        add_message(s, lead, state="sent", due_at=frozen_now - timedelta(hours=2), template="sms/fine")
    section = text_of(client.get("/ops")).split('id="failures"')[1].split('id="counts"')[0]
    assert f"#{failed.id} sms sms/intro" in section
    assert "21211" in section
    assert "invalid phone number" in section
    assert "sms/fine" not in section


def test_dashboard_lists_a_send_of_unknown_outcome_as_needing_review(client, frozen_now):
    with session_scope() as s:
        lead = add_lead(s, email="ann@example.com")
        msg = add_message(s, lead, state="review", channel="email", template="email/deficiency",
                          due_at=frozen_now, reason="needs review: outcome of the send unknown")
    section = text_of(client.get("/ops")).split('id="needs-review"')[1].split('id="failures"')[0]
    assert f"#{msg.id} email email/deficiency" in section
    assert "needs review: outcome of the send unknown" in section


def test_dashboard_counts_messages_by_state_and_channel(client, frozen_now):
    with session_scope() as s:
        lead = add_lead(s)
        for state, channel in [("sent", "sms"), ("sent", "sms"), ("sent", "email"), ("failed", "email")]:
            add_message(s, lead, state=state, channel=channel, due_at=frozen_now)
    rows = table_rows(client.get("/ops").text, 'id="counts"')
    assert rows[0] == ["state", "sms", "email", "total"]
    by_state = {row[0]: row[1:] for row in rows[1:]}
    assert by_state["sent"] == ["2", "1", "3"]
    assert by_state["failed"] == ["0", "1", "1"]
    assert by_state["planned"] == ["0", "0", "0"]
    assert table_rows(client.get("/ops").text, 'id="leads"') == [["active", "1"]]


def test_log_shows_newest_entries_with_cause_and_code(client, frozen_now):
    with session_scope() as s:
        lead = add_lead(s, first_name="Bo")
        msg = add_message(s, lead, state="failed", due_at=frozen_now)
        add_event(s, msg, at=frozen_now - timedelta(minutes=2), from_state="planned", to_state="queued",
                  cause="due")
        add_event(s, msg, at=frozen_now - timedelta(minutes=1), from_state="sending", to_state="failed",
                  cause="carrier refused the number", error_code="30006")
    log = text_of(client.get("/ops/log")).split('id="log"')[1]
    assert log.index("carrier refused the number") < log.index("due")
    assert "30006" in log
    assert 'title="2026-12-01 14:59:00 UTC">Tue 2026-12-01 09:59 EST' in log  # the business's zone, labelled


def test_log_filters_by_lead_state_and_since(client, frozen_now):
    with session_scope() as s:
        ann, bo = add_lead(s, first_name="Ann", phone="+13055550101"), add_lead(s, first_name="Bo")
        a_msg = add_message(s, ann, state="sent", due_at=frozen_now)
        b_msg = add_message(s, bo, state="sent", due_at=frozen_now)
        add_event(s, a_msg, at=frozen_now - timedelta(days=2), from_state="sending", to_state="sent",
                  cause="ann-old-send")
        add_event(s, a_msg, at=frozen_now - timedelta(minutes=30), from_state="sent", to_state="delivered",
                  cause="ann-delivered")
        add_event(s, b_msg, at=frozen_now - timedelta(minutes=10), from_state="sending", to_state="sent",
                  cause="bo-recent-send")

    def causes(query: str) -> set[str]:
        r = client.get(f"/ops/log?{query}")
        assert r.status_code == 200, r.text
        log = r.text.split('id="log"')[1]
        return {c for c in ("ann-old-send", "ann-delivered", "bo-recent-send") if c in log}

    assert causes("") == {"ann-old-send", "ann-delivered", "bo-recent-send"}
    assert causes(f"lead={ann.id}") == {"ann-old-send", "ann-delivered"}
    assert causes("lead=(305) 555-0101") == {"ann-old-send", "ann-delivered"}
    assert causes("state=sent") == {"ann-old-send", "bo-recent-send"}
    assert causes("since=2h") == {"ann-delivered", "bo-recent-send"}
    assert causes(f"lead={ann.id}&state=sent&since=2h") == set()


def test_a_bad_since_shows_an_error_on_the_page_instead_of_failing(client):
    r = client.get("/ops/log?since=yesterday")
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    page = text_of(r)
    assert "'yesterday' is not a duration" in page
    assert 'value="yesterday"' in page  # kept in the form, to be corrected
    assert 'id="log"' in page  # the rest of the page is still there


def test_an_unknown_state_or_lead_is_reported_on_the_page(client):
    page = text_of(client.get("/ops/log?state=lost&lead=999"))
    assert "'lost' is not a message state" in page
    assert "no lead matches '999'" in page


def test_lead_page_shows_facts_consent_text_and_messages_in_utc_and_local_time(client, frozen_now):
    with session_scope() as s:
        lead = add_lead(s, first_name="Maria", last_name="Lopez", phone="+13125550142", timezone="America/Chicago",
                        mortgage_balance_cents=42_500_000, estimated_value_cents=37_500_000)
        s.add(Consent(lead_id=lead.id, channel="sms", action="grant", method="web_form", ip="203.0.113.7",
                      text="I agree to receive texts from Example Short Sales", recorded_at=frozen_now))
        planned = add_message(s, lead, state="planned", template="sms/what-is-a-short-sale",
                              due_at=frozen_now + timedelta(days=1))
        skipped = add_message(s, lead, state="skipped", template="sms/intro", due_at=frozen_now, step="intro",
                              reason="quiet hours in America/Chicago")
        add_event(s, skipped, at=frozen_now, from_state="queued", to_state="skipped", cause="quiet hours")
    r = client.get(f"/ops/leads/{lead.id}")
    assert r.status_code == 200
    page = text_of(r)
    assert f"Lead #{lead.id} Maria Lopez" in page
    assert "$50,000" in page and "$50,000.00" not in page  # equity gap, money as people write it
    (header, consent) = table_rows(r.text, 'id="consents"')
    assert consent[1:] == ["sms", "grant", "web_form", "I agree to receive texts from Example Short Sales", "",
                           "203.0.113.7"]
    header, first, second = table_rows(r.text, 'id="messages"')
    assert header[:7] == ["#", "due", "state", "channel", "template", "sequence / step", "reason or error"]
    # by due time; each time in UTC and in the lead's zone (Chicago)
    assert first[:7] == [str(skipped.id), "2026-12-01 15:00:00 UTC | Tue 2026-12-01 09:00 CST", "skipped", "sms",
                         "sms/intro", "standard / intro", "quiet hours in America/Chicago"]
    assert second[:5] == [str(planned.id), "2026-12-02 15:00:00 UTC | Wed 2026-12-02 09:00 CST", "planned", "sms",
                          "sms/what-is-a-short-sale"]
    (_, entry) = table_rows(r.text, 'id="log"')
    assert entry[:4] == ["2026-12-01 15:00:00 UTC", "Tue 2026-12-01 09:00 CST", f"#{lead.id} Maria Lopez",
                         f"#{skipped.id} sms sms/intro"]
    assert entry[-1] == "quiet hours"


def test_an_unknown_lead_gets_a_404_page(client):
    r = client.get("/ops/leads/4242")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "No lead #4242." in r.text


def test_lead_data_is_shown_as_text_not_markup(client, frozen_now):
    with session_scope() as s:
        lead = add_lead(s, first_name=XSS, last_name="<b>x</b>", status="needs_human", status_reason=XSS)
        msg = add_message(s, lead, state="failed", due_at=frozen_now, error_reason=XSS, body=XSS)
        add_event(s, msg, at=frozen_now, from_state="sending", to_state="failed", cause=XSS)
        s.add(Consent(lead_id=lead.id, channel="sms", action="grant", method="api", text=XSS))
    for path in ("/ops", f"/ops/leads/{lead.id}", f"/ops/log?lead={lead.id}", f"/ops/leads?q={lead.id}",
                 "/ops/log?q=" + XSS):
        html = client.get(path).text
        assert XSS not in html and "<b>x</b>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    assert client.get("/ops/log?since=" + XSS).text.count("<script>") == 0


def test_ops_needs_the_bearer_key_when_one_is_set(sqlite_url, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        assert c.get("/ops").status_code == 401
        assert c.get("/ops", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/ops/leads/1").status_code == 401
        assert c.get("/ops", headers={"Authorization": "Bearer k3y"}).status_code == 200


def test_ops_without_a_key_only_answers_this_machine(sqlite_url):
    with TestClient(create_app(), client=("203.0.113.9", 40000)) as c:
        assert c.get("/ops").status_code == 403


def test_a_browser_opens_ops_with_basic_auth_when_a_key_is_set(sqlite_url, monkeypatch):
    import base64

    from fastapi.testclient import TestClient

    from nurture.config import get_settings
    from nurture.web import create_app

    monkeypatch.setenv("NURTURE_API_KEY", "s3cret")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        denied = c.get("/ops")
        assert denied.status_code == 401
        assert denied.headers["WWW-Authenticate"] == 'Basic realm="nurture ops"'
        good = base64.b64encode(b"ops:s3cret").decode()
        assert c.get("/ops", headers={"Authorization": f"Basic {good}"}).status_code == 200
        bad = base64.b64encode(b"ops:nope").decode()
        assert c.get("/ops", headers={"Authorization": f"Basic {bad}"}).status_code == 401
