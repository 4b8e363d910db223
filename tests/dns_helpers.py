"""A DNS server on 127.0.0.1 for the email-authentication checks: tests never ask the internet.

`dns_server(records)` answers from a dict of name -> [(type, value)] (NXDOMAIN for a name it does not
hold, an empty answer for a type it does not hold) on a free port, and is stopped when the block ends,
even when the test fails. `silent_dns_server()` is a port that receives queries and never answers.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dnslib import CNAME, QTYPE, RCODE, RR, TXT  # type: ignore[import-untyped]  # dnslib ships no type hints
from dnslib.server import BaseResolver, DNSLogger, DNSServer  # type: ignore[import-untyped]  # dnslib ships no type hints

Records = dict[str, list[tuple[str, str]]]


def sendgrid_domain(domain: str, *, spf: str | None = "v=spf1 include:sendgrid.net ~all", dkim: bool = True,
                    dmarc: str | None = "v=DMARC1; p=none; rua=mailto:dmarc@{domain}") -> Records:
    """A domain as SendGrid's domain authentication (Automated Security) and a DMARC record leave it."""
    records: Records = {domain: [("A", "192.0.2.10")]}
    if spf is not None:
        records[domain].append(("TXT", spf))
    if dkim:
        for selector in ("s1", "s2"):
            records[f"{selector}._domainkey.{domain}"] = [
                ("CNAME", f"{selector}.domainkey.u1234567.wl123.sendgrid.net")]
    records[f"em4821.{domain}"] = [("CNAME", "u1234567.wl123.sendgrid.net")]
    if dmarc is not None:
        records[f"_dmarc.{domain}"] = [("TXT", dmarc.format(domain=domain))]
    return records


class _Zone(BaseResolver):  # type: ignore[misc]  # BaseResolver is untyped (Any)
    def __init__(self, records: Records) -> None:
        self.records = {name.lower().rstrip("."): values for name, values in records.items()}

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if name not in self.records:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        asked = QTYPE[request.q.qtype]
        for rtype, value in self.records[name]:
            if rtype != asked:
                continue
            if rtype == "TXT":
                rdata: Any = TXT(value)
            elif rtype == "CNAME":
                rdata = CNAME(value)
            else:
                continue
            reply.add_answer(RR(request.q.qname, getattr(QTYPE, rtype), rdata=rdata, ttl=60))
        return reply


@contextmanager
def dns_server(records: Records) -> Iterator[str]:
    """Serve `records` over UDP on 127.0.0.1; yields "127.0.0.1:<port>" (NURTURE_DNS_SERVER's form)."""
    server = DNSServer(_Zone(records), address="127.0.0.1", port=0,
                       logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False))
    server.start_thread()
    try:
        yield f"127.0.0.1:{server.server.server_address[1]}"
    finally:
        server.stop()
        server.server.server_close()


@contextmanager
def silent_dns_server() -> Iterator[str]:
    """A UDP port on 127.0.0.1 that takes every query and answers none: a firewalled or dead resolver."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"
