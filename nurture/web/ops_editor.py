"""/ops/editor: marketers edit templates and schedules in the console (issue 27). The list of files
with their state, the edit page (lint and preview as they type: POST /ops/editor/check), drafts,
publish (refused while lint finds an error), discard, the history of published versions with their
diffs, and revert. The work is `console.authoring`'s; these routes only ask it and show the answer."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from nurture.clock import now
from nurture.config import get_settings
from nurture.console import authoring
from nurture.content import SAMPLE_NAMES
from nurture.intake.leads import find_lead
from nurture.models import Lead
from nurture.text_rules import clip, shown, text_problem
from nurture.web.auth import Principal, require
from nurture.web.deps import SessionDep, from_our_pages
from nurture.web.ops_editor_preview import Message, Preview, Timeline, preview
from nurture.web.pages import render
from nurture.web.responses import KEYED, answers
from nurture.web.schemas import text_pattern

router = APIRouter(tags=["ops"], responses=KEYED)

Kind = Literal["template", "schedule"]
Sample = Literal[SAMPLE_NAMES]  # type: ignore[valid-type]  # the sample leads, by name
#: Characters of a template or schedule: the longest shipped file is a few thousand. Kept so that one
#: character over it, each character written as JSON's longest escape (12 bytes), still fits in the
#: 1 MiB a request body may have: a body too long is refused by its field (422), not by the size (413).
BODY_MAX = 64_000
#: Characters of a note in the history, as ContentVersion.note keeps it.
NOTE_MAX = 500
#: Characters of a lead reference (an id, a phone or an email).
LEAD_REF_MAX = 254
#: Characters of a flash message shown back from the query.
DONE_MAX = 300
#: The versions a revert may name: 0 is the file's own text.
NUMBER_MAX = 1_000_000


def _files_now(schema: dict[str, Any]) -> None:
    """The name parameter's values: every template and schedule file when the document is generated."""
    settings = get_settings()
    schema["enum"] = sorted({name for kind in authoring.KINDS for name in authoring.files(kind, settings)})


Name = Query(..., min_length=1, max_length=200, json_schema_extra=_files_now,
             description="the file's path under its folder: sms/welcome.txt, es/email/deficiency.md, standard.yaml")
SampleQuery = Query("critical", description="the sample lead the preview is for")


def _item(session: Session, kind: str, name: str) -> authoring.Item | None:
    """The file `name` of `kind`, or None when there is no such file."""
    settings = get_settings()
    if name not in authoring.files(kind, settings):
        return None
    return authoring.item(session, kind, name, settings)


def _not_found(kind: str, name: str) -> HTMLResponse:
    return render("not_found.html", status_code=404, section="editor",
                  what=f"No {kind} file {shown(name)}: choose one from the editor's list (/ops/editor).")


def _back(path: str, kind: str, name: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'kind': kind, 'name': name, 'done': done})}", status_code=303)


def _lead(session: Session, principal: Principal, ref: str) -> tuple[Lead | None, int, str | None]:
    """The real lead a preview is for (None: a sample), the status and why when it cannot be."""
    if not ref.strip():
        return None, 200, None
    if not principal.may("leads"):
        return None, 403, "a preview on a real lead shows their personal data: your role may preview on sample leads"
    lead = find_lead(session, ref.strip().removeprefix("#"))
    if lead is None:
        return None, 404, f"no lead matches {shown(ref.strip())} (give an id, phone or email)"
    return lead, 200, None


@router.get("/ops/editor", response_class=HTMLResponse)
def editor_page(session: SessionDep, principal: Principal = Depends(require("results")),
                done: str = Query("", max_length=DONE_MAX)) -> HTMLResponse:
    """Every template and schedule file: published from the console (which version), or the file's
    own text, and whether a draft waits."""
    settings = get_settings()
    groups = {kind: authoring.items(session, kind, settings) for kind in authoring.KINDS}
    return render("editor.html", section="editor", groups=groups, done=clip(done, DONE_MAX),
                  can_edit=principal.may("content"))


def _edit_page(session: Session, principal: Principal, item: authoring.Item, body: str, *, sample: str = "critical",
               lead_ref: str = "", done: str = "", errors: list[str] | None = None, status: int = 200,
               note: str = "") -> HTMLResponse:
    """The edit page for `item` showing `body` (what was typed, or the current text), its check and preview."""
    settings = get_settings()
    errors = list(errors or [])
    lead, lead_status, problem = _lead(session, principal, lead_ref)
    if problem:
        errors.append(problem)
        status = max(status, lead_status)
    check = authoring.check(session, item.kind, item.name, body, settings)
    shown_preview = preview(session, item.kind, item.name, body, sample=sample, lead=lead, at=now(), settings=settings)
    return render("editor_edit.html", status_code=status, section="editor", item=item, body=body, check=check,
                  preview=shown_preview, sample=sample, samples=SAMPLE_NAMES, lead=lead_ref, note=note,
                  can_edit=principal.may("content"), real_leads=principal.may("leads"),
                  done=clip(done, DONE_MAX), errors=errors)


@router.get("/ops/editor/edit", response_class=HTMLResponse, responses=answers(403, 404))
def edit_page(session: SessionDep, kind: Kind, name: str = Name, sample: Sample = SampleQuery,
              lead: str = Query("", max_length=LEAD_REF_MAX, description="a real lead (id, phone or email); "
                                "only for a role that may see leads"),
              done: str = Query("", max_length=DONE_MAX),
              principal: Principal = Depends(require("results"))) -> HTMLResponse:
    """The edit page: the draft (else the published version, else the file), its lint, its SMS
    figures and its preview for a sample lead (or a real one, for a role that may see leads)."""
    item = _item(session, kind, name)
    if item is None:
        return _not_found(kind, name)
    return _edit_page(session, principal, item, item.body, sample=sample, lead_ref=lead, done=done)


class CheckRequest(BaseModel):
    """What the edit page sends as the marketer types."""

    kind: Kind
    name: str = Field(min_length=1, max_length=200)
    body: str = Field(max_length=BODY_MAX, json_schema_extra={"pattern": text_pattern(multiline=True)})
    sample: Sample = "critical"
    lead: str = Field("", max_length=LEAD_REF_MAX, description="a real lead: only for a role that may see leads")


class FindingOut(BaseModel):
    level: Literal["error", "warning"]
    message: str
    line: int | None


class CheckAnswer(BaseModel):
    """The lint result of the typed text and its preview (`preview` for a template, `timeline` for
    a schedule, `problem` when the draft cannot be previewed)."""

    ok: bool
    findings: list[FindingOut]
    segments: int | None
    encoding: str | None
    characters: int | None
    preview: Message | None
    timeline: Timeline | None
    problem: str | None


def _answer(check: authoring.Check, shown_preview: Preview) -> CheckAnswer:
    return CheckAnswer(
        ok=check.ok, segments=check.segments, encoding=check.encoding, characters=check.characters,
        findings=[FindingOut(level=f.level, message=f.message, line=f.line) for f in check.findings],
        preview=shown_preview.message, timeline=shown_preview.timeline, problem=shown_preview.problem)


def _json_problem(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": [{"field": field, "message": message}]}, status_code=status)


@router.post("/ops/editor/check", response_model=CheckAnswer, responses=answers(400, 403, 404, 413))
def check_draft(request: CheckRequest, session: SessionDep,
                principal: Principal = Depends(require("results"))) -> Any:
    """The lint of the text typed so far and its preview, without saving anything: a role that
    may read previews ("results") may ask, as the edit page's sample choice does for ops."""
    body = _lines(request.body)
    problem = text_problem(body, max_len=BODY_MAX, multiline=True)
    if problem:
        return _json_problem(422, "body", f"the text {problem}")
    if _item(session, request.kind, request.name) is None:
        return _json_problem(404, "name", f"no {request.kind} file {shown(request.name)}")
    lead, status, why = _lead(session, principal, request.lead)
    if why:
        return _json_problem(status, "lead", why)
    settings = get_settings()
    check = authoring.check(session, request.kind, request.name, body, settings)
    shown_preview = preview(session, request.kind, request.name, body, sample=request.sample, lead=lead,
                            at=now(), settings=settings)
    return _answer(check, shown_preview)


def _refused(request: Request) -> HTMLResponse | None:
    """403 for a form posted from another site (a browser holding the key would send it along)."""
    return None if from_our_pages(request) else HTMLResponse("cross-site request refused", status_code=403)


_KindForm = Form(..., json_schema_extra={"enum": list(authoring.KINDS)})
_NameForm = Form(..., min_length=1, max_length=200, json_schema_extra=_files_now)
_BodyForm = Form("", max_length=BODY_MAX, json_schema_extra={"pattern": text_pattern(multiline=True)},
                 description="the whole text (an empty one is judged by lint like any other)")
_NoteForm = Form("", max_length=NOTE_MAX, json_schema_extra={"pattern": text_pattern()})


def _lines(body: str) -> str:
    """The text with the line breaks a file keeps: a browser posts a textarea's lines ending in CRLF."""
    return body.replace("\r\n", "\n")


def _form_problem(kind: str, body: str | None = None, note: str = "") -> str | None:
    if kind not in authoring.KINDS:
        return f"kind: {shown(kind)} is not one of {', '.join(authoring.KINDS)}"
    if body is not None and (why := text_problem(body, max_len=BODY_MAX, multiline=True)):
        return f"the text {why}"
    if why := text_problem(note, max_len=NOTE_MAX):
        return f"the note {why}"
    return None


@router.post("/ops/editor/draft", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404, 413))
def save_draft(request: Request, session: SessionDep, kind: str = _KindForm, name: str = _NameForm,
               body: str = _BodyForm, principal: Principal = Depends(require("content"))) -> Response:
    """Keep the typed text as the file's draft: nothing is sent from it until it is published."""
    if refused := _refused(request):
        return refused
    body = _lines(body)
    if problem := _form_problem(kind, body):
        return render("not_found.html", status_code=400, section="editor", what=problem)
    item = _item(session, kind, name)
    if item is None:
        return _not_found(kind, name)
    try:
        authoring.save_draft(session, kind, name, body, author=principal.actor)
    except authoring.AuthoringError as exc:
        return _edit_page(session, principal, item, body, errors=[str(exc)], status=409)
    return _back("/ops/editor/edit", kind, name, "Draft saved. It is not sent until it is published.")


@router.post("/ops/editor/publish", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404, 409, 413))
def publish(request: Request, session: SessionDep, kind: str = _KindForm, name: str = _NameForm,
            body: str = _BodyForm, note: str = _NoteForm, principal: Principal = Depends(require("content"))
            ) -> Response:
    """Publish the typed text (saved as the draft first): sent from now on. Refused while lint finds
    an error; the draft is kept."""
    if refused := _refused(request):
        return refused
    body = _lines(body)
    if problem := _form_problem(kind, body, note):
        return render("not_found.html", status_code=400, section="editor", what=problem)
    item = _item(session, kind, name)
    if item is None:
        return _not_found(kind, name)
    settings = get_settings()
    try:
        if item.draft is None or item.draft.body != body:
            authoring.save_draft(session, kind, name, body, author=principal.actor)
        version = authoring.publish(session, kind, name, author=principal.actor, note=note.strip(), settings=settings)
    except authoring.NotPublishable as exc:
        errors = [f"Not published: {len(exc.check.errors)} error(s) to fix first (listed below). "
                  "The text is kept as the draft."]
        # 409, not 422: the request was well formed; the text's state refuses the publish.
        return _edit_page(session, principal, _item(session, kind, name) or item, body, errors=errors, status=409,
                          note=note)
    except authoring.AuthoringError as exc:
        return _edit_page(session, principal, item, body, errors=[str(exc)], status=409, note=note)
    return _back("/ops/editor/edit", kind, name, f"Published as version {version.number}: sent from now on.")


@router.post("/ops/editor/discard", status_code=303, response_class=RedirectResponse, responses=answers(400, 404, 409))
def discard(request: Request, session: SessionDep, kind: str = _KindForm, name: str = _NameForm,
            principal: Principal = Depends(require("content"))) -> Response:
    """Throw the draft away: the page shows the published text (or the file's) again."""
    if refused := _refused(request):
        return refused
    if problem := _form_problem(kind):
        return render("not_found.html", status_code=400, section="editor", what=problem)
    item = _item(session, kind, name)
    if item is None:
        return _not_found(kind, name)
    try:
        authoring.discard_draft(session, kind, name, author=principal.actor)
    except authoring.AuthoringError as exc:
        return _edit_page(session, principal, item, item.body, errors=[str(exc)], status=409)
    return _back("/ops/editor/edit", kind, name, "Draft discarded.")


@router.post("/ops/editor/revert", status_code=303, response_class=RedirectResponse,
             responses=answers(400, 404, 409))
def revert(request: Request, session: SessionDep, kind: str = _KindForm, name: str = _NameForm,
           number: int = Form(..., ge=0, le=NUMBER_MAX, description="the version to publish again; 0: the file's text"),
           note: str = _NoteForm, principal: Principal = Depends(require("content"))) -> Response:
    """Publish an older version's text again, as a new version (0: the file's own text)."""
    if refused := _refused(request):
        return refused
    if problem := _form_problem(kind, note=note):
        return render("not_found.html", status_code=400, section="editor", what=problem)
    item = _item(session, kind, name)
    if item is None:
        return _not_found(kind, name)
    settings = get_settings()
    try:
        version = authoring.revert(session, kind, name, number, author=principal.actor, note=note.strip(),
                                   settings=settings)
    except authoring.NotPublishable as exc:
        return _history_page(session, principal, item, status=409, errors=[
            f"Not reverted: that text has {len(exc.check.errors)} lint error(s) today: "
            + "; ".join(f.message for f in exc.check.errors)])
    except authoring.AuthoringError as exc:
        return _history_page(session, principal, item, status=409, errors=[str(exc)])
    source = "the file's text" if number == 0 else f"version {number}"
    return _back("/ops/editor/history", kind, name, f"Reverted to {source}: published as version {version.number}.")


def _diff_lines(lines: list[str]) -> list[tuple[str, str]]:
    """Each line of a unified diff with its CSS class: added, removed, hunk or the same."""
    marked = []
    for line in lines:
        if line.startswith(("+++", "---")):
            css = "file"
        elif line.startswith("+"):
            css = "add"
        elif line.startswith("-"):
            css = "del"
        elif line.startswith("@@"):
            css = "hunk"
        else:
            css = "same"
        marked.append((css, line.rstrip("\n")))
    return marked


def _history_page(session: Session, principal: Principal, item: authoring.Item, *, done: str = "",
                  errors: list[str] | None = None, status: int = 200) -> HTMLResponse:
    versions = authoring.history(session, item.kind, item.name)
    entries = []
    for i, version in enumerate(versions):
        older = versions[i + 1] if i + 1 < len(versions) else None
        old_body, old_label = (older.body, f"v{older.number}") if older else (item.file_body, "the file")
        lines = authoring.diff(old_body, version.body, old_label=old_label, new_label=f"v{version.number}")
        entries.append((version, old_label, _diff_lines(lines)))
    return render("editor_history.html", status_code=status, section="editor", item=item, entries=entries,
                  can_edit=principal.may("content"), done=clip(done, DONE_MAX), errors=errors or [])


@router.get("/ops/editor/history", response_class=HTMLResponse, responses=answers(404))
def history_page(session: SessionDep, kind: Kind, name: str = Name, done: str = Query("", max_length=DONE_MAX),
                 principal: Principal = Depends(require("results"))) -> HTMLResponse:
    """Every published version of the file, newest first, each with its diff against the one
    before it (the first against the file's own text) and a button to publish it again."""
    item = _item(session, kind, name)
    if item is None:
        return _not_found(kind, name)
    return _history_page(session, principal, item, done=done)
