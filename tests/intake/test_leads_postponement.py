"""A person, the form, the API or a CSV moving a lead's SET sale date later records a postponement,
and the lead's plan then tells it once (schedules/postponed.yaml); nothing else is one.
(Bought lists go through nurture/intake/lists.py, wired separately.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from nurture.db import session_scope
from nurture.intake.leads import update_lead, upsert_lead
from nurture.models import Consent, Lead, Message

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Miami


def new_lead(session, sale_date: str, **more) -> Lead:
    data = {"first_name": "Ana", "email": "ana@example.com", "phone": "+13055550142",
            "property": {"state": "FL", "zip": "33101"}, "foreclosure": {"sale_date": sale_date}} | more
    lead = upsert_lead(session, data, method="cli", now=NOW).lead
    session.add(Consent(lead_id=lead.id, channel="sms", action="grant", text="I agree", method="web_form",
                        recorded_at=NOW))
    session.flush()
    return lead


def postponement_rows(session, lead_id: int) -> list[tuple[str, str, str]]:
    rows = session.exec(select(Message).where(Message.lead_id == lead_id, Message.sequence == "postponed")).all()
    return sorted((m.step, m.channel, m.state) for m in rows)


def test_a_set_date_moved_later_by_an_update_is_a_postponement_told_once(sqlite_url):
    later = NOW + timedelta(days=2)
    with session_scope() as session:
        lead = new_lead(session, "2026-12-20")
        result = update_lead(session, lead, {"foreclosure": {"sale_date": "2027-01-19"}}, method="cli", now=later)
        assert {"sale_date", "sale_postponed_from", "sale_postponed_at"} <= result.changed
        assert (lead.sale_postponed_from, lead.sale_postponed_at) == (date(2026, 12, 20), later)
        assert postponement_rows(session, lead.id) == [("sale-postponed@2026-12-20", "sms", "planned")]
        # The same date again (a second form post): nothing new, the message is not planned twice.
        update_lead(session, lead, {"foreclosure": {"sale_date": "2027-01-19"}}, method="cli",
                    now=later + timedelta(hours=1))
        assert lead.sale_postponed_at == later
        assert postponement_rows(session, lead.id) == [("sale-postponed@2026-12-20", "sms", "planned")]


def test_an_earlier_date_or_a_cleared_one_is_no_postponement(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session, "2026-12-20")
        update_lead(session, lead, {"foreclosure": {"sale_date": "2026-12-15"}}, method="cli", now=NOW)
        assert lead.sale_postponed_from is None
        update_lead(session, lead, {"foreclosure": {"sale_date": None}}, method="cli", now=NOW)
        assert lead.sale_postponed_from is None
        assert postponement_rows(session, lead.id) == []


def test_the_same_person_posting_the_form_again_with_a_later_date_is_a_postponement(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session, "2026-12-20")
        again = {"first_name": "Ana", "email": "ana@example.com", "phone": "+13055550142",
                 "foreclosure": {"sale_date": "2027-01-05"}}
        upsert_lead(session, again, method="cli", now=NOW + timedelta(days=1))
        session.refresh(lead)
        assert lead.sale_postponed_from == date(2026, 12, 20)
        assert postponement_rows(session, lead.id) == [("sale-postponed@2026-12-20", "sms", "planned")]
