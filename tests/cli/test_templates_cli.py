"""`nurture templates lint|preview` through the real CLI app."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nurture import db
from nurture.cli import app
from nurture.config import get_settings
from nurture.models import Lead

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def faulty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Shipped templates plus one undefined name, as NURTURE_TEMPLATES_DIR."""
    target = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", target)
    (target / "sms" / "next_steps.txt").write_text("Hi {{ lead.first_name }}\n{{ lead.nickname }}\n")
    monkeypatch.setenv("NURTURE_TEMPLATES_DIR", str(target))
    get_settings.cache_clear()
    return target


def test_lint_passes_on_the_shipped_templates(runner):
    result = runner.invoke(app, ["templates", "lint"])
    assert result.exit_code == 0, result.output
    # 22 texts (with _help and _stop) and 18 emails since issue 24 added the action content.
    assert "40 templates and 1 variant(s)" in result.output and "0 error(s)" in result.output


def test_lint_exits_1_and_prints_file_line_and_problem(runner, faulty):
    result = runner.invoke(app, ["templates", "lint"])
    assert result.exit_code == 1
    path = faulty / "sms" / "next_steps.txt"
    assert f"{path}:2: error: undefined name: 'lead' has no attribute 'nickname'" in result.output


def test_lint_json_is_a_list_of_findings(runner, faulty):
    result = runner.invoke(app, ["templates", "lint", "--json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert findings == [
        {
            "file": str(faulty / "sms" / "next_steps.txt"),
            "line": 2,
            "severity": "error",
            "problem": "undefined name: 'lead' has no attribute 'nickname' (sample lead 'critical')",
        }
    ]


def test_lint_json_is_empty_for_the_shipped_templates(runner):
    result = runner.invoke(app, ["templates", "lint", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_preview_of_sms_shows_segments_encoding_and_text(runner):
    result = runner.invoke(app, ["templates", "preview", "sms/negative_equity", "--sample", "critical"])
    assert result.exit_code == 0, result.output
    assert "sms: 2 segment(s), GSM-7" in result.output
    assert "Short Sale Help: You owe about $425,000 on a home worth about $375,000" in result.output


def test_preview_of_email_prints_subject_and_writes_html(runner, tmp_path):
    out = tmp_path / "email.html"
    result = runner.invoke(
        app, ["templates", "preview", "email/welcome", "--sample", "early", "--html-out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "subject: Robert, thanks for reaching out" in result.output
    assert "Hi Robert," in result.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Hi Robert," in html


def test_preview_json_has_the_rendered_message(runner):
    result = runner.invoke(app, ["templates", "preview", "sms/welcome", "--sample", "urgent", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["template"] == "sms/welcome" and data["channel"] == "sms"
    assert data["encoding"] == "GSM-7" and data["segments"] >= 1
    assert "Reply STOP to opt out" in data["text"]


def test_preview_accepts_a_file_name(runner):
    result = runner.invoke(app, ["templates", "preview", "templates/sms/deficiency.txt"])
    assert result.exit_code == 0, result.output
    assert "template: sms/deficiency" in result.output


def test_preview_for_a_lead_from_the_database(runner, sqlite_url):
    with db.session_scope() as session:
        lead = Lead(
            first_name="Ana",
            last_name="Diaz",
            phone="+13055550100",
            timezone="America/New_York",
            mortgage_balance_cents=300_000_00,
            estimated_value_cents=260_000_00,
        )
        session.add(lead)
        session.flush()
        lead_id = lead.id
    result = runner.invoke(app, ["templates", "preview", "email/negative_equity", "--lead", str(lead_id)])
    assert result.exit_code == 0, result.output
    assert 'subject: What "worth less than you owe" means' in result.output  # no money in a subject
    assert "$40,000" in result.output
    assert "/r/0h." in result.output  # a preview's short link: it names no message and counts nothing


def test_preview_of_a_missing_lead_fails_on_stderr(runner, sqlite_url):
    result = runner.invoke(app, ["templates", "preview", "sms/welcome", "--lead", "999"])
    assert result.exit_code == 1
    assert "no lead with id 999" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["templates", "preview", "sms/nope"], "no template file"),
        (["templates", "preview", "fax/welcome"], "is not a template name"),
        (["templates", "preview", "sms/welcome", "--sample", "weird"], "unknown sample 'weird'"),
        (["templates", "preview", "sms/welcome", "--html-out", "x.html"], "has no HTML part"),
    ],
)
def test_preview_errors_go_to_stderr_with_a_nonzero_exit(runner, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.stderr


def test_preview_of_a_broken_template_names_it(runner, faulty):
    result = runner.invoke(app, ["templates", "preview", "sms/next_steps"])
    assert result.exit_code == 1
    assert "sms/next_steps" in result.stderr and "nickname" in result.stderr


def test_preview_of_the_estimated_sample_says_the_date_is_an_estimate(runner):
    result = runner.invoke(app, ["templates", "preview", "sms/sale_countdown", "--sample", "sale_estimated"])
    assert result.exit_code == 0, result.output
    header, _, text = result.output.partition("-" * 60)
    assert "sample lead 'sale_estimated'" in header and "is an estimate (earliest sale " in header
    assert "could be held as soon as" in text and "set for" not in text


@pytest.fixture
def half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Shipped templates with one text that says ½ (not GSM-7; Twilio's look-alike is 1/2)."""
    target = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", target, ignore=shutil.ignore_patterns("es"))
    (target / "sms" / "credit_impact.txt").write_text("{{ company.name }}: \u00bd of owners ask early.\n")
    monkeypatch.setenv("NURTURE_TEMPLATES_DIR", str(target))
    monkeypatch.setenv("NURTURE_PUBLIC_URL", "http://127.0.0.1:8000")
    get_settings.cache_clear()
    return target


def test_preview_of_a_ucs2_text_names_the_characters_and_the_option_that_avoids_them(runner, half):
    result = runner.invoke(app, ["templates", "preview", "sms/credit_impact", "--sample", "early"])
    assert result.exit_code == 0, result.output
    # "Short Sale Help: ½ of owners ask early." (39), a newline and the short form (70): 110 UCS-2 units.
    assert "sms: 2 segment(s), UCS-2 because of '\u00bd', 110 characters" in result.output
    assert "add {# encoding: smart #} as the template's first line" in result.output
    data = json.loads(runner.invoke(app, ["templates", "preview", "sms/credit_impact", "--json"]).stdout)
    assert (data["encoding"], data["segments"], data["non_gsm_chars"]) == ("UCS-2", 2, ["\u00bd"])


def test_preview_of_a_text_with_the_option_shows_what_is_sent(runner, half):
    path = half / "sms" / "credit_impact.txt"
    path.write_text("{# encoding: smart #}\n" + path.read_text())
    result = runner.invoke(app, ["templates", "preview", "sms/credit_impact", "--sample", "early"])
    # ½ becomes 1/2: 112 characters, GSM-7, one segment.
    assert "sms: 1 segment(s), GSM-7, 112 characters" in result.output
    assert "Short Sale Help: 1/2 of owners ask early." in result.output and "encoding: smart" not in result.output
    data = json.loads(runner.invoke(app, ["templates", "preview", "sms/credit_impact", "--json"]).stdout)
    assert (data["encoding"], data["segments"], data["non_gsm_chars"]) == ("GSM-7", 1, [])
