"""Email replies through SendGrid Inbound Parse (multipart/form-data as SendGrid posts it, default and
raw mode): matched by the reply token or the sender, an unsubscribe in words revokes email, any other
reply pauses the lead for a person; the URL is secured; emails carry the Reply-To with the token."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, lead, messages_of, queue_message
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.conversations.email_parse import html_to_text, parse_inbound
from nurture.models import Consent, InboundMessage, Suppression
from nurture.content.tokens import inbound_parse_key, reply_address
from nurture.web import create_app

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SECRET = "test-secret"
PARSE = f"/webhooks/sendgrid/inbound?key={inbound_parse_key(SECRET)}"
QUOTED = """Yes, can someone call me Thursday after 5?

On Tue, Dec 1, 2026 at 10:00 AM Short Sale Help <help@shortsalehelp.example> wrote:
> Hi Maria, you can stop the sale clock only by acting early.
> To unsubscribe, click here.
"""


@pytest.fixture
def client(sqlite_url):
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def maria(sqlite_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    return lead_id


def default_fields(*, sender="Maria Lopez <maria@example.com>", to="replies@parse.example.com",
                   subject="Re: What a short sale is", text=QUOTED, html=None, message_id="<CAF1@mail.gmail.com>"):
    """The fields Inbound Parse posts in its default mode (names as in sendgrid/helpers/inbound)."""
    headers = (f"MIME-Version: 1.0\nFrom: {sender}\nDate: Tue, 1 Dec 2026 10:05:00 -0500\nMessage-ID: {message_id}\n"
               f"Subject: {subject}\nTo: {to}\nContent-Type: multipart/alternative; boundary=001a113df448\n")
    fields = {"headers": headers, "dkim": "{@gmail.com : pass}", "to": to, "from": sender, "text": text,
              "sender_ip": "209.85.220.41", "envelope": f'{{"to":["{to}"],"from":"maria@example.com"}}',
              "attachments": "0", "subject": subject, "SPF": "pass",
              "charsets": '{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}'}
    if html is not None:
        fields["html"] = html
    return fields


def post(client, fields, files=None, url=PARSE, **kw):
    return client.post(url, data=fields, files=files, **kw)


def inbound():
    with session_scope() as s:
        return list(s.exec(select(InboundMessage).order_by(InboundMessage.id)))


def test_a_reply_with_a_quoted_earlier_message_pauses_the_lead_for_a_person(maria, client):
    r = post(client, default_fields())
    assert r.status_code == 200, r.text
    (row,) = inbound()
    assert row.lead_id == maria and row.channel == "email" and row.kind == "conversation"
    assert row.reply == "Yes, can someone call me Thursday after 5?"  # the quoted email is not the reply
    assert "To unsubscribe" in row.body
    assert row.provider_id == "<CAF1@mail.gmail.com>"
    assert lead(maria).status == "needs_human"
    assert not messages_of(maria, "planned")  # both channels wait for the person
    with session_scope() as s:
        assert [c.action for c in s.exec(select(Consent).where(Consent.channel == "email"))] == []


def test_the_same_email_posted_twice_is_acted_on_once(maria, client):
    post(client, default_fields())
    post(client, default_fields())
    assert len(inbound()) == 1


def test_an_unsubscribe_in_words_revokes_email_and_texts_go_on(maria, client):
    fields = default_fields(text="Please take me off your mailing list.\n\nMaria", subject="Re: Your options")
    assert post(client, fields).status_code == 200
    with session_scope() as s:
        (revoke,) = s.exec(select(Consent).where(Consent.channel == "email")).all()
        assert (revoke.action, revoke.method, revoke.recorded_by) == ("revoke", "email_reply", "lead (email)")
        assert s.exec(select(Suppression.channel)).all() == ["email"]
    planned = messages_of(maria, "planned")
    assert planned and all(m.channel == "sms" for m in planned)
    assert lead(maria).status == "active"
    assert inbound()[0].handled_at is not None


def test_multipart_with_attachments_lists_them_and_keeps_none(maria, client):
    files = [("attachment1", ("notice of sale.pdf", b"%PDF-1.4 fake", "application/pdf")),
             ("attachment2", ("house.jpg", b"\xff\xd8\xff" + b"0" * 5000, "image/jpeg"))]
    fields = default_fields(text="Here is the letter from the bank.") | {
        "attachments": "2",
        "attachment-info": '{"attachment1":{"filename":"notice of sale.pdf","name":"notice of sale.pdf",'
                           '"type":"application/pdf"},"attachment2":{"filename":"house.jpg","type":"image/jpeg"}}'}
    assert post(client, fields, files=files).status_code == 200
    (row,) = inbound()
    assert row.attachments == [{"filename": "notice of sale.pdf", "type": "application/pdf", "size": 13},
                               {"filename": "house.jpg", "type": "image/jpeg", "size": 5003}]
    assert lead(maria).status == "needs_human"


def raw_mime(*, sender="maria@example.com", to="replies@parse.example.com", text="Unsubscribe me please",
             attach=True) -> str:
    msg = EmailMessage()
    msg["From"] = f"Maria Lopez <{sender}>"
    msg["To"] = to
    msg["Subject"] = "Re: The deficiency"
    msg["Message-ID"] = "<raw-1@example.com>"
    msg.set_content(text + "\n\nOn Tue, Dec 1, 2026 at 9:00 AM Short Sale Help wrote:\n> Questions? Reply here.\n")
    msg.add_alternative(f"<p>{text}</p><blockquote>Questions? Reply here.</blockquote>", subtype="html")
    if attach:
        msg.add_attachment(b"scan", maintype="application", subtype="pdf", filename="scan.pdf")
    return msg.as_string()


def test_the_raw_full_mime_mode_is_read_too(maria, client):
    fields = {"email": raw_mime(), "to": "replies@parse.example.com", "from": "Maria Lopez <maria@example.com>",
              "subject": "Re: The deficiency", "sender_ip": "209.85.220.41", "SPF": "pass",
              "envelope": '{"to":["replies@parse.example.com"],"from":"maria@example.com"}',
              "charsets": '{"to":"UTF-8","subject":"UTF-8","from":"UTF-8"}', "dkim": "{@example.com : pass}"}
    assert post(client, fields).status_code == 200
    (row,) = inbound()
    assert row.kind == "opt_out" and row.provider_id == "<raw-1@example.com>"
    assert row.attachments == [{"filename": "scan.pdf", "type": "application/pdf", "size": 4}]
    with session_scope() as s:
        assert s.exec(select(Consent.action).where(Consent.channel == "email")).all() == ["revoke"]


def test_the_sendgrid_sample_payload_parses():
    """SendGrid's own sample post (sendgrid/helpers/inbound/sample_data/default_data.txt), field by field."""
    fields = {"headers": "MIME-Version: 1.0\nFrom: Example User <test@example.com>\nSubject: Inbound Parse Test Data\n"
                         "To: inbound@inbound.example.com\n", "dkim": "{@sendgrid.com : pass}",
              "to": "inbound@inbound.example.com", "html": "<html><body><strong>Hello Twilio SendGrid!</body></html>\n",
              "from": "Example User <test@example.com>", "text": "Hello Twilio SendGrid!\n", "sender_ip": "0.0.0.0",
              "envelope": '{"to":["inbound@inbound.example.com"],"from":"test@example.com"}', "attachments": "0",
              "subject": "Testing non-raw", "SPF": "pass",
              "charsets": '{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}'}
    parsed = parse_inbound(fields)
    assert (parsed.sender, parsed.recipients, parsed.subject) == (
        "test@example.com", ("inbound@inbound.example.com",), "Testing non-raw")
    assert parsed.text.strip() == "Hello Twilio SendGrid!"


def test_a_field_in_another_charset_is_read_as_sendgrid_says():
    fields = {"from": "José <jose@example.com>", "text": "Dar de baja, por favor. Gracias, José".encode().decode(),
              "charsets": '{"text":"iso-8859-1","from":"UTF-8"}'}
    latin1 = "Me interesa, ¿cuándo llaman?".encode("iso-8859-1").decode("latin-1")  # how the form parser reads it
    parsed = parse_inbound(fields | {"text": latin1})
    assert parsed.text == "Me interesa, ¿cuándo llaman?"


def test_an_html_only_reply_is_read_as_text():
    assert html_to_text("<html><head><style>p{}</style></head><body><p>Call me</p><p>after 5</p></body></html>") \
        == "Call me\nafter 5"


def test_with_a_reply_address_the_token_finds_the_lead_whatever_the_sender(maria, client, monkeypatch):
    monkeypatch.setenv("NURTURE_REPLY_TO", "replies@parse.example.com")
    get_settings.cache_clear()
    to = reply_address("replies@parse.example.com", maria, SECRET)
    fields = default_fields(sender="Spouse <carlos@example.net>", to=to, text="We want to talk. Call us.")
    assert post(client, fields).status_code == 200
    (row,) = inbound()
    assert row.lead_id == maria and "by the reply token" in row.reason


def test_a_forged_token_finds_nobody_and_the_sender_decides(maria, client, monkeypatch):
    monkeypatch.setenv("NURTURE_REPLY_TO", "replies@parse.example.com")
    get_settings.cache_clear()
    forged = "replies+%d.%s@parse.example.com" % (maria, "0" * 24)
    post(client, default_fields(sender="stranger@example.net", to=forged, text="stop emailing me"))
    (row,) = inbound()
    assert row.lead_id is None
    with session_scope() as s:
        assert s.exec(select(Consent).where(Consent.channel == "email")).all() == []
        assert s.exec(select(Suppression.address)).all() == ["stranger@example.net"]


def test_the_parse_url_needs_its_key_or_the_api_key(maria, client, monkeypatch):
    assert post(client, default_fields(), url="/webhooks/sendgrid/inbound").status_code == 403
    assert post(client, default_fields(), url="/webhooks/sendgrid/inbound?key=guess").status_code == 403
    assert inbound() == []
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    basic = "Basic " + base64.b64encode(b"parse:k3y").decode()
    r = post(client, default_fields(), url="/webhooks/sendgrid/inbound", headers={"Authorization": basic})
    assert r.status_code == 200
    assert len(inbound()) == 1


def test_a_post_that_is_not_multipart_is_a_400_not_a_500(maria, client):
    r = client.post(PARSE, content=b"not a form", headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 400


def test_a_large_email_with_attachments_is_taken(maria, client):
    files = [("attachment1", ("scan.pdf", b"x" * 3_000_000, "application/pdf"))]
    assert post(client, default_fields(text="Scan attached"), files=files).status_code == 200


def test_emails_carry_the_reply_to_with_the_leads_token(sqlite_url, providers, monkeypatch):
    monkeypatch.setenv("NURTURE_REPLY_TO", "replies@parse.example.com")
    get_settings.cache_clear()
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    mid = queue_message(lead_id, NOW, channel="email", template="email/deficiency", step="e1")
    assert Dispatcher().send(mid).state == "sent"
    (sent,) = providers.received
    assert sent.json["reply_to"]["email"] == reply_address("replies@parse.example.com", lead_id, SECRET)
