"""`nurture leads import` against hostile files: every bad line is reported with its number and
field, every good line is saved, a crash in a batch costs only its row, and nothing personal is
printed about the rows that failed."""

import codecs
import csv
import io
import json
import logging
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select
from typer.testing import CliRunner

from nurture.cli import app
from nurture.intake.csv_import import BATCH, import_text
from nurture.db import get_engine, session_scope
from nurture.models import Lead

runner = CliRunner()
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
HEADER = ("first_name,last_name,email,phone,mortgage_balance,months_behind,foreclosure_sale_date,sms_consent_granted,"
          "sms_consent_text,sms_consent_source_url")


def row(i, **over):
    cells = {"first_name": f"Name{i}", "last_name": f"Last{i}", "email": f"p{i}@example.com", "phone": "",
             "mortgage_balance": "", "months_behind": "", "foreclosure_sale_date": "2027-01-15",
             "sms_consent_granted": "", "sms_consent_text": "", "sms_consent_source_url": ""} | over
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells.values())
    return out.getvalue().removesuffix("\n")


def write(tmp_path, lines, *, header=HEADER, encoding="utf-8"):
    path = tmp_path / "leads.csv"
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(encoding))
    return path


def run_import(path, *args):
    result = runner.invoke(app, ["leads", "import", str(path), "--json", *args])
    assert "Traceback" not in result.output, result.output
    return result, json.loads(result.stdout)


def lead_count():
    with session_scope() as s:
        return len(s.exec(select(Lead.id)).all())


def test_a_bad_date_on_line_702_of_1201_costs_that_line_only(db_url, tmp_path, frozen_now):
    lines = [row(i, foreclosure_sale_date="0001-01-01" if i == 701 else "2027-01-15") for i in range(1, 1202)]
    result, report = run_import(write(tmp_path, lines))
    assert result.exit_code == 1
    assert (report["rows"], report["created"], report["failed_rows"]) == (1201, 1200, 1)
    (error,) = report["errors"]
    assert (error["line"], error["field"]) == (702, "foreclosure_sale_date")
    assert "between 1990-01-01 and 2036-12-01" in error["message"]
    assert lead_count() == 1200


def test_a_crash_inside_a_batch_costs_only_the_row_that_caused_it_and_prints_nothing_personal(
        db_url, tmp_path, frozen_now, monkeypatch, caplog):
    from nurture.plans import replan as planning

    real = planning.replan_many

    def fragile(session, todo, **kw):
        for lead, _ in todo:
            if lead.first_name == "Name7":
                # Like a database error quoting the row: the message holds the lead's own data.
                raise OverflowError(f"cannot plan {lead.first_name} {lead.last_name} {lead.email}")
        return real(session, todo, **kw)

    monkeypatch.setattr(planning, "replan_many", fragile)
    lines = [row(i) for i in range(1, BATCH + 21)]
    with caplog.at_level(logging.ERROR, logger="nurture.intake.csv_import"):
        result, report = run_import(write(tmp_path, lines))
    assert result.exit_code == 1
    assert (report["rows"], report["created"], report["failed_rows"]) == (BATCH + 20, BATCH + 19, 1)
    assert report["errors"] == [{"line": 8, "field": "row", "message":
                                 "could not be saved: unexpected OverflowError (logged); the other rows went on"}]
    assert lead_count() == BATCH + 19
    assert "OverflowError" in caplog.text and "message withheld" in caplog.text
    for text in (result.output, caplog.text):
        assert "Name7" not in text and "Last7" not in text and "p7@example.com" not in text


def test_the_plain_report_names_the_line_and_field_of_each_refused_row(sqlite_url, tmp_path, frozen_now):
    lines = [row(1), row(2, mortgage_balance="1E+999999"), row(3, months_behind="true"), row(4)]
    result = runner.invoke(app, ["leads", "import", str(write(tmp_path, lines))])
    assert result.exit_code == 1
    assert "imported 4 rows" in result.stdout and "2 created" in result.stdout and "2 refused" in result.stdout
    assert "line 3: mortgage_balance:" in result.stdout
    assert "line 4: months_behind: must be a whole number of months" in result.stdout


def test_a_200_kb_cell_is_reported_by_line_and_the_rest_is_imported(sqlite_url, tmp_path, frozen_now):
    lines = [row(1), row(2, sms_consent_text="x" * 200_000), row(3), row(4, last_name="y" * 6000)]
    result, report = run_import(write(tmp_path, lines))
    assert result.exit_code == 1
    assert report["created"] == 2
    lines_fields = {(e["line"], e["field"]) for e in report["errors"]}
    assert lines_fields == {(3, "row"), (5, "last_name")}
    assert "longer than 131,072 characters" in report["errors"][0]["message"]
    assert lead_count() == 2


def test_a_quote_never_closed_is_reported_with_the_lines_it_swallowed(sqlite_url, tmp_path, frozen_now):
    lines = [row(1), 'Name2,"Last2,p2@example.com,,,,2027-01-15,,', row(3), row(4)]
    result, report = run_import(write(tmp_path, lines))
    assert result.exit_code == 1
    (error,) = report["errors"]
    assert (error["line"], error["field"]) == (3, "row")
    assert "lines 3-5 could not be read" in error["message"]
    assert report["created"] == 1


def test_a_quoted_cell_spanning_lines_is_reported_at_the_line_it_starts(sqlite_url, tmp_path, frozen_now):
    lines = [row(1), row(2, first_name="Na\nme"), row(3)]
    result, report = run_import(write(tmp_path, lines))
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "first_name")]
    assert report["created"] == 2


@pytest.mark.parametrize("cell,field", [("Ma\x00ria", "first_name"), ("Lo\x1bpez", "last_name"),
                                        ("I agree\x00", "sms_consent_text"), ("\u202eevil", "first_name")])
def test_nul_and_control_characters_in_a_cell_are_a_line_error(db_url, tmp_path, frozen_now, cell, field):
    over = {field: cell} | ({"phone": "3055550142", "sms_consent_granted": "yes",
                             "sms_consent_source_url": "https://example.com/start"} if field.startswith("sms") else {})
    result, report = run_import(write(tmp_path, [row(1, **over), row(2)]))
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, field)]
    assert report["created"] == 1


def test_a_zip_in_arabic_digits_is_a_line_error_and_the_import_goes_on(sqlite_url, tmp_path, frozen_now):
    path = write(tmp_path, ["Maria,Lopez,m@example.com,١٢٣٤٥,FL", "Ann,Lee,a@example.com,33101,FL"],
                 header="first_name,last_name,email,property_zip,property_state")
    result, report = run_import(path)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, "property_zip")]
    assert report["created"] == 1


def test_a_utf8_byte_order_mark_is_dropped_and_a_utf16_file_is_read(sqlite_url, tmp_path, frozen_now):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + f"{HEADER}\n{row(1)}\n".encode())
    assert run_import(path)[1]["created"] == 1
    path.write_bytes(f"{HEADER}\n{row(2, first_name='Zoë')}\n".encode("utf-16"))
    assert run_import(path)[1]["created"] == 1
    with session_scope() as s:
        assert s.exec(select(Lead.first_name).order_by(Lead.id)).all() == ["Name1", "Zoë"]


def test_a_latin1_file_is_refused_naming_the_line(sqlite_url, tmp_path):
    path = write(tmp_path, [row(1), row(2, first_name="José")], encoding="latin-1")
    result = runner.invoke(app, ["leads", "import", str(path)])
    assert result.exit_code == 1
    assert "not UTF-8 text (line 3" in result.stderr and "Traceback" not in result.output
    assert lead_count() == 0


def test_a_hostile_header_is_quoted_briefly_and_escaped(sqlite_url, tmp_path):
    path = write(tmp_path, ["Maria,x"], header="first_name,\x1b[2J" + "z" * 500)
    result = runner.invoke(app, ["leads", "import", str(path)])
    assert result.exit_code == 1
    assert "\\x1b[2J" in result.stderr and "\x1b[2J" not in result.stderr
    assert "z" * 100 not in result.stderr


# Property: a file of hostile cells never stops the import and never loses a line -----------------

CELLS = st.one_of(
    st.sampled_from(["", "Maria", "3055550142", "(850) 555-0100", "1E+999999", "1e-999999999", "0001-01-01",
                     "9999-12-31", "2027-01-15", "true", "yes", "\x00", "a\x00b", "\ud800", "\u202e", "²", '"', '""', "\r\n", "x" * 6000, "$425,000.00"]),
    st.text(max_size=40),
)
COLUMNS = ["first_name", "last_name", "phone", "email", "mortgage_balance", "months_behind", "foreclosure_sale_date",
           "sms_consent_granted", "sms_consent_text", "hardships", "property_zip", "property_state"]


def _empty_tables():
    with get_engine().begin() as conn:
        for table in ("deliveryevent", "message", "consent", "suppression", "lead"):
            conn.execute(sa.text(f"DELETE FROM {table}"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=len(COLUMNS), max_size=len(COLUMNS)), min_size=1, max_size=8))
def test_any_file_is_imported_line_by_line_without_losing_a_line(db_url, rows):
    _empty_tables()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    engine = get_engine()
    report = import_text(lambda: Session(engine, expire_on_commit=False), out.getvalue(), now=NOW)
    counted = report.created + report.updated + report.unchanged + report.failed_rows
    assert counted == report.rows
    physical_lines = len(io.StringIO(out.getvalue(), newline="").readlines())  # as csv counts them
    assert {line for line, _ in report.errors} <= set(range(2, physical_lines + 1))
    assert lead_count() == report.created
