"""`nurture doctor`: check a deployment and say, one line per check, what is wrong and what to do."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from nurture.cli.common import out, print_json
from nurture.cli.checks import run_checks

MARK = {"ok": "[green]ok  [/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]fail[/red]"}


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False) -> None:
        """Check settings, database, broker, provider credentials, paused channels, webhook keys, the public URL,
        the API key and the law files (reviews over a year old, rules taking effect within 30 days); exit 1 when
        any check fails."""
        checks = run_checks()
        failed = any(check.status == "fail" for check in checks)
        if as_json:
            print_json({"ok": not failed, "checks": [check.as_dict() for check in checks]})
        else:
            width = max(len(check.name) for check in checks)
            for check in checks:
                out(f"{MARK[check.status]}  {escape(check.name.ljust(width))}  {escape(check.detail)}")
        if failed:
            raise typer.Exit(1)
