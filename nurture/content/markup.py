"""Turning a marketer's email file into templates: front matter, Markdown to HTML and to plain text.

Markdown is converted once per file version, not per lead: every Jinja tag is swapped for an
opaque token first, so lead data never passes through Markdown (a name like `[x](http://evil)`
stays text) and the HTML can be CSS-inlined once, when the file is loaded.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from dataclasses import dataclass

import markdown
from premailer import Premailer

from nurture.errors import OperatorError

#: Keys a marketer may put in an email's front matter.
FRONT_MATTER_KEYS = ("subject", "preheader", "layout")

_FENCE = "---"
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s?(.*)$")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_CONTENT_TAG = re.compile(r"^\{\{-?\s*content\s*-?\}\}$")
_TOKEN = "JINJA{:05d}TOKEN"


class MarkupError(OperatorError, ValueError):
    """A problem with the file's layout (not its Jinja), with the line it is on."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


@dataclass(frozen=True)
class Field:
    value: str
    line: int


@dataclass(frozen=True)
class EmailSource:
    """An email file split into its front matter fields and its Markdown body."""

    fields: dict[str, Field]
    body: str
    body_line: int  # line number of the body's first line in the file


def split_front_matter(source: str) -> EmailSource:
    """Read the `---` block of `subject:` / `preheader:` lines at the top of an email file.

    Not YAML on purpose: `subject: Re: {{ lead.first_name }}` is what a marketer writes, and
    YAML would reject it (a colon, a brace) or change it (`no` becomes false).
    """
    lines = source.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise MarkupError("an email starts with a '---' line, then 'subject:' and 'preheader:' lines, then '---'", 1)
    fields: dict[str, Field] = {}
    for index in range(1, len(lines)):
        number, text = index + 1, lines[index].strip()
        if text == _FENCE:
            body = "\n".join(lines[index + 1 :])
            if "subject" not in fields:
                raise MarkupError("the front matter has no 'subject:' line", 1)
            return EmailSource(fields=fields, body=body, body_line=number + 1)
        if not text or text.startswith("#"):
            continue
        match = _KEY_LINE.match(text)
        if not match:
            raise MarkupError(f"expected 'name: value' in the front matter, found {text!r}", number)
        key, value = match.group(1).lower(), match.group(2).strip()
        if key not in FRONT_MATTER_KEYS:
            raise MarkupError(f"unknown front matter field {key!r} (known: {', '.join(FRONT_MATTER_KEYS)})", number)
        if key in fields:
            raise MarkupError(f"{key!r} is given twice", number)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        fields[key] = Field(value=value, line=number)
    raise MarkupError("the front matter is not closed by a '---' line", 1)


class Protected:
    """Text whose Jinja tags are replaced by tokens that Markdown and CSS inlining leave alone."""

    def __init__(self, source: str, tokens: dict[str, str] | None = None) -> None:
        self.tokens = tokens if tokens is not None else {}
        self.content_token: str | None = None
        self.text = _JINJA.sub(self._swap, source)

    def _swap(self, match: re.Match[str]) -> str:
        token = _TOKEN.format(len(self.tokens))
        self.tokens[token] = match.group(0)
        if _CONTENT_TAG.match(match.group(0)):
            self.content_token = token
        return token

    def is_statement(self, token: str) -> bool:
        return not self.tokens[token].startswith("{{")

    def restore(self, text: str) -> str:
        return re.sub(r"JINJA\d{5}TOKEN", lambda m: self.tokens.get(m.group(0), m.group(0)), text)


def _unwrap_statements(html: str, protected: Protected) -> str:
    # `{% if %}` alone on a line becomes <p>{% if %}</p>: drop the <p> so no empty paragraph is left.
    def unwrap(match: re.Match[str]) -> str:
        tokens = match.group(1).split()
        if all(protected.is_statement(t) for t in tokens):
            return "\n".join(tokens)
        return match.group(0)

    return re.sub(r"<p>\s*((?:JINJA\d{5}TOKEN\s*)+)</p>", unwrap, html)


def markdown_to_html(body: Protected) -> str:
    html = markdown.markdown(body.text, output_format="html")
    return _unwrap_statements(html, body)


# Line-for-line rewrites, so a Jinja error in the plain-text part keeps the file's line number.
_TEXT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\s*)#{1,6}\s+(.*?)\s*#*\s*$", re.M), r"\1\2"),
    (re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)"), r"\1: \2"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),
    (re.compile(r"(?<![\w\\])__(.+?)__(?!\w)"), r"\1"),
    (re.compile(r"(?<![\w*\\])\*(?![\s*])(.+?)(?<![\s\\])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w\\])_(?![\s_])(.+?)(?<!\s)_(?!\w)"), r"\1"),
    (re.compile(r"^(\s*)[*+](\s+)", re.M), r"\1-\2"),
    (re.compile(r"</?[A-Za-z][^>\n]*>"), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!])"), r"\1"),
)


def markdown_to_text(body: Protected) -> str:
    """Readable plain text from Markdown: links become 'label: address', emphasis marks go."""
    text = body.text
    for pattern, replacement in _TEXT_RULES:
        text = pattern.sub(replacement, text)
    return body.restore(html_lib.unescape(text))


def inline_email_html(layout: Protected, body_html: str) -> str:
    """The layout with the body in place of `{{ content }}`, CSS inlined, Jinja tags put back."""
    if layout.content_token is None:
        raise MarkupError("the layout has no {{ content }} where the message goes")
    document = layout.text.replace(layout.content_token, body_html, 1)
    inlined = Premailer(
        document,
        keep_style_tags=False,
        strip_important=False,
        disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
        allow_network=False,
        allow_loading_external_files=False,
    ).transform()
    if not inlined.lstrip().lower().startswith("<!doctype"):
        inlined = "<!DOCTYPE html>\n" + inlined
    return layout.restore(inlined)
