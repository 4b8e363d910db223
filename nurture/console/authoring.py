"""Templates and schedules edited in the console (issue 27): a draft per file, checked by the same
lint as the files, published as numbered versions that override the file on disk, with history,
diff and revert. What is in effect is read through nurture/published/overlay.py."""

from __future__ import annotations

import difflib
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture.accounts import audit
from nurture.clock import now
from nurture.config import Settings, get_settings
from nurture.content.languages import DEFAULT_LANGUAGE, LANGUAGES
from nurture.content.lint import ERROR, WARNING, lint
from nurture.content.samples import sample_leads, sample_tiers, urgency_rules
from nurture.content.store import SUFFIXES, RenderError, TemplateStore, split_name, split_variant
from nurture.content.translations import translation_folders
from nurture.errors import OperatorError
from nurture.models import ContentVersion
from nurture.plans.sequences import SequenceError, load_catalog_uncached
from nurture.published import overlay
from nurture.published.overlay import Folders

KINDS = ("template", "schedule")
#: Times a publish picks the next number again when another publish of the same file took it.
PUBLISH_ATTEMPTS = 20
#: Endings of schedule files.
SCHEDULE_SUFFIXES = (".yaml", ".yml")


class AuthoringError(OperatorError):
    """Unknown kind, file or version, or nothing to publish: what the person asked cannot be done."""


class NotPublishable(AuthoringError):
    """The text has lint errors: nothing unlinted is published. `.check` holds the findings."""

    def __init__(self, kind: str, name: str, check: Check) -> None:
        self.check = check
        first = check.errors[0]
        where = f"{name}:{first.line}" if first.line else name
        super().__init__(f"{kind} {where} cannot be published: {len(check.errors)} error(s), "
                         f"the first: {first.message}")


@dataclass(frozen=True)
class Finding:
    """One lint finding of the file being edited."""

    level: str  # "error" or "warning"
    message: str
    line: int | None


@dataclass(frozen=True)
class Check:
    """The lint result of one text, with the SMS figures of its worst sample lead (None for email
    and schedules)."""

    findings: tuple[Finding, ...]
    segments: int | None = None
    encoding: str | None = None
    characters: int | None = None

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Item:
    """One editable file: its text on disk, its newest published version and its draft."""

    kind: str
    name: str
    file_body: str | None
    published: ContentVersion | None
    draft: ContentVersion | None

    @property
    def body(self) -> str:
        """What the editor opens: the draft, else the version in effect."""
        if self.draft is not None:
            return self.draft.body
        if self.published is not None:
            return self.published.body
        return self.file_body or ""

    @property
    def source(self) -> str:
        """Where `body` comes from: "draft", "published v3" or "files"."""
        if self.draft is not None:
            return "draft"
        if self.published is not None:
            return f"published v{self.published.number}"
        return "files"


def _folder(kind: str, settings: Settings) -> Path:
    _kind(kind)
    return Path(settings.templates_dir if kind == "template" else settings.schedules_dir)


def _kind(kind: str) -> None:
    if kind not in KINDS:
        raise AuthoringError(f"unknown kind {kind!r}: {' or '.join(KINDS)}")


def files(kind: str, settings: Settings) -> list[str]:
    """The editable files of the files folder, as paths under it (layouts are not edited here)."""
    folder = _folder(kind, settings)
    if kind == "schedule":
        return sorted(p.name for p in folder.glob("*") if p.is_file() and p.suffix in SCHEDULE_SUFFIXES)
    found = []
    for prefix in ["", *(f"{code}/" for code in translation_folders(folder))]:
        for channel, suffix in SUFFIXES.items():
            for path in sorted((folder / prefix / channel).glob(f"*{suffix}")):
                try:
                    split_name(f"{channel}/{path.stem}")
                except ValueError:
                    continue
                found.append(f"{prefix}{channel}/{path.name}")
    return sorted(found)


def _checked(kind: str, name: str, settings: Settings) -> None:
    _kind(kind)
    if not overlay.safe_name(name) or name not in files(kind, settings):
        raise AuthoringError(f"{name!r} is not a {kind} file of {_folder(kind, settings)}")


def template_of(name: str) -> tuple[str, str]:
    """(language, store name) of a template file: ("es", "sms/welcome") from "es/sms/welcome.txt"."""
    parts = PurePosixPath(name).parts
    language = DEFAULT_LANGUAGE
    if len(parts) == 3 and parts[0] in LANGUAGES:
        language, parts = parts[0], parts[1:]
    channel, filename = parts
    return language, f"{channel}/{filename.removesuffix(SUFFIXES.get(channel, ''))}"


def _draft(session: Session, kind: str, name: str, *, lock: bool = False) -> ContentVersion | None:
    query = (select(ContentVersion).where(ContentVersion.kind == kind, ContentVersion.name == name,
                                          col(ContentVersion.number).is_(None))
             .order_by(col(ContentVersion.id).desc()))
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def _newest(session: Session, kind: str, name: str) -> ContentVersion | None:
    return session.exec(select(ContentVersion).where(
        ContentVersion.kind == kind, ContentVersion.name == name, col(ContentVersion.number).is_not(None))
        .order_by(col(ContentVersion.number).desc())).first()


def _file_body(kind: str, name: str, settings: Settings) -> str | None:
    try:
        return (_folder(kind, settings) / name).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def item(session: Session, kind: str, name: str, settings: Settings) -> Item:
    """One file with its published version and draft."""
    _checked(kind, name, settings)
    return Item(kind, name, _file_body(kind, name, settings), _newest(session, kind, name), _draft(session, kind, name))


def items(session: Session, kind: str, settings: Settings) -> list[Item]:
    """Every editable file of `kind`, by name."""
    names = files(kind, settings)
    rows = session.exec(select(ContentVersion).where(ContentVersion.kind == kind)
                        .order_by(col(ContentVersion.id))).all()
    newest: dict[str, ContentVersion] = {}
    drafts: dict[str, ContentVersion] = {}
    for row in rows:
        if row.number is None:
            drafts[row.name] = row
        elif row.name not in newest or (newest[row.name].number or 0) < row.number:
            newest[row.name] = row
    return [Item(kind, n, _file_body(kind, n, settings), newest.get(n), drafts.get(n)) for n in names]


@contextmanager
def sandbox(session: Session, kind: str, name: str, body: str, settings: Settings) -> Iterator[Folders]:
    """Temporary copies of the folders in effect with `body` written as file `name`; removed on exit."""
    _checked(kind, name, settings)
    effective = overlay.current(settings)
    root = Path(tempfile.mkdtemp(prefix="nurture-sandbox-"))
    try:
        folders = overlay.copy_folders(effective, root)
        overlay.write_over(folders, kind, name, body)
        yield folders
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _in(folders: Folders, settings: Settings) -> Settings:
    return settings.model_copy(update={"templates_dir": folders.templates, "schedules_dir": folders.schedules})


def check(session: Session, kind: str, name: str, body: str, settings: Settings) -> Check:
    """The lint of `body` as file `name`, among the files in effect."""
    with sandbox(session, kind, name, body, settings) as folders:
        return _check_in(folders, kind, name, body, settings)


def _check_in(folders: Folders, kind: str, name: str, body: str, settings: Settings) -> Check:
    if kind == "template":
        return _check_template(name, folders, settings)
    return _check_schedule(name, body, folders, settings)


def _check_template(name: str, folders: Folders, settings: Settings) -> Check:
    path = folders.templates / name
    sandboxed = _in(folders, settings)
    found = tuple(Finding(f.severity, _plain(f.problem, folders), f.line)
                  for f in lint(folders.templates, sandboxed, only=[path]))
    language, template = template_of(name)
    if not template.startswith("sms/"):
        return Check(found)
    store = TemplateStore(folders.templates).translation(language)
    at = now()
    samples = sample_leads(at)
    tiers = sample_tiers(samples, urgency_rules(folders.schedules), at)
    worst = None
    for key, lead in samples.items():
        try:
            rendered = store.render(template, lead, now=at, settings=sandboxed, secret="check", tier=tiers[key],
                                    first_sms=split_variant(template)[0] == "sms/welcome", language=language)
        except RenderError:
            continue  # lint reports it
        if worst is None or (rendered.segments or 0, len(rendered.text)) > (worst.segments or 0, len(worst.text)):
            worst = rendered
    if worst is None:
        return Check(found)
    return Check(found, worst.segments, worst.encoding, len(worst.text))


def _problems(schedules: Path, templates: Path) -> list[tuple[str, str | None, str]]:
    """(file name, step, problem) of every problem of the schedules folder, [] when it loads."""
    try:
        load_catalog_uncached(schedules, templates)
    except SequenceError as exc:
        return [(_relative(p.file, schedules), p.step, p.message) for p in exc.problems]
    return []


def _relative(file: str, folder: Path) -> str:
    try:
        return str(Path(file).resolve().relative_to(folder.resolve()))
    except ValueError:
        return Path(file).name


def _line_of(body: str, step: str | None) -> int | None:
    if not step:
        return None
    for number, text in enumerate(body.splitlines(), 1):
        if text.strip().lstrip("- ").startswith("id:") and text.split("id:", 1)[1].strip().strip("'\"") == step:
            return number
    return None


def _check_schedule(name: str, body: str, folders: Folders, settings: Settings) -> Check:
    problems = _problems(folders.schedules, folders.templates)
    findings = [Finding(ERROR, _plain(f"step {step!r}: {message}" if step else message, folders), _line_of(body, step))
                for file, step, message in problems if file == name]
    others = [p for p in problems if p[0] != name]
    if others:  # errors elsewhere that this text causes (another file's were there before it)
        effective = overlay.current(settings)
        before = set(_problems(effective.schedules, effective.templates))
        findings += [Finding(ERROR, _plain(f"{file}: {f'step {step!r}: ' if step else ''}{message}", folders), None)
                     for file, step, message in others if (file, step, message) not in before]
    return Check(tuple(findings))


def _plain(message: str, folders: Folders) -> str:
    """`message` with the sandbox's folders named as the person knows them (templates/, schedules/)."""
    for folder, shown in ((folders.templates, "templates"), (folders.schedules, "schedules")):
        message = message.replace(str(folder), shown)
    return message


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def _published_digest(kind: str, name: str, body: str, folders: Folders) -> str:
    """What a message rendered from this text records as its template_version: the store's own hash
    of the file (with its layout for an email) in the set it will be sent from."""
    if kind != "template":
        return _digest(body)
    language, template = template_of(name)
    return TemplateStore(folders.templates).translation(language).version(template)


def save_draft(session: Session, kind: str, name: str, body: str, *, author: str) -> ContentVersion:
    """Keep `body` as the file's one draft (a new save overwrites it)."""
    _checked(kind, name, get_settings())
    draft = _draft(session, kind, name)
    if draft is None:
        draft = ContentVersion(kind=kind, name=name, number=None, body=body, digest=_digest(body), author=author)
    else:
        draft.body, draft.digest, draft.author, draft.created_at = body, _digest(body), author, now()
    session.add(draft)
    audit.record(session, author, "draft", target_kind=kind, target=name)
    session.flush()
    return draft


def discard_draft(session: Session, kind: str, name: str, *, author: str) -> None:
    """Throw the file's draft away (nothing happens when it has none)."""
    _checked(kind, name, get_settings())
    drafts = session.exec(select(ContentVersion).where(ContentVersion.kind == kind, ContentVersion.name == name,
                                                       col(ContentVersion.number).is_(None))).all()
    for draft in drafts:
        session.delete(draft)
    if drafts:
        audit.record(session, author, "discard draft", target_kind=kind, target=name)
    session.flush()


def publish(session: Session, kind: str, name: str, *, author: str, note: str, settings: Settings) -> ContentVersion:
    """Publish the file's draft as its next version; it is what goes out from then on."""
    _checked(kind, name, settings)
    draft = _draft(session, kind, name, lock=True)
    if draft is None:
        raise AuthoringError(f"{kind} {name} has no draft to publish")
    version = _publish_text(session, kind, name, draft.body, author=author, note=note, settings=settings,
                            reverted_from=None)
    session.delete(draft)
    session.flush()
    return version


def publish_body(session: Session, kind: str, name: str, body: str, *, author: str, note: str,
                 settings: Settings) -> ContentVersion:
    """Publish `body` as the file's next version without a draft (`templates import`), checked as
    a draft is; the file's draft, if any, is left as it is."""
    _checked(kind, name, settings)
    return _publish_text(session, kind, name, body, author=author, note=note, settings=settings, reverted_from=None)


def effective_body(kind: str, name: str, settings: Settings) -> str | None:
    """The file's text in effect: its newest published version, else the file on disk."""
    _checked(kind, name, settings)
    folders = overlay.current(settings)
    try:
        return ((folders.templates if kind == "template" else folders.schedules) / name).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def revert(session: Session, kind: str, name: str, number: int, *, author: str, note: str,
           settings: Settings) -> ContentVersion:
    """Publish version `number`'s text again as a new version (0: the file's text on disk)."""
    _checked(kind, name, settings)
    if number == 0:
        body = _file_body(kind, name, settings)
        if body is None:
            raise AuthoringError(f"{kind} {name} cannot be read from the files folder")
    else:
        old = session.exec(select(ContentVersion).where(ContentVersion.kind == kind, ContentVersion.name == name,
                                                        ContentVersion.number == number)).first()
        if old is None:
            raise AuthoringError(f"{kind} {name} has no version {number}")
        body = old.body
    return _publish_text(session, kind, name, body, author=author, note=note, settings=settings, reverted_from=number)


def _publish_text(session: Session, kind: str, name: str, body: str, *, author: str, note: str, settings: Settings,
                  reverted_from: int | None) -> ContentVersion:
    with sandbox(session, kind, name, body, settings) as folders:
        result = _check_in(folders, kind, name, body, settings)
        if not result.ok:
            raise NotPublishable(kind, name, result)
        digest = _published_digest(kind, name, body, folders)
    version = _insert_next(session, kind, name, body, digest=digest, author=author, note=note,
                           reverted_from=reverted_from)
    action = "publish" if reverted_from is None else "revert"
    detail = f"v{version.number}" + (f" (the text of v{reverted_from})" if reverted_from else "")
    detail += " (the file's text)" if reverted_from == 0 else ""
    audit.record(session, author, action, target_kind=kind, target=name, detail=f"{detail}: {note}" if note else detail)
    overlay.refresh()
    # Read again once this transaction commits, so this process's next message has the new text.
    sa.event.listen(session, "after_commit", lambda _session: overlay.refresh(), once=True)
    return version


def _insert_next(session: Session, kind: str, name: str, body: str, *, digest: str, author: str, note: str,
                 reverted_from: int | None) -> ContentVersion:
    """Insert the next number; when another publish of the same file took it first, the unique
    constraint refuses the row and the next free number is tried (numbers stay 1..n)."""
    table = ContentVersion.__table__
    for _ in range(PUBLISH_ATTEMPTS):
        top = session.execute(sa.select(sa.func.max(table.c.number)).where(
            table.c.kind == kind, table.c.name == name)).scalar()
        at = now()
        version = ContentVersion(kind=kind, name=name, number=(top or 0) + 1, body=body, digest=digest,
                                 note=note[:500], author=author, created_at=at, published_at=at,
                                 reverted_from=reverted_from)
        try:
            with session.begin_nested():
                session.add(version)
        except sa.exc.IntegrityError:
            continue
        return version
    raise AuthoringError(f"{kind} {name}: too many publishes at once; try again")


def history(session: Session, kind: str, name: str) -> list[ContentVersion]:
    """The file's published versions, newest first."""
    _kind(kind)
    return list(session.exec(select(ContentVersion).where(
        ContentVersion.kind == kind, ContentVersion.name == name, col(ContentVersion.number).is_not(None))
        .order_by(col(ContentVersion.number).desc())))


def diff(old: str, new: str, *, old_label: str, new_label: str) -> list[str]:
    """The unified diff of two texts, line by line."""
    return list(difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label,
                                     lineterm=""))


def version_labels(session: Session) -> dict[str, str]:
    """Each published template text's hash (as messages record it) -> its version: "v3", with the
    translation and variant the file is of when it is one ("v2 (es)", "v1 (b)"), so the split of a
    template by version never adds up two files' versions. A text published twice, by a revert, is
    "v1/v3": its messages cannot be told apart."""
    rows = session.exec(select(ContentVersion.digest, ContentVersion.name, ContentVersion.number).where(
        ContentVersion.kind == "template", col(ContentVersion.number).is_not(None))
        .order_by(col(ContentVersion.number))).all()
    numbers: dict[str, list[str]] = {}
    qualifiers: dict[str, str] = {}
    for digest, name, number in rows:
        numbers.setdefault(digest, []).append(f"v{number}")
        language, template = template_of(name)
        which = [w for w in (language if language != DEFAULT_LANGUAGE else None, split_variant(template)[1]) if w]
        qualifiers[digest] = f" ({', '.join(which)})" if which else ""
    return {digest: "/".join(names) + qualifiers[digest] for digest, names in numbers.items()}
