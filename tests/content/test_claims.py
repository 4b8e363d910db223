"""Banned claims (Regulation O, 12 CFR 1015.3): `templates lint` fails a template that guarantees,
promises to stop the sale, claims the government's or the lender's approval, tells the lead not to
talk to the lender, says to stop paying without the notice, or overstates chances or timing; a MARS
provider cannot mark a phrase as reviewed. The phrases below are written by hand from the rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nurture.config import Settings
from nurture.content import lint
from nurture.content.claims import claim_problems

ROOT = Path(__file__).resolve().parents[2]

# One line each, with the section of 12 CFR 1015.3 it breaks.
BANNED = [
    ("We guarantee your short sale will be approved.", "1015.3(b)(1)"),
    ("Our results are 100% guaranteed.", "1015.3(b)(1)"),
    ("It is risk-free to start.", "1015.3(b)(1)"),
    ("We can stop your foreclosure.", "1015.3(b)(1)"),
    ("We will postpone the sale for you.", "1015.3(b)(1)"),
    ("Let us save your home.", "1015.3(b)(1)"),
    ("Most lenders approve a short sale like yours.", "1015.3(b)(1)"),
    ("Short sales close in days.", "1015.3(b)(2)"),
    ("We can close in a week.", "1015.3(b)(2)"),
    ("This is a government program for homeowners.", "1015.3(b)(3)"),
    ("Our service is approved by your lender.", "1015.3(b)(3)"),
    ("We are HUD approved.", "1015.3(b)(3)"),
    ("Do not contact your lender while we work.", "1015.3(a)"),
    ("Don't talk to your bank.", "1015.3(a)"),
    ("You can stop paying your mortgage while we negotiate.", "1015.3(b)(4)"),
]

HONEST = [
    "We can't guarantee what your lender will decide.",
    "There is no guarantee your lender will agree.",
    "A HUD-approved housing counselor can help for free.",
    "Ask your lender whether it will postpone the sale.",
    "Your sale is in 10 days.",
    "Please talk to your lender or an attorney today.",
    "Don't stop paying your mortgage without talking to your lender.",
    "Lenders often take weeks to review a short sale; the lender decides.",
]


def problems(text: str, tmp_path: Path, status: str = "provider") -> list:
    path = tmp_path / "t.txt"
    path.write_text(text)
    return claim_problems(path, status=status)


@pytest.mark.parametrize(("line", "section"), BANNED)
def test_each_banned_claim_is_found_with_its_section(line, section, tmp_path):
    found = problems(f"{{{{ lead.first_name }}}},\n{line}\n", tmp_path)
    assert len(found) == 1, found
    assert found[0].line == 2
    assert f"12 CFR {section}" in found[0].problem


@pytest.mark.parametrize("line", HONEST)
def test_honest_wording_is_not_a_claim(line, tmp_path):
    assert problems(line, tmp_path) == []


def test_stop_paying_passes_only_with_its_notice_beside_it(tmp_path):
    said = "If you stop paying your mortgage while we talk to your lender, know this."
    assert problems(said, tmp_path)
    assert problems(said + "\n{{ notice.stop_paying }}", tmp_path) == []
    written = said + "\nIf you stop paying your mortgage, you could lose your home and damage your credit rating."
    assert problems(written, tmp_path) == []


def test_only_statuses_other_than_provider_may_mark_a_phrase_reviewed(tmp_path):
    text = "Most lenders approve these. {# claim-reviewed: Most lenders approve #}"
    assert problems(text, tmp_path, "attorney") == []
    assert problems(text, tmp_path, "licensed_agent") == []
    found = problems(text, tmp_path, "provider")
    assert len(found) == 2
    assert "1015.3(b)(1)" in found[0].problem
    assert "does not apply" in found[1].problem and "'provider'" in found[1].problem
    # The mark covers only the phrase it names.
    assert len(problems("We guarantee it. {# claim-reviewed: Most lenders approve #}", tmp_path, "attorney")) == 1


def test_lint_fails_a_template_with_every_banned_claim_naming_file_line_phrase_and_section(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    path = folder / "email" / "deficiency.md"
    lines = path.read_text().splitlines()
    body_start = len(lines) + 1
    path.write_text("\n".join(lines + [line for line, _ in BANNED]) + "\n")
    settings = Settings(templates_dir=folder)
    found = [f for f in lint(folder, settings) if f.file == str(path) and f.severity == "error"]
    by_line = {f.line: f for f in found}
    for offset, (line, section) in enumerate(BANNED):
        finding = by_line.get(body_start + offset)
        assert finding is not None, line
        assert "banned claim" in finding.problem and f"12 CFR {section}" in finding.problem
        assert str(finding).startswith(f"{path}:{body_start + offset}: error:")


def test_shipped_templates_and_layouts_make_no_banned_claim():
    """Tolerates nothing: every shipped template and layout, under the default status."""
    paths = sorted(p for folder in ("sms", "email", "layouts") for p in (ROOT / "templates" / folder).iterdir()
                   if p.is_file() and p.suffix in {".txt", ".md", ".html"})
    found = {str(p.relative_to(ROOT)): [str(c.line) + ": " + c.problem for c in claim_problems(p, status="provider")]
             for p in paths}
    assert {k: v for k, v in found.items() if v} == {}
