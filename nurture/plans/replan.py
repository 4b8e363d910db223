"""Re-plan a lead in the database: cancel its stale planned messages, insert the new plan, log why.

Only `planned` rows are ever changed here, each with a conditional UPDATE; messages that are
queued, sending or sent belong to the dispatcher and are never touched. The caller owns the
session (and so the commit), e.g. intake calls `replan(session, lead, now=..., cause=...)`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture import bulk
from nurture.db import one_of
from nurture.lateness import is_late
from nurture.law import (
    RESERVED_SEQUENCES,
    STOP_CONFIRMATION_STEP,
    LeadRules,
    Rulebook,
    blackouts,
    consent,
    locate_lead,
    message_kind,
)
from nurture.localtime import fmt_local, zone
from nurture.models import (
    PAST_PLANNING_STATES,
    WAITING_STATES,
    DeliveryEvent,
    Lead,
    Message,
    Suppression,
    stored_id,
)
from nurture.plans.planner import PastMessage, Plan, PlannedMessage, SkippedStep, plan
from nurture.plans.sequences import Catalog, default_catalog
from nurture.plans.urgency import Facts

# A replan whose cancellations lose a race with the dispatcher (a row got claimed) starts over.
MAX_ATTEMPTS = 3
_KEEP_KEY = ("sequence", "step", "channel", "template", "due_at", "tier", "deadline", "sale_date")


@dataclass
class ReplanResult:
    """What one replan did: rows inserted, kept as they were and cancelled, and what it skipped."""

    lead_id: int
    tier: str
    planned: list[int] = field(default_factory=list)  # ids of the new planned messages
    kept: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    skipped: list[SkippedStep] = field(default_factory=list)
    lead_action: tuple[str, str] | None = None

    @property
    def changed(self) -> bool:
        return bool(self.planned or self.cancelled or self.lead_action)


@dataclass
class _Row:
    """A message of the lead as the planner compares it (Core rows, not ORM objects: replans run in bulk)."""

    id: int
    sequence: str
    step: str
    channel: str
    template: str
    due_at: datetime
    tier: str | None
    deadline: bool
    state: str
    sent_at: datetime | None
    reason: str | None
    sale_date: date | None
    expires_at: datetime | None

    @property
    def one_off(self) -> bool:
        """A system answer or an ops reply: no plan made it, so no plan takes it back."""
        return message_kind(self.sequence) != "sequence"


_ROW_COLUMNS = [Message.id, Message.lead_id, Message.sequence, Message.step, Message.channel, Message.template,
                Message.due_at, Message.tier, Message.deadline, Message.state, Message.sent_at, Message.reason,
                Message.sale_date, Message.expires_at]


def _channel_facts(session: Session, leads: Sequence[Lead]) -> dict[int, tuple[set[str], dict[str, str], bool]]:
    """For each lead, the channels it may be contacted on now, why each other one is not allowed,
    and whether its SMS consent stands (a state rule may exempt consented leads)."""
    ids = [stored_id(lead) for lead in leads]
    newest = {key: c.action for key, c in consent.current_many(session, ids).items()}
    phones = [lead.phone for lead in leads if lead.phone]
    emails = [lead.email for lead in leads if lead.email]
    suppressed: dict[tuple[str, str], str] = {}
    if phones or emails:
        for channel, address, reason in session.execute(
            sa.select(Suppression.channel, Suppression.address, Suppression.reason).where(sa.or_(
                sa.and_(Suppression.channel == "sms", one_of(session, col(Suppression.address), phones)),
                sa.and_(Suppression.channel == "email", one_of(session, col(Suppression.address), emails)),
            ))
        ):
            suppressed[(channel, address)] = reason
    out: dict[int, tuple[set[str], dict[str, str], bool]] = {}
    for lead in leads:
        lead_id = stored_id(lead)
        allowed: set[str] = set()
        notes: dict[str, str] = {}
        for channel, address in (("sms", lead.phone), ("email", lead.email)):
            action = newest.get((lead_id, channel))
            if not address:
                notes[channel] = "no phone number" if channel == "sms" else "no email address"
            elif channel == "sms" and action != "grant":
                notes[channel] = "no SMS consent" if action is None else "SMS consent revoked"
            elif channel == "email" and action == "revoke":
                notes[channel] = "unsubscribed"
            elif (channel, address) in suppressed:
                notes[channel] = f"{address} is suppressed ({suppressed[(channel, address)]})"
            else:
                allowed.add(channel)
        out[lead_id] = (allowed, notes, newest.get((lead_id, "sms")) == "grant")
    return out


def allowed_channels(session: Session, lead: Lead) -> tuple[set[str], dict[str, str]]:
    """The channels `lead` may be contacted on now, and why each other one is not allowed."""
    allowed, notes, _ = _channel_facts(session, [lead])[stored_id(lead)]
    return allowed, notes


def rulebook(session: Session, now: datetime, settings: Any = None) -> Rulebook:
    """The rulebook with the blackouts in force from `now` on."""
    return Rulebook.from_settings(settings, blackouts.active(session, now.date()))


def lead_rules(session: Session, lead: Lead, now: datetime, settings: Any = None) -> LeadRules:
    """The rules that hold for `lead` now (for previews and `leads show`)."""
    _, _, consented = _channel_facts(session, [lead])[stored_id(lead)]
    return rulebook(session, now, settings).for_lead(lead, consented=consented)


def _past(rows: Sequence[_Row]) -> list[PastMessage]:
    return [PastMessage(r.step, r.sequence, r.channel, r.sent_at or r.due_at, r.state)
            for r in rows if r.state in PAST_PLANNING_STATES]


def history_of(session: Session, lead_id: int) -> list[PastMessage]:
    """The lead's messages that are past planning (not planned, not cancelled), for the planner."""
    return _past(_messages_of(session, [lead_id]).get(lead_id, []))


def _messages_of(session: Session, ids: Sequence[int]) -> dict[int, list[_Row]]:
    found: dict[int, list[_Row]] = defaultdict(list)
    for row in session.execute(
        sa.select(*_ROW_COLUMNS).where(one_of(session, col(Message.lead_id), ids), Message.state != "cancelled")
    ):
        lead_id = row[1]
        found[lead_id].append(_Row(row[0], *row[2:]))
    return found


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
    if lead.id is None:
        session.add(lead)
        session.flush()
    return replan_many(session, [(lead, cause)], now=now, catalog=catalog, settings=settings)[0]


def replan_lead(session: Session, lead_id: int | None, *, now: datetime, cause: str) -> ReplanResult | None:
    """`replan` for a lead known by id (webhooks, the dispatcher); None when there is no such lead."""
    lead = session.get(Lead, lead_id) if lead_id else None
    return replan(session, lead, now=now, cause=cause) if lead is not None else None


def replan_many(
    session: Session,
    leads: Sequence[tuple[Lead, str]],
    *,
    now: datetime,
    catalog: Catalog | None = None,
    settings: Any = None,
    fresh: Collection[int] = (),
) -> list[ReplanResult]:
    """`replan` for many leads at once (a CSV batch): three queries to read, one INSERT for all new rows.
    `fresh`: ids of leads created in this transaction, which have no messages to read yet."""
    catalog = catalog or default_catalog()
    results: dict[int, ReplanResult] = {}
    pending = list(leads)
    for _ in range(MAX_ATTEMPTS):
        if not pending:
            break
        pending = _replan_batch(session, pending, now, catalog, settings, results, fresh)
    if pending:
        raise RuntimeError(f"leads {[lead.id for lead, _ in pending]}: planned messages kept changing "
                           "under the replan; try again")
    return [results[stored_id(lead)] for lead, _ in leads]


def _replan_batch(
    session: Session,
    leads: Sequence[tuple[Lead, str]],
    now: datetime,
    catalog: Catalog,
    settings: Any,
    results: dict[int, ReplanResult],
    fresh: Collection[int] = (),
) -> list[tuple[Lead, str]]:
    """One pass; returns the leads to do again because the dispatcher claimed a row they were cancelling."""
    only_leads = [lead for lead, _ in leads]
    channel_facts = _channel_facts(session, only_leads)
    rules_now = rulebook(session, now, settings)
    known = [stored_id(lead) for lead in only_leads if lead.id not in fresh]
    messages = _messages_of(session, known) if known else {}
    new_rows: list[dict[str, Any]] = []
    new_owner: list[tuple[ReplanResult, str]] = []
    events: list[dict[str, Any]] = []
    retry: list[tuple[Lead, str]] = []
    # A plan is a pure function of the lead's facts, channels, rules and history: leads with no
    # history and the same facts (a bought list is full of them) share one plan.
    shared: dict[tuple[Any, ...], Plan] = {}
    for lead, cause in leads:
        lead_id = stored_id(lead)
        channels, notes, consented = channel_facts[lead_id]
        rows = messages.get(lead_id, [])
        lead_rules = rules_now.for_lead(lead, consented=consented)
        if rows:
            result_plan = plan(lead, catalog, now, channels=channels, history=_past(rows), channel_notes=notes,
                               rules=lead_rules)
        else:
            facts = Facts.from_lead(lead)
            key = (facts, frozenset(channels), tuple(sorted(notes.items())), lead_rules)
            if key not in shared:
                shared[key] = plan(facts, catalog, now, channels=channels, channel_notes=notes, rules=lead_rules)
            result_plan = shared[key]
        result = ReplanResult(lead_id, result_plan.tier, skipped=list(result_plan.skipped),
                              lead_action=result_plan.lead_action)
        # With nothing planned before, every message is new: no matching needed.
        wanted: dict[Any, PlannedMessage] = (
            {_key(m): m for m in result_plan.messages} if rows else dict(enumerate(result_plan.messages)))
        stale: list[_Row] = []
        for row in (r for r in rows if r.state == "planned"):
            if row.one_off:
                # A one-off that missed its time limit would only be refused by the gate: cancel it
                # here, so the catch-up rule does not find the lead "late" on every tick.
                if is_late(row.expires_at, now):
                    stale.append(row)
                continue
            match = wanted.pop(_key(row), None)
            if match is None:
                stale.append(row)
                continue
            result.kept.append(row.id)
            if row.reason != _clip(match.reason):
                session.execute(sa.update(Message.__table__).where(Message.__table__.c.id == row.id)
                                .values(reason=_clip(match.reason)))
        why_cancel = _clip(_cancel_reason(result_plan, cause))
        lost_race = False
        for row in stale:
            done = session.execute(
                sa.update(Message.__table__)
                .where(Message.__table__.c.id == row.id, Message.__table__.c.state == "planned")
                .values(state="cancelled", reason=why_cancel, updated_at=now)
            )
            if done.rowcount != 1:  # the dispatcher claimed it meanwhile: plan again around it
                lost_race = True
                break
            result.cancelled.append(row.id)
            events.append({"at": now, "lead_id": lead_id, "message_id": row.id, "kind": "state",
                           "from_state": "planned", "to_state": "cancelled",
                           "cause": _clip(f"{cause}: {why_cancel}")})
        if lost_race:
            retry.append((lead, cause))
            continue
        for m in wanted.values():
            new_rows.append({
                "lead_id": lead_id, "sequence": m.sequence, "step": m.step, "channel": m.channel,
                "template": m.template, "deadline": m.deadline, "tier": m.tier, "due_at": m.due_at,
                "sale_date": m.sale_date, "expires_at": m.expires_at, "state": "planned", "reason": _clip(m.reason),
                "attempts": 0, "created_at": now, "updated_at": now,
            })
            new_owner.append((result, cause))
        if result_plan.lead_action is not None and lead.status == "active":
            action, why = result_plan.lead_action
            if action == "pause":
                lead.status, lead.status_reason, lead.updated_at = "paused", why[:300], now
                session.add(lead)
                events.append({"at": now, "lead_id": lead_id, "kind": "lead", "from_state": "active",
                               "to_state": "paused", "cause": _clip(f"{cause}: {why}")})
            elif action == "tell" and not _post_sale_waiting(rows, catalog):
                # Once, when the post-sale plan is first made (the /ops overview lists the lead meanwhile).
                events.append({"at": now, "lead_id": lead_id, "kind": "lead", "cause": _clip(f"{cause}: {why}")})
        events.append({
            "at": now, "lead_id": lead_id, "kind": "plan", "cause": _clip(cause),
            "data": {
                "tier": result.tier,
                "planned": len(wanted),
                "kept": len(result.kept),
                "cancelled": len(result.cancelled),
                "channels": sorted(channels),
                "skipped": [f"{s.sequence}/{s.step}: {s.reason}" for s in result.skipped][:50],
                "lead_action": list(result.lead_action) if result.lead_action else None,
            },
        })
        results[lead_id] = result
    if new_rows:
        # Ids first, then every new row in one bulk write (COPY on PostgreSQL).
        table = Message.__table__
        ids = bulk.reserve_ids(session, table, len(new_rows))
        for row, message_id in zip(new_rows, ids, strict=True):
            row["id"] = message_id
        bulk.insert_rows(session, table, new_rows)
        for row, (owner, cause) in zip(new_rows, new_owner, strict=True):
            message_id = row["id"]
            owner.planned.append(message_id)
            events.append({"at": now, "lead_id": row["lead_id"], "message_id": message_id, "kind": "plan",
                           "to_state": "planned", "cause": _clip(f"{cause}: {row['reason']}")})
    if events:
        # One executemany: every row needs the same keys.
        blank = {"message_id": None, "from_state": None, "to_state": None, "data": None}
        bulk.insert_rows(session, DeliveryEvent.__table__, [blank | e for e in events])
    session.flush()
    return retry


def _post_sale_waiting(rows: Sequence[_Row], catalog: Catalog) -> bool:
    """Whether one of the lead's rows is a post-sale message still to go (planned or queued)."""
    post = {seq.name for seq in catalog.phase("post_sale")}
    return any(r.state in WAITING_STATES and r.sequence in post for r in rows)


def _key(m: _Row | PlannedMessage) -> tuple[Any, ...]:
    return tuple(getattr(m, k) for k in _KEEP_KEY)


def _cancel_reason(result: Plan, cause: str) -> str:
    if not result.messages and result.skipped:
        reasons = {s.reason for s in result.skipped}
        if len(reasons) == 1:
            return f"re-planned ({cause}): {reasons.pop()}"
    return f"re-planned ({cause})"


def _clip(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cancel_one_offs(session: Session, lead_id: int, *, channel: str, now: datetime, cause: str) -> list[int]:
    """Cancel the lead's system answers and ops replies on `channel` that have not started to go
    out (planned or queued): a revocation leaves room for its one confirmation only (which is kept:
    a second revocation arriving before it went must not take it back).

    Queued rows are the dispatcher's, but a worker reads a row under the lead's lock, which the
    caller holds: it either claimed the row before (it is `sending`, not touched here) or finds it
    cancelled."""
    table = Message.__table__
    ids = list(session.execute(
        sa.update(table)
        .where(table.c.lead_id == lead_id, table.c.channel == channel, table.c.state.in_(WAITING_STATES),
               table.c.sequence.in_(tuple(RESERVED_SEQUENCES)),
               sa.not_(table.c.step.startswith(STOP_CONFIRMATION_STEP)))
        .values(state="cancelled", reason=_clip(cause), updated_at=now, lease_until=None)
        .returning(table.c.id)
    ).scalars())
    if ids:
        session.execute(sa.insert(DeliveryEvent.__table__), [
            {"at": now, "lead_id": lead_id, "message_id": mid, "kind": "state", "from_state": "planned|queued",
             "to_state": "cancelled", "cause": _clip(cause), "data": None, "provider_status": None,
             "error_code": None} for mid in ids])
    return ids


def retier_all(session: Session, *, now: datetime, catalog: Catalog | None = None, chunk_size: int = 500) -> int:
    """Daily job: re-plan each active lead whose tier moved away from what its messages were planned for.

    A lead is re-planned when its sale date has passed and no post-sale message of it is still to
    go (the plan then pauses it for ops: at once without a post_sale sequence, else once the
    closing message went or could not go), when one of its planned messages was made for a tier
    the rules now give another answer for (the rules or the lead changed), or when it has nothing
    planned and its tier today differs from the tier of its newest message. A post-sale message
    still to go is kept like any other: the lead is not re-planned (nor told again) every day.
    Returns how many leads were re-planned.
    """
    count, after = 0, 0
    while after is not None:
        done, after = retier_batch(session, now=now, after_id=after, limit=chunk_size, catalog=catalog)
        count += done
    return count


def retier_batch(session: Session, *, now: datetime, after_id: int = 0, limit: int = 500,
                 catalog: Catalog | None = None) -> tuple[int, int | None]:
    """One batch of the daily re-tier: active leads with an id above `after_id`, in id order.

    Returns how many were re-planned and the last id looked at (None when there are no more), so
    a caller can give each batch its own transaction instead of holding every active lead in one.
    """
    catalog = catalog or default_catalog()
    leads = session.exec(select(Lead).where(Lead.status == "active", col(Lead.id) > after_id)
                         .order_by(col(Lead.id)).limit(limit)).all()
    if not leads:
        return 0, None
    rows_of = _messages_of(session, [stored_id(lead) for lead in leads])
    todo: list[tuple[Lead, str]] = []
    for lead in leads:
        passed = lead.sale_date
        if lead.sale_date_estimated and (Facts.from_lead(lead).days_to_sale(now) or 0) < 0:
            # An estimate that has passed is no date: the sale could be set any day now.
            lead.sale_date, lead.sale_date_estimated = None, False
            lead.sale_date_reason = _clip(f"the estimated earliest sale date {passed} has passed: the sale could be "
                                          f"set any day", 300)
            todo.append((lead, f"daily re-tier: estimated sale date {passed} passed"))
            continue
        why = _retier_reason(lead, rows_of.get(stored_id(lead), []), catalog, now)
        if why:
            todo.append((lead, f"daily re-tier: {why}"))
    if todo:
        replan_many(session, todo, now=now, catalog=catalog)
    return len(todo), leads[-1].id


def _retier_reason(lead: Lead, rows: Sequence[_Row], catalog: Catalog, now: datetime) -> str | None:
    """Why the daily job must re-plan `lead` (its non-cancelled message rows given), or None."""
    rules = catalog.urgency
    facts = Facts.from_lead(lead)
    days = facts.days_to_sale(now)
    if days is not None and days < 0 and not _post_sale_waiting(rows, catalog):
        return "sale date passed"
    rows = [r for r in rows if not r.one_off]
    planned = [r for r in rows if r.state == "planned"]
    if planned:
        moved = [r for r in planned if r.tier != rules.tier_at(facts, r.due_at)]
        return f"tier changed for {len(moved)} planned messages" if moved else None
    last = max(rows, key=lambda r: r.due_at, default=None)
    tier = rules.tier_at(facts, now)
    return f"tier is now {tier} (was {last.tier})" if last is not None and last.tier != tier else None


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


#: Leads re-planned per batch when a blackout changes.
BLACKOUT_BATCH = 500


def replan_state(session_factory: Callable[[], AbstractContextManager[Session]], state: str, *, now: datetime, cause: str,
                 progress: Callable[[int], None] | None = None) -> int:
    """Re-plan every active lead who may be in `state` (property, mailing address, ZIPs or area code), in batches.

    Each batch is its own transaction (`session_factory()` gives a Session, committed here per
    batch), so a long list never holds the scheduler's claims. Returns how many were re-planned.
    """
    done = 0
    after = 0
    while True:
        with session_factory() as session:
            leads = session.exec(select(Lead).where(Lead.status == "active", col(Lead.id) > after)
                                 .order_by(col(Lead.id)).limit(BLACKOUT_BATCH)).all()
            if not leads:
                return done
            after = leads[-1].id
            mine = [lead for lead in leads if state in locate_lead(lead).states]
            if mine:
                replan_many(session, [(lead, cause) for lead in mine], now=now)
                session.commit()
                done += len(mine)
        if progress is not None:
            progress(len(leads))
