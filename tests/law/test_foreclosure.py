"""Foreclosure timelines (nurture/law/foreclosure/, docs/law.md "Foreclosure timelines"): every file
loads, a wrong file is refused naming the file, the key and the problem, and the earliest sale date
is the recording date plus the waits, moved to an allowed sale day. Expected dates are worked out by
hand from a calendar in each test, never by the product's helpers."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from nurture.geo import US_STATES
from nurture.law.foreclosure import (
    FORECLOSURE_DIR,
    RECORD_TYPES,
    earliest_sale,
    load_all,
    parse_timeline,
    timeline,
)
from nurture.law.statutes import LawError

WAIT = {"months": 3, "why": "three months' wait", "citation": "Stat. § 1", "source": "https://example.org/1"}
FILE = {"code": "OR", "name": "Oregon", "reviewed": date(2026, 12, 7), "usual": "nonjudicial",
        "records": {"notice_of_default": {"waits": [WAIT]}}, "note": "what was read"}
#: The 50 states and DC: the table covers every one (territories are out of scope).
JURISDICTIONS = sorted(US_STATES - {"PR", "VI", "GU", "AS", "MP"})


def refused(file: str = "OR.yaml", **changes) -> str:
    with pytest.raises(LawError) as exc:
        parse_timeline({**FILE, **changes}, file)
    return str(exc.value)


def waits(*items: dict) -> dict:
    return {"notice_of_default": {"waits": list(items)}}


def test_every_shipped_file_loads_for_the_50_states_and_dc():
    files = sorted(p.stem for p in FORECLOSURE_DIR.glob("*.yaml"))
    loaded = load_all()
    assert sorted(loaded) == files
    assert files == JURISDICTIONS and len(files) == 51
    for code, found in loaded.items():
        assert found.code == code and found.name and found.note and found.reviewed <= date(2026, 12, 31)
        assert found.usual in ("judicial", "nonjudicial")
        for record, steps in found.records.items():
            assert record in RECORD_TYPES and steps, code
            assert all(w.source.startswith("http") and w.citation and w.why for w in steps), code


def test_a_wrong_file_names_the_file_the_key_and_the_problem():
    assert "OR.yaml: unknown key(s) colour" in refused(colour="red")
    assert "OR.yaml: holds code WA: the file must be named WA.yaml" in refused(code="WA")
    assert "code 'XX' is not a state's two-letter postal code" in refused("XX.yaml", code="XX")
    assert "OR.yaml: usual is one of judicial, nonjudicial, not 'sometimes'" in refused(usual="sometimes")
    assert "OR.yaml: reviewed 'last week' is not a date" in refused(reviewed="last week")
    assert "OR.yaml: note is required" in refused(note="  ")
    assert "OR.yaml: records: unknown record type(s) notice_of_default_x" in refused(
        records={"notice_of_default_x": {"waits": [WAIT]}})
    assert "OR.yaml records.notice_of_default: waits is a list of at least one wait" in refused(
        records={"notice_of_default": {"waits": []}})
    place = "OR.yaml records.notice_of_default.waits[2]"
    assert f"{place}: a wait has exactly one of months or days" in refused(
        records=waits(WAIT, {**WAIT, "days": 20}))
    no_unit = {k: v for k, v in WAIT.items() if k != "months"}
    assert f"{place}: a wait has exactly one of months or days" in refused(records=waits(WAIT, no_unit))
    assert f"{place}: months is a whole number from 1 to 24, not 25" in refused(records=waits(WAIT, {**WAIT, "months": 25}))
    assert f"{place}: months is a whole number from 1 to 24, not 0" in refused(records=waits(WAIT, {**WAIT, "months": 0}))
    days = {**no_unit, "days": 731}
    assert f"{place}: days is a whole number from 0 to 730, not 731" in refused(records=waits(WAIT, days))
    assert f"{place}: days is a whole number from 0 to 730, not '20'" in refused(records=waits(WAIT, {**days, "days": "20"}))
    assert f"{place}: citation is required" in refused(records=waits(WAIT, {**WAIT, "citation": ""}))
    assert f"{place}: source is required" in refused(records=waits(WAIT, {k: v for k, v in WAIT.items() if k != "source"}))
    assert f"{place}: unknown key(s) weeks" in refused(records=waits(WAIT, {**WAIT, "weeks": 2}))
    assert "OR.yaml sale_days: rule is one of first_tuesday, weekday, any, not 'full_moon'" in refused(
        sale_days={"rule": "full_moon", "citation": "Stat. § 2", "source": "https://example.org/2"})
    assert "OR.yaml sale_days: citation is required" in refused(
        sale_days={"rule": "weekday", "source": "https://example.org/2"})


def test_a_bad_file_on_disk_is_refused_with_its_name(tmp_path: Path):
    (tmp_path / "OR.yaml").write_text(yaml.safe_dump({**FILE, "records": waits({**WAIT, "months": 300})}))
    with pytest.raises(LawError, match=r"OR.yaml records.notice_of_default.waits\[1\]: months is a whole number"):
        load_all.__wrapped__(tmp_path)
    (tmp_path / "OR.yaml").write_text("code: OR\nname: [unclosed\n")
    with pytest.raises(LawError, match="OR.yaml: cannot be read"):
        load_all.__wrapped__(tmp_path)


def test_a_folder_without_files_is_refused(tmp_path: Path):
    with pytest.raises(LawError, match="no foreclosure files"):
        load_all.__wrapped__(tmp_path)


def one_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **changes) -> None:
    """Makes the loader read a single made-up Oregon file from tmp_path."""
    (tmp_path / "OR.yaml").write_text(yaml.safe_dump({**FILE, **changes}), encoding="utf-8")
    only = load_all.__wrapped__(tmp_path)
    monkeypatch.setattr("nurture.law.foreclosure.load_all", lambda: only)


def test_a_month_wait_clips_to_the_end_of_a_shorter_month(tmp_path, monkeypatch):
    one_state(tmp_path, monkeypatch, records=waits({**WAIT, "months": 1}))
    # 2027-01-31 + 1 month: February 2027 has 28 days, so 2027-02-28.
    assert earliest_sale("OR", "notice_of_default", date(2027, 1, 31)).on == date(2027, 2, 28)
    # 2028-01-31 + 1 month: 2028 is a leap year, so 2028-02-29.
    assert earliest_sale("OR", "notice_of_default", date(2028, 1, 31)).on == date(2028, 2, 29)
    # 2026-08-31 + 1 month: September has 30 days, so 2026-09-30.
    assert earliest_sale("OR", "notice_of_default", date(2026, 8, 31)).on == date(2026, 9, 30)


def test_waits_are_added_in_their_order(tmp_path, monkeypatch):
    days = {k: v for k, v in WAIT.items() if k != "months"} | {"days": 1}
    one_state(tmp_path, monkeypatch, records=waits({**WAIT, "months": 1}, days))
    # Months then a day: 2027-01-31 + 1 month = 2027-02-28 (clipped), + 1 day = 2027-03-01.
    assert earliest_sale("OR", "notice_of_default", date(2027, 1, 31)).on == date(2027, 3, 1)
    one_state(tmp_path, monkeypatch, records=waits(days, {**WAIT, "months": 1}))
    # A day then a month: 2027-01-30 + 1 day = 2027-01-31, + 1 month = 2027-02-28 (clipped); months first
    # would have given 2027-01-30 + 1 month = 2027-02-28, + 1 day = 2027-03-01.
    assert earliest_sale("OR", "notice_of_default", date(2027, 1, 30)).on == date(2027, 2, 28)


def test_a_first_tuesday_rule_moves_the_sale_to_a_month_s_first_tuesday(tmp_path, monkeypatch):
    days = {k: v for k, v in WAIT.items() if k != "months"}
    rule = {"rule": "first_tuesday", "citation": "Sale Stat. § 9", "source": "https://example.org/9"}
    one_state(tmp_path, monkeypatch, sale_days=rule, records=waits({**days, "days": 0}))
    # March 2027 begins on a Monday: its first Tuesday is 2027-03-02.
    assert earliest_sale("OR", "notice_of_default", date(2027, 3, 1)).on == date(2027, 3, 2)
    # The first Tuesday itself stays.
    assert earliest_sale("OR", "notice_of_default", date(2027, 3, 2)).on == date(2027, 3, 2)
    # 2027-03-03 is past March's first Tuesday: April 2027 begins on a Thursday, first Tuesday 2027-04-06.
    found = earliest_sale("OR", "notice_of_default", date(2027, 3, 3))
    assert found.on == date(2027, 4, 6)
    assert found.reason == ("earliest sale 2027-04-06: notice of default recorded 2027-03-03 + 0 days (Stat. § 1), "
                            "moved to the first Tuesday of a month (Sale Stat. § 9)")
    assert found.citations == ("Stat. § 1", "Sale Stat. § 9")
    # December 2026's first Tuesday is 2026-12-01; from 2026-12-02 the next is January 2027's: 2027-01-05.
    assert earliest_sale("OR", "notice_of_default", date(2026, 12, 2)).on == date(2027, 1, 5)


def test_a_weekday_rule_moves_a_weekend_sale_to_monday(tmp_path, monkeypatch):
    days = {k: v for k, v in WAIT.items() if k != "months"}
    rule = {"rule": "weekday", "citation": "Sale Stat. § 9", "source": "https://example.org/9"}
    one_state(tmp_path, monkeypatch, sale_days=rule, records=waits({**days, "days": 2}))
    # 2027-03-04 (Thursday) + 2 days = 2027-03-06, a Saturday: Monday 2027-03-08.
    assert earliest_sale("OR", "notice_of_default", date(2027, 3, 4)).on == date(2027, 3, 8)
    # 2027-03-05 (Friday) + 2 days = Sunday 2027-03-07: Monday 2027-03-08.
    assert earliest_sale("OR", "notice_of_default", date(2027, 3, 5)).on == date(2027, 3, 8)
    # 2027-03-01 (Monday) + 2 days = Wednesday 2027-03-03: as is, and the reason names no move.
    found = earliest_sale("OR", "notice_of_default", date(2027, 3, 1))
    assert found.on == date(2027, 3, 3) and "moved" not in found.reason


def test_an_any_day_rule_keeps_a_sunday(tmp_path, monkeypatch):
    days = {k: v for k, v in WAIT.items() if k != "months"}
    rule = {"rule": "any", "citation": "Sale Stat. § 9", "source": "https://example.org/9"}
    one_state(tmp_path, monkeypatch, sale_days=rule, records=waits({**days, "days": 3}))
    # 2027-03-04 (Thursday) + 3 days = Sunday 2027-03-07.
    assert earliest_sale("OR", "notice_of_default", date(2027, 3, 4)).on == date(2027, 3, 7)


def test_an_unknown_state_gives_no_estimate_with_its_reason():
    found = earliest_sale("ZZ", "notice_of_default", date(2027, 3, 4))
    assert found.on is None and found.citations == () and "'ZZ'" in found.reason
    assert timeline("ZZ") is None
    # A territory has no foreclosure file either.
    assert earliest_sale("PR", "notice_of_sale", date(2027, 3, 4)).on is None


def test_a_record_type_the_file_leaves_out_gives_no_estimate(tmp_path, monkeypatch):
    one_state(tmp_path, monkeypatch)
    found = earliest_sale("OR", "lis_pendens", date(2027, 3, 4))
    assert found.on is None and found.citations == ()
    assert found.reason == "no estimate: Oregon's file gives no statutory minimum from a lis pendens (its note says why)"


def test_a_record_type_that_does_not_exist_is_a_programming_error():
    with pytest.raises(ValueError, match="record is one of notice_of_default, lis_pendens"):
        earliest_sale("CA", "eviction", date(2027, 3, 4))


def test_a_long_reason_stays_one_readable_line(tmp_path, monkeypatch):
    long = {**WAIT, "months": 1, "citation": "A very long citation of a statute, § " + "1" * 120}
    one_state(tmp_path, monkeypatch, records=waits(long, long, long))
    found = earliest_sale("OR", "notice_of_default", date(2027, 1, 15))
    # 2027-01-15 + 1 + 1 + 1 months = 2027-04-15; the citations are dropped from the line, kept in citations.
    assert found.on == date(2027, 4, 15) and len(found.reason) <= 300
    assert found.reason == "earliest sale 2027-04-15: notice of default recorded 2027-01-15 + 1 month + 1 month + 1 month"
    assert found.citations == (long["citation"],)
