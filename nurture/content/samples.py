"""Built-in sample leads: what lint renders every template against and what preview shows.

Three carry names outside the GSM-7 alphabet (María, Ramón, Nguyễn: í, ó and ễ have no GSM-7
form, and neither sms.normalize_sms nor Twilio's Smart Encoding list replaces a letter), so lint
counts a text's segments as such a lead receives it: UCS-2, 70 characters a segment (67 each when
split) instead of 160. Lint renders them with LONGEST_PUBLIC_URL too, so links are as long as a
deployment's get.

A sample's tier is never a label: it is what the urgency rules (schedules/urgency.yaml) give the
sample's facts at the moment of rendering, exactly as the dispatcher does for a real lead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from nurture.clock import now as clock_now
from nurture.models import Lead
from nurture.plans.urgency import Facts, UrgencyRules
from nurture.plans.sequences import URGENCY_FILE, SequenceError, load_urgency

#: The samples, by name; the first four are named for the tier the shipped rules put them in.
SAMPLE_NAMES = ("critical", "urgent", "active", "early", "no_gap", "unknown_numbers", "sale_tomorrow",
                "sale_passed", "sale_estimated")
#: The public URL lint checks the SMS budget with (a sample setting, not a lead's): links render as
#: <public URL>/r/<token> and Regulation O's short form ends with <public URL>/notice, so a text is
#: as long as the deployment's address makes it, twice over when it carries a link. NURTURE_PUBLIC_URL
#: has no length limit of its own, so this is the longest default https address of a common host for
#: a small web service: Heroku's https://<app name>-<12 hex>.herokuapp.com, app names up to 30
#: characters: 65 in all (a custom domain like https://nurture.yourdomain, as the README sets it, is
#: about 30; a URL of 44 or more makes several shipped texts 3 segments, see templates/README.md). A
#: deployment whose own URL is longer is checked with its own (longest_public_url).
LONGEST_PUBLIC_URL = "https://short-sale-help-nurture-prod01-4f2a9c0e7b1d.herokuapp.com"
#: How long before today the estimated sample's notice of default was recorded: with California's
#: three months and twenty days, its earliest sale falls three to four weeks ahead (tier urgent).
ESTIMATE_NOTICE_DAYS_AGO = 87


def longest_public_url(public_url: str) -> str:
    """The public URL lint checks texts with: the deployment's own or LONGEST_PUBLIC_URL, the longer."""
    own = public_url.rstrip("/")
    return own if len(own) > len(LONGEST_PUBLIC_URL) else LONGEST_PUBLIC_URL


def urgency_rules(schedules_dir: Path) -> UrgencyRules | None:
    """The urgency rules of `schedules_dir`, or None when they cannot be read (schedule lint says why)."""

    try:
        return load_urgency(Path(schedules_dir) / URGENCY_FILE)
    except SequenceError:
        return None


def sample_tiers(samples: dict[str, Lead], rules: UrgencyRules | None, now: datetime) -> dict[str, str | None]:
    """Each sample's tier at `now` by the urgency rules (None for all when there are no rules)."""
    if rules is None:
        return dict.fromkeys(samples)
    return {key: rules.tier_at(Facts.from_lead(lead), now) for key, lead in samples.items()}


def _today(zone: str, at: datetime) -> date:
    return at.astimezone(ZoneInfo(zone)).date()


def sample_leads(now: datetime | None = None) -> dict[str, Lead]:
    """Unsaved leads covering every tier, with and without a sale date, gap, or known numbers."""
    at = now or clock_now()

    def sale_in(zone: str, n: int) -> date:
        return _today(zone, at) + timedelta(days=n)

    ny, la, chicago, phoenix, denver = (
        "America/New_York",
        "America/Los_Angeles",
        "America/Chicago",
        "America/Phoenix",
        "America/Denver",
    )
    notice = _today(la, at) - timedelta(days=ESTIMATE_NOTICE_DAYS_AGO)
    earliest = notice + relativedelta(months=3) + timedelta(days=20)
    return {
        "critical": Lead(
            first_name="María", last_name="López", email="maria@example.com", phone="+13055550142",
            street="12 Palm Ave", city="Miami", state="FL", zip="33101", timezone=ny,
            mortgage_balance_cents=425_000_00, estimated_value_cents=375_000_00,
            payment_status="behind", months_behind=5, hardships=["job_loss"],
            foreclosure_stage="sale_scheduled", sale_date=sale_in(ny, 5),
        ),
        "urgent": Lead(
            first_name="Ramón", last_name="Carter", email="ramon@example.com", phone="+14045550118",
            street="88 Peachtree Ln", city="Atlanta", state="GA", zip="30303", timezone=ny,
            mortgage_balance_cents=310_000_00, estimated_value_cents=284_500_00,
            payment_status="behind", months_behind=3, hardships=["medical", "divorce"],
            foreclosure_stage="sale_scheduled", sale_date=sale_in(ny, 20),
        ),
        "active": Lead(
            first_name="Nguyễn", last_name="Linh", email="linh@example.com", phone="+19165550190",
            street="4 Oak Ct", city="Sacramento", state="CA", zip="95814", timezone=la,
            mortgage_balance_cents=520_000_00, estimated_value_cents=470_000_00,
            payment_status="behind", months_behind=2, hardships=["adjustable_rate_increase"],
            foreclosure_stage="notice_of_default",
        ),
        "early": Lead(
            first_name="Robert", last_name="Miller", email="robert@example.com", phone="+16025550133",
            street="301 Mesa Dr", city="Phoenix", state="AZ", zip="85004", timezone=phoenix,
            mortgage_balance_cents=262_000_00, estimated_value_cents=240_000_00,
            payment_status="current", hardships=["rental_loss"],
        ),
        "no_gap": Lead(
            first_name="Susan", last_name="Park", email="susan@example.com", phone="+13035550177",
            city="Denver", state="CO", timezone=denver,
            mortgage_balance_cents=200_000_00, estimated_value_cents=240_000_00,
            payment_status="about_to_fall_behind", hardships=["divorce"],
        ),
        "unknown_numbers": Lead(
            first_name="Dee", email="dee@example.com", phone="+13125550101", timezone=chicago,
        ),
        "sale_tomorrow": Lead(
            first_name="Carlos", last_name="Reyes", phone="+17135550164", email="carlos@example.com",
            city="Houston", state="TX", timezone=chicago,
            mortgage_balance_cents=198_000_00, estimated_value_cents=180_000_00,
            payment_status="behind", months_behind=7, hardships=["job_loss", "medical"],
            foreclosure_stage="sale_scheduled", sale_date=sale_in(chicago, 1),
        ),
        "sale_passed": Lead(
            first_name="Angela", last_name="Brooks", phone="+12155550150", email="angela@example.com",
            city="Philadelphia", state="PA", timezone=ny,
            mortgage_balance_cents=150_000_00, estimated_value_cents=120_000_00,
            payment_status="behind", months_behind=9,
            foreclosure_stage="sale_scheduled", sale_date=sale_in(ny, -3),
        ),
        # Bought on a pre-foreclosure list without an auction date: the sale date is an estimate.
        "sale_estimated": Lead(
            first_name="Kevin", last_name="Tran", phone="+19515550112", email="kevin@example.com",
            street="77 Vine St", city="Riverside", state="CA", zip="92501", timezone=la,
            mortgage_balance_cents=480_000_00, estimated_value_cents=455_000_00,
            payment_status="behind", months_behind=4, hardships=["job_loss"],
            foreclosure_stage="notice_of_default", sale_date=earliest, sale_date_estimated=True,
            sale_date_reason=(f"earliest sale {earliest}: notice of default recorded {notice} + 3 months "
                              "(Cal. Civ. Code § 2924(a)(3)) + 20 days (§ 2924f(b)(1))"),
        ),
    }
