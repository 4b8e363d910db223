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

console = Console()
err_console = Console(stderr=True)


def out(text: str, *, markup: bool = True) -> None:
    console.print(text, highlight=False, soft_wrap=True, markup=markup)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` on stderr and exit with `code`."""
    err_console.print(f"error: {message}", highlight=False, soft_wrap=True, markup=False)
    raise typer.Exit(code)


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
