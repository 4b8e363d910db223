"""What a draft in the console's editor would produce: a template's message for a sample (or real)
lead, or a sample lead's timeline under a draft schedule. Rendered in the authoring sandbox, the
published folders with the draft laid in, so the preview is what publishing would send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from nurture.config import Settings
from nurture.console.authoring import sandbox, template_of
from nurture.content import RenderError, TemplateStore, sample_leads, split_variant, urgency_rules
from nurture.content.languages import LANGUAGES
from nurture.content.sms import non_gsm_chars
from nurture.db import secret_key
from nurture.law import Rulebook
from nurture.localtime import fmt_local, zone
from nurture.models import Lead, stored_id
from nurture.plans.planner import plan
from nurture.plans.replan import allowed_channels, history_of, lead_rules
from nurture.plans.sequences import SequenceError, load_catalog_uncached
from nurture.plans.urgency import Facts

#: The channels a sample lead is planned with: both, as a lead who gave consent and both addresses.
SAMPLE_CHANNELS = frozenset({"sms", "email"})


@dataclass(frozen=True)
class Message:
    """A template rendered for one lead: what the lead would receive."""

    who: str
    channel: str
    language: str | None
    subject: str | None
    preheader: str | None
    text: str
    html: str | None
    segments: int | None
    encoding: str | None
    #: The characters of this text that make it UCS-2 (none when it goes as GSM-7).
    forcing: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """One planned message of a timeline, its time in the lead's zone and in UTC."""

    local: str
    utc: str
    channel: str
    template: str
    tier: str
    deadline: bool
    reason: str


@dataclass(frozen=True)
class Skipped:
    step: str
    channel: str
    template: str
    reason: str


@dataclass(frozen=True)
class Timeline:
    """A lead's plan under the draft schedules, from now on."""

    who: str
    tier: str
    rows: tuple[Row, ...]
    skipped: tuple[Skipped, ...]
    lead_action: str | None


@dataclass(frozen=True)
class Preview:
    """One of `message` or `timeline`, or `problem`: why the draft cannot be previewed."""

    message: Message | None = None
    timeline: Timeline | None = None
    problem: str | None = None


def preview(session: Session, kind: str, name: str, body: str, *, sample: str, lead: Lead | None,
            at: datetime, settings: Settings) -> Preview:
    """The draft `body` of file `name` previewed for `lead`, else for sample lead `sample`."""
    with sandbox(session, kind, name, body, settings) as folders:
        if kind == "template":
            return _message(session, name, folders.templates, folders.schedules, sample, lead, at, settings)
        return _timeline(session, folders.templates, folders.schedules, sample, lead, at, settings)


def _who(sample: str, lead: Lead | None) -> str:
    return f"lead #{lead.id} {lead.full_name}" if lead is not None else f"sample lead {sample!r}"


def _message(session: Session, name: str, templates: Path, schedules: Path, sample: str, lead: Lead | None,
             at: datetime, settings: Settings) -> Preview:
    language, template = template_of(name)
    reader = lead if lead is not None else sample_leads(at)[sample]
    rules = urgency_rules(schedules)
    tier = rules.tier_at(Facts.from_lead(reader), at) if rules is not None else None
    settings_here = settings.model_copy(update={"templates_dir": templates, "schedules_dir": schedules})
    try:
        rendered = TemplateStore(templates).translation(language).render(
            template, reader, now=at, settings=settings_here, secret=secret_key(session), tier=tier,
            first_sms=split_variant(template)[0] == "sms/welcome", language=language)
    except RenderError as exc:
        return Preview(problem=exc.problem if exc.line is None else f"line {exc.line}: {exc.problem}")
    who = _who(sample, lead) + (f", tier {tier}" if tier else "")
    who += f", in {LANGUAGES[rendered.language]}" if rendered.language in LANGUAGES else ""
    forcing = tuple(non_gsm_chars(rendered.text)) if rendered.channel == "sms" else ()
    return Preview(message=Message(
        who=who, channel=rendered.channel, language=rendered.language, subject=rendered.subject,
        preheader=rendered.preheader, text=rendered.text, html=rendered.html, segments=rendered.segments,
        encoding=rendered.encoding, forcing=forcing))


def _timeline(session: Session, templates: Path, schedules: Path, sample: str, real: Lead | None, at: datetime,
              settings: Settings) -> Preview:
    try:
        catalog = load_catalog_uncached(schedules, templates)
    except SequenceError as exc:
        return Preview(problem=f"the schedules cannot be loaded ({len(exc.problems)} problems, listed above)")
    if real is not None:  # as `nurture schedule preview --lead` plans an existing lead
        lead = real
        channels, notes = allowed_channels(session, lead)
        history = history_of(session, stored_id(lead))
        rules = lead_rules(session, lead, at, settings)
    else:
        lead = sample_leads(at)[sample]
        channels, notes, history = set(SAMPLE_CHANNELS), {}, []
        rules = Rulebook.from_settings(settings).for_lead(lead, consented=True)
    result = plan(lead, catalog, at, channels=channels, history=history, settings=settings, channel_notes=notes,
                  rules=rules)
    tz = zone(lead.timezone)
    rows = tuple(Row(local=fmt_local(m.due_at, tz), utc=m.due_at.strftime("%m-%d %H:%MZ"), channel=m.channel,
                     template=m.template, tier=m.tier, deadline=m.deadline, reason=m.reason)
                 for m in result.messages)
    skipped = tuple(Skipped(step=f"{s.sequence}/{s.step}", channel=s.channel, template=s.template, reason=s.reason)
                    for s in result.skipped)
    action = f"{result.lead_action[0]}: {result.lead_action[1]}" if result.lead_action else None
    who = _who(sample, real)
    return Preview(timeline=Timeline(who=who, tier=result.tier, rows=rows, skipped=skipped, lead_action=action))
