"""The console's pages: one Jinja environment (autoescaped), its filters, and the static files.

Every time a page shows is labelled with its zone: the lead's own zone on a lead's page, else the
business's zone (NURTURE_BUSINESS_TZ). No inline script or style: the pages load /static/ops.css
and /static/ops.js only, so a strict Content-Security-Policy holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from nurture.clock import now
from nurture.config import get_settings
from nurture.content.context import money as money_text
from nurture.content.languages import LANGUAGES
from nurture.localtime import fmt_local
from nurture.web.auth import current_principal

HTML_DIR = Path(__file__).resolve().parent / "html"
STATIC_DIR = Path(__file__).resolve().parent / "static"

# Every page is autoescaped: names, reasons and provider texts come from outside and may hold markup.
env = Environment(loader=FileSystemLoader(HTML_DIR), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True)


def utc(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def local(moment: datetime | None, tz: str | None) -> str:
    """'Tue 2026-12-01 10:00 EST' in `tz` (the business's zone when None)."""
    if moment is None:
        return "—"
    return fmt_local(moment, tz or get_settings().business_tz)


def money(value: Decimal | int | None) -> str:
    """'$425,000' (cents only when there are any); '—' when unknown."""
    return "—" if value is None else money_text(value)


def pct(value: float | None, digits: int = 1) -> str:
    """'12.5 %'; '—' when there was nothing to count (never a misleading 0 %)."""
    return "—" if value is None else f"{value * 100:.{digits}f} %"


def ago(moment: datetime | None) -> str:
    """'12 min ago', '3 h ago', '2 days ago'."""
    if moment is None:
        return "—"
    seconds = max(0, int((now() - moment).total_seconds()))
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{seconds // 60} min ago"
    if seconds < 36 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


env.filters.update(utc=utc, local=local, money=money, pct=pct, ago=ago)
# The languages a lead can read (the lead page's language form, the templates page).
env.globals["languages"] = LANGUAGES


def render(name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Page `name` with `now`, the business's zone and the request's principal (who is signed in,
    the CSRF token its forms carry) added to its context."""
    principal = current_principal()
    context.setdefault("principal", principal)
    context.setdefault("csrf_token", principal.csrf_token if principal else None)
    html = env.get_template(name).render(now=now(), business_tz=get_settings().business_tz, **context)
    return HTMLResponse(html, status_code=status_code)
