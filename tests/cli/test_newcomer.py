"""What a newcomer meets first (issue 20 item 1): `nurture demo` on an install without the test
extras, and an unexpected error that says what broke and where, its message withheld unless it is
only a module's name. `.ci/newcomer` plays the whole path on a fresh venv; these are its parts
that run in the suite."""

from __future__ import annotations

import importlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: httpx (FastAPI's TestClient) comes only with the test extras: here it cannot be imported.
WITHOUT_HTTPX = "import sys; sys.modules['httpx'] = None; from nurture.cli import main; main()"


def test_demo_plays_without_the_test_extras_and_the_click_goes_through_the_web_app(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env.update({"NURTURE_TEMPLATES_DIR": str(ROOT / "templates"), "NURTURE_SCHEDULES_DIR": str(ROOT / "schedules"),
                "NURTURE_DATABASE_URL": f"sqlite:///{tmp_path / 'nurture.db'}",
                "NURTURE_OUTBOX_DIR": str(tmp_path / "outbox")})
    r = subprocess.run([sys.executable, "-c", WITHOUT_HTTPX, "demo", "--days", "2"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Robert followed the link" in r.stdout and "messages by state:" in r.stdout
    with sqlite3.connect(tmp_path / "nurture.db") as conn:
        clicks = conn.execute("SELECT template, link FROM click").fetchall()
    # The /r/ route counted Robert's click on his welcome email's link to /how-we-help, as it
    # counts a click from his inbox.
    assert clicks == [("email/welcome", "how")], clicks


def _run_cli(monkeypatch, capsys, argv: list[str]) -> str:
    from nurture import cli

    monkeypatch.setattr(sys, "argv", ["nurture", *argv])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, lines
    return lines[0]


def test_an_unexpected_error_names_its_type_and_place_but_not_its_message(sqlite_url, monkeypatch, capsys):
    from nurture.cli import leads as leads_cli

    secret = "maria" + "@example.com"

    def explode(*_a, **_kw):
        raise RuntimeError(f"duplicate key {secret}")

    monkeypatch.setattr(leads_cli, "upsert_lead", explode)
    line = _run_cli(monkeypatch, capsys, ["leads", "add", "--first-name", "Maria", "--email", secret])
    # The innermost frame in the nurture package (the command that called what raised), then the last.
    assert re.fullmatch(r"error: unexpected RuntimeError in nurture\.cli\.leads\.[\w.<>]+, line \d+ "
                        r"\(raised in [\w.]*test_newcomer\.[\w.<>]+\.explode, line \d+\) "
                        r"\(its message is withheld: it may hold personal data\)", line), line
    assert secret not in line


def test_a_missing_module_is_named(sqlite_url, monkeypatch, capsys):
    from nurture.cli import leads as leads_cli

    def needs_a_missing_package(*_a, **_kw):
        importlib.import_module("nurture_no_such_package")

    monkeypatch.setattr(leads_cli, "upsert_lead", needs_a_missing_package)
    line = _run_cli(monkeypatch, capsys, ["leads", "add", "--first-name", "Maria", "--email", "m@example.com"])
    assert line.startswith("error: unexpected ModuleNotFoundError in nurture.cli.leads.")
    assert line.endswith(": No module named 'nurture_no_such_package'"), line


def test_a_missing_module_behind_another_error_is_named(sqlite_url, monkeypatch, capsys):
    """What Starlette's TestClient does without httpx: a RuntimeError raised `from None` while
    handling the ModuleNotFoundError. The line still names the module that is missing."""
    from nurture.cli import leads as leads_cli

    def like_starlette_testclient(*_a, **_kw):
        try:
            importlib.import_module("nurture_no_such_package")
        except ModuleNotFoundError:
            raise RuntimeError("this module requires nurture_no_such_package: pip install it") from None

    monkeypatch.setattr(leads_cli, "upsert_lead", like_starlette_testclient)
    line = _run_cli(monkeypatch, capsys, ["leads", "add", "--first-name", "Maria", "--email", "m@example.com"])
    assert line.startswith("error: unexpected RuntimeError in nurture.cli.leads."), line
    assert "its message is withheld" in line and "pip install it" not in line
    assert line.endswith("; behind it: ModuleNotFoundError: No module named 'nurture_no_such_package'"), line
