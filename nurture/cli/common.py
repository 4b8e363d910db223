"""Helpers every CLI module uses: output, JSON, errors on stderr with a non-zero exit."""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn

import typer
from rich.console import Console
from nurture.config import get_settings
from nurture.localtime import fmt_local
from nurture.content.context import money

console = Console()
err_console = Console(stderr=True)


def out(text: str, *, markup: bool = True) -> None:
    console.print(text, highlight=False, soft_wrap=True, markup=markup)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` on stderr and exit with `code`."""
    err_console.print(f"error: {message}", highlight=False, soft_wrap=True, markup=False)
    raise typer.Exit(code)


def when(moment: datetime | str | None, tz: str | None = None) -> str:
    """A time as every verb prints it: in `tz` (a lead's zone when a lead is shown), else in the
    business's zone (NURTURE_BUSINESS_TZ), always with the zone's name: 'Tue 2026-12-01 10:00 EST'."""

    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return fmt_local(moment, tz or get_settings().business_tz)


def dollars(value: Decimal | str | None) -> str:
    """Money as people write it: '$425,000' ('$1,234.50' with cents); '?' when unknown."""

    return "?" if value is None or value == "" else money(Decimal(str(value)))


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=_default, indent=2) + "\n")


def actor() -> str:
    """Who runs this command, for the consent ledger and the inbox log: `cli:<user>`."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name for this uid (a container)
        return f"cli:uid {os.getuid()}"
