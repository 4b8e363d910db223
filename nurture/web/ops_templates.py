"""/ops/templates: for marketers, each template's results per channel and A/B variant over a chosen
window (sent, delivered, clicked, replied, opted out, converted, with rates and intervals), and a
preview of any template for any sample or real lead."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from nurture.content.languages import LANGUAGES
from nurture.console.abtest import MIN_SAMPLE
from nurture.clock import now
from nurture.config import get_settings
from nurture.console import windows
from nurture.console.results import template_results
from nurture.content import (
    SAMPLE_NAMES,
    RenderError,
    Rendered,
    TemplateStore,
    sample_leads,
    sample_tiers,
    split_variant,
    urgency_rules,
)
from nurture.content.sms import SMART, encoding_words, smart_would_help
from nurture.db import secret_key
from nurture.intake.leads import find_lead
from nurture.plans.urgency import Facts
from nurture.published import overlay
from nurture.web.responses import KEYED, answers
from nurture.web.auth import current_principal, refused_for, require
from nurture.web.deps import SessionDep
from nurture.web.pages import render

router = APIRouter(tags=["ops"], dependencies=[Depends(require("results"))], responses=KEYED)

#: The windows the page offers: value -> days (0: today).
WINDOWS = {"today": 0, "7d": 7, "30d": 30, "90d": 90}


def window_of(key: str, at: datetime) -> windows.Window:
    tz = get_settings().business_tz
    days = WINDOWS[key]
    return windows.today(at, tz) if days == 0 else windows.last_days(at, tz, days)


@router.get("/ops/templates", response_class=HTMLResponse, responses=answers(400))
def templates_page(session: SessionDep, window: str = Query("30d", json_schema_extra={"enum": list(WINDOWS)})
                   ) -> HTMLResponse:
    """Results per template and variant for messages sent in the window."""
    errors = []
    if window not in WINDOWS:
        errors.append(f"window: {window!r} is not one of {', '.join(WINDOWS)}")
        window = "30d"
    at = now()
    span = window_of(window, at)
    results = template_results(session, start=span.start, end=span.end, now=at)
    return render("templates.html", status_code=400 if errors else 200, section="templates", errors=errors,
                  window=window, windows=WINDOWS, span=span, results=results, min_sample=MIN_SAMPLE,
                  **_preview_choices())


def _preview_choices() -> dict[str, Any]:
    store = TemplateStore(overlay.templates_dir())
    return {"template_names": store.names(), "samples": SAMPLE_NAMES}


def _render_preview(session: Session, template: str, sample: str, lead_ref: str, at: datetime,
                    language: str = "") -> tuple[Rendered | None, str, list[str], int]:
    """The preview, whom it is for, what is wrong, and the page's status."""
    settings = get_settings()
    store = TemplateStore(overlay.templates_dir(settings))
    errors: list[str] = []
    if sample not in SAMPLE_NAMES:
        return None, "", [f"sample: {sample!r} is not a sample lead"], 400
    if language and language not in LANGUAGES:
        return None, "", [f"language: {language!r} is not one of {', '.join(LANGUAGES)}"], 400
    if not template:
        return None, "", [], 200  # nothing chosen yet: the page offers the choice
    if template not in store.names():
        return None, "", [f"template: {template!r} is not a template (choose one from the list)"], 400
    rules = urgency_rules(overlay.schedules_dir(settings))
    if lead_ref.strip():
        lead = find_lead(session, lead_ref.strip().removeprefix("#"))
        if lead is None:
            return None, "", [f"lead: no lead matches {lead_ref.strip()!r} (give an id, phone or email)"], 404
        tier = rules.tier_at(Facts.from_lead(lead), at) if rules is not None else None
        who = f"lead #{lead.id} {lead.full_name}"
    else:
        lead = sample_leads(at)[sample]
        tier = sample_tiers({sample: lead}, rules, at)[sample]
        who = f"sample lead {sample!r}"
    who += f", tier {tier} by the urgency rules" if tier else ", no tier (the urgency rules cannot be read)"
    try:
        rendered = store.render(template, lead, now=at, settings=settings, secret=secret_key(session), tier=tier,
                                first_sms=split_variant(template)[0] == "sms/welcome", language=language or None)
    except RenderError as exc:
        errors.append(str(exc))
        return None, who, errors, 400
    return rendered, who, errors, 200


def _templates_now(schema: dict[str, Any]) -> None:
    """The template parameter's values: the templates as loaded when the document is generated."""
    schema["enum"] = ["", *TemplateStore(overlay.templates_dir()).names()]  # "": the page offers the choice


@router.get("/ops/templates/preview", response_class=HTMLResponse, responses=answers(400, 404))
def preview_page(session: SessionDep, template: str = Query("", json_schema_extra=_templates_now),
                 sample: str = Query("critical", json_schema_extra={"enum": list(SAMPLE_NAMES)}),
                 lead: str = "",
                 language: str = Query("", json_schema_extra={"enum": ["", *LANGUAGES]},
                                       description="en or es; empty: the lead's (a sample's: en)")) -> HTMLResponse:
    """A template rendered for a sample lead (its tier from the urgency rules) or a real one. Its
    links are the real short links of a message not yet sent: following one counts nothing. Without
    a template, the page offers the choice; a lead reference that matches no lead is a 404 page."""
    principal = current_principal()
    if lead.strip() and principal is not None and not principal.may("leads"):  # a real lead is personal data
        return render("refused.html", status_code=403, title="Not allowed", what=refused_for(principal, "leads"))
    rendered, who, errors, status = _render_preview(session, template, sample, lead, now(), language)
    sms = rendered is not None and rendered.channel == "sms"
    return render("template_preview.html", status_code=status, section="templates",
                  template=template, sample=sample, lead=lead, language=language, rendered=rendered, who=who,
                  errors=errors,
                  encoding=encoding_words(rendered.text) if sms and rendered else None,
                  smart_hint=f"{{# encoding: {SMART} #}}" if sms and rendered and smart_would_help(rendered.text) else None,
                  **_preview_choices())
