"""Settings from the environment (prefix NURTURE_) and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
"""NURTURE_PUBLIC_URL's default: right for a developer's machine, wrong for any real provider."""


def host_patterns(value: str) -> list[str]:
    """NURTURE_ALLOWED_HOSTS as a list: lower-cased, and an IPv6 address in brackets, as a Host header writes it."""
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    return [f"[{name}]" if ":" in name and not name.startswith("[") else name for name in names]


class Settings(BaseSettings):
    """Every knob of nurture; the public ones are the README's settings table."""

    model_config = SettingsConfigDict(
        env_prefix="NURTURE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///nurture.db"
    redis_url: str | None = None
    # The broker workers read: redis://... or amqp://... (dramatiq's RabbitMQ broker, which keeps
    # queued work across a restart). Unset: NURTURE_REDIS_URL, else the embedded broker.
    broker_url: str | None = None

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    # True when the Messaging Service has Twilio's Advanced Opt-Out on: Twilio then answers the
    # STOP/START/HELP keywords itself (and says so with OptOutType), so nurture sends no answer of
    # its own to those; a revocation in other words still gets nurture's one confirmation.
    twilio_advanced_opt_out: bool = False

    sendgrid_api_key: str | None = None
    sendgrid_host: str = "https://api.sendgrid.com"
    sendgrid_webhook_public_key: str | None = None

    email_from: str = "Short Sale Help <help@example.com>"
    # The DNS server (IP:port) `nurture doctor` asks for the sender domain's SPF, DKIM and DMARC
    # records; unset: the system's resolver.
    dns_server: str | None = None
    # Where leads' email replies go (a SendGrid Inbound Parse address). Emails then carry
    # Reply-To: <local>+<token>@<domain>, and a reply is matched to its lead by the token.
    reply_to: str | None = None
    company_name: str = "Short Sale Help"
    company_address: str = "100 Main Street, Suite 200, Miami, FL 33101"
    # The number a lead can call to talk to a person (templates: {{ company.phone }}); empty: texts
    # and emails offer a call back instead ("reply with a good time").
    company_phone: str = ""
    # Regulation O (12 CFR part 1015; nurture/law/regulation_o.yaml, docs/law.md): `provider`, a
    # company negotiating short sales with lenders for a fee (1015.2): every email carries the
    # disclosures (1015.4) and every text a short form linking to /notice; `licensed_agent`, a real
    # estate licensee paid at closing (the FTC's forbearance of July 15, 2011); `attorney`, exempt
    # under 1015.7. Banned claims (1015.3) fail `templates lint` under every status; only the
    # other two may mark a phrase as reviewed.
    mars_status: Literal["provider", "licensed_agent", "attorney"] = "provider"
    # What the consumer would pay, as the disclosure of 1015.4(b)(1) reads it: "If you accept the
    # offer, you will have to pay us <these words> for our services" (an amount or how it is worked out).
    mars_fee: str = Field(default="the fee written in your agreement with us", min_length=3, max_length=200)
    # The same words for the Spanish disclosure ("Si acepta la oferta, tendrá que pagarnos <these
    # words> por nuestros servicios"), for leads who read Spanish (issue 25).
    mars_fee_es: str = Field(default="la tarifa escrita en su acuerdo con nosotros", min_length=3, max_length=200)

    public_url: str = DEFAULT_PUBLIC_URL
    site_url: str = "https://www.example.com"
    secret_key: str | None = None
    api_key: str | None = None
    # Host names the server answers, comma-separated (Starlette's TrustedHostMiddleware patterns:
    # `name`, `*.domain` or `*`). Unset: the loopback names without an API key, the public URL's host with one.
    allowed_hosts: str | None = None

    templates_dir: Path = Path("templates")
    schedules_dir: Path = Path("schedules")
    outbox_dir: Path = Path("outbox")
    # The business's own import profiles (docs/profiles.md), beside the shipped ones; unset: none.
    profiles_dir: Path | None = None

    # Email follows the SMS quiet-hours window unless a marketer turns it off.
    email_quiet_hours: bool = True
    # Lint fails an SMS template above this many segments (warns above 2).
    sms_max_segments: int = Field(default=3, ge=1, le=10)
    # Messages per second each provider account accepts.
    twilio_rate_per_second: int = Field(default=10, ge=1)
    # The A2P 10DLC brand's trust tier (nurture/delivery/throughput.py, with the carriers' figures):
    # sets the SMS rate (NURTURE_TWILIO_RATE_PER_SECOND wins when set) and T-Mobile's daily cap per
    # brand, which the scheduler honours (texts past it wait for the next day in Pacific time).
    twilio_throughput_tier: Literal["low_volume", "low", "low_mid", "high_mid", "top"] | None = None
    sendgrid_rate_per_second: int = Field(default=50, ge=1)
    # Seconds to wait for Twilio or SendGrid before the send counts as "maybe sent".
    provider_timeout_seconds: float = Field(default=10.0, gt=0)
    # A "maybe sent" text is left alone this long, then Twilio is asked whether it has it (asking at
    # once, while Twilio may still be creating it, finds nothing and sends twice).
    twilio_settle_seconds: float = Field(default=120.0, ge=0)
    # A "maybe sent" email waits this long for SendGrid's events to settle it, then goes to review.
    sendgrid_settle_seconds: float = Field(default=900.0, ge=0)
    # How often the scheduler looks for due messages, and how many it claims at once.
    tick_seconds: float = Field(default=2.0, gt=0)
    # How often sends left without an answer are settled with the provider (and paused channels probed).
    reconcile_seconds: float = Field(default=60.0, ge=1)
    claim_batch: int = Field(default=1000, ge=1)
    # Backpressure: the scheduler stops queueing while this many messages wait for a worker, so a
    # backlog stays in `planned` instead of outliving its leases in the broker.
    max_queued: int = Field(default=10_000, ge=1)
    # A queued message not picked up by a worker within this lease is enqueued again.
    lease_seconds: int = Field(default=300, ge=5)
    # strict: every state restriction applies, even where the statute exempts consented leads
    # (consent is what gets disputed); statute: the statutes' consent exemptions apply.
    state_rules: Literal["strict", "statute"] = "strict"
    # A bought list may flag a number as a known TCPA litigator's: never texted unless this is on
    # (the number is then treated like any other mobile number; DNC-flagged numbers never are).
    text_litigators: bool = False
    # The business's own zone: where "today" and "the last 7 days" begin on the console and in
    # the CLI, and the zone times are shown in when no lead's own zone applies.
    business_tz: str = "America/New_York"
    # Days the business sends no marketing message (the planner moves messages off them; STOP/HELP
    # answers still go): holiday names of nurture/law/holidays.py, dates (2027-07-05) or yearly
    # dates (12-31), comma-separated; empty: none. docs/schedules.md, "Cadence".
    business_holidays: str = "thanksgiving,christmas,new_years_day"
    # Deliverability (nurture/delivery/deliverability.py): rates of the messages sent in the last
    # 24 hours and 7 days. Email pauses (until a person runs `nurture channels resume email`) when
    # spam reports reach the pause rate (Gmail: never at 0.3%; /ops and doctor warn from 0.1%) or
    # hard bounces pass theirs; SMS pauses on the first 30034/30032 and when carrier filtering
    # (30007) passes its rate. Rates are judged once a window holds this many messages sent.
    email_spam_pause_rate: float = Field(default=0.003, gt=0, le=1)
    email_spam_warn_rate: float = Field(default=0.001, gt=0, le=1)
    email_bounce_pause_rate: float = Field(default=0.05, gt=0, le=1)
    sms_filtered_pause_rate: float = Field(default=0.02, gt=0, le=1)
    deliverability_min_sent: int = Field(default=500, ge=1)

    @field_validator("business_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """An IANA zone name, checked at start-up rather than on the first page view."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone like America/New_York") from None
        return value

    @field_validator("twilio_throughput_tier", mode="before")
    @classmethod
    def _no_tier_when_empty(cls, value: object) -> object:
        """An empty NURTURE_TWILIO_THROUGHPUT_TIER declares none; names are matched lower-case."""
        if isinstance(value, str):
            return value.strip().lower().replace("-", "_") or None
        return value

    @field_validator("profiles_dir", mode="before")
    @classmethod
    def _no_profiles_dir_when_empty(cls, value: object) -> object:
        """An empty NURTURE_PROFILES_DIR is none, not the current folder (whose .yaml files are not profiles)."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("broker_url")
    @classmethod
    def _broker_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
            raise ValueError("NURTURE_BROKER_URL is redis://... or amqp://... (RabbitMQ)")
        return value or None

    @field_validator("templates_dir", "schedules_dir")
    @classmethod
    def _shipped_when_absent(cls, value: Path) -> Path:
        """`./templates` and `./schedules` when they exist, else the set shipped beside the package."""
        if not value.is_absolute() and not value.exists() and value.name == str(value):
            shipped = PROJECT_ROOT / value.name
            if shipped.is_dir():
                return shipped
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _host_patterns(cls, value: str | None) -> str | None:
        """Patterns TrustedHostMiddleware accepts, checked at start-up (it asserts on the first request)."""
        if value is None or not value.strip():
            return None
        for pattern in host_patterns(value):
            if "*" in pattern[1:] or (pattern.startswith("*") and pattern != "*" and not pattern.startswith("*.")):
                raise ValueError(f"NURTURE_ALLOWED_HOSTS: {pattern!r} is not a host name, '*.domain' or '*'")
        return value

    @field_validator("reply_to")
    @classmethod
    def _reply_to_address(cls, value: str | None) -> str | None:
        """A bare address whose local part can carry "+token" (checked at start-up, not at the first email)."""
        if not value or not value.strip():
            return None
        value = value.strip()
        local, at, domain = value.rpartition("@")
        if not at or not local or "." not in domain or any(c in value for c in " <>\"+") or len(local) > 20:
            raise ValueError("NURTURE_REPLY_TO must be a plain address like replies@parse.example.com, without "
                             "'+' and with a local part of at most 20 characters (a reply token is added to it)")
        return value.lower()

    @property
    def broker(self) -> str | None:
        """The broker's URL (NURTURE_BROKER_URL, else NURTURE_REDIS_URL); None: the embedded broker."""
        return self.broker_url or self.redis_url

    @property
    def shared_redis(self) -> str | None:
        """A Redis all processes share (the provider rate limits live there): NURTURE_REDIS_URL, else a
        redis:// broker URL; None: each process keeps its own count."""
        if self.redis_url:
            return self.redis_url
        return self.broker_url if self.broker_url and self.broker_url.startswith(("redis://", "rediss://")) else None

    @property
    def sms_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def email_configured(self) -> bool:
        return bool(self.sendgrid_api_key)

    @property
    def providers_configured(self) -> bool:
        """Twilio or SendGrid credentials are set: real messages leave, real callbacks come back."""
        return self.sms_configured or self.email_configured


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
