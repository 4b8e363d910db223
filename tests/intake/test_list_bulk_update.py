"""The bought-list import's one UPDATE per batch (bulk.update_rows: executemany on SQLite, psycopg's
on PostgreSQL) stores what the ORM would, leaves other rows alone, and fails as a session would, so
that a list's race with another import is still recognised and saved again."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from nurture import bulk
from nurture.db import session_scope
from nurture.models import Lead

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _leads(count: int) -> list[int]:
    with session_scope() as s:
        leads = [Lead(first_name=f"Owner{i}", email=f"owner{i}@example.com", state="FL") for i in range(count)]
        s.add_all(leads)
        s.flush()
        return [lead.id for lead in leads]


def test_update_rows_sets_each_rows_columns_and_nothing_else(db_url):
    first, second, third = _leads(3)
    with session_scope() as s:
        bulk.update_rows(s, Lead.__table__, [
            {"foreclosure_stage": "notice_of_default", "sale_date": date(2027, 3, 9), "sale_date_estimated": True,
             "sale_date_reason": "earliest sale 2027-03-09", "parcel_number": "FL:123", "id": first},
            {"foreclosure_stage": "sale_scheduled", "sale_date": None, "sale_date_estimated": False,
             "sale_date_reason": None, "parcel_number": None, "id": third},
        ])
    with session_scope() as s:
        stored = {lead.id: lead for lead in s.exec(select(Lead))}
    a, b, c = stored[first], stored[second], stored[third]
    assert (a.foreclosure_stage, a.sale_date, a.sale_date_estimated, a.sale_date_reason, a.parcel_number) == (
        "notice_of_default", date(2027, 3, 9), True, "earliest sale 2027-03-09", "FL:123")
    assert (c.foreclosure_stage, c.sale_date, c.sale_date_estimated, c.sale_date_reason, c.parcel_number) == (
        "sale_scheduled", None, False, None, None)
    # The lead no row names keeps its defaults; the others keep the columns the rows leave out.
    assert (b.foreclosure_stage, b.sale_date, b.parcel_number) == ("none", None, None)
    assert (a.first_name, a.email, c.first_name) == ("Owner0", "owner0@example.com", "Owner2")


def test_update_rows_breaking_a_unique_key_raises_integrity_error_and_writes_nothing(db_url):
    first, second = _leads(2)
    with pytest.raises(IntegrityError) as caught, session_scope() as s:
        bulk.update_rows(s, Lead.__table__, [{"parcel_number": "TX:77", "id": first},
                                             {"parcel_number": "TX:77", "id": second}])
    assert caught.value.orig is not None  # the driver's error, as _raced reads it
    with session_scope() as s:
        assert [lead.parcel_number for lead in s.exec(select(Lead))] == [None, None]


def test_update_rows_with_no_rows_does_nothing(db_url):
    (only,) = _leads(1)
    with session_scope() as s:
        bulk.update_rows(s, Lead.__table__, [])
    with session_scope() as s:
        assert s.get(Lead, only).foreclosure_stage == "none"
