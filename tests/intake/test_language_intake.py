"""The language a lead reads, as the API, a CSV file and the CLI give it (issue 25)."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from nurture.cli import app
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.models import Lead
from nurture.web import create_app

runner = CliRunner()


def lead_by_email(email: str) -> Lead:
    with session_scope() as s:
        return s.exec(select(Lead).where(Lead.email == email)).one()


AUTH = {"Authorization": "Bearer k3y"}


@pytest.fixture
def client(db_url, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize("said", ["es", "Spanish", "ESPAÑOL", "espanol"])
def test_the_api_takes_the_language_in_the_words_people_use(client, said):
    r = client.post("/api/leads", headers=AUTH, json={"first_name": "Rosa", "email": "rosa@example.com", "language": said})
    assert r.status_code == 201, r.text
    assert (r.json()["language"], r.json()["language_reason"]) == ("es", "given with the lead (form, file, API or CLI)")
    assert lead_by_email("rosa@example.com").language == "es"


def test_a_lead_without_a_language_reads_english(client):
    r = client.post("/api/leads", headers=AUTH, json={"first_name": "Ann", "email": "ann@example.com"})
    assert r.status_code == 201 and r.json()["language"] == "en" and r.json()["language_reason"] is None


def test_a_language_nurture_does_not_write_in_is_a_422_naming_the_field(client):
    r = client.post("/api/leads", headers=AUTH, json={"first_name": "Jean", "email": "jean@example.com", "language": "French"})
    assert r.status_code == 422
    assert any(e["field"] == "language" and "'French' is not a language nurture writes in" in e["message"]
               for e in r.json()["detail"]), r.json()


def test_a_csv_language_column(db_url, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("first_name,email,language\nLuis,luis@example.com,Spanish\nKim,kim@example.com,\n"
                    "Zoe,zoe@example.com,klingon\n", encoding="utf-8")
    result = runner.invoke(app, ["leads", "import", str(path), "--json"])
    report = json.loads(result.stdout)
    assert lead_by_email("luis@example.com").language == "es"
    assert lead_by_email("kim@example.com").language == "en"
    assert (report["created"], report["failed_rows"]) == (2, 1)
    (bad,) = report["errors"]
    assert bad["line"] == 4 and bad["field"] == "language" and "'klingon' is not a language" in bad["message"]


def test_leads_update_sets_the_language_and_names_who_did(db_url):
    assert runner.invoke(app, ["leads", "add", "--first-name", "Ana", "--email", "ana@example.com"]).exit_code == 0
    result = runner.invoke(app, ["leads", "update", "ana@example.com", "--language", "es", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"] == "es" and data["changed"] == ["language"]
    assert data["language_reason"].startswith("set by ") and " via cli on " in data["language_reason"]
    shown = runner.invoke(app, ["leads", "show", "ana@example.com"]).stdout
    assert "language" in shown and "es (set by" in shown
