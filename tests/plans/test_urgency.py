"""Urgency tiers from schedules/urgency.yaml: the sale date drives them, in the lead's own days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from nurture.models import Lead
from nurture.plans.sequences import load_catalog
from nurture.plans.urgency import Facts, TierTimeline

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture(scope="module")
def rules():
    return load_catalog(Path(__file__).resolve().parents[2] / "schedules").urgency


def facts(**kw) -> Facts:
    base = dict(first_name="T", state="FL", timezone="America/New_York", enrolled_at=NOW)
    base.update(kw)
    return Facts.from_lead(Lead(**base))


@pytest.mark.parametrize(
    ("days", "tier"), [(0, "critical"), (7, "critical"), (8, "urgent"), (30, "urgent"), (31, "active"), (200, "active")]
)
def test_sale_date_sets_the_tier(rules, days, tier):
    lead = facts(sale_date=date(2026, 12, 1) + timedelta(days=days), foreclosure_stage="sale_scheduled")
    assert rules.tier_at(lead, NOW) == tier


def test_a_current_lead_without_foreclosure_is_early(rules):
    assert rules.tier_at(facts(payment_status="current"), NOW) == "early"


@pytest.mark.parametrize("kw", [{"foreclosure_stage": "notice_of_default"}, {"months_behind": 2, "payment_status": "behind"}])
def test_notice_of_default_or_two_months_behind_is_active(rules, kw):
    assert rules.tier_at(facts(**kw), NOW) == "active"


def test_a_passed_sale_date_no_longer_counts_as_a_sale(rules):
    assert rules.tier_at(facts(sale_date=date(2026, 11, 20)), NOW) == "early"
    assert rules.tier_at(facts(sale_date=date(2026, 11, 20), foreclosure_stage="sale_scheduled"), NOW) == "active"


def test_days_are_counted_in_the_leads_time_zone(rules):
    # 06:00 UTC on Dec 2 is Dec 2 in New York but still Dec 1 in Los Angeles (8 days to a Dec 9 sale).
    at = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    west = facts(timezone="America/Los_Angeles", sale_date=date(2026, 12, 9))
    east = facts(timezone="America/New_York", sale_date=date(2026, 12, 9))
    assert rules.tier_at(west, at) == "urgent"
    assert rules.tier_at(east, at) == "critical"


def test_the_timeline_changes_tier_at_local_midnight(rules):
    lead = facts(sale_date=date(2026, 12, 20), foreclosure_stage="sale_scheduled")
    line = TierTimeline(lead, rules, NOW)
    assert [tier for _, tier in line.changes()] == ["urgent", "critical", "active"]
    critical_from = line.changes()[1][0]
    assert critical_from == datetime(2026, 12, 13, 5, 0, tzinfo=UTC)  # midnight EST, 7 days before
    assert line.at(critical_from - timedelta(seconds=1)) == "urgent"
    assert line.at(critical_from) == "critical"
    assert line.at(datetime(2026, 12, 21, 5, 0, tzinfo=UTC)) == "active"  # the day after the sale
