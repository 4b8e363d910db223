"""A postponement: a SET sale date replaced by a later set date.

The planner sends the postponement message (schedules/postponed.yaml) once for each one: the lead
remembers the date the sale moved from and when we learned it (Lead.sale_postponed_from,
Lead.sale_postponed_at). Nothing else is a postponement: an estimate (the earliest date a state's
procedure allows) replaced by a set date is the first real date, and an earlier date is not a
postponement either (the lead keeps the last one it had; the planner tells nothing while the sale
date is not later than the date it moved from).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def moved_later(lead: Any, new_sale_date: date | None, new_estimated: bool, now: datetime) -> dict[str, Any]:
    """The Lead columns to set when `lead`'s sale date becomes `new_sale_date` at `now`: the
    postponement's from-date and moment if a set date moves to a later set date, else nothing."""
    old = getattr(lead, "sale_date", None)
    if old is None or getattr(lead, "sale_date_estimated", False):
        return {}
    if new_sale_date is None or new_estimated or new_sale_date <= old:
        return {}
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return {"sale_postponed_from": old, "sale_postponed_at": now}
