"""`nurture leads import`: header-mapped CSV, per-row report, good rows kept, dry run, unknown columns."""

import json

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from nurture.cli import app
from nurture.db import session_scope
from nurture.models import Consent, Lead

runner = CliRunner()

HEADER = ("first_name,last_name,phone,email,property_street,property_city,property_state,property_zip,"
          "mortgage_balance,estimated_value,payment_status,months_behind,hardships,foreclosure_stage,"
          "foreclosure_sale_date,sms_consent_granted,sms_consent_text,source,external_id,sms_consent_source_url")


def write(tmp_path, *rows, header=HEADER):
    path = tmp_path / "leads.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def leads():
    with session_scope() as s:
        return list(s.exec(select(Lead).order_by(Lead.id)))


def test_good_rows_land_and_bad_rows_are_reported_with_line_numbers(db_url, tmp_path):
    path = write(
        tmp_path,
        'Maria,Lopez,(305) 555-0142,maria@example.com,12 Palm Ave,Miami,FL,33101,"$425,000.00",375000,behind,3,job_loss;medical,sale_scheduled,12/10/2026,yes,I agree to texts,web,crm-1,https://example.com/start',
        "Bob,Stone,555,bob@,,,FL,33101,abc,,late,,,,,,,,",
        "Ann,Lee,(850) 555-0100,,,Pensacola,FL,32501,,,,,,,,,,,",
    )
    result = runner.invoke(app, ["leads", "import", str(path), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["rows"], report["created"], report["failed_rows"]) == (3, 2, 1)
    bad = {(e["line"], e["field"]) for e in report["errors"]}
    assert bad == {(3, "phone"), (3, "email"), (3, "mortgage_balance"), (3, "payment_status")}
    maria, ann = leads()
    assert maria.phone == "+13055550142"
    assert maria.mortgage_balance_cents == 42_500_000
    assert maria.hardships == ["job_loss", "medical"]
    assert str(maria.sale_date) == "2026-12-10"
    assert maria.source == "web" and maria.external_id == "crm-1"
    assert ann.timezone == "America/Chicago"
    with session_scope() as s:
        (consent,) = s.exec(select(Consent)).all()
        assert (consent.lead_id, consent.text, consent.method) == (maria.id, "I agree to texts", "csv")


def test_reimporting_the_same_file_updates_and_never_duplicates(sqlite_url, tmp_path):
    row = "Maria,Lopez,3055550142,maria@example.com,,,FL,33101,,,behind,2,,,,,,,"
    path = write(tmp_path, row)
    assert runner.invoke(app, ["leads", "import", str(path)]).exit_code == 0
    path = write(tmp_path, row.replace("behind,2", "behind,4"))
    result = runner.invoke(app, ["leads", "import", str(path), "--json"])
    assert json.loads(result.stdout)["updated"] == 1
    (lead,) = leads()
    assert lead.months_behind == 4


def test_no_update_leaves_known_leads_as_they_are_and_still_adds_new_ones(sqlite_url, tmp_path):
    row = "Maria,Lopez,3055550142,maria@example.com,,,FL,33101,,,behind,2,,,,,,,"
    assert runner.invoke(app, ["leads", "import", str(write(tmp_path, row))]).exit_code == 0
    path = write(tmp_path, row.replace("behind,2", "behind,4"), "Ann,Lee,(850) 555-0100,,,Pensacola,FL,32501,,,,,,,,,,,")
    result = runner.invoke(app, ["leads", "import", str(path), "--no-update", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 0, 1)
    assert [w["line"] for w in report["warnings"]] == [2]
    maria, ann = leads()
    assert (maria.months_behind, ann.first_name) == (2, "Ann")


def test_a_look_alike_email_in_a_file_is_held_for_the_lead_it_looks_like(sqlite_url, tmp_path):
    row = "Maria,Lopez,,maria@example.com,,,FL,33101,,,,,,,,,,,"
    assert runner.invoke(app, ["leads", "import", str(write(tmp_path, row))]).exit_code == 0
    path = write(tmp_path, row.replace("maria@", "m\u0430ria@").replace("Lopez", "Lopes"))
    report = json.loads(runner.invoke(app, ["leads", "import", str(path), "--json"]).stdout)
    assert (report["created"], report["updated"]) == (0, 0)
    assert "looks like lead #" in report["warnings"][0]["message"]
    (maria,) = leads()
    assert (maria.email, maria.last_name) == ("maria@example.com", "Lopez")


def test_two_rows_for_one_person_in_a_file_make_one_lead(sqlite_url, tmp_path):
    path = write(tmp_path, "Maria,Lopez,3055550142,,,,,,,,,,,,,,,,", "Maria,Lopez,305-555-0142,m@example.com,,,,,,,,,,,,,,,")
    result = runner.invoke(app, ["leads", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    (lead,) = leads()
    assert lead.email == "m@example.com"


def test_dry_run_reports_but_saves_nothing(sqlite_url, tmp_path):
    path = write(tmp_path, "Maria,Lopez,3055550142,,,,,,,,,,,,,,,,")
    result = runner.invoke(app, ["leads", "import", str(path), "--dry-run"])
    assert result.exit_code == 0
    assert "would import 1 rows" in result.stdout and "1 created" in result.stdout
    assert leads() == []


def test_unknown_columns_stop_the_import_unless_allowed(sqlite_url, tmp_path):
    path = write(tmp_path, "Maria,3055550142,blue", header="first_name,phone,favourite_colour")
    result = runner.invoke(app, ["leads", "import", str(path)])
    assert result.exit_code == 1
    assert "unknown column(s): favourite_colour" in result.stderr
    assert leads() == []
    result = runner.invoke(app, ["leads", "import", str(path), "--allow-unknown"])
    assert result.exit_code == 0
    assert "ignored unknown columns: favourite_colour" in result.stdout
    assert len(leads()) == 1


def test_headers_are_matched_loosely(sqlite_url, tmp_path):
    path = write(tmp_path, "Maria,3055550142,FL", header="First Name,Phone,Property State")
    assert runner.invoke(app, ["leads", "import", str(path)]).exit_code == 0
    assert leads()[0].state == "FL"


@pytest.mark.parametrize("content,message", [
    ("", "the file is empty"),
    ("a,b\n1,2\n", "unknown column(s): a, b"),
])
def test_a_file_that_cannot_be_imported_says_why(sqlite_url, tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_text(content)
    result = runner.invoke(app, ["leads", "import", str(path)])
    assert result.exit_code == 1
    assert message in result.stderr


def test_a_missing_file_or_binary_file_is_a_clear_error(sqlite_url, tmp_path):
    assert "no such file" in runner.invoke(app, ["leads", "import", str(tmp_path / "nope.csv")]).stderr
    path = tmp_path / "x.csv"
    path.write_bytes(b"first_name,phone\n\xff\xfe,1\n")
    assert "not UTF-8" in runner.invoke(app, ["leads", "import", str(path)]).stderr


def test_a_row_joining_two_new_leads_of_the_same_file_is_refused(sqlite_url, tmp_path):
    path = write(tmp_path, "A,,3055550101,a@example.com,,,,,,,,,,,,,,,", "B,,3055550102,b@example.com,,,,,,,,,,,,,,,",
                 "C,,3055550101,b@example.com,,,,,,,,,,,,,,,")
    result = runner.invoke(app, ["leads", "import", str(path), "--json"])
    report = json.loads(result.stdout)
    assert report["created"] == 2
    assert report["errors"] == [{"line": 4, "field": "email",
                                 "message": "belongs to another new lead of this import than the phone does"}]
