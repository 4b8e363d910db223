"""The law files (nurture/law/jurisdictions/, docs/law.md): each one loads, a wrong one is refused
with the file, the rule and the problem named, and holidays a statute lists by name fall on the
days written out here by hand from the calendar (never from the product's own computation)."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from nurture.law.holidays import NAMED_HOLIDAYS, named_days
from nurture.law.statutes import LAW_DIR, LawError, build_law, load_law, parse_jurisdiction

RULE = {
    "id": "zz-hours", "title": "A statute", "citation": "Stat. § 1", "source": "https://example.org/stat",
    "reviewed": date(2026, 12, 7), "effective": date(2020, 1, 1), "covers": "texts",
    "hours": {"weekday": "09:00-20:00"}, "quote": "between 9 a.m. and 8 p.m.",
}
FILE = {"code": "OR", "name": "Oregon", "reviewed": date(2026, 12, 7), "finding": "rules",
        "summary": "9:00-20:00 on weekdays.", "checked": [], "rules": [RULE]}


def refused(file: str = "OR.yaml", **changes) -> str:
    with pytest.raises(LawError) as exc:
        parse_jurisdiction({**FILE, **changes}, file)
    return str(exc.value)


def test_every_shipped_file_loads_and_names_its_jurisdiction():
    law = load_law()
    files = sorted(p.stem for p in LAW_DIR.glob("*.yaml"))
    assert "US" in files and law.federal.citation.startswith("47 CFR 64.1200")
    assert sorted(law.jurisdictions) == [f for f in files if f != "US"]
    for code, j in law.jurisdictions.items():
        assert j.summary and j.reviewed <= date.today()
        assert j.finding == "rules" and j.rules or j.finding == "federal_only" and j.checked, code
        for rule in j.rules:
            assert rule.quote and rule.source.startswith("http") and rule.covers in ("texts", "calls", "prerecorded")


def test_a_file_without_what_a_rule_needs_is_refused_with_its_place():
    assert "OR.yaml rule 1: unknown key(s) colour" in refused(rules=[{**RULE, "colour": "red"}])
    no_covers = {k: v for k, v in RULE.items() if k != "covers"}
    assert "OR.yaml rule 1: covers is required" in refused(rules=[no_covers])
    assert "covers is one of texts, calls, prerecorded, not 'faxes'" in refused(rules=[{**RULE, "covers": "faxes"}])
    assert "clock is one of local, standard" in refused(rules=[{**RULE, "clock": "solar"}])
    assert "unknown holiday(s) groundhog_day" in refused(rules=[{**RULE, "holidays": ["flag_day", "groundhog_day"]}])
    assert "finding is rules but there are none" in refused(rules=[])
    assert "federal_only has no rules and lists what was checked" in refused(finding="federal_only")
    assert "federal_only has no rules and lists what was checked" in refused(finding="federal_only", rules=[])
    assert "OR.yaml: holds code WA: the file must be named WA.yaml" in refused(code="WA")
    assert "is not US or a state or territory code" in refused("XX.yaml", code="XX")


def test_a_federal_only_finding_says_what_was_read():
    j = parse_jurisdiction({**FILE, "finding": "federal_only", "rules": [], "checked": [
        {"citation": "ORS 646.569", "source": "https://example.org/ors", "note": "do-not-call only"}]}, "OR.yaml")
    assert j.rules == () and j.checked[0].citation == "ORS 646.569"


def test_a_rule_id_used_in_two_files_is_refused():
    federal = parse_jurisdiction(yaml.safe_load((LAW_DIR / "US.yaml").read_text()), "US.yaml")
    oregon = parse_jurisdiction(FILE, "OR.yaml")
    washington = parse_jurisdiction({**FILE, "code": "WA", "name": "Washington"}, "WA.yaml")
    with pytest.raises(LawError, match="rule id 'zz-hours' is used twice"):
        build_law([federal, oregon, washington])


def test_a_folder_without_law_files_is_refused(tmp_path: Path):
    with pytest.raises(LawError, match="no law files"):
        load_law.__wrapped__(tmp_path)


# The days each named holiday fell or falls on, read off a calendar by hand.
BY_HAND = {
    2027: {"new_years_day": date(2027, 1, 1), "battle_of_new_orleans": date(2027, 1, 8),
           "mlk_day": date(2027, 1, 18), "lincolns_birthday": date(2027, 2, 12),
           "presidents_day": date(2027, 2, 15), "mardi_gras": date(2027, 2, 9), "arbor_day": date(2027, 4, 30),
           "good_friday": date(2027, 3, 26), "memorial_day": date(2027, 5, 31), "flag_day": date(2027, 6, 14),
           "juneteenth": date(2027, 6, 19), "independence_day": date(2027, 7, 4),
           "huey_p_long_day": date(2027, 8, 30), "labor_day": date(2027, 9, 6),
           "columbus_day": date(2027, 10, 11), "all_saints_day": date(2027, 11, 1),
           "election_day": date(2027, 11, 2), "veterans_day": date(2027, 11, 11),
           "thanksgiving": date(2027, 11, 25), "day_after_thanksgiving": date(2027, 11, 26),
           "christmas_eve": date(2027, 12, 24), "christmas": date(2027, 12, 25),
           "confederate_memorial_day_al": date(2027, 4, 26), "confederate_memorial_day_ms": date(2027, 4, 26),
           "ri_independence_day": date(2027, 5, 4), "jefferson_davis_birthday": date(2027, 6, 7),
           "juneteenth_utah": date(2027, 6, 21), "pioneer_day": date(2027, 7, 24), "victory_day": date(2027, 8, 9),
           # July 4, 2027 is a Sunday, June 19 and December 25 Saturdays.
           "independence_day_monday_if_sunday": date(2027, 7, 5), "independence_day_monday_if_weekend": date(2027, 7, 5),
           "juneteenth_monday_if_weekend": date(2027, 6, 21), "christmas_monday_if_weekend": date(2027, 12, 27)},
    2028: {"arbor_day": date(2028, 4, 28), "mlk_day": date(2028, 1, 17), "presidents_day": date(2028, 2, 21), "mardi_gras": date(2028, 2, 29),
           "good_friday": date(2028, 4, 14), "memorial_day": date(2028, 5, 29), "labor_day": date(2028, 9, 4),
           "columbus_day": date(2028, 10, 9), "election_day": date(2028, 11, 7),
           "thanksgiving": date(2028, 11, 23), "day_after_thanksgiving": date(2028, 11, 24),
           "confederate_memorial_day_al": date(2028, 4, 24), "confederate_memorial_day_ms": date(2028, 4, 24),
           "jefferson_davis_birthday": date(2028, 6, 5), "juneteenth_utah": date(2028, 6, 19),
           "victory_day": date(2028, 8, 14), "election_day_even_years": date(2028, 11, 7),
           # January 1 and November 11, 2028 are Saturdays.
           "new_years_day_monday_if_weekend": date(2028, 1, 3), "veterans_day_monday_if_weekend": date(2028, 11, 13)},
    2029: {"arbor_day": date(2029, 4, 27), "mlk_day": date(2029, 1, 15), "inauguration_day": date(2029, 1, 20), "presidents_day": date(2029, 2, 19),
           "mardi_gras": date(2029, 2, 13), "good_friday": date(2029, 3, 30), "memorial_day": date(2029, 5, 28),
           "labor_day": date(2029, 9, 3), "columbus_day": date(2029, 10, 8), "election_day": date(2029, 11, 6),
           "thanksgiving": date(2029, 11, 22), "day_after_thanksgiving": date(2029, 11, 23),
           "confederate_memorial_day_al": date(2029, 4, 23), "confederate_memorial_day_ms": date(2029, 4, 30),
           "jefferson_davis_birthday": date(2029, 6, 4), "juneteenth_utah": date(2029, 6, 18),
           "victory_day": date(2029, 8, 13),
           # November 11, 2029 is a Sunday.
           "veterans_day_monday_if_sunday": date(2029, 11, 12), "veterans_day_monday_if_weekend": date(2029, 11, 12)},
    # Years for the Monday-after names that 2027-2029 never give: December 25 and June 19, 2022
    # were Sundays, January 1, 2023 a Sunday, May 4, 2024 a Saturday and May 4, 2025 a Sunday.
    2022: {"christmas_monday_if_sunday": date(2022, 12, 26), "juneteenth_monday_if_sunday": date(2022, 6, 20)},
    2023: {"new_years_day_monday_if_sunday": date(2023, 1, 2)},
    2024: {"ri_independence_day_monday_if_weekend": date(2024, 5, 6)},
    2025: {"ri_independence_day_monday_if_sunday": date(2025, 5, 5)},
}


@pytest.mark.parametrize("year", sorted(BY_HAND))
def test_named_holidays_fall_on_the_days_a_calendar_gives(year):
    for name, day in BY_HAND[year].items():
        assert named_days((name,), year).keys() == {day}, (name, year)


def test_every_named_holiday_is_dated_by_hand_at_least_once():
    assert set(NAMED_HOLIDAYS) == {name for days in BY_HAND.values() for name in days}


def test_a_monday_after_name_gives_no_day_when_its_holiday_is_a_weekday():
    # July 4, 2028 is a Tuesday; November 11, 2028 a Saturday (not a Sunday); 2027 has no general
    # election in Rhode Island.
    assert named_days(("independence_day_monday_if_weekend",), 2028) == {}
    assert named_days(("veterans_day_monday_if_sunday",), 2028) == {}
    assert named_days(("election_day_even_years",), 2027) == {}


def test_an_observed_new_years_day_on_a_saturday_closes_the_friday_before_in_the_old_year():
    # January 1, 2028 is a Saturday: observed Friday December 31, 2027.
    assert date(2027, 12, 31) in named_days(("new_years_day",), 2027, observed=True)
    assert date(2027, 12, 31) not in named_days(("new_years_day",), 2028, observed=True)


def test_inauguration_day_only_follows_a_presidential_election():
    assert named_days(("inauguration_day",), 2027) == {}
    assert named_days(("inauguration_day",), 2028) == {}


def test_an_observed_list_adds_the_weekday_a_weekend_holiday_moves_to():
    # July 4, 2027 is a Sunday: observed Monday July 5; Christmas 2027 is a Saturday: Friday Dec 24.
    assert set(named_days(("independence_day", "christmas"), 2027, observed=True)) == {
        date(2027, 7, 4), date(2027, 7, 5), date(2027, 12, 25), date(2027, 12, 24)}
    assert set(named_days(("independence_day", "christmas"), 2027)) == {date(2027, 7, 4), date(2027, 12, 25)}


# The 50 states, DC and the five inhabited territories, written here (not read from nurture).
EVERY_JURISDICTION = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU", "AS", "MP",
}


def test_every_jurisdiction_has_a_reviewed_file_with_its_finding():
    law = load_law()
    assert set(law.jurisdictions) == EVERY_JURISDICTION
    for code, j in law.jurisdictions.items():
        assert j.reviewed >= date(2026, 11, 28), f"{code} was last reviewed {j.reviewed}"
        assert j.finding in ("rules", "federal_only")


def test_the_tests_own_statute_table_reads_every_jurisdiction_too():
    import statute_table

    read = set(statute_table.STATUTES) | set(statute_table.NOT_STRICTER) | set(statute_table.AUTOMATED_VOICE_ONLY)
    assert read == EVERY_JURISDICTION and statute_table.NOT_CHECKED == []
