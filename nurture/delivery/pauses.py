"""Channels paused because the provider refused the credentials (Twilio 20003, SendGrid 401/403),
or its address answers with a redirect (the setting points elsewhere).

A refused credential is not the message's fault: failing every message for good would lose the
whole plan. Instead the channel pauses (its messages stay planned), every process sees it in the
database, `/healthz`, `/ops` and `nurture doctor` say so, and it resumes by itself once the
credentials work again (the scheduler asks the provider every minute) or are changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from nurture.models import KeyValue

log = logging.getLogger("nurture.delivery.pauses")
_PREFIX = "pause:"


@dataclass(frozen=True)
class Pause:
    channel: str
    reason: str
    at: datetime

    def describe(self) -> str:
        return f"{self.channel} paused since {self.at:%Y-%m-%d %H:%M} UTC: {self.reason}"


def credential(channel: str, settings: Any) -> str:
    """A fingerprint of the credential in use (never the secret itself): new credentials, no pause."""
    if channel == "sms":
        material = f"{settings.twilio_account_sid}:{settings.twilio_auth_token}:{settings.twilio_api_base}"
    else:
        material = f"{settings.sendgrid_api_key}:{settings.sendgrid_host}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def paused(session: Session, settings: Any) -> dict[str, Pause]:
    """The channels paused for the credentials configured now."""
    rows = session.execute(sa.select(KeyValue.key, KeyValue.value).where(KeyValue.key.startswith(_PREFIX))).all()
    found: dict[str, Pause] = {}
    for key, value in rows:
        channel = key.removeprefix(_PREFIX)
        try:
            data = json.loads(value)
        except ValueError:
            continue
        if data.get("credential") == credential(channel, settings):
            found[channel] = Pause(channel, data.get("reason", ""), datetime.fromisoformat(data["at"]))
    return found


def pause(session: Session, channel: str, reason: str, settings: Any, at: datetime) -> bool:
    """Pause `channel` (once: True only for the call that paused it). Logged loudly."""
    if channel in paused(session, settings):
        return False
    value = json.dumps({"reason": reason[:300], "at": at.isoformat(), "credential": credential(channel, settings)})
    # An upsert: several worker threads meet the refused credential at the same moment.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(KeyValue.__table__).values(key=_PREFIX + channel, value=value)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
    log.error("%s channel PAUSED: %s. Its messages stay planned; fix what the reason names, the credentials "
              "or the provider's address (nurture doctor checks them). It resumes when the provider accepts "
              "them again.", channel, reason)
    return True


def resume(session: Session, channel: str) -> bool:
    done = session.exec(sa.delete(KeyValue).where(col(KeyValue.key) == _PREFIX + channel)).rowcount
    if done:
        log.warning("%s channel resumed: the provider accepts the credentials again", channel)
    return bool(done)
