"""The worker's send path: claim, final gate, render, send through the real SDKs to the simulator, record."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from conftest import TWILIO_FROM
from delivery_helpers import add_lead, cancel_plan, events, lead, message, messages_of, queue_message
from nurture.clock import clock
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.delivery.retry import PROVIDER_ATTEMPTS as MAX_ATTEMPTS
from nurture.models import Suppression

TUESDAY_10_MIAMI = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _miami_lead_with_nothing_planned(providers):  # type: ignore[no-untyped-def]
    clock.freeze(TUESDAY_10_MIAMI)
    lead_id = add_lead(TUESDAY_10_MIAMI)
    cancel_plan(lead_id, TUESDAY_10_MIAMI)
    return lead_id, providers


@pytest.fixture
def setup(sqlite_url, providers):
    return _miami_lead_with_nothing_planned(providers)


@pytest.fixture
def on_either_database(db_url, providers):
    """The same lead on SQLite and on PostgreSQL (where the send path's statements run through psycopg itself)."""
    return _miami_lead_with_nothing_planned(providers)


def test_an_sms_reaches_twilio_with_to_from_body_and_status_callback(on_either_database):
    lead_id, sim = on_either_database
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    outcome = Dispatcher().send(mid)
    assert outcome.state == "sent", outcome
    (got,) = sim.received
    assert (got.provider, got.to, got.from_) == ("twilio", "+13055550142", TWILIO_FROM)
    assert "short sale" in got.body.lower()
    assert "Reply STOP" in got.body  # the lead's first text says how to opt out
    assert got.json["StatusCallback"] == f"https://nurture.example.com/webhooks/twilio/status?message_id={mid}"
    row = message(mid)
    assert row.state == "sent" and row.provider_id == got.provider_id
    assert row.body == got.body and row.to_address == "+13055550142"
    assert len(row.template_version) >= 8
    assert [(e.from_state, e.to_state) for e in events(mid)] == [("queued", "sending"), ("sending", "sent")]


def test_an_email_has_both_parts_custom_args_and_one_click_unsubscribe(on_either_database):
    lead_id, sim = on_either_database
    mid = queue_message(lead_id, TUESDAY_10_MIAMI, channel="email", template="email/negative_equity")
    assert Dispatcher().send(mid).state == "sent"
    (got,) = sim.received
    assert got.provider == "sendgrid" and got.to == "maria@example.com"
    assert got.subject and got.html and "$50,000" in got.body
    headers = got.json["headers"]
    assert headers["List-Unsubscribe"].startswith("<https://nurture.example.com/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got.json["custom_args"]["message_id"] == str(mid)
    assert message(mid).provider_id == got.provider_id


def test_a_message_is_claimed_once_even_if_the_broker_delivers_it_twice(setup):
    lead_id, sim = setup
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    dispatcher = Dispatcher()
    assert dispatcher.send(mid).state == "sent"
    second = dispatcher.send(mid)
    assert second.state == "ignored"
    assert len(sim.received) == 1


@pytest.mark.parametrize("status,code", [(429, 20429), (500, None), (503, None)])
def test_transient_errors_are_retried_with_backoff_then_sent(setup, status, code):
    lead_id, sim = setup
    sim.fail_next(2, status=status, code=code, retry_after=3 if status == 429 else None)
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    dispatcher = Dispatcher()
    first = dispatcher.send(mid)
    assert first.state == "queued" and first.retry_in is not None
    if status == 429:
        assert first.retry_in == 3  # the provider's Retry-After wins
    second = dispatcher.send(mid)
    assert second.state == "queued"
    if status != 429:
        assert second.retry_in == 2 * first.retry_in  # exponential backoff
    assert dispatcher.send(mid).state == "sent"
    row = message(mid)
    assert row.attempts == 3 and row.state == "sent"
    assert len(sim.received) == 1
    assert [e.to_state for e in events(mid)] == ["sending", "queued", "sending", "queued", "sending", "sent"]


def test_a_message_that_keeps_failing_transiently_is_given_up(setup):
    lead_id, sim = setup
    sim.fail_next(MAX_ATTEMPTS, status=500)
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    dispatcher = Dispatcher()
    for _ in range(MAX_ATTEMPTS):
        outcome = dispatcher.send(mid)
    assert outcome.state == "failed"
    assert f"gave up after {MAX_ATTEMPTS} attempts" in message(mid).error_reason


def test_an_invalid_number_fails_permanently_with_twilios_code(setup):
    lead_id, sim = setup
    sim.reject("+13055550142", status=400, code=21211, message="The 'To' number is not a valid phone number.")
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    outcome = Dispatcher().send(mid)
    assert outcome.state == "failed"
    row = message(mid)
    assert row.error_code == "21211" and "not a valid phone number" in row.error_reason
    with session_scope() as s:
        assert s.exec(select(Suppression)).all() == []


def test_21610_fails_and_suppresses_the_number_and_cancels_future_texts(on_either_database):
    lead_id, sim = on_either_database
    sim.reject("+13055550142", status=400, code=21610, message="Attempt to send to unsubscribed recipient")
    later = queue_message(lead_id, TUESDAY_10_MIAMI, step="later", state="planned",
                          due_at=TUESDAY_10_MIAMI + timedelta(days=2))
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    assert Dispatcher().send(mid).state == "failed"
    assert message(mid).error_code == "21610"
    with session_scope() as s:
        (sup,) = s.exec(select(Suppression)).all()
    assert (sup.channel, sup.address, sup.reason) == ("sms", "+13055550142", "stop")
    assert message(later).state == "cancelled"
    assert not [m for m in messages_of(lead_id, "planned") if m.channel == "sms"]


def test_a_suppressed_address_is_skipped_with_the_reason(on_either_database):
    lead_id, sim = on_either_database
    with session_scope() as s:
        s.add(Suppression(channel="email", address="maria@example.com", reason="bounce"))
    mid = queue_message(lead_id, TUESDAY_10_MIAMI, channel="email", template="email/deficiency")
    outcome = Dispatcher().send(mid)
    assert outcome.state == "skipped"
    assert message(mid).reason == "maria@example.com is suppressed on email (bounce)"
    assert sim.received == []


def test_sms_without_consent_is_skipped(sqlite_url, providers):
    clock.freeze(TUESDAY_10_MIAMI)
    lead_id = add_lead(TUESDAY_10_MIAMI, sms_consent=None)
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    assert Dispatcher().send(mid).state == "skipped"
    assert "no SMS consent" in message(mid).reason
    assert providers.received == []


def test_quiet_hours_move_a_message_to_the_next_morning_instead_of_dropping_it(setup):
    lead_id, sim = setup
    late = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # 20:30 in Miami: after Florida's 20:00
    clock.freeze(late)
    mid = queue_message(lead_id, late)
    outcome = Dispatcher().send(mid)
    assert outcome.state == "planned"
    row = message(mid)
    assert row.due_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # 08:00 Miami
    assert row.reason.startswith("moved: quiet hours")
    assert sim.received == []


def test_the_frequency_cap_moves_a_third_text_in_24_hours(setup):
    lead_id, sim = setup
    dispatcher = Dispatcher()
    for step in ("a", "b"):
        assert dispatcher.send(queue_message(lead_id, TUESDAY_10_MIAMI, step=step)).state == "sent"
        clock.advance(timedelta(hours=1))
    third = queue_message(lead_id, clock.now(), step="c")
    outcome = dispatcher.send(third)
    assert outcome.state == "planned"
    assert "frequency cap" in message(third).reason
    assert message(third).due_at >= TUESDAY_10_MIAMI + timedelta(hours=24)
    assert len(sim.received) == 2


def test_deadline_content_is_never_sent_after_the_sale_date(sqlite_url, providers):
    clock.freeze(TUESDAY_10_MIAMI)
    lead_id = add_lead(TUESDAY_10_MIAMI, foreclosure={"sale_date": "2026-11-30"})
    mid = queue_message(lead_id, TUESDAY_10_MIAMI, template="sms/sale_countdown", deadline=True)
    assert Dispatcher().send(mid).state == "skipped"
    assert "sale date 2026-11-30 has passed" in message(mid).reason
    assert providers.received == []


def test_a_lead_who_converted_gets_nothing_more(setup):
    lead_id, sim = setup
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    from nurture.intake.leads import update_lead

    with session_scope() as s:
        update_lead(s, s.get(type(lead(lead_id)), lead_id), {"status": "converted"}, method="test",
                    now=TUESDAY_10_MIAMI)
    assert Dispatcher().send(mid).state == "skipped"
    assert message(mid).reason.startswith("lead is converted")


def test_a_step_already_sent_is_not_sent_twice(setup):
    lead_id, sim = setup
    dispatcher = Dispatcher()
    assert dispatcher.send(queue_message(lead_id, TUESDAY_10_MIAMI, step="same")).state == "sent"
    clock.advance(timedelta(hours=2))
    again = queue_message(lead_id, clock.now(), step="same")
    assert dispatcher.send(again).state == "skipped"
    assert "already went out" in message(again).reason
    assert len(sim.received) == 1


def test_a_broken_template_fails_that_message_and_not_the_worker(setup, tmp_path, monkeypatch):
    import shutil

    from nurture.config import get_settings

    lead_id, sim = setup
    templates = tmp_path / "templates"
    shutil.copytree(get_settings().templates_dir, templates)
    (templates / "sms" / "what_is_short_sale.txt").write_text("Hi {{ lead.nickname }}")
    monkeypatch.setenv("NURTURE_TEMPLATES_DIR", str(templates))
    get_settings.cache_clear()
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    outcome = Dispatcher().send(mid)
    assert outcome.state == "failed"
    row = message(mid)
    assert row.error_code == "template" and "nickname" in row.error_reason
    assert "sms/what_is_short_sale" in row.error_reason
    assert sim.received == []


@pytest.fixture
def short_timeout(monkeypatch):
    from nurture.delivery.channels import clear_channel_cache
    from nurture.config import get_settings

    monkeypatch.setenv("NURTURE_PROVIDER_TIMEOUT_SECONDS", "0.5")
    get_settings.cache_clear()
    clear_channel_cache()


def test_a_text_that_timed_out_but_reached_twilio_is_reconciled_not_resent(setup, short_timeout):
    import time

    from nurture.config import get_settings
    from nurture.delivery.scheduler import reconcile_stale

    lead_id, sim = setup
    sim.delay = 1.0  # Twilio answers after our 0.5 s timeout, but it does take the message
    mid = queue_message(lead_id, TUESDAY_10_MIAMI)
    outcome = Dispatcher().send(mid)
    # The look-up right after the timeout is slow too: the row stays `sending`, nothing is re-sent.
    assert outcome.state == "sending"
    assert message(mid).state == "sending"
    sim.delay = 0
    time.sleep(1.2)  # the slow request lands at the simulator
    after_lease = TUESDAY_10_MIAMI + timedelta(seconds=get_settings().lease_seconds + 1)
    assert reconcile_stale(now=after_lease) == 1
    row = message(mid)
    assert row.state == "sent"
    assert len(sim.received) == 1 and row.provider_id == sim.received[0].provider_id
    assert "the provider has it as" in events(mid)[-1].cause


def test_an_email_that_timed_out_waits_for_sendgrids_events_then_goes_to_review(setup, short_timeout):
    from nurture.config import get_settings
    from nurture.delivery.scheduler import reconcile_stale

    lead_id, sim = setup
    sim.delay = 1.0
    mid = queue_message(lead_id, TUESDAY_10_MIAMI, channel="email", template="email/deficiency")
    outcome = Dispatcher().send(mid)
    assert outcome.state == "sending"  # maybe sent: never re-sent, never guessed
    row = message(mid)
    wait = get_settings().sendgrid_settle_seconds
    assert row.state == "sending" and row.lease_until == TUESDAY_10_MIAMI + timedelta(seconds=wait)
    assert reconcile_stale(now=TUESDAY_10_MIAMI + timedelta(seconds=wait - 1)) == 0  # still settling
    assert reconcile_stale(now=TUESDAY_10_MIAMI + timedelta(seconds=wait + 1)) == 1
    row = message(mid)
    assert row.state == "review" and row.reason.startswith("needs review")


def test_a_processed_event_settles_an_email_that_timed_out(setup, short_timeout):
    from fastapi.testclient import TestClient

    from nurture.web import create_app
    from web_helpers import sendgrid_post

    lead_id, sim = setup
    sim.delay = 1.0
    mid = queue_message(lead_id, TUESDAY_10_MIAMI, channel="email", template="email/deficiency")
    assert Dispatcher().send(mid).state == "sending"
    event = [{"event": "processed", "email": "maria@example.com", "message_id": str(mid),
              "sg_message_id": "abc123.filter0001", "timestamp": 1}]
    with TestClient(create_app()) as client:
        r = sendgrid_post(client, event)
    assert r.status_code == 200
    row = message(mid)
    assert row.state == "sent" and row.provider_id == "abc123"


def test_when_the_history_misses_a_step_that_went_out_the_database_constraint_still_skips_it(
        on_either_database, monkeypatch):
    """As if the history read had a bug: the unique index refuses the second claim of the step, the
    message is recorded skipped with the reason, and nothing reaches the provider a second time."""
    from nurture.delivery import dispatch

    lead_id, sim = on_either_database
    dispatcher = Dispatcher()
    first = queue_message(lead_id, TUESDAY_10_MIAMI, step="same")
    assert dispatcher.send(first).state == "sent"
    clock.advance(timedelta(hours=2))
    again = queue_message(lead_id, clock.now(), step="same")
    load_locked = dispatch.load_locked
    monkeypatch.setattr(dispatch, "load_locked",  # the history read after the lock sees nothing
                        lambda *args: dataclasses.replace(load_locked(*args), history=[]))
    outcome = dispatcher.send(again)
    assert outcome.state == "skipped", outcome
    skipped = message(again)
    assert skipped.state == "skipped"
    assert skipped.reason == "step same of test already went out (database constraint)"
    assert skipped.attempts == 0 and skipped.body is None  # the refused claim left nothing behind
    assert len(sim.received) == 1
    log = [(e.from_state, e.to_state) for e in events(again)]
    assert log[-1] == ("queued", "skipped") and ("queued", "sending") not in log
