"""What a lead texts back, over a signed Twilio webhook, through the real dispatcher and the provider
simulator: revocation in the lead's own words, the one confirmation, opt-in that only restores,
HELP, replies that reach a person, and maybe-revocations that are never read as consent."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select
from twilio.request_validator import RequestValidator

from delivery_helpers import add_lead, cancel_plan, lead, message, messages_of, queue_message
from nurture.law import consent
from nurture.conversations import inbox
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.conversations.inbound import handle_inbound_sms
from nurture.intake.leads import update_lead
from nurture.models import Consent, DeliveryEvent, InboundMessage, Lead, Message, Suppression
from nurture.delivery.scheduler import tick
from nurture.web import create_app

PUBLIC = "https://nurture.example.com"
PHONE = "+13055550142"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Miami
CONFIRMATION = "Short Sale Help: you are unsubscribed and will get no more texts from us."


@pytest.fixture
def client(providers):
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def texted(sqlite_url, providers):
    """A consented Miami lead who got one text; nothing else planned."""
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    first = queue_message(lead_id, NOW, step="welcome")
    assert Dispatcher().send(first).state == "sent"
    return lead_id


_sids = iter(range(1, 10_000))


def text_in(client, body, *, sid=None, opt_out_type=None, from_=PHONE):
    """The lead texts `body`: Twilio's signed POST to the inbound webhook."""
    form = {"From": from_, "To": "+13055550000", "Body": body, "MessageSid": sid or f"SMin{next(_sids):06d}",
            "AccountSid": "AC" + "a" * 32, "NumMedia": "0"}
    if opt_out_type:
        form["OptOutType"] = opt_out_type
    path = "/webhooks/twilio/inbound"
    signature = RequestValidator("twilio-token").compute_signature(PUBLIC + path, form)
    r = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 200, r.text
    return r


def deliver(at=None):
    """One scheduler tick handing what is due to the real dispatcher; the outcomes."""
    dispatcher = Dispatcher()
    outcomes = []
    tick(lambda claims: outcomes.extend(dispatcher.send(i, channel) for i, channel in claims), now=at or clock.now())
    return outcomes


def texts_to(simulator, phone=PHONE):
    return [r.body for r in simulator.received if r.to == phone]


def sms_state(lead_id):
    with session_scope() as s:
        row = consent.current(s, lead_id, "sms")
        return (row.action, row.method) if row else None


def ledger(lead_id):
    with session_scope() as s:
        return list(s.exec(select(Consent).where(Consent.lead_id == lead_id).order_by(Consent.id)))


def inbound_rows(lead_id=None):
    with session_scope() as s:
        q = select(InboundMessage).order_by(InboundMessage.id)
        if lead_id is not None:
            q = q.where(InboundMessage.lead_id == lead_id)
        return list(s.exec(q))


def system_messages(lead_id):
    return [m for m in messages_of(lead_id) if m.sequence == "system"]


# -- revocation --------------------------------------------------------------------------------------


def test_a_free_text_stop_while_the_next_text_is_queued_stops_it_and_confirms_once(texted, client, providers):
    clock.advance(timedelta(hours=2))
    queued = queue_message(texted, clock.now(), step="next-story")
    text_in(client, "please stop texting me")
    assert Dispatcher().send(queued).state == "skipped"
    assert "no SMS consent" in message(queued).reason
    deliver()
    assert texts_to(providers)[1:] == [CONFIRMATION]  # the welcome, then only the confirmation
    # a second revocation is recorded but never confirmed a second time
    clock.advance(timedelta(minutes=1))
    text_in(client, "STOP")
    deliver()
    assert len(texts_to(providers)) == 2
    actions = [(c.action, c.method, c.text) for c in ledger(texted)]
    assert actions[1:] == [("revoke", "sms_reply", "please stop texting me"), ("revoke", "sms_reply", "STOP")]


ISSUE_REVOCATIONS = ["please stop texting me", "Don't text me anymore", "remove me from your list", "opt out",
                     "Unsubscribe me please", "OPT OUT", "ＳＴＯＰ", "para", "no me manden mensajes", "alto",
                     "wrong number", "leave me alone", "no more texts"]


@pytest.mark.parametrize("words", ISSUE_REVOCATIONS)
def test_a_revocation_in_the_leads_own_words_revokes_suppresses_and_cancels_every_text(texted, client, words):
    later = queue_message(texted, NOW, step="later", state="planned", due_at=NOW + timedelta(days=1))
    text_in(client, words)
    assert sms_state(texted) == ("revoke", "sms_reply")
    assert ledger(texted)[-1].text == words.strip()
    with session_scope() as s:
        assert s.exec(select(Suppression.reason).where(Suppression.address == PHONE)).all() == ["stop"]
    assert message(later).state == "cancelled"
    assert lead(texted).status == "active"  # emails go on; only texting ended
    # ops setting the lead active again plans no text
    with session_scope() as s:
        update_lead(s, s.get(Lead, texted), {"status": "active"}, method="test", now=NOW)
    assert not [m for m in messages_of(texted, "planned") if m.channel == "sms" and m.sequence != "system"]


def test_the_confirmation_goes_within_five_minutes_or_not_at_all(texted, client, providers):
    text_in(client, "stop texting me")
    (confirmation,) = system_messages(texted)
    assert confirmation.expires_at - confirmation.due_at == timedelta(minutes=5)
    clock.advance(timedelta(minutes=6))  # the workers were down
    deliver()
    assert len(texts_to(providers)) == 1
    assert message(confirmation.id).state == "cancelled"


def test_a_help_answer_planned_before_a_stop_never_follows_it(texted, client, providers):
    text_in(client, "HELP")
    text_in(client, "STOP")
    deliver()
    assert texts_to(providers)[1:] == [CONFIRMATION]
    help_answer = next(m for m in system_messages(texted) if m.template == "sms/_help")
    assert help_answer.state == "cancelled"


def test_with_advanced_opt_out_twilios_own_reply_is_the_confirmation(texted, client, providers, monkeypatch):
    monkeypatch.setenv("NURTURE_TWILIO_ADVANCED_OPT_OUT", "true")
    get_settings.cache_clear()
    text_in(client, "STOP", opt_out_type="STOP")
    assert sms_state(texted) == ("revoke", "sms_reply")
    assert system_messages(texted) == []
    assert "Twilio sent the confirmation" in inbound_rows(texted)[-1].outcome


def test_with_advanced_opt_out_a_revocation_twilio_did_not_recognise_is_still_confirmed(texted, client, providers,
                                                                                      monkeypatch):
    monkeypatch.setenv("NURTURE_TWILIO_ADVANCED_OPT_OUT", "true")
    get_settings.cache_clear()
    text_in(client, "Please take me off your list")
    deliver()
    assert texts_to(providers)[1:] == [CONFIRMATION]


def test_a_provider_retry_of_the_same_message_is_acted_on_once(texted, client, providers):
    text_in(client, "stop please", sid="SMretry1")
    text_in(client, "stop please", sid="SMretry1")
    assert len(inbound_rows(texted)) == 1
    assert [c.action for c in ledger(texted)] == ["grant", "revoke"]


def _at_once(bodies):
    """Each body handled as an inbound text from PHONE, all at the same moment, one thread each."""
    errors = []

    def text(n, body):
        try:
            with session_scope() as s:
                handle_inbound_sms(s, from_=PHONE, body=body, now=NOW, provider_id=f"SMmix{n}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=text, args=(n, body)) for n, body in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_stops_arriving_at_once_get_one_confirmation(request, providers, db):
    request.getfixturevalue("sqlite_url" if db == "sqlite" else "pg_url")
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    _at_once(["STOP"] * 8)
    assert len(system_messages(lead_id)) == 1
    assert [c.action for c in ledger(lead_id)].count("revoke") == 8
    outcomes = deliver()
    assert texts_to(providers) == [CONFIRMATION], outcomes


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_altos_arriving_at_once_get_one_spanish_confirmation(request, providers, db):
    request.getfixturevalue("sqlite_url" if db == "sqlite" else "pg_url")
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    _at_once(["ALTO"] * 8)
    (answer,) = system_messages(lead_id)
    assert (answer.template, answer.language) == ("sms/_stop", "es")
    deliver()
    assert texts_to(providers) == ["Short Sale Help: Usted se dio de baja y ya no le enviaremos mensajes de texto."]


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_language_requests_arriving_at_once_switch_the_lead_once(request, providers, db):
    request.getfixturevalue("sqlite_url" if db == "sqlite" else "pg_url")
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    _at_once(["¿En español?"] * 8)
    found = lead(lead_id)
    assert (found.language, found.status) == ("es", "active")
    with session_scope() as s:
        switches = [e.cause for e in s.exec(select(DeliveryEvent).where(
            DeliveryEvent.lead_id == lead_id, DeliveryEvent.kind == "lead")) if "language" in (e.cause or "")]
    assert len(switches) == 1, switches


def test_a_stop_from_an_unknown_number_still_suppresses_it(sqlite_url, client, providers):
    clock.freeze(NOW)
    text_in(client, "stop", from_="+13055550999")
    with session_scope() as s:
        assert s.exec(select(Suppression.address)).all() == ["+13055550999"]
    (row,) = inbound_rows()
    assert row.lead_id is None and "suppressed" in row.outcome


def test_an_unsigned_inbound_text_changes_nothing(texted, client):
    r = client.post("/webhooks/twilio/inbound", data={"From": PHONE, "Body": "STOP", "MessageSid": "SMforged"},
                    headers={"X-Twilio-Signature": "forged"})
    assert r.status_code == 403
    assert sms_state(texted) == ("grant", "test")
    assert inbound_rows() == []


# -- opt-in only restores ------------------------------------------------------------------------------


def test_yes_from_a_lead_who_never_consented_records_no_consent_and_reaches_a_person(sqlite_url, client, providers):
    clock.freeze(NOW)
    lead_id = add_lead(NOW, sms_consent=None)
    text_in(client, "YES")
    assert ledger(lead_id) == []
    assert lead(lead_id).status == "needs_human"
    (row,) = inbound_rows(lead_id)
    assert row.kind == "conversation" and "is not consent" in row.reason and row.handled_at is None
    assert not [m for m in messages_of(lead_id, "planned") if m.channel == "sms"]
    with session_scope() as s:
        assert [c.lead_id for c in inbox.conversations(s)] == [lead_id]


@pytest.mark.parametrize("words", ["Yes", "yes please", "sí", "Yes!"])
def test_yes_from_a_lead_who_did_not_opt_out_is_a_conversation(texted, client, words):
    text_in(client, words)
    assert [c.action for c in ledger(texted)] == ["grant"]
    assert lead(texted).status == "needs_human"
    assert inbound_rows(texted)[-1].kind == "conversation"


def test_start_restores_a_number_that_revoked_by_text(texted, client, providers):
    text_in(client, "don't text me")
    text_in(client, "START")
    entries = ledger(texted)
    assert [(c.action, c.method) for c in entries] == [("grant", "test"), ("revoke", "sms_reply"), ("grant", "sms_reply")]
    assert f"entry #{entries[1].id}" in entries[2].note
    with session_scope() as s:
        assert s.exec(select(Suppression)).all() == []
    assert [m for m in messages_of(texted, "planned") if m.channel == "sms" and m.sequence != "system"]


def test_start_does_not_undo_a_revocation_that_did_not_come_by_text(texted, client):
    with session_scope() as s:
        update_lead(s, s.get(Lead, texted), {"sms_consent": {"granted": False}}, method="api", now=NOW)
    text_in(client, "START")
    assert sms_state(texted) == ("revoke", "api")
    assert lead(texted).status == "needs_human"


# -- HELP ---------------------------------------------------------------------------------------------


def test_help_is_answered_from_the_help_template_outside_sequences_caps_and_hours(texted, client, providers):
    clock.advance(timedelta(hours=1))
    second = queue_message(texted, clock.now(), step="second")
    assert Dispatcher().send(second).state == "sent"  # two texts today: the cap is reached
    clock.freeze(datetime(2026, 12, 2, 2, 30, tzinfo=UTC))  # 21:30 in Miami: no sequence text may go
    text_in(client, "help")
    deliver()
    answer = texts_to(providers)[-1]
    assert len(texts_to(providers)) == 3
    assert answer.startswith("Short Sale Help:") and "Reply STOP to opt out" in answer
    assert inbound_rows(texted)[-1].handled_at is not None
    assert lead(texted).status == "active"


def test_help_from_a_number_that_opted_out_is_left_to_a_person(texted, client, providers):
    text_in(client, "STOP")
    deliver()
    text_in(client, "HELP")
    deliver()
    assert texts_to(providers)[1:] == [CONFIRMATION]
    row = inbound_rows(texted)[-1]
    assert row.handled_at is None and "not answered" in row.outcome


def test_with_advanced_opt_out_twilio_answers_help(texted, client, monkeypatch):
    monkeypatch.setenv("NURTURE_TWILIO_ADVANCED_OPT_OUT", "true")
    get_settings.cache_clear()
    text_in(client, "HELP", opt_out_type="HELP")
    assert system_messages(texted) == []


# -- a person reads the rest ------------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["who is this?", "not now", "Not interested", "how did you get my number"])
def test_a_reply_that_might_be_a_revocation_pauses_texting_and_is_never_consent(texted, client, words):
    later = queue_message(texted, NOW, step="later", state="planned", due_at=NOW + timedelta(days=1))
    text_in(client, words)
    assert [c.action for c in ledger(texted)] == ["grant"]
    assert lead(texted).status == "needs_human"
    assert message(later).state == "cancelled"
    row = inbound_rows(texted)[-1]
    assert row.kind == "maybe_opt_out" and "never read as consent" in row.outcome
    with session_scope() as s:
        (entry,) = inbox.conversations(s)
    assert entry.maybe_revocation


def test_a_question_reaches_a_person_with_media_listed(texted, client):
    form = {"From": PHONE, "To": "+13055550000", "Body": "Here is the notice I got", "MessageSid": "SMmms1",
            "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/media/ME1", "MediaContentType0": "image/jpeg"}
    signature = RequestValidator("twilio-token").compute_signature(PUBLIC + "/webhooks/twilio/inbound", form)
    assert client.post("/webhooks/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature}).status_code == 200
    row = inbound_rows(texted)[-1]
    assert row.attachments == [{"url": "https://api.twilio.com/media/ME1", "type": "image/jpeg"}]
    assert lead(texted).status == "needs_human"


def test_the_system_sequence_is_not_touched_by_a_replan(texted, client):
    text_in(client, "help")
    (answer,) = system_messages(texted)
    with session_scope() as s:
        update_lead(s, s.get(Lead, texted), {"foreclosure": {"sale_date": "2027-01-20"}}, method="test", now=NOW)
    assert message(answer.id).state == "planned"


def test_a_system_message_row_names_its_own_sequence(texted, client):
    text_in(client, "help")
    with session_scope() as s:
        s.execute(update(Message).where(Message.sequence == "system").values(state="queued"))
    (answer,) = system_messages(texted)
    assert (answer.sequence, answer.step.startswith("help-"), answer.template) == ("system", True, "sms/_help")
