"""The deliverability panel: each channel's rates over the last 24 hours and 7 days beside the
thresholds that warn or pause it, for /ops, `nurture stats --deliverability` and /metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from nurture.delivery import deliverability as rates
from nurture.delivery import pauses

SHOWN = {"email": ("delivered", "bounced", "blocked", "spam", "unsubscribed"),
         "sms": ("delivered", "filtered", "unregistered")}
"""The outcomes each channel's panel lists (a text is never a spam report; an email never a 30034)."""


@dataclass
class Line:
    """One outcome of one channel over one window: its count, its rate of sent, and its thresholds."""

    outcome: str
    label: str
    count: int
    rate: float | None
    warn: float | None = None
    pause: float | None = None
    level: str = "ok"  # ok, warn or pause: where the rate stands against the thresholds

    @property
    def thresholds(self) -> str:
        """The thresholds in words ("" when the outcome has none)."""
        if self.outcome == "unregistered":
            return "pauses at the first"
        said = [f"warn at {pct(self.warn)}"] if self.warn is not None else []
        if self.pause is not None:
            said.append(f"pause {'at' if self.outcome == 'spam' else 'past'} {pct(self.pause)}")
        return ", ".join(said)

    @property
    def scale(self) -> float:
        """The top of the drawn bar: twice the pause threshold, so both thresholds sit inside it."""
        return max((self.pause or 0.0) * 2, (self.rate or 0.0), 0.0001)

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "count": self.count, "rate": self.rate, "warn_rate": self.warn,
                "pause_rate": self.pause, "level": self.level}


@dataclass
class Panel:
    """One channel over one window."""

    channel: str
    window: str
    total: rates.Counts
    lines: list[Line]
    templates: list[rates.Counts] = field(default_factory=list)
    judged: bool = True  # False: too few sent for the rates to pause or warn

    def as_dict(self) -> dict[str, Any]:
        return {"channel": self.channel, "window": self.window, "sent": self.total.sent, "judged": self.judged,
                "outcomes": [line.as_dict() for line in self.lines],
                "templates": [t.as_dict() for t in self.templates]}


@dataclass
class Report:
    at: datetime
    panels: list[Panel]
    paused: dict[str, pauses.Pause]
    findings: list[rates.Finding]
    thresholds: rates.Thresholds

    @property
    def warnings(self) -> list[rates.Finding]:
        return [f for f in self.findings if f.level == "warn"]

    def as_dict(self) -> dict[str, Any]:
        th = self.thresholds
        return {
            "at": self.at.isoformat(),
            "thresholds": {"email_spam_pause_rate": th.email_spam_pause, "email_spam_warn_rate": th.email_spam_warn,
                           "email_bounce_pause_rate": th.email_bounce_pause,
                           "sms_filtered_pause_rate": th.sms_filtered_pause, "min_sent": th.min_sent},
            "paused": {ch: {"kind": p.kind, "reason": p.reason, "since": p.at.isoformat(), "until": p.until}
                       for ch, p in sorted(self.paused.items())},
            "findings": [{"channel": f.channel, "window": f.window, "outcome": f.outcome, "level": f.level,
                          "reason": f.reason} for f in self.findings],
            "windows": [p.as_dict() for p in self.panels],
        }


def pct(rate: float | None) -> str:
    """A rate as the panel prints it: '0.5%', '-' when nothing was sent."""
    if rate is None:
        return "-"
    return f"{rate * 100:.2f}".rstrip("0").rstrip(".") + "%"


def report(session: Session, settings: Any, *, at: datetime, channels: tuple[str, ...] = ("email", "sms"),
           per_template: bool = True) -> Report:
    """Every channel's panel over each window, the pauses in force and what the rates call for."""
    th = rates.Thresholds.of(settings)
    panels: list[Panel] = []
    findings: list[rates.Finding] = []
    for window, span in rates.WINDOWS.items():
        by_template = rates.counts(session, since=at - span, until=at)
        totals = rates.totals(by_template, channels)
        for ch in channels:
            total = totals[ch]
            judged = rates.judge(total, window, th)
            findings += judged
            levels = {f.outcome: f.level for f in judged}
            limits = th.limits(ch)
            lines = []
            for outcome in SHOWN[ch]:
                warn, stop = limits.get(outcome, (None, None))
                lines.append(Line(outcome, rates.LABELS[outcome], getattr(total, outcome), total.rate(outcome),
                                  warn, stop if outcome != "unregistered" else None, levels.get(outcome, "ok")))
            templates = sorted((c for (c_ch, _), c in by_template.items() if c_ch == ch),
                               key=lambda c: (-c.sent, c.template or "")) if per_template else []
            panels.append(Panel(ch, window, total, lines, templates, judged=total.sent >= th.min_sent))
    return Report(at, panels, pauses.paused(session, settings), findings, th)


