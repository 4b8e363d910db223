"""`nurture schedule preview|lint`: a lead's planned timeline, and a check of schedules/."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nurture.cli.common import console, err_console, fail, out, print_json
from nurture.clock import now as clock_now
from nurture.config import Settings, get_settings
from nurture.db import session_scope
from nurture.geo import derive_timezone, zip_info
from nurture.intake.leads import lead_by_id
from nurture.intake.schema import normalize_phone, parse_money, plausible_dates
from nurture.law import LeadRules, Rulebook
from nurture.localtime import fmt_local, zone
from nurture.models import ForeclosureStage, Hardship, Lead, PaymentStatus
from nurture.plans.planner import PastMessage, Plan, plan
from nurture.plans.replan import allowed_channels, history_of, lead_rules
from nurture.plans.sequences import (
    Catalog,
    Problem,
    SequenceError,
    default_catalog,
    load_catalog,
)
from nurture.published import overlay
from nurture.text_rules import shown, text_problem

app = typer.Typer(no_args_is_help=True)

#: Characters of a sale date's reason (Lead.sale_date_reason holds as many).
REASON_MAX = 300

# Timelines are wide: printed at least this wide even when piped (rich assumes 80 columns then).
WIDTH = 170


def _wide() -> Console:
    return console if console.is_terminal and console.width >= WIDTH else Console(width=WIDTH)

def timezone_for(state: str | None, zip_code: str | None, phone: str | None = None) -> str | None:
    """The lead's IANA zone, by intake's rule (ZIP, else the phone's area code, else the state's main
    zone; None when none says)."""
    return derive_timezone(zip_code, phone, state)


def _catalog() -> Catalog:
    try:
        return default_catalog()
    except SequenceError as exc:
        fail(f"schedules are not valid:\n{exc}")


def _check_plausible(day: date, value: str, what: str) -> None:
    """Fail unless `day` is within intake's plausible dates: outside them the planner's arithmetic overflows."""
    earliest, latest = plausible_dates(clock_now().date())
    if not earliest <= day <= latest:
        fail(f"{what} {value!r} is not between {earliest} and {latest}")


def _parse_date(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(f"{what} {value!r} is not a date like 2026-12-10")
    _check_plausible(day, value, what)
    return day


def _parse_moment(value: str | None, what: str, tz_name: str) -> datetime | None:
    """An ISO date-time; without an offset it is read in the lead's own zone."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{what} {value!r} is not a date-time like 2026-12-01T09:30 or 2026-12-01T14:30Z")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz_name))
    _check_plausible(moment.date(), value, what)
    return moment.astimezone(UTC)


def _cents(value: str | None, what: str) -> int | None:
    if value is None:
        return None
    try:
        return parse_money(value)
    except ValueError as exc:
        fail(f"{what} {value!r}: {exc}")


def _choice(value: str | None, allowed: type[StrEnum], what: str) -> str | None:
    if value is None:
        return None
    names = [m.value for m in allowed]
    if value not in names:
        fail(f"{what} {value!r} is not one of {', '.join(names)}")
    return value


@app.command("preview")
def preview(
    lead_id: int | None = typer.Option(None, "--lead", help="An existing lead's id."),
    sale_date: str | None = typer.Option(None, "--sale-date", help="Foreclosure sale date, YYYY-MM-DD."),
    sale_date_estimated: bool = typer.Option(
        False, "--sale-date-estimated",
        help="--sale-date is an estimate (the earliest the sale could be after a recorded notice), not a set date.",
    ),
    sale_date_reason: str | None = typer.Option(
        None, "--sale-date-reason", help="How the estimate was reached (with --sale-date-estimated), one line.",
    ),
    state: str | None = typer.Option(None, "--state", help="Property state, e.g. FL."),
    zip_code: str | None = typer.Option(None, "--zip", help="Property ZIP code (sets the time zone)."),
    phone: str | None = typer.Option(None, "--phone", help="The lead's phone: its area code's state and zones apply too."),
    mailing_state: str | None = typer.Option(None, "--mailing-state", help="Mailing address state: its rules apply too."),
    mailing_zip: str | None = typer.Option(None, "--mailing-zip", help="Mailing address ZIP: its state's rules and its zone apply too."),
    payment_status: str | None = typer.Option(None, "--payment-status", help="current, about_to_fall_behind, behind."),
    months_behind: int | None = typer.Option(None, "--months-behind", min=0),
    foreclosure_stage: str | None = typer.Option(None, "--foreclosure-stage", help="none, pre_foreclosure, notice_of_default, sale_scheduled."),
    hardship: list[str] = typer.Option([], "--hardship", help="A hardship (repeat for more)."),
    enrolled_at: str | None = typer.Option(None, "--enrolled-at", help="When the lead joins (ISO; lead's local time without an offset)."),
    balance: str | None = typer.Option(None, "--balance", help="Mortgage balance in dollars."),
    value: str | None = typer.Option(None, "--value", help="Estimated value in dollars."),
    channels: str = typer.Option("sms,email", "--channels", help="Channels the lead may get, comma-separated."),
    at: str | None = typer.Option(None, "--now", help="Stand at this moment instead of the clock (ISO)."),
    welcomed: bool = typer.Option(
        False, "--welcomed",
        help="The lead already got the welcome on each of --channels (at --enrolled-at): a lead we have been "
             "writing to, e.g. to see the closing email after a passed sale date.",
    ),
    postponed_from: str | None = typer.Option(
        None, "--sale-postponed-from",
        help="The set sale date moved from this date to --sale-date (a postponement, learned at --now).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Print a lead's whole planned timeline: when (local and UTC), channel, template, tier, and why."""
    catalog = _catalog()
    history: list[PastMessage] = []
    if lead_id is not None:
        if welcomed or postponed_from is not None:
            fail("--welcomed and --sale-postponed-from are for a hypothetical lead: an existing lead has its own")
        lead, allowed, notes, history, moment, rules = _existing(lead_id, at)
    else:
        lead, allowed, moment = _hypothetical(
            sale_date, state, zip_code, payment_status, months_behind, foreclosure_stage, hardship,
            enrolled_at, balance, value, channels, at, phone=phone, mailing_state=mailing_state,
            mailing_zip=mailing_zip, sale_date_estimated=sale_date_estimated, sale_date_reason=sale_date_reason,
        )
        _postponed(lead, postponed_from, moment)
        if welcomed:
            joined = lead.enrolled_at or moment
            history = [PastMessage(step.id, seq.name, step.channel, joined, "delivered")
                       for seq in catalog.sequences for step in seq.steps if step.welcome and step.channel in allowed]
        notes = {c: "not in --channels" for c in ("sms", "email") if c not in allowed}
        # A hypothetical lead is planned without the database: declared blackouts are not applied.
        rules = Rulebook.from_settings().for_lead(lead, consented="sms" in allowed)
    result = plan(lead, catalog, moment, channels=allowed, history=history, channel_notes=notes, rules=rules)
    today = moment.astimezone(zone(lead.timezone)).date()
    if as_json:
        print_json(_as_json(lead, result, history, moment) | {"rules": rules.as_dict(today)})
        return
    _print(lead, result, history, moment, rules.describe(today))


def _existing(
    lead_id: int, at: str | None,
) -> tuple[Lead, set[str], dict[str, str], list[PastMessage], datetime, LeadRules]:

    with session_scope() as session:
        lead = lead_by_id(session, lead_id)
        if lead is None:
            fail(f"no lead with id {lead_id}")
        moment = _parse_moment(at, "--now", lead.timezone) or clock_now()
        allowed, notes = allowed_channels(session, lead)
        history = history_of(session, lead_id)
        rules = lead_rules(session, lead, moment)
        session.expunge(lead)
    return lead, allowed, notes, history, moment, rules


def _hypothetical(
    sale_date: str | None, state: str | None, zip_code: str | None, payment_status: str | None,
    months_behind: int | None, foreclosure_stage: str | None, hardship: list[str], enrolled_at: str | None,
    balance: str | None, value: str | None, channels: str, at: str | None, *, phone: str | None = None,
    mailing_state: str | None = None, mailing_zip: str | None = None, sale_date_estimated: bool = False,
    sale_date_reason: str | None = None,
) -> tuple[Lead, set[str], datetime]:
    state, zip_code = _checked_place(state, zip_code, "--")
    mailing_state, mailing_zip = _checked_place(mailing_state, mailing_zip, "--mailing-")
    if phone is not None:
        try:
            phone = normalize_phone(phone)
        except ValueError as exc:
            fail(f"--phone: {exc}")
    tz_name = timezone_for(state, zip_code, phone)
    sale = _parse_date(sale_date, "--sale-date")
    reason = _estimate_reason(sale, sale_date_estimated, sale_date_reason)
    for h in hardship:
        _choice(h, Hardship, "--hardship")
    allowed = {c.strip() for c in channels.split(",") if c.strip()}
    unknown = allowed - {"sms", "email"}
    if unknown:
        fail(f"--channels: unknown channel {', '.join(sorted(unknown))} (sms, email)")
    joined = _parse_moment(enrolled_at, "--enrolled-at", tz_name)
    moment = _parse_moment(at, "--now", tz_name) or joined or clock_now()
    lead = Lead(
        first_name="Preview",
        state=state,
        zip=zip_code,
        phone=phone,
        mailing_state=mailing_state,
        mailing_zip=mailing_zip,
        timezone=tz_name,
        sale_date=sale,
        sale_date_estimated=sale_date_estimated,
        sale_date_reason=reason,
        payment_status=_choice(payment_status, PaymentStatus, "--payment-status"),
        months_behind=months_behind,
        foreclosure_stage=_choice(foreclosure_stage, ForeclosureStage, "--foreclosure-stage")
        or _stage_of(sale, estimated=sale_date_estimated),
        hardships=list(hardship),
        mortgage_balance_cents=_cents(balance, "--balance"),
        estimated_value_cents=_cents(value, "--value"),
        enrolled_at=joined or moment,
        status="active",
    )
    return lead, allowed, moment


def _postponed(lead: Lead, value: str | None, moment: datetime) -> None:
    """Set a hypothetical lead's postponement (--sale-postponed-from), checked as intake's rule has it."""
    moved_from = _parse_date(value, "--sale-postponed-from")
    if moved_from is None:
        return
    if lead.sale_date is None or lead.sale_date_estimated:
        fail("--sale-postponed-from needs --sale-date, the set date the sale moved to (not an estimate)")
    if moved_from >= lead.sale_date:
        fail(f"--sale-postponed-from {moved_from} is not before --sale-date {lead.sale_date}: "
             "only a move to a later date is a postponement")
    lead.sale_postponed_from, lead.sale_postponed_at = moved_from, moment


def _estimate_reason(sale: date | None, estimated: bool, reason: str | None) -> str | None:
    """The reason of an estimated sale date, checked as a stored one is; fails on a flag without its date."""
    if estimated and sale is None:
        fail("--sale-date-estimated needs --sale-date (the estimated date)")
    if reason is None:
        return None
    if not estimated:
        fail("--sale-date-reason is only for an estimated date: add --sale-date-estimated")
    problem = text_problem(reason, max_len=REASON_MAX)
    if problem is not None:
        fail(f"--sale-date-reason {shown(reason)} {problem}")
    return reason.strip() or None


def _stage_of(sale: date | None, *, estimated: bool) -> str:
    """The stage a hypothetical lead is in when --foreclosure-stage does not say: an estimated date
    comes from a recorded notice of default, a set one means a sale is scheduled."""
    if sale is None:
        return "none"
    return "notice_of_default" if estimated else "sale_scheduled"


def _sale_words(lead: Lead) -> str:
    """'sale 2026-12-20', 'sale 2027-01-21 (estimate: <reason>)' or 'no sale date'."""
    if lead.sale_date is None:
        return "no sale date"
    if not lead.sale_date_estimated:
        return f"sale {lead.sale_date}"
    reason = lead.sale_date_reason or "the earliest the sale could be; no reason recorded"
    return f"sale {lead.sale_date} (estimate: {reason})"


def _checked_place(state: str | None, zip_code: str | None, flag: str) -> tuple[str | None, str | None]:
    """A state and ZIP given as `{flag}state` and `{flag}zip`, checked as intake checks them; a ZIP
    alone brings its state (as intake does: its state's rules apply)."""
    if state is not None and (len(state) != 2 or not state.isalpha()):
        fail(f"{flag}state {state!r} is not a two-letter state code")
    state = state.upper() if state else None
    if zip_code is not None and not (zip_code.isascii() and zip_code.replace("-", "").isdecimal()):
        fail(f"{flag}zip {zip_code!r} is not a ZIP code like 33101")  # the ZIP library panics on other digits
    if zip_code is not None:
        info = zip_info(zip_code[:5])
        if info is None:
            fail(f"{flag}zip {zip_code!r} is not a known US ZIP code")
        if state is not None and info["state"] != state:
            fail(f"{flag}zip {zip_code} is in {info['state']}, not {state}")
        state = info["state"]
    return state, zip_code


def _as_json(lead: Lead, result: Plan, history: list[PastMessage], moment: datetime) -> dict[str, Any]:
    tz = zone(lead.timezone)
    return {
        "lead": {
            "id": lead.id, "state": lead.state, "zip": lead.zip, "phone": lead.phone,
            "mailing_state": lead.mailing_state, "mailing_zip": lead.mailing_zip, "timezone": lead.timezone,
            "sale_date": lead.sale_date, "sale_date_estimated": bool(lead.sale_date_estimated),
            "sale_date_reason": lead.sale_date_reason, "payment_status": lead.payment_status,
            "months_behind": lead.months_behind, "foreclosure_stage": lead.foreclosure_stage,
            "hardships": lead.hardships, "status": lead.status, "enrolled_at": lead.enrolled_at,
            "sale_postponed_from": lead.sale_postponed_from, "sale_postponed_at": lead.sale_postponed_at,
        },
        "now": moment,
        "tier": result.tier,
        "lead_action": list(result.lead_action) if result.lead_action else None,
        "history": [
            {"sequence": h.sequence, "step": h.step, "channel": h.channel, "at": h.sent_at,
             "local": fmt_local(h.sent_at, tz), "state": h.state}
            for h in sorted(history, key=lambda h: h.sent_at)
        ],
        "messages": [
            {"due_at": m.due_at, "local": fmt_local(m.due_at, tz), "channel": m.channel, "template": m.template,
             "sequence": m.sequence, "step": m.step, "tier": m.tier, "deadline": m.deadline, "reason": m.reason}
            for m in result.messages
        ],
        "skipped": [
            {"sequence": s.sequence, "step": s.step, "channel": s.channel, "template": s.template, "reason": s.reason}
            for s in result.skipped
        ],
    }


def _print(lead: Lead, result: Plan, history: list[PastMessage], moment: datetime, rules: list[str]) -> None:
    tz = zone(lead.timezone)
    who = f"lead {lead.id}" if lead.id is not None else "hypothetical lead"
    sale = escape(_sale_words(lead))
    out(f"{who}: {lead.state or '?'} ({lead.timezone or 'zone unknown'}), {sale}, tier now [bold]{result.tier}[/bold], "
        f"at {fmt_local(moment, tz)}")
    for line in rules:
        out(f"  {line}", markup=False)
    if result.lead_action:
        out(f"[bold red]{result.lead_action[0]}[/bold red]: {result.lead_action[1]}")
    if history:
        past = Table(title="Already sent or queued", show_lines=False)
        for column in ("local time", "channel", "sequence/step", "state"):
            past.add_column(column)
        for h in sorted(history, key=lambda h: h.sent_at):
            past.add_row(fmt_local(h.sent_at, tz), h.channel, f"{h.sequence}/{h.step}", h.state)
        _wide().print(past)
    table = Table(title=f"Planned ({len(result.messages)})")
    for column in ("local time", "UTC", "channel", "template", "tier"):
        table.add_column(column, no_wrap=True)
    table.add_column("reason", overflow="fold", min_width=30)
    for m in result.messages:
        template = f"{m.template} [yellow]deadline[/yellow]" if m.deadline else m.template
        table.add_row(
            fmt_local(m.due_at, tz), m.due_at.strftime("%m-%d %H:%MZ"), m.channel, template, m.tier, m.reason
        )
    _wide().print(table)
    if result.skipped:
        skipped = Table(title=f"Not planned ({len(result.skipped)})")
        for column in ("sequence/step", "channel", "template", "reason"):
            skipped.add_column(column, overflow="fold")
        for s in result.skipped:
            skipped.add_row(f"{s.sequence}/{s.step}", s.channel, s.template, s.reason)
        _wide().print(skipped)


@app.command("lint")
def lint(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """Check every file in schedules/ (with the versions published in the console over them) against
    the tiers and the templates that exist."""
    settings = get_settings()
    effective = overlay.current(settings)
    try:
        catalog = load_catalog(effective.schedules, effective.templates)
    except SequenceError as exc:
        problems = [Problem(_as_files(p.file, effective, settings), p.step, _plain(p.message, effective, settings))
                    for p in exc.problems]
        if as_json:
            print_json({"ok": False, "problems": [{"file": p.file, "step": p.step, "problem": p.message}
                                                  for p in problems]})
        else:
            for problem in problems:
                err_console.print(str(problem), markup=False, highlight=False)
        raise typer.Exit(1) from None
    summary = [{"name": s.name, "file": _as_files(s.file, effective, settings), "steps": len(s.steps),
                "phase": s.phase} for s in catalog.sequences]
    if as_json:
        print_json({"ok": True, "tiers": list(catalog.urgency.names), "sequences": summary})
        return
    out(f"tiers: {', '.join(catalog.urgency.names)}")
    for s in summary:
        out(f"ok  {s['file']}: {s['name']}, {s['steps']} steps ({s['phase']})")


def _as_files(file: str, effective: overlay.Folders, settings: Settings) -> str:
    """A file of the schedules in effect named as the files folder's, "(published v3)" when the
    text is the console's."""
    try:
        name = Path(file).relative_to(effective.schedules).as_posix()
    except ValueError:
        return file
    published = {p.name: p.number for p in overlay.newest_published(settings.database_url) if p.kind == "schedule"}
    number = published.get(name)
    return str(Path(settings.schedules_dir) / name) + (f" (published v{number})" if number else "")


def _plain(message: str, effective: overlay.Folders, settings: Settings) -> str:
    """`message` with the folders in effect named as the files folders."""
    return (message.replace(str(effective.templates), str(settings.templates_dir))
            .replace(str(effective.schedules), str(settings.schedules_dir)))
