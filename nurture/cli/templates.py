"""`nurture templates lint|preview|export|import`: check the marketers' templates, show a message before
it goes out, and move the set in effect (files with the console's published versions over them) to
and from a folder (docs/publishing.md)."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from nurture.cli.common import actor, fail, print_json
from nurture.clock import now
from nurture.config import Settings, get_settings
from nurture.content import (
    SAMPLE_NAMES,
    Finding,
    Rendered,
    RenderError,
    TemplateStore,
    lint,
    sample_leads,
    sample_tiers,
    split_name,
    split_variant,
    urgency_rules,
)
from nurture import db
from nurture.console import authoring
from nurture.published import overlay
from nurture.content.languages import parse as parse_language
from nurture.content.sms import SMART, encoding_words, smart_would_help, sms_segments
from nurture.intake.leads import lead_by_id
from nurture.models import Lead, Message

app = typer.Typer(no_args_is_help=True)

# Sample leads are unsaved, so their links carry tokens for no real lead; any secret will do.
_PREVIEW_SECRET = "preview"


def out(text: str) -> None:
    # Not rich: lead data and template text may contain [brackets] that rich would read as markup.
    typer.echo(text)


@app.command("lint")
def lint_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as a JSON list.")] = False,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Templates folder (default: NURTURE_TEMPLATES_DIR with the versions "
                                                "published in the console over it).")
    ] = None,
) -> None:
    """Render every template for every sample lead; exit 1 if any error is found."""
    settings = get_settings()
    if directory is not None:
        folder = directory
        findings = lint(folder, settings)
    else:
        effective = overlay.current(settings)
        folder = effective.templates
        findings = [_as_files(f, effective, settings)
                    for f in lint(folder, settings.model_copy(update={"schedules_dir": effective.schedules}))]
    errors = sum(1 for f in findings if f.severity == "error")
    if as_json:
        print_json([f.to_dict() for f in findings])
    else:
        for finding in findings:
            out(str(finding))
        warnings = len(findings) - errors
        names = TemplateStore(folder).names() if folder.is_dir() else []
        variants = sum(1 for name in names if split_variant(name)[1] is not None)
        count = f"{len(names) - variants} templates" + (f" and {variants} variant(s)" if variants else "")
        out(f"{count} in {directory or settings.templates_dir}{_published_note(settings)}: "
            f"{errors} error(s), {warnings} warning(s)")
    if errors:
        raise typer.Exit(1)


def _published(settings: Settings) -> dict[tuple[str, str], int]:
    """(kind, file name) -> the number of its newest published version."""
    return {(p.kind, p.name): p.number for p in overlay.newest_published(settings.database_url)}


def _published_note(settings: Settings) -> str:
    count = sum(1 for kind, _ in _published(settings) if kind == "template")
    return f" (with {count} published version(s) over it)" if count else ""


def _as_files(finding: Finding, effective: overlay.Folders, settings: Settings) -> Finding:
    """A finding of the set in effect named as the files folder's file, "(published v3)" when the text
    linted is the console's."""
    path = Path(finding.file)
    try:
        name = path.relative_to(effective.templates).as_posix()
    except ValueError:
        return finding
    number = _published(settings).get(("template", name))
    shown = str(Path(settings.templates_dir) / name) + (f" (published v{number})" if number else "")
    return Finding(shown, finding.line, finding.severity, finding.problem)


def _resolve_name(name: str) -> str:
    cleaned = name.strip().removeprefix("templates/")
    for suffix in (".txt", ".md"):
        cleaned = cleaned.removesuffix(suffix)
    try:
        split_name(cleaned)
    except ValueError as exc:
        fail(str(exc))
    return cleaned


@app.command("preview")
def preview_cmd(
    name: Annotated[str, typer.Argument(help="Template name, e.g. sms/welcome or email/negative_equity.")],
    lead_id: Annotated[int | None, typer.Option("--lead", help="Render for this lead from the database.")] = None,
    sample: Annotated[
        str | None,
        typer.Option("--sample", help=f"Render for a built-in sample lead: {', '.join(SAMPLE_NAMES)} "
                    "(its tier is what the urgency rules give it)."),
    ] = None,
    tier: Annotated[str | None, typer.Option("--tier", help="Urgency tier the template sees.")] = None,
    first_sms: Annotated[bool, typer.Option("--first-sms", help="Render as the lead's first SMS.")] = False,
    html_out: Annotated[Path | None, typer.Option("--html-out", help="Write the email's HTML part here.")] = None,
    language: Annotated[str | None, typer.Option(
        "--language", help="Render in this language (en, es): its folder's file (templates/es/...), English when "
                           "it has none. Default: the lead's language (a sample's: en).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rendered message as JSON.")] = False,
) -> None:
    """Show a message as a lead would get it: subject, text, and SMS segments and encoding."""
    settings = get_settings()
    template = _resolve_name(name)
    if language is not None:
        try:
            language = parse_language(language)
        except ValueError as exc:
            fail(f"--language: {exc}")
    if lead_id is not None and sample is not None:
        fail("give --lead or --sample, not both")
    at = now()
    store = TemplateStore(overlay.templates_dir(settings))
    try:
        if lead_id is not None:
            rendered, estimate = _render_for_lead(
                store, template, lead_id, settings=settings, at=at, tier=tier, first_sms=first_sms, language=language
            )
            who = f"lead {lead_id}{estimate}"
        else:
            key = sample or "critical"
            leads = sample_leads(at)
            if key not in leads:
                fail(f"unknown sample {key!r}; choose one of {', '.join(leads)}")
            ruled = sample_tiers({key: leads[key]}, urgency_rules(overlay.schedules_dir(settings)), at)[key]
            rendered = store.render(
                template,
                leads[key],
                now=at,
                settings=settings,
                secret=settings.secret_key or _PREVIEW_SECRET,
                tier=tier or ruled,
                first_sms=first_sms or template == "sms/welcome",
                language=language,
            )
            shown_tier = f"tier {tier} (as asked)" if tier else f"tier {ruled} by the urgency rules"
            who = f"sample lead {key!r}, {shown_tier}{_estimate_note(leads[key])}"
    except RenderError as exc:
        fail(str(exc))
    if html_out is not None:
        if rendered.html is None:
            fail(f"{template} is an SMS: it has no HTML part")
        html_out.write_text(rendered.html, encoding="utf-8")
    if as_json:
        data = asdict(rendered)
        if rendered.channel == "sms":  # the characters that make it UCS-2 (none for GSM-7)
            data["non_gsm_chars"] = list(sms_segments(rendered.text).non_gsm_chars)
        print_json(data)
        return
    _print(rendered, who, html_out)


def _render_for_lead(
    store: TemplateStore,
    template: str,
    lead_id: int,
    *,
    settings: Settings,
    at: datetime,
    tier: str | None,
    first_sms: bool,
    language: str | None = None,
) -> tuple[Rendered, str]:
    """The message for a lead of the database, and the note on its sale date when it is an estimate."""
    with db.session_scope() as session:
        lead = lead_by_id(session, lead_id)
        if lead is None:
            fail(f"no lead with id {lead_id}")
        secret = db.secret_key(session)
        if tier is None:
            # The tier the planner last gave this lead's messages, so the preview matches what goes out.
            latest = select(Message.tier).where(Message.lead_id == lead_id).order_by(Message.due_at.desc())
            tier = session.exec(latest).first()
        rendered = store.render(
            template, lead, now=at, settings=settings, secret=secret, tier=tier, first_sms=first_sms,
            language=language,
        )
        return rendered, _estimate_note(lead)


def _estimate_note(lead: Lead) -> str:
    """', sale date 2027-01-21 is an estimate (<reason>)' for a lead whose sale date is one; '' otherwise."""
    if lead.sale_date is None or not lead.sale_date_estimated:
        return ""
    return f", sale date {lead.sale_date} is an estimate ({lead.sale_date_reason or 'no reason recorded'})"


def _print(rendered: Rendered, who: str, html_out: Path | None) -> None:
    out(f"template: {rendered.template} (version {rendered.version}) for {who}, in {rendered.language}")
    if rendered.channel == "sms":
        out(f"sms: {rendered.segments} segment(s), {encoding_words(rendered.text)}, {len(rendered.text)} characters")
        if smart_would_help(rendered.text):
            out(f"Twilio's look-alikes would make it GSM-7: add {{# encoding: {SMART} #}} as the template's first line")
    else:
        out(f"subject: {rendered.subject}")
        out(f"preheader: {rendered.preheader}")
        where = f"written to {html_out}" if html_out else "not shown; write it with --html-out FILE"
        out(f"html: {len(rendered.html or '')} characters, {where}")
    out("-" * 60)
    out(rendered.text)


#: The two folders of an exported set, under its folder.
FOLDERS = {"template": "templates", "schedule": "schedules"}


@app.command("export")
def export_cmd(
    target: Annotated[Path, typer.Argument(help="The folder to write: DIR/templates and DIR/schedules.")],
    force: Annotated[bool, typer.Option("--force", help="Write into a folder that is not empty.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Write the templates and schedules in effect (the files, with the console's published versions
    over them) to a folder, to commit to git or to `templates import` elsewhere."""
    settings = get_settings()
    if target.exists() and not target.is_dir():
        fail(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        fail(f"{target} is not empty; give --force to write into it (files of the same name are replaced)")
    effective = overlay.current(settings)
    written: dict[str, int] = {}
    for kind, sub in FOLDERS.items():
        source = effective.templates if kind == "template" else effective.schedules
        destination = target / sub
        shutil.copytree(source, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        written[sub] = sum(1 for p in destination.rglob("*") if p.is_file())
    published = sorted(_published(settings).items())
    if as_json:
        print_json({"dir": str(target), "files": written,
                    "published": [{"kind": k, "name": n, "version": v} for (k, n), v in published]})
        return
    out(f"wrote {written['templates']} template file(s) and {written['schedules']} schedule file(s) to {target}")
    for (kind, name), number in published:
        out(f"  {FOLDERS[kind]}/{name}: published v{number} (the console's text, not the file's)")


@app.command("import")
def import_cmd(
    source: Annotated[Path, typer.Argument(help="A folder with templates/ and schedules/ (as `templates export` "
                                                "writes it).")],
    note: Annotated[str, typer.Option("--note", help="The note each published version carries.")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and say what would be published; publish "
                                                            "nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was published (or would be) as JSON.")] = False,
) -> None:
    """Publish every file of the folder that differs from what is in effect, as the console does. All
    are checked first: when any has a lint error nothing is published."""
    settings = get_settings()
    if not source.is_dir():
        fail(f"{source} is not a folder")
    changed, ignored = _differences(source, settings)
    author = actor()
    with db.session_scope() as session:
        problems = []
        for kind, name, body in changed:
            result = authoring.check(session, kind, name, body, settings)
            problems += [(kind, name, finding) for finding in result.errors]
        if problems:
            for kind, name, finding in problems:
                where = f"{FOLDERS[kind]}/{name}" + (f":{finding.line}" if finding.line else "")
                typer.echo(f"{where}: error: {finding.message}", err=True)
            fail(f"{len(problems)} error(s) in {len({(k, n) for k, n, _ in problems})} file(s): nothing published")
        published = []
        for kind, name, body in changed:
            if dry_run:
                published.append({"kind": kind, "name": name, "version": None})
                continue
            version = authoring.publish_body(session, kind, name, body, author=author,
                                             note=note or f"imported from {source}", settings=settings)
            published.append({"kind": kind, "name": name, "version": version.number})
    if as_json:
        print_json({"dry_run": dry_run, "published": published, "ignored": ignored})
        return
    for reason in ignored:
        out(f"ignored: {reason}")
    verb = "would publish" if dry_run else "published"
    for p in published:
        out(f"{verb} {FOLDERS[p['kind']]}/{p['name']}" + (f" as v{p['version']}" if p["version"] else ""))
    out(f"{len(published)} file(s) {verb}" if published
        else "nothing differs from what is in effect: nothing published")


def _differences(source: Path, settings: Settings) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(kind, name, text) of each file of `source` whose text differs from the one in effect, and
    why the others that are not editable files were left out."""
    changed: list[tuple[str, str, str]] = []
    ignored: list[str] = []
    for kind, sub in FOLDERS.items():
        folder = source / sub
        if not folder.is_dir():
            ignored.append(f"{folder}: no such folder")
            continue
        editable = set(authoring.files(kind, settings))
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            name = path.relative_to(folder).as_posix()
            try:
                body = path.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                fail(f"{path}: cannot be read as UTF-8 text: {exc}")
            if name not in editable:
                if body != _in_effect(kind, name, settings):
                    ignored.append(f"{sub}/{name}: not a file the console publishes (a new file or a layout "
                                   "goes into the files folder itself)")
                continue
            if body != authoring.effective_body(kind, name, settings):
                changed.append((kind, name, body))
    return changed, ignored


def _in_effect(kind: str, name: str, settings: Settings) -> str | None:
    folder = overlay.current(settings)
    path = (folder.templates if kind == "template" else folder.schedules) / name
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
