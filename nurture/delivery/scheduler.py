"""The clock of delivery: claim due messages and hand them to the workers; renew lost leases;
reconcile sends whose worker died; re-plan leads whose urgency tier moved (daily).

Claims are conditional UPDATEs (on PostgreSQL over `FOR UPDATE SKIP LOCKED`), so two
schedulers never queue one message twice, and the broker is only transport: a message it
loses is found again when its lease runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from nurture.clock import now as clock_now
from nurture.config import Settings, get_settings
from nurture.db import session_scope
from nurture.lateness import ON_TIME_TEXT, late_sql, on_time_sql
from nurture.delivery.dispatch import provider_can_list
from nurture.delivery.lifecycle import S, transition
from nurture.models import DeliveryEvent, Lead, Message
from nurture.plans.sequences import CHANNELS
from nurture.plans import replan as planning
from nurture.locking import lock_leads
from nurture.models import KeyValue
from nurture.delivery import carrier, pauses, throughput
from nurture.delivery.channels import OutgoingMessage, get_channel
from nurture.delivery import jobs
from nurture.delivery.channels import ChannelError

log = logging.getLogger("nurture.delivery.scheduler")

# A claimed message: its id and channel (the worker's rate limit is per channel, known before any query).
Claim = tuple[int, str]
Enqueue = Callable[[Sequence[Claim]], None]


# PostgreSQL: lock due rows (skipping those another scheduler holds), move them and write their
# log rows in one statement, all on the server.
_PG_CLAIM = """
WITH due AS (
    SELECT id FROM message WHERE state = :from_state AND {condition}
    ORDER BY due_at LIMIT :limit FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE message SET state = :to_state, lease_until = :lease_until, updated_at = :now
    FROM due WHERE message.id = due.id RETURNING message.id, message.lead_id, message.channel
), logged AS (
    INSERT INTO deliveryevent (at, lead_id, message_id, kind, from_state, to_state, cause)
    SELECT :now, lead_id, id, 'state', :from_state, :to_state, :cause FROM claimed
)
SELECT id, channel FROM claimed
"""
_CONDITIONS = {"due": ("due_at <= :now AND " + ON_TIME_TEXT, col(Message.due_at)),
               "expired": ("lease_until < :now", col(Message.lease_until))}
#: Leads with late planned messages re-planned per tick (each is a small transaction of its own).
LATE_BATCH = 200
#: Provider event statuses that say the provider took the message.
PROVIDER_HAS_IT = ("processed", "deferred", "delivered", "open", "click", "bounce", "dropped", "sent", "queued",
                   "accepted", "sending", "undelivered", "failed")


def _claim(session: Session, *, from_state: S, condition: str, to_state: S, now: datetime, lease: timedelta,
           limit: int, cause: str, skip_channels: Sequence[str] = (), only_channel: str | None = None) -> list[Claim]:
    """Move up to `limit` rows in `from_state` meeting `condition` to `to_state` with a fresh lease; log each."""
    sql_condition, column = _CONDITIONS[condition]
    skip = [c for c in CHANNELS if c in skip_channels]  # only known names reach the SQL text
    only = next((c for c in CHANNELS if c == only_channel), None)
    if only_channel is not None and only is None:
        raise ValueError(f"unknown channel {only_channel!r}")
    if skip:
        sql_condition += " AND channel NOT IN (" + ", ".join(f"'{c}'" for c in skip) + ")"
    if only:
        sql_condition += f" AND channel = '{only}'"
    if session.get_bind().dialect.name == "postgresql":
        naive = now.astimezone(UTC).replace(tzinfo=None)
        return [(mid, channel) for mid, channel in session.execute(text(_PG_CLAIM.format(condition=sql_condition)), {
            "from_state": str(from_state), "to_state": str(to_state), "limit": limit, "now": naive,
            "lease_until": naive + lease, "cause": cause,
        })]
    # SQLite: one writer at a time, so a plain conditional UPDATE is already exclusive.
    if condition == "due":
        where = [col(Message.state) == from_state, column <= now, on_time_sql(col(Message.expires_at), now)]
    else:
        where = [col(Message.state) == from_state, column < now]
    if skip:
        where.append(col(Message.channel).not_in(skip))
    if only:
        where.append(col(Message.channel) == only)
    due = select(col(Message.id)).where(*where).order_by(col(Message.due_at)).limit(limit)
    rows = session.execute(
        update(Message)
        .where(col(Message.id).in_(due.scalar_subquery()), *where)
        .values(state=str(to_state), lease_until=now + lease, updated_at=now)
        .returning(col(Message.id), col(Message.lead_id), col(Message.channel))
        .execution_options(synchronize_session=False)
    ).all()
    if rows:
        session.execute(insert(DeliveryEvent), [
            {"at": now, "lead_id": lead_id, "message_id": mid, "kind": "state", "from_state": str(from_state),
             "to_state": str(to_state), "cause": cause}
            for mid, lead_id, _ in rows
        ])
    return [(mid, channel) for mid, _, channel in rows]


def replan_late(session: Session, *, now: datetime, limit: int = LATE_BATCH) -> int:
    """Leads with planned messages later than their step's grace (an outage, a long backlog):
    planned again as a whole, under their lock, so the catch-up rule decides what still goes out
    (never a burst). Returns how many leads were re-planned."""

    ids = list(session.scalars(
        select(col(Message.lead_id)).where(col(Message.state) == S.planned, col(Message.due_at) <= now,
                                           late_sql(col(Message.expires_at), now))
        .group_by(col(Message.lead_id)).limit(limit)
    ))
    if not ids:
        return 0
    lock_leads(session, ids)
    leads = session.execute(select(Lead).where(col(Lead.id).in_(ids))).scalars().all()
    planning.replan_many(session, [(lead, "messages were late past their step's grace (catch-up rule)")
                                   for lead in leads], now=now)
    return len(leads)


def claim_due(session: Session, *, now: datetime, limit: int, lease: timedelta,
              skip_channels: Sequence[str] = (), only_channel: str | None = None) -> list[Claim]:
    """Planned messages whose time has come (and not gone: see replan_late), now queued with a lease.
    Messages of a paused channel (a refused credential) stay planned."""
    return _claim(session, from_state=S.planned, condition="due", to_state=S.queued, now=now, lease=lease,
                  limit=limit, cause="due: handed to the workers", skip_channels=skip_channels,
                  only_channel=only_channel)


def claim_due_capped(session: Session, settings: Settings, *, now: datetime, limit: int, lease: timedelta,
                     skip_channels: Sequence[str] = ()) -> list[Claim]:
    """claim_due, with texts held to the declared tier's daily cap (T-Mobile's, per brand and Pacific
    day): past it, texts stay planned until Pacific midnight; email is not held back."""
    sms_room = None if "sms" in skip_channels else throughput.room_today(session, settings, now)
    if sms_room is None or sms_room >= limit:
        return claim_due(session, now=now, limit=limit, lease=lease, skip_channels=skip_channels)
    due = claim_due(session, now=now, limit=limit, lease=lease, skip_channels=[*skip_channels, "sms"])
    if sms_room > 0 and len(due) < limit:
        due += claim_due(session, now=now, limit=min(sms_room, limit - len(due)), lease=lease, only_channel="sms")
    if sms_room < limit:
        _say_capped(settings, now, sms_room)
    return due


_capped_on: list[datetime] = []


def _say_capped(settings: Settings, now: datetime, room: int) -> None:
    """Log once per Pacific day that texts wait for the next one."""
    start, end = throughput.pacific_day(now)
    if room == 0 and start not in _capped_on:
        _capped_on[:] = [start]
        log.warning("SMS daily cap reached (%s texts this Pacific day, NURTURE_TWILIO_THROUGHPUT_TIER=%s): texts "
                    "stay planned until %s UTC", f"{throughput.daily_cap(settings):,}",
                    settings.twilio_throughput_tier, f"{end:%Y-%m-%d %H:%M}")


def claim_expired(session: Session, *, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
    """Queued messages no worker took within their lease (the broker lost them): queued again."""
    return _claim(session, from_state=S.queued, condition="expired", to_state=S.queued, now=now, lease=lease,
                  limit=limit, cause="lease expired: enqueued again")


def renew_expired(session: Session, *, now: datetime, lease: timedelta) -> int:
    """Queued messages past their lease that the broker still holds (a backlog, not a loss): a new
    lease, and no second copy in the broker."""
    return session.exec(
        update(Message).where(col(Message.state) == S.queued, col(Message.lease_until) < now)
        .values(lease_until=now + lease).execution_options(synchronize_session=False)
    ).rowcount or 0


def expire_queued(session: Session, *, now: datetime) -> int:
    """Every queued message handed over again at the next claim (the broker restarted empty)."""
    return session.exec(
        update(Message).where(col(Message.state) == S.queued).values(lease_until=now - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    ).rowcount or 0


@dataclass
class TickResult:
    due: int
    expired: int
    late: int = 0
    broker: str = "ok"


_EPOCH_KEY = "broker:epoch"


def _broker_state(enqueue: Enqueue) -> tuple[str | None, int | None, str | None]:
    """(epoch, messages held, error): what the broker says of itself; an error when it is away."""
    try:
        epoch = getattr(enqueue, "epoch", lambda: None)()
        held = getattr(enqueue, "held", lambda: None)()
    except Exception as exc:  # the broker is down: say so, claim nothing that cannot be handed over
        return None, None, f"{exc.__class__.__name__}: {exc}"
    return epoch, held, None


def _broker_restarted(session: Session, epoch: str | None, now: datetime) -> bool:
    """True once after the broker came back as a new instance (its queue is empty): every queued
    message must be handed over again now, not when its lease runs out.

    The epoch moves with one conditional UPDATE: of two schedulers that see the new instance at
    once, only the one whose UPDATE matched expires the queue (the other would expire again the
    rows the first just handed over, and they would reach the broker twice)."""
    if epoch is None:
        return False
    table = KeyValue.__table__
    if session.get(KeyValue, _EPOCH_KEY) is None:
        first = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        if session.execute(first(table).values(key=_EPOCH_KEY, value=epoch).on_conflict_do_nothing()).rowcount:
            return False  # the first broker this database has seen: nothing was handed to another
    moved = session.execute(update(table).where(table.c.key == _EPOCH_KEY, table.c.value != epoch)
                            .values(value=epoch)).rowcount
    if not moved:
        return False
    expired = expire_queued(session, now=now)
    log.warning("the broker restarted (a new instance): %d queued messages are handed over again", expired)
    return True


def tick(enqueue: Enqueue, *, settings: Settings | None = None, now: datetime | None = None) -> TickResult:
    """One pass: re-plan late leads; claim due messages, then lost ones, each batch committed and
    then enqueued.

    The broker is asked first. Away: nothing is claimed (it could not be handed over) and the
    reason is logged. Restarted: every queued message is lost. The due batch goes first (lost
    messages never starve new work); then every lost message is handed over again in this tick,
    in batches of NURTURE_CLAIM_BATCH, however many. Queued messages past their lease beyond
    those the broker lost are a backlog it still holds: their leases are renewed rather than
    copied again into the broker.
    """

    settings = settings or get_settings()
    now = now or clock_now()
    lease = timedelta(seconds=settings.lease_seconds)
    epoch, held, down = _broker_state(enqueue)
    with session_scope(settings.database_url) as session:
        late = replan_late(session, now=now)
    if down:
        log.error("broker unreachable (%s): nothing is claimed until it answers; queued messages wait", down)
        return TickResult(0, 0, late, broker=down)
    with session_scope(settings.database_url) as session:
        _broker_restarted(session, epoch, now)
        waiting = session.scalar(select(func.count()).select_from(Message).where(Message.state == S.queued)) or 0
        paused = pauses.paused(session, settings)
        room = min(settings.claim_batch, settings.max_queued - waiting)
        due = claim_due_capped(session, settings, now=now, limit=room, lease=lease,
                               skip_channels=list(paused)) if room > 0 else []
    lost = waiting if held is None else max(0, waiting - held)
    failed = _hand_over(enqueue, due, settings=settings, now=now)
    if failed:
        return TickResult(len(due), 0, late, broker=failed)
    expired = 0
    while expired < lost:
        limit = min(lost - expired, settings.claim_batch)
        with session_scope(settings.database_url) as session:
            batch = claim_expired(session, now=now, limit=limit, lease=lease)
        failed = _hand_over(enqueue, batch, settings=settings, now=now)
        if failed:
            return TickResult(len(due), expired, late, broker=failed)
        expired += len(batch)
        if len(batch) < limit:
            break  # nothing past its lease is left: the rest of `lost` is in workers' hands
    # Whatever is still past its lease, the broker holds (it lost only `lost`): a backlog.
    with session_scope(settings.database_url) as session:
        renew_expired(session, now=now, lease=lease)
    return TickResult(len(due), expired, late)


def _hand_over(enqueue: Enqueue, claims: Sequence[Claim], *, settings: Settings, now: datetime) -> str | None:
    """Enqueue claims already committed (a worker must find the row queued); the error when the
    broker went away meanwhile, the claims then left to be handed over at the next tick."""
    if not claims:
        return None
    try:
        enqueue(claims)
    except Exception as exc:
        ids = [mid for mid, _ in claims]
        with session_scope(settings.database_url) as session:
            session.execute(update(Message).where(col(Message.id).in_(ids), col(Message.state) == S.queued)
                            .values(lease_until=now - timedelta(seconds=1)))
        log.error("broker unreachable while handing over %d messages (%s): they stay queued and are "
                  "handed over when it answers", len(claims), exc)
        return str(exc)
    return None


def reconcile_stale(*, settings: Settings | None = None, now: datetime | None = None, limit: int = 100) -> int:
    """`sending` rows past their lease: a worker died mid-call, or the provider did not answer and
    has had time to settle. Ask the provider; never re-send blindly.

    Found (or confirmed by a provider event carrying our id): sent. Not found where "not found"
    means "not sent" (Twilio's list, the outbox's files): queued again. Otherwise (SendGrid, which
    cannot be asked and sent no event): review, for a person to decide.
    """

    settings = settings or get_settings()
    now = now or clock_now()
    with session_scope(settings.database_url) as session:
        stale = session.execute(
            select(Message).where(col(Message.state) == S.sending, col(Message.lease_until) < now).limit(limit)
        ).scalars().all()
    done = 0
    for msg in stale:
        out = OutgoingMessage(message_id=msg.id, lead_id=msg.lead_id, channel=msg.channel, to=msg.to_address or "",
                              subject=msg.subject, text=msg.body or "")
        found = None
        if msg.to_address:
            try:
                # The row exists before its request starts: nothing older can be this message.
                found = get_channel(msg.channel, settings).reconcile(out, msg.created_at)
            except Exception as exc:  # the provider is down or refuses us: ask again on the next pass
                log.warning("reconcile of message %s failed: %s", msg.id, exc)
                continue
        with session_scope(settings.database_url) as session:
            confirmed = found is None and session.execute(
                select(col(DeliveryEvent.provider_status)).where(
                    col(DeliveryEvent.message_id) == msg.id, col(DeliveryEvent.kind) == "provider",
                    col(DeliveryEvent.provider_status).in_(PROVIDER_HAS_IT))
            ).first() is not None
            if found is not None:
                transition(session, msg.id, from_state=S.sending, to_state=S.sent, at=now, lead_id=msg.lead_id,
                           cause=f"no answer in time, but the provider has it as {found.provider_id}",
                           provider_id=found.provider_id, sent_at=now, lease_until=None)
            elif confirmed:
                transition(session, msg.id, from_state=S.sending, to_state=S.sent, at=now, lead_id=msg.lead_id,
                           cause="no answer in time, but a provider event confirmed it", sent_at=now,
                           lease_until=None)
            elif msg.to_address and provider_can_list(msg.channel, settings):
                transition(session, msg.id, from_state=S.sending, to_state=S.queued, at=now, lead_id=msg.lead_id,
                           cause="the provider has no such message after it settled: sending again",
                           lease_until=now - timedelta(seconds=1))
            else:
                transition(session, msg.id, from_state=S.sending, to_state=S.review, at=now, lead_id=msg.lead_id,
                           cause="no answer and no provider event since the request started: check before "
                                 "sending again", reason="needs review: outcome of the send unknown",
                           lease_until=None)
        done += 1
    return done


#: How long one scheduler holds the daily re-tier before another may take it over.
RETIER_LEASE = timedelta(hours=1)
#: Leads per transaction of the daily re-tier.
RETIER_BATCH = 500


def retier(*, settings: Settings | None = None, now: datetime | None = None) -> int | None:
    """Daily: re-plan every lead whose urgency tier changed since its messages were planned.

    In one scheduler at a time (a lease), in batches with a transaction each. None when another
    scheduler holds the job."""

    settings = settings or get_settings()
    now = now or clock_now()
    with session_scope(settings.database_url) as session:
        if not jobs.acquire(session, "retier", now=now, ttl=RETIER_LEASE):
            log.info("re-tier: another scheduler has it")
            return None
    count, after = 0, 0
    while after is not None:
        with session_scope(settings.database_url) as session:
            done, after = planning.retier_batch(session, now=now, after_id=after, limit=RETIER_BATCH)
        count += done
    log.info("re-tier: %d leads planned again", count)
    return count


#: How often the carrier registration (A2P campaign, toll-free verification) is read again.
CARRIER_EVERY = timedelta(minutes=15)


def check_carrier(*, settings: Settings | None = None, now: datetime | None = None,
                  force: bool = False) -> carrier.Readiness | None:
    """Read the carrier registration and pause or resume SMS by it (nurture.delivery.carrier): at
    start-up (`force`), then every CARRIER_EVERY in one scheduler of all. None when not due."""
    settings = settings or get_settings()
    now = now or clock_now()
    with session_scope(settings.database_url) as session:
        # A fresh owner each call: the lease is a timer here, taken only once the last one ran out.
        due = jobs.acquire(session, "carrier", now=now, ttl=CARRIER_EVERY, owner=f"{jobs.OWNER}@{now.isoformat()}")
    if not (due or force):
        return None
    try:
        found = carrier.enforce(settings, now=now)
    except Exception:  # the database is away: the next pass tries again
        log.exception("carrier readiness check failed")
        return None
    if found.state != "ready":
        log.error("carrier registration: %s", found.detail)
    return found


def reconcile(*, settings: Settings | None = None, now: datetime | None = None) -> int | None:
    """Every minute, in one scheduler at a time: settle `sending` rows past their lease, ask the
    provider of each paused channel whether the credentials work again, and every 15 minutes read
    the carrier registration. None when another scheduler holds the job."""

    settings = settings or get_settings()
    now = now or clock_now()
    with session_scope(settings.database_url) as session:
        # Held for most of one interval: the next pass, whichever scheduler runs it, is due then.
        ttl = timedelta(seconds=settings.reconcile_seconds * 0.9)
        if not jobs.acquire(session, "reconcile", now=now, ttl=ttl):
            return None
    probe_paused(settings=settings)
    check_carrier(settings=settings, now=now)
    return reconcile_stale(settings=settings, now=now)


def probe_paused(*, settings: Settings | None = None) -> list[str]:
    """Resume each channel paused for refused credentials whose provider accepts them now; the
    channels resumed. (A carrier or deliverability pause is not the credentials' to lift.)"""

    settings = settings or get_settings()
    with session_scope(settings.database_url) as session:
        paused = list(pauses.credential_paused(session, settings))
    resumed = []
    for channel in paused:
        try:
            get_channel(channel, settings).check()
        except ChannelError as exc:
            log.error("%s channel still paused: %s", channel, exc.reason)
            continue
        with session_scope(settings.database_url) as session:
            if pauses.resume(session, channel):
                resumed.append(channel)
    return resumed


def build_scheduler(enqueue: Enqueue, *, settings: Settings | None = None, background: bool = True):
    """An APScheduler with the delivery jobs: tick every few seconds (the first one after reading the
    carrier registration), reconcile every minute, re-tier daily."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    settings = settings or get_settings()
    cls = BackgroundScheduler if background else BlockingScheduler
    sched = cls(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30})
    started: list[bool] = []

    def tick_job() -> None:
        if not started:  # before the first text: may the sender text at all? (carrier registration)
            check_carrier(settings=settings, force=True)
            started.append(True)
        tick(enqueue, settings=settings)

    sched.add_job(tick_job, "interval", seconds=settings.tick_seconds, id="tick", next_run_time=clock_now())
    sched.add_job(lambda: reconcile(settings=settings), "interval", seconds=settings.reconcile_seconds,
                  id="reconcile")
    # 10:00 UTC: before the US wakes
    sched.add_job(lambda: retier(settings=settings), "cron", hour=10, minute=0, id="retier")
    return sched
