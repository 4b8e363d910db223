"""Urgency tiers: which tier a lead is in at a given moment, by the rules of schedules/urgency.yaml.

A tier depends on the lead's facts and, through the days left before the sale, on the clock.
Days are counted in the lead's own time zone (today = 0), so a tier changes at local midnight.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nurture.localtime import days_to_sale, local_midnight, zone


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at, read once from a Lead (saved or not)."""

    state: str | None
    tz: ZoneInfo
    payment_status: str | None
    months_behind: int | None
    hardships: frozenset[str]
    foreclosure_stage: str
    sale_date: date | None
    status: str
    status_reason: str | None
    enrolled_at: datetime | None
    # True: owes more than the house is worth; False: does not; None: unknown.
    negative_equity: bool | None
    # The sale date is an estimate (the earliest the state's procedure allows): once it has passed
    # it says nothing more than that the sale could be any day, and the planner treats it as no date.
    sale_date_estimated: bool = False
    # A set sale date that moved later: the date it moved from and when we learned it (UTC), or None.
    sale_postponed_from: date | None = None
    sale_postponed_at: datetime | None = None

    @classmethod
    def from_lead(cls, lead: Any) -> Facts:
        balance, value = lead.mortgage_balance_cents, lead.estimated_value_cents
        underwater = None if balance is None or value is None else balance > value
        enrolled = lead.enrolled_at
        if enrolled is not None and enrolled.tzinfo is None:
            raise ValueError("lead.enrolled_at must be an aware datetime")
        return cls(
            state=(lead.state or "").upper() or None,
            tz=zone(lead.timezone),
            payment_status=lead.payment_status,
            months_behind=lead.months_behind,
            hardships=frozenset(lead.hardships or ()),
            foreclosure_stage=str(lead.foreclosure_stage or "none"),
            sale_date=lead.sale_date,
            status=str(lead.status or "active"),
            status_reason=lead.status_reason,
            enrolled_at=enrolled.astimezone(UTC) if enrolled is not None else None,
            negative_equity=underwater,
            sale_date_estimated=bool(getattr(lead, "sale_date_estimated", False)),
            sale_postponed_from=getattr(lead, "sale_postponed_from", None),
            sale_postponed_at=_utc(getattr(lead, "sale_postponed_at", None)),
        )

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def days_to_sale(self, at: datetime) -> int | None:
        """Calendar days from `at` (lead's local date) to the sale date; negative once it has passed."""
        return days_to_sale(self.sale_date, at, self.tz)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("lead.sale_postponed_at must be an aware datetime")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Condition:
    """Facts a tier or a step asks for; every given key must hold (None: not asked)."""

    tiers: frozenset[str] | None = None
    payment_status: frozenset[str] | None = None
    hardship: frozenset[str] | None = None
    foreclosure_stage: frozenset[str] | None = None
    negative_equity: bool | None = None
    months_behind_at_least: int | None = None
    sale_within_days: int | None = None
    has_sale_date: bool | None = None

    def matches(self, facts: Facts, *, tier: str | None, days_to_sale: int | None) -> bool:
        # The same tests as why_not, without building the words: tiers are computed very often.
        if self.tiers is not None and tier not in self.tiers:
            return False
        if self.payment_status is not None and facts.payment_status not in self.payment_status:
            return False
        if self.hardship is not None and not (facts.hardships & self.hardship):
            return False
        if self.foreclosure_stage is not None and facts.foreclosure_stage not in self.foreclosure_stage:
            return False
        if self.negative_equity is not None and facts.negative_equity is not self.negative_equity:
            return False
        if self.months_behind_at_least is not None and (facts.months_behind or 0) < self.months_behind_at_least:
            return False
        upcoming = days_to_sale is not None and days_to_sale >= 0
        if self.sale_within_days is not None and not (
                days_to_sale is not None and 0 <= days_to_sale <= self.sale_within_days):
            return False
        return self.has_sale_date is None or upcoming is self.has_sale_date

    def why_not(self, facts: Facts, *, tier: str | None, days_to_sale: int | None) -> str | None:
        """None when the condition holds, else the first fact that fails, in words."""
        if self.tiers is not None and tier not in self.tiers:
            return f"tier is {tier} then (step is for {_words(self.tiers)})"
        if self.payment_status is not None and facts.payment_status not in self.payment_status:
            return f"payment status is {facts.payment_status or 'unknown'} (step is for {_words(self.payment_status)})"
        if self.hardship is not None and not (facts.hardships & self.hardship):
            return f"no hardship among {_words(self.hardship)}"
        if self.foreclosure_stage is not None and facts.foreclosure_stage not in self.foreclosure_stage:
            return f"foreclosure stage is {facts.foreclosure_stage} (step is for {_words(self.foreclosure_stage)})"
        if self.negative_equity is not None and facts.negative_equity is not self.negative_equity:
            known = "unknown" if facts.negative_equity is None else str(facts.negative_equity).lower()
            return f"negative equity is {known} (step asks {str(self.negative_equity).lower()})"
        if self.months_behind_at_least is not None and (facts.months_behind or 0) < self.months_behind_at_least:
            return f"{facts.months_behind or 0} months behind (step asks {self.months_behind_at_least}+)"
        upcoming = days_to_sale is not None and days_to_sale >= 0
        if self.sale_within_days is not None and not (
                days_to_sale is not None and 0 <= days_to_sale <= self.sale_within_days):
            return f"sale is not within {self.sale_within_days} days"
        if self.has_sale_date is not None and upcoming is not self.has_sale_date:
            return "no upcoming sale date" if self.has_sale_date else "has an upcoming sale date"
        return None

    @property
    def day_thresholds(self) -> frozenset[int]:
        """Days-to-sale values at which this condition can change its answer."""
        found = {0}  # the sale date itself: the day after, it has passed
        if self.sale_within_days is not None:
            found.add(self.sale_within_days)
        return frozenset(found)


def _words(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    description: str
    any_of: tuple[Condition, ...]
    default: bool = False
    # The business's cap: at most this many messages in any 7 days while the lead is in this tier.
    max_per_week: int | None = None


@dataclass(frozen=True, slots=True)
class UrgencyRules:
    """The tiers, most urgent first: a lead is in the first one that matches."""

    tiers: tuple[Tier, ...]
    # The days-to-sale values at which a lead's tier can change (0 included), worked out once.
    day_thresholds: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        found: set[int] = {0}
        for tier in self.tiers:
            for cond in tier.any_of:
                found |= cond.day_thresholds
        object.__setattr__(self, "day_thresholds", frozenset(found))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tiers)

    def tier(self, facts: Facts, days_to_sale: int | None) -> str:
        for tier in self.tiers:
            if tier.default:
                return tier.name
            for cond in tier.any_of:
                if cond.matches(facts, tier=None, days_to_sale=days_to_sale):
                    return tier.name
        return self.tiers[-1].name

    def tier_at(self, facts: Facts, at: datetime) -> str:
        return self.tier(facts, facts.days_to_sale(at))


class TierTimeline:
    """A lead's tier from `start` onwards: a step function that only moves at local midnights."""

    __slots__ = ("_starts", "_tiers")

    def __init__(self, facts: Facts, rules: UrgencyRules, start: datetime) -> None:
        self._starts: list[datetime] = [start]
        self._tiers: list[str] = [rules.tier_at(facts, start)]
        if facts.sale_date is None:
            return
        today = facts.local_date(start)
        # A tier can only change on the day days-to-sale crosses a threshold: sale - n, or the day after the sale.
        days = sorted({facts.sale_date - timedelta(days=n) for n in rules.day_thresholds} | {facts.sale_date + timedelta(days=1)})
        for day in days:
            if day <= today:
                continue
            tier = rules.tier(facts, (facts.sale_date - day).days)
            if tier != self._tiers[-1]:
                self._starts.append(local_midnight(day, facts.tz))
                self._tiers.append(tier)

    def at(self, moment: datetime) -> str:
        """The tier at `moment` (the first tier for any moment before the start)."""
        if len(self._tiers) == 1:
            return self._tiers[0]
        return self._tiers[max(0, bisect_right(self._starts, moment) - 1)]

    def changes(self) -> list[tuple[datetime, str]]:
        return list(zip(self._starts, self._tiers, strict=True))
