"""With no NURTURE_API_KEY, /api and /ops answer only requests made on this machine to a server bound to a
loopback address: decided from the server's own address, never from what a header claims."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from nurture.config import get_settings
from nurture.web import create_app
from nurture.web.deps import not_local
from web_helpers import LOOPBACK, local_client

ROOT = Path(__file__).resolve().parents[2]
LEAD = {"first_name": "Maria", "email": "maria@example.com"}
REMOTE = ("203.0.113.9", 40000)

# (bind address given to `nurture serve`, the connection's server address, client address, headers) -> let in?
# Written from the rule, not from the code: only a loopback bind, reached at a loopback address, by a
# loopback client, with no sign of a proxy in between.
CASES = [
    (None, ("127.0.0.1", 8000), ("127.0.0.1", 5000), {}, True),
    ("127.0.0.1", ("127.0.0.1", 8000), ("127.0.0.1", 5000), {}, True),
    ("localhost", ("127.0.0.1", 8000), ("127.0.0.1", 5000), {}, True),
    ("::1", ("::1", 8000), ("::1", 5000), {}, True),
    (None, ("::ffff:127.0.0.1", 8000), ("::ffff:127.0.0.1", 5000), {}, True),
    ("127.0.0.2", ("127.0.0.2", 8000), ("127.0.0.1", 5000), {}, True),
    # bound to every interface: closed, even to this machine
    ("0.0.0.0", ("127.0.0.1", 8000), ("127.0.0.1", 5000), {}, False),
    ("::", ("::1", 8000), ("::1", 5000), {}, False),
    ("192.0.2.2", ("192.0.2.2", 8000), ("192.0.2.2", 5000), {}, False),
    # reached at a public address (another ASGI server, bind unknown)
    (None, ("192.0.2.2", 8000), ("127.0.0.1", 5000), {}, False),
    (None, None, ("127.0.0.1", 5000), {}, False),
    (None, ("testserver", 80), ("127.0.0.1", 5000), {}, False),
    # a client elsewhere
    ("127.0.0.1", ("127.0.0.1", 8000), REMOTE, {}, False),
    ("127.0.0.1", ("127.0.0.1", 8000), None, {}, False),
    ("127.0.0.1", ("127.0.0.1", 8000), ("testclient", 50000), {}, False),
    # a proxy on this machine: the client is anywhere, whatever the header says
    ("127.0.0.1", ("127.0.0.1", 8000), ("127.0.0.1", 5000), {"x-forwarded-for": "127.0.0.1"}, False),
    ("127.0.0.1", ("127.0.0.1", 8000), ("127.0.0.1", 5000), {"forwarded": "for=127.0.0.1"}, False),
    ("127.0.0.1", ("127.0.0.1", 8000), ("127.0.0.1", 5000), {"x-real-ip": "127.0.0.1"}, False),
    ("127.0.0.1", ("127.0.0.1", 8000), ("127.0.0.1", 5000), {"via": "1.1 nginx"}, False),
]


@pytest.mark.parametrize(("bind", "server", "client", "headers", "let_in"), CASES)
def test_the_loopback_rule(bind, server, client, headers, let_in):
    assert (not_local(bind_host=bind, server=server, client=client, headers=headers) is None) is let_in


def test_a_local_client_of_a_loopback_server_gets_in_without_a_key(sqlite_url):
    with local_client() as c:
        assert c.post("/api/leads", json=LEAD).status_code == 201
        assert c.get("/ops").status_code == 200


def test_the_test_client_default_identity_is_not_trusted(sqlite_url):
    # TestClient calls itself "testclient" at "testserver": neither is this machine.
    with TestClient(create_app()) as c:
        r = c.post("/api/leads", json=LEAD)
    assert r.status_code == 403


def test_a_server_bound_to_every_interface_refuses_api_and_ops_saying_to_set_the_key(sqlite_url):
    with TestClient(create_app(bind_host="0.0.0.0"), **LOOPBACK) as c:
        api, ops = c.post("/api/leads", json=LEAD), c.get("/ops")
    assert api.status_code == 403 and ops.status_code == 403
    detail = api.json()["detail"]
    assert "Set NURTURE_API_KEY" in detail and "listens on 0.0.0.0" in detail


@pytest.mark.parametrize("header", [{"X-Forwarded-For": "127.0.0.1"}, {"Forwarded": "for=127.0.0.1"},
                                    {"X-Real-IP": "127.0.0.1"}])
def test_a_forwarded_request_to_a_loopback_server_is_refused(sqlite_url, header):
    with local_client() as c:
        r = c.post("/api/leads", json=LEAD, headers=header)
    assert r.status_code == 403
    assert "through a proxy" in r.json()["detail"]


def test_with_a_key_the_bind_address_does_not_matter(sqlite_url, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    get_settings.cache_clear()
    with TestClient(create_app(bind_host="0.0.0.0"), client=REMOTE) as c:
        assert c.post("/api/leads", json=LEAD).status_code == 401
        assert c.post("/api/leads", json=LEAD, headers={"Authorization": "Bearer k3y"}).status_code == 201


def test_webhooks_healthz_and_metrics_need_no_key_on_any_bind(sqlite_url):
    with TestClient(create_app(bind_host="0.0.0.0"), client=REMOTE) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/metrics").status_code == 200


# The same rule through the real server: uvicorn fills the ASGI scope from its sockets.

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _public_address() -> str | None:
    """An address of this machine that is not loopback (no packet is sent: UDP connect only routes)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


class Served:
    """`nurture serve` in a child process, on a throw-away SQLite file, until the block ends."""

    def __init__(self, tmp_path: Path, host: str, **env: str) -> None:
        self.port = _free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_") or k.startswith("NURTURE_TEST_")}
        base.update({"NURTURE_TEMPLATES_DIR": str(ROOT / "templates"), "NURTURE_SCHEDULES_DIR": str(ROOT / "schedules"),
                     "NURTURE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}, **env)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from nurture.cli import main; main()", "serve", "--host", host,
             "--port", str(self.port)], cwd=tmp_path, env=base, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True)
        self.output = ""

    def __enter__(self) -> "Served":
        for _ in range(150):
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.__exit__()
        raise AssertionError(f"nurture serve did not start: {self.output}")

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        out, err = self.proc.communicate(timeout=20)
        self.output = out + err

    def post(self, host: str, **kw) -> httpx.Response:
        return httpx.post(f"http://{host}:{self.port}/api/leads", json=LEAD, timeout=10, **kw)


@pytest.mark.slow
def test_nurture_serve_on_loopback_lets_this_machine_in_but_not_a_forwarded_request(tmp_path):
    with Served(tmp_path, "127.0.0.1") as served:
        assert served.post("127.0.0.1", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 403
        assert served.post("127.0.0.1").status_code == 201
    assert "NURTURE_API_KEY is not set: /api and /ops answer only requests made on this machine" in served.output


@pytest.mark.slow
def test_nurture_serve_on_every_interface_without_a_key_refuses_everyone_and_says_so(tmp_path):
    # FORWARDED_ALLOW_IPS='*' makes uvicorn take X-Forwarded-For as the client: the old trick to look local.
    # Any Host answered, so that the loopback rule itself refuses (by default the public address is no name
    # the server answers, and the request is refused before it: tests/web/test_hosts.py).
    with Served(tmp_path, "0.0.0.0", FORWARDED_ALLOW_IPS="*", NURTURE_ALLOWED_HOSTS="*") as served:
        local = served.post("127.0.0.1")
        public = _public_address()
        forged = served.post(public, headers={"X-Forwarded-For": "127.0.0.1"}) if public else None
    assert local.status_code == 403 and "Set NURTURE_API_KEY" in local.json()["detail"]
    if forged is not None:
        assert forged.status_code == 403
    assert "ERROR: API key: NURTURE_API_KEY is not set and the server listens on 0.0.0.0" in served.output
