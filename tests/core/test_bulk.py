"""Bulk writes (COPY on PostgreSQL, executemany on SQLite) store exactly what an ORM insert stores,
and a bulk CSV import plans exactly what planning each lead on its own plans."""

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nurture import bulk, db

from nurture.intake import csv_import

from nurture.plans import replan as planning
from nurture.intake.csv_import import ImportInterrupted, import_text
from nurture.db import session_scope
from nurture.models import DeliveryEvent, Lead, Message

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from import_bench import generate  # noqa: E402  (the bench's own generator: varied states, stages, dates)

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _lead(session: Session, phone: str) -> Lead:
    lead = Lead(first_name="Ann", phone=phone, email=f"{phone[-4:]}@example.com", state="FL", hardships=["medical"])
    session.add(lead)
    session.flush()
    return lead


def test_bulk_rows_read_back_as_the_orm_writes_them(db_url):
    """A planned message and a log row written both ways: every column reads back the same (UTC
    times from another zone, a date, JSON, NULLs, booleans)."""
    eastern = datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    message = {"lead_id": 0, "sequence": "main", "step": "welcome", "channel": "sms", "template": "welcome",
               "deadline": True, "tier": "urgent", "due_at": eastern, "sale_date": date(2026, 12, 20),
               "expires_at": None, "state": "planned", "reason": "first message", "attempts": 0,
               "created_at": NOW, "updated_at": NOW}
    event = {"at": eastern, "lead_id": 0, "message_id": None, "kind": "plan", "from_state": None,
             "to_state": "planned", "cause": "new lead", "data": {"tier": "urgent", "skipped": ["a/b: c"]}}
    with session_scope() as s:
        lead_id = _lead(s, "+13055550100").id
        orm_message = Message(**(message | {"lead_id": lead_id}))
        s.add(orm_message)
        s.add(DeliveryEvent(**(event | {"lead_id": lead_id})))
        s.flush()
        (bulk_id,) = bulk.reserve_ids(s, Message.__table__, 1)
        bulk.insert_rows(s, Message.__table__, [message | {"lead_id": lead_id, "id": bulk_id, "step": "second"}])
        bulk.insert_rows(s, DeliveryEvent.__table__, [event | {"lead_id": lead_id, "cause": "bulk"}])
    with session_scope() as s:
        rows = {m.step: m for m in s.exec(select(Message))}
        events = {e.cause: e for e in s.exec(select(DeliveryEvent))}
    assert rows["second"].id == bulk_id
    skip = {"id", "step"}
    assert {k: v for k, v in rows["second"].model_dump().items() if k not in skip} == \
        {k: v for k, v in rows["welcome"].model_dump().items() if k not in skip}
    assert rows["second"].due_at == datetime(2026, 12, 3, 14, 30, tzinfo=UTC)
    assert rows["second"].sale_date == date(2026, 12, 20) and rows["second"].deadline is True
    skip = {"id", "cause"}
    assert {k: v for k, v in events["bulk"].model_dump().items() if k not in skip} == \
        {k: v for k, v in events["new lead"].model_dump().items() if k not in skip}
    assert events["bulk"].data == {"tier": "urgent", "skipped": ["a/b: c"]}


def test_reserved_ids_are_new_and_later_inserts_do_not_take_them(db_url):
    with session_scope() as s:
        first = _lead(s, "+13055550101").id
        ids = bulk.reserve_ids(s, Lead.__table__, 3)
        assert len(set(ids)) == 3 and min(ids) > first
        bulk.insert_rows(s, Lead.__table__, [
            {"id": i, "first_name": f"Bulk{i}", "phone": f"+1305555020{n}", "hardships": [], "status": "active",
             "foreclosure_stage": "none", "created_at": NOW, "updated_at": NOW, "enrolled_at": NOW}
            for n, i in enumerate(ids)])
    with session_scope() as s:
        later = _lead(s, "+13055550199").id
    assert later > max(ids)
    with session_scope() as s:
        names = {lead.id: lead.first_name for lead in s.exec(select(Lead))}
    assert [names[i] for i in ids] == [f"Bulk{i}" for i in ids]


def test_a_broken_constraint_is_sqlalchemys_integrity_error_and_saves_nothing(db_url):
    with session_scope() as s:
        _lead(s, "+13055550102")
    with pytest.raises(IntegrityError), session_scope() as s:
        bulk.insert_rows(s, Lead.__table__, [
            {"first_name": "New", "phone": "+13055550103", "hardships": [], "status": "active",
             "foreclosure_stage": "none", "created_at": NOW, "updated_at": NOW, "enrolled_at": NOW},
            {"first_name": "Twin", "phone": "+13055550102", "hardships": [], "status": "active",
             "foreclosure_stage": "none", "created_at": NOW, "updated_at": NOW, "enrolled_at": NOW}])
    with session_scope() as s:
        assert [lead.phone for lead in s.exec(select(Lead))] == ["+13055550102"]


def test_an_imported_list_is_planned_as_each_lead_alone_would_be(db_url):
    """120 varied leads (states, stages, sale dates, bad rows) imported in bulk; then each lead is
    planned again on its own: every planned message is kept, none added or cancelled, and each
    has its one 'planned' log row."""
    text = generate(120, seed=11)
    engine = db.get_engine()
    report = import_text(lambda: Session(engine, expire_on_commit=False), text, now=NOW)
    assert report.created > 100 and report.created + report.failed_rows == 120
    with session_scope() as s:
        leads = list(s.exec(select(Lead).order_by(Lead.id)))
        planned = {m.id: m.lead_id for m in s.exec(select(Message).where(Message.state == "planned"))}
        logged = [e.message_id for e in s.exec(select(DeliveryEvent).where(DeliveryEvent.to_state == "planned"))]
    assert len(leads) == report.created
    assert len(planned) > 10 * len(leads)  # a real plan, not an empty one
    assert sorted(logged) == sorted(planned)
    with session_scope() as s:
        for lead in leads:
            result = planning.replan_lead(s, lead.id, now=NOW, cause="check")
            assert result is not None
            assert result.planned == [] and result.cancelled == [], lead.id
            assert sorted(result.kept) == sorted(m for m, owner in planned.items() if owner == lead.id)
        s.rollback()


def _ctrl_c_at_batch(number: int, monkeypatch) -> list[int]:
    """Ctrl-C (KeyboardInterrupt) when the import starts committing its `number`th batch; the
    returned list counts the batches (clear it to start counting again)."""
    real_commit = csv_import._commit_batch
    calls: list[int] = []

    def commit(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise KeyboardInterrupt
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(csv_import, "_commit_batch", commit)
    return calls


def _import_stopped_at_batch(number: int, text: str, monkeypatch) -> ImportInterrupted:
    """Import `text` in batches of 10 with Ctrl-C at the `number`th batch; what the stop says."""
    monkeypatch.setattr(csv_import, "BATCH", 10)
    real_commit = csv_import._commit_batch
    _ctrl_c_at_batch(number, monkeypatch)
    engine = db.get_engine()
    with pytest.raises(ImportInterrupted) as stopped:
        import_text(lambda: Session(engine, expire_on_commit=False), text, now=NOW)
    monkeypatch.setattr(csv_import, "_commit_batch", real_commit)
    return stopped.value


def test_a_stopped_import_reports_what_was_committed_and_a_rerun_finishes_it(db_url, monkeypatch):
    """Ctrl-C during the third batch: the two committed batches are reported and saved, nothing
    of the third; importing the file again creates the rest and leaves the saved ones unchanged."""
    text = generate(35, bad_share=0, seed=3)
    stopped = _import_stopped_at_batch(3, text, monkeypatch)
    assert stopped.committed_through == 21  # header is line 1: rows 1-20 are lines 2-21
    assert stopped.report.created == 20 and stopped.report.rows == 20
    with session_scope() as s:
        assert len(list(s.exec(select(Lead)))) == 20
    engine = db.get_engine()
    report = import_text(lambda: Session(engine, expire_on_commit=False), text, now=NOW + timedelta(minutes=5))
    assert (report.created, report.unchanged) == (15, 20)
    with session_scope() as s:
        assert len(list(s.exec(select(Lead)))) == 35


def test_the_cli_says_where_a_stopped_import_can_pick_up(db_url, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from nurture.cli import app

    monkeypatch.setattr(csv_import, "BATCH", 10)
    path = tmp_path / "list.csv"
    path.write_text(generate(25, bad_share=0, seed=5), encoding="utf-8")
    calls = _ctrl_c_at_batch(2, monkeypatch)
    result = CliRunner().invoke(app, ["leads", "import", str(path), "--json"])
    assert result.exit_code == 130, result.output
    data = json.loads(result.stdout)
    assert data["interrupted"] is True and data["committed_through_line"] == 11 and data["created"] == 10
    calls.clear()
    result = CliRunner().invoke(app, ["leads", "import", str(path)])
    assert result.exit_code == 130
    assert "stopped after line 11; committed 10 rows from" in result.output
    assert "0 created, 0 updated, 10 unchanged" in result.output
    assert "import the same file again to finish" in result.output


def test_a_stopped_import_reports_only_the_lines_it_settled(db_url, monkeypatch):
    """Bad rows read after the last committed batch are not in the stopped import's report: its
    rows, errors and saved leads all end at the line it names."""
    text = generate(60, bad_share=0.3, seed=9)
    stopped = _import_stopped_at_batch(3, text, monkeypatch)
    through, report = stopped.committed_through, stopped.report
    assert report.rows == through - 1  # lines 2..through, none of them blank
    assert report.errors and all(line <= through for line, _ in report.errors)
    assert report.created + report.failed_rows == report.rows
    with session_scope() as s:
        assert len(list(s.exec(select(Lead)))) == report.created
    engine = db.get_engine()
    full = import_text(lambda: Session(engine, expire_on_commit=False), text, now=NOW)
    assert any(line > through for line, _ in full.errors)  # the stop did leave bad lines unread


def test_the_import_progress_bar_shows_rows_per_second():
    from rich.progress import Progress

    from nurture.cli.leads import _RowsPerSecond

    clock = [0.0]
    with Progress(_RowsPerSecond(), get_time=lambda: clock[0], disable=True) as bar:
        task = bar.add_task("rows", total=1000)
        assert str(_RowsPerSecond().render(bar.tasks[0])) == "- rows/s"  # nothing measured yet
        bar.advance(task, 0)
        clock[0] = 2.0
        bar.advance(task, 500)
        assert str(_RowsPerSecond().render(bar.tasks[0])) == "250 rows/s"


def test_imports_of_the_same_list_at_once_make_each_lead_once(db_url, monkeypatch):
    """Four imports of one list at the same moment (as four people clicking import): every person
    becomes one lead with one plan; each row is created by exactly one import and found by the others
    (or named as taken at the same time), never saved twice or lost."""
    import threading

    monkeypatch.setattr(csv_import, "BATCH", 25)
    text = generate(100, bad_share=0, seed=21)
    engine = db.get_engine()
    start = threading.Barrier(4)
    reports = [None] * 4

    def run(i: int) -> None:
        start.wait()
        reports[i] = import_text(lambda: Session(engine, expire_on_commit=False), text, now=NOW)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(r is not None for r in reports)
    assert sum(r.created for r in reports) == 100
    for r in reports:
        assert r.created + r.updated + r.unchanged + r.failed_rows == 100
        assert all("at the same time" in e.message for _, e in r.errors), r.errors
    with session_scope() as s:
        leads = list(s.exec(select(Lead)))
        planned = list(s.exec(select(Message.lead_id, Message.sequence, Message.step)
                              .where(Message.state == "planned")))
    assert len(leads) == len({lead.phone for lead in leads}) == 100
    assert len(planned) == len(set(planned))  # no step planned twice for a lead
    assert {lead_id for lead_id, _, _ in planned} == {lead.id for lead in leads}


def test_one_of_finds_what_an_in_list_finds_with_one_statement_text_for_any_batch(db_url):
    from nurture.db import one_of

    with session_scope() as s:
        leads = [_lead(s, f"+1305555{n:04d}") for n in range(300, 330)]
    ids = [lead.id for lead in leads]
    phones = {lead.id: lead.phone for lead in leads}
    texts = set()
    with session_scope() as s:
        for asked in ([], ids[:1], ids[::3], ids + [2**31 + 5, -1], [ids[0]] * 3):
            query = select(Lead.id).where(one_of(s, Lead.id, asked))
            assert sorted(s.exec(query)) == sorted(set(asked) & set(ids)), asked  # oracle: set arithmetic
            texts.add(str(query.compile(dialect=s.get_bind().dialect)))
        wanted = [phones[i] for i in ids[5:9]] + ["+13055559999"]
        assert sorted(s.exec(select(Lead.id).where(one_of(s, Lead.phone, wanted)))) == ids[5:9]
    if db_url.startswith("postgresql"):
        assert len(texts) == 1, texts  # one text: psycopg prepares it once, whatever the batch size


HOSTILE_TEXT = ["tab\there", "new\nline", "cr\rlf\r\n", "back\\slash", "\\N", "\\", "ends with \\", "\b\v\f",
                "emoji 🏠 ñ 中文", "quote ' \" ,", "", "  spaces  ", "\\t not a tab", "null\\x00-ish"]


def test_bulk_text_with_tabs_newlines_and_backslashes_reads_back_exactly(db_url):
    """COPY's text format escapes what it would otherwise read as a field or row end: every such
    character comes back as written, as the ORM's INSERT writes it."""
    at = datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("America/Chicago"))
    with session_scope() as s:
        lead_id = _lead(s, "+13055550400").id
        for i, text in enumerate(HOSTILE_TEXT):
            s.add(DeliveryEvent(at=at, lead_id=lead_id, kind="orm", cause=text, data={"i": i, "text": text}))
        s.flush()
        bulk.insert_rows(s, DeliveryEvent.__table__, [
            {"at": at, "lead_id": lead_id, "message_id": None, "kind": "bulk", "from_state": None, "to_state": None,
             "cause": text, "data": {"i": i, "text": text}} for i, text in enumerate(HOSTILE_TEXT)])
    with session_scope() as s:
        rows = s.exec(select(DeliveryEvent).order_by(DeliveryEvent.id)).all()
    by_kind = {kind: [(e.cause, e.data, e.at) for e in rows if e.kind == kind] for kind in ("orm", "bulk")}
    expected = [(text, {"i": i, "text": text}, at) for i, text in enumerate(HOSTILE_TEXT)]
    assert by_kind["bulk"] == by_kind["orm"] == expected


# Any character PostgreSQL text holds (not NUL), often one that COPY's text format escapes.
_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00") | st.sampled_from("\\\t\n\r\b\v\fN.")
# ...and printable text with backslashes, which COPY would read as escapes unless they are doubled.
_TEXT = st.text(_CHARACTERS, max_size=60) | st.text(st.sampled_from("\\Nnt.ab é😀"), max_size=20)
_EVENTS = st.lists(st.tuples(
    _TEXT,
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.one_of(st.none(), st.text(_CHARACTERS, max_size=20)),  # to_state is a VARCHAR(20)
), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=_EVENTS)
def test_any_text_time_and_number_written_by_copy_reads_back_as_given(pg_url, events):
    """COPY's text fields (a short way for text, ints and times, psycopg's dumper for the rest):
    whatever the value, PostgreSQL reads back exactly what was given."""
    with session_scope() as s:
        s.execute(DeliveryEvent.__table__.delete())
        bulk.insert_rows(s, DeliveryEvent.__table__, [
            {"at": at, "lead_id": number, "message_id": None, "kind": "copy", "from_state": None,
             "to_state": state, "cause": text, "data": None} for text, at, number, state in events])
    with session_scope() as s:
        rows = s.exec(select(DeliveryEvent).order_by(DeliveryEvent.id)).all()
    assert [(e.cause, e.at, e.lead_id, e.to_state) for e in rows] == [tuple(e) for e in events]


def test_an_import_holds_up_the_schedulers_claims_for_one_batch_at_most(db_url, monkeypatch):
    """A list being imported while the scheduler ticks: the tick claims the messages already due.
    On PostgreSQL it does so while a batch is still being saved (nothing it claims is locked by the
    import); on SQLite, whose single writer the batch holds, as soon as that batch commits, before
    the next one starts: each batch is its own transaction, so the tick never waits for the list."""
    import threading

    from nurture.delivery.scheduler import tick

    engine = db.get_engine()
    text = generate(31, bad_share=0, seed=12)
    lines = text.splitlines()
    earlier = import_text(lambda: Session(engine, expire_on_commit=False), "\n".join(lines[:6]) + "\n", now=NOW)
    assert earlier.created == 5
    at = NOW + timedelta(minutes=10)
    with session_scope() as s:
        due = {m.id for m in s.exec(select(Message).where(Message.state == "planned", Message.due_at <= at))}
    assert due  # the earlier leads' welcomes wait for the tick

    monkeypatch.setattr(csv_import, "BATCH", 10)
    real_upsert, real_commit = csv_import.upsert_many, csv_import._commit_batch
    batches: list[list[int]] = []
    holding, go, ticked = threading.Event(), threading.Event(), threading.Event()

    def upsert(session, rows, **kwargs):  # the import's batch, inside its transaction
        outcomes = real_upsert(session, rows, **kwargs)
        batches.append([o.lead_id for o in outcomes])
        if len(batches) == 2:
            holding.set()
            assert go.wait(30), "the test never let the second batch commit"
        return outcomes

    def commit_batch(*args, **kwargs):
        if len(batches) == 2:  # the third batch waits (holding nothing) until the tick is done
            assert ticked.wait(30), "the tick did not get in after the second batch committed"
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(csv_import, "upsert_many", upsert)
    monkeypatch.setattr(csv_import, "_commit_batch", commit_batch)
    later = NOW + timedelta(minutes=5)
    importer = threading.Thread(
        target=lambda: import_text(lambda: Session(engine, expire_on_commit=False), "\n".join([lines[0], *lines[6:]]) + "\n",
                                   now=later))
    importer.start()
    try:
        assert holding.wait(30)
        claimed: list[int] = []
        ticker = threading.Thread(target=lambda: (tick(lambda c: claimed.extend(m for m, _ in c), now=at), ticked.set()))
        ticker.start()
        if db.get_engine().dialect.name == "postgresql":
            ticker.join(30)  # no wait for the batch being saved
            assert ticked.is_set()
            assert not set(claimed) & _messages_of(batches[1])  # the open batch's rows are not seen
        go.set()
        ticker.join(30)
        assert ticked.is_set()
    finally:
        go.set()
        ticked.set()
        importer.join(60)
    assert due <= set(claimed)
    with session_scope() as s:
        assert len(list(s.exec(select(Lead)))) == 31  # and the whole list was saved


def _messages_of(lead_ids: list[int]) -> set[int]:
    with session_scope() as s:
        return {m.id for m in s.exec(select(Message).where(Message.lead_id.in_(lead_ids)))}
