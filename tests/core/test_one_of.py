"""`db.one_of`, the IN of a batch's values: the same rows as the values' own membership test, on
SQLite (a JSON array for texts and integers) and PostgreSQL (an array), for any number of values."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture import bulk
from nurture.clock import now
from nurture.db import get_engine, one_of
from nurture.models import Lead

PHONES = [f"+1305201{i:04d}" for i in range(300)]


def _store_leads(session: Session) -> dict[int, str]:
    at = now()
    ids = bulk.reserve_ids(session, Lead.__table__, len(PHONES))
    bulk.insert_rows(session, Lead.__table__, [
        {"id": i, "first_name": f"Ana {n}", "last_name": "Ruiz", "phone": phone, "hardships": [],
         "foreclosure_stage": "none", "timezone": "America/New_York", "status": "active", "enrolled_at": at,
         "created_at": at, "updated_at": at} for n, (i, phone) in enumerate(zip(ids, PHONES, strict=True))])
    session.commit()
    return dict(zip(ids, PHONES, strict=True))


def _found(session: Session, column: object, values: list[object]) -> set[int]:
    return set(session.exec(select(Lead.id).where(one_of(session, column, values))).all())


def test_one_of_finds_exactly_the_rows_whose_value_is_in_the_batch(db_url):
    with Session(get_engine()) as session:
        stored = _store_leads(session)
        ids = sorted(stored)
        phones = [*PHONES[::7], "+13052019999", "ü@example.com", "", "x" * 300]
        assert _found(session, col(Lead.phone), phones) == {i for i, phone in stored.items() if phone in phones}
        some = [*ids[::5], 0, -1, 2**40]
        assert _found(session, col(Lead.id), some) == {i for i in stored if i in some}


def test_one_of_on_sqlite_takes_any_batch_and_leaves_odd_values_to_an_in_list(tmp_path):
    with Session(get_engine(f"sqlite:///{tmp_path / 'odd.db'}")) as session:
        stored = _store_leads(session)
        ids = sorted(stored)
        assert _found(session, col(Lead.id), [ids[0], 2**70, -(2**70)]) == {ids[0]}  # past 64 bits: no match, no error
        assert _found(session, col(Lead.id), [ids[1], True]) == {ids[1]} | ({1} & set(stored))  # an IN list: True is 1
        assert _found(session, col(Lead.phone), [PHONES[3], 5]) == {ids[3]}  # a mixed batch: an IN list
        many = [f"+1999{i:07d}" for i in range(40_000)] + [PHONES[9]]  # more than SQLite takes as parameters
        assert _found(session, col(Lead.phone), many) == {ids[9]}


def test_one_of_is_one_statement_whatever_the_batch_holds_on_sqlite(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'one_of.db'}")
    with Session(engine) as session:
        texts = {str(select(Lead.id).where(one_of(session, col(Lead.phone), PHONES[:n])).compile(engine))
                 for n in (1, 30, 300)}
        ids = {str(select(Lead.id).where(one_of(session, col(Lead.id), range(n))).compile(engine)) for n in (1, 500)}
    assert len(texts) == 1 and "json_each" in texts.pop()
    assert len(ids) == 1 and "json_each" in ids.pop()
    with engine.connect() as conn:
        plan = " ".join(str(v) for row in conn.execute(sa.text(
            "EXPLAIN QUERY PLAN SELECT id FROM lead WHERE phone IN (SELECT value FROM json_each('[\"+1\"]'))")) for v in row)
    assert "INDEX ix_lead_phone (phone=?)" in plan
