"""The lead's mailing address as an intake field: the API body, the CSV's mailing_address_* columns and
`leads add|update --mailing-*`, held to the property's rules, stored, and shown."""

import copy
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from nurture.cli import app
from nurture.config import get_settings
from nurture.web import create_app
from nurture.web.leads import EXAMPLE

AUTH = {"Authorization": "Bearer k3y"}
runner = CliRunner()
MIAMI_MAIL = {"street": "1 Flagler St", "city": "Miami", "state": "FL", "zip": "33101"}


@pytest.fixture
def client(db_url, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c


def dallas_body(**over):
    body = copy.deepcopy(EXAMPLE)
    body["property"] = {"street": "100 Elm St", "city": "Dallas", "state": "TX", "zip": "75201"}
    body["phone"] = "(214) 555-0142"
    body.update(over)
    return body


def test_the_api_stores_the_mailing_address_and_answers_it_back(client):
    r = client.post("/api/leads", json=dallas_body(mailing_address={**MIAMI_MAIL, "zip": "33101-1234"}), headers=AUTH)
    assert r.status_code == 201, r.text
    lead = r.json()
    assert lead["mailing_address"] == MIAMI_MAIL  # the ZIP+4 kept to its five digits, as the property's
    assert lead["property"]["state"] == "TX" and lead["timezone"] == "America/Chicago"
    assert client.get(f"/api/leads/{lead['id']}", headers=AUTH).json()["mailing_address"] == MIAMI_MAIL

    r = client.patch(f"/api/leads/{lead['id']}", json={"mailing_address": {"zip": "97201"}}, headers=AUTH)
    assert r.status_code == 200, r.text
    again = client.get(f"/api/leads/{lead['id']}", headers=AUTH).json()["mailing_address"]
    assert again["zip"] == "97201" and again["state"] == "OR"  # a ZIP alone brings its state
    assert again["street"] == "1 Flagler St"  # the parts not mentioned are left alone


def test_a_lead_without_a_mailing_address_answers_empty_parts(client):
    lead = client.post("/api/leads", json=EXAMPLE, headers=AUTH).json()
    assert lead["mailing_address"] == {"street": None, "city": None, "state": None, "zip": None}


@pytest.mark.parametrize(("mailing", "field", "words"), [
    ({"zip": "3310"}, "mailing_address.zip", "is not a ZIP code"),
    ({"zip": "٣٣١٠١"}, "mailing_address.zip", "digits 0-9"),
    ({"state": "XX"}, "mailing_address.state", "is not a US state code"),
    ({"state": "TX", "zip": "33101"}, "mailing_address", "ZIP 33101 is in FL, not TX"),
    ({"street": "x" * 201}, "mailing_address.street", "200"),
    ({"country": "US"}, "mailing_address.country", "is not a known field"),
])
def test_a_bad_mailing_address_is_refused_with_the_field_named(client, mailing, field, words):
    r = client.post("/api/leads", json=dallas_body(mailing_address=mailing), headers=AUTH)
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["field"] == field and words in error["message"], error
    assert client.get("/api/leads/1", headers=AUTH).status_code == 404  # nothing saved


HEADER = ("first_name,phone,property_state,property_zip,mailing_address_street,mailing_address_city,"
          "mailing_address_state,mailing_address_zip")


def test_the_csv_columns_land_on_the_lead_and_a_bad_mailing_zip_names_its_column(sqlite_url, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("\n".join([
        HEADER,
        "Ana,(214) 555-0142,TX,75201,1 Flagler St,Miami,FL,33101",
        "Bob,(214) 555-0143,TX,75201,,,,3310",
    ]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["leads", "import", str(path), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["created"], report["failed_rows"]) == (1, 1)
    (error,) = report["errors"]
    assert (error["line"], error["field"]) == (3, "mailing_address_zip") and "3310" in error["message"]

    shown = runner.invoke(app, ["leads", "show", "+12145550142", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["mailing_address"] == MIAMI_MAIL


def test_leads_add_and_update_take_the_mailing_flags_and_show_prints_the_line(sqlite_url):
    added = runner.invoke(app, ["leads", "add", "--first-name", "Ana", "--phone", "(214) 555-0142", "--zip", "75201",
                                "--mailing-street", "1 Flagler St", "--mailing-city", "Miami",
                                "--mailing-zip", "33101", "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["mailing_address"] == MIAMI_MAIL  # the state from the ZIP

    shown = runner.invoke(app, ["leads", "show", "+12145550142"])
    assert shown.exit_code == 0, shown.output
    assert "mailing address" in shown.stdout and "1 Flagler St, Miami, FL, 33101" in shown.stdout
    # where the lead may be: both states, each with what says so
    assert "FL from the mailing address and mailing ZIP 33101" in shown.stdout

    updated = runner.invoke(app, ["leads", "update", "+12145550142", "--mailing-state", "OR", "--mailing-zip", "97201",
                                  "--json"])
    assert updated.exit_code == 0, updated.output
    data = json.loads(updated.stdout)
    assert data["mailing_address"]["state"] == "OR" and {"mailing_state", "mailing_zip"} <= set(data["changed"])

    refused = runner.invoke(app, ["leads", "update", "+12145550142", "--mailing-zip", "abc"])
    assert refused.exit_code != 0
    assert "mailing_address.zip" in refused.stderr


def test_a_lead_without_a_mailing_address_shows_no_mailing_line(sqlite_url):
    runner.invoke(app, ["leads", "add", "--first-name", "Ana", "--phone", "(214) 555-0142", "--zip", "75201"])
    shown = runner.invoke(app, ["leads", "show", "+12145550142"])
    assert shown.exit_code == 0, shown.output
    assert "mailing address" not in shown.stdout
