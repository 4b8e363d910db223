"""What a template sees: a read-only view of the lead with its money and dates formatted, and links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nurture import localtime
from nurture.geo import DEFAULT_TIMEZONE
from nurture.config import Settings
from nurture.models import Lead
from nurture.content.languages import DEFAULT_LANGUAGE, words
from nurture.content.tokens import short_link_url, unsubscribe_url

#: The next-step pages on the business site, by the name templates use (`links.start`, ...).
PAGES = {"start": "/start-short-sale", "how": "/how-we-help", "who": "/who-we-serve"}
#: Each page's one-letter code in a short link's token (`/r/4821s.<tag>`: start).
PAGE_CODES = {"s": "start", "h": "how", "w": "who"}
assert set(PAGE_CODES.values()) == set(PAGES), "every page needs a one-letter code for its short links"

# Unsaved leads (previews, samples) get links and tokens for this id, which matches no lead; and a
# message not yet sent (a preview) gets links for this message id, which matches no message.
PREVIEW_LEAD_ID = 0
PREVIEW_MESSAGE_ID = 0

#: What a template sees that comes from the lead's sale date: the lead's fields and the names of
#: its own. An imported lead's sale date may be an estimate (the earliest day the state's procedure
#: allows after a recorded notice), so a template showing any of these must also ask
#: ESTIMATE_NAME and say, for an estimate, when the sale could be at the earliest (templates lint).
SALE_DATE_FIELDS = ("sale_date", "has_sale_date")
SALE_DATE_NAMES = ("days_to_sale",)
#: True when the sale date is an estimate, not a date the trustee or court has set.
ESTIMATE_NAME = "sale_date_is_estimate"


def money(value: Decimal | int | float | None) -> str:
    """$425,000 for whole dollars, $1,234.50 otherwise; "" when unknown."""
    if value is None:
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}${int(amount):,}"
    return f"{sign}${amount:,.2f}"


@dataclass(frozen=True)
class LeadView:
    """The lead as templates see it: plain values only, nothing that reaches the database."""

    first_name: str
    last_name: str
    full_name: str
    street: str | None
    city: str | None
    state: str | None
    zip: str | None
    payment_status: str | None
    months_behind: int | None
    is_behind: bool
    hardships: tuple[str, ...]
    foreclosure_stage: str
    mortgage_balance: str | None
    estimated_value: str | None
    equity_gap: str | None
    numbers_known: bool
    underwater: bool
    sale_date: str | None
    has_sale_date: bool
    # The lead came from a bought list: it never asked us, so no message may thank it for asking,
    # and every email says it is an advertisement (CAN-SPAM, 15 U.S.C. § 7704(a)(5)(A)(i)).
    from_list: bool = False


@dataclass(frozen=True)
class Company:
    name: str
    address: str
    site: str
    # The number to call a person here, as the business writes it; "" when none is set.
    phone: str = ""


@dataclass(frozen=True)
class Links:
    start: str
    how: str
    who: str


LIST_SOURCE = "list"
"""The `source` of a lead a bought list brought (its lists are its records)."""


def lead_zone(lead: Lead) -> ZoneInfo:
    if not lead.timezone:
        # Nothing says where the lead lives: no text is planned, but an answer to the lead's own
        # text (HELP) still needs a "today"; the default zone is only shown, never a rule.
        return ZoneInfo(DEFAULT_TIMEZONE)
    try:
        return ZoneInfo(lead.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"the lead's time zone {lead.timezone!r} is not a known IANA zone") from exc


def local_today(lead: Lead, now: datetime) -> date:
    """Today's date where the lead lives."""
    return now.astimezone(lead_zone(lead)).date()


def days_to_sale(lead: Lead, now: datetime) -> int | None:
    """Whole days from today (in the lead's zone) to the foreclosure sale date; None without one."""
    return localtime.days_to_sale(lead.sale_date, now, lead_zone(lead))


def sale_date_is_estimate(lead: Lead) -> bool:
    """True when the lead's sale date is an estimate (the earliest the sale could be), not a set date."""
    return lead.sale_date is not None and bool(lead.sale_date_estimated)


def lead_view(lead: Lead, today: date, language: str = DEFAULT_LANGUAGE, *, weekday: bool = True) -> LeadView:
    """The lead as a template in `language` sees it (dates and hardships in that language's words;
    without `weekday`, dates that need no day name where the language allows it)."""
    said = words(language)
    gap = lead.equity_gap
    balance, value = lead.mortgage_balance, lead.estimated_value
    status = lead.payment_status
    return LeadView(
        first_name=lead.first_name,
        last_name=lead.last_name or "",
        full_name=lead.full_name,
        street=lead.street,
        city=lead.city,
        state=lead.state,
        zip=lead.zip,
        payment_status=str(status) if status else None,
        months_behind=lead.months_behind,
        is_behind=status == "behind" or bool(lead.months_behind),
        hardships=tuple(said.hardship(h) for h in (lead.hardships or [])),
        foreclosure_stage=str(lead.foreclosure_stage or "none"),
        mortgage_balance=money(balance) if balance is not None else None,
        estimated_value=money(value) if value is not None else None,
        equity_gap=money(gap) if gap is not None else None,
        numbers_known=gap is not None,
        underwater=bool(gap),
        sale_date=said.long_date(lead.sale_date, today, weekday=weekday) or None,
        has_sale_date=lead.sale_date is not None,
        from_list=lead.source == LIST_SOURCE,
    )


def tracked_links(settings: Settings, secret: str, message_id: int) -> Links:
    """The next-step links as short signed redirects (`/r/{token}` on the public URL): the redirect
    counts the click for the message's template and variant, then sends the lead on to the page
    with the utm parameters and the lead token (about 60 characters instead of 140 in a text)."""
    return Links(**{page: short_link_url(settings, secret, message_id, code) for code, page in PAGE_CODES.items()})


def build_context(
    lead: Lead,
    *,
    channel: str,
    theme: str,
    now: datetime,
    settings: Settings,
    secret: str,
    tier: str | None,
    unsubscribe: str | None,
    message_id: int | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, object]:
    """Every variable a template may use (templates/README.md lists them for marketers), in the
    words of `language` (the template's: a Spanish file sees Spanish dates)."""
    today = local_today(lead, now)
    lead_id = lead.id if lead.id is not None else PREVIEW_LEAD_ID
    # A Spanish text names no weekday: sábado and miércoles are spelt with letters outside GSM-7.
    weekday = not (channel == "sms" and language == "es")
    context: dict[str, object] = {
        "lead": lead_view(lead, today, language, weekday=weekday),
        "days_to_sale": days_to_sale(lead, now),
        ESTIMATE_NAME: sale_date_is_estimate(lead),
        "today": words(language).long_date(today, today, weekday=weekday),
        "language": language,
        "tier": tier,
        "channel": channel,
        "theme": theme,
        "links": tracked_links(settings, secret, PREVIEW_MESSAGE_ID if message_id is None else message_id),
        "company": Company(
            name=settings.company_name, address=settings.company_address, site=settings.site_url,
            phone=settings.company_phone,
        ),
    }
    if channel == "email":
        context["unsubscribe_url"] = unsubscribe or unsubscribe_url(settings, secret, lead_id, "email")
    return context
