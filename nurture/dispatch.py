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
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from nurture import compliance, planning
from nurture.channels import ChannelError, OutgoingMessage, SendResult, get_channel
from nurture.clock import now as clock_now
from nurture.config import Settings, get_settings
from nurture.content import RenderError, TemplateStore
from nurture.content.context import local_today
from nurture.db import secret_key, session_scope
from nurture.lifecycle import S, log_event, transition
from nurture.models import (
    Consent,
    ConsentAction,
    Lead,
    LeadStatus,
    Message,
    Suppression,
)
from nurture.tokens import unsubscribe_url

log = logging.getLogger("nurture.dispatch")

#: A message that failed transiently this many times is failed for good.
MAX_ATTEMPTS = 8
#: First retry delay; it doubles with each attempt up to MAX_BACKOFF.
BASE_BACKOFF = timedelta(seconds=15)
MAX_BACKOFF = timedelta(hours=1)

_SENT_STATES = (S.sent, S.delivered, S.undelivered)


@dataclass(frozen=True)
class Outcome:
    """What became of one send attempt; `retry_in` (seconds) when the worker should try again."""

    state: str
    reason: str
    retry_in: float | None = None


@dataclass(frozen=True)
class Facts:
    """What the final gate needs to know about a message's lead at the send moment."""

    consent_granted: bool
    suppressed: str | None  # the suppression reason, if any
    history: list[tuple[int, str, str, str, datetime | None]]  # (id, channel, sequence|step, state, sent_at)


@dataclass(frozen=True)
class Claimed:
    """The fields of a just-claimed message row that the gate and the renderer read."""

    id: int
    lead_id: int
    sequence: str
    step: str
    channel: str
    template: str
    tier: str | None
    deadline: bool
    attempts: int


@dataclass(frozen=True)
class Gate:
    ok: bool
    reason: str
    move_to: datetime | None = None  # not now, but at this time (quiet hours, caps)


def address_of(lead: Lead, channel: str) -> str | None:
    return lead.phone if channel == "sms" else lead.email


def check_gate(msg: Claimed, lead: Lead, facts: Facts, now: datetime, settings: Settings) -> Gate:
    """The final gate, as a pure function of the facts: may `msg` go out now, later, or never?"""
    if lead.status != LeadStatus.active:
        why = f": {lead.status_reason}" if lead.status_reason else ""
        return Gate(False, f"lead is {lead.status}{why}")
    address = address_of(lead, msg.channel)
    if not address:
        return Gate(False, f"lead has no {'phone' if msg.channel == 'sms' else 'email'}")
    if msg.channel == "sms" and not facts.consent_granted:
        return Gate(False, "no SMS consent on record (never given, or revoked)")
    if facts.suppressed:
        return Gate(False, f"{address} is suppressed on {msg.channel} ({facts.suppressed})")
    if msg.deadline:
        if lead.sale_date is None:
            return Gate(False, "deadline content, but the lead no longer has a sale date")
        if local_today(lead, now) > lead.sale_date:
            return Gate(False, f"sale date {lead.sale_date} has passed: deadline content is never sent after it")
    key = f"{msg.sequence}|{msg.step}"
    for other_id, _, other_key, state, _ in facts.history:
        if other_key == key and state in (*_SENT_STATES, S.sending):
            return Gate(False, f"step {msg.step} of {msg.sequence} already went out (message #{other_id})")
    window = compliance.allowed_now(now, lead.timezone, lead.state, msg.channel, settings)
    if not window.ok:
        return Gate(False, f"quiet hours ({window.reason})", window.next_allowed)
    recent = [(ch, at) for _, ch, _, st, at in facts.history if at is not None and st in (*_SENT_STATES, S.sending)]
    cap = compliance.cap_check(now, msg.channel, lead.state, recent)
    if not cap.ok:
        return Gate(False, cap.reason, cap.next_allowed)
    return Gate(True, "all checks passed")


def load_lead_and_facts(session: Session, lead_id: int, channel: str, message_id: int) -> tuple[Lead, Facts]:
    """The lead with its SMS consent and suppression in one query, then its send history."""
    consent = (select(Consent.action).where(Consent.lead_id == Lead.id, Consent.channel == "sms")
               .order_by(Consent.id.desc()).limit(1).scalar_subquery())  # type: ignore[union-attr]
    address = Lead.phone if channel == "sms" else Lead.email
    suppressed = (select(Suppression.reason).where(Suppression.channel == channel, Suppression.address == address)
                  .limit(1).scalar_subquery())
    lead, action, reason = session.execute(select(Lead, consent, suppressed).where(Lead.id == lead_id)).one()
    history = session.execute(
        select(Message.id, Message.channel, Message.sequence, Message.step, Message.state,
               Message.sent_at, Message.updated_at)
        .where(Message.lead_id == lead_id, Message.id != message_id,
               Message.state.in_([str(s) for s in (*_SENT_STATES, S.sending)]))  # type: ignore[attr-defined]
    ).all()
    rows = [(i, ch, f"{seq}|{step}", st, sent_at or (updated if st == S.sending else None))
            for i, ch, seq, step, st, sent_at, updated in history]
    return lead, Facts(consent_granted=action == ConsentAction.grant, suppressed=reason, history=rows)


def provider_can_list(channel: str, settings: Settings) -> bool:
    """Only Twilio can say whether it accepted a message; SendGrid (and the outbox) cannot be asked."""
    return channel == "sms" and settings.sms_configured


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds to wait before attempt `attempts + 1`: the provider's word, else doubling from 15 s."""
    if retry_after is not None:
        return max(1.0, retry_after)
    delay = BASE_BACKOFF * (2 ** max(0, attempts - 1))
    return min(delay, MAX_BACKOFF).total_seconds()


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

    def _take(self, key: str, limit: int) -> bool:
        second = int(time.time())
        if self._redis is not None:
            pipe = self._redis.pipeline(transaction=False)
            pipe.incr(f"nurture:rate:{key}:{second}")
            pipe.expire(f"nurture:rate:{key}:{second}", 2)
            count, _ = pipe.execute()
            return int(count) <= limit
        with self._lock:
            at, count = self._local.get(key, (second, 0))
            if at != second:
                at, count = second, 0
            self._local[key] = (at, count + 1)
            return count < limit

    def wait(self, key: str, channel: str, *, deadline: float = 30.0) -> bool:
        """Block until the account `key` may send one more message; False after `deadline` seconds."""
        limit = self._limits[channel]
        give_up = time.monotonic() + deadline
        while not self._take(key, limit):
            if time.monotonic() >= give_up:
                return False
            time.sleep(1.0 - (time.time() % 1.0) + 0.001)  # the next window
        return True


class Dispatcher:
    """Sends messages by id; one per process, shared by its worker threads."""

    def __init__(self, settings: Settings | None = None, *, clock: Callable[[], datetime] = clock_now) -> None:
        self.settings = settings or get_settings()
        self.clock = clock
        self.store = TemplateStore(self.settings.templates_dir)
        self._secret_key: str | None = None
        self.limiter = RateLimiter(
            {"sms": self.settings.twilio_rate_per_second, "email": self.settings.sendgrid_rate_per_second},
            self.settings.redis_url,
        )

    def _secret(self, session: Session) -> str:
        if self._secret_key is None:
            self._secret_key = secret_key(session)
        return self._secret_key

    def _account(self, channel: str) -> str:
        s = self.settings
        if channel == "sms":
            return f"twilio:{s.twilio_account_sid}" if s.sms_configured else "outbox:sms"
        return f"sendgrid:{(s.sendgrid_api_key or '')[:12]}" if s.email_configured else "outbox:email"

    def send(self, message_id: int) -> Outcome:
        """Try to send message `message_id` now; the returned Outcome says what happened."""
        prepared = self._prepare(message_id)
        if isinstance(prepared, Outcome):
            return prepared
        out, claimed_at, attempts = prepared
        channel = get_channel(out.channel, self.settings)
        if not self.limiter.wait(self._account(out.channel), out.channel):
            return self._requeue(out, attempts, "rate limit of the provider account", 1.0)
        try:
            result = channel.send(out)
        except ChannelError as exc:
            return self._failed_send(out, channel, exc, claimed_at, attempts)
        return self._record_sent(out, result)

    def _prepare(self, message_id: int) -> Outcome | tuple[OutgoingMessage, datetime, int]:
        """Claim, gate and render in one transaction, committed before the provider call."""
        now = self.clock()
        table = Message.__table__
        with session_scope() as session:
            # The claim: one conditional UPDATE; only the worker whose UPDATE matched goes on.
            claimed = session.execute(
                update(table).where(table.c.id == message_id, table.c.state == S.queued)
                .values(state=S.sending, attempts=table.c.attempts + 1, updated_at=now,
                        lease_until=now + timedelta(seconds=self.settings.lease_seconds))
                .returning(*(table.c[f] for f in Claimed.__dataclass_fields__))
            ).mappings().first()
            if claimed is None:
                state = session.scalar(select(table.c.state).where(table.c.id == message_id))
                if state is None:
                    return Outcome("missing", f"no message #{message_id}")
                return Outcome("ignored", f"message #{message_id} is {state}, not queued: another worker has it or it was cancelled")
            msg = Claimed(**claimed)
            log_event(session, at=now, kind="state", lead_id=msg.lead_id, message_id=msg.id,
                      from_state=S.queued, to_state=S.sending, cause="claimed by a worker")
            lead, facts = load_lead_and_facts(session, msg.lead_id, msg.channel, msg.id)
            gate = check_gate(msg, lead, facts, now, self.settings)
            if not gate.ok:
                if gate.move_to is not None:
                    transition(session, msg.id, from_state=S.sending, to_state=S.planned, at=now, lead_id=lead.id,
                               cause=f"moved to {gate.move_to.isoformat()}: {gate.reason}", due_at=gate.move_to,
                               reason=f"moved: {gate.reason}", attempts=table.c.attempts - 1, lease_until=None)
                    return Outcome("planned", gate.reason)
                transition(session, msg.id, from_state=S.sending, to_state=S.skipped, at=now, lead_id=lead.id,
                           cause=gate.reason, reason=gate.reason)
                return Outcome("skipped", gate.reason)
            secret = self._secret(session)
            unsub = unsubscribe_url(self.settings, secret, lead.id, msg.channel)
            first_sms = msg.channel == "sms" and not any(ch == "sms" for _, ch, *_ in facts.history)
            try:
                rendered = self.store.render(msg.template, lead, now=now, settings=self.settings, secret=secret,
                                             tier=msg.tier, unsubscribe_url=unsub, first_sms=first_sms)
            except RenderError as exc:
                transition(session, msg.id, from_state=S.sending, to_state=S.failed, at=now, lead_id=lead.id,
                           cause=str(exc), error_code="template", error_reason=str(exc)[:500])
                return Outcome("failed", str(exc))
            to = address_of(lead, msg.channel)
            assert to is not None
            # Written before the provider call, so a crash mid-call leaves what to reconcile with.
            session.execute(update(table).where(table.c.id == msg.id).values(
                to_address=to, subject=rendered.subject, body=rendered.text, template_version=rendered.version))
            out = OutgoingMessage(message_id=msg.id, lead_id=lead.id, channel=msg.channel, to=to,
                                  subject=rendered.subject, text=rendered.text, html=rendered.html,
                                  unsubscribe_url=unsub)
            return out, now, msg.attempts

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

    def _review(self, out: OutgoingMessage, why: str) -> Outcome:
        with session_scope() as session:
            transition(session, out.message_id, from_state=S.sending, to_state=S.review, at=self.clock(),
                       lead_id=out.lead_id, cause=f"{why}: check before sending again",
                       reason=f"needs review: {why}"[:500], lease_until=None)
        return Outcome("review", why)

    def _requeue(self, out: OutgoingMessage, attempts: int, reason: str, delay: float) -> Outcome:
        now = self.clock()
        with session_scope() as session:
            if attempts >= MAX_ATTEMPTS:
                why = f"gave up after {attempts} attempts: {reason}"
                transition(session, out.message_id, from_state=S.sending, to_state=S.failed, at=now,
                           lead_id=out.lead_id, cause=why, error_reason=why[:500], lease_until=None)
                return Outcome("failed", why)
            transition(session, out.message_id, from_state=S.sending, to_state=S.queued, at=now,
                       lead_id=out.lead_id, cause=f"retry in {delay:.0f}s: {reason}", reason=f"retrying: {reason}",
                       lease_until=now + timedelta(seconds=delay + self.settings.lease_seconds))
        return Outcome("queued", reason, retry_in=delay)

    def _failed_send(self, out: OutgoingMessage, channel: object, exc: ChannelError, claimed_at: datetime,
                     attempts: int) -> Outcome:
        if not exc.permanent:
            if exc.maybe_sent:
                # The request left but no answer came back: the provider may have it. Ask, never guess.
                try:
                    found = channel.reconcile(out, claimed_at)  # type: ignore[attr-defined]
                except ChannelError:
                    # Cannot ask now: the row stays `sending` and reconcile_stale asks again later.
                    return Outcome("sending", f"outcome unknown ({exc.reason}); reconciled when the lease ends")
                if found is not None:
                    return self._record_sent(out, found)
                if not provider_can_list(out.channel, self.settings):
                    return self._review(out, f"no answer from the provider ({exc.reason}) and it cannot be asked")
            reason = f"{exc.code + ' ' if exc.code else ''}{exc.reason}"
            return self._requeue(out, attempts, reason, backoff(attempts, exc.retry_after))
        now = self.clock()
        with session_scope() as session:
            transition(session, out.message_id, from_state=S.sending, to_state=S.failed, at=now,
                       lead_id=out.lead_id, cause=f"provider refused: {exc.reason}", error_code=exc.code,
                       error_reason=exc.reason[:500], lease_until=None)
            if exc.suppress:
                suppress(session, channel=out.channel, address=out.to, reason="stop",
                         detail=f"provider error {exc.code}: {exc.reason}", lead_id=out.lead_id, at=now)
                planning.replan_lead(session, out.lead_id, now=now,
                                     cause=f"{out.to} suppressed after provider error {exc.code}")
        return Outcome("failed", f"{exc.code}: {exc.reason}")

