"""Carrier readiness: before the first text, and every 15 minutes, nurture reads through the real
Twilio SDK (pointed at the simulator) whether the Messaging Service's A2P 10DLC campaign is VERIFIED
or the toll-free sender is verified. Until it is, SMS is paused with the reason and texts stay
planned; once approved, they go."""

from datetime import UTC, datetime, timedelta

import pytest
from delivery_helpers import add_lead, cancel_plan, message, messages_of, queue_message
from fastapi.testclient import TestClient

from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery import carrier, pauses
from nurture.delivery.dispatch import Dispatcher
from nurture.delivery.lifecycle import S
from nurture.delivery.scheduler import (
    build_scheduler,
    check_carrier,
    probe_paused,
    tick,
)
from nurture.web import create_app
from testkit.simulator import RemoteSimulator

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Miami
SERVICE = "MG" + "4" * 32
TOLL_FREE = "+18885550100"


@pytest.fixture
def service(sqlite_url, providers, monkeypatch):
    """Texts sent through a Messaging Service, as 10DLC senders are."""
    monkeypatch.setenv("NURTURE_TWILIO_MESSAGING_SERVICE_SID", SERVICE)
    get_settings.cache_clear()
    clock.freeze(NOW)
    return providers


@pytest.fixture
def toll_free_sender(sqlite_url, providers, monkeypatch):
    monkeypatch.setenv("NURTURE_TWILIO_FROM", TOLL_FREE)
    get_settings.cache_clear()
    clock.freeze(NOW)
    return providers


def _due_text(step: str = "first") -> tuple[int, int]:
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    return lead_id, queue_message(lead_id, NOW, step=step, state=S.planned, due_at=NOW - timedelta(minutes=1))


def _claimed_now() -> list[tuple[int, str]]:
    claimed: list[tuple[int, str]] = []
    tick(claimed.extend, now=clock.now())
    return claimed


def _sms_pause() -> pauses.Pause | None:
    with session_scope() as session:
        return pauses.paused(session, get_settings()).get("sms")


def test_a_campaign_not_verified_keeps_every_text_planned_with_the_reason(service):
    service.set_a2p_status("PENDING")
    lead_id, mid = _due_text()
    found = check_carrier(force=True)
    assert found is not None and found.state == "not_ready"
    assert _claimed_now() == []
    assert message(mid).state == "planned" and service.received == []
    pause = _sms_pause()
    assert pause is not None and pause.kind == pauses.CARRIER
    assert f"the A2P 10DLC campaign of {SERVICE} is PENDING" in pause.reason
    assert "30034" in pause.reason
    with TestClient(create_app()) as client:
        health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["channels"]["sms"]["state"] == "paused"
    assert "PENDING" in health["channels"]["sms"]["reason"]
    # Email is not the carriers' business: it still goes.
    email = queue_message(lead_id, NOW, channel="email", template="email/negative_equity", step="mail",
                          state=S.planned, due_at=NOW - timedelta(minutes=1))
    assert _claimed_now() == [(email, "email")]


@pytest.mark.parametrize("status", ["IN_PROGRESS", "FAILED"])
def test_every_status_but_verified_pauses(service, status):
    service.set_a2p_status(status)
    assert carrier.readiness(get_settings()).state == "not_ready"
    check_carrier(force=True)
    pause = _sms_pause()
    assert pause is not None and f"is {status}" in pause.reason
    if status == "FAILED":  # Twilio's reason for the failure is passed on
        assert "Opt-in information is missing" in pause.reason


def test_a_service_without_a_campaign_is_not_ready(service):
    service.set_a2p_status(None)
    service.set_brand_status("PENDING")
    found = carrier.readiness(get_settings())
    assert found.state == "not_ready"
    assert f"the Messaging Service {SERVICE} has no A2P 10DLC campaign" in found.detail
    assert "the A2P brand is PENDING" in found.detail


def test_once_the_campaign_is_verified_the_texts_go(service):
    service.set_a2p_status("PENDING")
    _, mid = _due_text()
    check_carrier(force=True)
    assert _claimed_now() == []
    service.set_a2p_status("VERIFIED")
    found = check_carrier(force=True)
    assert found is not None and found.state == "ready"
    assert _sms_pause() is None
    assert _claimed_now() == [(mid, "sms")]
    assert Dispatcher().send(mid).state == "sent"
    (got,) = service.received
    assert got.json["MessagingServiceSid"] == SERVICE


def test_a_campaign_of_another_service_does_not_count(service):
    service.set_a2p_status("VERIFIED", service="MG" + "5" * 32)
    service.set_a2p_status("PENDING", service=SERVICE)
    assert carrier.readiness(get_settings()).state == "not_ready"


def test_a_toll_free_sender_pending_review_is_paused(toll_free_sender):
    sim = toll_free_sender
    sim.set_tollfree_status(TOLL_FREE, "PENDING_REVIEW")
    _, mid = _due_text()
    check_carrier(force=True)
    pause = _sms_pause()
    assert pause is not None
    assert f"the toll-free verification of {TOLL_FREE} is PENDING_REVIEW" in pause.reason and "30032" in pause.reason
    assert _claimed_now() == [] and message(mid).state == "planned"
    sim.set_tollfree_status(TOLL_FREE, "TWILIO_APPROVED")
    check_carrier(force=True)
    assert _sms_pause() is None and _claimed_now() == [(mid, "sms")]


def test_a_toll_free_sender_never_submitted_or_rejected_is_not_ready(toll_free_sender):
    sim = toll_free_sender
    sim.set_tollfree_status("+18885550199", "TWILIO_APPROVED")  # another number's verification
    found = carrier.readiness(get_settings())
    assert found.state == "not_ready" and f"no toll-free verification was submitted for {TOLL_FREE}" in found.detail
    sim.set_tollfree_status(TOLL_FREE, "TWILIO_REJECTED")
    found = carrier.readiness(get_settings())
    assert found.state == "not_ready" and "TWILIO_REJECTED (Opt-in process not shown)" in found.detail


@pytest.mark.parametrize(("number", "toll_free"), [
    ("+18005550100", True), ("+18335550100", True), ("+18445550100", True), ("+18555550100", True),
    ("+18665550100", True), ("+18775550100", True), ("+18885550100", True),
    ("+18095550100", False), ("+13055550100", False), ("+448005550100", False), (None, False)])
def test_toll_free_numbers_are_the_eight_hundred_codes(number, toll_free):
    assert carrier.toll_free(number) is toll_free


def test_without_twilio_credentials_the_outbox_is_ready(sqlite_url):
    found = carrier.readiness(get_settings())
    assert found.state == "ready" and not found.checked and "outbox" in found.detail


def test_a_ten_dlc_number_without_a_service_is_not_checked(sqlite_url, providers):
    found = carrier.readiness(get_settings())
    assert found.state == "ready" and not found.checked
    assert "NURTURE_TWILIO_MESSAGING_SERVICE_SID" in found.detail


def test_an_answer_twilio_cannot_give_changes_nothing(service, monkeypatch):
    service.set_a2p_status("PENDING")
    check_carrier(force=True)
    before = _sms_pause()
    monkeypatch.setenv("NURTURE_TWILIO_AUTH_TOKEN", "a-token-the-simulator-refuses")
    get_settings.cache_clear()
    service.auth_token = "the-right-one"
    service.set_a2p_status("VERIFIED")
    found = check_carrier(force=True)
    assert found is not None and found.state == "unknown"
    assert "Twilio refused the credentials (20003)" in found.detail
    assert _sms_pause() == before


def test_the_check_runs_again_every_fifteen_minutes_in_one_scheduler(service):
    service.set_a2p_status("PENDING")
    assert check_carrier(now=NOW) is not None
    service.set_a2p_status("VERIFIED")
    assert check_carrier(now=NOW + timedelta(minutes=14)) is None  # not due: still paused
    assert _sms_pause() is not None
    found = check_carrier(now=NOW + timedelta(minutes=15, seconds=1))
    assert found is not None and found.ready and _sms_pause() is None


def test_the_scheduler_reads_the_registration_before_its_first_tick(service):
    service.set_a2p_status("PENDING")
    _, mid = _due_text()
    claimed: list[tuple[int, str]] = []
    sched = build_scheduler(claimed.extend, settings=get_settings())
    sched.get_job("tick").func()  # the first tick, as APScheduler runs it at start-up
    assert claimed == [] and message(mid).state == "planned"
    assert _sms_pause() is not None
    assert [m.id for m in messages_of(message(mid).lead_id, "planned")] == [mid]


def test_the_credential_probe_leaves_a_carrier_pause_alone(service):
    """Every minute the scheduler asks Twilio whether refused credentials work again; they do here,
    yet the campaign is still PENDING: the texts keep waiting."""
    service.set_a2p_status("PENDING")
    check_carrier(force=True)
    assert probe_paused() == []
    assert _sms_pause() is not None and _claimed_now() == []


def test_a_simulator_in_another_process_takes_the_registration_statuses(service):
    remote = RemoteSimulator(service.url)
    remote.set_a2p_status("IN_PROGRESS")
    assert "is IN_PROGRESS" in carrier.readiness(get_settings()).detail
    remote.set_a2p_status("VERIFIED")
    assert carrier.readiness(get_settings()).ready
