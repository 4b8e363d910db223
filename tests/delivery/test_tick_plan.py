"""The scheduler's claim reads only the due rows through the (state, due_at) index, however many
rows are planned: checked with EXPLAIN on PostgreSQL at 1,000,000 planned messages (the speed itself
is printed by bench/delivery_bench.py, never timed in a test)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa

from nurture.clock import now

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_the_claim_uses_the_due_index_and_never_scans_the_table_at_a_million_rows(pg_url):
    from nurture.delivery.scheduler import _CONDITIONS

    t = now().astimezone(UTC).replace(tzinfo=None)
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO lead (first_name, last_name, hardships, foreclosure_stage, timezone, status, enrolled_at, "
            "created_at, updated_at) VALUES ('Tick', '', '[]', 'none', 'America/New_York', 'active', :t, :t, :t)"),
            {"t": t})
        # 10,000 due now; 990,000 spread over the next 90 days; and some sent ones, as in a live table.
        conn.execute(sa.text(
            "INSERT INTO message (lead_id, sequence, step, channel, template, deadline, due_at, expires_at, state, "
            "attempts, created_at, updated_at) SELECT 1, 'tick', 's' || g, 'email', 'email/welcome', false, "
            "CASE WHEN g <= 10000 THEN :t - interval '1 minute' ELSE :t + (g % 129600) * interval '1 minute' END, "
            ":t + interval '100 days', CASE WHEN g % 50 = 0 THEN 'sent' ELSE 'planned' END, 0, :t, :t "
            "FROM generate_series(1, 1000000) AS g"), {"t": t})
        conn.execute(sa.text("ANALYZE message"))
    condition = _CONDITIONS["due"][0] + " AND channel NOT IN ('sms')"
    sql = (f"EXPLAIN SELECT id FROM message WHERE state = 'planned' AND {condition} "
           "ORDER BY due_at LIMIT 10000 FOR UPDATE SKIP LOCKED")
    with engine.connect() as conn:
        plan = "\n".join(conn.execute(sa.text(sql), {"now": t}).scalars())
        late = "\n".join(conn.execute(sa.text(
            "EXPLAIN SELECT lead_id FROM message WHERE state = 'planned' AND due_at <= :now AND expires_at <= :now "
            "GROUP BY lead_id LIMIT 200"), {"now": t}).scalars())
    engine.dispose()
    for text in (plan, late):
        assert "ix_message_state_due" in text, text
        assert "Seq Scan on message" not in text, text
    assert "Index Cond: (((state)::text = 'planned'::text) AND (due_at <= " in plan, plan
