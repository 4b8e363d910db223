"""The declared trust tier (NURTURE_TWILIO_THROUGHPUT_TIER) sets the SMS rate and T-Mobile's daily cap
per brand; the scheduler holds texts past the cap until the next day in Pacific time."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from delivery_helpers import add_lead, cancel_plan, message, queue_message
from pydantic import ValidationError
from sqlalchemy import insert

from nurture.clock import clock
from nurture.config import Settings, get_settings
from nurture.db import session_scope
from nurture.delivery import throughput
from nurture.delivery.dispatch import Dispatcher
from nurture.delivery.lifecycle import S
from nurture.delivery.scheduler import tick
from nurture.models import Message

# 2026-12-01 15:00 UTC is 07:00 on Dec 1 in Los Angeles (PST, UTC-8): that Pacific day began at
# 2026-12-01 08:00 UTC and ends at 2026-12-02 08:00 UTC.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PACIFIC_MIDNIGHT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NEXT_PACIFIC_MIDNIGHT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("tier", "rate", "cap"), [
    ("low_volume", 3, 2_000), ("low", 12, 2_000), ("low_mid", 12, 10_000), ("high_mid", 120, 40_000),
    ("top", 225, 200_000)])
def test_each_tier_sets_the_carriers_published_rate_and_cap(tier, rate, cap):
    settings = Settings(twilio_throughput_tier=tier)
    assert (throughput.sms_rate(settings), throughput.daily_cap(settings)) == (rate, cap)


def test_an_explicit_rate_wins_over_the_tier_and_no_tier_keeps_the_old_default(monkeypatch):
    monkeypatch.setenv("NURTURE_TWILIO_THROUGHPUT_TIER", "high_mid")
    monkeypatch.setenv("NURTURE_TWILIO_RATE_PER_SECOND", "30")
    assert throughput.sms_rate(Settings()) == 30
    assert throughput.daily_cap(Settings()) == 40_000
    assert throughput.sms_rate(Settings(twilio_throughput_tier=None)) == 30
    monkeypatch.delenv("NURTURE_TWILIO_RATE_PER_SECOND")
    monkeypatch.setenv("NURTURE_TWILIO_THROUGHPUT_TIER", "")
    assert (throughput.sms_rate(Settings()), throughput.daily_cap(Settings())) == (10, None)


def test_the_tier_name_is_checked_at_start_up(monkeypatch):
    monkeypatch.setenv("NURTURE_TWILIO_THROUGHPUT_TIER", "High-Mid")
    assert Settings().twilio_throughput_tier == "high_mid"
    monkeypatch.setenv("NURTURE_TWILIO_THROUGHPUT_TIER", "platinum")
    with pytest.raises(ValidationError, match="twilio_throughput_tier"):
        Settings()


def test_the_workers_send_texts_at_the_tiers_rate(sqlite_url, monkeypatch):
    monkeypatch.setenv("NURTURE_TWILIO_THROUGHPUT_TIER", "top")
    get_settings.cache_clear()
    assert Dispatcher().limiter._limits["sms"] == 225  # the limiter every worker thread asks before a text


@pytest.mark.parametrize(("at", "start", "end"), [
    (NOW, PACIFIC_MIDNIGHT, NEXT_PACIFIC_MIDNIGHT),
    # 07:59 UTC on Dec 1 is 23:59 on Nov 30 in Los Angeles.
    (datetime(2026, 12, 1, 7, 59, tzinfo=UTC), datetime(2026, 11, 30, 8, 0, tzinfo=UTC), PACIFIC_MIDNIGHT),
    # Summer (PDT, UTC-7): the day of 2027-07-04 12:00 UTC (05:00 PDT) began at 07:00 UTC.
    (datetime(2027, 7, 4, 12, 0, tzinfo=UTC), datetime(2027, 7, 4, 7, 0, tzinfo=UTC),
     datetime(2027, 7, 5, 7, 0, tzinfo=UTC)),
    # 2027-03-14 is 23 hours long in Los Angeles (clocks go forward at 02:00 PST).
    (datetime(2027, 3, 14, 12, 0, tzinfo=UTC), datetime(2027, 3, 14, 8, 0, tzinfo=UTC),
     datetime(2027, 3, 15, 7, 0, tzinfo=UTC)),
])
def test_the_pacific_day(at, start, end):
    assert throughput.pacific_day(at) == (start, end)


@pytest.fixture
def capped(db_url, providers, monkeypatch):
    """Tier `low`: 2,000 texts a Pacific day (on SQLite and on PostgreSQL)."""
    monkeypatch.setenv("NURTURE_TWILIO_THROUGHPUT_TIER", "low")
    get_settings.cache_clear()
    clock.freeze(NOW)
    return _leads(7)


def _leads(n: int) -> list[int]:
    """`n` Miami leads with nothing planned."""
    ids = []
    for i in range(n):
        lead_id = add_lead(NOW, first_name=f"Lead{i}", email=f"owner{i}@example.com", phone=f"(305) 555-{1000 + i:04d}")
        cancel_plan(lead_id, NOW)
        ids.append(lead_id)
    return ids


def _sent(lead_id: int, n: int, at: datetime, prefix: str) -> None:
    """`n` texts already sent at `at` (rows as the workers leave them)."""
    with session_scope() as session:
        session.execute(insert(Message), [
            {"lead_id": lead_id, "sequence": "earlier", "step": f"{prefix}{i}", "channel": "sms",
             "template": "sms/what_is_short_sale", "deadline": False, "due_at": at, "state": "sent", "sent_at": at,
             "attempts": 1, "created_at": at, "updated_at": at} for i in range(n)])


def capped_sim(claims: list[tuple[int, str]]) -> list[int]:
    return [m for m, channel in claims if channel == "sms" and message(m).state == "sent"]


def _claim() -> list[tuple[int, str]]:
    claimed: list[tuple[int, str]] = []
    tick(claimed.extend, now=clock.now())
    return claimed


def test_texts_past_the_daily_cap_wait_for_the_next_pacific_day(capped):
    earlier, *leads, reader = capped
    # Texts of the brand to other people (one lead stands for them all here).
    _sent(earlier, 1_998, PACIFIC_MIDNIGHT + timedelta(minutes=5), "today")
    # Sent before Pacific midnight (yesterday in Los Angeles, though today in UTC): not counted.
    _sent(earlier, 500, PACIFIC_MIDNIGHT - timedelta(minutes=30), "yesterday")
    due = [queue_message(lead, NOW, step="due", state=S.planned, due_at=NOW - timedelta(minutes=5 - i))
           for i, lead in enumerate(leads)]
    email = queue_message(reader, NOW, channel="email", template="email/negative_equity", step="mail",
                          state=S.planned, due_at=NOW - timedelta(minutes=1))
    first = _claim()
    # 2,000 - 1,998 = 2 texts, the two due first; email is not held back.
    assert sorted(first) == sorted([(due[0], "sms"), (due[1], "sms"), (email, "email")])
    assert [message(m).state for m in due] == ["queued", "queued", "planned", "planned", "planned"]
    # The two claimed count against the cap before they are sent: nothing more today.
    assert _claim() == []
    dispatcher = Dispatcher()
    assert [dispatcher.send(m).state for m, _ in first] == ["sent"] * 3
    assert len(capped_sim(first)) == 2
    assert _claim() == []
    clock.freeze(NEXT_PACIFIC_MIDNIGHT - timedelta(seconds=1))
    assert _claim() == []
    clock.freeze(NEXT_PACIFIC_MIDNIGHT)
    assert sorted(_claim()) == sorted([(m, "sms") for m in due[2:]])


def test_without_a_tier_nothing_is_capped(sqlite_url, providers):
    clock.freeze(NOW)
    earlier, lead_id = _leads(2)
    _sent(earlier, 2_500, PACIFIC_MIDNIGHT + timedelta(minutes=5), "today")
    mid = queue_message(lead_id, NOW, step="due", state=S.planned, due_at=NOW - timedelta(minutes=1))
    assert _claim() == [(mid, "sms")]


@pytest.mark.postgres
@pytest.mark.slow
def test_counting_todays_texts_reads_two_indexes_not_the_table(pg_url):
    """The cap's count runs at every tick: on PostgreSQL, at 300,000 messages (most planned, some sent
    over past weeks), it reads the partial index on sent_at and the one on state, never the table."""
    t = NOW.astimezone(UTC).replace(tzinfo=None)
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO lead (first_name, last_name, hardships, foreclosure_stage, timezone, status, enrolled_at, "
            "created_at, updated_at) VALUES ('Cap', '', '[]', 'none', 'America/New_York', 'active', :t, :t, :t)"),
            {"t": t})
        conn.execute(sa.text(
            "INSERT INTO message (lead_id, sequence, step, channel, template, deadline, due_at, expires_at, state, "
            "sent_at, attempts, created_at, updated_at) SELECT 1, 'cap', 's' || g, "
            "CASE WHEN g % 3 = 0 THEN 'email' ELSE 'sms' END, 'sms/x', false, :t + (g % 9000) * interval '1 minute', "
            ":t + interval '100 days', CASE WHEN g % 10 = 0 THEN 'sent' ELSE 'planned' END, "
            "CASE WHEN g % 10 = 0 THEN :t - (g % 40) * interval '1 day' END, 0, :t, :t "
            "FROM generate_series(1, 300000) AS g"), {"t": t})
        conn.execute(sa.text("ANALYZE message"))
    query = sa.select(sa.func.count()).select_from(Message).where(
        *throughput.texts_today_where(NOW))
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = "\n".join(conn.execute(sa.text(f"EXPLAIN {compiled}")).scalars())
    engine.dispose()
    assert "Seq Scan on message" not in plan, plan
    assert "ix_message_sent_at" in plan and "ix_message_state_due" in plan, plan
