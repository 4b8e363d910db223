"""A lead who writes in Spanish (issue 25, the replies): ALTO, PARAR, "no más" and AYUDA are answered in
Spanish whatever the lead reads; STOP and HELP in the lead's own language; a reply asking for a
language switches the lead (with why, in the log) without pausing it for a person; a question
written in Spanish switches it and still reaches a person; a name or one Spanish word does not.

Expected values are written by hand from the issue: the planned answer's `language` ("es" or None:
the dispatcher then uses the lead's), the lead's language and reason, the inbox row's outcome.
Texts arrive through the signed Twilio webhook, emails through SendGrid's Inbound Parse.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from delivery_helpers import (
    add_lead,
    cancel_plan,
    lead,
    message,
    messages_of,
    queue_message,
)
from fastapi.testclient import TestClient
from sqlmodel import select
from twilio.request_validator import RequestValidator

from nurture.clock import clock
from nurture.content.tokens import inbound_parse_key
from nurture.conversations import inbox
from nurture.conversations.replies import (
    ReplyKind,
    classify_email_reply,
    classify_sms,
    language_signal,
    written_in_spanish,
)
from nurture.db import session_scope
from nurture.law import consent
from nurture.law.keywords import (
    SPANISH_HELP_KEYWORDS,
    SPANISH_KEYWORDS_SOURCE,
    SPANISH_OPT_OUT_KEYWORDS,
)
from nurture.models import DeliveryEvent, InboundMessage, Lead
from nurture.web import create_app

PUBLIC = "https://nurture.example.com"
PHONE = "+13055550142"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Miami
PARSE = f"/webhooks/sendgrid/inbound?key={inbound_parse_key('test-secret')}"


@pytest.fixture
def client(sqlite_url, providers):
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def maria(sqlite_url, providers):
    """A consented Miami lead reading English (the default), with one text planned for tomorrow."""
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    return lead_id


def set_language(lead_id: int, language: str) -> None:
    with session_scope() as s:
        row = s.get(Lead, lead_id)
        assert row is not None
        row.language = language
        s.add(row)


_sids = iter(range(1, 10_000))


def text_in(client, body, *, from_=PHONE):
    """The lead texts `body`: Twilio's signed POST to the inbound webhook."""
    form = {"From": from_, "To": "+13055550000", "Body": body, "MessageSid": f"SMes{next(_sids):06d}",
            "AccountSid": "AC" + "a" * 32, "NumMedia": "0"}
    path = "/webhooks/twilio/inbound"
    signature = RequestValidator("twilio-token").compute_signature(PUBLIC + path, form)
    r = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert r.status_code == 200, r.text


def email_in(client, text, *, subject="Re: What a short sale is", message_id="<es1@mail.example.com>"):
    """Maria answers an email: SendGrid's Inbound Parse post (default mode)."""
    sender, to = "Maria Lopez <maria@example.com>", "replies@parse.example.com"
    headers = (f"MIME-Version: 1.0\nFrom: {sender}\nMessage-ID: {message_id}\nSubject: {subject}\nTo: {to}\n"
               "Content-Type: text/plain; charset=UTF-8\n")
    fields = {"headers": headers, "to": to, "from": sender, "text": text, "subject": subject, "attachments": "0",
              "envelope": f'{{"to":["{to}"],"from":"maria@example.com"}}', "SPF": "pass",
              "charsets": '{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}'}
    r = client.post(PARSE, data=fields)
    assert r.status_code == 200, r.text


def answers(lead_id):
    """The system answers planned for the lead: (template, language)."""
    return [(m.template, m.language) for m in messages_of(lead_id) if m.sequence == "system"]


def last_inbound(lead_id):
    with session_scope() as s:
        return s.exec(select(InboundMessage).where(InboundMessage.lead_id == lead_id)
                      .order_by(InboundMessage.id.desc())).first()


def language_events(lead_id):
    """The causes of the lead's log rows of kind "lead" that speak of its language."""
    with session_scope() as s:
        causes = s.exec(select(DeliveryEvent.cause)
                        .where(DeliveryEvent.lead_id == lead_id, DeliveryEvent.kind == "lead")
                        .order_by(DeliveryEvent.id))
        return [c for c in causes if "language" in c]


def sms_action(lead_id):
    with session_scope() as s:
        row = consent.current(s, lead_id, "sms")
        return row.action if row else None


# -- Spanish keywords ------------------------------------------------------------------------------------


def test_the_spanish_keywords_are_data_with_their_source():
    assert {"ALTO", "PARAR", "CANCELAR", "BAJA", "NO MAS"} <= SPANISH_OPT_OUT_KEYWORDS
    assert SPANISH_HELP_KEYWORDS == {"AYUDA"}
    assert "AYUDA and ALTO" in SPANISH_KEYWORDS_SOURCE and "64.1200(a)(10)" in SPANISH_KEYWORDS_SOURCE


# (reply, kind, language of the answer): keywords in any case, with accents or without.
KEYWORDS = [
    ("ALTO", ReplyKind.opt_out, "es"),
    ("alto", ReplyKind.opt_out, "es"),
    ("Alto.", ReplyKind.opt_out, "es"),
    ("PARAR", ReplyKind.opt_out, "es"),
    ("Parar", ReplyKind.opt_out, "es"),
    ("CANCELAR", ReplyKind.opt_out, "es"),
    ("baja", ReplyKind.opt_out, "es"),
    ("No más", ReplyKind.opt_out, "es"),
    ("NO MAS", ReplyKind.opt_out, "es"),
    ("no mas!", ReplyKind.opt_out, "es"),
    ("Para", ReplyKind.opt_out, "es"),
    ("alto por favor", ReplyKind.opt_out, "es"),
    ("No me manden mensajes", ReplyKind.opt_out, "es"),
    ("No más mensajes", ReplyKind.opt_out, "es"),
    ("AYUDA", ReplyKind.help, "es"),
    ("Ayuda", ReplyKind.help, "es"),
    ("ayuda?", ReplyKind.help, "es"),
    ("STOP", ReplyKind.opt_out, None),
    ("Stop texting me", ReplyKind.opt_out, None),
    ("HELP", ReplyKind.help, None),
    ("Info", ReplyKind.help, None),
    # INFORMACION is not a keyword (the guidance names AYUDA only): a person answers it.
    ("Información", ReplyKind.conversation, None),
    # Spanish words about something else stay conversation, as before.
    ("El precio es muy alto", ReplyKind.conversation, None),
    ("¿Pueden parar la subasta?", ReplyKind.conversation, None),
]


@pytest.mark.parametrize(("text", "kind", "language"), KEYWORDS, ids=[t for t, _, _ in KEYWORDS])
def test_a_keyword_is_read_with_its_language(text, kind, language):
    found = classify_sms(text)
    assert (found.kind, found.language) == (kind, language)


def test_alto_revokes_and_plans_the_confirmation_in_spanish(maria, client):
    text_in(client, "ALTO")
    assert sms_action(maria) == "revoke"
    assert answers(maria) == [("sms/_stop", "es")]
    assert lead(maria).language == "en"  # one keyword answers in Spanish; it does not switch the lead
    assert last_inbound(maria).handled_at is not None


@pytest.mark.parametrize("words", ["PARAR", "cancelar", "BAJA", "no más", "No mas"])
def test_every_spanish_opt_out_keyword_revokes_and_is_confirmed_in_spanish(maria, client, words):
    text_in(client, words)
    assert sms_action(maria) == "revoke"
    assert answers(maria) == [("sms/_stop", "es")]


def test_a_revocation_written_in_spanish_is_confirmed_in_spanish_and_switches_the_lead(maria, client):
    # mas, mensajes, por, favor: four Spanish words, no English one ("no" and "me" are both)
    text_in(client, "No me manden más mensajes por favor")
    assert sms_action(maria) == "revoke"
    assert answers(maria) == [("sms/_stop", "es")]
    assert lead(maria).language == "es"  # its emails go on, in Spanish
    assert lead(maria).language_reason == (
        'reply written in Spanish: "No me manden más mensajes por favor" on 2026-12-01')


def test_ayuda_plans_the_help_answer_in_spanish(maria, client):
    text_in(client, "AYUDA")
    assert answers(maria) == [("sms/_help", "es")]
    assert lead(maria).status == "active"
    assert last_inbound(maria).handled_at is not None


def test_stop_and_help_in_english_are_answered_in_the_leads_own_language(maria, client):
    set_language(maria, "es")
    text_in(client, "HELP")
    text_in(client, "STOP")
    # None: the dispatcher renders them in the lead's language, Spanish here.
    assert sorted(answers(maria)) == [("sms/_help", None), ("sms/_stop", None)]
    assert lead(maria).language == "es"


# -- asking for a language -----------------------------------------------------------------------------------

# (reply, language asked for): a reply that asks for a language and nothing else.
REQUESTS = [
    ("¿En español?", "es"),
    ("en espanol", "es"),
    ("En español por favor", "es"),
    ("español por favor", "es"),
    ("Español", "es"),
    ("hablo español", "es"),
    ("¿Habla español?", "es"),
    ("¿Pueden escribirme en español?", "es"),
    ("No hablo inglés", "es"),
    ("Spanish please", "es"),
    ("Spanish", "es"),
    ("Can you text me in Spanish?", "es"),
    ("Do you speak Spanish?", "es"),
    ("English please", "en"),
    ("In English", "en"),
    ("inglés por favor", "en"),
    ("No hablo español", "en"),
    ("I don't speak Spanish", "en"),
]


@pytest.mark.parametrize(("text", "language"), REQUESTS, ids=[t for t, _ in REQUESTS])
def test_a_language_request_is_read_as_one(text, language):
    found = classify_sms(text)
    assert (found.kind, found.language) == (ReplyKind.language, language)


def test_asking_for_spanish_switches_the_lead_says_why_and_pauses_nothing(maria, client):
    tomorrow = queue_message(maria, NOW, step="tomorrow", state="planned", due_at=NOW + timedelta(days=1))
    text_in(client, "¿En español?")
    after = lead(maria)
    assert (after.language, after.language_reason) == ("es", 'reply "¿En español?" on 2026-12-01')
    assert language_events(maria) == [
        'language changed from English (en) to Spanish (es): reply "¿En español?" on 2026-12-01']
    assert after.status == "active"
    assert message(tomorrow).state == "planned"  # its next message goes, rendered in Spanish
    row = last_inbound(maria)
    assert row.kind == "language" and row.handled_at is not None
    assert row.outcome == "language set to Spanish (was English); not paused, nothing for a person to answer"
    with session_scope() as s:
        assert inbox.conversations(s) == []  # nothing waits for a person
    assert answers(maria) == []  # nothing is sent in answer


def test_english_please_switches_a_spanish_lead_back(maria, client):
    set_language(maria, "es")
    text_in(client, "English please")
    assert (lead(maria).language, lead(maria).language_reason) == ("en", 'reply "English please" on 2026-12-01')
    assert language_events(maria) == [
        'language changed from Spanish (es) to English (en): reply "English please" on 2026-12-01']
    assert lead(maria).status == "active"


def test_asking_for_the_language_the_lead_already_reads_changes_nothing(maria, client):
    set_language(maria, "es")
    text_in(client, "en español por favor")
    assert lead(maria).language == "es" and lead(maria).language_reason is None
    assert language_events(maria) == []
    row = last_inbound(maria)
    assert row.handled_at is not None and row.outcome == "the lead reads Spanish already; nothing to change"


def test_a_request_with_a_question_switches_and_reaches_a_person(maria, client):
    text_in(client, "En español por favor. Debo 3 meses, ¿qué puedo hacer?")
    assert lead(maria).language == "es"
    assert lead(maria).language_reason == 'reply "En español por favor. Debo 3 meses, ¿qué puedo hacer?" on 2026-12-01'
    assert lead(maria).status == "needs_human"
    row = last_inbound(maria)
    assert row.kind == "conversation" and row.handled_at is None
    assert row.outcome.endswith("; language set to Spanish (was English)")


# -- written in Spanish -------------------------------------------------------------------------------------

# (reply, written in Spanish?): by the word count, worked by hand (Spanish words / English words).
WRITTEN = [
    ("¿Cuánto cuesta? Debo 3 meses", True),  # ¿ + cuanto, cuesta, debo, meses = 5 / 0
    ("Tengo una pregunta sobre mi casa", True),  # tengo, una, pregunta, sobre, mi, casa = 6 / 0
    ("Hola, necesito ayuda con la subasta", True),  # hola, necesito, ayuda, con, la, subasta = 6 / 0
    ("Quiero vender mi casa", True),  # quiero, vender, mi, casa = 4 / 0
    ("Llámeme mañana por favor", True),  # llameme, manana, por, favor = 4 / 0
    ("Hola, soy José, I need help", False),  # hola, soy = 2 / i, need, help = 3
    ("Sí, me interesa", False),  # si, interesa = 2 ("me" is English too): too few to say
    ("Hola José", False),  # 1
    ("Gracias", False),  # 1
    ("Sí, gracias", False),  # si, gracias = 2: too few to say
    ("My name is José García and I live on Calle Ocho", False),  # 0 / my, is, and, i, on = 5
    ("We live in Los Angeles, can you call me?", False),  # los = 1 / we, in, can, you, call = 5
    ("Thanks, gracias, I'll wait for your call", False),  # gracias = 1 / thanks, your, call = 3
    ("I'm 3 months behind, what can I do?", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "spanish"), WRITTEN, ids=[t or "empty" for t, _ in WRITTEN])
def test_written_in_spanish_is_conservative(text, spanish):
    assert written_in_spanish(text) is spanish


def test_a_question_written_in_spanish_switches_the_lead_and_goes_to_a_person(maria, client):
    text_in(client, "¿Cuánto cuesta? Debo 3 meses")
    after = lead(maria)
    assert after.language == "es"
    assert after.language_reason == 'reply written in Spanish: "¿Cuánto cuesta? Debo 3 meses" on 2026-12-01'
    assert language_events(maria)[0] == ('language changed from English (en) to Spanish (es): reply written in '
                                     'Spanish: "¿Cuánto cuesta? Debo 3 meses" on 2026-12-01')
    assert after.status == "needs_human"  # a person answers the question, as before
    row = last_inbound(maria)
    assert row.kind == "conversation" and row.handled_at is None
    with session_scope() as s:
        assert [c.lead_id for c in inbox.conversations(s)] == [maria]


def test_a_spanish_name_in_an_english_reply_does_not_switch(maria, client):
    text_in(client, "Hola, soy José, I need help")
    after = lead(maria)
    assert (after.language, after.language_reason) == ("en", None)
    assert after.status == "needs_human"
    assert language_events(maria) == []


def test_a_second_spanish_reply_logs_no_second_switch(maria, client):
    text_in(client, "Tengo una pregunta sobre mi casa")
    text_in(client, "¿Cuánto cuesta? Debo 3 meses")
    assert language_events(maria) == [
        ('language changed from English (en) to Spanish (es): reply written in Spanish: '
        '"Tengo una pregunta sobre mi casa" on 2026-12-01')]


def test_language_signal_says_whether_it_was_asked():
    asked = language_signal("¿En español?")
    written = language_signal("¿Cuánto cuesta? Debo 3 meses")
    assert asked is not None and (asked.language, asked.asked) == ("es", True)
    assert written is not None and (written.language, written.asked) == ("es", False)
    assert language_signal("Hola, soy José, I need help") is None
    assert language_signal("I live in Spanish Fort") is None  # Spanish Fort, Alabama: a place, not a request


# Replies that name a language without asking us for it, and what they do ask.
NOT_REQUESTS = [
    ("The notice was in English", None),  # English, asks nothing of us
    ("Mi hijo habla inglés", ("es", False)),  # a third person; written in Spanish (mi, hijo, habla, ingles)
    ("La carta del banco está en inglés y no la entiendo", ("es", False)),  # la, del, banco, en, no: Spanish
    ("My son speaks English, I only speak Spanish", ("es", True)),  # the lead's own language is Spanish
]


@pytest.mark.parametrize(("text", "signal"), NOT_REQUESTS, ids=[t for t, _ in NOT_REQUESTS])
def test_a_language_named_for_another_reason_is_not_a_request_for_it(text, signal):
    found = language_signal(text)
    assert (None if found is None else (found.language, found.asked)) == signal
    assert classify_sms(text).kind is ReplyKind.conversation


# -- email ---------------------------------------------------------------------------------------------------


def test_an_email_asking_for_spanish_switches_the_lead_without_a_person(maria, client):
    email_in(client, "En español por favor.\n\nMaria\n\nOn Tue, Dec 1, 2026 at 10:00 AM Short Sale Help "
                     "<help@example.com> wrote:\n> Hi Maria,\n")
    after = lead(maria)
    assert (after.language, after.language_reason) == ("es", 'email reply "En español por favor. Maria" on 2026-12-01')
    assert after.status == "active"
    row = last_inbound(maria)
    assert row.kind == "language" and row.handled_at is not None


def test_an_email_question_in_spanish_switches_and_goes_to_a_person(maria, client):
    email_in(client, "Hola, tengo una pregunta: ¿cuándo es la subasta de mi casa?\n\nMaria")
    after = lead(maria)
    assert after.language == "es"
    assert after.language_reason.startswith('email reply written in Spanish: "Hola, tengo una pregunta')
    assert after.status == "needs_human"
    assert last_inbound(maria).handled_at is None


def test_an_email_in_english_with_a_spanish_subject_does_not_switch(maria, client):
    # The subject is ours (a Spanish email's "Re:"), not the lead's words.
    email_in(client, "Can someone call me Thursday?", subject="Re: ¿Qué es una venta corta? Le explicamos")
    assert lead(maria).language == "en"


@pytest.mark.parametrize(("text", "kind"), [
    ("En español por favor", ReplyKind.language),
    ("English please\n\nJosé Pérez", ReplyKind.language),
    ("En español por favor, y llámenme mañana", ReplyKind.conversation),
])
def test_an_email_reply_is_a_language_request_only_when_it_asks_nothing_else(text, kind):
    assert classify_email_reply(text, "Re: Your options").kind is kind
