"""`nurture law report [--json]`: every jurisdiction with its rules in words, sources and review dates,
and which consent exemptions the policy uses; `nurture doctor`'s law check: a review over a year
old, a rule about to take effect. Expected values are written from the statutes, not the law files."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import yaml
from typer.testing import CliRunner

from nurture.cli import app
from nurture.cli.checks import law_check
from nurture.clock import clock
from nurture.config import get_settings
from nurture.law.report import law_warnings
from nurture.law.statutes import LAW_DIR, build_law, parse_jurisdiction

runner = CliRunner()
# Every state, DC and the five territories (issue 21).
EVERY = sorted("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
               "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP".split())


def report(*args: str, policy: str = "strict", monkeypatch=None) -> dict:
    if monkeypatch is not None:
        monkeypatch.setenv("NURTURE_STATE_RULES", policy)
    get_settings.cache_clear()
    try:
        r = runner.invoke(app, ["law", "report", "--json", *args])
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def rules_by_id(data: dict) -> dict[str, dict]:
    return {rule["id"]: rule for j in data["jurisdictions"] for rule in j["rules"]}


def test_the_report_lists_each_jurisdiction_with_its_review_and_sources():
    data = report()
    codes = [j["code"] for j in data["jurisdictions"]]
    assert codes == sorted(codes) and set(codes) <= set(EVERY)
    for j in data["jurisdictions"]:
        date.fromisoformat(j["reviewed"])
        assert j["finding"] in ("rules", "federal_only") and j["summary"]
        sources = [r["source"] for r in j["rules"]] + [c["source"] for c in j["checked"]]
        assert sources and all(s.startswith("http") for s in sources), j["code"]
    assert data["federal"]["citation"].startswith("47 CFR 64.1200")


def test_the_report_says_each_rule_in_words():
    rules = rules_by_id(report())
    # Miss. Code § 77-3-723: "8:00 a.m. and 8:00 p.m. Central Standard Time. No telephone solicitations ... Sunday."
    ms = rules["ms-authorized-calls"]
    assert ms["clock"] == "standard" and ms["hours"]["weekday"] == "8:00-20:00" and ms["hours"]["sunday"] == "none"
    assert "standard time" in ms["words"] and "Miss. Code" in ms["citation"]
    # Act 73 of 2019 names Flag Day and Election Day among its holidays.
    pa = rules["pa-legal-holidays"]
    assert {"flag_day", "election_day", "good_friday"} <= set(pa["holidays"])
    assert "Flag Day" in pa["words"] and "Election Day" in pa["words"]
    # Fla. Stat. § 501.616(6)(b): "More than three ... over a 24-hour period".
    assert rules["fl-hours-and-frequency"]["max_per_24h"] == 3
    assert "at most 3 in 24 hours" in rules["fl-hours-and-frequency"]["words"]


def test_strict_uses_no_consent_exemption_and_statute_names_the_ones_it_lifts(monkeypatch):
    assert report(monkeypatch=monkeypatch, policy="strict")["exemptions_in_use"] == []
    data = report(monkeypatch=monkeypatch, policy="statute")
    lifted = {e["rule"] for e in data["exemptions_in_use"]}
    # Tex. Bus. & Com. Code § 301.051 reaches an unsolicited call: lifted for a consented lead.
    assert "tx-hours" in lifted
    # Conn. Gen. Stat. § 42-288a has no consent carve-out, and the federal hours are the floor.
    assert not any(e["jurisdiction"] in ("CT", "US") for e in data["exemptions_in_use"])
    assert data["federal"]["lifted_for_consented_leads"] is False
    assert rules_by_id(data)["tx-hours"]["lifted_for_consented_leads"] is True


def test_the_plain_report_is_readable(monkeypatch):
    monkeypatch.setenv("NURTURE_STATE_RULES", "statute")
    get_settings.cache_clear()
    try:
        r = runner.invoke(app, ["law", "report"])
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 0, r.output
    assert "NURTURE_STATE_RULES=statute" in r.stdout
    assert "Consent exemptions in use: " in r.stdout and "tx-hours" in r.stdout.split("\n")[1]
    assert "CT  Connecticut  rules  (reviewed " in r.stdout
    assert "source: https://" in r.stdout


def _law(reviewed: date, effective: date):
    federal = parse_jurisdiction(yaml.safe_load((LAW_DIR / "US.yaml").read_text()), "US.yaml")
    rule = {"id": "or-new", "title": "A statute", "citation": "Or. Laws 2027, ch. 9", "source": "https://example.org/or",
            "reviewed": reviewed, "effective": effective, "covers": "texts", "max_per_24h": 3, "quote": "three"}
    return build_law([federal, parse_jurisdiction({"code": "OR", "name": "Oregon", "reviewed": reviewed,
                                                    "finding": "rules", "summary": "Three a day.", "checked": [],
                                                    "rules": [rule]}, "OR.yaml")])


def test_law_warnings_name_an_old_review_and_a_rule_about_to_take_effect():
    today = date(2027, 3, 1)
    assert law_warnings(_law(date(2026, 12, 7), date(2026, 1, 1)), today) == []
    old = law_warnings(_law(date(2026, 2, 27), date(2026, 1, 1)), today)
    assert len(old) == 1 and old[0].startswith("OR was last reviewed on 2026-02-27, more than a year ago")
    assert law_warnings(_law(date(2026, 3, 1), date(2026, 1, 1)), today) == []  # exactly a year: not yet
    soon = law_warnings(_law(date(2026, 12, 7), date(2027, 3, 31)), today)
    assert len(soon) == 1 and "or-new takes effect on 2027-03-31 (in 30 days)" in soon[0]
    assert law_warnings(_law(date(2026, 12, 7), date(2027, 4, 1)), today) == []
    assert law_warnings(_law(date(2026, 12, 7), today), today) == []  # in force from today: taken effect
    assert len(law_warnings(_law(date(2026, 12, 7), date(2027, 3, 2)), today)) == 1  # tomorrow


def test_doctor_warns_about_the_shipped_law_when_a_review_is_a_year_old():
    clock.freeze(datetime(2028, 6, 1, 15, tzinfo=UTC))
    try:
        check = law_check()
    finally:
        clock.reset()
    assert check.name == "law" and check.status == "warn"
    assert "more than a year ago" in check.detail and "nurture law report" in check.detail
