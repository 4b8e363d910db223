"""/ops lists the leads whose set sale date has passed, for ops to confirm postponed / sold /
cancelled (issue 24): active ones (the closing email on its way) and paused ones (it went, or could
not), in their own zone, latest sale first, each linking to its lead page. The clock: Tuesday
2026-12-01 15:00 UTC (10:00 in Miami, 05:00 in Honolulu, Wednesday 01:00 in Guam)."""

import re
from datetime import date
from html import unescape

import pytest

from nurture.db import session_scope
from nurture.models import Lead
from web_helpers import local_client


@pytest.fixture
def client(sqlite_url, frozen_now):
    with local_client() as c:
        yield c


def add(session, name: str, sale: date, *, tz="America/New_York", **kw) -> int:
    lead = Lead(first_name=name, last_name="Test", timezone=tz, sale_date=sale, **kw)
    session.add(lead)
    session.flush()
    assert lead.id is not None
    return lead.id


def test_the_overview_lists_passed_sales_to_confirm(client):
    with session_scope() as s:
        ids = {
            "Ana": add(s, "Ana", date(2026, 11, 28)),
            "Bea": add(s, "Bea", date(2026, 11, 20), status="paused",
                       status_reason="sale date 2026-11-20 has passed: confirm postponed/sold/cancelled"),
            "Kai": add(s, "Kai", date(2026, 11, 30), tz="Pacific/Honolulu"),  # Dec 1 there: passed
            "Gus": add(s, "Gus", date(2026, 12, 1), tz="Pacific/Guam"),  # Dec 2 there: passed
        }
        add(s, "Today", date(2026, 12, 1))  # the sale day itself in Miami: not passed yet
        add(s, "Estimate", date(2026, 11, 25), sale_date_estimated=True)  # an estimate is no date
        add(s, "Won", date(2026, 11, 25), status="converted")
        add(s, "Later", date(2026, 12, 10))
    r = client.get("/ops")
    assert r.status_code == 200
    section = r.text.split('id="passed-sales"')[1].split("</section>")[0]
    assert "Sale date passed — confirm postponed / sold / cancelled (4)" in unescape(section)
    links = re.findall(r'<a href="/ops/leads/(\d+)">#\d+ (\w+) Test</a>', section)
    assert links == [(str(ids[n]), n) for n in ("Gus", "Kai", "Ana", "Bea")]
    text = unescape(re.sub(r"<[^>]+>", " ", section))
    assert "sale 2026-11-20" in text and "paused: sale date 2026-11-20 has passed" in text


def test_nothing_to_confirm_says_so(client):
    section = client.get("/ops").text.split('id="passed-sales"')[1].split("</section>")[0]
    assert "No active or paused lead has a set sale date that has passed." in section
