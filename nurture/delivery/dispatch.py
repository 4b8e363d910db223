"""Send one message: claim -> final gate -> render -> send -> record.

The gate runs at the real send moment because the world moves between planning and sending:
a STOP arrives, a cap fills, the sale date passes. Each step is a conditional UPDATE (see
lifecycle.py); the provider call happens between two commits, so a row is written before it
and updated after it, and a crash in between leaves a `sending` row to reconcile, never a guess.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, insert, select, true
from sqlalchemy.dialects import postgresql, sqlite
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlmodel import Session

from nurture.law import blackouts
from nurture.law import consent as ledger

from nurture.delivery import pauses, retry, throughput

from nurture.plans import replan as planning

from nurture.content import variants
from nurture.delivery.channels import ChannelError, OutgoingMessage, SendResult, get_channel
from nurture.clock import now as clock_now
from nurture.config import Settings, get_settings
from nurture.content import RenderError, TemplateStore, compose, variant_name
from nurture.db import Prepared, secret_key, session_scope
from nurture.lateness import late_from
from nurture.delivery.lifecycle import S, transition
from nurture.localtime import zone
from nurture.locking import lock_leads, take_sqlite_writer_lock_for_message
from nurture.models import LEAD_COLUMNS, WENT_OUT_SQL, ConsentAction, Lead, LeadSnapshot, Message, Suppression
from nurture.law import Outgoing, PastSend, Rulebook, Verdict, check_message, message_kind
from nurture.plans.sequences import Catalog, SequenceError, default_catalog
from nurture.content.tokens import reply_address, unsubscribe_url
from nurture.plans.cadence import BusinessHolidays
from nurture.published import overlay
from nurture.plans.urgency import Facts

log = logging.getLogger("nurture.delivery.dispatch")
T = TypeVar("T")

#: The dispatcher looks at schedules/ again at most this often (a send must not stat files).
CATALOG_TTL = 5.0
#: Paused channels and blackouts are read from the database at most this often per process.
CACHE_TTL = PAUSE_TTL = 2.0


@dataclass(frozen=True)
class Outcome:
    """What became of one send attempt; `retry_in` (seconds) when the worker should try again."""

    state: str
    reason: str
    retry_in: float | None = None


def address_of(lead: Lead | LeadSnapshot, channel: str) -> str | None:
    return lead.phone if channel == "sms" else lead.email


@dataclass(frozen=True)
class Loaded:
    """A queued message and its lead, read under the lead's lock; the lead's SMS consent, the
    address's suppression and the lead's history read after it."""

    lead: LeadSnapshot
    consent_granted: bool
    suppressed: str | None
    history: list[PastSend]
    id: int
    state: str
    sequence: str
    step: str
    channel: str
    template: str
    deadline: bool
    due_at: datetime
    expires_at: datetime | None
    sale_date: date | None
    attempts: int
    body: str | None  # an ops reply's text, typed when it was created
    subject: str | None
    # The language it was planned in (the answer to ALTO is Spanish whatever the lead reads); None:
    # the lead's language when it is rendered.
    language: str | None


_MESSAGE_FIELDS = ("id", "state", "sequence", "step", "channel", "template", "deadline", "due_at", "expires_at",
                   "sale_date", "attempts", "body", "subject", "language")


def _load_statement() -> Any:
    """The lock-and-load statement: the message and its lead's columns (the lead locked until commit)."""
    lead, m = Lead.__table__, Message.__table__
    return (select(*(lead.c[name] for name in LEAD_COLUMNS), *(m.c[f] for f in _MESSAGE_FIELDS))
            .join_from(lead, m, m.c.lead_id == lead.c.id).where(m.c.id == bindparam("message_id"))
            .with_for_update(of=lead, key_share=True))


def _after_lock_statement() -> Any:
    """What a revocation or a send of another worker changes under the lead's lock, read once the
    lock is held: the lead's newest SMS consent, the address's suppression (on every row) and its
    history (`_history_statement`, one row per message; one row of NULLs when there is none).

    Not in the lock-and-load statement: on PostgreSQL a statement sees the database as it was when
    it started, so values it reads while it waits for the lock are those from before the wait; a
    STOP committed meanwhile would not be seen, and its text would go out."""
    consent = ledger.current_action_sql(bindparam("lead_id"), "sms")
    suppressed = (select(Suppression.reason).where(Suppression.channel == bindparam("channel"),
                                                   Suppression.address == bindparam("address"))
                  .limit(1).scalar_subquery())
    facts = select(consent.label("consent"), suppressed.label("suppressed")).subquery("facts")
    went_out = _history_statement().subquery("went_out")
    return (select(facts.c.consent, facts.c.suppressed, *went_out.c)
            .select_from(facts.outerjoin(went_out, true())))


def _history_statement() -> Any:
    """The lead's messages that went out or may have, but the one being sent (PastSend's fields)."""
    m = Message.__table__
    return (select(m.c.id, m.c.channel, m.c.sequence, m.c.step, m.c.state,
                   func.coalesce(m.c.sent_at, m.c.updated_at).label("at"))
            .where(m.c.lead_id == bindparam("lead_id"), m.c.id != bindparam("exclude"), WENT_OUT_SQL))


# Built once: building them per send costs the worker more than the database spends running them.
_LOAD = Prepared(_load_statement())
_AFTER_LOCK = Prepared(_after_lock_statement())
_HISTORY = Prepared(_history_statement())


def load_locked(session: Session, message_id: int) -> Loaded | None:
    """The message and its lead (locked until commit), then, read after the lock is held, the
    lead's SMS consent, the address's suppression and the lead's history: two statements. None
    when there is no such message."""
    take_sqlite_writer_lock_for_message(session, message_id)
    rows = _LOAD.rows(session, {"message_id": message_id})
    if not rows:
        return None
    row = rows[0]
    width = len(LEAD_COLUMNS)
    lead = LeadSnapshot(row[:width])
    fields = dict(zip(_MESSAGE_FIELDS, row[width:], strict=True))
    after = _AFTER_LOCK.rows(session, {"lead_id": lead.id, "exclude": message_id, "channel": fields["channel"],
                                       "address": address_of(lead, fields["channel"])})
    action, reason = after[0][0], after[0][1]
    history = [PastSend(*r[2:]) for r in after if r[2] is not None]
    return Loaded(lead, action == ConsentAction.grant, reason, history, **fields)


def past_sends(session: Session, lead_id: int, exclude: int) -> list[PastSend]:
    """The lead's messages that went out or may have (read after the lock: other workers' are seen)."""
    return [PastSend(*r) for r in _HISTORY.rows(session, {"lead_id": lead_id, "exclude": exclude})]


def provider_can_list(channel: str, settings: Settings) -> bool:
    """Whether "not found" from the provider means "not sent": Twilio's list and the outbox's files say
    so; SendGrid cannot be asked (only its events tell)."""
    return channel == "sms" or not settings.email_configured


def settle_seconds(channel: str, settings: Settings) -> float:
    """How long an unanswered request is left alone before the provider is asked about it."""
    if channel == "sms":
        return float(settings.twilio_settle_seconds) if settings.sms_configured else 0.0
    return float(settings.sendgrid_settle_seconds) if settings.email_configured else 0.0


def suppress(session: Session, *, channel: str, address: str, reason: str, detail: str, lead_id: int | None,
             at: datetime) -> None:
    """Add a suppression (once per channel and address)."""
    table = Suppression.__table__
    values = {"channel": channel, "address": address, "reason": reason, "detail": detail[:300],
              "lead_id": lead_id, "created_at": at}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        stmt = insert(table).values(**values)
    session.execute(stmt)


class RateLimiter:
    """Messages per second per provider account: a fixed one-second window, in Redis across processes
    (one INCR+EXPIRE round trip per send), or in-process without Redis."""

    def __init__(self, per_second: dict[str, int], redis_url: str | None) -> None:
        self._limits = per_second
        self._local: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)

    def _take(self, key: str, limit: int) -> int | None:
        """The one-second window this send was granted in, or None when that window is full."""
        second = int(time.time())
        if self._redis is not None:
            pipe = self._redis.pipeline(transaction=False)
            pipe.incr(f"nurture:rate:{key}:{second}")
            pipe.expire(f"nurture:rate:{key}:{second}", 2)
            count, _ = pipe.execute()
            return second if int(count) <= limit else None
        with self._lock:
            at, count = self._local.get(key, (second, 0))
            if at != second:
                at, count = second, 0
            self._local[key] = (at, count + 1)
            return second if count < limit else None

    def wait(self, key: str, channel: str, *, deadline: float = 30.0) -> int | None:
        """Block until the account `key` may send one more message: the second (Unix time) of the
        window granted; None after `deadline` seconds."""
        limit = self._limits[channel]
        give_up = time.monotonic() + deadline
        while (granted := self._take(key, limit)) is None:
            if time.monotonic() >= give_up:
                return None
            time.sleep(1.0 - (time.time() % 1.0) + 0.001)  # the next window
        return granted


def _once_more_if_dropped(message_id: int, work: Callable[[int], T]) -> T:
    """`work(message_id)`, again once if the database connection turned out to be dead (worker
    processes check connections by using them, not by a ping before each checkout). Only for work
    done before the provider call: it is all in one transaction, so trying again repeats nothing."""
    try:
        return work(message_id)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.warning("message %s: the database connection was dropped; trying once more", message_id)
        return work(message_id)


class Dispatcher:
    """Sends messages by id; one per process, shared by its worker threads."""

    def __init__(self, settings: Settings | None = None, *, clock: Callable[[], datetime] = clock_now) -> None:
        self.settings = settings or get_settings()
        self.clock = clock
        self.store = TemplateStore(self.settings.templates_dir)
        self._secret_key: str | None = None
        self.limiter = RateLimiter(
            {"sms": throughput.sms_rate(self.settings), "email": self.settings.sendgrid_rate_per_second},
            self.settings.shared_redis,
        )
        self._rulebook: Rulebook | None = None
        self._rulebook_at = -CACHE_TTL
        self._rulebook_day: date | None = None
        self._pauses: dict[str, pauses.Pause] = {}
        self._pauses_at = -PAUSE_TTL
        self._catalog_at = -CATALOG_TTL
        self._catalog_cached: Catalog | None = None
        self._lock = threading.Lock()

    def _catalog(self) -> Catalog | None:
        """The sequences (re-read when a file changed, looked at every few seconds); None if broken."""
        with self._lock:
            if time.monotonic() - self._catalog_at >= CATALOG_TTL:
                try:
                    self._catalog_cached = default_catalog()
                except SequenceError as exc:
                    log.error("schedules/ is not valid; sending with the rules that need no step: %s", exc)
                    self._catalog_cached = None
                self._catalog_at = time.monotonic()
            return self._catalog_cached

    def _rules(self, session: Session, now: datetime) -> Rulebook:
        """The rulebook with today's blackouts, read at most every CACHE_TTL seconds (declaring one
        re-plans its leads at once; a message already queued meets it within that time)."""
        with self._lock:
            fresh = time.monotonic() - self._rulebook_at < CACHE_TTL and self._rulebook_day == now.date()
            if fresh and self._rulebook is not None:
                return self._rulebook
        active = blackouts.active(session, now.date())
        with self._lock:
            if self._rulebook is None or self._rulebook.blackouts != active:
                self._rulebook = Rulebook.from_settings(self.settings, active)
            self._rulebook_at, self._rulebook_day = time.monotonic(), now.date()
            return self._rulebook

    def _secret(self, session: Session) -> str:
        if self._secret_key is None:
            self._secret_key = secret_key(session)
        return self._secret_key

    def _account(self, channel: str) -> str:
        s = self.settings
        if channel == "sms":
            return f"twilio:{s.twilio_account_sid}" if s.sms_configured else "outbox:sms"
        return f"sendgrid:{(s.sendgrid_api_key or '')[:12]}" if s.email_configured else "outbox:email"

    def send(self, message_id: int, channel: str | None = None) -> Outcome:
        """Try to send message `message_id` now; the returned Outcome says what happened.

        Everything that can fail for reasons of our own (the rate limiter's Redis, the database,
        building the channel) happens before the row is `sending`: once it is, the next thing is
        the provider request. So `sending` means "the request started", and only such a row is
        ever reconciled with the provider instead of simply being tried again.
        """
        if channel is None:
            channel = _once_more_if_dropped(message_id, self._channel_of)
            if channel is None:
                return Outcome("missing", f"no message #{message_id}")
        provider = get_channel(channel, self.settings)
        try:
            took = self.limiter.wait(self._account(channel), channel)
        except RedisError as exc:
            log.error("message %s stays queued: the rate limiter's Redis is unreachable (%s)", message_id, exc)
            return Outcome("queued", f"rate limiter unreachable: {exc}", retry_in=retry.RATE_LIMITER_DOWN_DELAY)
        if took is None:
            return Outcome("queued", "rate limit of the provider account", retry_in=retry.RATE_LIMITED_DELAY)
        prepared = self._prepare(message_id)
        if isinstance(prepared, Outcome):
            return prepared
        out, claimed_at, attempts = prepared
        try:
            result = provider.send(out)
        except ChannelError as exc:
            refusal = exc  # named outside the except clause's own name, which ends with the clause
            return self._after_db_error(out, "record the refusal", lambda: self._failed_send(
                out, refusal, claimed_at, attempts))
        return self._after_db_error(out, f"record that the provider took it as {result.provider_id}",
                                    lambda: self._record_sent(out, result))

    def _after_db_error(self, out: OutgoingMessage, what: str, record: Callable[[], Outcome]) -> Outcome:
        """Record an answer, once more if the database failed (a dropped connection is invalidated,
        so the second try runs on a fresh one); when it fails again, the row stays `sending` and is
        reconciled with the provider later. Trying again repeats nothing: each record is one
        transaction whose state change is conditional on the row still being `sending`."""
        try:
            return record()
        except SQLAlchemyError as exc:
            log.warning("message %s: could not %s (database: %s); trying once more on a fresh connection",
                        out.message_id, what, exc.__class__.__name__)
        try:
            return record()
        except SQLAlchemyError as exc:
            log.error("message %s: could not %s (database: %s); it stays 'sending' and is reconciled with "
                      "the provider, never sent blindly again", out.message_id, what, exc.__class__.__name__)
            return Outcome("sending", f"database unreachable after the provider call: {exc.__class__.__name__}")

    def _channel_of(self, message_id: int) -> str | None:
        table = Message.__table__
        with session_scope() as session:
            return session.scalar(select(table.c.channel).where(table.c.id == message_id))

    def _paused(self, session: Session) -> dict[str, pauses.Pause]:
        """Channels paused for a refused credential (read at most every PAUSE_TTL seconds)."""
        with self._lock:
            if time.monotonic() - self._pauses_at < PAUSE_TTL:
                return self._pauses
        found = pauses.paused(session, self.settings)
        with self._lock:
            self._pauses, self._pauses_at = found, time.monotonic()
        return found

    def _prepare(self, message_id: int) -> Outcome | tuple[OutgoingMessage, datetime, int]:
        return _once_more_if_dropped(message_id, self._prepare_once)

    def _prepare_once(self, message_id: int) -> Outcome | tuple[OutgoingMessage, datetime, int]:
        """Lock the lead, gate, render and claim in one transaction, committed before the provider call."""
        now = self.clock()
        with session_scope() as session:
            loaded = load_locked(session, message_id)
            if loaded is None:
                return Outcome("missing", f"no message #{message_id}")
            if loaded.state != S.queued:
                return Outcome("ignored", f"message #{message_id} is {loaded.state}, not queued: "
                                          "another worker has it or it was cancelled")
            lead = loaded.lead
            paused = self._paused(session).get(loaded.channel)
            if paused is not None:
                transition(session, loaded.id, from_state=S.queued, to_state=S.planned, at=now, lead_id=lead.id,
                           cause=f"held: {paused.describe()}", reason=f"held: {paused.describe()}"[:500],
                           lease_until=None)
                return Outcome("planned", paused.describe())
            verdict, tier = self._verdict(session, loaded, now)
            if verdict.action != "send":
                return self._not_now(session, loaded, verdict, now)
            secret = self._secret(session)
            unsub = unsubscribe_url(self.settings, secret, lead.id, loaded.channel)
            store = self._templates()
            variant = self._variant(session, loaded, store)
            try:
                if message_kind(loaded.sequence) == "ops":  # a person typed it: sent as typed
                    rendered = compose(loaded.channel, loaded.body or "", subject=loaded.subject,
                                       settings=self.settings, first_sms=verdict.identify, unsubscribe_url=unsub,
                                       language=loaded.lead.language)
                else:
                    rendered = store.render(variant_name(loaded.template, variant), lead, now=now,
                                            settings=self.settings, secret=secret, tier=tier,
                                            unsubscribe_url=unsub, first_sms=verdict.identify,
                                            message_id=loaded.id, language=loaded.language)
            except RenderError as exc:
                transition(session, loaded.id, from_state=S.queued, to_state=S.failed, at=now, lead_id=lead.id,
                           cause=str(exc), error_code="template", error_reason=str(exc)[:500])
                return Outcome("failed", str(exc))
            to = address_of(lead, loaded.channel)
            assert to is not None
            # The claim: one conditional UPDATE; only the worker whose UPDATE matched goes on. The
            # content is written with it, so a crash mid-call leaves what to reconcile with.
            try:
                claimed = transition(
                    session, loaded.id, from_state=S.queued, to_state=S.sending, at=now, lead_id=lead.id,
                    cause="every rule passed: the request to the provider starts now",
                    attempts=loaded.attempts + 1,  # under the lead's lock, and only if still queued
                    lease_until=self.clock() + self._answer_and_settle(loaded.channel), to_address=to,
                    subject=rendered.subject, body=rendered.text, template_version=rendered.version,
                    language=rendered.language, variant=variant, **({"tier": tier} if tier else {}))
            except IntegrityError:
                # The database's "never twice" held where the history read did not: say so, never
                # send. (No savepoint around the claim, two statements on every send: this rare
                # case starts the transaction again, under the lead's lock.)
                session.rollback()  # (the lead is a snapshot of values: the rollback leaves it as read)
                why = f"step {loaded.step} of {loaded.sequence} already went out (database constraint)"
                lock_leads(session, [lead.id])
                transition(session, loaded.id, from_state=S.queued, to_state=S.skipped, at=now, lead_id=lead.id,
                           cause=why, reason=why)
                return Outcome("skipped", why)
            if not claimed:
                return Outcome("ignored", f"message #{message_id} left 'queued' meanwhile: another worker has it")
            out = OutgoingMessage(message_id=loaded.id, lead_id=lead.id, channel=loaded.channel, to=to,
                                  subject=rendered.subject, text=rendered.text, html=rendered.html,
                                  unsubscribe_url=unsub, reply_to=self._reply_to(loaded.channel, lead.id, secret))
            return out, now, loaded.attempts + 1

    def _answer_and_settle(self, channel: str) -> timedelta:
        """How long a `sending` row is left to its worker, from its claim: the provider's answer (the
        request's connect and read timeouts), then the provider's time to settle. Past that the
        worker died or lost its answer, and the reconcile pass asks the provider (not after
        NURTURE_LEASE_SECONDS, which is for the broker)."""
        answer = 2 * self.settings.provider_timeout_seconds
        return timedelta(seconds=answer + settle_seconds(channel, self.settings))

    def _templates(self) -> TemplateStore:
        """The store of the templates in effect (nurture/published/overlay.py): a new one when a
        publish or an edit on disk changed the folder."""
        folder = overlay.templates_dir(self.settings)
        with self._lock:
            if self.store.directory != folder:
                self.store = TemplateStore(folder)
            return self.store

    def _variant(self, session: Session, loaded: Loaded, store: TemplateStore) -> str | None:
        """The A/B variant of the message's template this lead gets (None: the template has none)."""
        catalog = self._catalog()
        found = catalog.step(loaded.sequence, loaded.step) if catalog is not None else None
        return variants.choose(session, store, lead_id=loaded.lead.id, template=loaded.template,
                               step=found[1] if found else None)

    def _reply_to(self, channel: str, lead_id: int, secret: str) -> str | None:
        """An email's Reply-To: the Inbound Parse address with the lead's token (NURTURE_REPLY_TO)."""
        if channel != "email" or not self.settings.reply_to:
            return None
        return reply_address(self.settings.reply_to, lead_id, secret)

    def _verdict(self, session: Session, loaded: Loaded, now: datetime) -> tuple[Verdict, str | None]:
        """The rulebook's answer for this message now, and the lead's tier now (content is never stale)."""
        lead = loaded.lead
        catalog = self._catalog()
        found = catalog.step(loaded.sequence, loaded.step) if catalog is not None else None
        phase, condition, tier = None, None, None
        if catalog is not None:
            facts = Facts.from_lead(lead)
            tier = catalog.urgency.tier_at(facts, now)
            if found is not None:
                seq, step = found
                phase = seq.phase
                days = facts.days_to_sale(now)
                for cond in (seq.when, step.when):
                    why = cond.why_not(facts, tier=tier, days_to_sale=days) if cond is not None else None
                    if why:
                        condition = why
                        break
        outgoing = Outgoing(channel=loaded.channel, sequence=loaded.sequence, step=loaded.step,
                            deadline=loaded.deadline, due_at=loaded.due_at, expires_at=loaded.expires_at,
                            sale_date=loaded.sale_date, phase=phase, condition=condition)
        rules = self._rules(session, now).for_lead(lead, consented=loaded.consent_granted)
        verdict = check_message(outgoing, lead=lead, rules=rules, consent_granted=loaded.consent_granted,
                                suppressed=loaded.suppressed, history=loaded.history, now=now)
        if verdict.action == "send" and message_kind(loaded.sequence) == "sequence":
            # The business's holidays (NURTURE_BUSINESS_HOLIDAYS): the planner keeps marketing off them;
            # a message planned before the setting changed is planned again around them, not sent.
            holiday = BusinessHolidays.parse(self.settings.business_holidays).name_of(
                now.astimezone(zone(lead.timezone)).date())
            if holiday is not None:
                verdict = Verdict("replan", f"{holiday} is a business holiday where the lead is "
                                            f"(NURTURE_BUSINESS_HOLIDAYS): planned again around it")
        return verdict, tier

    def _not_now(self, session: Session, loaded: Loaded, verdict: Verdict, now: datetime) -> Outcome:
        """Record a verdict other than "send": moved, skipped, or cancelled and the lead planned again."""
        lead_id = loaded.lead.id
        if verdict.action == "move":
            assert verdict.move_to is not None
            expires = None
            if loaded.expires_at is not None:
                expires = late_from(verdict.move_to, loaded.expires_at - loaded.due_at)  # the same grace
            transition(session, loaded.id, from_state=S.queued, to_state=S.planned, at=now, lead_id=lead_id,
                       cause=f"moved to {verdict.move_to.isoformat()}: {verdict.reason}", due_at=verdict.move_to,
                       expires_at=expires, reason=f"moved: {verdict.reason}"[:500], lease_until=None)
            return Outcome("planned", verdict.reason)
        if verdict.action == "replan":
            transition(session, loaded.id, from_state=S.queued, to_state=S.cancelled, at=now, lead_id=lead_id,
                       cause=verdict.reason, reason=verdict.reason[:500], lease_until=None)
            planning.replan_lead(session, lead_id, now=now, cause=f"message #{loaded.id} not sent: {verdict.reason}")
            return Outcome("cancelled", verdict.reason)
        transition(session, loaded.id, from_state=S.queued, to_state=S.skipped, at=now, lead_id=lead_id,
                   cause=verdict.reason, reason=verdict.reason[:500], lease_until=None)
        return Outcome("skipped", verdict.reason)

    def _record_sent(self, out: OutgoingMessage, result: SendResult) -> Outcome:
        now = self.clock()
        state = S.delivered if result.delivered else S.sent
        with session_scope() as session:
            moved = transition(session, out.message_id, from_state=S.sending, to_state=state, at=now,
                               lead_id=out.lead_id, cause=f"accepted by the provider as {result.status}",
                               provider_status=result.status, provider_id=result.provider_id, sent_at=now,
                               lease_until=None, reason=None)
        if not moved:  # the row was reconciled meanwhile (a very slow call): say so, do not overwrite
            log.warning("message %s was sent (%s) but its row had left 'sending'", out.message_id, result.provider_id)
        return Outcome(str(state), f"provider id {result.provider_id}")

    def _settle(self, out: OutgoingMessage, exc: ChannelError) -> Outcome:
        """The request left and no answer came back: the provider may have it, and may still be
        working on it (asking at once finds nothing and sends twice). The row stays `sending`
        until the provider has had time to settle; then it is asked (Twilio's message list), or its
        events settle it (SendGrid's, carrying our message id); only then is anything decided."""
        now = self.clock()
        wait = settle_seconds(out.channel, self.settings)
        with session_scope() as session:
            transition(session, out.message_id, from_state=S.sending, to_state=S.sending, at=now,
                       lead_id=out.lead_id, kind="provider",
                       cause=f"outcome unknown ({exc.reason}): the provider is asked after {wait:.0f}s, never "
                             "sent again before", reason=f"outcome unknown: {exc.reason}"[:500],
                       lease_until=now + timedelta(seconds=wait))
        return Outcome("sending", f"outcome unknown ({exc.reason}); settled after {wait:.0f}s")

    def _pause(self, out: OutgoingMessage, exc: ChannelError) -> Outcome:
        """A refused credential: the message is not at fault. Pause the channel, keep the message planned."""
        now = self.clock()
        with session_scope() as session:
            pauses.pause(session, out.channel, exc.reason, self.settings, now)
            transition(session, out.message_id, from_state=S.sending, to_state=S.planned, at=now,
                       lead_id=out.lead_id, cause=f"{out.channel} channel paused: {exc.reason}",
                       reason=f"held: {out.channel} channel paused: {exc.reason}"[:500], due_at=now,
                       attempts=Message.__table__.c.attempts - 1, lease_until=None)
        with self._lock:
            self._pauses_at = -PAUSE_TTL  # seen at once by this process's other threads
        return Outcome("planned", f"{out.channel} channel paused: {exc.reason}")

    def _requeue(self, out: OutgoingMessage, attempts: int, reason: str, delay: float) -> Outcome:
        now = self.clock()
        with session_scope() as session:
            if retry.gives_up(attempts):
                why = f"gave up after {attempts} attempts: {reason}"
                transition(session, out.message_id, from_state=S.sending, to_state=S.failed, at=now,
                           lead_id=out.lead_id, cause=why, error_reason=why[:500], lease_until=None)
                return Outcome("failed", why)
            transition(session, out.message_id, from_state=S.sending, to_state=S.queued, at=now,
                       lead_id=out.lead_id, cause=f"retry in {delay:.0f}s: {reason}", reason=f"retrying: {reason}",
                       lease_until=now + timedelta(seconds=delay + self.settings.lease_seconds))
        return Outcome("queued", reason, retry_in=delay)

    def _failed_send(self, out: OutgoingMessage, exc: ChannelError, claimed_at: datetime, attempts: int) -> Outcome:
        if exc.auth:
            return self._pause(out, exc)
        if exc.maybe_sent:
            return self._settle(out, exc)
        if not exc.permanent:
            reason = f"{exc.code + ' ' if exc.code else ''}{exc.reason}"
            return self._requeue(out, attempts, reason, retry.provider_backoff(attempts, exc.retry_after))
        now = self.clock()
        with session_scope() as session:
            transition(session, out.message_id, from_state=S.sending, to_state=S.failed, at=now,
                       lead_id=out.lead_id, cause=f"provider refused: {exc.reason}", error_code=exc.code,
                       error_reason=exc.reason[:500], lease_until=None)
            if exc.suppress:
                suppress(session, channel=out.channel, address=out.to, reason=exc.suppress,
                         detail=f"provider error {exc.code}: {exc.reason}", lead_id=out.lead_id, at=now)
                planning.replan_lead(session, out.lead_id, now=now,
                                     cause=f"{out.to} suppressed after provider error {exc.code}")
        return Outcome("failed", f"{exc.code}: {exc.reason}")

