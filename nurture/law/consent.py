"""The consent ledger: what a channel's consent is now, how a change is written, and the story of
one lead's consent (every entry, and every text sent under each grant) for `leads show` and
`consent export`.

The ledger is append-only: a grant, a revocation, or a grant that was refused, each with its
wording, where and when it was given and who put it on record. A channel's state is its newest
grant or revocation; refused entries are evidence, never state. "Newest" is decided here and only
here (`current_statement`, `current_action_sql`, `current_many`, `newest`): the planner, the send
gate, intake, the inbox, `leads show` and `consent export` all ask these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from nurture.db import one_of
from nurture.models import WENT_OUT_STATES, Consent, ConsentAction, Lead, Message
from nurture.law import STOP_CONFIRMATION_STEP, message_kind
from nurture.text_rules import clip

#: Methods by which a lead revokes by text. Only such a revocation can be undone by the lead's own
#: START/UNSTOP/YES, and while it stands no intake may grant consent for the number again.
#: "sms_keyword" is what rows recorded before free-text revocations were understood say.
TEXT_REVOCATION_METHODS = frozenset({"sms_reply", "sms_keyword"})
NOTE_MAX = 500
TEXT_MAX = 5_000


#: The order in which entries take effect, oldest first: by when each was recorded, then by id (two
#: entries of the same instant keep the order they were written in). Not by id alone: an entry's
#: `recorded_at` is the moment it was received, and the id only the order rows reached the table,
#: which need not be the same (two intakes at once, an entry written with the time it arrived);
#: `story` asks which grant was in force when a text went out by `recorded_at`, so "now" must be
#: read on the same axis or the two would disagree. Refused entries are skipped everywhere: a
#: refused re-grant changes nothing, so a grant followed by a refused re-grant is still granted.
ORDER = (col(Consent.recorded_at), col(Consent.id))
#: The entries that are state (grants and revocations); refused grants are evidence only.
IS_STATE = col(Consent.action) != ConsentAction.refused


def _newest(query: Any, lead_id: Any, channel: Any) -> Any:
    return (query.where(Consent.lead_id == lead_id, Consent.channel == channel, IS_STATE)
            .order_by(*(c.desc() for c in ORDER)).limit(1))


def current_statement(lead_id: Any, channel: Any) -> Any:
    """SELECT of the lead's current entry on `channel` (`lead_id`, `channel`: values or bind params)."""
    return _newest(select(Consent), lead_id, channel)


def current_action_sql(lead_id: Any, channel: Any) -> Any:
    """The lead's current action on `channel` ("grant", "revoke" or NULL) as a scalar SQL expression,
    for statements that read it with other facts (the send gate's, prepared once)."""
    return _newest(sa.select(col(Consent.action)), lead_id, channel).scalar_subquery()


def current(session: Session, lead_id: int, channel: str) -> Consent | None:
    """The newest grant or revocation of `channel` (refused grants are not state), or None."""
    return session.exec(current_statement(lead_id, channel)).first()


def current_many(session: Session, lead_ids: Sequence[int], channel: str | None = None) -> dict[tuple[int, str], Consent]:
    """The current entry of each lead on each channel (or on `channel`), keyed (lead_id, channel):
    one query for many leads (a planning batch, a CSV import)."""
    query = select(Consent).where(one_of(session, col(Consent.lead_id), list(lead_ids)), IS_STATE)
    if channel is not None:
        query = query.where(Consent.channel == channel)
    found: dict[tuple[int, str], Consent] = {}
    for c in session.exec(query.order_by(*ORDER)):
        found[(c.lead_id, c.channel)] = c
    return found


def _order_key(c: Consent) -> tuple[datetime, int]:
    return c.recorded_at, c.id or 0


def newest(entries: Iterable[Consent], channel: str, at: datetime | None = None) -> Consent | None:
    """`current` over entries already read: the newest grant or revocation of `channel` (recorded
    by `at`, when given), by the same order and the same refused-entry rule."""
    state = [c for c in entries if c.channel == channel and c.action != ConsentAction.refused
             and (at is None or c.recorded_at <= at)]
    return max(state, key=_order_key, default=None)


def revoked_by_text(row: Consent | None) -> bool:
    """True when `row` (a channel's current entry) is a revocation the lead sent by text."""
    return row is not None and row.action == ConsentAction.revoke and row.method in TEXT_REVOCATION_METHODS


def record(
    session: Session,
    *,
    lead_id: int,
    channel: str,
    action: ConsentAction | str,
    method: str,
    at: datetime,
    text: str | None = None,
    source_url: str | None = None,
    ip: str | None = None,
    given_at: datetime | None = None,
    recorded_by: str | None = None,
    note: str | None = None,
) -> int:
    """Append one entry to the ledger; its id. `given_at` defaults to `at` (the time of receipt)."""
    return session.execute(sa.insert(Consent).values(**entry(
        lead_id=lead_id, channel=channel, action=action, method=method, at=at, text=text, source_url=source_url,
        ip=ip, given_at=given_at, recorded_by=recorded_by, note=note,
    )).returning(Consent.id)).scalar_one()


def entry(
    *, lead_id: int, channel: str, action: ConsentAction | str, method: str, at: datetime, text: str | None = None,
    source_url: str | None = None, ip: str | None = None, given_at: datetime | None = None,
    recorded_by: str | None = None, note: str | None = None,
) -> dict[str, Any]:
    """The column values of one ledger entry (for a batch insert)."""
    return {
        "lead_id": lead_id, "channel": channel, "action": str(action), "method": method[:30],
        "text": clip(text, TEXT_MAX) if text else None, "source_url": source_url, "ip": ip,
        "recorded_at": at, "given_at": given_at or at,
        "recorded_by": clip(recorded_by, 200) if recorded_by else None,
        "note": clip(note, NOTE_MAX) if note else None,
    }


def refusal_note(revocation: Consent) -> str:
    """Why a grant is refused while `revocation` (a revocation by text) stands."""
    when = revocation.recorded_at.strftime("%Y-%m-%d %H:%M UTC")
    said = f' ("{clip(revocation.text, 60)}")' if revocation.text else ""
    return (f"refused: this number revoked consent by text on {when}{said} (entry #{revocation.id}); "
            "only the lead can restore it, by texting START")


def consent_json(c: Consent) -> dict[str, Any]:
    """One ledger entry as `leads show --json`, the API and `consent export` print it."""
    return {
        "id": c.id, "channel": c.channel, "action": c.action, "text": c.text, "source_url": c.source_url,
        "ip": c.ip, "method": c.method, "recorded_at": c.recorded_at.isoformat(),
        "given_at": c.given_at.isoformat() if c.given_at else None, "recorded_by": c.recorded_by, "note": c.note,
    }


@dataclass(frozen=True)
class SentText:
    """A text that went out (or may have), and the consent it went under."""

    message: Message
    basis: str  # what allowed it: "grant #12", or why none was needed
    grant_id: int | None

    def as_dict(self) -> dict[str, Any]:
        m = self.message
        return {
            "message_id": m.id, "sent_at": (m.sent_at or m.updated_at).isoformat(), "state": m.state,
            "to": m.to_address, "provider_id": m.provider_id, "sequence": m.sequence, "step": m.step,
            "template": m.template, "body": m.body, "consent_id": self.grant_id, "basis": self.basis,
        }


def story(session: Session, lead: Lead) -> dict[str, Any]:
    """The whole consent story of `lead`: every ledger entry (both channels, refused ones too) and
    every text sent to the lead, each with the grant it went under and the provider's id."""
    entries = list(session.exec(select(Consent).where(Consent.lead_id == lead.id).order_by(col(Consent.id))))
    texts = list(session.exec(
        select(Message).where(Message.lead_id == lead.id, Message.channel == "sms",
                              col(Message.state).in_(WENT_OUT_STATES))
        .order_by(col(Message.sent_at), col(Message.id))
    ))
    sent = [_basis(m, entries) for m in texts]
    email = newest(entries, "email")
    return {
        "lead": {"id": lead.id, "name": lead.full_name, "phone": lead.phone, "email": lead.email},
        "sms_consent_now": _state_words(newest(entries, "sms")),
        "email_now": "unsubscribed" if email is not None and email.action == ConsentAction.revoke else "may be emailed",
        "ledger": [consent_json(c) for c in entries],
        "texts": [t.as_dict() for t in sent],
    }


def _state_words(row: Consent | None) -> str:
    if row is None:
        return "none: never given, no text may be sent"
    if row.action == ConsentAction.grant:
        return f"granted (entry #{row.id}, {row.method})"
    how = "by text" if row.method in TEXT_REVOCATION_METHODS else f"via {row.method}"
    return f"revoked {how} (entry #{row.id})"


def _basis(message: Message, entries: list[Consent]) -> SentText:
    """The grant in force when `message` went out, or why none was needed."""
    kind = message_kind(message.sequence)
    if kind == "system":
        why = ("the one confirmation of the lead's revocation (47 CFR 64.1200(a)(12))"
               if message.step.startswith(STOP_CONFIRMATION_STEP) else "an answer to the lead's own text (HELP)")
        return SentText(message, why, None)
    at = message.sent_at or message.updated_at
    in_force = newest(entries, "sms", at)
    if in_force is not None and in_force.action == ConsentAction.grant:
        return SentText(message, f"grant #{in_force.id}", in_force.id)
    return SentText(message, "NO GRANT IN FORCE when it went out", None)
