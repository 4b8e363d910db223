"""Lateness, one rule for the planner, the scheduler and the send gate.

A message due at `due_at` whose step allows `grace` (`Step.grace`, `DEFAULT_GRACE` when the step
gives none) is on time until `due_at + grace`, stored on the row as `expires_at`, and late from that
instant on: a late message is not sent as it was planned but planned again by the catch-up rule
(never a burst after an outage). One-off messages (system answers, ops replies) carry their own
`expires_at` and are late by the same rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

#: The same rule as `on_time_sql`, as SQL text for statements written by hand (`:now` bound).
ON_TIME_TEXT = "(expires_at IS NULL OR expires_at > :now)"


def late_from(due_at: datetime, grace: timedelta) -> datetime:
    """The first instant a message due at `due_at` with `grace` is late."""
    return due_at + grace


def is_late(expires: datetime | None, now: datetime) -> bool:
    """Whether a message that expires at `expires` (None: never) is late at `now`."""
    return expires is not None and now >= expires


def on_time_sql(expires: Any, now: Any) -> Any:
    """`is_late` negated, as a SQL condition on the `expires` column."""
    return sa.or_(expires.is_(None), expires > now)


def late_sql(expires: Any, now: Any) -> Any:
    """`is_late`, as a SQL condition on the `expires` column."""
    return sa.and_(expires.is_not(None), expires <= now)
