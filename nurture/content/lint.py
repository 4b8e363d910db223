"""`templates lint`: render every template for every sample lead and report what a marketer must fix."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import TemplateSyntaxError, nodes

from nurture.clock import now as clock_now
from nurture.config import Settings
from nurture.content.claims import claim_problems
from nurture.content.context import ESTIMATE_NAME, SALE_DATE_FIELDS, SALE_DATE_NAMES
from nurture.content.environment import MessageEnvironment
from nurture.content.samples import longest_public_url, sample_leads, sample_tiers, urgency_rules
from nurture.content.sms import GSM7, SMART, UCS2, smart_encode, sms_options, sms_segments
from nurture.content.translations import gaps, translation_folders
from nurture.content.store import (
    BASE_VARIANT,
    HELP_TEMPLATE,
    OPT_OUT_WORDS,
    STOP_TEMPLATE,
    SUFFIXES,
    SYSTEM_TEMPLATES,
    THEMES,
    RenderError,
    Rendered,
    TemplateStore,
    split_variant,
)
from nurture.models import Lead
from nurture.law import opt_in_confirmation
from nurture.law.keywords import OPT_IN_KEYWORDS

ERROR, WARNING = "error", "warning"
#: Above this many segments an SMS gets a warning; above settings.sms_max_segments, an error.
SMS_WARN_SEGMENTS = 2
#: Longer subjects are cut off on most phones.
SUBJECT_WARN_LENGTH = 80

_HREF = re.compile(r"""\bhref\s*=\s*["']([^"']*)["']""", re.I)
_ABSOLUTE = re.compile(r"^(https?://[^\s/]+|mailto:|tel:|sms:)", re.I)
# A site path written without the site: " /start-short-sale" or "(/how-we-help)".
_RELATIVE_IN_TEXT = re.compile(r"(?:^|(?<=[\s(\[<\"']))(/[A-Za-z0-9][\w\-./?=&%#]*)")


def _asking_for_reserved(verbs: str) -> re.Pattern[str]:
    """'<verb> [us|back|with|the word] ["]START' for any opt-in keyword, any case."""
    words = "|".join(sorted(OPT_IN_KEYWORDS))
    fillers = r"(?:\s+(?:back|us|me|with|the\s+word|now|today))*"
    return re.compile(rf"\b(?:{verbs}){fillers}\s*[:\-]?\s*[\"'\u201c\u201d\u2018\u2019]?\s*({words})\b", re.I)


# "Reply YES", "text START to ...", "reply 'unstop'": Twilio captures these words as opt-in keywords,
# so such a reply never reaches a person. Opt-out keywords and HELP/INFO are what they say and fine.
# In an email only a request to *text* a keyword is a problem: an email reply reaches a person.
_ASKS_RESERVED = {
    "sms": _asking_for_reserved("reply|respond|answer|text|txt|send|message|msg"),
    "email": _asking_for_reserved("text|txt|sms"),
}

# Lint secret: links in findings are samples, never real tokens.
_LINT_SECRET = "lint"
#: Samples are linted as if saved with a long id, so tracked links are as long as real ones get.
LINT_LEAD_ID = 9_999_999


@dataclass(frozen=True)
class Finding:
    """One problem in one file: where, how bad, and what to do about it."""

    file: str
    line: int | None
    severity: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.problem}"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class _Report:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, int | None, str]] = set()

    def add(self, file: Path | str, line: int | None, severity: str, problem: str, *, key: str | None = None) -> None:
        ident = (str(file), line, key or problem)
        if ident not in self._seen:
            self._seen.add(ident)
            self.findings.append(Finding(str(file), line, severity, problem))


def _line_of(path: Path, needle: str) -> int | None:
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, text in enumerate(lines, 1):
        if needle in text:
            return number
    return None


def lint(directory: Path, settings: Settings, *, now: datetime | None = None,
         only: Collection[Path] | None = None) -> list[Finding]:
    """Every problem in the templates under `directory`, errors and warnings, sorted by file and line.
    With `only`, the problems of those files alone, and only they are rendered (the console checks
    one text as it is typed)."""
    directory = Path(directory)
    report = _Report()
    if not directory.is_dir():
        report.add(directory, None, ERROR, "the templates folder does not exist")
        return report.findings
    store = TemplateStore(directory)
    names = set(store.names())
    _check_files(directory, names, report)
    at = now or clock_now()
    samples = sample_leads(at)
    tiers = sample_tiers(samples, urgency_rules(settings.schedules_dir), at)
    for lead in samples.values():
        lead.id = LINT_LEAD_ID
    parser = MessageEnvironment()
    wanted = None if only is None else {Path(p) for p in only}

    def skip(path: Path) -> bool:
        return wanted is not None and path not in wanted

    for path in _layout_files(directory):
        if skip(path):
            continue
        _check_estimate(parser, path, report)
        _check_wording(path, settings, report)
    for name in sorted(names):
        if skip(store.path(name)):
            continue
        _check_wording(store.path(name), settings, report)
        _check_estimate(parser, store.path(name), report)
        _check_reserved_keywords(store.path(name), name.split("/", 1)[0], report)
        _lint_template(store, name, samples, tiers, at, settings, report)
    # The translation folders (templates/es): what each lacks, then each file as the English ones.
    for gap in gaps(store, error=ERROR, warning=WARNING):
        report.add(gap.file, None, gap.severity, gap.problem)
    for code in translation_folders(directory):
        translated = store.translation(code)
        for path in _layout_files(translated.directory):
            if skip(path):
                continue
            _check_estimate(parser, path, report)
            _check_wording(path, settings, report)
        for name in sorted(translated.names()):
            if skip(translated.path(name)):
                continue
            _check_wording(translated.path(name), settings, report)
            _check_estimate(parser, translated.path(name), report)
            _check_reserved_keywords(translated.path(name), name.split("/", 1)[0], report)
            _lint_template(translated, name, samples, tiers, at, settings, report)
    found = [f for f in report.findings if wanted is None or Path(f.file) in wanted]
    return sorted(found, key=lambda f: (f.file, f.line or 0, f.severity, f.problem))


def _check_files(directory: Path, names: set[str], report: _Report) -> None:
    for channel, suffix in SUFFIXES.items():
        folder = directory / channel
        for theme in THEMES:
            if f"{channel}/{theme}" not in names:
                report.add(folder / f"{theme}{suffix}", None, ERROR, "missing: the default sequences send this template")
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if not path.is_file() or path.name.startswith("."):
                    continue
                if f"{channel}/{path.stem}" not in names or path.suffix != suffix:
                    report.add(path, None, WARNING, f"ignored: {channel} templates are named like welcome{suffix} "
                                                    f"(a variant like welcome.b{suffix})")
    for name in sorted(names):
        base, variant = split_variant(name)
        if variant is not None and base not in names:
            channel, theme = base.split("/", 1)
            report.add(directory / channel / f"{theme}.{variant}{SUFFIXES[channel]}", None, ERROR,
                       f"variant {variant!r} of {base} has no {theme}{SUFFIXES[channel]} beside it: the template's "
                       f"own file is variant {BASE_VARIANT!r}, and is what goes out when no variant is chosen")
    for name in SYSTEM_TEMPLATES:
        if name not in names:
            channel, theme = name.split("/", 1)
            report.add(directory / channel / f"{theme}{SUFFIXES[channel]}", None, ERROR,
                       "missing: nurture sends it by itself (the answer to HELP, the one confirmation of a STOP)")


def _check_wording(path: Path, settings: Settings, report: _Report) -> None:
    """Regulation O's banned claims (content/claims.py): an error under every NURTURE_MARS_STATUS."""
    for found in claim_problems(path, status=settings.mars_status):
        report.add(path, found.line, ERROR, found.problem)


def _layout_files(directory: Path) -> list[Path]:
    folder = directory / "layouts"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in {".html", ".txt"})


def _sale_date_uses(tree: nodes.Template) -> list[tuple[int, str]]:
    """(line, what) for every use of the sale date or a value derived from it, in source order."""
    uses = [(n.lineno, n.name) for n in tree.find_all(nodes.Name) if n.name in SALE_DATE_NAMES]
    for getattr_node in tree.find_all(nodes.Getattr):
        if getattr_node.attr in SALE_DATE_FIELDS:
            uses.append((getattr_node.lineno, f"lead.{getattr_node.attr}"))
    for item in tree.find_all(nodes.Getitem):
        key = item.arg
        if isinstance(key, nodes.Const) and key.value in SALE_DATE_FIELDS:
            uses.append((item.lineno, f"lead.{key.value}"))
    return sorted(uses)


def _check_estimate(parser: MessageEnvironment, path: Path, report: _Report) -> None:
    """An error when a template shows the sale date (or the days to it) and never asks whether it
    is an estimate: an imported lead's date is only the earliest the sale could be, never set."""
    try:
        tree = parser.parse(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, TemplateSyntaxError):
        return  # rendering reports an unreadable or broken file
    uses = _sale_date_uses(tree)
    if not uses or any(n.name == ESTIMATE_NAME for n in tree.find_all(nodes.Name)):
        return
    line, _ = uses[0]
    names = ", ".join(sorted({what for _, what in uses}))
    example = (f"{{% if {ESTIMATE_NAME} %}}could be held as soon as {{{{ lead.sale_date }}}}"
               "{% else %}is set for {{ lead.sale_date }}{% endif %}")
    report.add(
        path, line, ERROR,
        f"shows the sale date ({names}) but never asks {ESTIMATE_NAME}: a lead bought without an auction "
        f"date has an estimated date, only the earliest the sale could be; say so for it, e.g. {example}",
        key="sale date without the estimate case",
    )


def _check_reserved_keywords(path: Path, channel: str, report: _Report) -> None:
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return
    for number, text in enumerate(lines, 1):
        for match in _ASKS_RESERVED[channel].finditer(text):
            word = match.group(1).upper()
            report.add(
                path, number, ERROR,
                f"{match.group(0).strip()!r} asks the lead to reply {word}, but Twilio takes "
                f"{', '.join(sorted(OPT_IN_KEYWORDS))} as opt-in keywords and the reply never reaches a person: "
                "ask for other words (\"reply with a good time to call\")",
            )


def _lint_template(
    store: TemplateStore, name: str, samples: dict[str, Lead], tiers: dict[str, str | None], at: datetime,
    settings: Settings, report: _Report,
) -> None:
    path = store.path(name)
    channel = name.split("/", 1)[0]
    broken = store.compile_error(name)
    if broken is not None:
        report.add(broken.file or path, broken.line, ERROR, broken.problem)
        return
    worst: tuple[int, str, Rendered] | None = None
    longest: tuple[int, str, Rendered] | None = None  # the same at the longest public URL
    for key, lead in samples.items():
        try:
            rendered = store.render(
                name,
                lead,
                now=at,
                settings=settings,
                secret=_LINT_SECRET,
                tier=tiers[key],
                first_sms=split_variant(name)[0] == "sms/welcome",
            )
        except RenderError as exc:
            file = exc.file or path
            report.add(file, exc.line, ERROR, f"{exc.problem} (sample lead {key!r})", key=exc.problem)
            continue
        if channel == "sms":
            if worst is None or (rendered.segments or 0) > worst[0]:
                worst = (rendered.segments or 0, key, rendered)
            long = _check_sms(store, name, path, rendered, key, lead, tiers[key], at, settings, report)
            if longest is None or (long.segments or 0) > longest[0]:
                longest = (long.segments or 0, key, long)
        else:
            _check_email(store, name, path, rendered, key, settings, report)
    if worst is not None and longest is not None:
        _check_budget(path, worst, longest, settings, report)


def _relative_links(text: str) -> list[str]:
    return [m.group(1) for m in _RELATIVE_IN_TEXT.finditer(text)]


def _report_link(path: Path, link: str, report: _Report) -> None:
    report.add(
        path,
        _line_of(path, link),
        ERROR,
        f"link {link!r} is not absolute: use {{{{ links.start }}}}, {{{{ links.how }}}}, "
        "{{ links.who }} or a full https:// address",
        key=f"relative link {link}",
    )


def _check_sms(
    store: TemplateStore,
    name: str,
    path: Path,
    rendered: Rendered,
    key: str,
    lead: Lead,
    tier: str | None,
    at: datetime,
    settings: Settings,
    report: _Report,
) -> Rendered:
    """Checks one sample's text; returns it rendered at the longest public URL, for the budget."""
    _check_sms_options(path, report)
    text = rendered.text
    longest = _at_longest_url(store, name, lead, tier, at, settings, rendered)
    if not text.strip():
        report.add(path, None, ERROR, f"the message is empty for sample lead {key!r}", key="empty")
        return longest
    for link in _relative_links(text):
        _report_link(path, link, report)
    if rendered.encoding == UCS2:
        _check_ucs2(path, text, key, report)
    if name == HELP_TEMPLATE:
        if not OPT_OUT_WORDS.search(text):
            report.add(path, None, ERROR, "the HELP answer must say how to opt out: add 'Reply STOP to opt out.'")
        if settings.company_name.lower() not in text.lower():
            report.add(path, None, ERROR, "the HELP answer must name the sender: add {{ company.name }}")
    if name == STOP_TEMPLATE:
        # 47 CFR 64.1200(a)(12): the confirmation of a revocation only confirms it; no marketing.
        if settings.company_name.lower() not in text.lower():
            report.add(path, None, ERROR, "the opt-out confirmation must name the sender: add {{ company.name }}")
        if re.search(r"https?://|www\.|\{\{\s*links\.", text + path.read_text("utf-8", "replace")):
            report.add(path, None, ERROR, "the opt-out confirmation may only confirm the opt-out (47 CFR "
                       "64.1200(a)(12)): remove the link")
    if split_variant(name)[0] == "sms/welcome":
        # Checked without the automatic opt-out line: the template itself must say it.
        own = store.render(name, lead, now=at, settings=settings, secret=_LINT_SECRET, tier=tier)
        if not OPT_OUT_WORDS.search(own.text):
            report.add(path, None, ERROR, "the first SMS must say how to opt out: add 'Reply STOP to opt out.'")
        if settings.company_name.lower() not in own.text.lower():
            report.add(path, None, ERROR, "the first SMS must name the sender: add {{ company.name }}")
        for element in opt_in_confirmation.missing(own.text, store.language):
            report.add(path, None, ERROR, f"the first SMS confirms the opt-in and must {element.advice} "
                       f"({opt_in_confirmation.SOURCE})", key=f"opt-in confirmation {element.name}")
    return longest


def _check_sms_options(path: Path, report: _Report) -> None:
    """An unknown option comment (`{# encodng: smart #}`) at its line: the text would go out as written."""
    try:
        source = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return
    for line, problem in sms_options(source).problems:
        report.add(path, line, ERROR, f"{problem}; until then it is sent as written")


def _at_longest_url(
    store: TemplateStore, name: str, lead: Lead, tier: str | None, at: datetime, settings: Settings,
    rendered: Rendered,
) -> Rendered:
    """`rendered` again with the longest public URL a deployment may set (samples.LONGEST_PUBLIC_URL):
    its links and Regulation O's short form are as long as they get."""
    url = longest_public_url(settings.public_url)
    if url == settings.public_url.rstrip("/"):
        return rendered
    longer = settings.model_copy(update={"public_url": url})
    try:  # in the language the sample's text was rendered in (issue 25)
        return store.render(name, lead, now=at, settings=longer, secret=_LINT_SECRET, tier=tier,
                            first_sms=split_variant(name)[0] == "sms/welcome", language=rendered.language)
    except RenderError:
        return rendered  # reported with the deployment's own URL


def _forcing(text: str) -> str:
    """"'á' 'ó'": the characters that make `text` UCS-2."""
    return " ".join(repr(c) for c in sms_segments(text).non_gsm_chars)


def _check_ucs2(path: Path, text: str, key: str, report: _Report) -> None:
    """A warning for what makes a text UCS-2 at twice the cost, unless it is the language's own
    spelling: a letter written in the template (á, í, ó, ú of a Spanish text) is how the language is
    written, and the budget finding names it. A symbol or emoji, or a letter from the lead's data
    (a name like María), is warned about; with Twilio's look-alikes the option is suggested."""
    try:
        source = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        source = ""
    chars = [c for c in sms_segments(text).non_gsm_chars if not (c in source and _is_letter(c))]
    if not chars:
        return
    named = " ".join(repr(c) for c in chars)
    written = [c for c in chars if c in source]
    if written:
        line = _line_of(path, written[0])
        why = f"because of {named} in the template"
    else:
        line = None
        why = f"because of {named} in sample lead {key!r}'s data (the lead's name or address)"
    fix = ""
    if sms_segments(smart_encode(text)).encoding == GSM7:
        fix = f"; Twilio's look-alikes would make it GSM-7: add {{# encoding: {SMART} #}} as the first line"
    report.add(path, line, WARNING, f"sent as UCS-2 (70 characters a segment, about twice the cost) {why}{fix}",
               key="ucs2")


def _is_letter(char: str) -> bool:
    """A letter or an accent joined to one (Unicode categories L and M)."""
    return unicodedata.category(char)[0] in "LM"


def _check_budget(
    path: Path, worst: tuple[int, str, Rendered], longest: tuple[int, str, Rendered], settings: Settings,
    report: _Report,
) -> None:
    """An error when a text goes over NURTURE_SMS_MAX_SEGMENTS for some sample lead at the longest public
    URL a deployment may set; a warning when it costs more than SMS_WARN_SEGMENTS with this deployment's
    own URL. Both name the encoding and, for UCS-2, the characters that force it."""
    segments, key, rendered = longest
    if segments > settings.sms_max_segments:
        url = longest_public_url(settings.public_url)
        report.add(path, None, ERROR, f"too long: {_detail(segments, key, rendered)} with a public URL of {len(url)} "
                                      f"characters ({url}); the limit is {settings.sms_max_segments}")
        return
    segments, key, rendered = worst
    if segments > SMS_WARN_SEGMENTS:
        report.add(path, None, WARNING, f"long: {_detail(segments, key, rendered)}; each segment is billed")


def _detail(segments: int, key: str, rendered: Rendered) -> str:
    """'3 segments (UCS-2 because of 'á' 'ó', 190 characters) for sample lead 'critical''."""
    encoding = rendered.encoding or GSM7
    if encoding == UCS2:
        encoding = f"{UCS2} because of {_forcing(rendered.text)}"
    return f"{segments} segments ({encoding}, {len(rendered.text)} characters) for sample lead {key!r}"


def _check_email(
    store: TemplateStore, name: str, path: Path, rendered: Rendered, key: str, settings: Settings, report: _Report
) -> None:
    assert rendered.html is not None
    layout = store.layout_of(name) or "email"
    layout_html, layout_text = store.layout_paths(layout)
    html_text = rendered.html
    hrefs = [html_lib.unescape(h) for h in _HREF.findall(html_text)]
    unsubscribe = next((h for h in hrefs if "/unsubscribe/" in h), None)
    if unsubscribe is None:
        report.add(layout_html, None, ERROR, "no unsubscribe link: add <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>")
    elif unsubscribe not in rendered.text:
        report.add(layout_text, None, ERROR, "no unsubscribe link in the plain-text part: add {{ unsubscribe_url }}")
    address = settings.company_address
    if html_lib.escape(address, quote=False) not in html_text and address not in html_text:
        report.add(layout_html, None, ERROR, "no postal address: add {{ company.address }} (the law requires it)")
    if address not in rendered.text:
        report.add(layout_text, None, ERROR, "no postal address in the plain-text part: add {{ company.address }}")
    for href in hrefs:
        if not _ABSOLUTE.match(href):
            _report_link(path, href, report)
    for link in _relative_links(rendered.text):
        _report_link(path, link, report)
    if not rendered.subject:
        report.add(path, None, ERROR, f"the subject is empty for sample lead {key!r}", key="empty subject")
    elif len(rendered.subject) > SUBJECT_WARN_LENGTH:
        report.add(path, None, WARNING, f"the subject is {len(rendered.subject)} characters; phones show about 60",
                   key="long subject")
