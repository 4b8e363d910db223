"""`nurture templates export DIR` and `nurture templates import DIR` (issue 27 item 4): the set in
effect written to files, and a folder published as the console publishes, all checked first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nurture.cli import app
from nurture.config import get_settings
from nurture.console import authoring
from nurture.db import session_scope
from nurture.published import overlay
from publishing_helpers import clean_sqlite, publish  # noqa: F401 (fixtures, by name)

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SHORT_SALE = "sms/what_is_short_sale.txt"
NEW_TEXT = "{{ company.name }}: in a short sale the lender agrees to take less than the loan. Reply with a good time."


def history(kind: str, name: str) -> list[int]:
    with session_scope() as s:
        return [v.number for v in authoring.history(s, kind, name)]


@pytest.mark.usefixtures("clean_sqlite")
def test_export_writes_the_published_text_over_the_files(tmp_path):
    publish("template", SHORT_SALE, NEW_TEXT)
    result = runner.invoke(app, ["templates", "export", str(tmp_path / "set"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["published"] == [{"kind": "template", "name": SHORT_SALE, "version": 1}]
    assert (tmp_path / "set" / "templates" / SHORT_SALE).read_text() == NEW_TEXT
    assert (tmp_path / "set" / "templates" / "sms" / "welcome.txt").read_text() == \
        (ROOT / "templates" / "sms" / "welcome.txt").read_text()
    urgency = (ROOT / "schedules" / "urgency.yaml").read_text()
    assert (tmp_path / "set" / "schedules" / "urgency.yaml").read_text() == urgency


@pytest.mark.usefixtures("clean_sqlite")
def test_export_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    refused = runner.invoke(app, ["templates", "export", str(tmp_path)])
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert not (tmp_path / "templates").exists()
    forced = runner.invoke(app, ["templates", "export", str(tmp_path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / "templates" / SHORT_SALE).is_file()


@pytest.mark.usefixtures("clean_sqlite")
def test_export_then_import_publishes_nothing_new(tmp_path):
    publish("template", SHORT_SALE, NEW_TEXT)
    assert runner.invoke(app, ["templates", "export", str(tmp_path / "set")]).exit_code == 0
    result = runner.invoke(app, ["templates", "import", str(tmp_path / "set"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["published"] == []
    assert history("template", SHORT_SALE) == [1]


@pytest.mark.usefixtures("clean_sqlite")
def test_import_publishes_each_file_that_differs_with_its_note(tmp_path):
    assert runner.invoke(app, ["templates", "export", str(tmp_path / "set")]).exit_code == 0
    (tmp_path / "set" / "templates" / SHORT_SALE).write_text(NEW_TEXT)
    story = tmp_path / "set" / "schedules" / "story-sms.yaml"
    story.write_text(story.read_text() + "\n# reviewed in December\n")
    dry = runner.invoke(app, ["templates", "import", str(tmp_path / "set"), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would publish templates/sms/what_is_short_sale.txt" in dry.output
    assert history("template", SHORT_SALE) == []
    result = runner.invoke(app, ["templates", "import", str(tmp_path / "set"), "--note", "from git", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["published"] == [
        {"kind": "template", "name": SHORT_SALE, "version": 1},
        {"kind": "schedule", "name": "story-sms.yaml", "version": 1},
    ]
    with session_scope() as s:
        [version] = authoring.history(s, "template", SHORT_SALE)
    assert (version.body, version.note, version.author.startswith("cli:")) == (NEW_TEXT, "from git", True)
    assert (overlay.templates_dir() / SHORT_SALE).read_text() == NEW_TEXT


@pytest.mark.usefixtures("clean_sqlite")
def test_import_with_one_bad_file_publishes_nothing_and_names_the_file_and_line(tmp_path):
    assert runner.invoke(app, ["templates", "export", str(tmp_path / "set")]).exit_code == 0
    (tmp_path / "set" / "templates" / SHORT_SALE).write_text(NEW_TEXT)
    (tmp_path / "set" / "templates" / "sms" / "deficiency.txt").write_text(
        "{{ company.name }}: about the deficiency.\nYour sale is {{ sale_dte }}. Reply with a good time.")
    result = runner.invoke(app, ["templates", "import", str(tmp_path / "set")])
    assert result.exit_code == 1
    assert "templates/sms/deficiency.txt:2: error:" in result.output
    assert "nothing published" in result.output
    assert history("template", SHORT_SALE) == [] and history("template", "sms/deficiency.txt") == []
    assert overlay.templates_dir() == get_settings().templates_dir
