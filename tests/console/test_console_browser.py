"""The console in a real browser: headless Chromium (Debian's package, driven by playwright) against
`nurture serve` (the real app, `nurture.web.create_app`) on loopback, after `nurture demo` traffic.

Logs in with the API key, sees today's figures and chart, searches the log for a template, finds a
failed text by its code in two clicks, opens a lead, follows a tracked link and sees the click on
the templates page, and at phone width finds the needs-a-person list above the fold. The pages are
served under the product's own Content-Security-Policy (nurture.web.middleware.OPS_CSP, sent by the
app: every console page is checked to carry it): any `securitypolicyviolation` the browser reports,
any console error and any request that leaves this machine fails the test. A last probe breaks the
policy on purpose and sees the violation reported, so a silent listener cannot pass for a clean run.
Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, PHONE, REPORT_VIOLATIONS, free_port, need_browser, stop, wait_for
from nurture.web.middleware import OPS_CSP

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
API_KEY = "browser-test-key"

pytestmark = pytest.mark.slow


class _Site(BaseHTTPRequestHandler):
    """The business site's stand-in on loopback: where tracked links end up."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"<!doctype html><title>Business site</title><h1>Business site</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def console(tmp_path):
    """`nurture demo` into a fresh database, then `nurture serve` with an API key and a loopback
    business site; everything started here is stopped even when the test fails."""
    need_browser()
    port, site_port = free_port(), free_port()
    site = ThreadingHTTPServer(("127.0.0.1", site_port), _Site)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env.update({
        "NURTURE_DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}",
        "NURTURE_TEMPLATES_DIR": str(ROOT / "templates"), "NURTURE_SCHEDULES_DIR": str(ROOT / "schedules"),
        "NURTURE_OUTBOX_DIR": str(tmp_path / "outbox"), "NURTURE_API_KEY": API_KEY,
        "NURTURE_PUBLIC_URL": f"http://127.0.0.1:{port}", "NURTURE_SITE_URL": f"http://127.0.0.1:{site_port}",
    })
    cli = [sys.executable, "-c", "from nurture.cli import main; main()"]
    server = None
    try:
        demo = subprocess.run([*cli, "demo", "--days", "7"], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert demo.returncode == 0, demo.stderr[-3000:]
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], cwd=tmp_path, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        yield {"base": f"http://127.0.0.1:{port}", "site": f"http://127.0.0.1:{site_port}", "db": tmp_path / "console.db",
               "allowed": {f"127.0.0.1:{port}", f"127.0.0.1:{site_port}"}}
    finally:
        if server is not None:
            stop(server)
        site.shutdown()
        site.server_close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_ops_and_a_marketer_use_the_console_in_a_real_browser(console, tmp_path):
    from playwright.sync_api import sync_playwright

    base = console["base"]
    problems: list[str] = []
    profile = tmp_path / "chromium-profile"
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            http_credentials={"username": "ops", "password": API_KEY}, viewport={"width": 1280, "height": 900})
        try:
            violations: list[str] = []
            probe: list[str] = []
            probing = False
            context.expose_function("__cspViolation", lambda what: (probe if probing else violations).append(what))
            context.add_init_script(REPORT_VIOLATIONS)
            pages_seen: list[str] = []

            def policy_of(response):
                """Every console page comes with the product's policy, from the app itself (and nothing
                the pages ask for is missing)."""
                if response.status >= 400:
                    problems.append(f"HTTP {response.status} for {response.url}")
                if response.request.resource_type == "document" and urlsplit(response.url).path.startswith("/ops"):
                    pages_seen.append(response.url)
                    if response.headers.get("content-security-policy") != OPS_CSP:
                        problems.append(f"{response.url} came without the product's CSP: "
                                        f"{response.headers.get('content-security-policy')!r}")

            context.on("response", policy_of)
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} ({m.location.get('url')})")
                    if m.type in ("error", "warning") and not probing else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: problems.append(f"external request: {r.url}")
                    if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc not in console["allowed"]
                    else None)

            # Today's figures (whatever the hour: counted here from the database) and the charts.
            page.goto(f"{base}/ops")
            today = page.locator("#today")
            assert int(today.locator(".figure .v").first.inner_text()) == _sent_today(console["db"])
            assert today.locator("svg.chart").count() == 1
            assert page.locator("#week svg.chart rect").count() > 0
            _shot(page, "overview")

            # The log, searched for a template.
            page.click("header.top >> text=Log")
            page.fill("input[name=q]", "waiting_worse")
            page.click("#log-filters button[type=submit]")
            page.wait_for_url(re.compile(r".*/ops/log\?q=waiting_worse.*"))
            rows = page.locator("#log table.log tr").all_inner_texts()[1:]
            assert rows and all("waiting_worse" in r for r in rows), rows
            _shot(page, "log-search")

            # A failed text by its error code, in two clicks from the overview.
            page.goto(f"{base}/ops")
            code_link = page.locator("#failures-by-code a").first
            code = code_link.inner_text()
            code_link.click()  # 1
            page.wait_for_url(re.compile(r".*/ops/log\?q=.*"))
            failure = page.locator("#log table.log tr", has_text=code).first
            assert failure.is_visible()
            failure.locator("a[href^='/ops/leads/']").first.click()  # 2
            page.wait_for_url(re.compile(r".*/ops/leads/\d+$"))
            assert page.locator("#messages").is_visible() and code in page.locator("body").inner_text()
            _shot(page, "failed-text-lead")

            # Open a lead, follow a tracked link from one of its messages, see the click counted (Robert:
            # the demo's leads near their sale get action content without a link of ours).
            page.goto(f"{base}/ops/leads?q=Robert")
            page.locator("#leads-list a[href^='/ops/leads/']").first.click()
            page.wait_for_url(re.compile(r".*/ops/leads/\d+$"))
            link, template = None, None
            for row in page.locator("table.stack tr", has=page.locator("pre")).all():
                text = row.locator("pre").text_content() or ""
                found = re.search(rf"{re.escape(base)}/r/\S+", text)
                if found:  # the newest one: the demo's own click was on Robert's welcome email
                    link = found.group(0)
                    template = row.locator("td[data-label=template]").inner_text().split()[0]
            assert link, "no message with a tracked link on Robert's page"
            lead_page = urlsplit(page.url).path
            # 30 days: the demo plays the last 7 x 24 hours, and "last 7 days" starts at the business's
            # midnight six days ago, so in the early hours the demo's first messages fall before it.
            page.goto(f"{base}/ops/templates?window=30d")
            before = _clicks(page, template)
            page.goto(link)
            assert page.url.startswith(console["site"]) and "utm_source=nurture" in page.url
            page.goto(f"{base}/ops/templates?window=30d")
            assert _clicks(page, template) == before + 1
            _shot(page, "templates")

            # Auto-refresh never loses what the user is typing.
            page.goto(f"{base}/ops/log")
            page.fill("input[name=q]", "half-typed")
            page.wait_for_timeout(16_500)
            assert page.input_value("input[name=q]") == "half-typed"
            assert page.get_attribute("html", "data-refreshed") is None

            # On a phone: the needs-a-person list is above the fold.
            page.set_viewport_size(PHONE)
            page.goto(f"{base}/ops")
            box = page.locator("#needs-human").bounding_box()
            first = page.locator("#needs-human li").first.bounding_box()
            assert box is not None and first is not None
            assert first["y"] + first["height"] <= PHONE["height"], (box, first)
            assert "Nobody is waiting" not in page.locator("#needs-human").inner_text()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the page is {width}px wide on a 390px phone"
            _shot(page, "phone-overview")
            # Every console page visited above, and the inbox with a thread, fits the phone's width.
            page.goto(f"{base}/ops/inbox?all=1")
            thread = page.locator("a[href^='/ops/inbox/']").first.get_attribute("href")
            assert thread, "no conversation in the inbox after the demo"
            visited = [urlsplit(url) for url in pages_seen]
            paths = [f"{u.path}?{u.query}" if u.query else u.path for u in visited]
            wide = []
            for path in dict.fromkeys([*paths, "/ops/log", "/ops/leads", "/ops/templates?window=7d", lead_page,
                                       "/ops/inbox", "/ops/inbox?all=1", thread]):
                page.goto(f"{base}{path}")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    wide.append(f"{path} is {width}px wide")
                    _shot(page, "phone-too-wide-" + re.sub(r"\W+", "-", path).strip("-"))
            assert wide == [], f"on a {PHONE['width']}px phone: {wide}"
            _shot(page, "phone-lead")
            page.goto(f"{base}/ops")
            page.wait_for_timeout(16_500)  # idle, nothing typed: the overview refreshes itself
            assert page.get_attribute("html", "data-refreshed") is not None
            assert len(pages_seen) >= 10, pages_seen

            # The probe: an inline script, which the product's policy (script-src 'self') refuses, is
            # reported; so the silence above was the pages holding under the policy, not a deaf listener.
            probing = True
            page.evaluate("""() => { const s = document.createElement("script");
                                     s.textContent = "document.documentElement.dataset.inline = 'ran'";
                                     document.head.appendChild(s); }""")
            page.wait_for_timeout(500)
            assert page.get_attribute("html", "data-inline") is None, "an inline script ran under the product's CSP"
            assert any(v.startswith("script-src") and "inline" in v for v in probe), probe
        finally:
            context.close()
    assert violations == []
    assert problems == []


def _sent_today(db: Path) -> int:
    """Messages sent since midnight in New York (the default business zone), read with sqlite3."""
    from datetime import datetime, time as clock_time
    from zoneinfo import ZoneInfo

    ny = ZoneInfo("America/New_York")
    midnight = datetime.combine(datetime.now(ny).date(), clock_time(0), tzinfo=ny).astimezone(ZoneInfo("UTC"))
    with sqlite3.connect(db) as conn:
        (n,) = conn.execute("SELECT count(*) FROM message WHERE sent_at >= ?",
                            (midnight.strftime("%Y-%m-%d %H:%M:%S"),)).fetchone()
    return n


def _clicks(page, template: str) -> int:
    row = page.locator(f"#t-{template.replace('/', '-')}")
    return int(row.locator("td[data-label=clicked]").inner_text().split()[0])
