"""`nurture leads add|import|show|update`: the CLI door to intake."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text
from rich.table import Table
from sqlmodel import Session

from nurture.law import consent as ledger
from nurture.intake import csv_import
from nurture.intake import status as lead_status
from nurture.cli.common import actor, console, dollars, err_console, fail, out, print_json
from nurture.clock import now
from nurture.config import get_settings
from nurture.intake.csv_import import CsvFileError, ImportInterrupted, ImportReport, import_text, listed, open_csv_file
from nurture.db import get_engine, session_scope
from nurture.intake.leads import IntakeError, UpsertResult, consent_ledger, find_lead, proposed_changes, update_lead, upsert_lead
from nurture.errors import InputError
from nurture.intake.lists import ListFileError, ListReport, import_list, list_summary
from nurture.intake.profiles import Profile, available_profiles, detect, load_profile
from nurture.intake.schema import FILE_EVIDENCE, parse_date
from nurture.text_rules import clip
from nurture.models import Lead
from nurture.intake.serialize import lead_json
from nurture.plans import replan as planning
from nurture.localtime import zone

app = typer.Typer(no_args_is_help=True)

# Options shared by `add` and `update`; each maps to a path in the intake body.
FirstName = Annotated[str | None, typer.Option("--first-name", help="First name (required for a new lead).")]
LastName = Annotated[str | None, typer.Option("--last-name")]
Email = Annotated[str | None, typer.Option("--email")]
Phone = Annotated[str | None, typer.Option("--phone", help="US phone in any format; stored as E.164.")]
Street = Annotated[str | None, typer.Option("--street", help="Property street address.")]
City = Annotated[str | None, typer.Option("--city")]
State = Annotated[str | None, typer.Option("--state", help="Property state, two letters (FL).")]
Zip = Annotated[str | None, typer.Option("--zip", help="Property ZIP; sets the lead's time zone.")]
MailingStreet = Annotated[str | None, typer.Option("--mailing-street", help="Mailing street address, when not the property's.")]
MailingCity = Annotated[str | None, typer.Option("--mailing-city")]
MailingState = Annotated[str | None, typer.Option("--mailing-state", help="Mailing state, two letters; its rules apply too.")]
MailingZip = Annotated[str | None, typer.Option("--mailing-zip", help="Mailing ZIP; its state's rules and its zone apply too.")]
Balance = Annotated[str | None, typer.Option("--balance", help="Mortgage balance, e.g. 425000.00.")]
Value = Annotated[str | None, typer.Option("--value", help="Estimated home value.")]
Payment = Annotated[str | None, typer.Option("--payment-status", help="current, about_to_fall_behind or behind.")]
Months = Annotated[int | None, typer.Option("--months-behind")]
Hardship = Annotated[list[str] | None, typer.Option("--hardship", help="Repeatable: job_loss, divorce, medical, adjustable_rate_increase, rental_loss, other.")]
Stage = Annotated[str | None, typer.Option("--stage", help="Foreclosure stage: none, pre_foreclosure, notice_of_default, sale_scheduled.")]
SaleDate = Annotated[str | None, typer.Option("--sale-date", help="Foreclosure sale date, 2026-12-10.")]
ConsentText = Annotated[str | None, typer.Option("--sms-consent-text", help="The exact consent wording the lead agreed to; records an SMS consent grant (with --sms-consent-source-url).")]
ConsentUrl = Annotated[str | None, typer.Option("--sms-consent-source-url", "--sms-consent-url", help="The page where the lead gave the consent (required with a grant).")]
ConsentIp = Annotated[str | None, typer.Option("--sms-consent-ip", help="The IP address the lead gave the consent from.")]
ConsentAt = Annotated[str | None, typer.Option("--sms-consent-at", help="When the lead gave it (ISO 8601 with its zone); default: now.")]
ConsentGranted = Annotated[str | None, typer.Option("--sms-consent-granted", help="yes (with --sms-consent-text) grants; no revokes the lead's SMS consent.")]
Source = Annotated[str | None, typer.Option("--source")]
ExternalId = Annotated[str | None, typer.Option("--external-id", help="The lead's id in your CRM.")]
Language = Annotated[str | None, typer.Option("--language", help="The language the lead reads: en or es (Spanish); its messages follow.")]
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _body(**opts: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    simple = ("first_name", "last_name", "email", "phone", "payment_status", "months_behind", "source", "external_id",
              "language")
    for key in simple:
        if opts.get(key) is not None:
            body[key] = opts[key]
    if opts.get("balance") is not None:
        body["mortgage_balance"] = opts["balance"]
    if opts.get("value") is not None:
        body["estimated_value"] = opts["value"]
    if opts.get("hardship"):
        body["hardships"] = opts["hardship"]
    prop = {k: opts[k] for k in ("street", "city", "state", "zip") if opts.get(k) is not None}
    if prop:
        body["property"] = prop
    mailing = {k: opts[f"mailing_{k}"] for k in ("street", "city", "state", "zip") if opts.get(f"mailing_{k}") is not None}
    if mailing:
        body["mailing_address"] = mailing
    fc = {}
    if opts.get("stage") is not None:
        fc["stage"] = opts["stage"]
    if opts.get("sale_date") is not None:
        fc["sale_date"] = opts["sale_date"]
    if fc:
        body["foreclosure"] = fc
    granted = opts.get("sms_consent_granted")
    if granted is not None:
        low = granted.strip().lower()
        granted = True if low in csv_import.TRUE_WORDS else False if low in csv_import.FALSE_WORDS else granted
    consent = {k: opts.get(f"sms_consent_{k}") for k in ("text", "source_url", "ip", "at")
               if opts.get(f"sms_consent_{k}") is not None}
    if granted is not None or consent:
        body["sms_consent"] = {"granted": True if granted is None else granted, **consent}
    return body


def _warn(result: UpsertResult) -> None:
    if result.held:
        err_console.print(f"warning: held for ops as a proposed change (not applied): {', '.join(result.held)}; "
                          "apply it with `nurture leads update`", markup=False, highlight=False)
    if result.refused:
        err_console.print(f"warning: SMS consent {result.refused}", markup=False, highlight=False)


def _fail_intake(exc: IntakeError) -> None:
    fail("the lead was not saved:\n" + "\n".join(f"  {e.field}: {e.message}" for e in exc.errors))


@app.command("add")
def add(
    first_name: FirstName = None, last_name: LastName = None, email: Email = None, phone: Phone = None,
    street: Street = None, city: City = None, state: State = None, zip: Zip = None,
    mailing_street: MailingStreet = None, mailing_city: MailingCity = None, mailing_state: MailingState = None,
    mailing_zip: MailingZip = None,
    balance: Balance = None, value: Value = None, payment_status: Payment = None, months_behind: Months = None,
    hardship: Hardship = None, stage: Stage = None, sale_date: SaleDate = None,
    sms_consent_text: ConsentText = None, sms_consent_source_url: ConsentUrl = None,
    sms_consent_ip: ConsentIp = None, sms_consent_at: ConsentAt = None, sms_consent_granted: ConsentGranted = None,
    source: Source = None, external_id: ExternalId = None, language: Language = None, json: JsonOut = False,
) -> None:
    """Add a lead (or update the one with the same phone or email). A name and a phone or email are required.

    A phone that matches a lead with another email (or the reverse) does not change that lead's
    name, phone or email: they are held for ops as a proposed change (see `leads show`)."""
    body = _body(**locals())
    try:
        with session_scope() as session:
            result = upsert_lead(session, body, method="cli", now=now(), consent_evidence=FILE_EVIDENCE,
                                 recorded_by=actor())
            data = lead_json(result.lead, consent_ledger(session, result.lead.id))
    except IntakeError as exc:
        _fail_intake(exc)
    _warn(result)
    if json:
        print_json(data | {"created": result.created, "held_for_review": result.held,
                           "sms_consent_refused": result.refused})
    else:
        out(f"{'created' if result.created else 'updated'} lead #{data['id']} {result.lead.full_name}")


@app.command("update")
def update(
    ref: Annotated[str, typer.Argument(help="Lead id, phone or email.")],
    first_name: FirstName = None, last_name: LastName = None, email: Email = None, phone: Phone = None,
    street: Street = None, city: City = None, state: State = None, zip: Zip = None,
    mailing_street: MailingStreet = None, mailing_city: MailingCity = None, mailing_state: MailingState = None,
    mailing_zip: MailingZip = None,
    balance: Balance = None, value: Value = None, payment_status: Payment = None, months_behind: Months = None,
    hardship: Hardship = None, stage: Stage = None, sale_date: SaleDate = None,
    sms_consent_text: ConsentText = None, sms_consent_source_url: ConsentUrl = None,
    sms_consent_ip: ConsentIp = None, sms_consent_at: ConsentAt = None, sms_consent_granted: ConsentGranted = None,
    source: Source = None, external_id: ExternalId = None, language: Language = None,
    status: Annotated[str | None, typer.Option("--status", help="active, paused, needs_human, converted, closed or legal_hold.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the status changed (kept in the log).")] = None,
    json: JsonOut = False,
) -> None:
    """Change a lead's facts or status; its planned messages follow the change."""
    opts = dict(locals())
    body = _body(**opts)
    if status is not None:
        body["status"] = status
        body["status_reason"] = reason
    if not body:
        fail("nothing to change: give at least one option (see --help)")
    try:
        with session_scope() as session:
            lead = find_lead(session, ref)
            if lead is None:
                fail(f"no lead matches {ref!r}")
            before, at = lead.status, now()
            result = update_lead(session, lead, body, method="cli", now=at, consent_evidence=FILE_EVIDENCE,
                                 recorded_by=actor())
            lead_status.log_change(session, lead, before, method="cli", now=at)
            data = lead_json(lead, consent_ledger(session, lead.id))
    except IntakeError as exc:
        _fail_intake(exc)
    _warn(result)
    if json:
        print_json(data | {"changed": sorted(result.changed)})
    elif result.changed:
        out(f"updated lead #{lead.id}: {', '.join(sorted(result.changed))}")
    else:
        out(f"lead #{lead.id} unchanged")


def ledger_line(c: dict[str, Any]) -> str:
    """One consent entry with its evidence, as `leads show` and `consent export` print it."""
    parts = [f"  #{c['id']} {c['recorded_at']}  {c['channel']} {c['action'].upper()} via {c['method']}"]
    if c.get("given_at") and c["given_at"] != c["recorded_at"]:
        parts.append(f"given {c['given_at']}")
    if c.get("recorded_by"):
        parts.append(f"recorded by {c['recorded_by']}")
    if c.get("source_url"):
        parts.append(f"at {c['source_url']}")
    if c.get("ip"):
        parts.append(f"from IP {c['ip']}")
    line = ", ".join(parts)
    if c.get("text"):
        line += f": \u201c{c['text']}\u201d"
    if c.get("note"):
        line += f" ({c['note']})"
    return line


def _rules(session: Session, lead: Lead) -> dict[str, Any]:
    """Which contact rules hold for the lead today, and where each came from."""

    moment = now()
    rules = planning.lead_rules(session, lead, moment)
    return rules.as_dict(moment.astimezone(zone(lead.timezone)).date())


def _channels(session: Session, lead: Lead) -> dict[str, str]:
    """Each channel: whether messages may go out on it, or why not."""
    allowed, notes = planning.allowed_channels(session, lead)
    return {c: ("messages may go out" if c in allowed else notes.get(c, "not allowed")) for c in ("sms", "email")}


def _timeline(session: Session, lead: Lead) -> list[dict[str, Any]]:

    return planning.timeline(session, lead, now())


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Lead id, phone or email.")],
    json: JsonOut = False,
) -> None:
    """Show a lead, its consent ledger and its message timeline."""
    with session_scope() as session:
        lead = find_lead(session, ref)
        if lead is None:
            fail(f"no lead matches {ref!r}")
        data = lead_json(lead, consent_ledger(session, lead.id))
        story = ledger.story(session, lead)
        data["consent_now"] = {"sms": story["sms_consent_now"], "email": story["email_now"]}
        data["texts_sent"] = story["texts"]
        data["proposed_changes"] = [
            {"field": p.field, "current": p.current_value, "proposed": p.proposed_value, "via": p.method,
             "recorded_by": p.recorded_by, "recorded_at": p.recorded_at.isoformat()}
            for p in proposed_changes(session, lead.id)]
        data["timeline"] = _timeline(session, lead)
        data["rules"] = _rules(session, lead)
        data |= list_summary(session, lead, text_litigators=get_settings().text_litigators)
        data["channels"] = _channels(session, lead)
    if json:
        print_json(data)
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    prop = data["property"]
    mailing = _address_line(data["mailing_address"])
    fc = data["foreclosure"]
    rows = [
        ("lead", f"#{data['id']} {lead.full_name} ({data['status']}"
                 + (f": {data['status_reason']}" if data["status_reason"] else "") + ")"),
        ("phone", data["phone"] or "-"), ("email", data["email"] or "-"),
        ("property", _address_line(prop) or "-"),
        *([("mailing address", mailing)] if mailing else []),
        ("time zone", data["timezone"] or "unknown: no ZIP, state or geographic area code (no texts until one is added)"),
        ("balance / value", f"{dollars(data['mortgage_balance'])} / {dollars(data['estimated_value'])}"
                            + (f" (gap {dollars(data['equity_gap'])})" if data["equity_gap"] else "")),
        ("payment", f"{data['payment_status'] or '?'}" + (f", {data['months_behind']} months behind" if data["months_behind"] else "")),
        ("hardships", ", ".join(data["hardships"]) or "-"),
        ("foreclosure", f"{fc['stage']}" + (f", sale {fc['sale_date']}" if fc["sale_date"] else "")
                        + (" (an estimate: the earliest it could be)" if fc["sale_date_estimated"] else "")),
        *([("sale date", fc["sale_date_reason"])] if fc["sale_date_reason"] else []),
        *([("parcel", data["parcel_number"])] if data["parcel_number"] else []),
        ("source", f"{data['source'] or '-'}" + (f" ({data['external_id']})" if data["external_id"] else "")),
        ("language", data["language"] + (f" ({data['language_reason']})" if data["language_reason"] else "")),
    ]
    for k, v in rows:
        table.add_row(f"[bold]{k}[/bold]", v)
    console.print(table)
    # One lead shown: its times in its own zone, each labelled (the business's zone without one).
    tz = lead.timezone
    out(f"times in {tz or get_settings().business_tz}"
        + (" (the lead's zone)" if tz else " (the business's zone: the lead's is unknown)"), markup=False)
    rules = data["rules"]
    out("\n[bold]rules[/bold]")
    out(f"  where: {rules['where']}", markup=False)
    out(f"  texts today: {rules['texts_today']}", markup=False)
    for law in rules["laws"]:
        out(f"  {law['state']}: {law['citation']} (reviewed {law['reviewed']}){law['applied']}", markup=False)
    out(f"  caps: {rules['caps']}; policy {rules['policy']}", markup=False)
    out("\n[bold]channels[/bold]")
    for channel, why in data["channels"].items():
        out(f"  {channel}: {why}", markup=False)
    if data["lists"]:
        out("\n[bold]lists[/bold]")
        for r in data["lists"]:
            record = ", ".join(f"{k.replace('_', ' ')} {r[k]}" for k in ("record_type", "recording_date", "auction_date",
                                                                           "case_number") if r[k])
            out(f"  {r['list']} ({r['vendor'] or r['profile']}, bought {r['purchased_on'] or '?'}): {record or 'no record'}",
                markup=False)
    if data["contacts"]:
        out("\n[bold]contacts from lists[/bold]")
        for c in data["contacts"]:
            flags = ", ".join(f for f, on in (("DNC", c["dnc"]), ("litigator", c["litigator"])) if on)
            kind = f"{c['kind']} {c['type']}" if c["type"] else c["kind"]
            out(f"  {c['address']} ({kind}{', ' + flags if flags else ''}): {c['status']}", markup=False)
    out("\n[bold]consent[/bold]")
    out(f"  texts now: {data['consent_now']['sms']}; email now: {data['consent_now']['email']}", markup=False)
    for c in data["consents"]:
        out(ledger_line(c), markup=False)
    grants = sum(1 for t in data["texts_sent"] if t["consent_id"])
    if data["texts_sent"]:
        out(f"  {len(data['texts_sent'])} text(s) sent, {grants} under a grant (details: nurture consent export "
            f"{data['id']})", markup=False)
    if data["proposed_changes"]:
        out("\n[bold]proposed changes (held for ops; apply with `nurture leads update`)[/bold]")
        for p in data["proposed_changes"]:
            out(f"  {p['recorded_at']}  {p['field']}: {p['current'] or '-'} -> {p['proposed'] or '-'} "
                f"(via {p['via']}{', ' + p['recorded_by'] if p['recorded_by'] else ''})", markup=False)
    out("\n[bold]timeline[/bold]")
    if not data["timeline"]:
        out("  nothing planned")
    table = Table(box=None, pad_edge=False)
    table.add_column("local time", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("channel", no_wrap=True)
    longest = max((len(item["template"]) for item in data["timeline"]), default=8)
    table.add_column("template", no_wrap=True, min_width=longest)  # never cut a template's name
    table.add_column("why")
    for item in data["timeline"]:
        table.add_row(item["local"], item["state"], item["channel"], item["template"], item.get("reason") or "")
    if data["timeline"]:
        console.print(table)


def _address_line(parts: dict[str, Any]) -> str:
    """An address on one line ("" when no part is known)."""
    return ", ".join(str(parts[k]) for k in ("street", "city", "state", "zip") if parts[k])


class _RowsPerSecond(ProgressColumn):
    """The import's speed so far, in rows per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "- rows/s")


def _progress(json: bool) -> Progress:
    return Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), _RowsPerSecond(),
                    TextColumn("ETA"), TimeRemainingColumn(),
                    console=console if not json else None, disable=json or not console.is_terminal, transient=True)


def _header(lines: TextIO) -> list[str]:
    """The file's header cells (the file is rewound)."""
    first = lines.readline()
    lines.seek(0)
    try:
        return [h.strip() for h in next(csv.reader([first.removeprefix("\ufeff")]))]
    except (csv.Error, StopIteration):
        return []


def _import_lines(path: Path, lines: Iterable[str], total: int, *, dry_run: bool, allow_unknown: bool,
                  update: bool, json: bool) -> tuple[ImportReport, ImportInterrupted | None]:
    """Import the file's lines behind a progress bar: the report, and the stop if Ctrl-C came."""
    engine = get_engine()
    with _progress(json) as bar:
        task = bar.add_task("rows", total=total)
        try:
            return import_text(lambda: Session(engine, expire_on_commit=False), lines, now=now(),
                               dry_run=dry_run, allow_unknown=allow_unknown, update=update,
                               progress=lambda n: bar.advance(task, n),
                               recorded_by=f"csv:{actor().removeprefix('cli:')} ({path.name})"), None
        except CsvFileError as exc:
            fail(f"{path}: {exc}")
        except ImportInterrupted as exc:
            return exc.report, exc


def _own_format(header: list[str]) -> bool:
    """Whether a header names only the intake's own columns."""
    return all(k in csv_import.COLUMNS for k in map(csv_import.header_key, header) if k)


def _import_list(path: Path, lines: TextIO, total: int, *, profile: Profile | None, profiles: list[Profile],
                 list_name: str, purchased_on: date, dry_run: bool, json: bool
                 ) -> tuple[ListReport, ImportInterrupted | None]:
    """Import a bought list behind a progress bar: the report, and the stop if Ctrl-C came."""
    engine = get_engine()
    with _progress(json) as bar:
        task = bar.add_task("rows", total=total)
        try:
            return import_list(lambda: Session(engine, expire_on_commit=False), lines, profile=profile,
                               profiles=profiles, list_name=list_name, purchased_on=purchased_on, now=now(),
                               dry_run=dry_run, progress=lambda n: bar.advance(task, n),
                               recorded_by=f"list:{actor().removeprefix('cli:')} ({path.name})",
                               text_litigators=get_settings().text_litigators), None
        except (ListFileError, CsvFileError) as exc:
            fail(f"{path}: {exc}")
        except ImportInterrupted as exc:
            return exc.report, exc  # type: ignore[return-value]  # import_list raises it with a ListReport


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV file; its first line names the columns: the intake's field names (nested ones joined with _), or a bought list's columns that an import profile maps (nurture profiles list).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and report, but save nothing.")] = False,
    allow_unknown: Annotated[bool, typer.Option("--allow-unknown", help="Import even if some columns are not known fields (they are reported and ignored).")] = False,
    no_update: Annotated[bool, typer.Option("--no-update", help="Leave leads that already exist (same phone or email) as they are; only add new ones.")] = False,
    profile: Annotated[str | None, typer.Option("--profile", help="Read the file as a bought list in this import profile's layout (a name from `nurture profiles list`, or a .yaml file). Without it, a file whose columns are not the intake's is matched to a profile by its header.")] = None,
    list_name: Annotated[str | None, typer.Option("--list", help="The bought list's name, kept on each of its leads (default: the file's name).")] = None,
    purchased_on: Annotated[str | None, typer.Option("--purchased-on", help="When the list was bought, 2026-12-01 (default: today).")] = None,
    json: JsonOut = False,
) -> None:
    """Import leads from a CSV file: good rows are saved, bad rows are reported with their line numbers.

    A bought pre-foreclosure list (ATTOM, DealMachine, BatchData, a county's notices...) is read
    through an import profile: each owner becomes one lead (the same owner in a later list adds its
    record and moves the stage and sale date forward), its recorded notice gives the stage and the
    sale date or an estimate of the earliest one, and its skip-traced phones and emails are kept, the
    lead texting only a mobile number not flagged Do-Not-Call, and only with the owner's consent."""
    # The file is read as its rows are imported (a batch at a time), never whole.
    try:
        lines, total = open_csv_file(path)
    except CsvFileError as exc:
        fail(str(exc))
    report: ImportReport
    with lines:
        chosen: Profile | None = None
        extra = get_settings().profiles_dir
        try:
            chosen = load_profile(profile, extra) if profile else None
            profiles = available_profiles(extra) if chosen is None else [chosen]
        except InputError as exc:
            fail(str(exc))
        header = _header(lines)
        bought = chosen is not None or (not _own_format(header) and detect(header, profiles).profile is not None)
        if bought:
            if no_update or allow_unknown:
                fail("--no-update and --allow-unknown are for files in the intake's own columns; a bought list "
                     "adds each row's record to the owner's lead and ignores the columns its profile does not map")
            try:
                day = parse_date(purchased_on) if purchased_on else now().date()
            except ValueError as exc:
                fail(f"--purchased-on: {exc}")
            name = clip(" ".join((list_name or path.stem).split()), 100)
            if not name:
                fail("--list: give the list a name")
            report, interrupted = _import_list(path, lines, total, profile=chosen, profiles=profiles, list_name=name,
                                               purchased_on=day, dry_run=dry_run, json=json)
        else:
            report, interrupted = _import_lines(path, lines, total, dry_run=dry_run, allow_unknown=allow_unknown,
                                                update=not no_update, json=json)
    if json:
        data = report.as_dict()
        if interrupted:
            data |= {"interrupted": True, "committed_through_line": interrupted.committed_through}
        print_json(data)
    else:
        verb = "would import" if dry_run else "imported"
        if interrupted:
            verb = (f"stopped after line {interrupted.committed_through}; "
                    + ("checked" if dry_run else "committed"))
        if isinstance(report, ListReport):
            how = "detected from its header" if report.detected else "as named"
            out(f"profile {report.profile} ({how}: {report.why}); list {report.list_name!r}", markup=False)
        out(f"{verb} {report.rows} rows from {path}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.failed_rows} refused")
        if isinstance(report, ListReport):
            out(f"{report.estimated} with an estimated sale date, {report.closed} closed (REO), "
                f"{report.no_textable_phone} with no number to text", markup=False)
        if interrupted and not dry_run:
            out(f"nothing after line {interrupted.committed_through} was saved; import the same file again to "
                "finish (rows already saved come back unchanged)")
        if report.ignored_columns:
            out(f"ignored unknown columns: {listed(report.ignored_columns)}")
        for line, err in report.errors:
            console.print(f"  line {line}: {err.field}: {err.message}", markup=False, highlight=False, style="red")
        for line, warning in report.warnings:
            console.print(f"  line {line}: {warning.field}: {warning.message}", markup=False, highlight=False,
                          style="yellow")
    if interrupted:
        raise typer.Exit(130)
    if report.errors:
        raise typer.Exit(1)
