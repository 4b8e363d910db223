"""`nurture channels list|resume`: which channel can send, which is paused and why; resume one."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from nurture.cli.common import actor, fail, out, print_json, when
from nurture.clock import now
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.delivery import deliverability, pauses
from nurture.delivery.channels import CHANNEL_NAMES

app = typer.Typer(no_args_is_help=True)
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _state(channel: str, pause: pauses.Pause | None, via: str) -> dict[str, Any]:
    if pause is None:
        return {"channel": channel, "state": "ok", "via": via}
    return {"channel": channel, "state": "paused", "via": via, "kind": pause.kind, "reason": pause.reason,
            "since": pause.at.isoformat(), "until": pause.until}


@app.command("list")
def list_(json: JsonOut = False) -> None:
    """Each channel: ok or paused, with the reason, since when and what lifts it; and the rates
    past a warning threshold (spam reports from 0.1%)."""
    settings = get_settings()
    at = now()
    with session_scope() as session:
        found = pauses.paused(session, settings)
        warnings = [f for f in deliverability.findings(session, settings, at=at) if f.level == "warn"]
    configured = {"sms": settings.sms_configured, "email": settings.email_configured}
    rows = [_state(ch, found.get(ch), ("twilio" if ch == "sms" else "sendgrid") if configured[ch] else "outbox")
            for ch in CHANNEL_NAMES]
    if json:
        print_json({"channels": rows, "warnings": [{"channel": w.channel, "window": w.window, "outcome": w.outcome,
                                                    "reason": w.reason} for w in warnings]})
        return
    tz = settings.business_tz
    for row in rows:
        if row["state"] == "ok":
            out(f"{row['channel']}: ok (via {row['via']})", markup=False)
        else:
            out(f"{row['channel']}: PAUSED ({row['kind']}) since {when(row['since'], tz)}: {row['reason']}; "
                f"until {row['until']}", markup=False)
    for w in warnings:
        out(f"warning: {w.channel}: {w.reason}", markup=False)


@app.command("resume")
def resume(
    channel: Annotated[str, typer.Argument(help="sms or email.")],
    note: Annotated[str, typer.Option("--note", help="Why it may send again (kept in the delivery log).")] = "",
    json: JsonOut = False,
) -> None:
    """Let a paused channel send again: its held messages go out as they come due. Who resumed it,
    when and the note are kept in the delivery log (`nurture log`)."""
    channel = channel.strip().lower()
    if channel not in CHANNEL_NAMES:
        fail(f"{channel!r} is not a channel: sms or email")
    settings = get_settings()
    at, by = now(), actor()
    with session_scope() as session:
        lifted = pauses.release(session, channel, by=by, at=at, note=note.strip())
        still = pauses.paused(session, settings).get(channel)
    if json:
        print_json({"channel": channel, "resumed": bool(lifted), "by": by, "at": at.isoformat(), "note": note.strip(),
                    "lifted": [{"kind": p.kind, "reason": p.reason, "since": p.at.isoformat()} for p in lifted],
                    "still_paused": _state(channel, still, "") if still else None})
        return
    if not lifted:
        out(f"{channel} was not paused: nothing to resume", markup=False)
    for p in lifted:
        out(f"{channel} resumed by {by}: lifted the {p.kind} pause ({p.reason})", markup=False)
    if still is not None:
        out(f"{channel} is still paused: {still.describe()}", markup=False)
