"""The outbox: a channel that writes messages to files, used when no provider credentials are set."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from nurture.delivery.channels.base import ChannelError, OutgoingMessage, SendResult
from nurture.config import Settings


class OutboxChannel:
    """Writes each message to `outbox_dir/<channel>/<message_id>.txt` (and `.html` for email)."""

    def __init__(self, name: str, settings: Settings) -> None:
        self.name = name
        self.folder = Path(settings.outbox_dir) / name

    def send(self, msg: OutgoingMessage) -> SendResult:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if msg.html is not None:
                _write_atomically(self.folder / f"{msg.message_id}.html", msg.html)
            # The .txt goes last: its presence is what reconcile takes as "sent".
            _write_atomically(self.folder / f"{msg.message_id}.txt", render_text(msg))
        except OSError as exc:
            raise ChannelError(f"could not write to the outbox {self.folder}: {exc}") from exc
        return SendResult(provider_id=f"outbox-{msg.message_id}", status="delivered", delivered=True)

    def check(self) -> None:
        """The outbox folder can be written to."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            probe = self.folder / ".nurture-check"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError as exc:
            raise ChannelError(f"cannot write to the outbox {self.folder}: {exc}") from exc

    def reconcile(self, msg: OutgoingMessage, since: datetime) -> SendResult | None:
        """Sent if its file is there; otherwise unknown."""
        if (self.folder / f"{msg.message_id}.txt").exists():
            return SendResult(provider_id=f"outbox-{msg.message_id}", status="delivered", delivered=True)
        return None


def render_text(msg: OutgoingMessage) -> str:
    """The message as a person reads it, with the envelope on top like a mail file."""
    lines = [f"To: {msg.to}", f"Channel: {msg.channel}", f"Lead: {msg.lead_id}", f"Message: {msg.message_id}"]
    if msg.subject is not None:
        lines.append(f"Subject: {msg.subject}")
    if msg.reply_to:
        lines.append(f"Reply-To: {msg.reply_to}")
    if msg.unsubscribe_url:
        lines.append(f"List-Unsubscribe: <{msg.unsubscribe_url}>")
    return "\n".join(lines) + "\n\n" + msg.text + ("" if msg.text.endswith("\n") else "\n")


def _write_atomically(path: Path, text: str) -> None:
    # A temporary file and a rename: two workers, or a crash mid-write, never leave half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
