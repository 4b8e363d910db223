"""Rows for delivery tests: a lead with consent and one queued message, built through real intake."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from nurture.db import session_scope
from nurture.intake.leads import upsert_lead
from nurture.delivery.lifecycle import S
from nurture.models import DeliveryEvent, Lead, Message

CONSENT = {"granted": True, "text": "I agree to receive texts from Short Sale Help. Reply STOP to opt out.",
           "source_url": "https://www.example.com/start-short-sale", "ip": "203.0.113.7"}


def lead_body(**over: Any) -> dict[str, Any]:
    body = {
        "first_name": "Maria", "last_name": "Lopez", "email": "maria@example.com", "phone": "(305) 555-0142",
        "property": {"street": "12 Palm Ave", "city": "Miami", "state": "FL", "zip": "33101"},
        "mortgage_balance": "425000", "estimated_value": "375000", "payment_status": "behind",
        "months_behind": 3, "sms_consent": CONSENT,
    }
    body.update(over)
    return body


def add_lead(now: datetime, **over: Any) -> int:
    with session_scope() as session:
        return upsert_lead(session, lead_body(**over), method="test", now=now).lead.id


def queue_message(lead_id: int, now: datetime, *, channel: str = "sms", template: str | None = None,
                  step: str = "test-step", deadline: bool = False, due_at: datetime | None = None,
                  state: str = S.queued) -> int:
    """One message row as the scheduler would leave it (queued, leased)."""
    with session_scope() as session:
        msg = Message(lead_id=lead_id, sequence="test", step=step, channel=channel,
                      template=template or f"{channel}/what_is_short_sale", deadline=deadline, tier="urgent",
                      due_at=due_at or now, state=state, lease_until=now + timedelta(minutes=5))
        session.add(msg)
        session.flush()
        return msg.id


def message(message_id: int) -> Message:
    with session_scope() as session:
        msg = session.get(Message, message_id)
        assert msg is not None
        return msg


def lead(lead_id: int) -> Lead:
    with session_scope() as session:
        found = session.get(Lead, lead_id)
        assert found is not None
        return found


def events(message_id: int) -> list[DeliveryEvent]:
    with session_scope() as session:
        return list(session.exec(select(DeliveryEvent).where(DeliveryEvent.message_id == message_id)
                                 .order_by(DeliveryEvent.id)))


def messages_of(lead_id: int, *states: str) -> list[Message]:
    with session_scope() as session:
        q = select(Message).where(Message.lead_id == lead_id)
        if states:
            q = q.where(Message.state.in_(states))  # type: ignore[attr-defined]
        return list(session.exec(q.order_by(Message.due_at)))


def cancel_plan(lead_id: int, now: datetime) -> None:
    """Cancel the lead's planned messages so a test controls exactly what is due."""
    from sqlalchemy import update

    with session_scope() as session:
        session.execute(update(Message).where(Message.lead_id == lead_id, Message.state == S.planned)
                        .values(state=S.cancelled, updated_at=now))


def requeue(message_id: int) -> None:
    """Put a message the gate moved back in the queue, as the scheduler does when its time comes."""
    from sqlalchemy import update

    with session_scope() as session:
        session.execute(update(Message).where(Message.id == message_id).values(state=S.queued))
