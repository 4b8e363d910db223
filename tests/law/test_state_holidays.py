"""Each state with a holiday ban closes on the holidays its statute names, and only on those: the
days below are written out by hand from the statutes (cited per state) for 2027, 2028 and 2029,
not computed, and compared with the days nurture's contact hours close for a holiday.

How the comparison is made: a state's hand-written days include a holiday that falls on a Saturday
or Sunday as well as the weekday the statute moves it to (nurture closes both: the named day and
the day it is observed on, the stricter reading). Where a state closes Saturdays or Sundays anyway,
the product may report such a day as "no texts on Sunday" rather than by the holiday's name, which
a person cannot tell apart. So for each year the test collects the days closed for a holiday (the
reason names a holiday) and the days closed as a Saturday or Sunday, and asserts that the holiday
days are exactly the hand-written days less those closed as a weekend day: no holiday missing on a
weekday, none invented, and every hand-written day closed one way or the other."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nurture.law.hours import ContactHours
from nurture.law.statutes import load_law

ZONES = {"AL": "America/Chicago", "LA": "America/Chicago", "MS": "America/Chicago", "NE": "America/Chicago",
         "PA": "America/New_York", "RI": "America/New_York", "UT": "America/Denver"}


def _days(*spec: tuple[int, int, int]) -> frozenset[date]:
    return frozenset(date(*d) for d in spec)


BY_STATUTE: dict[str, frozenset[date]] = {
    # Alabama: Ala. Code § 1-3-8 (as amended by Act 2025 HB 165, Juneteenth): New Year's Day, MLK/Lee
    # (3rd Mon Jan), Washington/Jefferson (3rd Mon Feb), Confederate Memorial Day (4th Mon Apr), Memorial
    # Day, Jefferson Davis (1st Mon Jun), Juneteenth (Jun 19), July 4, Labor Day, Columbus Day (2nd Mon
    # Oct), Veterans' Day (Nov 11), Thanksgiving, Christmas; "If any holiday falls on Sunday, the following
    # day is the holiday. If any holiday falls on Saturday, the preceding day is the holiday." Mardi Gras
    # is a holiday in Mobile and Baldwin counties, applied statewide (the county is not known).
    "AL": _days(
        (2027, 1, 1), (2027, 1, 18), (2027, 2, 9), (2027, 2, 15), (2027, 4, 26), (2027, 5, 31), (2027, 6, 7),
        (2027, 6, 18), (2027, 6, 19), (2027, 7, 4), (2027, 7, 5), (2027, 9, 6), (2027, 10, 11), (2027, 11, 11),
        (2027, 11, 25), (2027, 12, 24), (2027, 12, 25), (2027, 12, 31),  # Dec 31: New Year's Day 2028 is a Saturday
        (2028, 1, 1), (2028, 1, 17), (2028, 2, 21), (2028, 2, 29), (2028, 4, 24), (2028, 5, 29), (2028, 6, 5),
        (2028, 6, 19), (2028, 7, 4), (2028, 9, 4), (2028, 10, 9), (2028, 11, 10), (2028, 11, 11), (2028, 11, 23),
        (2028, 12, 25),
        (2029, 1, 1), (2029, 1, 15), (2029, 2, 13), (2029, 2, 19), (2029, 4, 23), (2029, 5, 28), (2029, 6, 4),
        (2029, 6, 19), (2029, 7, 4), (2029, 9, 3), (2029, 10, 8), (2029, 11, 11), (2029, 11, 12), (2029, 11, 22),
        (2029, 12, 25)),
    # Louisiana: La. R.S. 1:55(A)(1): Jan 1, Jan 8 (Battle of New Orleans), MLK (3rd Mon Jan), Washington's
    # Birthday (3rd Mon Feb), Mardi Gras, Good Friday, Memorial Day, July 4, Aug 30 (Huey P. Long Day),
    # Labor Day, Columbus Day (2nd Mon Oct), Nov 1 (All Saints' Day), Nov 11, Thanksgiving, Dec 25, and
    # Inauguration Day (read by the rule as Jan 20 after a presidential election: 2029-01-20); not moved.
    "LA": _days(
        (2027, 1, 1), (2027, 1, 8), (2027, 1, 18), (2027, 2, 9), (2027, 2, 15), (2027, 3, 26), (2027, 5, 31),
        (2027, 7, 4), (2027, 8, 30), (2027, 9, 6), (2027, 10, 11), (2027, 11, 1), (2027, 11, 11), (2027, 11, 25),
        (2027, 12, 25),
        (2028, 1, 1), (2028, 1, 8), (2028, 1, 17), (2028, 2, 21), (2028, 2, 29), (2028, 4, 14), (2028, 5, 29),
        (2028, 7, 4), (2028, 8, 30), (2028, 9, 4), (2028, 10, 9), (2028, 11, 1), (2028, 11, 11), (2028, 11, 23),
        (2028, 12, 25),
        (2029, 1, 1), (2029, 1, 8), (2029, 1, 15), (2029, 1, 20), (2029, 2, 13), (2029, 2, 19), (2029, 3, 30),
        (2029, 5, 28), (2029, 7, 4), (2029, 8, 30), (2029, 9, 3), (2029, 10, 8), (2029, 11, 1), (2029, 11, 11),
        (2029, 11, 22), (2029, 12, 25)),
    # Mississippi: Miss. Code § 3-3-7(1): Jan 1, 3rd Mon Jan, 3rd Mon Feb, last Mon Apr (Confederate
    # Memorial Day), last Mon May, Jul 4, 1st Mon Sep, Nov 11, Thanksgiving, Dec 25; "In the event any
    # holiday ... shall fall on Sunday, then the next following day shall be a legal holiday" (a Saturday
    # holiday is not moved).
    "MS": _days(
        (2027, 1, 1), (2027, 1, 18), (2027, 2, 15), (2027, 4, 26), (2027, 5, 31), (2027, 7, 4), (2027, 7, 5),
        (2027, 9, 6), (2027, 11, 11), (2027, 11, 25), (2027, 12, 25),
        (2028, 1, 1), (2028, 1, 17), (2028, 2, 21), (2028, 4, 24), (2028, 5, 29), (2028, 7, 4), (2028, 9, 4),
        (2028, 11, 11), (2028, 11, 23), (2028, 12, 25),
        (2029, 1, 1), (2029, 1, 15), (2029, 2, 19), (2029, 4, 30), (2029, 5, 28), (2029, 7, 4), (2029, 9, 3),
        (2029, 11, 11), (2029, 11, 12), (2029, 11, 22), (2029, 12, 25)),
    # Nebraska: Neb. Rev. Stat. § 25-2221 (legal holidays of 291 NAC 11 § 003.01): New Year's Day, MLK,
    # President's Day, Arbor Day (last Fri Apr), Memorial Day, Juneteenth, July 4, Labor Day, Columbus Day,
    # Veterans Day, Thanksgiving and the day after, Christmas; Saturday -> Friday, Sunday -> Monday.
    "NE": _days(
        (2027, 1, 1), (2027, 1, 18), (2027, 2, 15), (2027, 4, 30), (2027, 5, 31), (2027, 6, 18), (2027, 6, 19),
        (2027, 7, 4), (2027, 7, 5), (2027, 9, 6), (2027, 10, 11), (2027, 11, 11), (2027, 11, 25), (2027, 11, 26),
        (2027, 12, 24), (2027, 12, 25), (2027, 12, 31),  # Dec 31: New Year's Day 2028 is a Saturday
        (2028, 1, 1), (2028, 1, 17), (2028, 2, 21), (2028, 4, 28), (2028, 5, 29), (2028, 6, 19), (2028, 7, 4),
        (2028, 9, 4), (2028, 10, 9), (2028, 11, 10), (2028, 11, 11), (2028, 11, 23), (2028, 11, 24), (2028, 12, 25),
        (2029, 1, 1), (2029, 1, 15), (2029, 2, 19), (2029, 4, 27), (2029, 5, 28), (2029, 6, 19), (2029, 7, 4),
        (2029, 9, 3), (2029, 10, 8), (2029, 11, 11), (2029, 11, 12), (2029, 11, 22), (2029, 11, 23),
        (2029, 12, 25)),
    # Pennsylvania: 73 P.S. § 2245(a)(10) (Act 73 of 2019) as summarised: New Year's Day, MLK, Presidents'
    # Day, Good Friday, Memorial Day, Flag Day (Jun 14), July 4, Labor Day, Columbus Day, Election Day
    # (Tuesday after the 1st Mon Nov, every year), Veterans Day, Thanksgiving, Christmas; not moved.
    "PA": _days(
        (2027, 1, 1), (2027, 1, 18), (2027, 2, 15), (2027, 3, 26), (2027, 5, 31), (2027, 6, 14), (2027, 7, 4),
        (2027, 9, 6), (2027, 10, 11), (2027, 11, 2), (2027, 11, 11), (2027, 11, 25), (2027, 12, 25),
        (2028, 1, 1), (2028, 1, 17), (2028, 2, 21), (2028, 4, 14), (2028, 5, 29), (2028, 6, 14), (2028, 7, 4),
        (2028, 9, 4), (2028, 10, 9), (2028, 11, 7), (2028, 11, 11), (2028, 11, 23), (2028, 12, 25),
        (2029, 1, 1), (2029, 1, 15), (2029, 2, 19), (2029, 3, 30), (2029, 5, 28), (2029, 6, 14), (2029, 7, 4),
        (2029, 9, 3), (2029, 10, 8), (2029, 11, 6), (2029, 11, 11), (2029, 11, 22), (2029, 12, 25)),
    # Rhode Island: "except a state or federal holiday" (R.I. Gen. Laws § 5-61-2). State: § 25-1-1 (with
    # Juneteenth, 2023-H 5380A): Jan 1, 3rd Mon Jan, 3rd Mon Feb, May 4, last Mon May, Jun 19, Jul 4,
    # 2nd Mon Aug (Victory Day), 1st Mon Sep, 2nd Mon Oct, Nov 11, Dec 25 (Jan 1, Jun 19, Jul 4, Nov 11 and
    # Dec 25 on a Saturday or Sunday also the following Monday; any day on a Sunday also the day after),
    # Election Day in years of a general election of state officers (even years), days of thanksgiving.
    # Federal: 5 U.S.C. § 6103(a) (New Year's Day, MLK, Washington's Birthday, Memorial Day, Juneteenth,
    # Independence Day, Labor Day, Columbus Day, Veterans Day, Thanksgiving, Christmas) with the federal
    # Saturday -> Friday, Sunday -> Monday (2027-06-18, 2027-12-24, 2027-12-31, 2028-11-10).
    "RI": _days(
        (2027, 1, 1), (2027, 1, 18), (2027, 2, 15), (2027, 5, 4), (2027, 5, 31), (2027, 6, 18), (2027, 6, 19),
        (2027, 6, 21), (2027, 7, 4), (2027, 7, 5), (2027, 8, 9), (2027, 9, 6), (2027, 10, 11), (2027, 11, 11),
        (2027, 11, 25), (2027, 12, 24), (2027, 12, 25), (2027, 12, 27), (2027, 12, 31),
        (2028, 1, 1), (2028, 1, 3), (2028, 1, 17), (2028, 2, 21), (2028, 5, 4), (2028, 5, 29), (2028, 6, 19),
        (2028, 7, 4), (2028, 8, 14), (2028, 9, 4), (2028, 10, 9), (2028, 11, 7), (2028, 11, 10), (2028, 11, 11),
        (2028, 11, 13), (2028, 11, 23), (2028, 12, 25),
        (2029, 1, 1), (2029, 1, 15), (2029, 2, 19), (2029, 5, 4), (2029, 5, 28), (2029, 6, 19), (2029, 7, 4),
        (2029, 8, 13), (2029, 9, 3), (2029, 10, 8), (2029, 11, 11), (2029, 11, 12), (2029, 11, 22),
        (2029, 12, 25)),
    # Utah: Utah Code § 63G-1-301 (2026 text; Election Day from 2027 by 2026 HB 104): Jan 1, Jul 4, Jul 24
    # (Pioneer Day), Nov 11, Dec 25 (Saturday -> the preceding Friday, Sunday -> the following Monday);
    # 3rd Mon Jan, 3rd Mon Feb, Good Friday, last Mon May, 1st Mon Sep, 2nd Mon Oct, Election Day, 4th Thu
    # Nov; June 19 on a Monday, else the Monday before it (Tue-Fri) or after it (weekend).
    "UT": _days(
        (2027, 1, 1), (2027, 1, 18), (2027, 2, 15), (2027, 3, 26), (2027, 5, 31), (2027, 6, 21), (2027, 7, 4),
        (2027, 7, 5), (2027, 7, 23), (2027, 7, 24), (2027, 9, 6), (2027, 10, 11), (2027, 11, 2), (2027, 11, 11),
        (2027, 11, 25), (2027, 12, 24), (2027, 12, 25), (2027, 12, 31),  # Dec 31: New Year's Day 2028 is a Saturday
        (2028, 1, 1), (2028, 1, 17), (2028, 2, 21), (2028, 4, 14), (2028, 5, 29), (2028, 6, 19), (2028, 7, 4),
        (2028, 7, 24), (2028, 9, 4), (2028, 10, 9), (2028, 11, 7), (2028, 11, 10), (2028, 11, 11), (2028, 11, 23),
        (2028, 12, 25),
        (2029, 1, 1), (2029, 1, 15), (2029, 2, 19), (2029, 3, 30), (2029, 5, 28), (2029, 6, 18), (2029, 7, 4),
        (2029, 7, 24), (2029, 9, 3), (2029, 10, 8), (2029, 11, 6), (2029, 11, 11), (2029, 11, 12), (2029, 11, 22),
        (2029, 12, 25)),
}

WEEKEND_REASONS = ("no texts on Saturday ", "no texts on Sunday ")


def _closed_days(state: str, year: int) -> tuple[set[date], set[date]]:
    """The days of `year` closed for a holiday, and those closed as a Saturday or Sunday, in `state`."""
    hours = ContactHours(load_law(), [state], [ZONES[state]], exempt_consented=False)
    holiday: set[date] = set()
    weekend: set[date] = set()
    day = date(year, 1, 1)
    while day.year == year:
        window = hours.day_window(0, day)
        if window.hours is None:
            if window.why.startswith(WEEKEND_REASONS):
                weekend.add(day)
            elif window.why.startswith("no texts on "):
                holiday.add(day)
        day += timedelta(days=1)
    return holiday, weekend


@pytest.mark.parametrize("year", [2027, 2028, 2029])
@pytest.mark.parametrize("state", sorted(BY_STATUTE))
def test_a_state_closes_on_the_holidays_its_statute_names(state, year):
    by_hand = {d for d in BY_STATUTE[state] if d.year == year}
    holiday, weekend = _closed_days(state, year)
    assert sorted(holiday) == sorted(by_hand - weekend), (
        f"missing: {sorted(by_hand - weekend - holiday)}; not in the statute: {sorted(holiday - by_hand)}")
