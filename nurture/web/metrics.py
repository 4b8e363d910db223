"""GET /metrics: counts for Prometheus, in the text exposition format. Counts only, no personal data.

Not behind the API key: Prometheus scrapes it without credentials. Every figure is one cheap
query (GROUP BY or an indexed count), so scraping every few seconds costs the database little.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlmodel import Session

from nurture.clock import now
from nurture.delivery.log import stats
from nurture.models import Channel, LeadStatus, Message, MessageState
from nurture.web.deps import SessionDep

router = APIRouter(tags=["ops"])

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OVERDUE_GRACE = timedelta(minutes=5)
"""A planned message this far past due means the scheduler is not claiming work."""


@dataclass
class Metric:
    """One gauge family: its name, help text and samples (labels, value)."""

    name: str
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)


def collect(session: Session, *, at: datetime) -> list[Metric]:
    """The figures ops alert on, read from the database at time `at`."""
    counts = stats(session)
    messages = Metric("nurture_messages", "Messages by state and channel.")
    # Every known state and channel is reported, zeros included: an alert on a series that does
    # not exist yet never fires.
    states = [str(s) for s in MessageState] + sorted(set(counts["messages"]) - set(MessageState))
    for state in states:
        by_channel = counts["messages"].get(state, {})
        for channel in [str(c) for c in Channel] + sorted(set(by_channel) - set(Channel)):
            messages.samples.append(({"state": state, "channel": channel}, by_channel.get(channel, 0)))

    leads = Metric("nurture_leads", "Leads by status.")
    for status in [str(s) for s in LeadStatus] + sorted(set(counts["leads"]) - set(LeadStatus)):
        leads.samples.append(({"status": status}, counts["leads"].get(status, 0)))

    overdue = session.execute(
        select(func.count()).select_from(Message)
        .where(Message.state == MessageState.planned, Message.due_at < at - OVERDUE_GRACE)
    ).scalar_one()
    oldest = session.execute(
        select(func.min(Message.updated_at)).where(Message.state == MessageState.queued)
    ).scalar_one()
    waited = max(0.0, (at - oldest).total_seconds()) if oldest is not None else 0.0

    failures = Metric("nurture_failures", "Failed or undelivered messages by provider error code.")
    for code, n in sorted(counts["failures_by_code"].items()):
        failures.samples.append(({"code": code}, n))

    return [
        messages,
        leads,
        Metric("nurture_messages_due_overdue",
               f"Planned messages more than {int(OVERDUE_GRACE.total_seconds() // 60)} minutes past due "
               "(a stuck scheduler shows here).", [({}, overdue)]),
        Metric("nurture_messages_oldest_queued_seconds",
               "Seconds the longest-waiting queued message has been queued (0 when none).", [({}, waited)]),
        failures,
    ]


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


def render(metrics: list[Metric]) -> str:
    """The Prometheus text exposition format (version 0.0.4)."""
    lines = []
    for m in metrics:
        lines.append(f"# HELP {m.name} {m.help}")
        lines.append(f"# TYPE {m.name} gauge")
        for labels, value in m.samples:
            label_text = ",".join(f'{k}="{_label_value(v)}"' for k, v in labels.items())
            lines.append(f"{m.name}{{{label_text}}} {_number(value)}" if label_text else f"{m.name} {_number(value)}")
    return "\n".join(lines) + "\n"


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(session: SessionDep) -> Response:
    """Message, lead and failure counts plus scheduler lag, for Prometheus to scrape."""
    return Response(render(collect(session, at=now())), media_type=CONTENT_TYPE)
