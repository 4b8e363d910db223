"""`nurture law report`: every jurisdiction's finding and rules in words, with sources and review
dates, and which consent exemptions the configured policy (NURTURE_STATE_RULES) uses."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from nurture.cli.common import out, print_json
from nurture.clock import now
from nurture.config import get_settings
from nurture.law import load_law
from nurture.law.report import COVERS_WORDS, law_report

app = typer.Typer(no_args_is_help=True)


def _rule_lines(rule: dict[str, Any]) -> list[str]:
    consent = ("lifted for consented leads (statute policy)" if rule["lifted_for_consented_leads"]
               else "statute exempts consented leads (not lifted under this policy)" if rule["exempt_with_consent"]
               else "no consent exemption")
    return [f"  - {rule['id']}: {rule['words']}",
            f"      covers {COVERS_WORDS[rule['covers']]}; consent: {consent}",
            f"      {rule['citation']} (reviewed {rule['reviewed']})",
            f"      source: {rule['source']}"]


def _print(report: dict[str, Any]) -> None:
    out(f"[bold]Policy[/bold]: NURTURE_STATE_RULES={report['policy']}; floor: {escape(report['floor'])}")
    lifted = report["exemptions_in_use"]
    out("Consent exemptions in use: " + (", ".join(f"{e['jurisdiction']} {e['rule']} ({e['citation']})"
                                                    for e in lifted) if lifted else "none"), markup=False)
    out("")
    out("US  United States (federal)", markup=False)
    for line in _rule_lines(report["federal"]):
        out(line, markup=False)
    for j in report["jurisdictions"]:
        overdue = "  [review over a year old]" if j["review_overdue"] else ""
        out(f"{j['code']}  {j['name']}  {j['finding']}  (reviewed {j['reviewed']}){overdue}", markup=False)
        out(f"  {j['summary']}", markup=False)
        for rule in j["rules"]:
            for line in _rule_lines(rule):
                out(line, markup=False)
        for checked in j["checked"]:
            out(f"  read: {checked['citation']} ({checked['source']})", markup=False)
    if report["warnings"]:
        out("")
        for warning in report["warnings"]:
            out(f"warn: {warning}", markup=False)


@app.command("report")
def report(as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False) -> None:
    """Every jurisdiction: its finding, rules in words (hours per day, clock, holidays, caps, what they cover,
    consent exemption, dates), citation, source and review date; and the consent exemptions in use."""
    data = law_report(load_law(), get_settings().state_rules, now().date())
    if as_json:
        print_json(data)
    else:
        _print(data)
