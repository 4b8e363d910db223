"""The tables: Lead, Consent, Message, DeliveryEvent, Click, Suppression, InboundMessage, ProposedChange,
LeadContact, LeadRecord, Blackout, Account, ApiKey, AuditEntry, ContentVersion (and a small key-value store).

Times are stored as naive UTC and come back aware (UTCDateTime). Money is integer cents.
Enumerations are stored as short strings so a new state needs no database migration.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from nurture.clock import now


class UTCDateTime(TypeDecorator):
    """A datetime stored as naive UTC and returned as aware UTC, the same on SQLite and PostgreSQL."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a UTC-aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Channel(StrEnum):
    sms = "sms"
    email = "email"


class PaymentStatus(StrEnum):
    current = "current"
    about_to_fall_behind = "about_to_fall_behind"
    behind = "behind"


class Hardship(StrEnum):
    job_loss = "job_loss"
    divorce = "divorce"
    medical = "medical"
    adjustable_rate_increase = "adjustable_rate_increase"
    rental_loss = "rental_loss"
    other = "other"


class ForeclosureStage(StrEnum):
    none = "none"
    pre_foreclosure = "pre_foreclosure"
    notice_of_default = "notice_of_default"
    sale_scheduled = "sale_scheduled"


class LeadStatus(StrEnum):
    active = "active"
    paused = "paused"
    needs_human = "needs_human"
    converted = "converted"
    closed = "closed"
    legal_hold = "legal_hold"


class ConsentAction(StrEnum):
    grant = "grant"
    revoke = "revoke"
    # A grant that was offered and not accepted (the number had revoked by text): kept as evidence
    # that it arrived and why it changed nothing. Never the channel's current state.
    refused = "refused"


class MessageState(StrEnum):
    planned = "planned"
    queued = "queued"
    sending = "sending"
    sent = "sent"
    delivered = "delivered"
    skipped = "skipped"
    failed = "failed"
    undelivered = "undelivered"
    cancelled = "cancelled"
    # A send whose worker died mid-call and whose provider could not confirm it: a human decides.
    review = "review"


class SuppressionReason(StrEnum):
    stop = "stop"
    bounce = "bounce"
    spam = "spam"
    unsubscribe = "unsubscribe"
    manual = "manual"
    legal = "legal"
    # A bought list's flags on a number: on a Do-Not-Call list, or a known TCPA litigator's.
    dnc = "dnc"
    litigator = "litigator"


class PhoneType(StrEnum):
    mobile = "mobile"
    landline = "landline"
    voip = "voip"
    unknown = "unknown"


MAX_ROW_ID = 2**31 - 1
"""The largest id a table's INTEGER primary key can hold on PostgreSQL (and below SQLite's limit)."""


def row_id(value: object) -> int | None:
    """`value` as a table id if it can be one (1..MAX_ROW_ID, ASCII digits or an int), else None:
    a bigger number names no row, and must not reach the database, which would refuse it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdecimal() and len(text) <= 10):
            return None
        value = int(text)
    if isinstance(value, int) and 1 <= value <= MAX_ROW_ID:
        return value
    return None


def cents_to_decimal(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


class LeadBase(SQLModel):
    first_name: str = Field(max_length=100)
    last_name: str = Field(default="", max_length=100)
    email: str | None = Field(default=None, max_length=254, unique=True, index=True)
    phone: str | None = Field(default=None, max_length=20, unique=True, index=True)
    street: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=2)
    zip: str | None = Field(default=None, max_length=10)
    # Where the lead gets mail, when known (it may not be the property): another place the lead may be.
    mailing_street: str | None = Field(default=None, max_length=200)
    mailing_city: str | None = Field(default=None, max_length=100)
    mailing_state: str | None = Field(default=None, max_length=2)
    mailing_zip: str | None = Field(default=None, max_length=10)
    mortgage_balance_cents: int | None = Field(default=None, sa_type=sa.BigInteger)
    estimated_value_cents: int | None = Field(default=None, sa_type=sa.BigInteger)
    payment_status: str | None = Field(default=None, max_length=30)
    months_behind: int | None = None
    hardships: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    foreclosure_stage: str = Field(default=ForeclosureStage.none, max_length=30)
    sale_date: date | None = None
    # True when sale_date is an estimate (the earliest date the state's procedure allows after a
    # recorded notice), not a date the trustee or court has set; sale_date_reason says how it was reached.
    sale_date_estimated: bool = False
    sale_date_reason: str | None = Field(default=None, max_length=300)
    # The property as bought lists name it: its state and parcel number (APN, letters and digits
    # only: "FL:3040210120340") and a key of its normalised address and the owner's last name;
    # either finds the lead a second list brings again, and each is one lead's at most.
    parcel_number: str | None = Field(default=None, max_length=64, unique=True, index=True)
    property_key: str | None = Field(default=None, max_length=300, unique=True, index=True)
    # A set sale date that moved later (a postponement): the date it moved from, and when we
    # learned it. The planner sends the postponement message once for each.
    sale_postponed_from: date | None = None
    sale_postponed_at: datetime | None = _ts(default=None)
    # The language the lead reads ("en", "es"), and why it is that one (the form, the list, a
    # reply asking for Spanish, ops).
    language: str = Field(default="en", max_length=5)
    language_reason: str | None = Field(default=None, max_length=200)
    # None: nothing says where the lead lives (no ZIP, state or geographic area code): no texts.
    timezone: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=50)
    external_id: str | None = Field(default=None, max_length=100, index=True)
    status: str = Field(default=LeadStatus.active, max_length=20, index=True)
    status_reason: str | None = Field(default=None, max_length=300)


class LeadFigures:
    """What a lead's own columns say in words and money: shared by Lead and LeadSnapshot."""

    # No annotations here: SQLModel would take them for Lead's fields (and reorder its columns).
    __slots__ = ()

    @property
    def mortgage_balance(self) -> Decimal | None:
        return cents_to_decimal(self.mortgage_balance_cents)

    @property
    def estimated_value(self) -> Decimal | None:
        return cents_to_decimal(self.estimated_value_cents)

    @property
    def equity_gap(self) -> Decimal | None:
        """How much more is owed than the house is worth (0 when not underwater, None if unknown)."""
        if self.mortgage_balance_cents is None or self.estimated_value_cents is None:
            return None
        return cents_to_decimal(max(0, self.mortgage_balance_cents - self.estimated_value_cents))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


#: A stored email that is not its own look-alike skeleton (not plain ASCII, or an IDNA `xn--`
#: domain): the few every intake compares a new address with (intake/leads.py, migration 0012).
NON_PLAIN_EMAIL_SQL = {
    "postgresql": sa.text(r"email ~ '[^\x01-\x7f]|xn--'"),
    "sqlite": sa.text("email LIKE '%xn--%' OR length(CAST(email AS BLOB)) != length(email)"),
}


class Lead(LeadBase, LeadFigures, table=True):
    """A homeowner who asked for help; one row per person (phone and email are unique)."""

    # The look-alike check reads these few rows through this index, not the whole table per batch.
    __table_args__ = (sa.Index("ix_lead_email_not_plain", "email", postgresql_where=NON_PLAIN_EMAIL_SQL["postgresql"],
                               sqlite_where=NON_PLAIN_EMAIL_SQL["sqlite"]),)

    id: int | None = Field(default=None, primary_key=True)
    enrolled_at: datetime = _ts(default_factory=now)
    created_at: datetime = _ts(default_factory=now)
    updated_at: datetime = _ts(default_factory=now)


#: The lead table's columns, in table order (a LeadSnapshot's fields).
LEAD_COLUMNS: tuple[str, ...] = tuple(c.name for c in Lead.__table__.columns)  # type: ignore[attr-defined]  # SQLAlchemy gives a table model its __table__ when the class is made; SQLModel's stubs do not declare it


class LeadSnapshot(LeadFigures):
    """A lead's columns as one statement read them: plain values, no session behind them.

    What a worker reads under the lead's lock to gate and render one message (it never writes the
    lead): building it costs a few microseconds, an ORM entity about as much as the query itself.
    """

    __slots__ = LEAD_COLUMNS

    def __init__(self, values: Any) -> None:
        for name, value in zip(LEAD_COLUMNS, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a LeadSnapshot is read-only ({name}): change the lead through its row")

    def __repr__(self) -> str:
        return f"LeadSnapshot(id={getattr(self, 'id', None)!r})"


class Consent(SQLModel, table=True):
    """One grant or revocation of consent for a channel: the evidence a TCPA claim asks for.

    Append-only: the current state of a channel is its newest row.
    """

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    channel: str = Field(max_length=10)
    action: str = Field(max_length=10)
    text: str | None = Field(default=None, sa_type=sa.Text)
    source_url: str | None = Field(default=None, max_length=500)
    ip: str | None = Field(default=None, max_length=45)
    method: str = Field(max_length=30)  # api, csv, cli, sms_reply, email_reply, unsubscribe, sendgrid_event, ...
    recorded_at: datetime = _ts(default_factory=now)
    # When the lead gave it (a form may capture it before the request reaches us); None on old rows.
    given_at: datetime | None = _ts(default=None)
    # Who put it on record: "api (key)", "cli:alice", "csv:alice (leads.csv)", "lead (SMS)".
    recorded_by: str | None = Field(default=None, max_length=200)
    # Why a grant was refused, what a revocation replied to, what a restore restored.
    note: str | None = Field(default=None, max_length=500)


# The sets of message states the product asks about, each named for its question and defined here
# only (the planner, the send gate, the inbox, the consent story and the log all read these).

#: Went out or may have (the provider has it, or a send was cut off unconfirmed): the send gate's
#: history for caps and "already went out"; a (lead, sequence, step) is in one of them at most once.
#: A tuple, in this order: its SQL is the WHERE of a partial unique index (migration 0002).
WENT_OUT_STATES = tuple(str(s) for s in (MessageState.sending, MessageState.sent, MessageState.delivered,
                                         MessageState.undelivered, MessageState.review))
#: Reached the lead as far as we know (the provider took it, no failure came back): until one text
#: has, each text names the sender.
REACHED_STATES = frozenset(WENT_OUT_STATES) - {str(MessageState.undelivered), str(MessageState.review)}
#: Counted by the planner toward the caps and the welcome: went out or may have, or is queued to go.
COUNTED_STATES = frozenset(WENT_OUT_STATES) | {str(MessageState.queued)}
#: The step has had its turn and is never planned again: counted, or failed for good.
DONE_STATES = COUNTED_STATES | {str(MessageState.failed)}
#: Out of the planner's hands (all but planned and cancelled): the history a re-plan reads.
PAST_PLANNING_STATES = frozenset(str(s) for s in MessageState) - {str(MessageState.planned), str(MessageState.cancelled)}
#: Not yet claimed by a worker: what a revocation may still cancel.
WAITING_STATES = frozenset({str(MessageState.planned), str(MessageState.queued)})
#: Counted as a failure by the log and the console: refused (`failed`) or not delivered
#: (`undelivered`: a carrier's error such as Twilio 30006, an email bounce).
FAILURE_STATES = (str(MessageState.failed), str(MessageState.undelivered))
WENT_OUT_SQL = sa.text("state IN (" + ", ".join(f"'{s}'" for s in WENT_OUT_STATES) + ")")
_SENT_SQL = sa.text("sent_at IS NOT NULL")
_PROVIDER_ID_SQL = sa.text("provider_id IS NOT NULL")
_ERROR_CODE_SQL = sa.text("error_code IS NOT NULL")


class Message(SQLModel, table=True):
    """One planned, sent or skipped message of a lead's sequence."""

    __table_args__ = (
        sa.Index("ix_message_state_due", "state", "due_at"),
        # The console's windows: what went out when, and per template (migration 0004). Partial
        # (migration 0005): most rows are planned and not yet sent, and every planned row written
        # or claimed would otherwise be added to each of these indexes for nothing.
        sa.Index("ix_message_sent_at", "sent_at", postgresql_where=_SENT_SQL, sqlite_where=_SENT_SQL),
        sa.Index("ix_message_created_at", "created_at"),
        sa.Index("ix_message_template_sent_at", "template", "sent_at", postgresql_where=_SENT_SQL,
                 sqlite_where=_SENT_SQL),
        # Webhooks find a message by the provider's id, which it has once sent.
        sa.Index("ix_message_provider_id", "provider_id", postgresql_where=_PROVIDER_ID_SQL,
                 sqlite_where=_PROVIDER_ID_SQL),
        # "Never twice", backed by the database: whatever a worker believes, a step of a lead's
        # sequence cannot reach sending/sent/delivered a second time.
        sa.Index("uq_message_step_once", "lead_id", "sequence", "step", unique=True,
                 postgresql_where=WENT_OUT_SQL, sqlite_where=WENT_OUT_SQL),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No foreign key (migration 0014): the planner writes a lead's messages in the transaction
    # that read the lead, and nothing deletes leads; the check was a third of their COPY on PostgreSQL.
    lead_id: int = Field(index=True)
    sequence: str = Field(max_length=100)
    step: str = Field(max_length=100)
    channel: str = Field(max_length=10)
    template: str = Field(max_length=200)
    template_version: str | None = Field(default=None, max_length=64)
    # The language the message is written in: set when it is planned in one (the answer to ALTO is
    # Spanish whatever the lead reads), else when it is rendered (None before: the lead's language).
    language: str | None = Field(default=None, max_length=5)
    # The A/B variant sent ("a" is the template's own file); None when the template has no variants.
    variant: str | None = Field(default=None, max_length=10)
    # True for content that speaks of the sale date: never sent once that date has passed.
    deadline: bool = False
    tier: str | None = Field(default=None, max_length=20)
    # The sale date deadline content was planned for: sent only while the lead's is the same.
    sale_date: date | None = None
    due_at: datetime = _ts()
    # Later than this, the message is not sent as planned: the lead is planned again (catch-up rule).
    expires_at: datetime | None = _ts(default=None)
    state: str = Field(default=MessageState.planned, max_length=20)
    reason: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    lease_until: datetime | None = _ts(default=None)
    provider_id: str | None = Field(default=None, max_length=100)
    error_code: str | None = Field(default=None, max_length=20)
    error_reason: str | None = Field(default=None, max_length=500)
    to_address: str | None = Field(default=None, max_length=254)
    subject: str | None = Field(default=None, max_length=300)
    body: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = _ts(default_factory=now)
    updated_at: datetime = _ts(default_factory=now)
    sent_at: datetime | None = _ts(default=None)


class DeliveryEvent(SQLModel, table=True):
    """Append-only log of every message state change, provider callback and lead event, with its cause.

    `lead_id` and `message_id` carry no foreign key (migration 0005): each row is written in the
    transaction of the change it records, with ids that change just read or wrote, and nothing
    deletes leads or messages. The constraint's check (a look-up and a row lock in the parent, per
    log row) was 30% of a scheduler tick claiming 10,000 messages and a quarter of PostgreSQL's
    work in an import; tests check that every row points at its lead and message.
    """

    __table_args__ = (
        # The console's filters and counts: changes into a state over a window, failures by code.
        sa.Index("ix_deliveryevent_to_state_at", "to_state", "at"),
        sa.Index("ix_deliveryevent_error_code", "error_code", postgresql_where=_ERROR_CODE_SQL,
                 sqlite_where=_ERROR_CODE_SQL),
        # A provider's event (SendGrid's sg_event_id, a Twilio status of one MessageSid) is logged once,
        # however often the provider sends it (migration 0007); rows without a key are not limited.
        sa.Index("ux_deliveryevent_event_key", "event_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(default_factory=now, index=True)
    lead_id: int | None = Field(default=None, index=True)
    message_id: int | None = Field(default=None, index=True)
    kind: str = Field(max_length=40)  # e.g. state, provider, inbound, lead, consent
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    cause: str = Field(default="", max_length=500)
    provider_status: str | None = Field(default=None, max_length=40)
    error_code: str | None = Field(default=None, max_length=20)
    data: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    event_key: str | None = Field(default=None, max_length=120)  # e.g. "sendgrid:<sg_event_id>"


class Click(SQLModel, table=True):
    """A lead followed a tracked link (`/r/{token}`) from a message: what the templates page counts."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(default_factory=now, index=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    channel: str = Field(max_length=10)
    template: str = Field(max_length=200)
    variant: str | None = Field(default=None, max_length=10)
    link: str = Field(max_length=20)  # the page: start, how or who


class Suppression(SQLModel, table=True):
    """An address that must not be contacted on a channel, and why."""

    __table_args__ = (sa.UniqueConstraint("channel", "address", name="uq_suppression_channel_address"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=10)
    address: str = Field(max_length=254)
    reason: str = Field(max_length=20)
    detail: str | None = Field(default=None, max_length=300)
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    created_at: datetime = _ts(default_factory=now)


class InboundMessage(SQLModel, table=True):
    """What a lead (or an unknown sender) wrote to us, by text or email, and what nurture made of it."""

    __table_args__ = (
        # A provider that delivers the same message twice (a retry) is answered once.
        sa.UniqueConstraint("channel", "provider_id", name="uq_inbound_channel_provider_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int | None = Field(default=None, foreign_key="lead.id", index=True)
    channel: str = Field(max_length=10)
    from_address: str = Field(max_length=254)
    to_address: str | None = Field(default=None, max_length=254)
    subject: str | None = Field(default=None, max_length=300)
    # The whole text as received (an email's text part, its quoted history included).
    body: str = Field(default="", sa_type=sa.Text)
    # What the lead wrote this time: an email without the earlier messages it quotes; an SMS as is.
    reply: str = Field(default="", sa_type=sa.Text)
    kind: str = Field(max_length=20)  # opt_out, opt_in, help, maybe_opt_out, conversation
    reason: str = Field(default="", max_length=500)
    # What nurture did about it, in words ("SMS consent revoked, confirmation planned").
    outcome: str = Field(default="", max_length=500)
    provider_id: str | None = Field(default=None, max_length=200)
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    received_at: datetime = _ts(default_factory=now, index=True)
    # None while a person still has to read it; set by an inbox action or when nurture answered it fully.
    handled_at: datetime | None = _ts(default=None)
    handled_by: str | None = Field(default=None, max_length=200)


class ProposedChange(SQLModel, table=True):
    """A contact field that an intake wanted to change but may not on its own word (another person
    may be behind the form): held for ops, who apply it with `leads update` or PATCH."""

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    field: str = Field(max_length=40)
    current_value: str | None = Field(default=None, max_length=254)
    proposed_value: str | None = Field(default=None, max_length=254)
    method: str = Field(max_length=30)
    recorded_by: str | None = Field(default=None, max_length=200)
    recorded_at: datetime = _ts(default_factory=now)


class LeadContact(SQLModel, table=True):
    """A phone or email a bought list gives for a lead (skip tracing finds several per owner), with
    the list's type and flags: which one nurture may use, and why the others are not used.

    `lead_id` has no index of its own (the unique key's leading column serves look-ups by lead) and
    no foreign key (migration 0013): each contact is written in the transaction that created or read
    its lead, and nothing deletes leads. The key's check per row was most of the time PostgreSQL
    took for a list's five contacts a row; tests check that every contact points at its lead.
    """

    __table_args__ = (sa.UniqueConstraint("lead_id", "kind", "address", name="uq_leadcontact_lead_kind_address"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int
    kind: str = Field(max_length=10)  # phone or email
    address: str = Field(max_length=254, index=True)  # E.164 or the normalised email
    phone_type: str | None = Field(default=None, max_length=10)  # PhoneType; None for emails
    dnc: bool = False
    litigator: bool = False
    name: str | None = Field(default=None, max_length=200)  # whose contact, as the list names them
    position: int = 1  # the list's ranking within the row
    list_name: str | None = Field(default=None, max_length=100)
    created_at: datetime = _ts(default_factory=now)


class LeadRecord(SQLModel, table=True):
    """One bought list's row for a lead: the list it came in, and the recorded notice it reports.
    A lead keeps every list it came from; the newest record may move its stage and sale date on."""

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(index=True)  # no foreign key (migration 0014), as LeadContact's
    list_name: str = Field(max_length=100, index=True)
    vendor: str | None = Field(default=None, max_length=100)
    profile: str | None = Field(default=None, max_length=100)
    purchased_on: date | None = None
    record_type: str | None = Field(default=None, max_length=30)  # notice_of_default, lis_pendens, notice_of_sale, judgment, reo
    document_type: str | None = Field(default=None, max_length=60)  # as the list wrote it
    recording_date: date | None = None
    auction_date: date | None = None
    parcel_number: str | None = Field(default=None, max_length=64)
    case_number: str | None = Field(default=None, max_length=100)
    lender: str | None = Field(default=None, max_length=200)
    trustee: str | None = Field(default=None, max_length=200)
    imported_at: datetime = _ts(default_factory=now)


class Blackout(SQLModel, table=True):
    """Days on which nobody in a state is contacted (a declared emergency), declared by ops."""

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=2, index=True)
    starts_on: date
    ends_on: date  # inclusive
    reason: str = Field(max_length=300)
    created_at: datetime = _ts(default_factory=now)


class Account(SQLModel, table=True):
    """A person who signs in to the console, with one role (admin, ops, marketer). The password is
    kept only as an argon2 hash; `session_generation` is part of every session cookie, so raising it
    (a reset, a disable) ends every session the account had open."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=20)
    password_hash: str = Field(sa_type=sa.Text)
    session_generation: int = 0
    failed_signins: int = 0
    locked_until: datetime | None = _ts(default=None)
    disabled_at: datetime | None = _ts(default=None)
    last_signin_at: datetime | None = _ts(default=None)
    created_at: datetime = _ts(default_factory=now)
    created_by: str | None = Field(default=None, max_length=200)


class ApiKey(SQLModel, table=True):
    """A named key for an integration (the web form, a script), with one scope (intake, read,
    admin). Only the key's SHA-256 is kept; `prefix` (its first characters) tells keys apart in a list."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True, index=True)
    scope: str = Field(max_length=20)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = _ts(default_factory=now)
    created_by: str | None = Field(default=None, max_length=200)
    revoked_at: datetime | None = _ts(default=None)
    revoked_by: str | None = Field(default=None, max_length=200)
    last_used_at: datetime | None = _ts(default=None)


class AuditEntry(SQLModel, table=True):
    """One change someone made (who, what, when): accounts and keys, a lead's status or language, a
    template or schedule drafted, published or reverted, a channel resumed."""

    __table_args__ = (sa.Index("ix_auditentry_target", "target_kind", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(default_factory=now, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=60)
    target_kind: str = Field(max_length=30)  # account, api_key, lead, template, schedule, channel
    target: str = Field(max_length=200)  # the account's or key's name, the lead's id, the template's name
    detail: str = Field(default="", sa_type=sa.Text)


class ContentVersion(SQLModel, table=True):
    """A template or schedule file's text as edited in the console: the one draft of each file
    (`number` None), and every published version, numbered from 1 per file. The newest published
    version of a file overrides the file on disk (nurture/published.py); a revert publishes an older
    text again as a new number."""

    __table_args__ = (sa.UniqueConstraint("kind", "name", "number", name="uq_contentversion_kind_name_number"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # template or schedule
    # The file's path under its folder, as on disk: "sms/welcome.txt", "es/email/deficiency.md", "standard.yaml".
    name: str = Field(max_length=200, index=True)
    number: int | None = None  # None: the draft
    body: str = Field(sa_type=sa.Text)
    # sha256 of the body (hex, first 16): what a sent message's template_version is matched to.
    digest: str = Field(max_length=64)
    note: str = Field(default="", max_length=500)
    author: str = Field(max_length=200)
    created_at: datetime = _ts(default_factory=now)
    published_at: datetime | None = _ts(default=None)
    reverted_from: int | None = None  # the number whose text a revert published again


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def stored_id(row: _Row) -> int:
    """The id of a row read from or flushed to the database (SQLModel types every id `int | None`,
    because a row not yet added has none)."""
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} has no id: it was never flushed to the database")
    return row.id


class KeyValue(SQLModel, table=True):
    """Small internal settings that nurture makes itself (the generated secret key)."""

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_type=sa.Text)
