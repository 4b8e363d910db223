"""The inbox: the leads who wrote back, their conversation, and what a person does about it.

One service for the dashboard (/ops/inbox) and the CLI (`nurture inbox`). The actions: reply (a
one-off text or email that still passes consent, suppression and the legal hours: the send gate
checks it as an `ops` message), resume the sequence, mark handled, legal hold, converted. Each
takes the lead's lock and writes the delivery log with who did it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture.law import consent

from nurture.plans import replan as planning
from nurture.config import Settings, get_settings
from nurture.content.store import TYPED_MAX_CHARS
from nurture.delivery.dispatch import past_sends
from nurture.errors import InputError
from nurture.intake.leads import IntakeError, proposed_changes, update_lead
from nurture.delivery.lifecycle import log_event
from nurture.locking import lock_leads
from nurture.models import (WENT_OUT_STATES, ConsentAction, DeliveryEvent, InboundMessage, Lead, LeadStatus, Message,
                            ProposedChange, Suppression)
from nurture.localtime import fmt_local
from nurture.law import OPS_SEQUENCE, Outgoing, Verdict, check_message, message_kind
from nurture.text_rules import clip, text_problem

#: Leads listed at most on one page of the inbox.
LIST_LIMIT = 200
#: Characters of the newest message shown in the list.
SNIPPET_MAX = 160
SUBJECT_MAX = 300
REASON_MAX = 300
#: Statuses a lead can be resumed from (a hold or a conversion is lifted with `leads update`).
RESUMABLE = frozenset({LeadStatus.needs_human, LeadStatus.paused})


class InboxError(InputError):
    """An inbox action that cannot be done, in words for the person who tried it."""


@dataclass(frozen=True)
class Conversation:
    """One lead in the inbox list."""

    lead_id: int
    name: str
    phone: str | None
    email: str | None
    status: str
    status_reason: str | None
    last_at: datetime
    last_local: str
    last_channel: str
    last_text: str
    last_kind: str
    open: int
    maybe_revocation: bool

    def as_dict(self) -> dict[str, Any]:
        return {"lead_id": self.lead_id, "name": self.name, "phone": self.phone, "email": self.email,
                "status": self.status, "status_reason": self.status_reason, "last_at": self.last_at.isoformat(),
                "last_local": self.last_local, "last_channel": self.last_channel, "last_text": self.last_text,
                "last_kind": self.last_kind, "open": self.open, "maybe_revocation": self.maybe_revocation}


def conversations(session: Session, *, everything: bool = False, limit: int = LIST_LIMIT) -> list[Conversation]:
    """Leads who wrote back, newest message first: those waiting for a person, or (`everything`) all."""
    inbound = InboundMessage.__table__
    open_count = sa.func.sum(sa.case((inbound.c.handled_at.is_(None), 1), else_=0))
    query = (sa.select(inbound.c.lead_id, sa.func.max(inbound.c.id).label("last_id"), open_count.label("open"))
             .where(inbound.c.lead_id.is_not(None)).group_by(inbound.c.lead_id))
    if not everything:
        query = query.having(open_count > 0)
    groups = session.execute(query.order_by(sa.func.max(inbound.c.id).desc()).limit(limit)).all()
    if not groups:
        return []
    last = {m.id: m for m in session.exec(select(InboundMessage).where(
        col(InboundMessage.id).in_([g.last_id for g in groups])))}
    leads = {lead.id: lead for lead in session.exec(select(Lead).where(col(Lead.id).in_([g.lead_id for g in groups])))}
    maybe = set(session.scalars(sa.select(inbound.c.lead_id).where(
        inbound.c.lead_id.in_([g.lead_id for g in groups]), inbound.c.handled_at.is_(None),
        sa.or_(inbound.c.kind == "maybe_opt_out", inbound.c.reason.like("%could be a revocation%")))))
    found = []
    for g in groups:
        lead, message = leads[g.lead_id], last[g.last_id]
        found.append(Conversation(
            lead_id=g.lead_id, name=lead.full_name, phone=lead.phone, email=lead.email,
            status=lead.status, status_reason=lead.status_reason, last_at=message.received_at,
            last_local=fmt_local(message.received_at, lead.timezone), last_channel=message.channel,
            last_text=clip(" ".join((message.reply or message.subject or "").split()), SNIPPET_MAX),
            last_kind=message.kind, open=int(g.open or 0), maybe_revocation=lead.id in maybe))
    return found


@dataclass(frozen=True)
class ThreadItem:
    """One message of a conversation, either way, with its time where the lead lives."""

    at: datetime
    local: str
    direction: str  # in (the lead wrote) or out (we did)
    channel: str
    who: str  # the lead; nurture (a sequence or a system answer); ops (who typed it)
    text: str
    subject: str | None
    state: str  # out: the message state; in: open or handled
    note: str  # in: what nurture made of it; out: the template, or why it did not go
    id: int

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "local": self.local, "direction": self.direction, "channel": self.channel,
                "who": self.who, "text": self.text, "subject": self.subject, "state": self.state, "note": self.note,
                "id": self.id}


def thread(session: Session, lead: Lead) -> list[ThreadItem]:
    """The conversation with `lead`: what the lead wrote and what went (or is about to go) to the lead."""
    items: list[ThreadItem] = []
    assert lead.id is not None  # a stored lead
    for m in session.exec(select(InboundMessage).where(InboundMessage.lead_id == lead.id)):
        assert m.id is not None  # a stored row
        note = m.outcome + (f" ({m.reason})" if m.reason else "")
        if m.attachments:
            note += "; attachments: " + ", ".join(str(a.get("filename") or a.get("type") or "?") for a in m.attachments)
        items.append(ThreadItem(m.received_at, fmt_local(m.received_at, lead.timezone), "in", m.channel, "lead",
                                m.reply or m.body, m.subject, "handled" if m.handled_at else "open", note, m.id))
    outgoing = session.exec(select(Message).where(Message.lead_id == lead.id, sa.or_(
        col(Message.state).in_(WENT_OUT_STATES),
        col(Message.sequence).in_((OPS_SEQUENCE, "system")))))
    typed_by = _typed_by(session, lead.id)
    for sent in outgoing:
        assert sent.id is not None  # a stored row
        kind = message_kind(sent.sequence)
        who = f"ops ({typed_by.get(sent.id, 'unknown')})" if kind == "ops" else (
            "nurture (system answer)" if kind == "system" else f"nurture ({sent.sequence})")
        at = sent.sent_at or sent.due_at
        note = sent.template if kind != "ops" else "typed in the inbox"
        if sent.state not in WENT_OUT_STATES and sent.reason:
            note += f": {sent.reason}"
        items.append(ThreadItem(at, fmt_local(at, lead.timezone), "out", sent.channel, who, sent.body or "",
                                sent.subject, sent.state, note, sent.id))
    return sorted(items, key=lambda i: (i.at, i.direction == "out", i.id))


def _typed_by(session: Session, lead_id: int) -> dict[int, str]:
    """Who typed each ops reply of the lead (kept in the delivery log when it was created)."""
    found: dict[int, str] = {}
    for message_id, data in session.execute(sa.select(DeliveryEvent.message_id, DeliveryEvent.data).where(
            DeliveryEvent.lead_id == lead_id, DeliveryEvent.kind == "inbox", col(DeliveryEvent.message_id).is_not(None))):
        if isinstance(data, dict) and data.get("by"):
            found[message_id] = str(data["by"])
    return found


# -- actions ---------------------------------------------------------------------------------------


@dataclass
class ReplyResult:
    """A reply ops typed: the planned message, when it goes, and the gate's word on it now."""

    message_id: int
    due_at: datetime
    verdict: Verdict
    local: str
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "due_at": self.due_at.isoformat(), "local": self.local,
                "rule": self.verdict.reason, "action": self.verdict.action}


def _locked(session: Session, lead: Lead) -> Lead:
    assert lead.id is not None  # a stored lead
    lock_leads(session, [lead.id])
    return session.exec(select(Lead).where(Lead.id == lead.id).execution_options(populate_existing=True)).one()


def _handle_open(session: Session, lead_id: int, *, actor: str, now: datetime) -> int:
    table = InboundMessage.__table__
    return session.execute(sa.update(table).where(table.c.lead_id == lead_id, table.c.handled_at.is_(None))
                           .values(handled_at=now, handled_by=clip(actor, 200))).rowcount or 0


def _gate_now(session: Session, lead: Lead, channel: str, now: datetime, settings: Settings) -> Verdict:
    """What the send gate would say of an ops message on `channel` to `lead` at `now`."""
    assert lead.id is not None  # a stored lead
    current = consent.current(session, lead.id, "sms")
    granted = current is not None and current.action == ConsentAction.grant
    address = lead.phone if channel == "sms" else lead.email
    suppressed = session.scalar(sa.select(Suppression.reason).where(
        Suppression.channel == channel, Suppression.address == address)) if address else None
    rules = planning.rulebook(session, now, settings).for_lead(lead, consented=granted)
    outgoing = Outgoing(channel=channel, sequence=OPS_SEQUENCE, step="preview", deadline=False, due_at=now,
                        expires_at=None, sale_date=None, phase=None)
    return check_message(outgoing, lead=lead, rules=rules, consent_granted=granted, suppressed=suppressed,
                         history=past_sends(session, lead.id, 0), now=now)


def reply(session: Session, lead: Lead, *, channel: str, text: str, actor: str, now: datetime,
          subject: str | None = None, when_allowed: bool = False, settings: Settings | None = None) -> ReplyResult:
    """Plan a reply typed by a person. The send gate checks it now (and again when it leaves): if the
    law's hours do not allow it now, it is refused with the rule's reason, or with `when_allowed`
    planned for the first moment they do; no consent or a suppressed address refuses it."""
    settings = settings or get_settings()
    if channel not in TYPED_MAX_CHARS:
        raise InboxError(f"channel must be sms or email, not {channel!r}")
    text = (text or "").strip()
    if not text:
        raise InboxError("the reply is empty")
    problem = text_problem(text, max_len=TYPED_MAX_CHARS[channel], multiline=True)
    if problem:
        raise InboxError(f"the reply {problem}")
    if subject is not None:
        subject = " ".join(subject.split())
        problem = text_problem(subject, max_len=SUBJECT_MAX)
        if problem:
            raise InboxError(f"the subject {problem}")
    lead = _locked(session, lead)
    assert lead.id is not None  # a stored lead
    verdict = _gate_now(session, lead, channel, now, settings)
    if verdict.action == "skip" or verdict.action == "replan":
        raise InboxError(f"not sent: {verdict.reason}")
    if verdict.action == "move" and not when_allowed:
        assert verdict.move_to is not None
        raise InboxError(f"not now: {verdict.reason}. The first moment allowed is "
                         f"{fmt_local(verdict.move_to, lead.timezone)}: reply again then, or ask for it to go "
                         "then (--when-allowed)")
    due = verdict.move_to if verdict.action == "move" and verdict.move_to else now
    if channel == "email" and not subject:
        subject = _reply_subject(session, lead, settings)
    table = Message.__table__
    message_id = session.execute(sa.insert(table).values(
        lead_id=lead.id, sequence=OPS_SEQUENCE, step=f"reply-{uuid.uuid4().hex[:16]}", channel=channel,
        template=f"{OPS_SEQUENCE}/reply", deadline=False, due_at=due, state="planned", body=text, subject=subject,
        reason=clip(f"typed by {actor}", 500), attempts=0, created_at=now, updated_at=now,
    ).returning(table.c.id)).scalar_one()
    local = fmt_local(due, lead.timezone)
    log_event(session, at=now, kind="inbox", lead_id=lead.id, message_id=message_id, to_state="planned",
              cause=clip(f"reply by {actor} ({channel}), due {local}: {text}", 500), data={"by": actor})
    _handle_open(session, lead.id, actor=actor, now=now)
    return ReplyResult(message_id, due, verdict, local)


def _reply_subject(session: Session, lead: Lead, settings: Settings) -> str:
    last = session.scalar(sa.select(InboundMessage.subject).where(
        InboundMessage.lead_id == lead.id, InboundMessage.channel == "email", col(InboundMessage.subject).is_not(None))
        .order_by(col(InboundMessage.id).desc()).limit(1))
    if last:
        return last if last.lower().startswith("re:") else clip(f"Re: {last}", SUBJECT_MAX)
    return settings.company_name


def _set_status(session: Session, lead: Lead, status: str, reason: str, *, actor: str, now: datetime) -> Lead:
    lead = _locked(session, lead)
    assert lead.id is not None  # a stored lead
    update_lead(session, lead, {"status": status, "status_reason": clip(reason, REASON_MAX)}, method="inbox", now=now)
    handled = _handle_open(session, lead.id, actor=actor, now=now)
    log_event(session, at=now, kind="inbox", lead_id=lead.id, cause=clip(
        f"{actor}: {status} ({reason}); {handled} open message(s) marked handled", 500), data={"by": actor})
    return lead


def resume(session: Session, lead: Lead, *, actor: str, now: datetime, note: str | None = None) -> Lead:
    """The sequence goes on (the lead is active again and planned anew); open messages are handled."""
    if lead.status not in RESUMABLE:
        raise InboxError(f"lead #{lead.id} is {lead.status}: only a lead that needs a person or is paused is resumed "
                         "here (lift a hold or a conversion with `nurture leads update --status active`)")
    return _set_status(session, lead, LeadStatus.active, note or f"resumed by {actor}", actor=actor, now=now)


def mark_handled(session: Session, lead: Lead, *, actor: str, now: datetime, note: str | None = None) -> int:
    """A person dealt with what the lead wrote; the lead's status (and so its sequence) stays as it is."""
    lead = _locked(session, lead)
    assert lead.id is not None  # a stored lead
    handled = _handle_open(session, lead.id, actor=actor, now=now)
    if not handled:
        raise InboxError(f"lead #{lead.id} has nothing open in the inbox")
    log_event(session, at=now, kind="inbox", lead_id=lead.id, data={"by": actor},
              cause=clip(f"{actor}: {handled} message(s) marked handled" + (f": {note}" if note else ""), 500))
    return handled


def hold(session: Session, lead: Lead, *, actor: str, now: datetime, reason: str) -> Lead:
    """Legal hold: nothing more goes to the lead until someone lifts it."""
    if not (reason or "").strip():
        raise InboxError("a legal hold needs its reason")
    return _set_status(session, lead, LeadStatus.legal_hold, f"legal hold by {actor}: {reason.strip()}",
                       actor=actor, now=now)


def converted(session: Session, lead: Lead, *, actor: str, now: datetime, note: str | None = None) -> Lead:
    """The lead became a client: the sequence ends."""
    return _set_status(session, lead, LeadStatus.converted, f"converted ({actor})" + (f": {note}" if note else ""),
                       actor=actor, now=now)


# -- proposed changes ------------------------------------------------------------------------------
# What an intake brought for a lead it matched but may not change on its own word (issue 22): ops
# accept one (it is applied as `leads update` would, and logged) or reject it (dropped, and logged).


def pending_proposals(session: Session, lead: Lead) -> list[ProposedChange]:
    """The lead's proposed changes that nobody has accepted or rejected yet, oldest first."""
    assert lead.id is not None  # a stored lead
    return proposed_changes(session, lead.id)


def leads_with_proposals(session: Session, *, limit: int = LIST_LIMIT) -> list[tuple[int, str, int]]:
    """(lead id, name, how many proposed changes) for the leads with some, newest proposal first."""
    table = ProposedChange.__table__
    query = (sa.select(table.c.lead_id, sa.func.count().label("n"), sa.func.max(table.c.id).label("last"))
             .group_by(table.c.lead_id).order_by(sa.desc("last")).limit(limit))
    rows = session.execute(query).all()
    names = {lead.id: lead.full_name for lead in
             session.exec(select(Lead).where(col(Lead.id).in_([r.lead_id for r in rows])))} if rows else {}
    return [(r.lead_id, names.get(r.lead_id, ""), r.n) for r in rows]


def _intake_body(name: str, value: str | None) -> dict[str, Any]:
    """A proposed change as the intake body that applies it (`property.city` -> {"property": {"city": ...}})."""
    if name == "sms_consent":
        if value == "revoke":
            return {"sms_consent": {"granted": False}}
        raise InboxError("a consent grant needs its evidence (wording, page, IP): record it with "
                         "`nurture leads update` or PATCH, then reject this proposal")
    head, _, tail = name.partition(".")
    given: Any = value.split(";") if name == "hardships" and value else value
    return {head: {tail: given}} if tail else {head: given}


def decide_proposal(session: Session, lead: Lead, proposal_id: int, *, accept: bool, actor: str,
                    now: datetime) -> ProposedChange:
    """Accept (apply) or reject one proposed change of the lead; either way it leaves the list, logged."""
    lead = _locked(session, lead)
    proposal = session.get(ProposedChange, proposal_id)
    if proposal is None or proposal.lead_id != lead.id:
        raise InboxError(f"lead #{lead.id} has no proposed change #{proposal_id} (accepted or rejected already?)")
    what = f"{proposal.field}: {proposal.current_value or '-'} -> {proposal.proposed_value or '-'}"
    if accept:
        try:
            update_lead(session, lead, _intake_body(proposal.field, proposal.proposed_value), method="ops",
                        now=now, recorded_by=actor)
        except IntakeError as exc:
            raise InboxError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
    session.delete(proposal)
    log_event(session, at=now, kind="lead", lead_id=lead.id, data={"by": actor},
              cause=clip(f"{actor}: proposed change {'accepted' if accept else 'rejected'} ({what})", 500))
    session.flush()
    return proposal
