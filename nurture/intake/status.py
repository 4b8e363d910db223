"""A lead's status changed by a person (the console's action bar, `leads update --status`, the
API's events): one function, so every change leaves the same log row the console counts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from nurture.intake.leads import STATUS_REASON_MAX, update_lead
from nurture.delivery.lifecycle import log_event
from nurture.models import Lead
from nurture.text_rules import clip


def set_status(session: Session, lead: Lead, status: str, *, reason: str, method: str, now: datetime) -> bool:
    """Give `lead` the status `status` (its plan follows: paused, converted, ... stop it, active
    restarts it) and log `from -> to` with the reason. False when the lead already had it.
    IntakeError for a status that does not exist."""
    before = lead.status
    update_lead(session, lead, {"status": status, "status_reason": clip(reason, STATUS_REASON_MAX)},
                method=method, now=now)
    return log_change(session, lead, before, method=method, now=now)


def log_change(session: Session, lead: Lead, before: str, *, method: str, now: datetime) -> bool:
    """Log `before -> lead.status` if the status changed (after any update that may set it)."""
    if lead.status == before:
        return False
    log_event(session, at=now, kind="lead", lead_id=lead.id, from_state=before, to_state=lead.status,
              cause=f"status {before} -> {lead.status} via {method}: {lead.status_reason or ''}")
    return True
