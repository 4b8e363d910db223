"""The `nurture` command: one Typer app, one sub-module per group of verbs."""

from __future__ import annotations

import sys

import typer

from nurture.cli import blackout as blackout_cli
from nurture.cli import channels as channels_cli
from nurture.cli import consent as consent_cli
from nurture.cli import db as db_cli
from nurture.cli import delivery as delivery_cli
from nurture.cli import demo as demo_cli
from nurture.cli import doctor as doctor_cli
from nurture.cli import inbox as inbox_cli
from nurture.cli import keys as keys_cli
from nurture.cli import law as law_cli
from nurture.cli import leads as leads_cli
from nurture.cli import profiles as profiles_cli
from nurture.cli import schedule as schedule_cli
from nurture.cli import serve as serve_cli
from nurture.cli import templates as templates_cli
from nurture.cli import users as users_cli
from nurture.tracebacks import redacted_traceback, unexpected_error

app = typer.Typer(
    name="nurture",
    help="Lead nurture for homeowners who owe more than their house is worth: "
    "timed SMS and email that follow each lead's foreclosure clock.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(leads_cli.app, name="leads", help="Add, import, show and update leads.")
app.add_typer(templates_cli.app, name="templates", help="Lint, preview, export and import the message templates (and schedules).")
app.add_typer(schedule_cli.app, name="schedule", help="Preview a lead's planned timeline.")
app.add_typer(db_cli.app, name="db", help="Database migrations.")
app.add_typer(blackout_cli.app, name="blackout",
              help="Declare, list and lift blackouts: days nobody in a state is contacted (a declared emergency).")
app.add_typer(inbox_cli.app, name="inbox",
              help="Leads who wrote back: the conversation, reply, resume, handled, hold, converted.")
app.add_typer(law_cli.app, name="law",
              help="The law as data: every jurisdiction's rules in words, sources, review dates, exemptions in use.")
app.add_typer(consent_cli.app, name="consent", help="A lead's consent evidence: the ledger and every text sent under it.")
app.add_typer(channels_cli.app, name="channels",
              help="Each channel's state (ok, or paused and why); resume a paused one (records who and when).")
app.add_typer(profiles_cli.app, name="profiles", help="Import profiles: vendors' layouts (ATTOM, DealMachine, ...); list and lint.")
app.add_typer(users_cli.app, name="users",
              help="Console accounts: add, list, disable, reset (roles admin, ops, marketer).")
app.add_typer(keys_cli.app, name="keys",
              help="Named API keys for integrations: add, list, revoke (scopes intake, read, admin).")
serve_cli.register(app)
delivery_cli.register(app)
demo_cli.register(app)
doctor_cli.register(app)


def main() -> None:
    """The `nurture` command. Its process edge: an unexpected error prints its type and where it
    happened, not its message, which can hold personal data (a database error quotes the row); an
    import error's message (a module's name) is printed whole."""
    try:
        app()
    except Exception as exc:
        sys.stderr.write(redacted_traceback(exc) + "\n")
        sys.stderr.write(f"error: {unexpected_error(exc)}\n")
        sys.exit(1)
