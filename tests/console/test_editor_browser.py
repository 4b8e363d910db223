"""The editor of templates and schedules in a real browser (issue 27 item 5): headless Chromium
(Debian's package, driven by playwright) against `nurture serve` on loopback, with accounts made by
`nurture users add ... --password-stdin`.

A marketer signs in, edits sms/welcome.txt and sees the segment count change as they type and a lint
error appear for an unknown variable (Publish disabled meanwhile), saves a draft, publishes with a
note, finds version 1 with their name in the history, and reverts to the file's text; opening a
lead's page is refused (403), and a POST without the session's CSRF token is refused. An ops person
signs in, opens the lead's page, and cannot publish. The editor's pages fit a 390 px phone.

Every console page must come with the product's Content-Security-Policy (OPS_CSP); any violation the
browser reports, any console error not caused by a refusal the test asked for, and any request that
leaves this machine fails the test; a last probe breaks the policy on purpose and sees it reported.
Screenshots go to tests/artifacts/editor-*.png.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, REPORT_VIOLATIONS, free_port, need_browser, stop, \
    wait_for
from nurture.web.middleware import OPS_CSP

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
API_KEY = "editor-browser-key"
PEOPLE = {"maria": ("marketer", "correct horse battery staple"), "omar": ("ops", "tr0ub4dor&3 and more")}
WELCOME = (ROOT / "templates" / "sms" / "welcome.txt").read_text("utf-8")
STORY_SMS = (ROOT / "schedules" / "story-sms.yaml").read_text("utf-8")
# Still an opt-in confirmation (frequency, rates, HELP, STOP: lint refuses a welcome without them).
SHORT = ("{{ company.name }}: Thanks for asking. Msg frequency varies. Msg & data rates may apply. "
         "Reply STOP to opt out, HELP for help.")
# About 300 more characters: whatever the sample, the text needs more segments than SHORT.
LONGER = SHORT + " We read every reply, and a person who knows short sales answers the same day." * 4
EDIT = "/ops/editor/edit?kind=template&name=sms%2Fwelcome.txt"

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path):
    """A fresh database with a marketer, an ops person and one lead, then `nurture serve` with an API
    key on loopback; stopped even when the test fails or is interrupted."""
    need_browser()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env.update({
        "NURTURE_DATABASE_URL": f"sqlite:///{tmp_path / 'editor.db'}",
        "NURTURE_TEMPLATES_DIR": str(ROOT / "templates"), "NURTURE_SCHEDULES_DIR": str(ROOT / "schedules"),
        "NURTURE_OUTBOX_DIR": str(tmp_path / "outbox"), "NURTURE_API_KEY": API_KEY,
        "NURTURE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "TMPDIR": str(tmp_path),  # the published overlays are built under the temporary folder: this test's
    })
    cli = [sys.executable, "-c", "from nurture.cli import main; main()"]

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run([*cli, *args], cwd=tmp_path, env=env, input=stdin, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"nurture {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        return done.stdout

    run("db", "upgrade")
    for name, (role, password) in PEOPLE.items():
        run("users", "add", name, "--role", role, "--password-stdin", stdin=password + "\n")
    run("leads", "add", "--first-name", "Ana", "--last-name", "Ruiz", "--phone", "(305) 555-0142", "--state", "FL",
        "--zip", "33101")
    with sqlite3.connect(tmp_path / "editor.db") as conn:
        (lead_id,) = conn.execute("SELECT id FROM lead").fetchone()
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", proc)
        yield {"base": f"http://127.0.0.1:{port}", "netloc": f"127.0.0.1:{port}", "lead": lead_id}
    finally:
        stop(proc)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"), full_page=True)


class Watch:
    """What the browser reports that fails the test: CSP violations, console errors, pages without the
    product's policy, requests off this machine, and HTTP errors the test did not ask for."""

    def __init__(self, netloc: str) -> None:
        self.netloc = netloc
        self.problems: list[str] = []
        self.violations: list[str] = []
        self.probe: list[str] = []
        self.probing = False
        self.expected: set[str] = set()  # paths the test expects to be refused

    def attach(self, context) -> None:
        context.expose_function("__cspViolation", lambda what: (self.probe if self.probing else self.violations)
                                .append(what))
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("response", self._response)
        context.on("request", self._request)

    def page(self, context):
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        return page

    def _refused_on_purpose(self, url: str) -> bool:
        return urlsplit(url).path in self.expected

    def _response(self, response) -> None:
        if response.status >= 400 and not self._refused_on_purpose(response.url):
            self.problems.append(f"HTTP {response.status} for {response.url}")
        if response.request.resource_type == "document" and urlsplit(response.url).path.startswith("/ops"):
            if response.headers.get("content-security-policy") != OPS_CSP:
                self.problems.append(f"{response.url} came without the product's CSP")

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != self.netloc:
            self.problems.append(f"external request: {request.url}")

    def _console(self, message) -> None:
        if self.probing or message.type not in ("error", "warning"):
            return
        where = message.location.get("url", "")
        if "Failed to load resource" in message.text and self._refused_on_purpose(where):
            return
        self.problems.append(f"console {message.type}: {message.text} ({where})")


def _sign_in(page, base: str, name: str, then: str) -> None:
    page.goto(f"{base}{then}")
    page.wait_for_url(re.compile(r".*/ops/login\?next=.*"))  # a console page asks who you are first
    page.fill("#name", name)
    page.fill("#password", PEOPLE[name][1])
    page.click("form[action='/ops/login'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base + then.split("?")[0]) + r"(\?.*)?$"))


def _typed(page, typing) -> str:
    """Type with `typing()`, wait until the live check's answer is drawn; the segment count shown ("" when
    the text cannot be rendered)."""
    with page.expect_response(lambda r: urlsplit(r.url).path == "/ops/editor/check") as answer:
        typing()
    assert answer.value.status == 200
    page.wait_for_function("() => document.querySelector('#check').getAttribute('aria-busy') === 'false'")
    segments = page.locator("#segments")
    return segments.inner_text() if segments.count() else ""


def _post(page, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> int:
    """The status of a POST made by the page's own script (same origin, the session's cookie)."""
    return page.evaluate(
        """async ([path, form, headers]) => {
             const r = await fetch(path, {method: "POST", body: new URLSearchParams(form), headers,
                                          redirect: "manual", credentials: "same-origin"});
             return r.status; }""", [path, form, headers or {}])


def _fits(page, path: str, base: str) -> None:
    page.goto(f"{base}{path}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px phone"


def test_a_marketer_edits_publishes_and_reverts_a_text_and_ops_cannot_publish(server, tmp_path):
    from playwright.sync_api import sync_playwright

    base = server["base"]
    watch = Watch(server["netloc"])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            marketer = browser.new_context(viewport=DESKTOP)
            watch.attach(marketer)
            page = watch.page(marketer)

            # Sign in, find the text in the editor's list, open it.
            _sign_in(page, base, "maria", "/ops/editor")
            page.click("#editor-templates a:text-is('sms/welcome.txt')")
            page.wait_for_url(re.compile(r".*/ops/editor/edit\?kind=template&name=sms(%2F|/)welcome\.txt$"))
            assert page.input_value("#editor-body") == WELCOME
            assert page.locator("#check-summary").inner_text() == "No error."
            assert page.locator("#preview-lead").count() == 0  # a real lead's preview is not a marketer's

            # The segment count follows the typing: a short text, then a longer one.
            body = page.locator("#editor-body")
            short = _typed(page, lambda: body.fill(SHORT))
            body.press("End")
            longer = _typed(page, lambda: body.press_sequentially(LONGER[len(SHORT):], delay=2))
            assert int(longer) > int(short), (short, longer)
            assert page.locator("#live").inner_text().startswith(f"{longer} segments")
            assert "For sample lead 'critical'" in page.locator("#preview-who").inner_text()
            assert "Thanks for asking. Msg frequency varies." in page.locator("#preview-text").inner_text()
            _shot(page, "typing")

            # An unknown variable: an error with its line, and Publish disabled until it is gone.
            body.press("End")
            _typed(page, lambda: body.press_sequentially(" {{ nope }}", delay=10))
            error = page.locator("#findings li.finding.error", has_text="nope")
            error.wait_for()
            assert "line 1" in error.inner_text()
            assert page.locator("#publish").is_disabled()
            assert page.locator("#check-summary").inner_text().startswith("1 error")
            _shot(page, "lint-error")
            _typed(page, lambda: body.fill(SHORT))
            assert page.locator("#publish").is_enabled()
            assert page.locator("#findings li.finding.error").count() == 0

            # Save a draft: nothing is sent from it, and the page says so.
            page.click("#save-draft")
            page.wait_for_url(re.compile(r".*done=Draft.*"))
            assert "Draft saved" in page.locator(".notice").inner_text()
            assert page.input_value("#editor-body") == SHORT
            assert "A draft waits" in page.locator("#state").inner_text()

            # Publish with a note; the history shows version 1 by this person, with the note and the diff.
            page.fill("#editor-note", "a shorter welcome")
            page.click("#publish")
            page.wait_for_url(re.compile(r".*done=Published.*"))
            assert "Published as version 1" in page.locator(".notice").inner_text()
            assert "published version 1" in page.locator("#state").inner_text()
            page.click("#history-link")
            page.wait_for_url(re.compile(r".*/ops/editor/history\?.*"))
            v1 = page.locator("#v1")
            assert v1.locator(".author").inner_text() == "user:maria"
            assert v1.locator(".note").inner_text() == "a shorter welcome"
            assert v1.locator("pre.diff .add").inner_text() == "+" + SHORT
            assert v1.locator("pre.diff .del").inner_text() == "-" + WELCOME.rstrip("\n")
            _shot(page, "history")

            # Revert to the file's text: published again as version 2.
            page.fill("#v0 input[name=note]", "back to the long one")
            page.click("#v0 button[type=submit]")
            page.wait_for_url(re.compile(r".*done=Reverted.*"))
            assert "published as version 2" in page.locator(".notice").inner_text()
            assert page.locator("#v2 .author").inner_text() == "user:maria"
            page.goto(f"{base}{EDIT}")
            assert page.input_value("#editor-body") == WELCOME

            # A lead's page holds personal data: a marketer is refused.
            lead_page = f"/ops/leads/{server['lead']}"
            watch.expected.add(lead_page)
            response = page.goto(f"{base}{lead_page}")
            assert response is not None and response.status == 403
            assert "may not open leads" in page.locator("main").inner_text()

            # A POST without the session's CSRF token is refused, and changes nothing.
            page.goto(f"{base}{EDIT}")
            token = page.locator("#editor-form input[name=csrf_token]").input_value()
            watch.expected.update({"/ops/editor/draft", "/ops/editor/check"})
            form = {"kind": "template", "name": "sms/welcome.txt", "body": SHORT}
            assert _post(page, "/ops/editor/draft", form) == 403
            assert _post(page, "/ops/editor/draft", {**form, "csrf_token": "forged"}) == 403
            assert page.evaluate("""async () => (await fetch("/ops/editor/check", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({kind: "template", name: "sms/welcome.txt", body: "hi"})})).status""") == 403
            page.reload()
            assert "A draft waits" not in page.locator("#state").inner_text()
            assert len(token) >= 16

            # A schedule: the preview is a sample lead's timeline, and a step naming no template is an error.
            page.goto(f"{base}/ops/editor/edit?kind=schedule&name=story-sms.yaml")
            assert page.locator("#preview table.timeline td[data-label=template]", has_text="sms/welcome").count() >= 1
            body = page.locator("#editor-body")
            _typed(page, lambda: body.fill(STORY_SMS.replace("sms/welcome", "sms/welcom", 1)))
            assert "sms/welcom" in page.locator("#findings li.finding.error").first.inner_text()
            assert page.locator("#publish").is_disabled() and page.locator("#preview table.timeline").count() == 0
            _typed(page, lambda: page.select_option("#preview-sample", "early"))
            _typed(page, lambda: body.fill(STORY_SMS))
            assert "sample lead 'early'" in page.locator("#preview-who").inner_text()
            assert page.locator("#preview table.timeline tr").count() > 1 and page.locator("#publish").is_enabled()
            _shot(page, "schedule")

            # On a phone: the editor's pages fit 390 px, the text box takes the width.
            page.set_viewport_size(PHONE)
            for path in ("/ops/editor", EDIT, "/ops/editor/history?kind=template&name=sms%2Fwelcome.txt",
                         "/ops/editor/edit?kind=schedule&name=story-sms.yaml"):
                _fits(page, path, base)
            page.goto(f"{base}{EDIT}")
            box = page.locator("#editor-body").bounding_box()
            assert box is not None and box["width"] >= PHONE["width"] - 60, box
            _shot(page, "phone")
            page.set_viewport_size(DESKTOP)

            # An ops person: the lead's page opens, the editor can be read but not published from.
            ops = browser.new_context(viewport=PHONE)
            watch.attach(ops)
            other = watch.page(ops)
            _sign_in(other, base, "omar", lead_page)
            assert "Ana" in other.locator("main").inner_text()
            other.goto(f"{base}{EDIT}")
            assert other.locator("#publish").count() == 0 and other.locator("#save-draft").count() == 0
            assert other.locator("#editor-body").get_attribute("readonly") is not None
            other.select_option("#preview-sample", "early")  # previews on samples are for ops too
            other.wait_for_function("() => document.querySelector('#preview-who').textContent.includes(\"'early'\")")
            token = other.locator("input[name=csrf_token]").first.input_value()
            watch.expected.add("/ops/editor/publish")
            assert _post(other, "/ops/editor/publish", {**form, "note": "ops", "csrf_token": token}) == 403
            other.goto(f"{base}/ops/editor/history?kind=template&name=sms%2Fwelcome.txt")
            assert other.locator("#v3").count() == 0 and other.locator("form.revert").count() == 0
            _shot(other, "ops-phone")
            ops.close()

            # The probe: an inline script, which the product's policy refuses, is reported; so the
            # silence above was the pages holding under the policy, not a deaf listener.
            watch.probing = True
            page.evaluate("""() => { const s = document.createElement("script");
                                     s.textContent = "document.documentElement.dataset.inline = 'ran'";
                                     document.head.appendChild(s); }""")
            page.wait_for_timeout(500)
            assert page.get_attribute("html", "data-inline") is None, "an inline script ran under the product's CSP"
            assert any(v.startswith("script-src") and "inline" in v for v in watch.probe), watch.probe
            marketer.close()
        finally:
            print("seen by the browser:", *watch.problems, *watch.violations, sep="\n  ")  # shown on a failure
            browser.close()
    assert watch.violations == []
    assert watch.problems == []
