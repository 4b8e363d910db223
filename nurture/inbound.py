"""What leads say back: SMS keywords (STOP, START, HELP), replies that need a human, unsubscribes.

Shared by the Twilio inbound webhook, the unsubscribe page, SendGrid events and the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from nurture import planning
from nurture.compliance import keyword_kind
from nurture.dispatch import suppress
from nurture.lifecycle import log_event
from nurture.locking import lock_leads
from nurture.models import Consent, ConsentAction, Lead, LeadStatus, Suppression


@dataclass(frozen=True)
class InboundResult:
    kind: str  # opt_out, opt_in, help, reply, unknown_sender
    lead_id: int | None


def opt_out(session: Session, lead: Lead, *, channel: str, reason: str, detail: str, method: str,
            now: datetime) -> None:
    """The lead wants no more messages on `channel`: suppress the address, revoke consent, re-plan.

    Under the lead's lock, like the send gate: a worker deciding about this lead either sees the
    revocation or finished deciding before it."""
    lock_leads(session, [lead.id])  # type: ignore[list-item]
    address = lead.phone if channel == "sms" else lead.email
    if address:
        suppress(session, channel=channel, address=address, reason=reason, detail=detail, lead_id=lead.id, at=now)
    session.execute(insert(Consent).values(
        lead_id=lead.id, channel=channel, action=ConsentAction.revoke, text=detail[:1000], method=method,
        recorded_at=now,
    ))
    log_event(session, at=now, kind="consent", lead_id=lead.id, cause=f"opted out of {channel} ({method}): {detail}")
    planning.replan(session, lead, now=now, cause=f"opted out of {channel}")


def handle_inbound_sms(session: Session, *, from_: str, body: str, now: datetime,
                       provider_id: str | None = None) -> InboundResult:
    """Act on one inbound SMS: STOP suppresses, START re-subscribes, anything else needs a human."""
    lead = session.exec(select(Lead).where(Lead.phone == from_)).first()
    kind = keyword_kind(body)
    text = (body or "").strip()
    if lead is None:
        log_event(session, at=now, kind="inbound", cause=f"SMS from unknown number {from_}: {text[:200]}",
                  data={"from": from_, "sid": provider_id})
        if kind == "opt_out":  # honour STOP even from a number we do not know
            suppress(session, channel="sms", address=from_, reason="stop", detail=f"replied {text[:50]}",
                     lead_id=None, at=now)
        return InboundResult("unknown_sender", None)
    log_event(session, at=now, kind="inbound", lead_id=lead.id, cause=f"SMS from lead: {text[:300]}",
              data={"from": from_, "sid": provider_id, "keyword": kind})
    if kind == "opt_out":
        opt_out(session, lead, channel="sms", reason="stop", detail=f"replied {text[:50]}", method="sms_keyword",
                now=now)
    elif kind == "opt_in":
        session.execute(delete(Suppression).where(Suppression.channel == "sms", Suppression.address == from_,
                                                  Suppression.reason == "stop"))
        session.execute(insert(Consent).values(
            lead_id=lead.id, channel="sms", action=ConsentAction.grant, text=f"replied {text[:50]}",
            method="sms_keyword", recorded_at=now,
        ))
        planning.replan(session, lead, now=now, cause="opted back in by SMS")
    elif kind == "help":
        pass  # the carrier / Twilio answers HELP with the program's help text; nothing changes here
    else:
        if lead.status == LeadStatus.active:
            lead.status = LeadStatus.needs_human
            lead.status_reason = f"replied by SMS: {text[:200]}"
            lead.updated_at = now
            session.add(lead)
            session.flush()
            planning.replan(session, lead, now=now, cause="the lead replied: a person takes over")
        kind = "reply"
    return InboundResult(kind, lead.id)
