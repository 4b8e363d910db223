"""What leads say back, by text or email, and what nurture does about it.

Every inbound message is stored (InboundMessage) with what the classifier (nurture.conversations.replies) made
of it and what was done. A revocation, in any words, revokes at once, suppresses the address,
cancels every planned message on that channel and (for texts) plans the one confirmation the FCC
allows; START/UNSTOP/YES restore only a number that revoked by text; HELP is answered from
templates/sms/_help.txt; anything else, and anything that might be a revocation, goes to a person
(the inbox) and pauses the lead. Whatever changes a lead's consent takes the lead's lock first,
like the send gate, so a worker deciding about that lead either sees the change or decided before it.

Languages (issue 25): a Spanish keyword (ALTO, PARAR, AYUDA...) or revocation in Spanish words is
answered in Spanish (the planned answer carries language "es"), an English one in the lead's
language (the row's language is None and the dispatcher uses the lead's). A reply that asks for a
language ("¿En español?", "English please") switches the lead, says why in `language_reason` and
the log, and is handled without a person; a reply written in Spanish switches the lead to Spanish
and still goes to a person. The switch is made under the same lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from nurture.config import Settings, get_settings
from nurture.content import HELP_TEMPLATE, STOP_TEMPLATE
from nurture.content.tokens import lead_of_reply_address
from nurture.conversations.replies import (
    LANGUAGE_NAMES,
    Classification,
    LanguageSignal,
    ReplyKind,
    classify_email_reply,
    classify_sms,
    language_signal,
    strip_quoted,
)
from nurture.delivery.dispatch import suppress
from nurture.delivery.lifecycle import log_event
from nurture.lateness import late_from
from nurture.law import (
    CONFIRMATION_WITHIN,
    HELP_ANSWER_STEP,
    HELP_ANSWER_WITHIN,
    STOP_CONFIRMATION_STEP,
    SYSTEM_SEQUENCE,
    consent,
)
from nurture.locking import lock_leads
from nurture.models import (
    ConsentAction,
    InboundMessage,
    Lead,
    LeadStatus,
    Message,
    Suppression,
)
from nurture.plans import replan as planning
from nurture.text_rules import clip, scrub

log = logging.getLogger("nurture.conversations.inbound")

#: Characters kept of an inbound body: a text is at most 1,600; an email's text part is cut here.
BODY_MAX = 20_000
REASON_MAX = 500
STATUS_REASON_MAX = 300
LANGUAGE_REASON_MAX = 200


@dataclass(frozen=True)
class InboundResult:
    """What became of one inbound message."""

    kind: str  # opt_out, opt_in, help, maybe_opt_out, language, conversation, unknown_sender, duplicate
    lead_id: int | None
    inbound_id: int | None = None
    outcome: str = ""


def _locked_lead(session: Session, lead_id: int) -> Lead:
    """The lead, locked until commit and read after the lock (so its status and facts are current)."""
    lock_leads(session, [lead_id])
    return session.exec(select(Lead).where(Lead.id == lead_id).execution_options(populate_existing=True)).one()


def plan_system_message(session: Session, lead: Lead, *, template: str, step: str, now: datetime,
                        within: timedelta, reason: str, language: str | None = None) -> int:
    """A system answer as a planned message due now: the scheduler hands it to a worker within a
    tick and the send gate checks it like any other (system rules: an address and `within`).
    `language`: the language to answer in ("es" after ALTO or AYUDA); None is the lead's own."""
    table = Message.__table__
    message_id = session.execute(sa.insert(table).values(
        lead_id=lead.id, sequence=SYSTEM_SEQUENCE, step=step, channel="sms", template=template, deadline=False,
        due_at=now, expires_at=late_from(now, within), state="planned", reason=clip(reason, 500), attempts=0,
        created_at=now, updated_at=now, language=language,
    ).returning(table.c.id)).scalar_one()
    said_in = f", in {LANGUAGE_NAMES.get(language, language)}" if language else ""
    log_event(session, at=now, kind="plan", lead_id=lead.id, message_id=message_id, to_state="planned",
              cause=clip(f"{reason}: {template}{said_in}, due now, not after {(now + within).isoformat()}", 500))
    return message_id


def opt_out(session: Session, lead: Lead, *, channel: str, reason: str, detail: str, method: str, now: datetime,
            words: str | None = None, recorded_by: str | None = None, confirm: bool = False,
            language: str | None = None) -> bool:
    """The lead wants no more messages on `channel`: revoke consent, suppress the address, cancel
    what is planned; with `confirm` (texts only), plan the one confirmation, in `language` when
    given (None: the lead's). Returns True when consent was not revoked already (a second STOP is
    recorded, but confirmed no second time).

    Under the lead's lock, like the send gate: a worker deciding about this lead either sees the
    revocation or finished deciding before it."""
    assert lead.id is not None  # a stored lead
    lead = _locked_lead(session, lead.id)
    assert lead.id is not None  # read back by its id
    before = consent.current(session, lead.id, channel)
    fresh = before is None or before.action != ConsentAction.revoke
    address = lead.phone if channel == "sms" else lead.email
    if address:
        suppress(session, channel=channel, address=address, reason=reason, detail=detail, lead_id=lead.id, at=now)
    entry_id = consent.record(session, lead_id=lead.id, channel=channel, action=ConsentAction.revoke,
                              method=method, at=now, text=words or detail, recorded_by=recorded_by, note=detail)
    log_event(session, at=now, kind="consent", lead_id=lead.id,
              cause=clip(f"opted out of {channel} ({method}): {detail}", 500))
    planning.cancel_one_offs(session, lead.id, channel=channel, now=now,
                             cause=f"the lead opted out of {channel}")
    planning.replan(session, lead, now=now, cause=f"opted out of {channel}")
    if confirm and fresh and channel == "sms" and lead.phone:
        plan_system_message(session, lead, template=STOP_TEMPLATE, step=f"{STOP_CONFIRMATION_STEP}-{entry_id}",
                            now=now, within=CONFIRMATION_WITHIN, reason="the one confirmation of an opt-out",
                            language=language)
    return fresh


def _switch_language(session: Session, lead: Lead, signal: LanguageSignal | None, *, said: str, how: str,
                     now: datetime) -> str | None:
    """Set the (locked) lead's language from its reply, with why; None when nothing changes. The
    next message it gets is rendered in the new language (the dispatcher reads the lead's)."""
    if signal is None or signal.language == lead.language:
        return None
    before, after = lead.language, signal.language
    quoted = clip(" ".join(said.split()), 80)
    why = (f'{how} "{quoted}" on {now.date().isoformat()}' if signal.asked
           else f'{how} written in {LANGUAGE_NAMES.get(after, after)}: "{quoted}" on {now.date().isoformat()}')
    lead.language = after
    lead.language_reason = clip(why, LANGUAGE_REASON_MAX)
    lead.updated_at = now
    session.add(lead)
    session.flush()
    names = f"{LANGUAGE_NAMES.get(before, before)} ({before}) to {LANGUAGE_NAMES.get(after, after)} ({after})"
    log_event(session, at=now, kind="lead", lead_id=lead.id, cause=clip(f"language changed from {names}: {why}", 500),
              data={"language_from": before, "language_to": after})
    return f"language set to {LANGUAGE_NAMES.get(after, after)} (was {LANGUAGE_NAMES.get(before, before)})"


def _language_reply(session: Session, row: InboundMessage, found: Classification, switched: str | None,
                    now: datetime, *, reason: str) -> None:
    """A reply that only asks for a language: the switch is the answer; nobody needs to read it."""
    name = LANGUAGE_NAMES.get(found.language or "", found.language or "")
    outcome = (f"{switched}; not paused, nothing for a person to answer" if switched
               else f"the lead reads {name} already; nothing to change")
    _finish(row, kind=str(found.kind), reason=reason, outcome=outcome, handled=True, now=now, session=session)


def _needs_person(session: Session, lead: Lead, why: str, now: datetime) -> str:
    """Pause the lead's sequence for a person (its inbox entry stays open until one acts)."""
    if lead.status != LeadStatus.active:
        return f"left {lead.status}; waiting for a person in the inbox"
    lead.status = LeadStatus.needs_human
    lead.status_reason = clip(why, STATUS_REASON_MAX)
    lead.updated_at = now
    session.add(lead)
    session.flush()
    log_event(session, at=now, kind="lead", lead_id=lead.id, from_state="active", to_state="needs_human",
              cause=clip(why, 500))
    planning.replan(session, lead, now=now, cause="the lead replied: a person takes over")
    return "sequence paused (needs_human); waiting for a person in the inbox"


def _store(session: Session, **values: Any) -> InboundMessage:
    row = InboundMessage(**values)
    session.add(row)
    session.flush()
    return row


def _seen(session: Session, channel: str, provider_id: str | None) -> InboundMessage | None:
    if not provider_id:
        return None
    return session.exec(select(InboundMessage).where(InboundMessage.channel == channel,
                                                     InboundMessage.provider_id == provider_id)).first()


def _finish(row: InboundMessage, *, kind: str, reason: str, outcome: str, handled: bool, now: datetime,
            session: Session) -> None:
    row.kind, row.reason, row.outcome = kind, clip(reason, REASON_MAX), clip(outcome, REASON_MAX)
    if handled:
        row.handled_at, row.handled_by = now, "nurture"
    session.add(row)
    session.flush()


# -- SMS -------------------------------------------------------------------------------------------


def handle_inbound_sms(session: Session, *, from_: str, body: str, now: datetime, provider_id: str | None = None,
                       to: str | None = None, opt_out_type: str | None = None,
                       media: list[dict[str, Any]] | None = None, settings: Settings | None = None) -> InboundResult:
    """Act on one inbound text (the Twilio webhook's From, Body, MessageSid, To, OptOutType)."""
    settings = settings or get_settings()
    text = scrub(body or "", BODY_MAX).strip()
    seen = _seen(session, "sms", provider_id)
    if seen is not None:
        return InboundResult("duplicate", seen.lead_id, seen.id, "already received (a provider retry)")
    found = classify_sms(text, opt_out_type=opt_out_type)
    lead_id = session.scalar(sa.select(Lead.id).where(Lead.phone == from_)) if from_ else None
    row = _store(session, lead_id=lead_id, channel="sms", from_address=scrub(from_, 254),
                 to_address=scrub(to, 254) or None, body=text, reply=text, kind=str(found.kind),
                 reason=clip(found.reason, REASON_MAX), provider_id=provider_id, attachments=media or [],
                 received_at=now)
    if lead_id is None:
        return _unknown_sender(session, row, found, now)
    lead = _locked_lead(session, lead_id)
    log_event(session, at=now, kind="inbound", lead_id=lead.id, cause=clip(f"SMS from lead: {text}", 500),
              data={"inbound_id": row.id, "sid": provider_id, "kind": str(found.kind), "why": found.reason})
    # With Advanced Opt-Out, Twilio itself answered the keyword it marked with OptOutType.
    twilio_answered = settings.twilio_advanced_opt_out and bool((opt_out_type or "").strip())
    if (opt_out_type or "").strip() and not settings.twilio_advanced_opt_out:
        log.warning("Twilio marked inbound %s with OptOutType %s, so Advanced Opt-Out is on, but "
                    "NURTURE_TWILIO_ADVANCED_OPT_OUT is false: nurture answers too (set it to true)",
                    provider_id, clip(opt_out_type or "", 20))
    kind, reason = str(found.kind), found.reason
    switched = _switch_language(session, lead, language_signal(text), said=text, how="reply", now=now)
    if found.kind is ReplyKind.opt_out:
        fresh = opt_out(session, lead, channel="sms", reason="stop", detail=f'replied "{clip(text, 80)}": {found.reason}',
                        method="sms_reply", now=now, words=text, recorded_by="lead (SMS)", confirm=not twilio_answered,
                        language=found.language)
        if twilio_answered:
            said = "Twilio sent the confirmation (Advanced Opt-Out)"
        else:
            said = "one confirmation planned" if fresh else "already revoked, so no second confirmation"
        _finish(row, kind=kind, reason=reason, outcome=f"SMS consent revoked, texts cancelled; {said}",
                handled=True, now=now, session=session)
    elif found.kind is ReplyKind.opt_in:
        before = consent.current(session, lead_id, "sms")
        if consent.revoked_by_text(before):
            assert before is not None
            _restore(session, lead, text, before, now)
            _finish(row, kind=kind, reason=reason, outcome=f"SMS consent restored (it was revoked by text, entry "
                    f"#{before.id})", handled=True, now=now, session=session)
        else:
            kind = str(ReplyKind.conversation)
            reason = (f'"{clip(text, 40)}" is not consent: this number never revoked by text, so it is a reply '
                      f"for a person ({found.reason})")
            outcome = _needs_person(session, lead, f"replied by SMS: {text}", now)
            _finish(row, kind=kind, reason=reason, outcome=outcome, handled=False, now=now, session=session)
    elif found.kind is ReplyKind.help:
        _help(session, lead, row, found, now, twilio_answered)
    elif found.kind is ReplyKind.language:
        _language_reply(session, row, found, switched, now, reason=reason)
        switched = None  # said in the outcome already
    elif found.kind is ReplyKind.maybe_opt_out:
        outcome = _needs_person(session, lead, f"may have revoked consent by SMS: {text}", now)
        _finish(row, kind=kind, reason=reason, outcome=f"texting paused, never read as consent; {outcome}",
                handled=False, now=now, session=session)
    else:
        outcome = _needs_person(session, lead, f"replied by SMS: {text}", now)
        _finish(row, kind=kind, reason=reason, outcome=outcome, handled=False, now=now, session=session)
    if switched:
        row.outcome = clip(f"{row.outcome}; {switched}", REASON_MAX)
        session.add(row)
        session.flush()
    return InboundResult(row.kind, lead.id, row.id, row.outcome)


def _unknown_sender(session: Session, row: InboundMessage, found: Classification, now: datetime) -> InboundResult:
    """No lead has this number or address: a revocation is still honoured for the address."""
    channel, address = row.channel, row.from_address
    outcome = "no lead has this sender"
    if found.kind is ReplyKind.opt_out and address:
        suppress(session, channel=channel, address=address, reason="stop" if channel == "sms" else "unsubscribe",
                 detail=clip(f"replied {row.reply}", 300), lead_id=None, at=now)
        outcome += f": {address} suppressed on {channel}"
    row.outcome = outcome
    session.add(row)
    log_event(session, at=now, kind="inbound",
              cause=clip(f"{channel} from unknown sender {address}: {row.reply}", 500),
              data={"inbound_id": row.id, "kind": str(found.kind)})
    return InboundResult("unknown_sender", None, row.id, outcome)


def _restore(session: Session, lead: Lead, text: str, revocation: Any, now: datetime) -> None:
    """START/UNSTOP/YES after a revocation by text: the lead's own word restores what it revoked."""
    session.execute(sa.delete(Suppression).where(Suppression.channel == "sms", Suppression.address == lead.phone,
                                                 Suppression.reason == "stop"))
    assert lead.id is not None  # a stored lead
    consent.record(session, lead_id=lead.id, channel="sms", action=ConsentAction.grant, method="sms_reply",
                   at=now, text=text, recorded_by="lead (SMS)",
                   note=f"restores the consent the lead revoked by text (entry #{revocation.id})")
    log_event(session, at=now, kind="consent", lead_id=lead.id, cause=clip(f'opted back in by SMS: "{text}"', 500))
    planning.replan(session, lead, now=now, cause="opted back in by SMS")


def _help(session: Session, lead: Lead, row: InboundMessage, found: Classification, now: datetime,
          twilio_answered: bool) -> None:
    kind, reason = str(found.kind), found.reason
    assert lead.id is not None  # a stored lead
    current = consent.current(session, lead.id, "sms")
    suppressed = session.scalar(sa.select(Suppression.reason).where(
        Suppression.channel == "sms", Suppression.address == lead.phone))
    if consent.revoked_by_text(current) or suppressed:
        # After a revocation only its one confirmation may follow (47 CFR 64.1200(a)(12)).
        outcome = _needs_person(session, lead, f"asked for HELP after opting out: {row.reply}", now)
        _finish(row, kind=kind, reason=reason, session=session, now=now, handled=False,
                outcome=f"not answered: this number opted out, and after a revocation only its one confirmation "
                        f"may be sent; {outcome}")
    elif twilio_answered:
        _finish(row, kind=kind, reason=reason, outcome="Twilio answered HELP (Advanced Opt-Out)", handled=True,
                now=now, session=session)
    else:
        plan_system_message(session, lead, template=HELP_TEMPLATE, step=f"{HELP_ANSWER_STEP}-{row.id}", now=now,
                            within=HELP_ANSWER_WITHIN, reason="the answer to the lead's HELP", language=found.language)
        _finish(row, kind=kind, reason=reason, outcome=f"answered from {HELP_TEMPLATE} (outside sequences and caps)",
                handled=True, now=now, session=session)


# -- email -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundEmail:
    """An email a lead sent us, as SendGrid's Inbound Parse gave it (see nurture.conversations.email_parse)."""

    sender: str  # the From address, lower-cased
    recipients: tuple[str, ...]  # To, Cc and the envelope's to, lower-cased
    subject: str
    text: str
    message_id: str | None
    attachments: tuple[dict[str, Any], ...] = ()


def handle_inbound_email(session: Session, email: InboundEmail, *, now: datetime, secret: str,
                         settings: Settings | None = None) -> InboundResult:
    """Act on one email reply: an unsubscribe in words revokes email; any other reply pauses the
    lead for a person. The lead is found by the reply-to token in a recipient address (when
    NURTURE_REPLY_TO is set), else by the sender's address."""

    settings = settings or get_settings()
    seen = _seen(session, "email", email.message_id)
    if seen is not None:
        return InboundResult("duplicate", seen.lead_id, seen.id, "already received (a provider retry)")
    lead_id, matched = None, ""
    if settings.reply_to:
        for address in email.recipients:
            lead_id = lead_of_reply_address(address, settings.reply_to, secret)
            if lead_id is not None and session.get(Lead, lead_id) is not None:
                matched = "by the reply token"
                break
            lead_id = None
    if lead_id is None and email.sender:
        lead_id = session.scalar(sa.select(Lead.id).where(Lead.email == email.sender))
        matched = "by the sender's address"
    body = scrub(email.text, BODY_MAX).strip()
    reply = strip_quoted(body)
    found = classify_email_reply(body, email.subject)
    row = _store(session, lead_id=lead_id, channel="email", from_address=scrub(email.sender, 254),
                 to_address=scrub(", ".join(email.recipients), 254) or None, subject=scrub(email.subject, 300) or None,
                 body=body, reply=reply, kind=str(found.kind), reason=clip(found.reason, REASON_MAX),
                 provider_id=email.message_id, attachments=list(email.attachments), received_at=now)
    if lead_id is None:
        return _unknown_sender(session, row, found, now)
    lead = _locked_lead(session, lead_id)
    log_event(session, at=now, kind="inbound", lead_id=lead.id,
              cause=clip(f"email from lead ({matched}): {email.subject} | {reply}", 500),
              data={"inbound_id": row.id, "message_id": email.message_id, "kind": str(found.kind)})
    # The reply's own words only: the subject is usually ours, in the language the lead has now.
    switched = _switch_language(session, lead, language_signal(reply), said=reply, how="email reply", now=now)
    if found.kind is ReplyKind.opt_out:
        opt_out(session, lead, channel="email", reason="unsubscribe", method="email_reply", now=now,
                detail=f"replied by email: {found.reason}", words=clip(reply or email.subject, 1000),
                recorded_by="lead (email)")
        _finish(row, kind=str(found.kind), reason=f"{found.reason}; matched {matched}",
                outcome="email consent revoked: no more emails", handled=True, now=now, session=session)
    elif found.kind is ReplyKind.language:
        _language_reply(session, row, found, switched, now, reason=f"{found.reason}; matched {matched}")
        switched = None
    else:
        outcome = _needs_person(session, lead, f"replied by email: {clip(reply or email.subject, 200)}", now)
        _finish(row, kind=str(found.kind), reason=f"{found.reason}; matched {matched}", outcome=outcome,
                handled=False, now=now, session=session)
    if switched:
        row.outcome = clip(f"{row.outcome}; {switched}", REASON_MAX)
        session.add(row)
        session.flush()
    return InboundResult(row.kind, lead.id, row.id, row.outcome)
