"""The audit trail: who changed what, and when (AuditEntry). Every change a person or an
integration makes through the console, the API or the CLI is recorded here by the code that makes
it, in the same transaction, so a change and its record land or fail together."""

from __future__ import annotations

from sqlmodel import Session, col, select

from nurture.clock import now
from nurture.models import AuditEntry
from nurture.text_rules import clip


def record(session: Session, actor: str, action: str, *, target_kind: str, target: str | int,
           detail: str = "") -> AuditEntry:
    """Add one entry ("user:maria", "publish", target_kind="template", target="sms/welcome.txt")."""
    entry = AuditEntry(at=now(), actor=clip(actor, 200), action=clip(action, 60), target_kind=target_kind,
                       target=clip(str(target), 200), detail=detail)
    session.add(entry)
    return entry


def entries(session: Session, *, target_kind: str | None = None, target: str | int | None = None,
            limit: int = 200) -> list[AuditEntry]:
    """The newest entries first, of one target when given."""
    query = select(AuditEntry)
    if target_kind is not None:
        query = query.where(AuditEntry.target_kind == target_kind)
    if target is not None:
        query = query.where(AuditEntry.target == str(target))
    return list(session.exec(query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)))
