"""The law as a person reads it: each jurisdiction's finding and rules in words, which consent
exemptions a policy uses, and what in the data wants a look (a review over a year old, a rule
about to take effect). `nurture law report` prints it and `nurture doctor` warns from it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from nurture.law.holidays import NAMED_HOLIDAYS
from nurture.law.statutes import DAY_TYPES, Jurisdiction, Law, LawRule

#: A jurisdiction not reviewed for longer than this is out of date.
REVIEW_EVERY = timedelta(days=365)
#: A rule taking effect within this many days is announced.
AHEAD = timedelta(days=30)
#: What each value of `covers` means, in words.
COVERS_WORDS = {"texts": "texts (the statute names them)", "calls": "calls (texts neither named nor excluded)",
                "prerecorded": "prerecorded voice only"}


def _hours(rule: LawRule) -> dict[str, str] | None:
    if rule.hours is None:
        return None
    given = dict(rule.hours)
    return {day: ("no limit" if day not in given else "none" if given[day] is None else str(given[day]))
            for day in DAY_TYPES}


def _holidays(rule: LawRule) -> str | list[str]:
    return list(rule.holidays) if isinstance(rule.holidays, tuple) else rule.holidays


def holidays_words(rule: LawRule) -> str:
    if isinstance(rule.holidays, tuple):
        names = ", ".join(NAMED_HOLIDAYS[n][0] for n in rule.holidays)
        return f"none on {names}" + (" (and the weekday a weekend one moves to)" if rule.holidays_observed else "")
    return {"none": "", "state": "none on the state's legal holidays",
            "federal": "none on the national holidays"}[rule.holidays]


def rule_words(rule: LawRule) -> str:
    """One rule in a sentence: hours per day type, clock, holidays, cap, dates."""
    parts: list[str] = []
    hours = _hours(rule)
    if hours is not None:
        parts.append("; ".join(f"{day} {value}" for day, value in hours.items()))
        if rule.clock == "standard":
            parts.append("hours on standard time all year")
    if holidays_words(rule):
        parts.append(holidays_words(rule))
    if rule.max_per_24h is not None:
        parts.append(f"at most {rule.max_per_24h} in 24 hours")
    if rule.area_code_presumption:
        parts.append("its area codes presumed in the state")
    if rule.emergency_ban:
        parts.append("none during a declared emergency (ops declare it as a blackout)")
    parts.append(f"in force from {rule.effective}" + (f" until {rule.ends}" if rule.ends else ""))
    return ", ".join(parts)


def rule_entry(rule: LawRule, *, lifted: bool) -> dict[str, Any]:
    """A rule as `law report --json` gives it (`lifted`: the policy lifts it for consented leads)."""
    return {
        "id": rule.id, "title": rule.title, "citation": rule.citation, "source": rule.source,
        "reviewed": rule.reviewed.isoformat(), "effective": rule.effective.isoformat(),
        "ends": rule.ends.isoformat() if rule.ends else None, "covers": rule.covers,
        "hours": _hours(rule), "clock": rule.clock, "holidays": _holidays(rule),
        "holidays_observed": rule.holidays_observed, "max_per_24h": rule.max_per_24h,
        "exempt_with_consent": rule.exempt_with_consent, "lifted_for_consented_leads": lifted,
        "area_code_presumption": rule.area_code_presumption, "emergency_ban": rule.emergency_ban,
        "words": rule_words(rule), "quote": rule.quote, "note": rule.note,
    }


def lifted_by(policy: str, rule: LawRule) -> bool:
    """Whether `policy` lifts `rule` for a consented lead (never under strict)."""
    return policy == "statute" and rule.lifted_for_consent()


def _jurisdiction(j: Jurisdiction, policy: str, today: date) -> dict[str, Any]:
    return {
        "code": j.code, "name": j.name, "finding": j.finding, "summary": j.summary,
        "reviewed": j.reviewed.isoformat(), "review_overdue": today - j.reviewed > REVIEW_EVERY,
        "checked": [{"citation": c.citation, "source": c.source, "note": c.note} for c in j.checked],
        "rules": [rule_entry(r, lifted=lifted_by(policy, r)) for r in j.rules],
    }


def law_report(law: Law, policy: str, today: date) -> dict[str, Any]:
    """Every jurisdiction with its rules in words, and the consent exemptions `policy` uses."""
    exemptions = [{"jurisdiction": r.where, "rule": r.id, "citation": r.citation}
                  for r in law.all_rules() if lifted_by(policy, r)]
    return {
        "policy": policy,
        "floor": "no marketing text outside 8:00-21:00 in any zone the lead may be in, whatever the policy",
        "federal": rule_entry(law.federal, lifted=False),
        "jurisdictions": [_jurisdiction(j, policy, today) for j in law.jurisdictions.values()],
        "exemptions_in_use": exemptions,
        "warnings": law_warnings(law, today),
    }


def law_warnings(law: Law, today: date) -> list[str]:
    """What wants a look: jurisdictions reviewed more than a year ago, rules taking effect within the
    next 30 days (after today: a rule in force from today has taken effect)."""
    found = [f"{j.code} was last reviewed on {j.reviewed}, more than a year ago: read its statutes again"
             for j in law.jurisdictions.values() if today - j.reviewed > REVIEW_EVERY]
    found += [f"{r.where} rule {r.id} takes effect on {r.effective} (in {(r.effective - today).days} days): "
              f"{rule_words(r)} ({r.citation}); plans already made for after that day follow it"
              for r in law.all_rules() if today < r.effective <= today + AHEAD]
    return found
