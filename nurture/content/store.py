"""TemplateStore: finds, compiles (once per file version) and renders the marketers' templates."""

from __future__ import annotations

import hashlib
import html as html_lib
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Template

from nurture.errors import OperatorError
from nurture.config import Settings
from nurture.content.context import Company, build_context
from nurture.content.languages import DEFAULT_LANGUAGE
from nurture.content.languages import check as check_language
from nurture.content.environment import HTML_SUFFIX, MessageEnvironment, describe, error_line
from nurture.content.limits import Budget, RenderLimits
from nurture.content.markup import (
    MarkupError,
    Protected,
    inline_email_html,
    markdown_to_html,
    markdown_to_text,
    split_front_matter,
)
from nurture.content.sms import normalize_sms, smart_encode, sms_options, sms_segments, tidy, with_footer
from nurture.law.regulation_o import Notice, notice
from nurture.models import Lead

#: File ending of each channel's templates.
SUFFIXES = {"sms": ".txt", "email": ".md"}
#: Themes every channel must have: the default sequences send them.
THEMES = (
    "welcome",
    "negative_equity",
    "what_is_short_sale",
    "bank_says_no",
    "not_behind",
    "deficiency",
    "credit_impact",
    "waiting_worse",
    "who_this_is_for",
    "next_steps",
    "sale_countdown",
)
#: nurture's own answers to a lead's text, outside every sequence (names starting with _ are
#: reserved for them: a schedule cannot send them).
HELP_TEMPLATE = "sms/_help"
STOP_TEMPLATE = "sms/_stop"
SYSTEM_TEMPLATES = (HELP_TEMPLATE, STOP_TEMPLATE)
#: The layout an email uses unless its front matter names another.
DEFAULT_LAYOUT = "email"
#: What the first SMS to a lead must say; appended when a template forgets.
OPT_OUT_TEXT = "Reply STOP to opt out."
#: The same line in the other languages: the keyword ALTO is answered like STOP (law/keywords.py).
OPT_OUT_TEXTS = {DEFAULT_LANGUAGE: OPT_OUT_TEXT, "es": "Responda ALTO (STOP) para cancelar."}
OPT_OUT_WORDS = re.compile(r"\b(reply|text|responda|env[ií]e|escriba)\s+(stop|alto)\b", re.I)

_PART_NAME = re.compile(r"^_?[a-z0-9][a-z0-9_-]*$")
_LAYOUT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: A variant's name: `waiting_worse.b.txt` is variant "b" of sms/waiting_worse.
_VARIANT_NAME = re.compile(r"^[a-z0-9]{1,10}$")
#: The variant the template's own file stands for when other variants exist beside it.
BASE_VARIANT = "a"
#: Seconds a listing of a template's variants is trusted (a send must not list folders).
VARIANTS_TTL = 5.0

# What each part of a message may come to, as rendered (before spaces are tidied).
#: Twilio refuses a text message body over 1,600 characters (error 21617): longer cannot be sent.
SMS_MAX_CHARS = 1_600
#: Gmail clips an email over 102 KB and hides the rest, with the footer's unsubscribe link and
#: postal address that the law requires: a part longer than this cannot be sent as meant.
EMAIL_MAX_CHARS = 100_000
#: Inboxes show about 60 characters of a subject or preheader; 1,000 is only ever a mistake.
HEADER_MAX_CHARS = 1_000


def identified(text: str, sender: str, *, opt_out_line: bool = True, language: str = DEFAULT_LANGUAGE) -> str:
    """The lead's first text names the sender and says how to stop, whatever template it is
    (47 CFR 64.1200(b)(1): identify the sender; CTIA: opt-out wording in the first message).
    Not the opt-out line for the confirmation of an opt-out: it only confirms (64.1200(a)(12))."""
    if sender and sender.casefold() not in text.casefold():
        text = f"{sender}: {text}" if text else sender
    if opt_out_line and not OPT_OUT_WORDS.search(text):
        line = OPT_OUT_TEXTS.get(language, OPT_OUT_TEXT)
        text = f"{text}\n{line}" if text else line
    return text


class RenderError(OperatorError):
    """A template that cannot be rendered: which one, what is wrong, and where when known."""

    def __init__(self, template: str, problem: str, *, file: Path | None = None, line: int | None = None) -> None:
        self.template = template
        self.problem = problem
        self.file = file
        self.line = line
        where = f"{file}:{line}: " if file is not None and line else ""
        super().__init__(f"template {template}: {where}{problem}")

    def fresh(self) -> RenderError:
        """A new instance to raise, so a cached error's traceback does not grow with every raise."""
        return RenderError(self.template, self.problem, file=self.file, line=self.line)


@dataclass
class Rendered:
    """One message ready to send, with the template version it came from."""

    template: str
    channel: str
    version: str
    subject: str | None
    text: str
    html: str | None
    segments: int | None
    encoding: str | None
    preheader: str | None = None
    # The language it is written in: the lead's when its folder has the template, else English
    # (None for what a person typed: nurture does not know).
    language: str | None = DEFAULT_LANGUAGE


@dataclass
class _Compiled:
    stamp: tuple[tuple[int, int] | None, ...]
    files: tuple[Path, ...]
    version: str
    error: RenderError | None = None
    sms: Template | None = None
    # The SMS template's `{# encoding: smart #}` option (sms.sms_options): Twilio's Smart Encoding list applied.
    smart_encoding: bool = False
    subject: Template | None = None
    preheader: Template | None = None
    text: Template | None = None
    text_layout: Template | None = None
    html: Template | None = None
    # The layout compiled on its own: rendered only after an HTML error, to find the layout's line.
    raw_layout: Template | None = None
    layout: str | None = None


def _stamp(files: tuple[Path, ...]) -> tuple[tuple[int, int] | None, ...]:
    stamps = []
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            stamps.append(None)
        else:
            stamps.append((st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def _version(contents: list[bytes]) -> str:
    digest = hashlib.sha256()
    for content in contents:
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()[:16]


def split_name(name: str) -> tuple[str, str]:
    """('sms', 'welcome') from 'sms/welcome' (and from its variant 'sms/welcome.b'); ValueError for
    anything else."""
    channel, _, rest = name.partition("/")
    theme, dot, variant = rest.partition(".")
    if channel not in SUFFIXES or not _PART_NAME.match(theme):
        raise ValueError(f"{name!r} is not a template name like 'sms/welcome' or 'email/deficiency'")
    if dot and (not _VARIANT_NAME.match(variant) or variant == BASE_VARIANT):
        raise ValueError(f"{name!r}: a variant is named with letters or digits after the theme, like "
                         f"'sms/welcome.b' ({BASE_VARIANT!r} is the template's own file)")
    return channel, theme


def split_variant(name: str) -> tuple[str, str | None]:
    """('sms/welcome', 'b') from 'sms/welcome.b'; ('sms/welcome', None) from 'sms/welcome'."""
    base, dot, variant = name.partition(".")
    return base, (variant if dot else None)


def variant_name(template: str, variant: str | None) -> str:
    """The name to render for `variant` of `template`: the template itself for the base variant."""
    return template if variant in (None, BASE_VARIANT) else f"{template}.{variant}"
#: Characters of a reply typed by ops: an SMS within what Twilio takes, an email of a few pages.
#: Room nurture keeps in a typed text for what it adds: the sender's name and the opt-out line on a
#: first text, Regulation O's short notice with the public URL (a URL up to about 150 characters).
TYPED_SMS_ROOM = 300
TYPED_MAX_CHARS = {"sms": SMS_MAX_CHARS - TYPED_SMS_ROOM, "email": 20_000}


def compose(
    channel: str,
    text: str,
    *,
    subject: str | None,
    settings: Settings,
    first_sms: bool = False,
    unsubscribe_url: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> Rendered:
    """A message typed by a person (an inbox reply) made ready to send like a rendered one: an SMS
    in the GSM alphabet where it can be (naming the sender if it is the lead's first text) with
    Regulation O's short notice under it; an email with the notice, the sender's name, postal
    address and unsubscribe link under it, as every email has. Nurture's own words (the notice,
    the opt-out line) are in the lead's `language`; the person's are as typed."""
    body = tidy(text.replace("\r\n", "\n"))
    fee = settings.mars_fee_es if language == "es" else settings.mars_fee
    mars = notice(status=settings.mars_status, company=settings.company_name, fee=fee,
                  public_url=settings.public_url, language=language)
    if channel == "sms":
        body = with_footer(tidy(normalize_sms(body)), mars.sms)
        if first_sms:
            body = identified(body, settings.company_name, language=language)
        info = sms_segments(body)
        return Rendered(template="ops", channel="sms", version="typed", subject=None, text=body, html=None,
                        segments=info.segments, encoding=info.encoding, language=None)
    footer = [settings.company_name, settings.company_address]
    word = "Cancelar la suscripción" if language == "es" else "Unsubscribe"
    if unsubscribe_url:
        footer.append(f"{word}: {unsubscribe_url}")
    disclosures = [mars.heading, *mars.sentences] if mars.shown else []
    plain = body + "\n\n--\n" + "\n".join([*disclosures, *([""] if disclosures else []), *footer])
    paragraphs = "".join(f"<p>{html_lib.escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n") if p)
    links = (f'<a href="{html_lib.escape(unsubscribe_url)}">{word}</a>' if unsubscribe_url else "")
    notice_html = ""
    if disclosures:
        notice_html = (f'<p style="font-size:14px"><strong style="font-size:16px">{html_lib.escape(mars.heading)}</strong><br>'
                       + "<br>".join(f"<strong>{html_lib.escape(s)}</strong>" for s in mars.sentences) + "</p>")
    html = (f'<!doctype html><html lang="{html_lib.escape(language)}"><body style="font-family:sans-serif;'
            f'font-size:15px;color:#222">{paragraphs}{notice_html}'
            f'<p style="color:#777;font-size:12px">{html_lib.escape(settings.company_name)}<br>'
            f"{html_lib.escape(settings.company_address)}<br>{links}</p></body></html>")
    return Rendered(template="ops", channel="email", version="typed", subject=subject or settings.company_name,
                    text=plain, html=html, segments=None, encoding=None, language=None)


class TemplateStore:
    """The templates in one directory, compiled on first use and again whenever a file changes."""

    def __init__(self, directory: Path, *, limits: RenderLimits | None = None, language: str = DEFAULT_LANGUAGE,
                 fallback: TemplateStore | None = None) -> None:
        self.directory = Path(directory)
        self.language = language
        # A translation's store (templates/es) falls back on the English one for what it lacks.
        self._fallback = fallback
        self._limits = limits
        self._env = MessageEnvironment(limits, language=language)
        self._cache: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        self._variants: tuple[float, dict[str, list[str]]] | None = None
        self._translations: dict[str, TemplateStore] = {}

    def translation(self, language: str) -> TemplateStore:
        """The store of `language`'s folder (`templates/es`); this store for its own language."""
        if language == self.language or self._fallback is not None:
            return self
        check_language(language)
        with self._lock:
            store = self._translations.get(language)
            if store is None:
                store = self._translations[language] = TemplateStore(
                    self.directory / language, limits=self._limits, language=language, fallback=self)
            return store

    def has(self, name: str) -> bool:
        """True when this store's folder has the template's file."""
        try:
            return self.path(name).is_file()
        except ValueError:
            return False

    def resolve(self, name: str, language: str | None) -> TemplateStore:
        """The store that renders `name` for a reader of `language`: its translation when the
        language's folder has the file, else this (English) store."""
        store = self.translation(language or DEFAULT_LANGUAGE)
        return store if store is self or store.has(name) else self

    def names(self) -> list[str]:
        """Every template on disk, as 'channel/theme', variants as 'channel/theme.b'."""
        found = []
        for channel, suffix in SUFFIXES.items():
            folder = self.directory / channel
            if folder.is_dir():
                for p in folder.glob(f"*{suffix}"):
                    try:
                        split_name(f"{channel}/{p.stem}")
                    except ValueError:
                        continue
                    found.append(f"{channel}/{p.stem}")
        return sorted(found)

    def variants(self, template: str) -> list[str]:
        """The variants of `template` on disk, the base first (['a', 'b']); [] when it has none but
        its own file. Listed again at most every VARIANTS_TTL seconds."""
        with self._lock:
            if self._variants is None or time.monotonic() - self._variants[0] >= VARIANTS_TTL:
                listing: dict[str, list[str]] = {}
                for name in self.names():
                    base, variant = split_variant(name)
                    if variant is not None:
                        listing.setdefault(base, []).append(variant)
                self._variants = (time.monotonic(), listing)
            others = sorted(self._variants[1].get(template, []))
        return [BASE_VARIANT, *others] if others else []

    def path(self, name: str) -> Path:
        channel, theme = split_name(name)
        _, variant = split_variant(name)
        stem = f"{theme}.{variant}" if variant else theme
        return self.directory / channel / f"{stem}{SUFFIXES[channel]}"

    def layout_paths(self, layout: str) -> tuple[Path, Path]:
        base = self.directory / "layouts" / layout
        html_path, text_path = base.with_suffix(".html"), base.with_suffix(".txt")
        if self._fallback is not None and not html_path.exists() and not text_path.exists():
            return self._fallback.layout_paths(layout)  # a translation without its own frame
        return html_path, text_path

    def version(self, name: str) -> str:
        """Content hash of the template's file(s), layout included for email."""
        return self._load(name).version

    def compile_error(self, name: str) -> RenderError | None:
        """Why the template cannot be compiled at all (syntax, front matter, missing layout), or None."""
        try:
            return self._load(name).error
        except RenderError as exc:
            return exc

    def layout_of(self, name: str) -> str | None:
        """The layout an email template uses (None for SMS or when its front matter is broken)."""
        return self._load(name).layout

    def render(
        self,
        name: str,
        lead: Lead,
        *,
        now: datetime,
        settings: Settings,
        secret: str,
        tier: str | None = None,
        unsubscribe_url: str | None = None,
        first_sms: bool = False,
        message_id: int | None = None,
        language: str | None = None,
    ) -> Rendered:
        """The message `name` for `lead` at `now`; RenderError (never anything else) when it cannot be made.

        In `language` (default: the lead's) when that language's folder has the template, else in
        English; `Rendered.language` says which.

        `message_id` is the row the message is sent as: its links count clicks for it (a preview
        has none, and its links count nothing).

        All the message's parts render within one budget of steps and time (RenderLimits), and each
        part within its length (SMS_MAX_CHARS, EMAIL_MAX_CHARS, HEADER_MAX_CHARS).
        """
        store = self.resolve(name, language or getattr(lead, "language", None))
        if store is not self:
            return store.render(name, lead, now=now, settings=settings, secret=secret, tier=tier,
                                unsubscribe_url=unsubscribe_url, first_sms=first_sms, message_id=message_id,
                                language=store.language)
        compiled = self._load(name)
        if compiled.error is not None:
            raise compiled.error.fresh()
        channel, theme = split_name(name)
        try:
            context = build_context(
                lead,
                channel=channel,
                theme=theme,
                now=now,
                settings=settings,
                secret=secret,
                tier=tier,
                unsubscribe=unsubscribe_url,
                message_id=message_id,
                language=self.language,
            )
            # Regulation O's disclosures for NURTURE_MARS_STATUS in the message's language: the email
            # layouts show them, texts end with the short form.
            fee = settings.mars_fee_es if self.language == "es" else settings.mars_fee
            context["notice"] = notice(status=settings.mars_status, company=settings.company_name,
                                       fee=fee, public_url=settings.public_url, language=self.language)
            with self._env.budget() as budget:
                if channel == "sms":
                    return self._render_sms(name, compiled, context, budget, first_sms=first_sms)
                return self._render_email(name, compiled, context, budget)
        except Exception as exc:  # a template must fail its message, never the worker
            raise self._located_error(name, exc, compiled.files) from exc

    def _render_sms(
        self, name: str, compiled: _Compiled, context: dict[str, object], budget: Budget, *, first_sms: bool
    ) -> Rendered:
        assert compiled.sms is not None
        with budget.output(SMS_MAX_CHARS, "the text message"):
            text = compiled.sms.render(context)
        # With the option, Twilio's look-alikes first (its replacement wins where ours differs), then ours.
        text = tidy(normalize_sms(smart_encode(text) if compiled.smart_encoding else text))
        mars = context["notice"]
        assert isinstance(mars, Notice)
        if name not in SYSTEM_TEMPLATES:  # the HELP answer and the STOP confirmation are not commercial
            text = with_footer(text, mars.sms)
        if first_sms:
            company = context["company"]
            assert isinstance(company, Company)  # build_context puts it there
            text = identified(text, company.name, opt_out_line=name != STOP_TEMPLATE,
                              language=self.language)
        if compiled.smart_encoding:  # the whole body, as Twilio would: the footer and sender's name too
            text = smart_encode(text)
        info = sms_segments(text)
        return Rendered(
            template=name,
            channel="sms",
            version=compiled.version,
            subject=None,
            text=text,
            html=None,
            segments=info.segments,
            encoding=info.encoding,
            language=self.language,
        )

    def _render_email(self, name: str, compiled: _Compiled, context: dict[str, object], budget: Budget) -> Rendered:
        assert compiled.subject and compiled.preheader and compiled.text and compiled.text_layout and compiled.html
        with budget.output(HEADER_MAX_CHARS, "the subject"):
            subject = " ".join(compiled.subject.render(context).split())
        with budget.output(HEADER_MAX_CHARS, "the preheader"):
            preheader = " ".join(compiled.preheader.render(context).split())
        with budget.output(EMAIL_MAX_CHARS, "the email's text"):
            body = tidy(compiled.text.render(context))
        with budget.output(EMAIL_MAX_CHARS, "the email's plain-text part"):
            text = tidy(compiled.text_layout.render(context, content=body, subject=subject, preheader=preheader))
        extra = {"subject": subject, "preheader": preheader}
        with budget.output(EMAIL_MAX_CHARS, "the email's HTML"):
            try:
                html = compiled.html.render(context, **extra)
            except Exception:
                # The combined HTML has no line numbers a marketer can use; the layout alone does.
                if compiled.raw_layout is not None:
                    compiled.raw_layout.render(context, content="", **extra)
                raise
        return Rendered(
            template=name,
            channel="email",
            version=compiled.version,
            subject=subject,
            text=text,
            html=html,
            segments=None,
            encoding=None,
            preheader=preheader,
            language=self.language,
        )

    def _load(self, name: str) -> _Compiled:
        cached = self._cache.get(name)
        if cached is not None and _stamp(cached.files) == cached.stamp:
            return cached
        with self._lock:
            cached = self._cache.get(name)
            if cached is None or _stamp(cached.files) != cached.stamp:
                cached = self._cache[name] = self._compile(name)
            return cached

    def _compile(self, name: str) -> _Compiled:
        try:
            path = self.path(name)
        except ValueError as exc:
            raise RenderError(name, str(exc)) from exc
        stamp = _stamp((path,))
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RenderError(name, f"no template file {path}") from exc
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _Compiled(stamp, (path,), _version([raw]), RenderError(name, f"not UTF-8 text: {exc}", file=path))
        if path.suffix == SUFFIXES["sms"]:
            compiled = _Compiled(stamp, (path,), _version([raw]), smart_encoding=sms_options(source).smart_encoding)
            try:
                compiled.sms = self._env.compile_template(source, name=f"{name}.txt", filename=str(path))
            except Exception as exc:
                compiled.error = self._located_error(name, exc, compiled.files)
            return compiled
        return self._compile_email(name, path, stamp, raw, source)

    def _compile_email(
        self, name: str, path: Path, stamp: tuple[tuple[int, int] | None, ...], raw: bytes, source: str
    ) -> _Compiled:
        try:
            parsed = split_front_matter(source)
        except MarkupError as exc:
            error = RenderError(name, exc.problem, file=path, line=exc.line)
            return _Compiled(stamp, (path,), _version([raw]), error)
        layout = parsed.fields["layout"].value if "layout" in parsed.fields else DEFAULT_LAYOUT
        if not _LAYOUT_NAME.match(layout):
            line = parsed.fields["layout"].line
            error = RenderError(name, f"{layout!r} is not a layout name", file=path, line=line)
            return _Compiled(stamp, (path,), _version([raw]), error)
        html_path, text_path = self.layout_paths(layout)
        files = (path, html_path, text_path)
        stamp = stamp + _stamp(files[1:])
        try:
            layout_html, layout_text = html_path.read_bytes(), text_path.read_bytes()
        except OSError:
            error = RenderError(name, f"layout {layout!r} needs both {html_path} and {text_path}", file=path)
            return _Compiled(stamp, files, _version([raw]), error, layout=layout)
        compiled = _Compiled(stamp, files, _version([raw, layout_html, layout_text]), layout=layout)
        env = self._env
        try:
            pad = "\n" * (parsed.body_line - 1)
            compiled.text = env.compile_template(
                pad + markdown_to_text(Protected(parsed.body)), name=f"{name}.txt", filename=str(path)
            )
            for key in ("subject", "preheader"):
                fld = parsed.fields.get(key)
                text = "\n" * (fld.line - 1) + fld.value if fld else ""
                setattr(compiled, key, env.compile_template(text, name=f"{name}.{key}", filename=str(path)))
            compiled.text_layout = env.compile_template(
                layout_text.decode("utf-8"), name=f"layouts/{layout}.txt", filename=str(text_path)
            )
            layout_source = layout_html.decode("utf-8")
            # Compiled alone first so a syntax error in the layout gets the layout's own line number.
            compiled.raw_layout = env.compile_template(
                layout_source, name=f"layouts/{layout}{HTML_SUFFIX}", filename=str(html_path)
            )
            shell = Protected(layout_source)
            body = Protected(parsed.body, tokens=shell.tokens)
            combined = inline_email_html(shell, markdown_to_html(body))
            compiled.html = env.compile_template(combined, name=f"{name}{HTML_SUFFIX}", filename=f"{path} (HTML)")
        except MarkupError as exc:
            compiled.error = RenderError(name, exc.problem, file=html_path)
        except Exception as exc:
            compiled.error = self._located_error(name, exc, files)
        return compiled

    def _located_error(self, name: str, exc: BaseException, files: tuple[Path, ...]) -> RenderError:
        """`exc` as a RenderError, pointing at the template line that raised it when one of `files` did."""
        where = error_line(exc, {str(p) for p in files})
        if where is None:
            return RenderError(name, describe(exc))
        return RenderError(name, describe(exc), file=Path(where[0]), line=where[1])
