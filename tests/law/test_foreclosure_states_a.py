"""Foreclosure timelines AL..MO (nurture/law/foreclosure/): one or more hand-worked cases per state,
each expected date counted on a calendar in the comment beside it, from the statute's waits (never
from the product's helpers). Days of the week were read off a calendar: 2026-10-01 is a Thursday,
2027-01-01 a Friday, 2027-03-01 a Monday."""

from datetime import date

import pytest

from nurture.law.foreclosure import earliest_sale, timeline


def on(state: str, record: str, recorded: date) -> date | None:
    return earliest_sale(state, record, recorded).on


def test_california_notice_of_default_three_months_then_twenty_days():
    # 2026-10-01 + 3 months = 2027-01-01, + 20 days = 2027-01-21 (a Thursday: a weekday, kept).
    found = earliest_sale("CA", "notice_of_default", date(2026, 10, 1))
    assert found.on == date(2027, 1, 21)
    assert found.citations == ("Cal. Civ. Code § 2924(a)(3)", "Cal. Civ. Code § 2924f(b)(1)")
    assert found.reason.startswith("earliest sale 2027-01-21: notice of default recorded 2026-10-01 + 3 months")


def test_california_month_end_and_weekend():
    # 2026-11-30 + 3 months = 2027-02-28 (February has 28 days), + 20 days = 2027-03-20, a Saturday:
    # the next weekday is Monday 2027-03-22.
    assert on("CA", "notice_of_default", date(2026, 11, 30)) == date(2027, 3, 22)


def test_california_notice_of_sale_fourteen_days_from_recording():
    # 2027-03-01 (Monday) + 14 days = 2027-03-15 (Monday).
    assert on("CA", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 15)


def test_california_gives_no_estimate_from_a_lis_pendens():
    found = earliest_sale("CA", "lis_pendens", date(2027, 3, 1))
    assert found.on is None and "California" in found.reason


def test_florida_sale_twenty_days_after_final_judgment():
    # 2027-03-01 + 20 days = 2027-03-21 (a Sunday: Florida's file sets no sale-day rule, kept).
    found = earliest_sale("FL", "judgment", date(2027, 3, 1))
    assert found.on == date(2027, 3, 21) and found.citations == ("Fla. Stat. § 45.031(1)(a)",)


def test_florida_lis_pendens_is_the_bare_statutory_minimum():
    # 2026-10-01 + 20 days (answer) = 2026-10-21, + 20 days (sale after judgment) = 2026-11-10.
    assert on("FL", "lis_pendens", date(2026, 10, 1)) == date(2026, 11, 10)


def test_florida_notice_of_sale_and_no_notice_of_default():
    # 2027-03-01 + 5 days = 2027-03-06.
    assert on("FL", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 6)
    assert on("FL", "notice_of_default", date(2027, 3, 1)) is None


@pytest.mark.parametrize(("state", "usual"), [("CA", "nonjudicial"), ("FL", "judicial")])
def test_each_state_s_usual_procedure(state, usual):
    found = timeline(state)
    assert found is not None and found.usual == usual
