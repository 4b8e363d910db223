"""A bought list's contacts, records and planned messages point at their leads without a foreign
key (migrations 0013, 0014): every such row names a stored lead (a contact once per lead, kind and
address), also when several imports of overlapping lists run at once; and a lead's contacts are
found by its id through the unique key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from nurture.db import get_engine, session_scope
from nurture.intake.lists import import_list
from nurture.intake.profiles import load_profile
from nurture.models import Lead, LeadContact, LeadRecord, Message

SAMPLES = Path(__file__).parent / "samples"


def _import(engine, name: str, list_name: str, now):  # type: ignore[no-untyped-def]
    with (SAMPLES / f"{name}.csv").open(newline="") as f:
        return import_list(lambda: Session(engine, expire_on_commit=False), f, profile=load_profile(name),
                           list_name=list_name, purchased_on=now.date(), now=now)


def _contacts_and_leads() -> tuple[list[LeadContact], set[int]]:
    with session_scope() as session:
        return list(session.exec(select(LeadContact)).all()), set(session.exec(select(Lead.id)).all())


def _leads_of_records_and_messages() -> tuple[set[int], set[int]]:
    with session_scope() as session:
        return set(session.exec(select(LeadRecord.lead_id)).all()), set(session.exec(select(Message.lead_id)).all())


def test_every_contact_of_two_overlapping_lists_points_at_a_stored_lead_once(db_url, frozen_now):
    engine = get_engine()
    for name in ("attom-preforeclosure", "dealmachine", "dealmachine"):
        assert _import(engine, name, f"{name}-list", frozen_now).failed_rows == 0
    contacts, lead_ids = _contacts_and_leads()
    assert contacts and {c.lead_id for c in contacts} <= lead_ids
    recorded, planned = _leads_of_records_and_messages()
    assert recorded == lead_ids and planned and planned <= lead_ids
    keys = [(c.lead_id, c.kind, c.address) for c in contacts]
    assert len(keys) == len(set(keys))  # the second import of the same file added no contact twice


@pytest.mark.postgres
def test_concurrent_imports_leave_no_contact_record_or_message_without_its_lead_on_postgres(pg_url, frozen_now):
    engine = get_engine()
    with ThreadPoolExecutor(6) as pool:
        reports = list(pool.map(lambda i: _import(engine, ("dealmachine", "batchdata", "attom-preforeclosure")[i % 3],
                                                  f"list-{i}", frozen_now), range(6)))
    assert all(r.failed_rows == 0 for r in reports), [r.errors for r in reports]
    contacts, lead_ids = _contacts_and_leads()
    assert contacts and {c.lead_id for c in contacts} <= lead_ids
    recorded, planned = _leads_of_records_and_messages()
    assert recorded == lead_ids and planned and planned <= lead_ids


def test_a_leads_contacts_are_read_through_the_unique_key(db_url):
    with get_engine().connect() as conn:
        sql = "SELECT kind, address FROM leadcontact WHERE lead_id = 7"
        prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET enable_seqscan = off"))  # an empty table: ask whether the index can serve
        plan = " ".join(str(v) for row in conn.execute(sa.text(prefix + sql)).all() for v in row)
        sqlite = conn.dialect.name == "sqlite"
    # SQLite names a table's unique constraint sqlite_autoindex_<table>_N.
    assert ("sqlite_autoindex_leadcontact" if sqlite else "uq_leadcontact_lead_kind_address") in plan, plan


@pytest.mark.postgres
def test_a_grown_suppression_table_is_read_by_its_unique_key_on_postgres(pg_url):
    """Once an import has added many numbers to `suppression`, the look-up of a batch's numbers (as a
    prepared statement runs it) reads the unique key instead of comparing every row with each number."""
    from datetime import UTC, datetime

    from nurture import bulk
    from nurture.models import Suppression

    engine = get_engine()
    with Session(engine) as session:
        bulk.insert_rows(session, Suppression.__table__, [
            {"channel": "sms", "address": f"+1305201{i:04d}", "reason": "dnc", "created_at": datetime.now(UTC)}
            for i in range(5_000)])  # more than ANALYZE_MIN_CHANGES, and enough that a scan costs more
        session.commit()
        session.execute(sa.text("SELECT pg_stat_force_next_flush()"))
        session.commit()
    with Session(engine) as session:
        assert bulk.analyze_grown(session, Suppression.__table__) is True
        session.commit()
        assert bulk.analyze_grown(session, Suppression.__table__) is False  # nothing changed since
        session.execute(sa.text("SET plan_cache_mode = force_generic_plan"))
        session.execute(sa.text("PREPARE numbers(text[]) AS SELECT address FROM suppression "
                                "WHERE channel = 'sms' AND address = ANY($1)"))
        plan = " ".join(r[0] for r in session.execute(sa.text("EXPLAIN EXECUTE numbers('{+13052010001}')")))
    assert "uq_suppression_channel_address" in plan and "ANY" in plan.split("Index Cond")[1], plan
