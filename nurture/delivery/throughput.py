"""SMS throughput by declared trust tier: the rate limit and T-Mobile's daily cap per brand.

US carriers decide how fast, and how much, a registered A2P 10DLC brand may text, by the trust
(vetting) score The Campaign Registry gave the brand. The operator declares the tier
(NURTURE_TWILIO_THROUGHPUT_TIER) instead of guessing a rate: it sets the default rate limit
(NURTURE_TWILIO_RATE_PER_SECOND still wins when set) and the daily cap the scheduler honours
(texts past it stay planned until the next day in Pacific time, when T-Mobile's count starts over).

Sources of the table below:

- rate: Twilio, "Message throughput (MPS) and Trust Scores for A2P 10DLC in the US"
  (support.twilio.com), Standard brands: trust score 75-100 -> 225 segments/s toward the major US
  networks (75 each to AT&T, T-Mobile, Verizon), 50-74 -> 120 (40 each), 1-49 -> 12 (4 each);
  low-volume standard brands 3.75 in all (1.25 each; 3 here: the rate limit counts whole messages).
- daily cap: Twilio, "T-Mobile daily message limits for long code messaging with A2P 10DLC"
  (support.twilio.com), and TCR's T-Mobile brand tiers as carrier partners publish them (e.g.
  Clickatell's 10DLC throughput FAQ): Top 75-100 -> 200,000 SMS segments and MMS a day toward
  T-Mobile (Sprint, Metro included); High Mid 50-74 -> 40,000; Low Mid 25-49 -> 10,000; Low 1-24
  -> 2,000; low-volume brands 2,000. The cap is the brand's, shared by all its campaigns and
  platforms; Russell 3000 companies get 200,000 (declare `top`).

nurture counts every text it sent since Pacific midnight (it does not know which carrier a number
is on, so it errs on the side of waiting), one per text rather than per segment: keep texts to
one segment (`templates lint` warns above one) or declare a lower tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from nurture.delivery.lifecycle import S
from nurture.models import Message


@dataclass(frozen=True)
class Tier:
    name: str
    trust_score: str
    rate_per_second: int
    daily_cap: int


#: NURTURE_TWILIO_THROUGHPUT_TIER's values (the names nurture/config.py accepts), lowest first.
TIERS: dict[str, Tier] = {t.name: t for t in (
    Tier("low_volume", "none (low-volume standard brand, no secondary vetting)", 3, 2_000),
    Tier("low", "1-24", 12, 2_000),
    Tier("low_mid", "25-49", 12, 10_000),
    Tier("high_mid", "50-74", 120, 40_000),
    Tier("top", "75-100", 225, 200_000),
)}

#: T-Mobile counts its daily cap per calendar day in Pacific time.
PACIFIC = ZoneInfo("America/Los_Angeles")
#: Texts that left or are on their way: what counts against today's cap.
_IN_FLIGHT = (str(S.queued), str(S.sending))


def tier_of(settings: Any) -> Tier | None:
    """The declared tier; None: none declared (the rate is NURTURE_TWILIO_RATE_PER_SECOND's, no cap)."""
    name = getattr(settings, "twilio_throughput_tier", None)
    return TIERS[name] if name else None


def sms_rate(settings: Any) -> int:
    """Texts per second: NURTURE_TWILIO_RATE_PER_SECOND when set, else the tier's, else its default."""
    tier = tier_of(settings)
    if tier is None or "twilio_rate_per_second" in settings.model_fields_set:
        return int(settings.twilio_rate_per_second)
    return tier.rate_per_second


def daily_cap(settings: Any) -> int | None:
    """Texts a Pacific day may carry (None: no cap declared)."""
    tier = tier_of(settings)
    return tier.daily_cap if tier is not None else None


def pacific_day(now: datetime) -> tuple[datetime, datetime]:
    """The UTC instants at which the Pacific day holding `now` begins and the next one begins."""
    local = now.astimezone(PACIFIC)
    start = datetime(local.year, local.month, local.day, tzinfo=PACIFIC)
    following = start.date() + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=PACIFIC)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def texts_today_where(now: datetime) -> tuple[Any, ...]:
    """The texts that count against the cap of `now`'s Pacific day: sent since its midnight, or
    claimed but not yet sent (queued, sending)."""
    start, _ = pacific_day(now)
    return (col(Message.channel) == "sms", or_(col(Message.sent_at) >= start, col(Message.state).in_(_IN_FLIGHT)))


def texts_today(session: Session, now: datetime) -> int:
    """How many texts count against today's cap: two index range reads (the partial index on
    sent_at, the one on state), at every tick while a tier is declared."""
    return session.scalar(select(func.count()).select_from(Message).where(*texts_today_where(now))) or 0


def room_today(session: Session, settings: Any, now: datetime) -> int | None:
    """How many more texts today's cap lets the scheduler claim (None: no cap)."""
    cap = daily_cap(settings)
    if cap is None:
        return None
    return max(0, cap - texts_today(session, now))


def describe(settings: Any) -> str:
    """The tier, rate and cap in words (doctor)."""
    tier = tier_of(settings)
    rate = sms_rate(settings)
    if tier is None:
        return (f"no throughput tier declared: {rate} texts/s (NURTURE_TWILIO_RATE_PER_SECOND), no daily cap; "
                f"declare the brand's tier with NURTURE_TWILIO_THROUGHPUT_TIER ({', '.join(TIERS)})")
    explicit = " (NURTURE_TWILIO_RATE_PER_SECOND)" if "twilio_rate_per_second" in settings.model_fields_set else ""
    return (f"tier {tier.name} (trust score {tier.trust_score}): {rate} texts/s{explicit}, at most "
            f"{tier.daily_cap:,} texts a Pacific day (T-Mobile's cap per brand); texts past it wait for "
            f"the next day")
