"""Foreclosure timelines of MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
(nurture/law/foreclosure/<CODE>.yaml): the earliest sale date for a recorded document, one case at
least per state. Every expected date is worked out by hand from the statute's periods and a calendar
(the arithmetic is in the comment beside it), never by calling the product's helpers.

Calendar used (2026-10-01 is a Thursday): Oct 2026 has 31 days, Nov 30, Dec 31; Jan 2027 31, Feb 2027
28 (2028 is a leap year: Feb 29). First Tuesdays: 2026-10-06, 2026-11-03, 2026-12-01, 2027-01-05."""

from datetime import date

import pytest

from nurture.law.foreclosure import earliest_sale, timeline

#: (state, record, recorded on, earliest sale by hand, the arithmetic)
CASES = [
    # Montana: notice of sale filed for record, sale not less than 120 days later (§ 71-1-313(3)(g)).
    ("MT", "notice_of_sale", date(2026, 10, 1), date(2027, 1, 29),
     "2026-10-01 + 30 = 10-31, + 30 = 11-30, + 30 = 12-30, + 30 = 2027-01-29"),
    # Nebraska: one month after the notice of default, then five weekly publications + 10 days (38 days).
    ("NE", "notice_of_default", date(2026, 1, 31), date(2026, 4, 7),
     "2026-01-31 + 1 month = 02-28 (clipped, 2026 is not a leap year), + 38 = 03-31 (+31), 04-07 (+38)"),
    ("NE", "notice_of_sale", date(2026, 10, 1), date(2026, 11, 8), "2026-10-01 + 30 = 10-31, + 8 = 11-08"),
    ("NE", "judgment", date(2026, 10, 1), date(2026, 10, 29), "2026-10-01 + 28 = 10-29"),
    # New Hampshire: first publication not less than 20 days before the sale, both days excluded: 21.
    ("NH", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 22), "2026-10-01 + 21 = 10-22"),
    # New Jersey: 35 days to answer, then the sheriff's sale notice first published 21 days before.
    ("NJ", "lis_pendens", date(2026, 10, 1), date(2026, 11, 26),
     "2026-10-01 + 35 = 11-05 (10-31 is +30), + 21 = 11-26"),
    ("NJ", "judgment", date(2026, 10, 1), date(2026, 10, 22), "2026-10-01 + 21 = 10-22"),
    # New Mexico: 30 days to answer, then four weekly insertions, the last 3 days before (24 days).
    ("NM", "lis_pendens", date(2026, 10, 1), date(2026, 11, 24), "2026-10-01 + 30 = 10-31, + 24 = 11-24"),
    ("NM", "judgment", date(2026, 10, 1), date(2026, 10, 25), "2026-10-01 + 24 = 10-25"),
    # New York: notice twice a week for three weeks, sale on or after the 21st day (RPAPL § 231(2)(a)).
    ("NY", "judgment", date(2026, 10, 1), date(2026, 10, 22), "2026-10-01 + 21 = 10-22"),
    ("NY", "lis_pendens", date(2026, 10, 1), date(2026, 10, 22), "2026-10-01 + 21 = 10-22 (a lower bound)"),
    # North Carolina: hearing 10 days after the notice of hearing, then the sale posted 20 days before.
    ("NC", "notice_of_default", date(2026, 10, 1), date(2026, 10, 31), "2026-10-01 + 10 = 10-11, + 20 = 10-31"),
    ("NC", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 21), "2026-10-01 + 20 = 10-21"),
    # North Dakota: last publication at least 10 days before the sheriff's sale.
    ("ND", "judgment", date(2026, 10, 1), date(2026, 10, 11), "2026-10-01 + 10 = 10-11"),
    # Ohio: three weekly insertions (days 0, 7, 14), the sale from day 15.
    ("OH", "judgment", date(2026, 10, 1), date(2026, 10, 16), "2026-10-01 + 15 = 10-16"),
    # Oklahoma: sale not less than 30 days after the first publication.
    ("OK", "judgment", date(2026, 10, 1), date(2026, 10, 31), "2026-10-01 + 30 = 10-31"),
    # Pennsylvania: handbills and written notice 30 days before; first publication 21 days before.
    ("PA", "judgment", date(2026, 10, 1), date(2026, 10, 31), "2026-10-01 + 30 = 10-31"),
    ("PA", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 22), "2026-10-01 + 21 = 10-22"),
    # Rhode Island: first publication 21 days before the sale counting its own day: 20 days after it.
    ("RI", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 21), "2026-10-01 + 20 = 10-21"),
    # South Carolina: first publication 21 days before; weekday rule (sales on the first Monday).
    ("SC", "judgment", date(2026, 10, 1), date(2026, 10, 22), "2026-10-01 + 21 = 10-22, a Thursday: kept"),
    ("SC", "judgment", date(2026, 10, 3), date(2026, 10, 26),
     "2026-10-03 + 21 = 10-24, a Saturday: moved to Monday 10-26"),
    # South Dakota: written notice at least 21 days before the sale.
    ("SD", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 22), "2026-10-01 + 21 = 10-22"),
    # Tennessee: notice of the right to foreclose 60 days before the first publication, which is 20 before.
    ("TN", "notice_of_default", date(2026, 10, 1), date(2026, 12, 20),
     "2026-10-01 + 60 = 11-30 (10-31 is +30), + 20 = 12-20"),
    ("TN", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 21), "2026-10-01 + 20 = 10-21"),
    # Utah: three months after the notice of default, then the notice posted 20 days before the sale.
    ("UT", "notice_of_default", date(2026, 11, 30), date(2027, 3, 20),
     "2026-11-30 + 3 months = 2027-02-28 (clipped), + 20 = 03-20"),
    ("UT", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 21), "2026-10-01 + 20 = 10-21"),
    # Vermont: notice mailed not fewer than 30 days before the sale; first publication 21 days before.
    ("VT", "judgment", date(2026, 10, 1), date(2026, 10, 31), "2026-10-01 + 30 = 10-31"),
    ("VT", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 22), "2026-10-01 + 21 = 10-22"),
    # Virginia: no sale earlier than eight days after the first advertisement.
    ("VA", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 9), "2026-10-01 + 8 = 10-09"),
    # West Virginia: Class II advertisement, two weekly publications (days 0 and 7), the sale from day 8.
    ("WV", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 9), "2026-10-01 + 8 = 10-09"),
    # Wisconsin: 20 days to answer, then five weeks from judgment (abandoned premises, the shortest).
    ("WI", "lis_pendens", date(2026, 10, 1), date(2026, 11, 25), "2026-10-01 + 20 = 10-21, + 35 = 11-25"),
    ("WI", "judgment", date(2026, 10, 1), date(2026, 11, 5), "2026-10-01 + 35 = 11-05 (10-31 is +30)"),
    # Wyoming: four consecutive weekly advertisements (days 0, 7, 14, 21), the sale from day 22.
    ("WY", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 23), "2026-10-01 + 22 = 10-23"),
    ("WY", "judgment", date(2026, 10, 1), date(2026, 10, 23), "2026-10-01 + 22 = 10-23"),
    # Oregon: notice of sale served or mailed at least 120 days before the sale; no sale-day rule.
    ("OR", "notice_of_default", date(2026, 10, 1), date(2027, 1, 29), "2026-10-01 + 90 = 12-30, + 30 = 2027-01-29"),
    ("OR", "notice_of_sale", date(2026, 11, 15), date(2027, 3, 15),
     "2026-11-15 + 30 = 12-15, + 30 = 2027-01-14, + 30 = 02-13, + 30 = 03-15 (February has 28 days)"),
    ("OR", "notice_of_sale", date(2026, 10, 3), date(2027, 1, 31),
     "2026-10-03 + 120 = 2027-01-31, a Sunday: kept (Oregon sets no sale weekday)"),
    # Nevada: 3 months after the notice of default, then the notice of sale posted 20 days.
    ("NV", "notice_of_default", date(2026, 10, 1), date(2027, 1, 21), "2026-10-01 + 3 months = 2027-01-01, + 20 = 01-21"),
    ("NV", "notice_of_default", date(2026, 11, 30), date(2027, 3, 20),
     "2026-11-30 + 3 months = 2027-02-28 (clipped), + 20 = 03-20"),
    ("NV", "notice_of_default", date(2027, 11, 30), date(2028, 3, 20),
     "2027-11-30 + 3 months = 2028-02-29 (leap year, clipped), + 20 = 03-20"),
    ("NV", "notice_of_sale", date(2026, 10, 1), date(2026, 10, 21), "2026-10-01 + 20 = 10-21"),
    # Washington: notice of default 30 days before the notice of sale, which is 90 days before the sale;
    # the weekday rule moves a weekend day to Monday (sales are held on Fridays).
    ("WA", "notice_of_sale", date(2026, 10, 1), date(2026, 12, 30), "2026-10-01 + 90 = 12-30, a Wednesday: kept"),
    ("WA", "notice_of_sale", date(2026, 10, 4), date(2027, 1, 4),
     "2026-10-04 + 90 = 2027-01-02, a Saturday: moved to Monday 01-04"),
    ("WA", "notice_of_default", date(2026, 10, 1), date(2027, 1, 29),
     "2026-10-01 + 30 = 10-31, + 90 = 2027-01-29, a Friday: kept"),
    # Texas: notice of sale 21 days before, sales on the first Tuesday of a month; notice of default
    # gives 20 days to cure before the notice of sale.
    ("TX", "notice_of_sale", date(2026, 10, 1), date(2026, 11, 3),
     "2026-10-01 + 21 = 10-22, after October's first Tuesday (10-06): November's, 11-03"),
    ("TX", "notice_of_sale", date(2026, 10, 13), date(2026, 11, 3),
     "2026-10-13 + 21 = 11-03, itself November's first Tuesday: kept"),
    ("TX", "notice_of_sale", date(2026, 12, 10), date(2027, 1, 5),
     "2026-12-10 + 21 = 12-31, after December's first Tuesday (12-01): January's, 2027-01-05"),
    ("TX", "notice_of_default", date(2026, 9, 1), date(2026, 11, 3),
     "2026-09-01 + 20 = 09-21, + 21 = 10-12, after October's first Tuesday (10-06): 11-03"),
]

#: Record types a state's file leaves out on purpose (its note says why): no estimate, with a reason.
NO_ESTIMATE = [
    ("TX", "lis_pendens"), ("TX", "judgment"), ("WA", "lis_pendens"), ("OR", "judgment"), ("NV", "lis_pendens"),
    ("MT", "notice_of_default"), ("NH", "notice_of_default"), ("ND", "lis_pendens"), ("OK", "notice_of_sale"),
    ("VA", "notice_of_default"), ("WV", "lis_pendens"), ("SD", "judgment"), ("WY", "lis_pendens"),
]

#: The procedure most home foreclosures use, from the research (each file's note gives the source).
USUAL = {
    "MT": "nonjudicial", "NE": "nonjudicial", "NV": "nonjudicial", "NH": "nonjudicial", "NJ": "judicial",
    "NM": "judicial", "NY": "judicial", "NC": "nonjudicial", "ND": "judicial", "OH": "judicial", "OK": "judicial",
    "OR": "nonjudicial", "PA": "judicial", "RI": "nonjudicial", "SC": "judicial", "SD": "nonjudicial",
    "TN": "nonjudicial", "TX": "nonjudicial", "UT": "nonjudicial", "VT": "judicial", "VA": "nonjudicial",
    "WA": "nonjudicial", "WV": "nonjudicial", "WI": "judicial", "WY": "nonjudicial",
}


def test_every_state_of_this_half_has_a_case():
    assert {state for state, *_ in CASES} == set(USUAL)


@pytest.mark.parametrize(("state", "record", "recorded", "expected", "arithmetic"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_earliest_sale_is_the_hand_worked_date(state, record, recorded, expected, arithmetic):
    found = earliest_sale(state, record, recorded)
    assert found.on == expected, arithmetic
    assert found.reason.startswith(f"earliest sale {expected.isoformat()}: ")
    assert recorded.isoformat() in found.reason
    assert found.citations, "an estimate names the law it comes from"


@pytest.mark.parametrize(("state", "record"), NO_ESTIMATE)
def test_a_record_the_state_s_law_gives_no_minimum_for_has_no_estimate(state, record):
    found = earliest_sale(state, record, date(2026, 10, 1))
    assert found.on is None
    assert found.reason.startswith("no estimate")
    assert found.citations == ()


@pytest.mark.parametrize("state", sorted(USUAL))
def test_each_file_states_its_usual_procedure(state):
    assert timeline(state).usual == USUAL[state]


def test_texas_reason_shows_the_move_to_the_first_tuesday_with_its_statute():
    found = earliest_sale("TX", "notice_of_sale", date(2026, 10, 1))
    assert "+ 21 days (Tex. Prop. Code § 51.002(b))" in found.reason
    assert "first Tuesday" in found.reason and "§ 51.002(a)" in found.reason
    assert found.citations == ("Tex. Prop. Code § 51.002(b)", "Tex. Prop. Code § 51.002(a)")


def test_texas_sale_lands_on_a_tuesday_in_the_first_week_whatever_the_recording_day():
    # 31 recording days in a row: each estimate is a Tuesday, day 1-7 of its month, and at least 21 days out.
    for offset in range(31):
        recorded = date(2027, 3, 1).toordinal() + offset
        on = earliest_sale("TX", "notice_of_sale", date.fromordinal(recorded)).on
        assert on.weekday() == 1 and on.day <= 7 and on.toordinal() - recorded >= 21


def test_washington_never_estimates_a_weekend_sale():
    for offset in range(7):
        on = earliest_sale("WA", "notice_of_sale", date(2026, 10, 1 + offset)).on
        assert on.weekday() < 5


def test_nevada_and_utah_reasons_name_the_three_months_and_the_notice():
    nevada = earliest_sale("NV", "notice_of_default", date(2026, 10, 1))
    assert "+ 3 months (NRS 107.080(2)(c))" in nevada.reason
    utah = earliest_sale("UT", "notice_of_default", date(2026, 10, 1))
    assert "+ 3 months (Utah Code § 57-1-24)" in utah.reason
