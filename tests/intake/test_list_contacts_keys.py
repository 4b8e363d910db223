"""A bought list's contacts point at their leads without a foreign key (migration 0013): every
contact row names a stored lead, once per (lead, kind, address), also when several imports of
overlapping lists run at once; and a lead's contacts are found by its id through the unique key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from nurture.db import get_engine, session_scope
from nurture.intake.lists import import_list
from nurture.intake.profiles import load_profile
from nurture.models import Lead, LeadContact

SAMPLES = Path(__file__).parent / "samples"


def _import(engine, name: str, list_name: str, now):  # type: ignore[no-untyped-def]
    with (SAMPLES / f"{name}.csv").open(newline="") as f:
        return import_list(lambda: Session(engine, expire_on_commit=False), f, profile=load_profile(name),
                           list_name=list_name, purchased_on=now.date(), now=now)


def _contacts_and_leads() -> tuple[list[LeadContact], set[int]]:
    with session_scope() as session:
        return list(session.exec(select(LeadContact)).all()), set(session.exec(select(Lead.id)).all())


def test_every_contact_of_two_overlapping_lists_points_at_a_stored_lead_once(db_url, frozen_now):
    engine = get_engine()
    for name in ("attom-preforeclosure", "dealmachine", "dealmachine"):
        assert _import(engine, name, f"{name}-list", frozen_now).failed_rows == 0
    contacts, lead_ids = _contacts_and_leads()
    assert contacts and {c.lead_id for c in contacts} <= lead_ids
    keys = [(c.lead_id, c.kind, c.address) for c in contacts]
    assert len(keys) == len(set(keys))  # the second import of the same file added no contact twice


@pytest.mark.postgres
def test_concurrent_imports_leave_no_contact_without_its_lead_on_postgres(pg_url, frozen_now):
    engine = get_engine()
    with ThreadPoolExecutor(6) as pool:
        reports = list(pool.map(lambda i: _import(engine, ("dealmachine", "batchdata", "attom-preforeclosure")[i % 3],
                                                  f"list-{i}", frozen_now), range(6)))
    assert all(r.failed_rows == 0 for r in reports), [r.errors for r in reports]
    contacts, lead_ids = _contacts_and_leads()
    assert contacts and {c.lead_id for c in contacts} <= lead_ids


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
