"""The console's figures, log search, per-template results, short links and lead actions, on real rows."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, message, queue_message
from nurture.intake import status as lead_status
from nurture.clock import clock
from nurture.config import get_settings
from nurture.console import log_search, overview, windows
from nurture.console.chart import bar_chart, nice_ceiling
from nurture.console.results import template_results
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.conversations.inbound import handle_inbound_sms
from nurture.delivery.lifecycle import log_event
from nurture.models import Click, DeliveryEvent, Lead, Message
from nurture.content.tokens import link_token
from nurture.web import create_app
from web_helpers import LOOPBACK

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York
NY = "America/New_York"


# --- windows of the business's day -----------------------------------------------------------

def test_today_runs_from_local_midnight_in_hours():
    w = windows.today(NOW, NY)
    assert w.start == datetime(2026, 12, 1, 5, 0, tzinfo=UTC) and w.end == datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
    assert len(w.bucket_labels) == 24 and w.bucket_labels[0] == "00" and w.bucket_labels[10] == "10"
    assert "EST" in w.label


@pytest.mark.parametrize("day, hours", [(datetime(2026, 3, 8, 17, tzinfo=UTC), 23),
                                        (datetime(2026, 11, 1, 17, tzinfo=UTC), 25)])
def test_a_day_when_the_clocks_change_has_23_or_25_hours(day, hours):
    assert len(windows.today(day, NY).bucket_labels) == hours


def test_the_last_7_days_end_with_today_in_the_business_zone():
    w = windows.last_days(NOW, NY, 7)
    assert w.bucket_labels == ("Wed 25", "Thu 26", "Fri 27", "Sat 28", "Sun 29", "Mon 30", "Tue 1")
    assert w.end == windows.today(NOW, NY).end
    # 03:00 UTC on Dec 2 is still Dec 1 in New York: today, not tomorrow.
    late = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    assert windows.today(late, NY).start == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


# --- figures ----------------------------------------------------------------------------------

def _sent(session, lead_id, *, at, state="delivered", template="sms/what_is_short_sale", channel="sms",
          variant=None, step=None, code=None):
    msg = Message(lead_id=lead_id, sequence="test", step=step or f"s{at.timestamp()}-{template}-{channel}",
                  channel=channel, template=template, variant=variant, due_at=at, state=state, sent_at=at,
                  error_code=code, created_at=at, updated_at=at, to_address="+13055550142")
    session.add(msg)
    session.flush()
    session.add(DeliveryEvent(at=at, lead_id=lead_id, message_id=msg.id, kind="state", from_state="sending",
                              to_state="sent", cause="accepted"))
    if state in ("delivered", "undelivered"):
        session.add(DeliveryEvent(at=at + timedelta(minutes=1), lead_id=lead_id, message_id=msg.id,
                                  kind="provider", from_state="sent", to_state=state, error_code=code,
                                  cause=f"Twilio says {state}" + (f" (error {code})" if code else "")))
    return msg


@pytest.fixture
def traffic(db_url):
    """On SQLite and PostgreSQL. Today: 3 texts sent (2 delivered, 1 undelivered 30006), 1 refused (21211); a reply, a STOP and a
    conversion; yesterday: 1 delivered email."""
    clock.freeze(NOW)
    lead_id = add_lead(NOW - timedelta(days=2))
    cancel_plan(lead_id, NOW - timedelta(days=2))
    with session_scope() as s:
        _sent(s, lead_id, at=NOW - timedelta(hours=3))
        _sent(s, lead_id, at=NOW - timedelta(hours=2), template="sms/waiting_worse", variant="b")
        _sent(s, lead_id, at=NOW - timedelta(hours=1), state="undelivered", code="30006", template="sms/deficiency")
        refused = Message(lead_id=lead_id, sequence="test", step="refused", channel="sms", template="sms/credit_impact",
                          due_at=NOW, state="failed", error_code="21211", created_at=NOW, updated_at=NOW)
        s.add(refused)
        s.flush()
        s.add(DeliveryEvent(at=NOW - timedelta(minutes=30), lead_id=lead_id, message_id=refused.id, kind="state",
                            from_state="sending", to_state="failed", error_code="21211", cause="provider refused"))
        _sent(s, lead_id, at=NOW - timedelta(days=1), channel="email", template="email/deficiency")
        handle_inbound_sms(s, from_="+13055550142", body="Can you call me tomorrow?", now=NOW - timedelta(minutes=20))
        lead = s.get(Lead, lead_id)
        lead_status.set_status(s, lead, "converted", reason="signed the listing", method="ops",
                               now=NOW - timedelta(minutes=10))
        handle_inbound_sms(s, from_="+13055550142", body="STOP", now=NOW - timedelta(minutes=5))
    return lead_id


def test_todays_figures_count_undelivered_as_a_failure_and_give_rates(traffic):
    with session_scope() as s:
        f = overview.figures(s, windows.today(NOW, NY))
    assert (f.sent, f.delivered, f.undelivered, f.failed, f.failures) == (3, 2, 1, 1, 2)
    assert (f.replies, f.opt_outs, f.conversions) == (1, 1, 1)
    rates = f.rates()
    assert rates["delivered"] == pytest.approx(2 / 3) and rates["failures"] == pytest.approx(2 / 4)


def test_the_week_includes_yesterday_and_the_chart_puts_each_send_in_its_day(traffic):
    with session_scope() as s:
        week = windows.last_days(NOW, NY, 7)
        assert overview.figures(s, week).sent == 4
        series = {x.name: x.counts for x in overview.chart_series(s, week)}
        today_series = {x.name: x.counts for x in overview.chart_series(s, windows.today(NOW, NY))}
    assert series["sent"][-2:] == [1, 3] and series["failures"][-1] == 2
    assert today_series["sent"][7:10] == [1, 1, 1]  # 07:00, 08:00 and 09:00 in New York


def test_nothing_counted_shows_no_rate_not_zero_percent(sqlite_url):
    with session_scope() as s:
        f = overview.figures(s, windows.today(NOW, NY))
    assert f.sent == 0 and f.rates()["delivered"] is None


def test_queue_health_names_due_stale_and_paused(sqlite_url):
    from nurture.delivery import pauses

    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    with session_scope() as s:
        s.add(Message(lead_id=lead_id, sequence="t", step="due", channel="sms", template="sms/welcome",
                      due_at=NOW - timedelta(minutes=30), state="planned"))
        s.add(Message(lead_id=lead_id, sequence="t", step="stuck", channel="sms", template="sms/welcome",
                      due_at=NOW - timedelta(hours=1), state="sending", lease_until=NOW - timedelta(minutes=10)))
        pauses.pause(s, "email", "401 from SendGrid", get_settings(), NOW)
    with session_scope() as s:
        q = overview.queue_health(s, now=NOW, settings=get_settings())
    assert (q.due, q.stale_sending, q.depth) == (1, 1, 1)
    assert q.oldest_due == NOW - timedelta(minutes=30)
    assert [p.channel for p in q.paused] == ["email"]


def test_the_chart_scales_to_a_round_maximum_and_labels_every_bar():
    class S:
        def __init__(self, name, counts):
            self.name, self.css, self.counts = name, name, counts

    chart = bar_chart(["a", "b"], [S("sent", [3, 7]), S("failures", [0, 1])])
    assert nice_ceiling(7) == 10 and nice_ceiling(0) == 1 and nice_ceiling(101) == 200
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.title == "b: 7 sent" and tallest.y == pytest.approx(chart.baseline - tallest.height)
    assert [label for _, label in chart.x_labels] == ["a", "b"]
    assert chart.legend == [("sent", "sent", 10), ("failures", "failures", 1)]


# --- the log ----------------------------------------------------------------------------------

def test_a_replan_after_a_reply_is_one_folded_row_that_opens_to_its_entries(db_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)  # plans its sequences: many planned rows
    with session_scope() as s:
        planned = s.exec(select(Message).where(Message.lead_id == lead_id, Message.state == "planned")).all()
        assert len(planned) > 5
        handle_inbound_sms(s, from_="+13055550142", body="Can you call me?", now=NOW + timedelta(minutes=5))
    with session_scope() as s:
        page = log_search.search(s, log_search.LogQuery())
    folds = [r for r in page.rows if r.is_fold]
    assert folds, "plan churn should be folded"
    reply_fold = folds[0]
    assert reply_fold.summary.startswith(f"{len(planned)} planned messages cancelled (")
    assert reply_fold.summary.endswith("more): the lead replied: a person takes over")
    assert all(e["to_state"] in ("cancelled", None) for e in reply_fold.folded)
    assert any(r.first["kind"] == "inbound" for r in page.rows)


def test_the_log_finds_a_failure_by_its_code_a_template_or_a_lead(traffic):
    with session_scope() as s:
        by_code = log_search.search(s, log_search.LogQuery(q="30006"))
        assert [r.first["error_code"] for r in by_code.rows] == ["30006"]
        by_template = log_search.search(s, log_search.LogQuery(q="sms/waiting_worse"))
        assert {r.first["template"] for r in by_template.rows} == {"sms/waiting_worse"}
        failures = log_search.search(s, log_search.LogQuery(state=log_search.FAILURES))
        assert sorted(r.first["to_state"] for r in failures.rows) == ["failed", "undelivered"]
        email_only = log_search.search(s, log_search.LogQuery(channel="email"))
        assert {r.first["channel"] for r in email_only.rows} == {"email"}
        by_phone = log_search.search(s, log_search.LogQuery(q="(305) 555-0142"))
        assert len(by_phone.rows) >= 8
        nothing = log_search.search(s, log_search.LogQuery(q="100%_"))
        assert nothing.rows == []


def test_the_log_pages_back_without_losing_or_repeating_a_row(db_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    with session_scope() as s:
        for n in range(23):
            log_event(s, at=NOW + timedelta(seconds=n), kind="note", lead_id=lead_id, cause=f"note {n}")
    seen, before = [], None
    with session_scope() as s:
        while True:
            page = log_search.search(s, log_search.LogQuery(q="note", before=before, limit=10))
            seen += [r.first["cause"] for r in page.rows]
            if page.next_before is None:
                break
            before = page.next_before
    assert seen == [f"note {n}" for n in range(22, -1, -1)]


# --- results per template and variant -----------------------------------------------------------

def test_results_per_template_count_unique_clicks_and_credit_replies_to_the_last_text(traffic):
    with session_scope() as s:
        ww = s.exec(select(Message).where(Message.template == "sms/waiting_worse", Message.sent_at.is_not(None))).one()
        for _ in range(3):  # one message clicked three times is one click
            s.add(Click(at=NOW, message_id=ww.id, lead_id=ww.lead_id, channel="sms", template=ww.template,
                        variant="b", link="start"))
    with session_scope() as s:
        results = {r.total.template: r for r in template_results(s, start=NOW - timedelta(days=7), end=NOW,
                                                                  now=NOW)}
    ww_result = results["sms/waiting_worse"].total
    assert (ww_result.sent, ww_result.clicked) == (1, 1)
    assert [v.variant for v in results["sms/waiting_worse"].variants] == ["b"]
    # The reply, the STOP and the conversion came after the 30006 text: the last one the lead got.
    deficiency = results["sms/deficiency"].total
    assert (deficiency.replied, deficiency.opted_out, deficiency.converted, deficiency.delivered) == (1, 1, 1, 0)
    assert results["sms/what_is_short_sale"].total.replied == 0


def test_variants_get_their_own_rows_and_no_winner_on_little_data(db_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    with session_scope() as s:
        for n in range(10):
            variant = "a" if n % 2 else "b"
            msg = _sent(s, lead_id, at=NOW - timedelta(hours=n + 1), template="sms/waiting_worse", variant=variant)
            if variant == "b":
                s.add(Click(at=NOW, message_id=msg.id, lead_id=lead_id, channel="sms", template=msg.template,
                            variant="b", link="start"))
    with session_scope() as s:
        (ww,) = template_results(s, start=NOW - timedelta(days=1), end=NOW, now=NOW)
    assert [(v.variant, v.sent, v.clicked) for v in ww.variants] == [("a", 5, 0), ("b", 5, 5)]
    assert ww.verdict.leader == "b" and ww.verdict.winner is None


# --- the short link ---------------------------------------------------------------------------

@pytest.fixture
def client(db_url):
    clock.freeze(NOW)
    with TestClient(create_app(), follow_redirects=False, **LOOPBACK) as c:
        yield c


def test_a_tracked_link_counts_the_click_and_sends_the_lead_to_the_site_with_utm(client):
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    msg_id = queue_message(lead_id, NOW, template="sms/next_steps")
    assert Dispatcher().send(msg_id).state == "delivered"
    body = message(msg_id).body
    link = next(w for w in body.split() if "/r/" in w)
    r = client.get(urlsplit(link).path)
    assert r.status_code == 302
    target = urlsplit(r.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == get_settings().site_url and target.path == "/start-short-sale"
    query = parse_qs(target.query)
    assert query["utm_source"] == ["nurture"] and query["utm_medium"] == ["sms"]
    assert query["utm_campaign"] == ["next_steps"] and query["lt"][0].startswith(f"{lead_id}.")
    with session_scope() as s:
        (click,) = s.exec(select(Click)).all()
    assert (click.message_id, click.lead_id, click.template, click.link) == (msg_id, lead_id, "sms/next_steps", "start")


@pytest.mark.parametrize("token", ["nope", "1s.AAAAAAAAAAAAAAAAAAAAAA", "1s." + "A" * 16, "9" * 30 + "s.x",
                                   "1s.%E2%80%AEAAAAAAAAAAAAAA", "x" * 500])
def test_a_bad_short_link_gets_a_harmless_page(client, token):
    r = client.get(f"/r/{token}")
    assert r.status_code == 404 and "This link is not valid" in r.text
    assert get_settings().site_url in r.text


def test_a_previews_link_goes_to_the_site_and_counts_nothing(client):
    r = client.get(f"/r/{link_token(0, 'h', 'test-secret')}")
    assert r.status_code == 302 and urlsplit(r.headers["location"]).path == "/how-we-help"
    with session_scope() as s:
        assert s.exec(select(Click)).all() == []


# --- the lead page's actions and the leads list -------------------------------------------------

def test_the_lead_page_shows_the_mailing_address_when_it_is_known(client):
    known = add_lead(NOW, mailing_address={"street": "9 Oak Rd", "city": "Portland", "zip": "97201"})
    page = client.get(f"/ops/leads/{known}").text
    assert '<th>mailing address</th><td colspan="3" data-label="mailing address">9 Oak Rd, Portland, OR, 97201</td>' in page
    unknown = add_lead(NOW, phone="(305) 555-0143", email="ana@example.com")
    assert "mailing address" not in client.get(f"/ops/leads/{unknown}").text


def test_the_action_bar_pauses_and_resumes_a_lead_and_logs_who_did_it(client):
    lead_id = add_lead(NOW)
    r = client.post(f"/ops/leads/{lead_id}/status", data={"status": "paused"})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/ops/leads/{lead_id}?done=")
    with session_scope() as s:
        assert s.get(Lead, lead_id).status == "paused"
        assert s.exec(select(Message).where(Message.lead_id == lead_id, Message.state == "planned")).all() == []
        ev = s.exec(select(DeliveryEvent).where(DeliveryEvent.kind == "lead", DeliveryEvent.to_state == "paused")).one()
        assert ev.from_state == "active" and "via ops" in ev.cause
    page = client.get(f"/ops/leads/{lead_id}").text
    assert 'value="active"' in page and 'value="paused"' not in page  # resume offered, pause not
    assert f'href="/ops/inbox?lead={lead_id}"' in page
    client.post(f"/ops/leads/{lead_id}/status", data={"status": "active"})
    with session_scope() as s:
        assert s.exec(select(Message).where(Message.lead_id == lead_id, Message.state == "planned")).all()


def test_an_action_from_another_site_or_an_unknown_action_is_refused(client):
    lead_id = add_lead(NOW)
    r = client.post(f"/ops/leads/{lead_id}/status", data={"status": "paused"},
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.post(f"/ops/leads/{lead_id}/status", data={"status": "closed"}).status_code == 400
    assert client.post("/ops/leads/999/status", data={"status": "paused"}).status_code == 404
    with session_scope() as s:
        assert s.get(Lead, lead_id).status == "active"


def test_a_form_from_our_own_page_in_a_browser_is_accepted_and_one_from_another_site_is_not(client):
    # What Chrome sends for a form on our page under `Referrer-Policy: no-referrer`: Origin null, and
    # Sec-Fetch-Site saying where the page came from.
    lead_id = add_lead(NOW)
    ours = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    r = client.post(f"/ops/leads/{lead_id}/status", data={"status": "paused"}, headers=ours)
    assert r.status_code == 303
    r = client.post(f"/ops/leads/{lead_id}/language", data={"language": "es"}, headers=ours)
    assert r.status_code == 303
    for site in ("cross-site", "same-site"):
        r = client.post(f"/ops/leads/{lead_id}/status", data={"status": "active"},
                        headers={"Origin": "null", "Sec-Fetch-Site": site})
        assert r.status_code == 403
    with session_scope() as s:
        lead = s.get(Lead, lead_id)
        assert (lead.status, lead.language) == ("paused", "es")


def test_the_leads_list_filters_by_status_tier_state_and_sale_date(client):
    soon = add_lead(NOW, foreclosure={"stage": "sale_scheduled", "sale_date": "2026-12-05"})
    later = add_lead(NOW, first_name="Bo", phone="(214) 555-0188", email="bo@example.com",
                     property={"city": "Dallas", "state": "TX", "zip": "75201"})
    with session_scope() as s:
        lead_status.set_status(s, s.get(Lead, later), "needs_human", reason="replied", method="ops", now=NOW)

    def names(query):
        r = client.get(f"/ops/leads?{query}")
        assert r.status_code == 200, r.text
        section = r.text.split('id="leads-list"')[1]
        return {n for n in ("Maria", "Bo") if f"{n} " in section}

    assert names("") == {"Maria", "Bo"}
    assert names("tier=critical") == {"Maria"}
    assert names("state=tx") == {"Bo"}
    assert names("sale_within=7") == {"Maria"}
    assert names("needs_person=1") == {"Bo"}
    assert names("q=bo%40example") == {"Bo"}
    assert client.get("/ops/leads?tier=lukewarm").status_code == 400
    del soon


def test_the_log_page_finds_a_text_by_its_error_code(client, traffic):
    r = client.get("/ops/log?q=30006&state=failures")
    assert r.status_code == 200
    log = r.text.split('id="log"')[1]
    assert "30006" in log and "sms/deficiency" in log and "sms/credit_impact" not in log
    assert f'href="/ops/leads/{traffic}"' in log


def test_the_overview_shows_today_with_a_chart_and_links_failures_by_code_to_the_log(client, traffic):
    page = client.get("/ops").text
    today = page.split('id="today"')[1].split('id="week"')[0]
    assert "<svg" in today and "sent 3" in today
    codes = page.split('id="failures-by-code"')[1]
    assert 'href="/ops/log?q=30006&amp;state=failures&amp;range=7d"' in codes
    assert "style=" not in page and "<style" not in page and "<script>" not in page  # CSP: nothing inline


def test_the_templates_page_shows_clicks_per_variant(client, traffic):
    with session_scope() as s:
        ww = s.exec(select(Message).where(Message.template == "sms/waiting_worse", Message.sent_at.is_not(None))).one()
        s.add(Click(at=NOW, message_id=ww.id, lead_id=ww.lead_id, channel="sms", template=ww.template, variant="b",
                    link="start"))
    page = client.get("/ops/templates?window=7d").text
    row = page.split('id="t-sms-waiting_worse"')[1].split("</tr>")[0]
    assert "100.0 %" in row
    assert "variant <strong>b</strong>" in page
    assert client.get("/ops/templates?window=forever").status_code == 400


def test_the_preview_renders_a_sample_with_its_ruled_tier_or_a_real_lead(client):
    r = client.get("/ops/templates/preview?template=sms/waiting_worse.b&sample=urgent")
    assert r.status_code == 200 and "tier urgent by the urgency rules" in r.text and "segment" in r.text
    lead_id = add_lead(NOW)
    r = client.get(f"/ops/templates/preview?template=email/welcome&lead={lead_id}")
    assert r.status_code == 200 and "Subject:" in r.text and f"lead #{lead_id} Maria Lopez" in r.text
    assert client.get("/ops/templates/preview?template=sms/nothing").status_code == 400


def test_static_files_are_served_same_origin(client):
    assert "svg.chart" in client.get("/static/ops.css").text
    assert "setInterval" in client.get("/static/ops.js").text
