"""db.Prepared: the send path's statements run by psycopg itself on PostgreSQL. What comes back,
what is stored and what goes wrong must be what SQLAlchemy's own execution gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from conftest import PG_ADMIN_URL
from delivery_helpers import add_lead, cancel_plan, message, queue_message
from nurture import db
from nurture.clock import clock
from nurture.db import Prepared, session_scope
from nurture.delivery.dispatch import _MESSAGE_FIELDS, Dispatcher, _after_lock_statement, _load_statement
from nurture.delivery.lifecycle import S, transition
from nurture.models import LEAD_COLUMNS, Message

TUESDAY_10_MIAMI = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _lead_with_a_queued_text() -> tuple[int, int]:
    clock.freeze(TUESDAY_10_MIAMI)
    lead_id = add_lead(TUESDAY_10_MIAMI, hardships=["job_loss", "medical"],
                       foreclosure={"sale_date": "2027-01-20"})
    cancel_plan(lead_id, TUESDAY_10_MIAMI)
    return lead_id, queue_message(lead_id, TUESDAY_10_MIAMI, due_at=TUESDAY_10_MIAMI - timedelta(minutes=3))


def test_rows_are_what_sqlalchemys_own_execution_gives(db_url):
    lead_id, mid = _lead_with_a_queued_text()
    sent = queue_message(lead_id, TUESDAY_10_MIAMI - timedelta(hours=2), step="earlier", state="sent")
    statement, after_lock = _load_statement(), _after_lock_statement()
    after_params = {"lead_id": lead_id, "exclude": mid, "channel": "sms", "address": "+13055550142"}
    with session_scope() as session:
        got = Prepared(statement).rows(session, {"message_id": mid})
        got_after = Prepared(after_lock).rows(session, after_params)
    with session_scope() as session:  # the oracle: SQLAlchemy executing the same statements
        expected = [tuple(r) for r in session.execute(statement, {"message_id": mid}).all()]
        expected_after = [tuple(r) for r in session.execute(after_lock, after_params).all()]
    assert got == expected and len(got) == 1
    assert got_after == expected_after
    lead = dict(zip(LEAD_COLUMNS, got[0], strict=False))
    rest = dict(zip(_MESSAGE_FIELDS, got[0][len(LEAD_COLUMNS):], strict=True))
    assert lead["hardships"] == ["job_loss", "medical"]  # JSON, as a list
    assert lead["sale_date"] == date(2027, 1, 20)
    assert lead["mortgage_balance_cents"] == 42_500_000
    assert rest["due_at"] == TUESDAY_10_MIAMI - timedelta(minutes=3) and rest["due_at"].tzinfo is UTC
    # The lead's newest SMS consent, no suppression, and the one message that went out, its time UTC.
    [(consent, suppressed, other, channel, _, step, state, at)] = got_after
    assert (consent, suppressed, other, channel, step, state) == ("grant", None, sent, "sms", "earlier", "sent")
    assert at.tzinfo is UTC
    with session_scope() as session:
        assert Prepared(statement).rows(session, {"message_id": mid + 1000}) == []
        # No history: one row of the consent and suppression, NULLs for the rest.
        assert Prepared(after_lock).rows(session, after_params | {"lead_id": lead_id + 1000}) == \
            [(None, None, None, None, None, None, None, None)]


def test_an_aware_time_in_another_zone_is_stored_as_its_utc_instant(db_url):
    lead_id, mid = _lead_with_a_queued_text()
    pacific = datetime(2026, 12, 1, 7, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    with session_scope() as session:
        assert transition(session, mid, from_state=S.queued, to_state=S.planned, at=pacific, lead_id=lead_id,
                          cause="test", due_at=pacific, lease_until=None)
    row = message(mid)
    assert row.state == "planned" and row.due_at == datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    with session_scope() as session:  # stored naive UTC, like every other time nurture writes
        stored = session.execute(sa.text("SELECT due_at, updated_at FROM message WHERE id = :id"), {"id": mid}).one()
    assert tuple(stored) in {(datetime(2026, 12, 1, 15, 30), datetime(2026, 12, 1, 15, 30)),
                             ("2026-12-01 15:30:00.000000", "2026-12-01 15:30:00.000000")}
    with session_scope() as session:  # a second transition from a state it is no longer in: no move
        assert not transition(session, mid, from_state=S.queued, to_state=S.sending, at=pacific, cause="test")


def test_a_unique_violation_is_sqlalchemys_integrity_error_and_the_session_goes_on(pg_url):
    lead_id, mid = _lead_with_a_queued_text()
    other = queue_message(lead_id, TUESDAY_10_MIAMI)  # the same step of the same sequence
    with session_scope() as session:
        assert transition(session, mid, from_state=S.queued, to_state=S.sending, at=TUESDAY_10_MIAMI,
                          lead_id=lead_id, cause="test")
    with session_scope() as session:
        with pytest.raises(IntegrityError, match="uq_message_step_once"):
            transition(session, other, from_state=S.queued, to_state=S.sending, at=TUESDAY_10_MIAMI,
                       lead_id=lead_id, cause="test")
        session.rollback()
        assert transition(session, other, from_state=S.queued, to_state=S.skipped, at=TUESDAY_10_MIAMI,
                          lead_id=lead_id, cause="test")
    assert (message(mid).state, message(other).state) == ("sending", "skipped")


def _drop_every_connection_to(url: str) -> int:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": sa.engine.make_url(url).database}).all())
    finally:
        admin.dispose()


@pytest.fixture
def without_ping(pg_url, monkeypatch):
    """An engine as worker processes have it: no ping before a checkout."""
    db.dispose_engines()
    monkeypatch.setattr(db, "pre_ping", False)
    yield pg_url
    db.dispose_engines()


def test_a_dropped_connection_comes_out_invalidated_and_the_next_session_gets_a_live_one(without_ping):
    _, mid = _lead_with_a_queued_text()
    load = Prepared(_load_statement())
    with session_scope() as session:
        assert load.rows(session, {"message_id": mid})
    assert _drop_every_connection_to(without_ping) >= 1
    with pytest.raises(DBAPIError) as caught, session_scope() as session:
        load.rows(session, {"message_id": mid})
    assert caught.value.connection_invalidated
    with session_scope() as session:
        assert load.rows(session, {"message_id": mid})[0][len(LEAD_COLUMNS)] == mid  # the message's id


def test_a_worker_whose_pooled_connection_was_dropped_still_sends_the_message_once(without_ping, providers):
    lead_id, first = _lead_with_a_queued_text()
    dispatcher = Dispatcher()
    assert dispatcher.send(first).state == "sent"  # the pool now holds the worker's connection
    clock.advance(timedelta(hours=2))
    second = queue_message(lead_id, clock.now(), step="another")
    assert _drop_every_connection_to(without_ping) >= 1
    assert dispatcher.send(second).state == "sent"  # the dead connection is met, dropped, and the send tried again
    assert [m.to for m in providers.received] == ["+13055550142", "+13055550142"]
    assert message(second).state == "sent"


def test_an_in_list_expanded_at_run_time_is_refused_with_the_way_out(pg_url):
    table = Message.__table__
    statement = sa.select(table.c.id).where(table.c.state.in_(["sent", "delivered"]))
    with session_scope() as session, pytest.raises(ValueError, match="no expanding IN list"):
        Prepared(statement).rows(session, {})


@pytest.mark.parametrize("worker", [False, True], ids=["another process", "a worker process"])
def test_a_worker_process_sends_without_a_ping_before_each_checkout(pg_url, providers, monkeypatch, worker):
    """`dramatiq workers` loads workers.py, which sets the process up with `tasks.worker_process`:
    its sends check out connections without the round trip of a ping (a dropped connection is met
    and the send tried again instead, above). Other processes keep the ping."""
    from nurture.delivery import tasks

    monkeypatch.setattr(db, "pre_ping", db.pre_ping)  # whatever the test sets is put back after it
    if worker:
        tasks.worker_process()
    db.dispose_engines()
    lead_id, first = _lead_with_a_queued_text()
    pings: list[object] = []
    dialect = db.get_engine().dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(conn) or real_ping(conn))
    dispatcher = Dispatcher()
    states = [dispatcher.send(first).state]
    for step, channel in (("an-email", "email"), ("another-text", "sms")):  # within Florida's daily caps
        clock.advance(timedelta(hours=2))
        states.append(dispatcher.send(queue_message(lead_id, clock.now(), step=step, channel=channel)).state)
    assert states == ["sent"] * 3
    assert len(providers.received) == 3
    if worker:
        assert pings == []
    else:
        assert len(pings) >= 3  # the counter sees the pings of a process that has them
