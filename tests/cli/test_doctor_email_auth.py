"""`nurture doctor` reads the sender domain's SPF, DKIM and DMARC records (from a DNS server the test starts on
127.0.0.1) and says, a line each, what is missing and why mail will be refused."""

from __future__ import annotations

import json

import pytest
from dns_helpers import dns_server, sendgrid_domain, silent_dns_server
from typer.testing import CliRunner

from nurture.cli import app
from nurture.config import get_settings

runner = CliRunner()
DOMAIN = "shortsalehelp.example"  # the providers fixture's NURTURE_EMAIL_FROM: help@shortsalehelp.example


def doctor(monkeypatch: pytest.MonkeyPatch, server: str) -> tuple[int, dict[str, tuple[str, str]]]:
    monkeypatch.setenv("NURTURE_DNS_SERVER", server)
    get_settings.cache_clear()
    r = runner.invoke(app, ["doctor", "--json"])
    body = json.loads(r.stdout)
    return r.exit_code, {c["name"]: (c["status"], c["detail"]) for c in body["checks"]}


@pytest.fixture
def sendgrid(sqlite_url, providers, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    return monkeypatch


def test_a_domain_with_spf_dkim_and_dmarc_passes(sendgrid):
    with dns_server(sendgrid_domain(DOMAIN)) as server:
        _, found = doctor(sendgrid, server)
    assert found["email SPF"] == ("ok", f"{DOMAIN}'s SPF record includes sendgrid.net (v=spf1 include:sendgrid.net ~all)")
    assert found["email DKIM"][0] == "ok"
    assert f"s1._domainkey.{DOMAIN} -> s1.domainkey.u1234567.wl123.sendgrid.net" in found["email DKIM"][1]
    assert found["email DMARC"][0] == "ok"
    assert found["email DMARC"][1].startswith(f"_dmarc.{DOMAIN}: v=DMARC1; p=none; rua=mailto:dmarc@{DOMAIN}")
    assert "email authentication" not in found


def test_a_domain_without_dmarc_is_named_and_doctor_fails(sendgrid):
    with dns_server(sendgrid_domain(DOMAIN, dmarc=None)) as server:
        code, found = doctor(sendgrid, server)
    assert code == 1
    status, detail = found["email DMARC"]
    assert status == "fail"
    assert detail.startswith(f"no DMARC record at _dmarc.{DOMAIN}: Gmail and Yahoo refuse bulk mail without one")
    assert found["email SPF"][0] == found["email DKIM"][0] == "ok"


def test_spf_without_sendgrid_warns(sendgrid):
    with dns_server(sendgrid_domain(DOMAIN, spf="v=spf1 mx -all")) as server:
        _, found = doctor(sendgrid, server)
    status, detail = found["email SPF"]
    assert status == "warn"
    assert detail.startswith(f"{DOMAIN}'s SPF record (v=spf1 mx -all) does not include sendgrid.net")


def test_no_dkim_cname_fails(sendgrid):
    with dns_server(sendgrid_domain(DOMAIN, dkim=False)) as server:
        code, found = doctor(sendgrid, server)
    assert code == 1
    status, detail = found["email DKIM"]
    assert status == "fail"
    assert detail.startswith(f"no DKIM CNAME at s1._domainkey.{DOMAIN} or s2._domainkey.{DOMAIN}")


def test_a_dns_server_that_does_not_answer_is_could_not_check_and_doctor_goes_on(sendgrid):
    with silent_dns_server() as server:
        _, found = doctor(sendgrid, server)
    status, detail = found["email authentication"]
    assert status == "warn"
    assert detail.startswith(f"could not check {DOMAIN}'s SPF, DKIM and DMARC records: the DNS server {server} "
                             f"did not answer")
    assert not {"email SPF", "email DKIM", "email DMARC"} & found.keys()
    # The checks after it still ran.
    assert found["API key"][0] == "ok" and "law" in found


def test_without_sendgrid_nothing_is_looked_up(sqlite_url, monkeypatch):
    # A DNS server that never answers: were it asked, the line would say "could not check".
    with silent_dns_server() as server:
        _, found = doctor(monkeypatch, server)
    assert found["email authentication"] == ("ok", "outbox: email not configured")
