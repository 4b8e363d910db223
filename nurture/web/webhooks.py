"""Provider webhooks: Twilio status callbacks and inbound SMS, SendGrid events, one-click unsubscribe.

Unknown ids are answered 200 so providers do not retry forever; every callback becomes a
delivery-log row, and the ones that change a message move it with a conditional UPDATE.
"""

from __future__ import annotations

import html
import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, select

from nurture.plans import replan as planning
from nurture.clock import now
from nurture.config import get_settings
from nurture.db import secret_key, session_scope
from nurture.delivery import deliverability
from nurture.delivery.channels import sendgrid_codes, twilio_codes
from nurture.delivery.dispatch import suppress
from nurture.conversations.inbound import handle_inbound_email, handle_inbound_sms, opt_out
from nurture.conversations.email_parse import parse_inbound
from nurture.delivery.lifecycle import S, log_event, log_event_once, transition
from nurture.models import Lead, Message, row_id
from nurture.text_rules import clip, scrub
from nurture.content.languages import DEFAULT_LANGUAGE
from nurture.content.tokens import InvalidToken, inbound_parse_key, verify_unsubscribe_token
from nurture.web.deps import presented_key
from nurture.web.middleware import INBOUND_PARSE_MAX_BYTES
from nurture.web.responses import answers
from nurture.web.verification import WebhookRefused, public_url_problem, verify_sendgrid, verify_twilio

log = logging.getLogger("nurture.webhooks")
router = APIRouter(tags=["webhooks"])

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Callbacks are outside input like any other: each value is cut to the column it lands in, and NUL
# and other control characters are dropped (PostgreSQL refuses NUL in text).
TWILIO_FIELD_MAX = {"MessageSid": 64, "MessageStatus": 40, "ErrorCode": 20, "From": 254}
TWILIO_TEXT_MAX = 1600
"""Characters kept of any other Twilio field: an SMS body is at most 1,600."""
SUPPRESSION_DETAIL_MAX = 300
#: Media items of an MMS listed in the inbox (Twilio sends at most 10).
MEDIA_MAX = 10
#: File parts of an Inbound Parse post read (each is listed by name, type and size, never kept).
ATTACHMENTS_READ_MAX = 100


async def _twilio_form(request: Request) -> dict[str, str]:
    """The form Twilio posted, once X-Twilio-Signature proves it is Twilio's (503 while no auth token is set)."""
    settings = get_settings()
    form = {k: str(v) for k, v in (await request.form()).items()}
    # Twilio signs the public URL it called, not the one uvicorn sees behind a proxy.
    url = settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    try:
        verify_twilio(settings, url=url, form=form, signature=request.headers.get("X-Twilio-Signature", ""))
    except WebhookRefused as exc:
        hint = public_url_problem(settings) if exc.status == 403 else None
        # The URL without its query: whoever calls may put anything there, and the log keeps nothing they chose.
        log.warning("refused a Twilio callback to %s: %s%s", url.partition("?")[0], exc.reason,
                    f". {hint}" if hint else "")
        raise HTTPException(exc.status, exc.reason) from None
    return {k: scrub(v, TWILIO_FIELD_MAX.get(k, TWILIO_TEXT_MAX)) for k, v in form.items()}


def _message_by_provider_id(session: Session, provider_id: str) -> Message | None:
    return session.exec(select(Message).where(Message.provider_id == provider_id)).first()


@router.post("/webhooks/twilio/status", response_class=Response, responses=answers(403, 503))
async def twilio_status(request: Request) -> Response:
    """Twilio's status callback: delivered, undelivered or failed, with the carrier's error code."""
    form = await _twilio_form(request)
    with session_scope() as session:
        record_twilio_status(session, message_ref=request.query_params.get("message_id", ""),
                             sid=form.get("MessageSid", ""), status=form.get("MessageStatus", ""),
                             code=form.get("ErrorCode") or None, at=now())
    return Response(status_code=200)


def record_twilio_status(session: Session, *, message_ref: str, sid: str, status: str, code: str | None,
                         at: Any) -> None:
    """What a Twilio status callback says of one of our messages (`message_ref`: our id, as text)."""
    message_id = row_id(message_ref)
    msg = session.get(Message, message_id) if message_id else None
    if msg is None or (msg.provider_id and msg.provider_id != sid):
        msg = _message_by_provider_id(session, sid) if sid else None
    key = f"twilio:{sid}:{status}" if sid and status else None
    if msg is None:
        cause = f"Twilio status {status} for unknown message {sid}"
        if key is None:
            log_event(session, at=at, kind="provider", cause=cause, provider_status=status, error_code=code,
                      data={"sid": sid})
        else:
            log_event_once(session, event_key=key, at=at, kind="provider", cause=cause, provider_status=status,
                           error_code=code, data={"sid": sid})
        return
    cause = f"Twilio says {status}" + (f" (error {code})" if code else "")
    # Twilio may call back twice with one status: the callback is logged first, once, and only its
    # first delivery acts (a second one waits here until the first is committed, then stops).
    if key is not None and not log_event_once(session, event_key=key, at=at, kind="provider", lead_id=msg.lead_id,
                                              message_id=msg.id, cause=cause, provider_status=status,
                                              error_code=code):
        return
    moved = False
    if status in twilio_codes.TOOK_IT and msg.state == S.sending:
        # A send whose answer never came back (a timeout): Twilio has it, so it is sent.
        moved = transition(session, msg.id, from_state=S.sending, to_state=S.sent, at=at, lead_id=msg.lead_id,
                           kind="provider", cause=f"{cause}: the provider has it", provider_status=status,
                           provider_id=sid, sent_at=at, lease_until=None)
    elif status == twilio_codes.DELIVERED:
        moved = transition(session, msg.id, from_state=[S.sent, S.sending], to_state=S.delivered, at=at,
                           lead_id=msg.lead_id, kind="provider", cause=cause, provider_status=status,
                           provider_id=sid, sent_at=msg.sent_at or at)
    elif status in twilio_codes.NOT_DELIVERED:
        moved = _undelivered(session, msg.id, at=at, lead_id=msg.lead_id, kind="provider", cause=cause,
                             provider_status=status, error_code=code, error_reason=cause, provider_id=sid,
                             sent_at=msg.sent_at or at)
        outcome = twilio_codes.outcome_of(status=None, code=code)
        if outcome.suppress and msg.to_address:
            suppress(session, channel="sms", address=msg.to_address, reason=outcome.suppress,
                     detail=f"Twilio error {code}", lead_id=msg.lead_id, at=at)
            planning.replan_lead(session, msg.lead_id, now=at,
                                 cause=f"{msg.to_address} cannot receive texts (Twilio {code})")
        if deliverability.watched("sms", status=status, code=code):
            # Here, not on the scheduler's next pass: a 30034 pauses texting before a second text goes.
            deliverability.check(session, "sms", get_settings(), at=at)
    if not moved and key is None:
        log_event(session, at=at, kind="provider", lead_id=msg.lead_id, message_id=msg.id, cause=cause,
                  provider_status=status, error_code=code)


def _undelivered(session: Session, message_id: int, **change: Any) -> bool:
    """A message the provider could not deliver: from sent or sending, or from delivered (a carrier
    may report a failure after a delivery receipt). Two conditional UPDATEs, because the log's
    from_state holds at most 20 characters ("sent|sending|delivered" was a 500 on PostgreSQL)."""
    return (transition(session, message_id, from_state=[S.sent, S.sending], to_state=S.undelivered, **change)
            or transition(session, message_id, from_state=S.delivered, to_state=S.undelivered, **change))


@router.post("/webhooks/twilio/inbound", response_class=Response,
             responses={200: {"content": {"application/xml": {}}}} | answers(403, 503))
async def twilio_inbound(request: Request) -> Response:
    """A text from a lead: a revocation in any words, START, HELP, or a reply a person must answer.

    Twilio's fields: From, To, Body, MessageSid, NumMedia with MediaUrlN/MediaContentTypeN, and
    OptOutType (STOP, START or HELP) when the Messaging Service has Advanced Opt-Out on."""
    form = await _twilio_form(request)
    media = []
    count = form.get("NumMedia", "0")
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    for n in range(min(int(count) if count.isascii() and count.isdecimal() else 0, MEDIA_MAX)):
        media.append({"url": clip(form.get(f"MediaUrl{n}", ""), 500),
                      "type": clip(form.get(f"MediaContentType{n}", ""), 100)})
    with session_scope() as session:
        handle_inbound_sms(session, from_=form.get("From", ""), body=form.get("Body", ""), now=now(),
                           provider_id=form.get("MessageSid") or None, to=form.get("To"),
                           opt_out_type=form.get("OptOutType") or None, media=media)
    return Response(EMPTY_TWIML, media_type="application/xml")


def _verify_inbound_parse(request: Request, secret: str) -> None:
    """An Inbound Parse post must carry the secret `key` of the URL nurture gave for it (`nurture
    inbox parse-url`), or the API key as HTTP Basic password or bearer token (a URL
    https://parse:<API key>@host/... makes the sender send it)."""
    # Bytes: compare_digest refuses a str with a character outside ASCII (a 500 for `?key=%C3%A9`).
    if hmac.compare_digest(request.query_params.get("key", "").encode(), inbound_parse_key(secret).encode()):
        return
    api_key = get_settings().api_key
    token = presented_key(request.headers.get("authorization"))
    if api_key and token and hmac.compare_digest(token.encode(), api_key.encode()):
        return
    raise HTTPException(403, "not a post of our Inbound Parse: use the URL `nurture inbox parse-url` prints")


@router.post("/webhooks/sendgrid/inbound", response_class=Response, responses=answers(400, 403))
async def sendgrid_inbound(request: Request) -> Response:
    """An email a lead sent (SendGrid Inbound Parse, multipart/form-data, default or raw mode):
    an unsubscribe in words revokes email; any other reply pauses the lead for a person."""
    with session_scope() as session:
        secret = secret_key(session)
    _verify_inbound_parse(request, secret)
    try:
        form = await request.form(max_files=ATTACHMENTS_READ_MAX, max_fields=200,
                                  max_part_size=INBOUND_PARSE_MAX_BYTES)
    except HTTPException:
        raise
    except Exception:  # not multipart, or broken: answered (SendGrid retries only a 5xx), never a 500
        raise HTTPException(400, "expected SendGrid's multipart/form-data post") from None
    try:
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        files = [{"field": k, "filename": v.filename, "type": v.content_type, "size": v.size}
                 for k, v in form.multi_items() if not isinstance(v, str)]
        parsed = parse_inbound(fields, files)
    finally:
        await form.close()
    with session_scope() as session:
        handle_inbound_email(session, parsed, now=now(), secret=secret)
    return Response(status_code=200)


def _verify_sendgrid(request: Request, raw: bytes) -> None:
    """Refuse events SendGrid did not sign, or signed more than five minutes from now (503 with no key)."""
    from sendgrid.helpers.eventwebhook import EventWebhookHeader

    try:
        verify_sendgrid(get_settings(), body=raw, signature=request.headers.get(EventWebhookHeader.SIGNATURE, ""),
                        timestamp=request.headers.get(EventWebhookHeader.TIMESTAMP, ""), now=now())
    except WebhookRefused as exc:
        log.warning("refused a SendGrid event batch: %s", exc.reason)
        raise HTTPException(exc.status, exc.reason) from None


def _sendgrid_message(session: Session, event: dict[str, Any]) -> Message | None:
    mid = row_id(event.get("message_id"))
    if mid is not None:
        msg = session.get(Message, mid)
        if msg is not None:
            return msg
    sg_id = scrub(event.get("sg_message_id") or "", 200)
    return _message_by_provider_id(session, sg_id.split(".")[0]) if sg_id else None


@router.post("/webhooks/sendgrid/events", response_class=Response, responses=answers(400, 403, 503))
async def sendgrid_events(request: Request) -> Response:
    """SendGrid's event webhook: a JSON list of delivered, bounce, dropped, spamreport, unsubscribe, ..."""
    raw = await request.body()
    _verify_sendgrid(request, raw)
    try:
        events = json.loads(raw or b"[]")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than any real event
        raise HTTPException(400, "the body is not JSON") from None
    if not isinstance(events, list):
        raise HTTPException(400, "expected a JSON list of events")
    at = now()
    with session_scope() as session:
        for event in events:
            if isinstance(event, dict):
                _sendgrid_event(session, event, at)
        if any(isinstance(e, dict) and deliverability.watched("email", status=e.get("event"), code=None)
               for e in events):
            deliverability.check(session, "email", get_settings(), at=at)
    return Response(status_code=200)


def _sendgrid_event(session: Session, event: dict[str, Any], at: Any) -> None:
    kind = scrub(event.get("event", ""), 40)
    msg = _sendgrid_message(session, event)
    reason = scrub(event.get("reason") or event.get("response") or "", 300)
    cause = clip(f"SendGrid {kind}" + (f": {reason}" if reason else ""), SUPPRESSION_DETAIL_MAX)
    code = scrub(event.get("status") or "", 20) or None
    data = {k: _scalar(event.get(k)) for k in ("sg_event_id", "sg_message_id", "timestamp", "type") if event.get(k)}
    lead_id = msg.lead_id if msg else None
    event_id = event.get("sg_event_id")
    if isinstance(event_id, str) and event_id.strip():
        # SendGrid posts a batch again when our answer is late: each event is logged first, once, and
        # only its first delivery acts.
        if not log_event_once(session, event_key=f"sendgrid:{scrub(event_id.strip(), 100)}", at=at, kind="provider",
                              lead_id=lead_id, message_id=msg.id if msg else None,
                              cause=cause if msg else f"{cause} (unknown message)", provider_status=kind,
                              error_code=code, data=data):
            return
        logged = True
    else:
        logged = False
    change_data = None if logged else data  # the event's ids are on its own row, once
    moved = False
    outcome = sendgrid_codes.outcome_of_event(kind, event.get("type", "bounce"))
    if msg is not None and kind in sendgrid_codes.TOOK_IT and msg.state == S.sending:
        # A send whose answer never came back (a timeout): SendGrid has it, so it is sent.
        sg_id = str(event.get("sg_message_id") or "").split(".")[0] or None
        moved = transition(session, msg.id, from_state=S.sending, to_state=S.sent, at=at, lead_id=lead_id,
                           kind="provider", cause=f"{cause}: the provider has it", provider_status=kind,
                           data=change_data,
                           sent_at=at, lease_until=None, **({"provider_id": sg_id} if sg_id else {}))
    elif msg is not None and kind == sendgrid_codes.DELIVERED:
        moved = transition(session, msg.id, from_state=[S.sent, S.sending], to_state=S.delivered, at=at,
                           lead_id=lead_id, kind="provider", cause=cause, provider_status=kind, data=change_data,
                           lease_until=None, sent_at=msg.sent_at or at)
    elif msg is not None and kind in sendgrid_codes.NOT_DELIVERED:
        moved = _undelivered(session, msg.id, at=at, lead_id=lead_id, kind="provider", cause=cause,
                             provider_status=kind, error_code=code, data=change_data, error_reason=cause[:500])
        if outcome is not None and outcome.suppress and msg.to_address:
            suppress(session, channel="email", address=msg.to_address, reason=outcome.suppress, detail=cause,
                     lead_id=lead_id, at=at)
            planning.replan_lead(session, lead_id, now=at, cause=f"{msg.to_address} bounced")
    if outcome is not None and outcome.opt_out:
        lead = session.get(Lead, lead_id) if lead_id else None
        email = scrub(event.get("email") or "", 254).lower()
        if lead is None and email:
            lead = session.exec(select(Lead).where(Lead.email == email)).first()
        if lead is not None:
            opt_out(session, lead, channel="email", reason=outcome.opt_out, detail=cause,
                    method="sendgrid_event", now=at)
        elif email:
            suppress(session, channel="email", address=email, reason=outcome.opt_out, detail=cause,
                     lead_id=None, at=at)
    if not moved and not logged:
        log_event(session, at=at, kind="provider", lead_id=lead_id, message_id=msg.id if msg else None,
                  cause=cause if msg else f"{cause} (unknown message)", provider_status=kind, error_code=code,
                  data=data)


def _scalar(value: Any) -> Any:
    """A number as it is; anything else as storable text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return scrub(value, 200)


_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222">
<h1 style="font-size:1.4rem">{title}</h1>{body}</body></html>"""


def _page(title: str, body: str, status: int = 200, lang: str = DEFAULT_LANGUAGE) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=title, body=body, lang=lang), status_code=status)


#: The unsubscribe pages' words, in the language of the lead the link was made for.
_UNSUBSCRIBE_WORDS = {
    "en": {"emails": "emails", "texts": "text messages", "ask_title": "Unsubscribe from {what}",
           "ask": "Stop receiving {what} from {company} about your home?", "button": "Unsubscribe",
           "done_title": "You are unsubscribed", "done": "You will not receive more {what} from {company}."},
    "es": {"emails": "correos electrónicos", "texts": "mensajes de texto", "ask_title": "Cancelar {what}",
           "ask": "¿Dejar de recibir {what} de {company} sobre su casa?", "button": "Cancelar la suscripción",
           "done_title": "Su suscripción fue cancelada", "done": "No recibirá más {what} de {company}."},
}


def _language_of(lead: Lead | None) -> str:
    """The language the lead's pages are shown in (English when the lead is gone)."""
    language = lead.language if lead is not None else DEFAULT_LANGUAGE
    return language if language in _UNSUBSCRIBE_WORDS else DEFAULT_LANGUAGE


def _unsubscribe_target(token: str) -> tuple[int, str]:
    with session_scope() as session:
        secret = secret_key(session)
    try:
        return verify_unsubscribe_token(token, secret)
    except InvalidToken:  # forged, damaged or cut short: no link nurture made
        raise HTTPException(404) from None


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, tags=["unsubscribe"], responses=answers(404, 422))
def unsubscribe_page(token: str) -> HTMLResponse:
    """The link in each email: a page with one button (link scanners must not unsubscribe anyone)."""
    try:
        lead_id, channel = _unsubscribe_target(token)
    except HTTPException:
        return _page("This link is not valid", "<p>The unsubscribe link is damaged or incomplete. "
                     "Reply to the email and we will take you off our list.</p>", 404)
    with session_scope() as session:
        lang = _language_of(session.get(Lead, lead_id))
    said = _UNSUBSCRIBE_WORDS[lang]
    what = said["emails"] if channel == "email" else said["texts"]
    company = html.escape(get_settings().company_name)
    return _page(said["ask_title"].format(what=what), f"<p>{said['ask'].format(what=what, company=company)}</p>"
                 f'<form method="post"><button type="submit" style="font-size:1rem;padding:.6rem 1.2rem">'
                 f"{said['button']}</button></form>", lang=lang)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, tags=["unsubscribe"], responses=answers(404, 422))
def unsubscribe(token: str) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe (List-Unsubscribe-Post) and the page's button."""
    try:
        lead_id, channel = _unsubscribe_target(token)
    except HTTPException:
        return _page("This link is not valid", "<p>The unsubscribe link is damaged or incomplete. "
                     "Reply to the email and we will take you off our list.</p>", 404)
    at = now()
    with session_scope() as session:
        lead = session.get(Lead, lead_id)
        lang = _language_of(lead)
        if lead is not None:
            opt_out(session, lead, channel=channel, reason="unsubscribe", detail="unsubscribe link",
                    method="unsubscribe", now=at)
    said = _UNSUBSCRIBE_WORDS[lang]
    what = said["emails"] if channel == "email" else said["texts"]
    company = html.escape(get_settings().company_name)
    return _page(said["done_title"], f"<p>{said['done'].format(what=what, company=company)}</p>", lang=lang)
