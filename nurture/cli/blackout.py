"""`nurture blackout add|list|remove`: days on which nobody in a state is contacted (a declared emergency)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlmodel import Session

from nurture.law import blackouts
from nurture.plans import replan
from nurture.cli.common import console, fail, out, print_json
from nurture.clock import now
from nurture.db import get_engine, session_scope

app = typer.Typer(no_args_is_help=True)
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _day(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{flag} {value!r} is not a date like 2027-08-30")


def _replan(state: str, cause: str, quiet: bool) -> int:
    """Plan every active lead who may be in `state` again, with a progress bar (planned texts move at once)."""
    engine = get_engine()
    with session_scope() as session:
        total = blackouts.count_active_leads(session)
    with Progress(TextColumn(f"re-planning leads who may be in {state}"), BarColumn(), MofNCompleteColumn(),
                  console=console, disable=quiet or not console.is_terminal, transient=True) as bar:
        task = bar.add_task("leads", total=total)
        return replan.replan_state(lambda: Session(engine, expire_on_commit=False), state, now=now(),
                                      cause=cause, progress=lambda n: bar.advance(task, n))


def _row(b) -> dict[str, object]:
    return {"id": b.id, "state": b.state, "from": b.starts_on.isoformat(), "to": b.ends_on.isoformat(),
            "reason": b.reason, "created_at": b.created_at.isoformat()}


@app.command("add")
def add(
    state: Annotated[str, typer.Option("--state", help="Two-letter state or territory code, e.g. LA.")],
    starts: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (the lead's own calendar).")],
    ends: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD, included.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, e.g. the governor's emergency declaration.")],
    json: JsonOut = False,
) -> None:
    """Declare a blackout: no text or email to anyone who may be in STATE on those days.

    Every planned message that falls in it moves out at once (the leads are planned again), and
    the send gate refuses anything that would leave during it.
    """
    with session_scope() as session:
        try:
            row = blackouts.add(session, state=state, starts_on=_day(starts, "--from"), ends_on=_day(ends, "--to"),
                                reason=reason, now=now())
        except ValueError as exc:
            fail(str(exc))
        data = _row(row)
    moved = _replan(str(data["state"]), f"blackout #{data['id']} declared in {data['state']}: {data['reason']}", json)
    if json:
        print_json(data | {"leads_replanned": moved})
        return
    out(f"blackout #{data['id']}: {data['state']} {data['from']} to {data['to']} ({data['reason']}); "
        f"{moved} leads planned again", markup=False)


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Include blackouts that have ended.")] = False,
    json: JsonOut = False,
) -> None:
    """The blackouts in force or to come (with --all, also past ones)."""
    with session_scope() as session:
        rows = [_row(b) for b in blackouts.listed(session, include_past=all_, today=now().date())]
    if json:
        print_json(rows)
        return
    if not rows:
        out("no blackouts" + ("" if all_ else " in force or to come (--all shows past ones)"))
        return
    table = Table("id", "state", "from", "to", "reason", box=None, pad_edge=False)
    for r in rows:
        table.add_row(str(r["id"]), str(r["state"]), str(r["from"]), str(r["to"]), str(r["reason"]))
    console.print(table)


@app.command("remove")
def remove(
    blackout_id: Annotated[int, typer.Argument(help="The blackout's id (see `nurture blackout list`).")],
    json: JsonOut = False,
) -> None:
    """Lift a blackout; the leads it held are planned again."""
    with session_scope() as session:
        row = blackouts.remove(session, blackout_id)
        if row is None:
            fail(f"no blackout with id {blackout_id}")
        data = _row(row)
    moved = _replan(str(data["state"]), f"blackout #{blackout_id} in {data['state']} lifted", json)
    if json:
        print_json(data | {"removed": True, "leads_replanned": moved})
        return
    out(f"blackout #{blackout_id} removed; {moved} leads planned again")
