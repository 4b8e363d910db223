"""Bounded memory and work (issue 22 item 7): a CSV import reads its file as it goes, a row costs
work for its known cells only however wide the header, and a 422 answer lists a bounded number of
problems, saying how many more there are."""

import json
import tracemalloc

import zipcodes

from sqlmodel import Session, select
from typer.testing import CliRunner

from nurture.cli import app
from nurture.clock import now
from nurture import geo
from nurture.db import get_engine, session_scope
from nurture.intake import csv_import
from nurture.intake.csv_import import import_text, read_rows
from nurture.law import location
from nurture.models import Lead
from web_helpers import local_client

runner = CliRunner()


def phone(i: int) -> str:
    return f"(305) 555-{i:04d}"


def test_a_20_mb_file_is_imported_holding_a_fraction_of_it_in_memory(sqlite_url, tmp_path):
    # 1,000 rows of 20 KB each (a long unknown "notes" column): read whole, the file is 20 MB of
    # bytes and 20 MB of text at once; read as it goes, a line and a chunk.
    notes = "n" * 20_000
    path = tmp_path / "wide.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("first_name,phone,notes\n")
        for i in range(1_000):
            f.write(f"Ann,not a phone {i},{notes}\n")
    small = tmp_path / "small.csv"
    small.write_text("first_name,phone,notes\nAnn,not a phone,x\n", encoding="utf-8")
    runner.invoke(app, ["leads", "import", str(small), "--allow-unknown", "--json"])  # imports done once
    tracemalloc.start()
    try:
        result = runner.invoke(app, ["leads", "import", str(path), "--allow-unknown", "--json"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    report = json.loads(result.stdout)
    assert (report["rows"], report["failed_rows"], report["ignored_columns"]) == (1_000, 1_000, ["notes"])
    assert path.stat().st_size > 20_000_000
    assert peak < 8_000_000, f"peak {peak:,} bytes while importing a {path.stat().st_size:,}-byte file"


def test_the_first_batch_is_committed_before_the_file_is_read_to_its_end(sqlite_url, monkeypatch):
    monkeypatch.setattr(csv_import, "BATCH", 10)
    read = []

    def lines():
        yield "first_name,phone\n"
        for i in range(35):
            read.append(i)
            yield f"Ann,{phone(i)}\n"

    read_at_commit = []
    real_commit = csv_import._commit_batch

    def commit(*args, **kwargs):
        read_at_commit.append(len(read))
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(csv_import, "_commit_batch", commit)
    engine = get_engine()
    report = import_text(lambda: Session(engine, expire_on_commit=False), lines(), now=now())
    assert (report.rows, report.created) == (35, 35)
    # Each batch is saved once its 10 rows are read (the reader is at most a row ahead), not at the end.
    assert read_at_commit == [10, 20, 30, 35]


def test_a_byte_that_is_not_utf8_past_the_first_megabyte_refuses_the_file_naming_its_line(sqlite_url, tmp_path):
    path = tmp_path / "late.csv"
    rows = [f"Ann,{phone(i)},{'x' * 100}" for i in range(12_000)]  # about 1.4 MB
    rows[11_000] = "José,(305) 555-9999,x"
    path.write_bytes(("first_name,phone,notes\n" + "\n".join(rows) + "\n").encode("latin-1"))
    result = runner.invoke(app, ["leads", "import", str(path), "--allow-unknown"])
    assert result.exit_code != 0
    assert "not UTF-8 text (line 11002" in result.stderr
    with session_scope() as s:
        assert s.exec(select(Lead)).first() is None  # refused as a whole: no row before it was saved


class CountedKey(str):
    """A header key that counts how often it is compared or hashed."""

    calls = 0

    def __eq__(self, other):
        CountedKey.calls += 1
        return str.__eq__(self, other)

    def __hash__(self):
        CountedKey.calls += 1
        return str.__hash__(self)


def test_a_row_costs_work_for_its_known_cells_however_many_columns_the_header_has(monkeypatch):
    # The issue: 50,000 columns with --allow-unknown took 37 s for one row (each column counted
    # against every other). Counted here as the comparisons and look-ups of header keys.
    real_key = csv_import.header_key
    monkeypatch.setattr(csv_import, "header_key", lambda name: CountedKey(real_key(name)))
    width, rows = 2_000, 50
    header = ",".join(["first_name", "phone", *(f"extra_{i}" for i in range(width))])
    line = ",".join(["Ann", "3055550142", *("x" * width)])
    CountedKey.calls = 0
    ignored, read = read_rows("\n".join([header, *[line] * rows]) + "\n", allow_unknown=True)
    got = list(read)
    assert len(ignored) == width and len(got) == rows
    assert got[0][1] == {"first_name": "Ann", "phone": "3055550142"}
    # The header: a few look-ups per column; each row: none for the columns it ignores.
    assert CountedKey.calls < 4 * (width + 2), CountedKey.calls


def test_a_refusal_or_a_report_of_5000_unknown_columns_names_20_and_counts_the_rest(sqlite_url, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["first_name", "phone", *(f"extra_{i}" for i in range(5_000))]) + "\n"
                    + ",".join(["Ann", "3055550142", *("x" * 5_000)]) + "\n", encoding="utf-8")
    refused = runner.invoke(app, ["leads", "import", str(path)])
    assert refused.exit_code != 0
    assert "extra_19 and 4,980 more. Known columns:" in refused.stderr and "extra_20," not in refused.stderr
    imported = runner.invoke(app, ["leads", "import", str(path), "--allow-unknown"])
    assert imported.exit_code == 0, imported.output
    assert "ignored unknown columns: extra_0, extra_1" in imported.stdout
    assert "extra_19 and 4,980 more" in imported.stdout and "extra_20," not in imported.stdout


def test_a_body_of_100000_unknown_keys_gets_a_short_422_saying_how_many_more(sqlite_url):
    # Keys 0 to 1869f in hex: 100,000 unknown fields in just under the 1 MiB a body may hold.
    fields = ",".join(f'"{i:x}":0' for i in range(100_000))
    body = '{"first_name":"Maria","phone":"3055550142",' + fields + "}"
    assert len(body) < 1_048_576
    with local_client() as client:
        r = client.post("/api/leads", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert len(detail) == 51 and len(r.content) < 10_000
    assert detail[0] == {"field": "0", "message": "is not a known field"}
    assert detail[-1]["message"].startswith("and 99,950 more problems")


def test_the_zip_tables_are_built_without_asking_the_library_for_every_record(monkeypatch):
    # zipcodes.list_all() keeps all 42,789 records (about 90 MiB) in the library for the process's
    # life; the area-code and ZIP tables are built a tenth at a time instead (the memory itself is
    # measured by bench/import_memory.py, not here).
    def every_record_at_once(*args, **kwargs):
        raise AssertionError("zipcodes.list_all() was called")

    monkeypatch.setattr(zipcodes, "list_all", every_record_at_once)
    location._area_codes.cache_clear()
    geo._zip_records.cache_clear()
    try:
        assert location._area_codes()["305"][0] == "FL"
        assert geo._zip_records()["33101"]["state"] == "FL"
    finally:
        location._area_codes.cache_clear()
        geo._zip_records.cache_clear()


