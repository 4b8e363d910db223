"""`nurture doctor`: one line per check with ok/warn/fail and what to do; exit 1 when any check fails.

Run against the provider simulator (good and refused credentials), a database one migration behind,
a Redis on a closed port, the machine's Redis, and settings that do not parse.
"""

import json
import socket
from datetime import UTC, datetime

import pytest
from alembic import command
from typer.testing import CliRunner

from nurture import db

from nurture.delivery import pauses
from nurture.cli import app
from nurture.clock import clock
from nurture.config import get_settings
from nurture.db import session_scope
from web_helpers import SENDGRID_PUBLIC_KEY
from dns_helpers import dns_server, sendgrid_domain

runner = CliRunner()


def doctor(*args: str):
    return runner.invoke(app, ["doctor", *args])


def checks() -> tuple[int, dict[str, tuple[str, str]]]:
    """Exit code, and each check's (status, detail) by name, from --json."""
    r = doctor("--json")
    body = json.loads(r.stdout)
    assert body["ok"] is (r.exit_code == 0)
    return r.exit_code, {c["name"]: (c["status"], c["detail"]) for c in body["checks"]}


def setenv(monkeypatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"NURTURE_{name.upper()}", value)
    get_settings.cache_clear()


SERVICE = "MG" + "7" * 32


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def production(sqlite_url, providers, monkeypatch):
    """Everything a production deployment sets, pointed at the simulator (and the sender domain's SPF, DKIM and
    DMARC records at a DNS server on 127.0.0.1): texts through a Messaging Service whose A2P campaign the
    simulator has VERIFIED, the brand's trust tier declared."""
    with dns_server(sendgrid_domain("shortsalehelp.example")) as dns:
        setenv(monkeypatch, api_key="k3y", dns_server=dns, twilio_messaging_service_sid=SERVICE,
               twilio_throughput_tier="high_mid")
        yield providers


def test_a_healthy_deployment_passes_every_check(production):
    # The credential checks really reach the simulator: the next test makes it refuse them. On
    # 2027-03-01 every law file was reviewed within a year and no rule takes effect within 30 days.
    clock.freeze(datetime(2027, 3, 1, 15, tzinfo=UTC))
    try:
        code, found = checks()
    finally:
        clock.reset()
    assert code == 0, found
    assert {name: status for name, (status, _) in found.items()} == {
        "settings": "ok", "database": "ok", "broker": "ok", "Twilio": "ok", "SendGrid": "ok",
        "email SPF": "ok", "email DKIM": "ok", "email DMARC": "ok",
        "carrier registration": "ok", "SMS throughput": "ok", "paused channels": "ok", "Twilio webhooks": "ok", "SendGrid webhook": "ok", "public URL": "ok",
        "API key": "ok", "law": "ok"}
    assert found["Twilio"][1] == "Twilio accepts the credentials"
    assert found["carrier registration"][1] == f"the A2P 10DLC campaign of {SERVICE} is VERIFIED"
    assert found["SMS throughput"][1].startswith("tier high_mid (trust score 50-74): 120 texts/s, at most 40,000 "
                                                 "texts a Pacific day")
    assert found["database"][1].endswith(f"migrated to the newest revision ({db.head_revision()})")


def test_the_plain_output_is_one_line_per_check_with_its_status(production):
    r = doctor()
    assert r.exit_code == 0
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 16
    assert all(line.split()[0] in ("ok", "warn", "fail") for line in lines)


def test_refused_credentials_fail_and_name_the_settings_to_fix(production):
    production.auth_token = "the-real-token"
    production.sendgrid_api_key = "SG.the-real-key"
    code, found = checks()
    assert code == 1
    status, detail = found["Twilio"]
    assert status == "fail" and "NURTURE_TWILIO_AUTH_TOKEN" in detail
    status, detail = found["SendGrid"]
    assert status == "fail" and "401" in detail and "NURTURE_SENDGRID_API_KEY" in detail


def test_a_provider_that_cannot_be_reached_fails(production, monkeypatch):
    setenv(monkeypatch, twilio_api_base=f"http://127.0.0.1:{closed_port()}")
    code, found = checks()
    assert code == 1 and found["Twilio"][0] == "fail" and found["SendGrid"][0] == "ok"


def test_without_credentials_texts_and_emails_go_to_the_outbox(sqlite_url):
    code, found = checks()
    assert code == 0
    outbox = get_settings().outbox_dir
    assert found["Twilio"] == ("ok", f"no Twilio credentials: texts go to the outbox ({outbox}/sms), not to leads")
    assert found["SendGrid"][0] == "ok" and "emails go to the outbox" in found["SendGrid"][1]
    assert found["API key"][0] == "warn" and "cannot know the address the server binds" in found["API key"][1]


def test_a_half_configured_twilio_is_a_warning(sqlite_url, monkeypatch):
    setenv(monkeypatch, twilio_account_sid="AC" + "a" * 32)
    code, found = checks()
    assert code == 0
    assert found["Twilio"][0] == "warn" and "outbox" in found["Twilio"][1]
    assert found["Twilio webhooks"][0] == "warn" and "answer 503" in found["Twilio webhooks"][1]


def test_a_database_one_migration_behind_fails_and_says_to_upgrade(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.get_engine(url, migrate=False)
    with engine.begin() as conn:
        cfg = db.alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    db.dispose_engines()
    setenv(monkeypatch, database_url=url)
    code, found = checks()
    assert code == 1
    assert found["database"] == ("fail", f"{url} is at revision 0001, this version needs {db.head_revision()}: "
                                         f"run `nurture db upgrade`")
    assert found["paused channels"][0] == "warn"
    assert db.current_revision(db.get_engine(url, migrate=False)) == "0001"  # doctor changed nothing


def test_an_unreachable_database_fails(monkeypatch):
    setenv(monkeypatch, database_url=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nurture")
    code, found = checks()
    assert code == 1
    status, detail = found["database"]
    assert status == "fail" and detail.startswith("cannot reach postgresql+psycopg://postgres@127.0.0.1:")


def test_a_database_that_does_not_exist_yet_is_a_warning_and_is_not_created(tmp_path, monkeypatch):
    path = tmp_path / "fresh.db"
    setenv(monkeypatch, database_url=f"sqlite:///{path}")
    code, found = checks()
    assert code == 0 and found["database"][0] == "warn" and "nurture db upgrade" in found["database"][1]
    assert not path.exists()


def test_a_database_with_no_tables_fails(tmp_path, monkeypatch):
    path = tmp_path / "empty.db"
    path.touch()
    setenv(monkeypatch, database_url=f"sqlite:///{path}")
    code, found = checks()
    assert code == 1 and found["database"] == ("fail", f"sqlite:///{path} has no nurture tables: run "
                                                       f"`nurture db upgrade`")


def test_a_down_redis_fails_the_broker_check(sqlite_url, monkeypatch):
    setenv(monkeypatch, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    code, found = checks()
    assert code == 1
    assert found["broker"][0] == "fail" and "does not answer" in found["broker"][1]


@pytest.mark.parametrize("name,value", [("database_url", "nonsense"), ("redis_url", "nonsense")])
def test_a_url_that_is_not_one_fails_its_check_instead_of_crashing(sqlite_url, monkeypatch, name, value):
    setenv(monkeypatch, **{name: value})
    code, found = checks()
    assert code == 1
    check = "database" if name == "database_url" else "broker"
    assert found[check] == ("fail", found[check][1]) and f"NURTURE_{name.upper()} is not a" in found[check][1]


@pytest.mark.redis
def test_a_running_redis_passes_the_broker_check(sqlite_url, redis_url, monkeypatch):
    setenv(monkeypatch, redis_url=redis_url)
    code, found = checks()
    assert code == 0 and found["broker"] == ("ok", f"Redis at {redis_url} answers")


def test_a_paused_channel_fails_with_its_reason(production):
    with session_scope() as s:
        pauses.pause(s, "sms", "Twilio refused the credentials (20003)", get_settings(),
                     datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    code, found = checks()
    assert code == 1
    status, detail = found["paused channels"]
    assert status == "fail"
    assert detail.startswith("sms paused since 2026-12-01 15:00 UTC: Twilio refused the credentials (20003)")


def test_sendgrid_without_its_webhook_key_fails(production, monkeypatch):
    monkeypatch.delenv("NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY")
    get_settings.cache_clear()
    code, found = checks()
    assert code == 1
    status, detail = found["SendGrid webhook"]
    assert status == "fail" and "NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY" in detail and "503" in detail


def test_an_unreadable_sendgrid_key_fails(production, monkeypatch):
    setenv(monkeypatch, sendgrid_webhook_public_key=SENDGRID_PUBLIC_KEY[:40])
    code, found = checks()
    assert code == 1 and "cannot be read" in found["SendGrid webhook"][1]


@pytest.mark.parametrize("url,status,words", [
    ("http://127.0.0.1:8000", "fail", "left at its default"),
    ("http://localhost:9000", "fail", "is a loopback address"),
    ("http://nurture.example.com", "warn", "not https"),
    ("https://nurture.example.com", "ok", "https://nurture.example.com"),
])
def test_the_public_url_is_checked_when_credentials_are_set(production, monkeypatch, url, status, words):
    setenv(monkeypatch, public_url=url)
    _, found = checks()
    assert found["public URL"][0] == status and words in found["public URL"][1]


def test_settings_that_do_not_parse_fail_first_and_alone(monkeypatch):
    setenv(monkeypatch, sms_max_segments="99")
    r = doctor()
    assert r.exit_code == 1
    assert r.stdout.split()[:2] == ["fail", "settings"]
    assert "NURTURE_SMS_MAX_SEGMENTS" in r.stdout


def test_a_campaign_not_verified_fails_with_its_status_and_changes_nothing(production):
    production.set_a2p_status("PENDING")
    code, found = checks()
    assert code == 1
    status, detail = found["carrier registration"]
    assert status == "fail"
    assert detail.startswith(f"the A2P 10DLC campaign of {SERVICE} is PENDING: carriers block unregistered traffic "
                             "(Twilio error 30034)")
    assert found["paused channels"][0] == "ok"  # doctor reads; the scheduler is the one that pauses


def test_a_toll_free_sender_in_review_fails(production, monkeypatch):
    monkeypatch.delenv("NURTURE_TWILIO_MESSAGING_SERVICE_SID")
    setenv(monkeypatch, twilio_from="+18445550100")
    production.set_tollfree_status("+18445550100", "IN_REVIEW")
    status, detail = checks()[1]["carrier registration"]
    assert status == "fail" and "the toll-free verification of +18445550100 is IN_REVIEW" in detail
    assert "30032" in detail


def test_a_ten_dlc_number_without_a_messaging_service_is_a_warning(production, monkeypatch):
    monkeypatch.delenv("NURTURE_TWILIO_MESSAGING_SERVICE_SID")
    get_settings.cache_clear()
    status, detail = checks()[1]["carrier registration"]
    assert status == "warn" and "NURTURE_TWILIO_MESSAGING_SERVICE_SID" in detail


def test_the_carrier_pause_is_shown_with_its_reason(production):
    with session_scope() as session:
        pauses.carrier_hold(session, "sms", "the A2P 10DLC campaign of MG7 is PENDING", datetime(2027, 3, 1, tzinfo=UTC))
    status, detail = checks()[1]["paused channels"]
    assert status == "fail" and "the A2P 10DLC campaign of MG7 is PENDING" in detail
    assert "until the carrier registration is approved" in detail


def test_without_a_tier_the_rate_is_the_setting_and_nothing_is_capped(sqlite_url, monkeypatch):
    setenv(monkeypatch, twilio_rate_per_second="25")
    status, detail = checks()[1]["SMS throughput"]
    assert status == "ok"
    assert detail.startswith("no throughput tier declared: 25 texts/s (NURTURE_TWILIO_RATE_PER_SECOND), no daily cap")
