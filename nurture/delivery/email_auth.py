"""Does the sender's domain authenticate the mail SendGrid sends for it? SPF, DKIM and DMARC, read from DNS.

Mailbox providers refuse or junk bulk mail that does not authenticate:
- Gmail, since February 2024, requires of senders of 5,000 or more messages a day SPF and DKIM, a DMARC
  record (p=none at least) and a From domain aligned with SPF or DKIM ("Email sender guidelines",
  https://support.google.com/a/answer/81126); Yahoo asks the same of bulk senders (Sender Hub best
  practices, https://senders.yahooinc.com/best-practices/).
- Microsoft's Outlook.com, Hotmail and Live reject such mail from high-volume senders with
  "550 5.7.515 Access denied, sending domain ... does not meet the required authentication level" since
  May 2025: SPF and DKIM must pass, a DMARC record (p=none at least) must exist, and SPF or DKIM must align
  with the From domain ("Fix NDR error 550 5.7.515 in Outlook.com", https://support.microsoft.com/en-au/topic/
  fix-ndr-error-550-5-7-515-in-outlook-com-34cfe8f8-6fbf-457e-9e8b-9e4dbaf4e0ef).

SendGrid's domain authentication with Automated Security gives three CNAME records: `s1._domainkey` and
`s2._domainkey` (DKIM keys SendGrid rotates, pointing at s1/s2.domainkey.u<id>.wl<n>.sendgrid.net), and a
return-path `em<number>` (pointing at u<id>.wl<n>.sendgrid.net, whose SPF covers SendGrid's servers); with
Automated Security off it gives two TXT records and an MX instead ("Authenticate a domain",
https://www.twilio.com/docs/sendgrid/api-reference/domain-authentication/authenticate-a-domain, and "How to
set up domain authentication", https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-
domain-authentication). The em<number> name is SendGrid's choice and DNS cannot be listed, so its CNAME is
not looked up here: an SPF record on the domain itself that includes sendgrid.net is what this checks.

Lookups go to NURTURE_DNS_SERVER (host:port) when set, else to the system's resolver, and give up after
2 s: a DNS server that does not answer is a "could not check" warning, never an exception.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Literal

import dns.exception
import dns.rdata
import dns.resolver
from dns.rdtypes.ANY.CNAME import CNAME
from dns.rdtypes.ANY.TXT import TXT

from nurture.config import Settings
from nurture.errors import TransientError

Status = Literal["ok", "warn", "fail"]

DNS_TIMEOUT_SECONDS = 2.0
"""How long one lookup may take, retries included: doctor must not hang on a firewalled resolver."""

SENDGRID_SPF = "include:sendgrid.net"
DKIM_SELECTORS = ("s1", "s2")
BULK_RULES = "Gmail and Yahoo refuse bulk mail without"
MICROSOFT = "Outlook.com rejects such bulk mail with 550 5.7.515"


class DNSUnavailable(TransientError):
    """The DNS server did not answer (time-out, refused, no server configured)."""


@dataclass(frozen=True)
class Finding:
    """One record's verdict: `detail` says what was found and, when it is not ok, why mail suffers and what to add."""

    record: str
    status: Status
    detail: str


def sender_domain(email_from: str) -> str | None:
    """The domain of NURTURE_EMAIL_FROM ("Name <help@example.com>" gives example.com); None when it has none."""
    _, address = parseaddr(email_from)
    if "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().rstrip(".").lower()
    return domain or None


def parse_server(value: str) -> tuple[str, int]:
    """NURTURE_DNS_SERVER's host:port ("127.0.0.1:5353", "[::1]:53", "10.0.0.2" for port 53) as (address, port).

    The host must be an IP address: the resolver that would turn a name into one is the thing being chosen."""
    text = value.strip()
    host, port = text, "53"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"NURTURE_DNS_SERVER={value!r} is not host:port (e.g. 127.0.0.1:53 or [::1]:53)")
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        address = str(ipaddress.ip_address(host))
        number = int(port)
    except ValueError:
        raise ValueError(f"NURTURE_DNS_SERVER={value!r} is not host:port with an IP address "
                         f"(e.g. 127.0.0.1:53 or [::1]:53)") from None
    if not 0 < number < 65536:
        raise ValueError(f"NURTURE_DNS_SERVER={value!r}: the port must be 1 to 65535")
    return address, number


def make_resolver(server: str | None, *, timeout: float = DNS_TIMEOUT_SECONDS) -> dns.resolver.Resolver:
    """A resolver asking `server` (host:port), or the system's when None; each lookup gives up after `timeout`."""
    if server:
        address, port = parse_server(server)
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [address]
        resolver.port = port
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.exception.DNSException as exc:  # no /etc/resolv.conf, or no nameserver in it
            raise DNSUnavailable(f"the system has no DNS resolver configured ({exc})") from exc
    resolver.timeout = resolver.lifetime = timeout
    return resolver


def check_sender(settings: Settings, resolver: dns.resolver.Resolver | None = None) -> list[Finding]:
    """The findings for NURTURE_EMAIL_FROM's domain: one per record, or one saying why nothing could be checked."""
    domain = sender_domain(settings.email_from)
    if domain is None:
        return [Finding("sender", "fail", f"NURTURE_EMAIL_FROM={settings.email_from!r} has no domain to check")]
    try:
        return check_domain(domain, resolver or make_resolver(settings.dns_server))
    except ValueError as exc:
        return [Finding("DNS", "fail", str(exc))]
    except DNSUnavailable as exc:
        where = f"the DNS server {settings.dns_server}" if settings.dns_server else "the system's DNS resolver"
        return [Finding("DNS", "warn", f"could not check {domain}'s SPF, DKIM and DMARC records: {where} did not "
                                       f"answer ({exc}). Check them before sending (or set NURTURE_DNS_SERVER)")]


def check_domain(domain: str, resolver: dns.resolver.Resolver) -> list[Finding]:
    """SPF, DKIM and DMARC for `domain`, in that order. Raises DNSUnavailable when the server does not answer."""
    dkim = dkim_finding(domain, resolver)
    return [spf_finding(domain, resolver, dkim_via_sendgrid=dkim.status == "ok"), dkim, dmarc_finding(domain, resolver)]


def spf_finding(domain: str, resolver: dns.resolver.Resolver, *, dkim_via_sendgrid: bool) -> Finding:
    records = [text for text in _txt(resolver, domain) if text.lower().startswith("v=spf1")]
    if len(records) > 1:
        return Finding("SPF", "fail", f"{domain} has {len(records)} SPF records (TXT v=spf1): receivers treat that "
                                      f"as an error (RFC 7208) and SPF fails; merge them into one that includes "
                                      f"sendgrid.net. {MICROSOFT}")
    if not records:
        # With Automated Security the em<number> return path carries SendGrid's SPF, aligned with the domain.
        status: Status = "warn" if dkim_via_sendgrid else "fail"
        return Finding("SPF", status, f"no SPF record (TXT v=spf1) on {domain}: SPF passes only if SendGrid's "
                                      f"em<number> return-path CNAME from its domain authentication is in place; "
                                      f"{BULK_RULES} SPF and {MICROSOFT}. Publish \"v=spf1 {SENDGRID_SPF} ~all\" "
                                      f"(with your other senders)")
    (record,) = records
    if SENDGRID_SPF in record.lower().split():
        return Finding("SPF", "ok", f"{domain}'s SPF record includes sendgrid.net ({record})")
    return Finding("SPF", "warn", f"{domain}'s SPF record ({record}) does not include sendgrid.net: mail SendGrid sends "
                                  f"passes SPF only through the em<number> return-path CNAME of SendGrid's domain "
                                  f"authentication; without it SPF fails and {MICROSOFT}. Add {SENDGRID_SPF}")


def dkim_finding(domain: str, resolver: dns.resolver.Resolver) -> Finding:
    found: dict[str, str] = {}
    missing = []
    for selector in DKIM_SELECTORS:
        name = f"{selector}._domainkey.{domain}"
        targets = _cname(resolver, name)
        if targets:
            found[name] = targets[0]
        elif any("p=" in text for text in _txt(resolver, name)):
            found[name] = "a TXT key"  # SendGrid's records with Automated Security off
        else:
            missing.append(name)
    if missing:
        return Finding("DKIM", "fail", f"no DKIM CNAME at {' or '.join(missing)}: SendGrid then signs as sendgrid.net, "
                                       f"not as {domain}, so DKIM does not align with the From address; {BULK_RULES} "
                                       f"DKIM and {MICROSOFT}. Add the CNAMEs SendGrid's domain authentication gives "
                                       f"(Settings > Sender Authentication)")
    foreign = {name: target for name, target in found.items()
               if target != "a TXT key" and not target.endswith(".sendgrid.net")}
    if foreign:
        said = ", ".join(f"{name} -> {target}" for name, target in foreign.items())
        return Finding("DKIM", "warn", f"{said}: not SendGrid's, so SendGrid's signature as {domain} will not verify; "
                                       f"point them at the targets SendGrid's domain authentication gives")
    said = ", ".join(f"{name} -> {target}" for name, target in found.items())
    return Finding("DKIM", "ok", f"{said}: SendGrid signs as {domain}, aligned with the From address")


def dmarc_finding(domain: str, resolver: dns.resolver.Resolver) -> Finding:
    name = f"_dmarc.{domain}"
    records = _dmarc(resolver, name)
    inherited = False
    if not records:
        # A subdomain without its own record falls under its organizational domain's (RFC 7489 6.6.3); without
        # the public suffix list, each parent down to two labels is tried.
        labels = domain.split(".")
        for start in range(1, len(labels) - 1):
            parent = ".".join(labels[start:])
            records = _dmarc(resolver, f"_dmarc.{parent}")
            if records:
                name, inherited = f"_dmarc.{parent}", True
                break
    if not records:
        return Finding("DMARC", "fail", f"no DMARC record at _dmarc.{domain}: {BULK_RULES} one, and {MICROSOFT}. "
                                        f"Publish TXT \"v=DMARC1; p=none; rua=mailto:...\" at _dmarc.{domain}")
    if len(records) > 1:
        return Finding("DMARC", "fail", f"{name} has {len(records)} DMARC records: receivers ignore them all "
                                        f"(RFC 7489), as if there were none; keep one")
    (record,) = records
    tags = _tags(record)
    policy = tags.get("sp" if inherited and "sp" in tags else "p", "")
    if policy not in ("none", "quarantine", "reject"):
        return Finding("DMARC", "fail", f"{name} ({record}) has no valid p= policy (none, quarantine or reject): "
                                        f"receivers ignore it; {BULK_RULES} a DMARC policy, p=none at least")
    notes = []
    if policy == "none":
        notes.append("p=none meets the bulk-sender minimum (monitoring only: quarantine or reject also stops others "
                     "spoofing the domain)")
    if tags.get("aspf") == "s":
        notes.append(f"aspf=s: SendGrid's return path em<number>.{domain} cannot align, DKIM must")
    where = f"{name} (inherited by {domain})" if inherited else name
    return Finding("DMARC", "ok", f"{where}: {record}" + (f"; {'; '.join(notes)}" if notes else ""))


def _dmarc(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    return [text for text in _txt(resolver, name) if text.replace(" ", "").lower().startswith("v=dmarc1")]


def _tags(record: str) -> dict[str, str]:
    """A DMARC record's tag=value pairs, names and values lowercased."""
    pairs = (part.split("=", 1) for part in record.split(";") if "=" in part)
    return {key.strip().lower(): value.strip().lower() for key, value in pairs}


def _txt(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    """The TXT records at `name`, each one's strings joined (RFC 7208 3.3); none when the name has none."""
    answer = _lookup(resolver, name, "TXT")
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer if isinstance(rdata, TXT)]


def _cname(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    answer = _lookup(resolver, name, "CNAME")
    return [rdata.target.to_text(omit_final_dot=True).lower() for rdata in answer if isinstance(rdata, CNAME)]


def _lookup(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> list[dns.rdata.Rdata]:
    try:
        return list(resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False) or [])
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as exc:  # time-out, no server answered, a SERVFAIL everywhere
        raise DNSUnavailable(_reason(exc)) from exc


def _reason(exc: dns.exception.DNSException) -> str:
    if isinstance(exc, dns.exception.Timeout):
        return "no answer in time"
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
