"""Foreclosure timelines AL..MO (nurture/law/foreclosure/): hand-worked cases per state, each expected
date counted on a calendar in the comment beside it from the statute's waits (never from the product's
helpers). Days of the week read off a calendar: 2026-10-01 is a Thursday, 2027-01-01 a Friday,
2027-03-01 a Monday; the first Tuesdays of 2027 used here are January 5, March 2, April 6 and May 4."""

from datetime import date

import pytest

from nurture.law.foreclosure import earliest_sale, timeline


def on(state: str, record: str, recorded: date) -> date | None:
    return earliest_sale(state, record, recorded).on


# California (nonjudicial; sales Monday to Friday)

def test_california_notice_of_default_three_months_then_twenty_days():
    # 2026-10-01 + 3 months = 2027-01-01, + 20 days = 2027-01-21 (a Thursday: a weekday, kept).
    found = earliest_sale("CA", "notice_of_default", date(2026, 10, 1))
    assert found.on == date(2027, 1, 21)
    assert found.citations == ("Cal. Civ. Code § 2924(a)(3)", "Cal. Civ. Code § 2924f(b)(1)")
    assert found.reason.startswith("earliest sale 2027-01-21: notice of default recorded 2026-10-01 + 3 months")


def test_california_month_end_and_weekend():
    # 2026-11-30 + 3 months = 2027-02-28 (February has 28 days), + 20 days = 2027-03-20, a Saturday:
    # the next weekday is Monday 2027-03-22.
    found = earliest_sale("CA", "notice_of_default", date(2026, 11, 30))
    assert found.on == date(2027, 3, 22)
    assert "moved to the next weekday (Cal. Civ. Code § 2924g(a))" in found.reason
    # 2027-02-28 + 3 months = 2027-05-28, + 20 days = 2027-06-17, a Thursday: kept.
    assert on("CA", "notice_of_default", date(2027, 2, 28)) == date(2027, 6, 17)


def test_california_notice_of_sale_fourteen_days_from_recording():
    # 2027-03-01 (Monday) + 14 days = 2027-03-15 (Monday).
    assert on("CA", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 15)


def test_california_gives_no_estimate_from_a_lis_pendens():
    found = earliest_sale("CA", "lis_pendens", date(2027, 3, 1))
    assert found.on is None and "California" in found.reason


# Florida (judicial)

def test_florida_sale_twenty_days_after_final_judgment():
    # 2027-03-01 + 20 days = 2027-03-21 (a Sunday: Florida's file sets no sale-day rule, kept).
    found = earliest_sale("FL", "judgment", date(2027, 3, 1))
    assert found.on == date(2027, 3, 21) and found.citations == ("Fla. Stat. § 45.031(1)(a)",)
    # 2027-01-31 + 20 days = 2027-02-20.
    assert on("FL", "judgment", date(2027, 1, 31)) == date(2027, 2, 20)


def test_florida_lis_pendens_is_the_bare_statutory_minimum():
    # 2026-10-01 + 20 days (answer) = 2026-10-21, + 20 days (sale after judgment) = 2026-11-10.
    assert on("FL", "lis_pendens", date(2026, 10, 1)) == date(2026, 11, 10)


def test_florida_notice_of_sale_and_no_notice_of_default():
    # 2027-03-01 + 5 days = 2027-03-06.
    assert on("FL", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 6)
    assert on("FL", "notice_of_default", date(2027, 3, 1)) is None


# Arizona (nonjudicial; no sale-day rule applied)

def test_arizona_sale_on_the_91st_day_after_the_notice_of_sale():
    # 2027-01-01 + 91 days: Jan 1 + 30 = Jan 31, + 28 = Feb 28 (58), + 31 = Mar 31 (89), + 2 = Apr 2 (91).
    found = earliest_sale("AZ", "notice_of_sale", date(2027, 1, 1))
    assert found.on == date(2027, 4, 2) and found.citations == ("Ariz. Rev. Stat. § 33-807(D)",)
    # 2026-10-01 + 91 days: Oct 1 + 30 = Oct 31, + 30 = Nov 30 (60), + 31 = Dec 31 (91).
    assert on("AZ", "notice_of_sale", date(2026, 10, 1)) == date(2026, 12, 31)


def test_arizona_estimate_may_fall_on_a_saturday():
    # 2027-03-06 (Saturday) + 91 days = 13 weeks later, Saturday 2027-06-05: no sale-day rule moves it.
    assert on("AZ", "notice_of_sale", date(2027, 3, 6)) == date(2027, 6, 5)
    assert on("AZ", "notice_of_default", date(2027, 3, 6)) is None


# Georgia (nonjudicial; sales on the first Tuesday of the month)

def test_georgia_notice_of_sale_then_the_first_tuesday():
    # 2027-03-01 + 24 days = 2027-03-25 (Thursday); March's first Tuesday (Mar 2) is past: April 6.
    found = earliest_sale("GA", "notice_of_sale", date(2027, 3, 1))
    assert found.on == date(2027, 4, 6)
    assert found.reason.endswith("moved to the first Tuesday of a month (O.C.G.A. § 9-13-161(a); § 44-14-162(a))")


def test_georgia_a_date_that_is_a_first_tuesday_stays():
    # 2027-03-13 (Saturday) + 24 days = 2027-04-06, itself April's first Tuesday: kept, no move in the reason.
    found = earliest_sale("GA", "notice_of_sale", date(2027, 3, 13))
    assert found.on == date(2027, 4, 6) and "moved" not in found.reason


def test_georgia_one_day_later_waits_a_month():
    # 2027-03-14 + 24 days = 2027-04-07, the day after April's first Tuesday: May 1, 2027 is a Saturday,
    # so May's first Tuesday is 2027-05-04.
    assert on("GA", "notice_of_sale", date(2027, 3, 14)) == date(2027, 5, 4)
    # Across a year end: 2026-12-08 + 24 days = 2027-01-01 (Friday): January's first Tuesday is 2027-01-05.
    assert on("GA", "notice_of_sale", date(2026, 12, 8)) == date(2027, 1, 5)
    assert on("GA", "lis_pendens", date(2026, 12, 8)) is None


# One or more cases for each other state of AL..MO

def test_alabama():
    # 2027-03-01 + 14 days (third weekly publication) = 2027-03-15.
    assert on("AL", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 15)
    assert on("AL", "notice_of_default", date(2027, 3, 1)) is None


def test_alaska():
    # 2027-01-01 + 90 days: + 30 = Jan 31, + 28 = Feb 28 (58), + 31 = Mar 31 (89), + 1 = Apr 1 (90).
    assert on("AK", "notice_of_default", date(2027, 1, 1)) == date(2027, 4, 1)


def test_arkansas_weekday_sales():
    # 2027-03-01 + 60 days: + 30 = Mar 31, + 30 = Apr 30 (a Friday): kept.
    assert on("AR", "notice_of_default", date(2027, 3, 1)) == date(2027, 4, 30)
    # 2027-03-03 + 60 days = 2027-05-02, a Sunday: Monday 2027-05-03.
    assert on("AR", "notice_of_sale", date(2027, 3, 3)) == date(2027, 5, 3)


def test_colorado():
    # 2027-01-01 + 110 days: + 30 = Jan 31, + 28 = Feb 28 (58), + 31 = Mar 31 (89), + 21 = Apr 21 (110).
    assert on("CO", "notice_of_default", date(2027, 1, 1)) == date(2027, 4, 21)
    assert on("CO", "lis_pendens", date(2027, 1, 1)) == date(2027, 4, 21)


def test_connecticut_has_no_estimate():
    for record in ("notice_of_default", "lis_pendens", "notice_of_sale", "judgment"):
        found = earliest_sale("CT", record, date(2027, 3, 1))
        assert found.on is None and "Connecticut" in found.reason


def test_delaware():
    # 2027-03-01 + 20 days (answer) = 2027-03-21, + 10 days (posting) = 2027-03-31.
    assert on("DE", "lis_pendens", date(2027, 3, 1)) == date(2027, 3, 31)
    # 2027-03-01 + 10 days = 2027-03-11.
    assert on("DE", "judgment", date(2027, 3, 1)) == date(2027, 3, 11)


def test_district_of_columbia():
    # 2027-03-01 + 30 days = 2027-03-31.
    assert on("DC", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 31)
    assert on("DC", "notice_of_default", date(2027, 3, 1)) == date(2027, 3, 31)


def test_hawaii():
    # 2027-03-01 + 14 days = 2027-03-15.
    assert on("HI", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 15)
    assert on("HI", "lis_pendens", date(2027, 3, 1)) is None


def test_idaho():
    # 2027-01-01 + 120 days: + 30 = Jan 31, + 28 = Feb 28 (58), + 31 = Mar 31 (89), + 30 = Apr 30 (119),
    # + 1 = May 1 (120).
    assert on("ID", "notice_of_default", date(2027, 1, 1)) == date(2027, 5, 1)
    assert on("ID", "notice_of_sale", date(2027, 1, 1)) == date(2027, 5, 1)


def test_illinois_months_clip_to_the_end_of_february():
    # 2026-07-31 + 7 months = 2027-02-31, clipped to 2027-02-28.
    assert on("IL", "lis_pendens", date(2026, 7, 31)) == date(2027, 2, 28)
    # 2026-11-30 + 3 months = 2027-02-30, clipped to 2027-02-28.
    assert on("IL", "judgment", date(2026, 11, 30)) == date(2027, 2, 28)


def test_indiana():
    # 2026-11-30 + 3 months = 2027-02-28 (clipped), + 30 days = 2027-03-30.
    assert on("IN", "lis_pendens", date(2026, 11, 30)) == date(2027, 3, 30)
    # 2027-03-01 + 30 days = 2027-03-31.
    assert on("IN", "judgment", date(2027, 3, 1)) == date(2027, 3, 31)


def test_iowa():
    # 2027-03-01 + 20 days = 2027-03-21, + 28 days = 2027-04-18.
    assert on("IA", "lis_pendens", date(2027, 3, 1)) == date(2027, 4, 18)
    # 2027-03-01 + 28 days = 2027-03-29.
    assert on("IA", "judgment", date(2027, 3, 1)) == date(2027, 3, 29)


def test_kansas():
    # 2027-03-01 + 21 days = 2027-03-22, + 21 days = 2027-04-12.
    assert on("KS", "lis_pendens", date(2027, 3, 1)) == date(2027, 4, 12)
    assert on("KS", "judgment", date(2027, 3, 1)) == date(2027, 3, 22)


def test_kentucky():
    # 2027-03-01 + 20 days = 2027-03-21, + 7 days = 2027-03-28.
    assert on("KY", "lis_pendens", date(2027, 3, 1)) == date(2027, 3, 28)
    # 2027-03-01 + 7 days = 2027-03-08.
    assert on("KY", "judgment", date(2027, 3, 1)) == date(2027, 3, 8)


def test_louisiana():
    # 2027-03-01 + 60 days: + 30 = Mar 31, + 30 = Apr 30.
    assert on("LA", "judgment", date(2027, 3, 1)) == date(2027, 4, 30)
    assert on("LA", "lis_pendens", date(2027, 3, 1)) is None


def test_maine():
    # 2027-03-01 + 20 days = 2027-03-21; + 90 days: + 10 = Mar 31, + 30 = Apr 30 (40), + 31 = May 31 (71),
    # + 19 = Jun 19 (90); + 30 days = 2027-07-19.
    assert on("ME", "lis_pendens", date(2027, 3, 1)) == date(2027, 7, 19)
    # 2027-03-01 + 90 days: + 30 = Mar 31, + 30 = Apr 30 (60), + 30 = May 30 (90); + 30 days = 2027-06-29.
    assert on("ME", "judgment", date(2027, 3, 1)) == date(2027, 6, 29)


def test_maryland():
    # 2027-03-01 + 15 days = 2027-03-16.
    assert on("MD", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 16)
    assert on("MD", "lis_pendens", date(2027, 3, 1)) == date(2027, 3, 16)


def test_massachusetts_matches_the_court_s_count():
    # Raymond v. Real Time Resolutions (D. Mass. 2025): a first publication on 2024-11-07 gave only 20 days
    # before a 2024-11-27 sale; 2024-11-07 + 21 days = 2024-11-28.
    assert on("MA", "notice_of_sale", date(2024, 11, 7)) == date(2024, 11, 28)


def test_michigan():
    # 2027-03-01 + 28 days = 2027-03-29.
    assert on("MI", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 29)


def test_minnesota():
    # 2027-03-01 + 35 days: + 30 = Mar 31, + 5 = Apr 5.
    assert on("MN", "notice_of_sale", date(2027, 3, 1)) == date(2027, 4, 5)
    assert on("MN", "lis_pendens", date(2027, 3, 1)) == date(2027, 4, 5)


def test_mississippi():
    # 2027-03-01 + 14 days = 2027-03-15.
    assert on("MS", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 15)


def test_missouri():
    # 2027-03-01 + 19 days = 2027-03-20.
    assert on("MO", "notice_of_sale", date(2027, 3, 1)) == date(2027, 3, 20)


USUAL = {"AL": "nonjudicial", "AK": "nonjudicial", "AZ": "nonjudicial", "AR": "nonjudicial", "CA": "nonjudicial",
         "CO": "nonjudicial", "CT": "judicial", "DE": "judicial", "DC": "nonjudicial", "FL": "judicial",
         "GA": "nonjudicial", "HI": "judicial", "ID": "nonjudicial", "IL": "judicial", "IN": "judicial",
         "IA": "judicial", "KS": "judicial", "KY": "judicial", "LA": "judicial", "ME": "judicial",
         "MD": "nonjudicial", "MA": "nonjudicial", "MI": "nonjudicial", "MN": "nonjudicial", "MS": "nonjudicial",
         "MO": "nonjudicial"}


@pytest.mark.parametrize(("state", "usual"), sorted(USUAL.items()))
def test_each_state_s_file_names_its_usual_procedure_and_cites_what_it_uses(state, usual):
    found = timeline(state)
    assert found is not None and found.code == state and found.usual == usual
    assert found.reviewed == date(2026, 12, 7) and found.note
    for waits in found.records.values():
        assert all(w.citation and w.source.startswith("http") for w in waits)
