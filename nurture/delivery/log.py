"""The delivery log as ops read it: DeliveryEvent rows, newest first, each saying what happened and why."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from nurture.models import FAILURE_STATES, DeliveryEvent, Lead, Message
from nurture.text_rules import shown

_SINCE = re.compile(r"^(\d{1,9})\s*([smhdw])$", re.ASCII)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
SINCE_MAX = timedelta(days=3660)
"""The longest window `--since` takes (ten years): a longer one is the whole log, so leave it out."""


def parse_since(text: str) -> timedelta:
    """`90s`, `15m`, `2h`, `3d`, `1w` as a timedelta; ValueError with the accepted forms otherwise."""
    m = _SINCE.match(text.strip().lower())
    if not m:
        raise ValueError(f"{shown(text)} is not a duration: use a number and s, m, h, d or w (e.g. 2h, 3d)")
    seconds = int(m[1]) * _SECONDS[m[2]]
    if seconds > SINCE_MAX.total_seconds():
        raise ValueError(f"{shown(text)} is more than ten years: leave the window out to see everything")
    return timedelta(seconds=seconds)


def joined() -> Any:
    """Log rows joined with their message and lead, newest first: what `entry` reads."""
    return (
        select(DeliveryEvent, Message.channel, Message.template, Message.variant, Message.to_address,
               Lead.first_name, Lead.last_name)
        .outerjoin(Message, Message.id == DeliveryEvent.message_id)
        .outerjoin(Lead, Lead.id == DeliveryEvent.lead_id)
        .order_by(col(DeliveryEvent.id).desc())
    )


def entry(row: Any) -> dict[str, Any]:
    """One row of `joined()` as the dict the CLI prints and the pages show."""
    ev, channel, template, variant, to, first, last = row
    return {
        "id": ev.id, "at": ev.at.isoformat(), "lead_id": ev.lead_id,
        "lead": f"{first or ''} {last or ''}".strip() or None,
        "message_id": ev.message_id, "kind": ev.kind, "from_state": ev.from_state, "to_state": ev.to_state,
        "channel": channel, "template": template, "variant": variant, "to": to, "cause": ev.cause,
        "provider_status": ev.provider_status, "error_code": ev.error_code,
    }


def entries(
    session: Session, *, lead_id: int | None = None, state: str | None = None, since: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Log rows, newest first, joined with their message and lead for display."""
    q = joined().limit(limit)
    if lead_id is not None:
        q = q.where(DeliveryEvent.lead_id == lead_id)
    if state is not None:
        q = q.where(DeliveryEvent.to_state == state)
    if since is not None:
        q = q.where(DeliveryEvent.at >= since)
    return [entry(row) for row in session.execute(q).all()]


def describe(entry: dict[str, Any], when: str) -> str:
    """One log line a person can read; `when` is its time as the caller shows times."""
    who = f"lead #{entry['lead_id']}" + (f" {entry['lead']}" if entry["lead"] else "") if entry["lead_id"] else "-"
    what = ""
    if entry["message_id"]:
        what = f"msg #{entry['message_id']} {entry['template'] or ''}"
        if entry.get("variant"):
            what += f" (variant {entry['variant']})"
        if entry["from_state"] or entry["to_state"]:
            what += f" {entry['from_state'] or '?'} -> {entry['to_state'] or '?'}"
    else:
        what = entry["kind"]
    code = f" [{entry['error_code']}]" if entry["error_code"] else ""
    return f"{when}  {who}  {what}{code}: {entry['cause']}"




def stats(session: Session, *, since: datetime | None = None) -> dict[str, Any]:
    """Counts ops watch: messages by state and channel, leads by status, failures (failed and
    undelivered) by code."""
    by_state: dict[str, dict[str, int]] = {}
    q = select(Message.state, Message.channel, func.count()).group_by(Message.state, Message.channel)
    if since is not None:
        q = q.where(Message.updated_at >= since)
    for state, channel, n in session.execute(q).all():
        by_state.setdefault(state, {})[channel] = n
    leads = dict(session.execute(select(Lead.status, func.count()).group_by(Lead.status)).all())
    fq = (select(Message.error_code, func.count()).where(col(Message.state).in_(FAILURE_STATES))
          .group_by(Message.error_code))
    if since is not None:
        fq = fq.where(Message.updated_at >= since)
    failures = {code or "unknown": n for code, n in session.execute(fq).all()}
    return {"messages": by_state, "leads": leads, "failures_by_code": failures}
