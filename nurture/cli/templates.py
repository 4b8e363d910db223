"""`nurture templates lint|preview`: check the marketers' templates and show a message before it goes out."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from nurture.cli.common import fail, print_json
from nurture.clock import now
from nurture.config import Settings, get_settings
from nurture.content import (
    SAMPLE_NAMES,
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
        Path | None, typer.Option("--dir", help="Templates folder (default: NURTURE_TEMPLATES_DIR).")
    ] = None,
) -> None:
    """Render every template for every sample lead; exit 1 if any error is found."""
    settings = get_settings()
    folder = directory or settings.templates_dir
    findings = lint(folder, settings)
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
        out(f"{count} in {folder}: {errors} error(s), {warnings} warning(s)")
    if errors:
        raise typer.Exit(1)


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
    store = TemplateStore(settings.templates_dir)
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
            ruled = sample_tiers({key: leads[key]}, urgency_rules(settings.schedules_dir), at)[key]
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
