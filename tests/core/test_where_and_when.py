"""The issue's reproductions as a user meets them: a lead known by ZIP only, holidays and Sundays
in the plan, Connecticut's 9:00, territories, and the rule named with where it came from."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from nurture.cli import app
from nurture.intake.schema import normalize_phone, parse_lead
from nurture.models import Lead
from nurture.plans.planner import plan
from nurture.law import Rulebook
from nurture.plans.sequences import default_catalog

runner = CliRunner()


def preview(*args: str) -> dict:
    r = runner.invoke(app, ["schedule", "preview", "--json", *args])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def texts(data: dict) -> list[str]:
    return [m["local"] for m in data["messages"] if m["channel"] == "sms"]


def test_a_miami_zip_without_a_state_plans_by_florida_law():
    common = ["--sale-date", "2026-12-06", "--now", "2026-12-02T00:30:00+00:00"]
    by_zip = preview("--zip", "33101", *common)
    by_state = preview("--state", "FL", "--zip", "33101", *common)
    assert by_zip["messages"] == by_state["messages"]
    for m in by_zip["messages"]:  # Florida: 8 p.m. is the end (the bug planned a text at 20:30)
        local = datetime.fromisoformat(m["due_at"]).astimezone(ZoneInfo("America/New_York"))
        assert 8 <= local.hour < 20, m
    assert by_zip["rules"]["where"] == "FL from the property address and ZIP 33101"
    assert any(law["citation"].startswith("Fla. Stat. § 501.616") for law in by_zip["rules"]["laws"])


def test_leads_add_with_a_zip_only_stores_the_state(sqlite_url):
    r = runner.invoke(app, ["leads", "add", "--first-name", "Ana", "--email", "ana@example.com", "--zip", "33101",
                            "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["property"]["state"] == "FL"
    shown = json.loads(runner.invoke(app, ["leads", "show", "ana@example.com", "--json"]).stdout)
    assert shown["rules"]["where"] == "FL from the property address and ZIP 33101"
    text = runner.invoke(app, ["leads", "show", "ana@example.com"]).stdout
    assert "FL from the property address and ZIP 33101" in text and "Fla. Stat." in text


@pytest.mark.parametrize("state,zip_code,tz", [
    ("AL", "35203", "America/Chicago"), ("LA", "70112", "America/Chicago"), ("MS", "39201", "America/Chicago"),
    ("RI", "02903", "America/New_York"), ("UT", "84101", "America/Denver"),
])
def test_no_text_is_planned_on_christmas_new_year_or_sunday_in_these_states(state, zip_code, tz):
    catalog = default_catalog()
    book = Rulebook()
    for now in (datetime(2026, 12, 24, 23, tzinfo=UTC), datetime(2026, 12, 31, 23, tzinfo=UTC)):
        lead = Lead(first_name="P", state=state, zip=zip_code, timezone=tz, phone=None, enrolled_at=now,
                    payment_status="behind", months_behind=3)
        result = plan(lead, catalog, now, channels={"sms", "email"}, rulebook=book)
        days = {m.due_at.astimezone(ZoneInfo(tz)).date() for m in result.messages}
        assert date(2026, 12, 25) not in days and date(2027, 1, 1) not in days, state
        if state in ("RI", "UT", "AL", "LA", "MS"):
            assert not any(d.weekday() == 6 for d in days), (state, sorted(days))


def test_connecticut_texts_wait_for_nine():
    data = preview("--state", "CT", "--zip", "06103", "--now", "2026-12-01T12:00:00+00:00")  # 7:00 in Hartford
    first = data["messages"][0]
    assert first["local"].startswith("Tue 2026-12-01 09:00"), first
    assert "CT 9:00-20:00" in first["reason"]


@pytest.mark.parametrize("raw,e164", [("(787) 555-0100", "+17875550100"), ("671-555-0100", "+16715550100"),
                                      ("340 555 0100", "+13405550100"), ("670-555-0100", "+16705550100")])
def test_territory_numbers_are_us_numbers(raw, e164):
    assert normalize_phone(raw) == e164


def test_guam_without_a_zip_lives_in_guam_time(sqlite_url):
    from delivery_helpers import lead_body

    from nurture.db import session_scope
    from nurture.intake.leads import upsert_lead

    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    body = lead_body(phone="671-555-0100", email="g@example.com", property={"state": "GU"})
    with session_scope() as s:
        lead = upsert_lead(s, body, method="test", now=now).lead
        assert lead.timezone == "Pacific/Guam"
    # a ZIP of Puerto Rico is accepted and gives its zone
    parsed = parse_lead({"first_name": "P", "phone": "787-555-0100", "property": {"zip": "00601"}})
    assert parsed.property.state == "PR"


def test_zip_look_ups_give_the_zip_librarys_own_state_and_zone_for_every_kind_of_zip():
    import random

    import zipcodes

    from nurture import geo
    from nurture.geo import _zip_records, zip_info

    every = [r["zip_code"] for r in zipcodes.list_all()]
    sample = random.Random(12).sample(every, 40) + [
        "33101", "00501", "00601", "00802", "96910", "96799", "99950", "20500", "10001"]
    for zip5 in sample:
        # The oracle: the library's own (slow, scanning) look-up; both of zip_info's ways agree with it.
        record = zipcodes.matching(zip5)[0]
        expected = {"state": record["state"], "timezone": record.get("timezone")}
        assert zip_info(zip5) == expected, zip5
        assert _zip_records()[zip5] == expected, zip5
    for unknown in ("00000", "99999", "3310", "331011", "3310a", "١٢٣٤٥"):
        assert zip_info(unknown) is None, unknown
        assert _zip_records().get(unknown) is None, unknown
    # Past ZIP_TABLE_AFTER distinct ZIPs, the answers come from the table, the same.
    for zip5 in random.Random(13).sample(every, geo.ZIP_TABLE_AFTER + 20) + sample:
        record = zipcodes.matching(zip5)[0]
        assert zip_info(zip5) == {"state": record["state"], "timezone": record.get("timezone")}, zip5
    assert len(geo._zip_seen) <= geo.ZIP_TABLE_AFTER
