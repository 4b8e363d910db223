"""SendGrid Inbound Parse posts, read into an InboundEmail. Pure: fields in, an email out.

Inbound Parse posts multipart/form-data with the fields `from`, `to`, `cc`, `subject`, `text`,
`html`, `headers` (the raw header block), `envelope` (JSON: `to` list and `from`), `charsets`
(JSON: the character set of each field), `attachments` (a count), `attachment-info` (JSON) and
one file part per attachment (`attachment1`, ...); with "POST the raw, full MIME message" on, the
whole message comes in one field, `email`, instead of text, html, headers and the files.
(The field names are those of the sendgrid package's inbound helper, sendgrid/helpers/inbound.)
"""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any

from nurture.conversations.inbound import InboundEmail
from nurture.text_rules import clip, scrub

#: Attachments listed per email (their names, types and sizes; their content is never kept).
ATTACHMENTS_MAX = 20
MESSAGE_ID_MAX = 200


def parse_inbound(fields: Mapping[str, str], files: Sequence[dict[str, Any]] = ()) -> InboundEmail:
    """The email in an Inbound Parse post (default or raw mode). `files` lists the file parts as
    {"field", "filename", "type", "size"}."""
    charsets = _json(fields.get("charsets"), {})
    text_of = {name: _field_text(fields.get(name) or "", charsets.get(name) if isinstance(charsets, dict) else None)
               for name in ("from", "to", "cc", "subject", "text", "html")}
    envelope = _json(fields.get("envelope"), {})
    envelope_to = envelope.get("to") if isinstance(envelope, dict) else None
    raw = fields.get("email")
    if raw:
        message = email.message_from_string(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        sender = _address(str(message.get("from") or text_of["from"]))
        recipients = _addresses([str(message.get("to") or ""), str(message.get("cc") or "")], envelope_to)
        subject = str(message.get("subject") or text_of["subject"])
        body = _mime_text(message)
        attachments = [_attachment(part) for part in list(message.iter_attachments())[:ATTACHMENTS_MAX]]
        message_id = str(message.get("message-id") or "") or None
    else:
        headers = HeaderParser().parsestr(fields.get("headers") or "")
        sender = _address(text_of["from"] or str(headers.get("from") or ""))
        recipients = _addresses([text_of["to"], text_of["cc"]], envelope_to)
        subject = text_of["subject"]
        body = text_of["text"] or html_to_text(text_of["html"])
        info = _json(fields.get("attachment-info"), {})
        attachments = [_listed(f, info.get(f["field"]) if isinstance(info, dict) else None)
                       for f in list(files)[:ATTACHMENTS_MAX]]
        message_id = str(headers.get("message-id") or "") or None
    if not sender and isinstance(envelope, dict):
        sender = _address(str(envelope.get("from") or ""))
    return InboundEmail(
        sender=sender, recipients=tuple(recipients), subject=scrub(" ".join(subject.split()), 300),
        text=body, message_id=clip(message_id.strip(), MESSAGE_ID_MAX) if message_id else None,
        attachments=tuple(attachments),
    )


def _json(value: str | None, default: Any) -> Any:
    try:
        return json.loads(value) if value else default
    except (ValueError, RecursionError):
        return default


def _field_text(value: str, charset: Any) -> str:
    """A field in the character set SendGrid says it is in (`charsets`). The form parser read it as
    UTF-8, or as Latin-1 when it was not UTF-8: its bytes are recovered, then decoded as declared."""
    if not isinstance(charset, str) or charset.lower().replace("-", "") in ("utf8", ""):
        return value
    try:
        raw = value.encode("latin-1")
        raw.decode("utf-8")
        raw = value.encode("utf-8")  # it was valid UTF-8, so the parser read it as such
    except UnicodeEncodeError:
        raw = value.encode("utf-8")
    except UnicodeDecodeError:
        pass  # not UTF-8: the parser fell back to Latin-1, and `raw` holds the original bytes
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return value


def _address(text: str) -> str:
    _, address = parseaddr(text)
    return address.strip().lower() if "@" in address else ""


def _addresses(headers: Sequence[str], envelope_to: Any) -> list[str]:
    found: list[str] = []
    for _, address in getaddresses([h for h in headers if h]):
        if "@" in address and address.lower() not in found:
            found.append(address.strip().lower())
    if isinstance(envelope_to, list):
        for address in envelope_to:
            if isinstance(address, str) and "@" in address and address.lower() not in found:
                found.append(address.strip().lower())
    return found[:20]


def _mime_text(message: EmailMessage) -> str:
    """The plain-text body of a MIME message (its HTML made text when it has no plain part)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):  # an unknown charset or a broken part
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    return html_to_text(content) if part.get_content_subtype() == "html" else str(content)


def _attachment(part: Any) -> dict[str, Any]:
    payload = part.get_payload(decode=True)
    return {"filename": scrub(part.get_filename() or "", 200), "type": scrub(part.get_content_type(), 100),
            "size": len(payload) if isinstance(payload, bytes) else None}


def _listed(file: dict[str, Any], info: Any) -> dict[str, Any]:
    name = file.get("filename") or (info.get("filename") if isinstance(info, dict) else "") or ""
    kind = file.get("type") or (info.get("type") if isinstance(info, dict) else "") or ""
    return {"filename": scrub(name, 200), "type": scrub(kind, 100), "size": file.get("size")}


class _Text(HTMLParser):
    """The words of an HTML body, a line per block, without scripts and styles."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML email body (for classification and the inbox)."""
    if not html:
        return ""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line).strip()
