"""`nurture inbox`: the leads who wrote back, their conversation, and the actions a person takes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from nurture.conversations import inbox as service
from nurture.cli.common import actor, console, fail, out, print_json
from nurture.clock import now
from nurture.db import secret_key, session_scope
from nurture.intake.leads import find_lead
from nurture.models import Lead
from nurture.config import get_settings
from nurture.content.tokens import inbound_parse_url

app = typer.Typer(invoke_without_command=True)

JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Ref = Annotated[str, typer.Argument(help="Lead id, phone or email.")]
Note = Annotated[str | None, typer.Option("--note", help="Why (kept in the lead's log).")]


@app.callback()
def inbox(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", help="Also leads whose messages were all handled.")] = False,
    json: JsonOut = False,
) -> None:
    """Every lead who wrote back and waits for a person (newest first); the verbs act on one lead."""
    if ctx.invoked_subcommand is not None:
        return
    with session_scope() as session:
        found = service.conversations(session, everything=everything)
    if json:
        print_json([c.as_dict() for c in found])
        return
    if not found:
        out("nobody is waiting for a person" + ("" if everything else " (--all lists handled conversations too)"))
        return
    table = Table("lead", "status", "last message (lead's time)", "via", "open", "what they wrote", box=None,
                  pad_edge=False)
    for c in found:
        flag = " [red](may be a revocation)[/red]" if c.maybe_revocation else ""
        table.add_row(f"#{c.lead_id} {c.name}", c.status, c.last_local, c.last_channel, str(c.open),
                      f"{c.last_text}{flag}")
    console.print(table)


def _lead(session: Session, ref: str) -> Lead:
    lead = find_lead(session, ref)
    if lead is None:
        fail(f"no lead matches {ref!r}")
    return lead


@app.command("show")
def show(ref: Ref, json: JsonOut = False) -> None:
    """The conversation with one lead: texts and emails both ways, times where the lead lives."""
    with session_scope() as session:
        lead = _lead(session, ref)
        items = service.thread(session, lead)
        head = {"lead_id": lead.id, "name": lead.full_name, "status": lead.status,
                "status_reason": lead.status_reason, "timezone": lead.timezone}
    if json:
        print_json(head | {"thread": [i.as_dict() for i in items]})
        return
    out(f"#{lead.id} {lead.full_name} ({lead.status}" + (f": {lead.status_reason}" if lead.status_reason else "") + ")",
        markup=False)
    if not items:
        out("  no messages either way")
    for i in items:
        arrow = "<-" if i.direction == "in" else "->"
        subject = f" [{i.subject}]" if i.subject else ""
        out(f"  {i.local}  {arrow} {i.channel} {i.who} ({i.state}){subject}: {i.text}", markup=False)
        if i.note:
            out(f"      {i.note}", markup=False)


@app.command("reply")
def reply(
    ref: Ref,
    text: Annotated[str, typer.Option("--text", help="What to send, exactly as it should read.")],
    email: Annotated[bool, typer.Option("--email", help="Send an email instead of a text.")] = False,
    subject: Annotated[str | None, typer.Option("--subject", help="The email's subject (default: Re: theirs).")] = None,
    when_allowed: Annotated[bool, typer.Option("--when-allowed", help="If the legal hours do not allow it now, send it at the first moment they do.")] = False,
    json: JsonOut = False,
) -> None:
    """Reply to a lead by text (or --email). It still needs consent (texts), an address that is not
    suppressed and the legal hours where the lead lives; refused, it says which rule."""
    with session_scope() as session:
        lead = _lead(session, ref)
        try:
            result = service.reply(session, lead, channel="email" if email else "sms", text=text, subject=subject,
                                   actor=actor(), now=now(), when_allowed=when_allowed)
        except service.InboxError as exc:
            fail(str(exc))
    if json:
        print_json(result.as_dict())
    elif result.verdict.action == "move":
        out(f"reply #{result.message_id} planned for {result.local} (not now: {result.verdict.reason})", markup=False)
    else:
        out(f"reply #{result.message_id} goes out now (the scheduler hands it to a worker within a tick)")


def _act(ref: str, what: str, do) -> None:
    with session_scope() as session:
        lead = _lead(session, ref)
        try:
            do(session, lead)
        except service.InboxError as exc:
            fail(str(exc))
        out(f"lead #{lead.id}: {what}")


@app.command("resume")
def resume(ref: Ref, note: Note = None) -> None:
    """Resume the lead's sequence (its plan is made anew); its open messages are marked handled."""
    _act(ref, "sequence resumed", lambda s, lead: service.resume(s, lead, actor=actor(), now=now(), note=note))


@app.command("handled")
def handled(ref: Ref, note: Note = None) -> None:
    """Mark what the lead wrote as handled; the lead's status stays as it is."""
    _act(ref, "marked handled", lambda s, lead: service.mark_handled(s, lead, actor=actor(), now=now(), note=note))


@app.command("hold")
def hold(ref: Ref, reason: Annotated[str, typer.Option("--reason", help="Why (an attorney's letter, a dispute).")]) -> None:
    """Put the lead on legal hold: nothing more goes out to it."""
    _act(ref, "on legal hold", lambda s, lead: service.hold(s, lead, actor=actor(), now=now(), reason=reason))


@app.command("converted")
def converted(ref: Ref, note: Note = None) -> None:
    """The lead became a client: its sequence ends."""
    _act(ref, "converted", lambda s, lead: service.converted(s, lead, actor=actor(), now=now(), note=note))


@app.command("parse-url")
def parse_url() -> None:
    """The URL to give SendGrid's Inbound Parse (it carries the secret that tells its posts from others')."""

    with session_scope() as session:
        out(inbound_parse_url(get_settings(), secret_key(session)), markup=False)
