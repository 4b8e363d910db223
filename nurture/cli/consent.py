"""`nurture consent export`: one lead's whole consent ledger and every text sent under it."""

from __future__ import annotations

import csv
import sys
from typing import Annotated, Any

import typer

from nurture.law import consent as ledger
from nurture.cli.common import fail, out, print_json
from nurture.cli.leads import ledger_line
from nurture.db import session_scope
from nurture.intake.leads import find_lead
from nurture.text_rules import spreadsheet_cell

app = typer.Typer(no_args_is_help=True)

CSV_COLUMNS = ("row", "id", "at", "channel", "action", "method", "text", "source_url", "ip", "given_at",
               "recorded_by", "note", "to", "provider_id", "state", "sequence", "step", "consent_id", "basis")


@app.command("export")
def export(
    ref: Annotated[str, typer.Argument(help="Lead id, phone or email.")],
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV: one row per ledger entry, then one per text.")] = False,
) -> None:
    """The evidence of one lead's consent: every grant, revocation and refused grant (wording, page,
    IP, when given, who recorded it) and every text sent, with the grant it went under and the
    provider's message id."""
    if json and as_csv:
        fail("give --json or --csv, not both")
    with session_scope() as session:
        lead = find_lead(session, ref)
        if lead is None:
            fail(f"no lead matches {ref!r}")
        story = ledger.story(session, lead)
    if json:
        print_json(story)
    elif as_csv:
        _write_csv(story)
    else:
        _print(story)


def _write_csv(story: dict[str, Any]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    # Every cell through spreadsheet_cell: the wording, a note, a text's body come from web forms and
    # leads, and the export is opened in a spreadsheet (a phone's leading + is escaped too).
    def write(row: dict[str, Any]) -> None:
        writer.writerow({k: spreadsheet_cell(v) for k, v in row.items()})

    for c in story["ledger"]:
        write({"row": "consent", "at": c["recorded_at"], **{k: c[k] for k in (
            "id", "channel", "action", "method", "text", "source_url", "ip", "given_at", "recorded_by", "note")}})
    for t in story["texts"]:
        write({"row": "text", "id": t["message_id"], "at": t["sent_at"], "channel": "sms", "text": t["body"],
               **{k: t[k] for k in ("to", "provider_id", "state", "sequence", "step", "consent_id", "basis")}})


def _print(story: dict[str, Any]) -> None:
    lead = story["lead"]
    out(f"lead #{lead['id']} {lead['name']}  phone {lead['phone'] or '-'}  email {lead['email'] or '-'}", markup=False)
    out(f"texts now: {story['sms_consent_now']}; email now: {story['email_now']}", markup=False)
    out("\nledger", markup=False)
    if not story["ledger"]:
        out("  nothing on record", markup=False)
    for c in story["ledger"]:
        out(ledger_line(c), markup=False)
    out(f"\ntexts sent ({len(story['texts'])})", markup=False)
    for t in story["texts"]:
        out(f"  #{t['message_id']} {t['sent_at']} to {t['to']} {t['state']} provider id {t['provider_id'] or '-'} "
            f"under {t['basis']}: {t['body'] or ''}", markup=False)
