"""Re-plan a lead in the database: cancel its stale planned messages, insert the new plan, log why.

Only `planned` rows are ever changed here, each with a conditional UPDATE; messages that are
queued, sending or sent belong to the dispatcher and are never touched. The caller owns the
session (and so the commit), e.g. intake calls `replan(session, lead, now=..., cause=...)`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture.models import Consent, DeliveryEvent, Lead, Message, Suppression
from nurture.planner import Plan, PastMessage, PlannedMessage, SkippedStep, fmt_local, plan
from nurture.sequences import Catalog, default_catalog
from nurture.urgency import Facts, zone

# A replan whose cancellations lose a race with the dispatcher (a row got claimed) starts over.
MAX_ATTEMPTS = 3
_KEEP_KEY = ("sequence", "step", "channel", "template", "due_at", "tier", "deadline")


@dataclass
class ReplanResult:
    """What one replan did: rows inserted, kept as they were and cancelled, and what it skipped."""

    lead_id: int
    tier: str
    planned: list[Message] = field(default_factory=list)
    kept: list[Message] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    skipped: list[SkippedStep] = field(default_factory=list)
    lead_action: tuple[str, str] | None = None

    @property
    def changed(self) -> bool:
        return bool(self.planned or self.cancelled or self.lead_action)


def allowed_channels(session: Session, lead: Lead) -> tuple[set[str], dict[str, str]]:
    """The channels `lead` may be contacted on now, and why each other one is not allowed."""
    allowed: set[str] = set()
    notes: dict[str, str] = {}
    for channel, address in (("sms", lead.phone), ("email", lead.email)):
        if not address:
            notes[channel] = "no phone number" if channel == "sms" else "no email address"
            continue
        newest = session.exec(
            select(Consent)
            .where(Consent.lead_id == lead.id, Consent.channel == channel)
            .order_by(col(Consent.recorded_at).desc(), col(Consent.id).desc())
            .limit(1)
        ).first()
        if channel == "sms" and (newest is None or newest.action != "grant"):
            notes[channel] = "no SMS consent" if newest is None else "SMS consent revoked"
            continue
        if channel == "email" and newest is not None and newest.action == "revoke":
            notes[channel] = "unsubscribed"
            continue
        blocked = session.exec(
            select(Suppression).where(Suppression.channel == channel, Suppression.address == address)
        ).first()
        if blocked is not None:
            notes[channel] = f"{address} is suppressed ({blocked.reason})"
            continue
        allowed.add(channel)
    return allowed, notes


def history_of(session: Session, lead_id: int) -> list[PastMessage]:
    """The lead's messages that are past planning (not planned, not cancelled), for the planner."""
    rows = session.exec(
        select(Message).where(Message.lead_id == lead_id, col(Message.state).not_in(("planned", "cancelled")))
    ).all()
    return [PastMessage(m.step, m.sequence, m.channel, m.sent_at or m.due_at, m.state) for m in rows]


def replan(
    session: Session,
    lead: Lead,
    *,
    now: datetime,
    cause: str,
    catalog: Catalog | None = None,
    settings: Any = None,
) -> ReplanResult:
    """Bring the lead's planned messages in line with its facts at `now`; `cause` goes in the log."""
    catalog = catalog or default_catalog()
    if lead.id is None:
        session.add(lead)
        session.flush()
    lead_id: int = lead.id  # type: ignore[assignment]
    channels, notes = allowed_channels(session, lead)
    for _ in range(MAX_ATTEMPTS):
        result = _replan_once(session, lead, lead_id, now, cause, catalog, settings, channels, notes)
        if result is not None:
            return result
    raise RuntimeError(f"lead {lead_id}: planned messages kept changing under the replan; try again")


def _replan_once(
    session: Session,
    lead: Lead,
    lead_id: int,
    now: datetime,
    cause: str,
    catalog: Catalog,
    settings: Any,
    channels: set[str],
    notes: dict[str, str],
) -> ReplanResult | None:
    current = session.exec(select(Message).where(Message.lead_id == lead_id, Message.state == "planned")).all()
    result_plan = plan(
        lead, catalog, now, channels=channels, history=history_of(session, lead_id), settings=settings, channel_notes=notes
    )
    result = ReplanResult(lead_id, result_plan.tier, skipped=result_plan.skipped, lead_action=result_plan.lead_action)
    wanted: dict[tuple[Any, ...], PlannedMessage] = {_key(m): m for m in result_plan.messages}
    stale: list[Message] = []
    for row in current:
        match = wanted.pop(_key(row), None)
        if match is None:
            stale.append(row)
        else:
            result.kept.append(row)
            if row.reason != match.reason:
                row.reason = _clip(match.reason)
    why_cancel = _cancel_reason(result_plan, cause)
    for row in stale:
        done = session.execute(
            sa.update(Message)
            .where(col(Message.id) == row.id, col(Message.state) == "planned")
            .values(state="cancelled", reason=_clip(why_cancel), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        session.expire(row)
        if done.rowcount != 1:
            # The dispatcher claimed it meanwhile: it is history now, so plan again around it.
            return None
        result.cancelled.append(row.id)  # type: ignore[arg-type]
        session.add(
            DeliveryEvent(
                at=now, lead_id=lead_id, message_id=row.id, kind="state", from_state="planned",
                to_state="cancelled", cause=_clip(f"{cause}: {why_cancel}"),
            )
        )
    for m in wanted.values():
        row = Message(
            lead_id=lead_id, sequence=m.sequence, step=m.step, channel=m.channel, template=m.template,
            deadline=m.deadline, tier=m.tier, due_at=m.due_at, state="planned", reason=_clip(m.reason),
            created_at=now, updated_at=now,
        )
        session.add(row)
        result.planned.append(row)
    session.flush()
    for row in result.planned:
        session.add(
            DeliveryEvent(
                at=now, lead_id=lead_id, message_id=row.id, kind="plan", to_state="planned",
                cause=_clip(f"{cause}: {row.reason}"),
            )
        )
    if result_plan.lead_action is not None and lead.status == "active":
        action, why = result_plan.lead_action
        if action == "pause":
            lead.status, lead.status_reason, lead.updated_at = "paused", why[:300], now
            session.add(lead)
            session.add(
                DeliveryEvent(
                    at=now, lead_id=lead_id, kind="lead", from_state="active", to_state="paused",
                    cause=_clip(f"{cause}: {why}"),
                )
            )
    session.add(
        DeliveryEvent(
            at=now, lead_id=lead_id, kind="plan", cause=_clip(cause),
            data={
                "tier": result.tier,
                "planned": len(result.planned),
                "kept": len(result.kept),
                "cancelled": len(result.cancelled),
                "channels": sorted(channels),
                "skipped": [f"{s.sequence}/{s.step}: {s.reason}" for s in result.skipped][:50],
                "lead_action": list(result.lead_action) if result.lead_action else None,
            },
        )
    )
    session.flush()
    return result


def _key(m: Message | PlannedMessage) -> tuple[Any, ...]:
    return tuple(getattr(m, k) for k in _KEEP_KEY)


def _cancel_reason(result: Plan, cause: str) -> str:
    if not result.messages and result.skipped:
        reasons = {s.reason for s in result.skipped}
        if len(reasons) == 1:
            return f"re-planned ({cause}): {reasons.pop()}"
    return f"re-planned ({cause})"


def _clip(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retier_all(session: Session, *, now: datetime, catalog: Catalog | None = None) -> int:
    """Daily job: re-plan each active lead whose tier moved away from what its messages were planned for.

    A lead is re-planned when its sale date has passed, when one of its planned messages was made
    for a tier the rules now give another answer for (the rules or the lead changed), or when it
    has nothing planned and its tier today differs from the tier of its newest message.
    Returns how many leads were re-planned.
    """
    catalog = catalog or default_catalog()
    rules = catalog.urgency
    leads = session.exec(select(Lead).where(Lead.status == "active")).all()
    if not leads:
        return 0
    ids = [lead.id for lead in leads]
    planned: dict[int, list[Message]] = defaultdict(list)
    newest: dict[int, Message] = {}
    for chunk in _chunks(ids, 500):
        for m in session.exec(select(Message).where(col(Message.lead_id).in_(chunk), Message.state != "cancelled")).all():
            if m.state == "planned":
                planned[m.lead_id].append(m)
            best = newest.get(m.lead_id)
            if best is None or m.due_at > best.due_at:
                newest[m.lead_id] = m
    count = 0
    for lead in leads:
        facts = Facts.from_lead(lead)
        days = facts.days_to_sale(now)
        if days is not None and days < 0:
            why = "sale date passed"
        elif planned.get(lead.id):  # type: ignore[arg-type]
            moved = [m for m in planned[lead.id] if m.tier != rules.tier_at(facts, m.due_at)]  # type: ignore[index]
            why = f"tier changed for {len(moved)} planned messages" if moved else None
        else:
            last = newest.get(lead.id)  # type: ignore[arg-type]
            tier = rules.tier_at(facts, now)
            why = f"tier is now {tier} (was {last.tier})" if last is not None and last.tier != tier else None
        if why:
            replan(session, lead, now=now, cause=f"daily re-tier: {why}", catalog=catalog)
            count += 1
    return count


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def timeline(session: Session, lead: Lead, now: datetime) -> list[dict[str, Any]]:
    """Every message of the lead (sent, planned, cancelled ...) in time order, for people to read."""
    tz = zone(lead.timezone)
    rows = session.exec(
        select(Message).where(Message.lead_id == lead.id).order_by(col(Message.due_at), col(Message.id))
    ).all()
    return [
        {
            "id": m.id,
            "due_at": m.due_at,
            "local": fmt_local(m.due_at, tz),
            "sent_at": m.sent_at,
            "past": (m.sent_at or m.due_at) <= now,
            "state": m.state,
            "channel": m.channel,
            "template": m.template,
            "sequence": m.sequence,
            "step": m.step,
            "tier": m.tier,
            "deadline": m.deadline,
            "reason": m.reason,
        }
        for m in rows
    ]
