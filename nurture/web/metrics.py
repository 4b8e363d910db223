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
from nurture.config import get_settings
from nurture.console import deliverability
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
        *_deliverability(session, at=at),
        Metric("nurture_messages_due_overdue",
               f"Planned messages more than {int(OVERDUE_GRACE.total_seconds() // 60)} minutes past due "
               "(a stuck scheduler shows here).", [({}, overdue)]),
        Metric("nurture_messages_oldest_queued_seconds",
               "Seconds the longest-waiting queued message has been queued (0 when none).", [({}, waited)]),
        failures,
    ]


def _deliverability(session: Session, *, at: datetime) -> list[Metric]:
    """Per channel and window (24h, 7d): messages sent, each outcome's count and rate of sent, the
    thresholds, and whether the channel is paused (and by what)."""
    report = deliverability.report(session, get_settings(), at=at, per_template=False)
    sent = Metric("nurture_deliverability_sent", "Messages sent in the window, by channel.")
    count = Metric("nurture_deliverability_outcomes",
                   "Of the messages sent in the window: how many the provider reported delivered, bounced, "
                   "blocked, reported as spam, unsubscribed, carrier-filtered (30007) or unregistered (30034/30032).")
    rate = Metric("nurture_deliverability_rate", "Each outcome's share of the messages sent in the window (0 when "
                  "none was sent).")
    threshold = Metric("nurture_deliverability_threshold", "The rate at which an outcome warns or pauses its channel.")
    for panel in report.panels:
        where = {"channel": panel.channel, "window": panel.window}
        sent.samples.append((where, panel.total.sent))
        for line in panel.lines:
            labels = where | {"outcome": line.outcome}
            count.samples.append((labels, line.count))
            rate.samples.append((labels, line.rate or 0.0))
            if panel.window == "24h":  # the same for every window: once
                for level, value in (("warn", line.warn), ("pause", line.pause)):
                    if value is not None:
                        threshold.samples.append(({"channel": panel.channel, "outcome": line.outcome,
                                                   "level": level}, value))
    paused = Metric("nurture_channel_paused", "1 while the channel is paused (kind: credential, carrier or "
                    "deliverability), else 0.")
    for channel in [str(c) for c in Channel]:
        pause = report.paused.get(channel)
        paused.samples.append(({"channel": channel, "kind": pause.kind if pause else ""}, 1 if pause else 0))
    return [sent, count, rate, threshold, paused]


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    # Six significant digits: a rate of 0.0045 is not rounded to the 0.005 that pauses.
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


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
