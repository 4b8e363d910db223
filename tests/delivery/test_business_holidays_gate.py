"""The business's holidays at the send gate (issue 24): a marketing message that comes due on one
(planned before the setting named it) is not sent; the lead is planned again around the holiday.
The HELP answer and the STOP confirmation still go out."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, message, queue_message
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Message

CHRISTMAS_10_MIAMI = datetime(2026, 12, 25, 15, 0, tzinfo=UTC)
BOXING_DAY_10_MIAMI = datetime(2026, 12, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def lead_id(db_url, providers):
    clock.freeze(CHRISTMAS_10_MIAMI)
    lead_id = add_lead(CHRISTMAS_10_MIAMI)
    cancel_plan(lead_id, CHRISTMAS_10_MIAMI)
    return lead_id


def test_a_text_due_on_christmas_is_not_sent_and_the_lead_is_planned_again(lead_id, providers):
    mid = queue_message(lead_id, CHRISTMAS_10_MIAMI)
    outcome = Dispatcher().send(mid)
    assert outcome.state == "cancelled", outcome
    assert providers.received == []
    assert message(mid).reason.startswith("Christmas Day is a business holiday where the lead is")
    with session_scope() as s:
        planned = s.exec(select(Message).where(Message.lead_id == lead_id, Message.state == "planned")).all()
    miami = ZoneInfo("America/New_York")
    assert planned and all(m.due_at.astimezone(miami).date() != date(2026, 12, 25) for m in planned)


def test_the_same_text_goes_out_the_day_after(lead_id, providers):
    clock.freeze(BOXING_DAY_10_MIAMI)
    mid = queue_message(lead_id, BOXING_DAY_10_MIAMI)
    assert Dispatcher().send(mid).state == "sent"


def test_without_the_holiday_in_the_setting_it_goes_out(lead_id, providers, monkeypatch):
    monkeypatch.setenv("NURTURE_BUSINESS_HOLIDAYS", "thanksgiving")
    get_settings.cache_clear()
    mid = queue_message(lead_id, CHRISTMAS_10_MIAMI)
    assert Dispatcher().send(mid).state == "sent"
    assert len(providers.received) == 1


def test_the_answer_to_help_goes_out_on_christmas(lead_id, providers):
    from datetime import timedelta

    from delivery_helpers import requeue
    from nurture.content import HELP_TEMPLATE
    from nurture.conversations.inbound import plan_system_message
    from nurture.models import Lead

    with session_scope() as s:
        mid = plan_system_message(s, s.get(Lead, lead_id), template=HELP_TEMPLATE, step="help-answer-test",
                                  now=CHRISTMAS_10_MIAMI, within=timedelta(minutes=5), reason="HELP")
    requeue(mid)
    assert Dispatcher().send(mid).state == "sent"
    assert len(providers.received) == 1
