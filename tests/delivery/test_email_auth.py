"""The sender domain's email authentication (SPF, DKIM for SendGrid's selectors, DMARC), read from a DNS
server the test starts on 127.0.0.1: never the internet."""

from __future__ import annotations

import pytest
from dns_helpers import dns_server, sendgrid_domain, silent_dns_server

from nurture.config import Settings
from nurture.delivery.email_auth import (
    check_domain,
    check_sender,
    make_resolver,
    parse_server,
    sender_domain,
)


def verdicts(records, domain: str = "example.com") -> dict[str, tuple[str, str]]:
    with dns_server(records) as server:
        return {f.record: (f.status, f.detail) for f in check_domain(domain, make_resolver(server))}


def test_a_domain_set_up_as_sendgrid_asks_passes_spf_dkim_and_dmarc():
    found = verdicts(sendgrid_domain("example.com"))
    assert {record: status for record, (status, _) in found.items()} == {"SPF": "ok", "DKIM": "ok", "DMARC": "ok"}
    assert "s1._domainkey.example.com -> s1.domainkey.u1234567.wl123.sendgrid.net" in found["DKIM"][1]
    assert "s2._domainkey.example.com -> s2.domainkey.u1234567.wl123.sendgrid.net" in found["DKIM"][1]
    assert "aligned with the From address" in found["DKIM"][1]
    assert "p=none meets the bulk-sender minimum" in found["DMARC"][1]


def test_a_domain_without_dmarc_is_named_with_why_mail_is_refused():
    found = verdicts(sendgrid_domain("example.com", dmarc=None))
    status, detail = found["DMARC"]
    assert status == "fail"
    assert detail.startswith("no DMARC record at _dmarc.example.com: Gmail and Yahoo refuse bulk mail without one")
    assert "550 5.7.515" in detail
    assert found["SPF"][0] == found["DKIM"][0] == "ok"


def test_an_spf_record_without_sendgrid_warns():
    found = verdicts(sendgrid_domain("example.com", spf="v=spf1 include:_spf.google.com ~all"))
    status, detail = found["SPF"]
    assert status == "warn"
    assert "(v=spf1 include:_spf.google.com ~all) does not include sendgrid.net" in detail
    assert "include:sendgrid.net" in detail


def test_no_dkim_cname_fails_naming_both_selectors():
    found = verdicts(sendgrid_domain("example.com", dkim=False))
    status, detail = found["DKIM"]
    assert status == "fail"
    assert detail.startswith("no DKIM CNAME at s1._domainkey.example.com or s2._domainkey.example.com:")
    assert "does not align with the From address" in detail


def test_one_missing_selector_is_named_alone():
    records = sendgrid_domain("example.com")
    del records["s2._domainkey.example.com"]
    status, detail = verdicts(records)["DKIM"]
    assert status == "fail"
    assert detail.startswith("no DKIM CNAME at s2._domainkey.example.com:")


def test_a_dkim_cname_pointing_elsewhere_warns():
    records = sendgrid_domain("example.com")
    records["s1._domainkey.example.com"] = [("CNAME", "s1.dkim.othermailer.example")]
    status, detail = verdicts(records)["DKIM"]
    assert status == "warn"
    assert "s1._domainkey.example.com -> s1.dkim.othermailer.example: not SendGrid's" in detail


def test_no_spf_at_all_fails_unless_sendgrid_signs_for_the_domain():
    # With SendGrid's CNAMEs in place, its em<number> return path carries SPF: a warning, not a failure.
    assert verdicts(sendgrid_domain("example.com", spf=None))["SPF"][0] == "warn"
    status, detail = verdicts(sendgrid_domain("example.com", spf=None, dkim=False))["SPF"]
    assert status == "fail"
    assert detail.startswith("no SPF record (TXT v=spf1) on example.com:")


def test_two_spf_records_fail():
    records = sendgrid_domain("example.com")
    records["example.com"].append(("TXT", "v=spf1 include:_spf.google.com ~all"))
    status, detail = verdicts(records)["SPF"]
    assert status == "fail"
    assert detail.startswith("example.com has 2 SPF records")


def test_a_dmarc_record_without_a_policy_fails_and_reject_passes_without_the_note():
    status, detail = verdicts(sendgrid_domain("example.com", dmarc="v=DMARC1; rua=mailto:d@example.com"))["DMARC"]
    assert status == "fail" and "has no valid p= policy" in detail
    status, detail = verdicts(sendgrid_domain("example.com", dmarc="v=DMARC1; p=reject; aspf=s"))["DMARC"]
    assert status == "ok"
    assert detail == ("_dmarc.example.com: v=DMARC1; p=reject; aspf=s; aspf=s: SendGrid's return path "
                      "em<number>.example.com cannot align, DKIM must")


def test_a_subdomain_sender_falls_under_its_parents_dmarc_record():
    records = sendgrid_domain("news.example.com", dmarc=None)
    records["_dmarc.example.com"] = [("TXT", "v=DMARC1; p=quarantine")]
    status, detail = verdicts(records, "news.example.com")["DMARC"]
    assert (status, detail) == ("ok", "_dmarc.example.com (inherited by news.example.com): v=DMARC1; p=quarantine")


def test_the_sender_domain_comes_from_nurture_email_from():
    assert sender_domain("Short Sale Help <Help@ShortSaleHelp.Example>") == "shortsalehelp.example"
    assert sender_domain("help@example.com") == "example.com"
    assert sender_domain("Short Sale Help") is None
    with dns_server(sendgrid_domain("shortsalehelp.example")) as server:
        settings = Settings(email_from="Short Sale Help <help@shortsalehelp.example>", dns_server=server)
        assert [(f.record, f.status) for f in check_sender(settings)] == [("SPF", "ok"), ("DKIM", "ok"),
                                                                           ("DMARC", "ok")]


def test_a_dns_server_that_does_not_answer_is_could_not_check_not_a_crash():
    with silent_dns_server() as server:
        settings = Settings(email_from="help@example.com", dns_server=server)
        (finding,) = check_sender(settings, make_resolver(server, timeout=0.3))
    assert finding.status == "warn"
    assert finding.detail.startswith(f"could not check example.com's SPF, DKIM and DMARC records: the DNS server "
                                     f"{server} did not answer")


@pytest.mark.parametrize("value,parsed", [("127.0.0.1:5353", ("127.0.0.1", 5353)), ("10.0.0.2", ("10.0.0.2", 53)),
                                          ("[::1]:53", ("::1", 53)), ("::1", ("::1", 53))])
def test_nurture_dns_server_is_an_ip_address_and_an_optional_port(value, parsed):
    assert parse_server(value) == parsed


@pytest.mark.parametrize("value", ["dns.example.com:53", "127.0.0.1:0", "127.0.0.1:dns", "[::1]53"])
def test_a_bad_nurture_dns_server_fails_saying_so(value):
    (finding,) = check_sender(Settings(email_from="help@example.com", dns_server=value))
    assert finding.status == "fail"
    assert finding.detail.startswith(f"NURTURE_DNS_SERVER={value!r}")
