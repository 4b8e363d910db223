"""What `nurture doctor` checks: each check looks at one part of a deployment and says ok, warn or
fail, what it found, and what to do. `nurture serve` logs the checks that need no network at start-up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session

from nurture import db

from nurture.clock import now
from nurture.delivery import carrier, deliverability, pauses, throughput
from nurture.delivery.channels import CHANNEL_NAMES, ChannelError, get_channel
from nurture.delivery.email_auth import check_sender
from nurture.config import Settings, get_settings
from nurture.law import LawError, load_law
from nurture.law.report import law_warnings
from nurture.web.deps import is_loopback
from nurture.web.verification import (SENDGRID_MAX_SKEW_SECONDS, public_url_problem, sendgrid_disabled,
                                      twilio_disabled)

Status = Literal["ok", "warn", "fail"]

CONNECT_TIMEOUT_SECONDS = 5
"""How long doctor waits for PostgreSQL or Redis to accept a connection: a firewalled host hangs forever."""

PROVIDER = {"sms": "Twilio", "email": "SendGrid"}


@dataclass(frozen=True)
class Check:
    """One finding: `detail` says what was found and, when it is not ok, what to do."""

    name: str
    status: Status
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def run_checks() -> list[Check]:
    """Every check, in the order a person fixes things: settings, database, broker, providers, web."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        return [settings_failed(exc)]
    checks = [Check("settings", "ok", "the NURTURE_ settings parse")]
    database = database_check(settings)
    checks.append(database)
    checks.append(broker_check(settings))
    checks += [provider_check(name, settings) for name in CHANNEL_NAMES]
    checks += [carrier_check(settings), throughput_check(settings)]
    checks += email_auth_checks(settings)
    checks.append(paused_check(settings) if database.status == "ok"
                  else Check("paused channels", "warn", "not checked: the database is not ready"))
    checks += static_checks(settings)
    checks.append(law_check())
    return checks


def static_checks(settings: Settings, *, bind_host: str | None = None) -> list[Check]:
    """The checks of the settings alone (no network): webhooks, public URL, API key."""
    return [twilio_webhook_check(settings), sendgrid_webhook_check(settings), public_url_check(settings),
            api_key_check(settings, bind_host=bind_host)]


def law_check() -> Check:
    """The law files load; none was reviewed more than a year ago; no rule takes effect within 30 days unseen."""
    try:
        law = load_law()
    except LawError as exc:
        return Check("law", "fail", f"{exc}: fix the file (docs/law.md)")
    warnings = law_warnings(law, now().date())
    if warnings:
        return Check("law", "warn", "; ".join(warnings) + " (nurture law report)")
    return Check("law", "ok", f"{len(law.jurisdictions) + 1} jurisdictions, each reviewed within a year; "
                              "no rule takes effect within 30 days")


def settings_failed(exc: ValidationError) -> Check:
    problems = "; ".join(f"NURTURE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors())
    return Check("settings", "fail", f"the settings do not parse: {problems}")


def database_check(settings: Settings) -> Check:
    """Reachable and migrated to the newest revision this code knows."""
    url = settings.database_url
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return Check("database", "fail", "NURTURE_DATABASE_URL is not a database URL (e.g. sqlite:///nurture.db or "
                                         "postgresql+psycopg://user@host/db)")
    shown = db.redact(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
            # Connecting would create an empty file; doctor changes nothing.
            return Check("database", "warn", f"{shown} does not exist yet: `nurture db upgrade` (or the first "
                                             f"`nurture run`) creates and migrates it")
    elif parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)})
    engine = db.make_engine(parsed.render_as_string(hide_password=False))
    try:
        current = db.current_revision(engine)
    except sa.exc.SQLAlchemyError as exc:
        return Check("database", "fail", f"cannot reach {shown}: {_first_line(exc.orig or exc)}. "
                                         f"Check NURTURE_DATABASE_URL and that the server is up")
    finally:
        engine.dispose()
    head = db.head_revision()
    if current == head:
        return Check("database", "ok", f"{shown} is reachable and migrated to the newest revision ({head})")
    if current is None:
        return Check("database", "fail", f"{shown} has no nurture tables: run `nurture db upgrade`")
    if not _known_revision(current):
        return Check("database", "fail", f"{shown} is at revision {current}, which this version of nurture does not "
                                         f"know (a newer version migrated it): upgrade nurture")
    return Check("database", "fail", f"{shown} is at revision {current}, this version needs {head}: "
                                     f"run `nurture db upgrade`")


def broker_check(settings: Settings) -> Check:
    if settings.broker and settings.broker.startswith(("amqp://", "amqps://")):
        return _rabbitmq_check(settings.broker)
    if not settings.broker:
        return Check("broker", "ok", "embedded in-process broker (NURTURE_REDIS_URL unset): fine for `nurture run`; "
                                     "a separate `nurture scheduler` and `dramatiq workers` need Redis")
    import redis

    try:
        shown = db.redact(settings.broker)
        client = redis.Redis.from_url(settings.broker, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                      socket_timeout=CONNECT_TIMEOUT_SECONDS)
    except (ValueError, sa.exc.ArgumentError):
        return Check("broker", "fail", "NURTURE_REDIS_URL is not a Redis URL (e.g. redis://127.0.0.1:6379/0)")
    try:
        client.ping()
    except redis.RedisError as exc:
        return Check("broker", "fail", f"Redis at {shown} does not answer: {_first_line(exc)}. "
                                       f"Start it or fix NURTURE_REDIS_URL: nothing is sent without the broker")
    finally:
        client.close()
    return Check("broker", "ok", f"Redis at {shown} answers")


def _rabbitmq_check(url: str) -> Check:
    import pika

    shown = db.redact(url)
    try:
        params = pika.URLParameters(url)
        params.socket_timeout = params.blocked_connection_timeout = CONNECT_TIMEOUT_SECONDS
        pika.BlockingConnection(params).close()
    except Exception as exc:  # pika's errors share no base class worth naming
        return Check("broker", "fail", f"RabbitMQ at {shown} does not answer: {_first_line(exc)}. "
                                       f"Start it or fix NURTURE_BROKER_URL: nothing is sent without the broker")
    return Check("broker", "ok", f"RabbitMQ at {shown} answers (queued work survives its restart)")


def provider_check(name: str, settings: Settings) -> Check:
    """The provider's credentials, by the channel's own cheap authenticated call; the outbox when unset."""
    provider = PROVIDER[name]
    what = "texts" if name == "sms" else "emails"
    configured = settings.sms_configured if name == "sms" else settings.email_configured
    try:
        channel = get_channel(name, settings)
        channel.check()
    except ValueError as exc:  # a setting the channel cannot be built from
        return Check(provider, "fail", str(exc))
    except ChannelError as exc:
        if exc.auth:
            creds = ("NURTURE_TWILIO_ACCOUNT_SID and NURTURE_TWILIO_AUTH_TOKEN" if name == "sms"
                     else "NURTURE_SENDGRID_API_KEY")
            return Check(provider, "fail", f"{exc.reason}: fix {creds}")
        return Check(provider, "fail", exc.reason if configured else f"no {provider} credentials, and {exc.reason}")
    if configured:
        return Check(provider, "ok", f"{provider} accepts the credentials")
    half = name == "sms" and bool(settings.twilio_account_sid or settings.twilio_auth_token)
    if half:
        return Check(provider, "warn", f"only one of NURTURE_TWILIO_ACCOUNT_SID and NURTURE_TWILIO_AUTH_TOKEN is set: "
                                       f"{what} go to the outbox ({Path(settings.outbox_dir) / name})")
    return Check(provider, "ok", f"no {provider} credentials: {what} go to the outbox "
                                 f"({Path(settings.outbox_dir) / name}), not to leads")


def email_auth_checks(settings: Settings) -> list[Check]:
    """SPF, DKIM and DMARC of NURTURE_EMAIL_FROM's domain, a line each (nurture/delivery/email_auth.py says why
    each matters); one line when SendGrid is not configured or DNS does not answer."""
    if not settings.email_configured:
        return [Check("email authentication", "ok", "outbox: email not configured")]
    return [Check(f"email {found.record}" if found.record in ("SPF", "DKIM", "DMARC") else "email authentication",
                  found.status, found.detail) for found in check_sender(settings)]


def carrier_check(settings: Settings) -> Check:
    """May the sender text at all: the A2P 10DLC campaign of the Messaging Service, or the toll-free
    number's verification, read from Twilio (nurture/delivery/carrier.py). Changes nothing: the
    scheduler pauses SMS by the same reading."""
    found = carrier.readiness(settings)
    if found.state == "not_ready":
        return Check("carrier registration", "fail", found.detail)
    if found.state == "unknown" or (settings.sms_configured and not found.checked):
        return Check("carrier registration", "warn", found.detail)
    return Check("carrier registration", "ok", found.detail)


def throughput_check(settings: Settings) -> Check:
    """The declared trust tier, the SMS rate and the daily cap it sets (nurture/delivery/throughput.py)."""
    return Check("SMS throughput", "ok", throughput.describe(settings))


def paused_check(settings: Settings) -> Check:
    engine = db.make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            found = pauses.paused(session, settings)
            warnings = [f for f in deliverability.findings(session, settings, at=now()) if f.level == "warn"]
    finally:
        engine.dispose()
    if not found:
        if warnings:  # a rate past its warning line (spam reports at 0.1 %): not paused yet
            return Check("paused channels", "warn", "no channel is paused; " + "; ".join(w.reason for w in warnings))
        return Check("paused channels", "ok", "no channel is paused")
    said = "; ".join(pause.describe() for pause in found.values())
    # Each pause says what lifts it (the provider accepting the credentials, an approved carrier
    # registration, or a person's `nurture channels resume`).
    return Check("paused channels", "fail", f"{said}. Its messages stay planned: fix what the reason names")


def twilio_webhook_check(settings: Settings) -> Check:
    disabled = twilio_disabled(settings)
    if disabled is None:
        return Check("Twilio webhooks", "ok", "requests are verified with X-Twilio-Signature and the auth token")
    return Check("Twilio webhooks", "warn" if settings.twilio_account_sid else "ok",
                 f"{disabled}; /webhooks/twilio/* answer 503")


def sendgrid_webhook_check(settings: Settings) -> Check:
    disabled = sendgrid_disabled(settings)
    if disabled is None:
        return Check("SendGrid webhook", "ok", f"signed events are verified with the public key, and refused when "
                                               f"stamped more than {SENDGRID_MAX_SKEW_SECONDS} s from now")
    # With SendGrid sending, its bounces and unsubscribes would be lost: a failure, not a note.
    status: Status = "fail" if settings.email_configured or settings.sendgrid_webhook_public_key else "ok"
    return Check("SendGrid webhook", status, f"{disabled}; /webhooks/sendgrid/events answers 503")


def public_url_check(settings: Settings) -> Check:
    problem = public_url_problem(settings)
    if problem:
        return Check("public URL", "fail", problem)
    url = settings.public_url
    if not settings.providers_configured:
        return Check("public URL", "ok", f"{url} (no provider credentials: nothing calls back yet)")
    if urlsplit(url).scheme != "https":
        return Check("public URL", "warn", f"{url} is not https: Twilio's callbacks and leads' unsubscribe clicks "
                                           f"travel unencrypted; put TLS in front and set an https:// URL")
    return Check("public URL", "ok", f"{url}")


def api_key_check(settings: Settings, *, bind_host: str | None = None) -> Check:
    if settings.api_key:
        return Check("API key", "ok", "NURTURE_API_KEY is set: /api and /ops need it")
    if bind_host is not None and not is_loopback(bind_host):
        return Check("API key", "fail", f"NURTURE_API_KEY is not set and the server listens on {bind_host}: "
                                        f"/api and /ops refuse every request (403) until it is set")
    if bind_host is not None:
        return Check("API key", "ok", f"NURTURE_API_KEY is not set: /api and /ops answer only requests made on this "
                                      f"machine (the server listens on {bind_host}); a proxy in front needs the key")
    return Check("API key", "warn", "NURTURE_API_KEY is not set: /api and /ops answer only requests made on this "
                                    "machine to a server bound to a loopback address (doctor cannot know the address "
                                    "the server binds). Set it before serving beyond loopback or behind a proxy")


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_revision(revision) is not None
    except CommandError:
        return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
