"""Channels paused: nothing on them goes out, their messages stay planned, every process sees it.

Two kinds, one row each per channel (KeyValue):

- `credential`: the provider refused the credentials (Twilio 20003, SendGrid 401/403), or its
  address answers with a redirect. Not the message's fault: failing every message for good would
  lose the whole plan. The pause is tied to the credential in use and lifts by itself once the
  provider accepts them again (the scheduler asks every minute) or they are changed.
- `deliverability`: the rates say mailbox providers or carriers are about to block us (spam
  reports, hard bounces, carrier filtering) or the sender cannot text at all (Twilio 30034/30032):
  see nurture.delivery.deliverability. It stays until a person resumes the channel (`nurture
  channels resume sms`), whoever's credentials are configured: new credentials fix no list.

`/healthz`, `/ops` and `nurture doctor` say which channel is paused, since when and why.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from nurture.delivery.lifecycle import log_event
from nurture.models import KeyValue

log = logging.getLogger("nurture.delivery.pauses")
CREDENTIAL = "credential"
DELIVERABILITY = "deliverability"
_PREFIX = {CREDENTIAL: "pause:", DELIVERABILITY: "pause-until-resumed:"}
_RESUMED = "resumed:"
"""When a person last resumed the channel: the deliverability rates that paused it count from then."""


@dataclass(frozen=True)
class Pause:
    channel: str
    reason: str
    at: datetime
    kind: str = CREDENTIAL

    @property
    def until(self) -> str:
        """What lifts it, in words."""
        if self.kind == DELIVERABILITY:
            return f"a person resumes it (nurture channels resume {self.channel})"
        if self.kind == CARRIER:
            return "the carrier registration is approved (checked every 15 minutes)"
        return "the provider accepts the credentials again (checked every minute)"

    def describe(self) -> str:
        return f"{self.channel} paused since {self.at:%Y-%m-%d %H:%M} UTC: {self.reason}; until {self.until}"


def credential(channel: str, settings: Any) -> str:
    """A fingerprint of the credential in use (never the secret itself): new credentials, no pause."""
    if channel == "sms":
        material = f"{settings.twilio_account_sid}:{settings.twilio_auth_token}:{settings.twilio_api_base}"
    else:
        material = f"{settings.sendgrid_api_key}:{settings.sendgrid_host}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _rows(session: Session, kind: str) -> dict[str, dict[str, Any]]:
    prefix = _PREFIX[kind]
    rows = session.execute(sa.select(col(KeyValue.key), col(KeyValue.value)).where(col(KeyValue.key).startswith(prefix))).all()
    found: dict[str, dict[str, Any]] = {}
    for key, value in rows:
        try:
            data = json.loads(value)
        except ValueError:
            continue
        if isinstance(data, dict) and "at" in data:
            found[key.removeprefix(prefix)] = data
    return found


def _pause(channel: str, data: dict[str, Any], kind: str) -> Pause:
    return Pause(channel, data.get("reason", ""), datetime.fromisoformat(data["at"]), kind)


def credential_paused(session: Session, settings: Any) -> dict[str, Pause]:
    """The channels paused for the credentials configured now."""
    return {channel: _pause(channel, data, CREDENTIAL) for channel, data in _rows(session, CREDENTIAL).items()
            if data.get("credential") == credential(channel, settings)}


def paused(session: Session, settings: Any) -> dict[str, Pause]:
    """Every paused channel, of any kind; a channel paused several ways shows the pause that needs
    a person most (deliverability, then the carrier registration, then the credentials)."""
    found = credential_paused(session, settings)
    found.update(carrier_paused(session))
    found.update({channel: _pause(channel, data, DELIVERABILITY)
                  for channel, data in _rows(session, DELIVERABILITY).items()})
    return found


def _insert(session: Session) -> Any:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def pause(session: Session, channel: str, reason: str, settings: Any, at: datetime) -> bool:
    """Pause `channel` for a refused credential (once: True only for the call that paused it). Logged loudly."""
    if channel in credential_paused(session, settings):
        return False
    value = json.dumps({"reason": reason[:300], "at": at.isoformat(), "credential": credential(channel, settings)})
    # An upsert: several worker threads meet the refused credential at the same moment.
    stmt = _insert(session)(KeyValue.__table__).values(key=_PREFIX[CREDENTIAL] + channel, value=value)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
    log.error("%s channel PAUSED: %s. Its messages stay planned; fix what the reason names, the credentials "
              "or the provider's address (nurture doctor checks them). It resumes when the provider accepts "
              "them again.", channel, reason)
    return True


def resume(session: Session, channel: str) -> bool:
    """Lift a credential pause (the provider accepts the credentials again); a deliverability pause stays."""
    done = session.exec(sa.delete(KeyValue).where(col(KeyValue.key) == _PREFIX[CREDENTIAL] + channel)).rowcount
    if done:
        log.warning("%s channel resumed: the provider accepts the credentials again", channel)
    return bool(done)


def hold(session: Session, channel: str, reason: str, at: datetime) -> bool:
    """Pause `channel` until a person resumes it (True only for the call that paused it: the first
    reason stays). Logged loudly and in the delivery log."""
    value = json.dumps({"reason": reason[:300], "at": at.isoformat()})
    stmt = _insert(session)(KeyValue.__table__).values(key=_PREFIX[DELIVERABILITY] + channel, value=value)
    # Two webhooks may cross the threshold at the same moment: the first row stays.
    if not session.execute(stmt.on_conflict_do_nothing(index_elements=["key"])).rowcount:
        return False
    log_event(session, at=at, kind="channel", cause=f"{channel} channel paused: {reason}"[:500],
              to_state="paused", data={"channel": channel, "pause": DELIVERABILITY})
    log.error("%s channel PAUSED: %s. Its messages stay planned until a person resumes it "
              "(nurture channels resume %s).", channel, reason, channel)
    return True


def resumed_at(session: Session, channel: str) -> datetime | None:
    """When a person last resumed `channel` (None: never)."""
    value = session.get(KeyValue, _RESUMED + channel)
    return datetime.fromisoformat(value.value) if value is not None else None


def release(session: Session, channel: str, *, by: str, at: datetime, note: str = "") -> list[Pause]:
    """A person resumes `channel`: its deliverability and credential pauses are lifted (a credential
    still refused pauses it again at the next send; a carrier pause stays until the registration is
    approved), who and when is logged. The pauses lifted (none: nothing to lift, nothing logged)."""
    lifted = [_pause(channel, data, kind) for kind in (DELIVERABILITY, CREDENTIAL)
              for name, data in _rows(session, kind).items() if name == channel]
    if not lifted:
        return []
    session.exec(sa.delete(KeyValue).where(col(KeyValue.key).in_([_PREFIX[k] + channel for k in _PREFIX])))
    stamp = at.isoformat()
    stmt = _insert(session)(KeyValue.__table__).values(key=_RESUMED + channel, value=stamp)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stamp}))
    said = "; ".join(f"{p.kind}: {p.reason}" for p in lifted)
    cause = f"{channel} channel resumed by {by}" + (f" ({note})" if note else "") + f"; {said}"
    log_event(session, at=at, kind="channel", cause=cause[:500], from_state="paused",
              to_state="resumed", data={"channel": channel, "by": by[:100], "note": note[:300]})
    log.warning("%s", cause)
    return lifted


# -- carrier readiness (nurture.delivery.carrier) ------------------------------------------------
# A third kind: the A2P 10DLC campaign is not VERIFIED, or the toll-free number not verified.
# Lifted by the readiness check that finds it approved, not by a person (carriers would block
# every text) nor by credentials.
CARRIER = "carrier"
_CARRIER_PREFIX = "pause-carrier:"


def carrier_paused(session: Session) -> dict[str, Pause]:
    """The channels paused until their carrier registration is approved."""
    rows = session.execute(sa.select(col(KeyValue.key), col(KeyValue.value))
                           .where(col(KeyValue.key).startswith(_CARRIER_PREFIX))).all()
    found = {}
    for key, value in rows:
        try:
            data = json.loads(value)
            found[key.removeprefix(_CARRIER_PREFIX)] = _pause(key.removeprefix(_CARRIER_PREFIX), data, CARRIER)
        except (ValueError, KeyError, TypeError):
            continue
    return found


def carrier_hold(session: Session, channel: str, reason: str, at: datetime) -> bool:
    """Pause `channel` until its carrier registration is approved; the reason is kept current (a
    campaign PENDING, then FAILED). True only for the call that paused it."""
    key, reason = _CARRIER_PREFIX + channel, reason[:300]
    row = session.get(KeyValue, key)
    if row is not None:
        data = json.loads(row.value)
        if data.get("reason") != reason:
            row.value = json.dumps({**data, "reason": reason})
            session.add(row)
        return False
    value = json.dumps({"reason": reason, "at": at.isoformat()})
    stmt = _insert(session)(KeyValue.__table__).values(key=key, value=value)
    if not session.execute(stmt.on_conflict_do_nothing(index_elements=["key"])).rowcount:
        return False
    log_event(session, at=at, kind="channel", cause=f"{channel} channel paused: {reason}"[:500],
              to_state="paused", data={"channel": channel, "pause": CARRIER})
    log.error("%s channel PAUSED: %s", channel, reason)
    return True


def carrier_release(session: Session, channel: str, *, at: datetime | None = None) -> bool:
    """Lift the carrier pause of `channel` (its registration is approved); True if there was one."""
    done = session.exec(sa.delete(KeyValue).where(col(KeyValue.key) == _CARRIER_PREFIX + channel)).rowcount
    if done and at is not None:
        log_event(session, at=at, kind="channel", cause=f"{channel} channel resumed: the carrier registration "
                                                        f"is approved", from_state="paused", to_state="resumed",
                  data={"channel": channel, "pause": CARRIER})
    return bool(done)
