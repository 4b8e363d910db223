"""The console's editor of templates and schedules (issue 27), as a marketer's browser talks to it:
the list of files, the edit page, the live check (lint, SMS figures, preview), drafts, publish
(refused while lint finds an error), discard, the history with its diffs, and revert. On SQLite and
PostgreSQL, from this machine (no key needed)."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nurture.accounts import users
from nurture.config import get_settings
from nurture.db import session_scope
from nurture.web import create_app
from publishing_helpers import clean_versions  # noqa: F401 (a fixture)
from web_helpers import LOOPBACK, local_client

ROOT = Path(__file__).resolve().parents[2]
WELCOME = (ROOT / "templates" / "sms" / "welcome.txt").read_text("utf-8")
CHECK_IN = (ROOT / "templates" / "sms" / "check_in.txt").read_text("utf-8")
STORY_SMS = (ROOT / "schedules" / "story-sms.yaml").read_text("utf-8")
GOOD_WELCOME = (
    "{{ company.name }}: Thanks for asking. Msg frequency varies. Msg & data rates may apply. Reply STOP to opt out, "
    "HELP for help.\n")
# What any browser sends with a form from our own pages.
SAME_SITE = {"Origin": "http://127.0.0.1:8000"}
# The GSM-7 alphabet (3GPP TS 23.038: the basic table and the extension table's characters), written
# here from the standard rather than taken from the product: a text with any other character is UCS-2.
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà") | set("^{}\\[~]|€\f")


@pytest.fixture
def client(clean_versions, frozen_now, webhook_keys):  # noqa: F811 (the fixture above)
    """This machine's client, with no published version before or after the test."""
    with local_client() as c:
        yield c


def segments_by_hand(text: str) -> tuple[str, int]:
    """Encoding and segment count by the carriers' rule: GSM-7 160 alone, 153 a part (extension
    characters count twice); UCS-2 70 alone, 67 a part (BMP characters here)."""
    if all(c in GSM7 for c in text):
        units = sum(2 if c in "^{}\\[~]|€\f" else 1 for c in text)
        return "GSM-7", 1 if units <= 160 else math.ceil(units / 153)
    return "UCS-2", 1 if len(text) <= 70 else math.ceil(len(text) / 67)


def check(client, name: str, body: str, **extra):
    kind = "schedule" if name.endswith(".yaml") else "template"
    return client.post("/ops/editor/check", json={"kind": kind, "name": name, "body": body, **extra})


def post(client, action: str, **form):
    return client.post(f"/ops/editor/{action}", data=form, headers=SAME_SITE, follow_redirects=False)


def textarea(page: str) -> str:
    found = re.search(r'<textarea name="body"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert found, "no editor textarea on the page"
    return html.unescape(found.group(1))


def test_the_editor_lists_every_template_and_schedule_file_with_where_it_is_sent_from(client):
    r = client.get("/ops/editor")
    assert r.status_code == 200
    for name in ("sms/welcome.txt", "email/deficiency.md", "es/sms/welcome.txt", "story-sms.yaml", "urgency.yaml"):
        assert f">{name}</a>" in r.text, name
    assert "published v" not in r.text and "draft waiting" not in r.text

    assert post(client, "draft", kind="template", name="sms/check_in.txt", body=CHECK_IN + "Bye.\n").status_code == 303
    assert post(client, "publish", kind="template", name="sms/welcome.txt", body=GOOD_WELCOME,
                note="shorter").status_code == 303
    r = client.get("/ops/editor")
    row = re.search(r"<tr>\s*<td data-label=\"file\"><a[^>]*>sms/check_in.txt</a>.*?</tr>", r.text, re.S)
    assert row and "draft waiting" in row.group(0) and "the file" in row.group(0)
    row = re.search(r"<tr>\s*<td data-label=\"file\"><a[^>]*>sms/welcome.txt</a>.*?</tr>", r.text, re.S)
    assert row and "published v1" in row.group(0) and "draft waiting" not in row.group(0)


def test_the_edit_page_opens_the_files_text_with_its_check_and_a_preview_on_a_sample_lead(client):
    r = client.get("/ops/editor/edit", params={"kind": "template", "name": "sms/welcome.txt"})
    assert r.status_code == 200
    assert textarea(r.text) == WELCOME
    assert 'id="check-summary" class="ok"' in r.text
    assert "For sample lead &#39;critical&#39;" in r.text
    assert "Short Sale Help: Thanks for asking about your home." in r.text  # the company's name, rendered
    assert 'action="/ops/editor/publish"' in r.text or 'formaction="/ops/editor/publish"' in r.text
    assert '<script src="/static/ops_editor.js"' in r.text


def test_an_unknown_file_is_a_404_and_an_unknown_kind_a_422(client):
    assert client.get("/ops/editor/edit", params={"kind": "template", "name": "sms/nope.txt"}).status_code == 404
    assert client.get("/ops/editor/edit", params={"kind": "schedule", "name": "sms/welcome.txt"}).status_code == 404
    assert client.get("/ops/editor/edit", params={"kind": "template", "name": "../pyproject.toml"}).status_code == 404
    assert client.get("/ops/editor/history", params={"kind": "template", "name": "sms/nope.txt"}).status_code == 404
    r = client.get("/ops/editor/edit", params={"kind": "script", "name": "sms/welcome.txt"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.kind"
    assert check(client, "sms/nope.txt", "hi").status_code == 404
    r = client.post("/ops/editor/check", json={"kind": "layout", "name": "sms/welcome.txt", "body": "hi"})
    assert r.status_code == 422
    assert post(client, "draft", kind="template", name="sms/nope.txt", body="hi").status_code == 404
    assert post(client, "draft", kind="script", name="sms/welcome.txt", body="hi").status_code == 400


def test_the_check_counts_an_sms_with_an_emoji_as_ucs2_and_names_the_character(client):
    body = ("{{ company.name }}: Still here for you ☺ whenever you want to talk about your home. "
            "Reply STOP to opt out.\n")
    r = check(client, "sms/check_in.txt", body, sample="active")
    assert r.status_code == 200, r.text
    answer = r.json()
    message = answer["preview"]
    assert message["channel"] == "sms" and "☺" in message["text"]
    assert (message["encoding"], message["segments"]) == segments_by_hand(message["text"])
    assert message["encoding"] == "UCS-2"
    assert message["forcing"] == ["☺"]
    assert answer["encoding"] == "UCS-2" and answer["segments"] >= 2
    assert any("UCS-2" in f["message"] and f["level"] == "warning" for f in answer["findings"])

    plain = check(client, "sms/check_in.txt", body.replace(" ☺", ""), sample="active").json()["preview"]
    assert (plain["encoding"], plain["segments"]) == segments_by_hand(plain["text"])
    assert plain["encoding"] == "GSM-7" and plain["forcing"] == []
    assert plain["segments"] < message["segments"]  # the one character costs a segment or more


def test_the_check_flags_a_banned_regulation_o_claim_and_an_unknown_variable_with_their_lines(client):
    body = CHECK_IN + "We will stop the foreclosure for you.\n"
    answer = check(client, "sms/check_in.txt", body).json()
    assert answer["ok"] is False
    claims = [f for f in answer["findings"] if f["level"] == "error" and "1015.3" in f["message"]]
    assert claims and claims[0]["line"] == 2, answer["findings"]

    answer = check(client, "sms/check_in.txt", "{{ company.name }}: hi {{ nope }}. Reply STOP to opt out.").json()
    assert answer["ok"] is False
    assert any(f["level"] == "error" and "nope" in f["message"] and f["line"] == 1 for f in answer["findings"])


def test_the_check_of_a_schedule_previews_a_sample_leads_timeline_under_the_typed_text(client):
    answer = check(client, "story-sms.yaml", STORY_SMS, sample="critical").json()
    assert answer["ok"] is True and answer["preview"] is None
    timeline = answer["timeline"]
    assert timeline["who"] == "sample lead 'critical'"
    assert any(row["template"] == "sms/welcome" and row["channel"] == "sms" for row in timeline["rows"])

    broken = STORY_SMS.replace("sms/welcome", "sms/no_such_template", 1)
    assert broken != STORY_SMS
    answer = check(client, "story-sms.yaml", broken).json()
    assert answer["ok"] is False and answer["timeline"] is None
    assert any("no_such_template" in f["message"] for f in answer["findings"])
    r = client.get("/ops/editor/edit", params={"kind": "schedule", "name": "story-sms.yaml", "sample": "early"})
    assert r.status_code == 200 and "For sample lead &#39;early&#39;" in r.text and "<th>local time</th>" in r.text


def test_a_text_that_fails_lint_is_not_published_and_is_kept_as_the_draft(client):
    bad = "{{ company.name }}: hi {{ nope }}. Reply STOP to opt out, HELP for help.\n"
    r = post(client, "publish", kind="template", name="sms/welcome.txt", body=bad, note="try")
    assert r.status_code == 409
    assert "Not published" in r.text and "nope" in r.text
    assert textarea(r.text) == bad
    history = client.get("/ops/editor/history", params={"kind": "template", "name": "sms/welcome.txt"})
    assert "Nothing published from the console yet" in history.text
    page = client.get("/ops/editor/edit", params={"kind": "template", "name": "sms/welcome.txt"})
    assert textarea(page.text) == bad and "A draft waits" in page.text
    assert 'id="publish" class="primary" disabled' in page.text


def test_a_draft_is_saved_published_with_a_note_shown_in_the_history_and_reverted(client):
    r = post(client, "draft", kind="template", name="sms/welcome.txt", body=GOOD_WELCOME.replace("\n", "\r\n"))
    assert r.status_code == 303 and "Draft+saved" in r.headers["location"]
    page = client.get(r.headers["location"])
    assert textarea(page.text) == GOOD_WELCOME  # the browser's CRLF kept as the file's line breaks
    assert "A draft waits" in page.text and "Sent now: the file's own text" in page.text

    r = post(client, "publish", kind="template", name="sms/welcome.txt", body=GOOD_WELCOME, note="shorter welcome")
    assert r.status_code == 303 and "version+1" in r.headers["location"]
    page = client.get(r.headers["location"])
    assert "Sent now: published version 1" in page.text and "A draft waits" not in page.text

    history = client.get("/ops/editor/history", params={"kind": "template", "name": "sms/welcome.txt"}).text
    assert "Version 1" in history and "shorter welcome" in history
    assert re.search(r'class="author">[^<]+</span>', history)
    assert '<span class="del">-' + html.escape(WELCOME.rstrip("\n"), quote=True) in history
    assert '<span class="add">+' + html.escape(GOOD_WELCOME.rstrip("\n"), quote=True) in history

    r = post(client, "revert", kind="template", name="sms/welcome.txt", number="0", note="back to the file")
    assert r.status_code == 303 and "/ops/editor/history" in r.headers["location"]
    history = client.get(r.headers["location"]).text
    assert "Reverted to the file" in history and "Version 2" in history
    assert "reverted to the file&#39;s text" in history
    page = client.get("/ops/editor/edit", params={"kind": "template", "name": "sms/welcome.txt"})
    assert textarea(page.text) == WELCOME and "published version 2" in page.text

    r = post(client, "revert", kind="template", name="sms/welcome.txt", number="7")
    assert r.status_code == 409 and "no version 7" in r.text


def test_a_draft_can_be_discarded(client):
    post(client, "draft", kind="template", name="sms/check_in.txt", body=CHECK_IN + "More.\n")
    r = post(client, "discard", kind="template", name="sms/check_in.txt")
    assert r.status_code == 303 and "discarded" in r.headers["location"]
    page = client.get(r.headers["location"])
    assert textarea(page.text) == CHECK_IN and "A draft waits" not in page.text


def test_a_form_posted_from_another_site_changes_nothing(client):
    r = client.post("/ops/editor/draft", data={"kind": "template", "name": "sms/welcome.txt", "body": GOOD_WELCOME},
                    headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert r.status_code == 403
    page = client.get("/ops/editor/edit", params={"kind": "template", "name": "sms/welcome.txt"})
    assert "A draft waits" not in page.text


def test_text_that_cannot_be_stored_is_refused(client):
    assert check(client, "sms/welcome.txt", "hi\x00there").status_code == 422
    r = post(client, "draft", kind="template", name="sms/welcome.txt", body="hi\x00there")
    assert r.status_code == 400 and "control character" in r.text


@pytest.mark.parametrize("sample", ["sale_passed", "sale_estimated"])
def test_every_sample_lead_previews_a_template_and_a_schedule(client, sample):
    message = check(client, "email/welcome.md", (ROOT / "templates/email/welcome.md").read_text("utf-8"), sample=sample)
    assert message.status_code == 200 and message.json()["preview"]["subject"]
    timeline = check(client, "urgency.yaml", (ROOT / "schedules/urgency.yaml").read_text("utf-8"), sample=sample)
    assert timeline.status_code == 200 and timeline.json()["timeline"]["who"] == f"sample lead {sample!r}"


def test_a_preview_on_a_real_lead_names_the_lead(client, lead_id):
    r = check(client, "sms/check_in.txt", CHECK_IN, lead=str(lead_id))
    assert r.status_code == 200 and r.json()["preview"]["who"].startswith(f"lead #{lead_id} Maria Lopez")
    assert check(client, "sms/check_in.txt", CHECK_IN, lead="999999").status_code == 404


PASSWORD = "a long enough password"


def signed_in(name: str, role: str, at) -> TestClient:
    """A browser of a person with an account of `role`, signed in."""
    with session_scope() as s:
        users.add(s, name, role, PASSWORD, actor="cli:test", now=at)
    browser = TestClient(create_app(), follow_redirects=False, **LOOPBACK)
    form = browser.get("/ops/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    r = browser.post("/ops/login", data={"name": name, "password": PASSWORD, "csrf_token": token, "next": ""},
                     headers=SAME_SITE)
    assert r.status_code == 303, r.text
    return browser


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_marketer_changes_content_on_samples_only_and_ops_may_preview_but_not_change(client, lead_id, frozen_now,
                                                                                      monkeypatch):
    monkeypatch.setenv("NURTURE_PUBLIC_URL", "http://127.0.0.1:8000")  # plain http: the session cookie is not Secure
    get_settings.cache_clear()
    marketer, ops = signed_in("maria", "marketer", frozen_now), signed_in("omar", "ops", frozen_now)
    edit = {"kind": "template", "name": "sms/check_in.txt"}
    page = marketer.get("/ops/editor/edit", params=edit)
    assert page.status_code == 200 and 'name="lead"' not in page.text and 'id="publish"' in page.text
    token = {"X-CSRF-Token": csrf_of(page.text)}
    assert marketer.post("/ops/editor/check", json={**edit, "body": CHECK_IN}, headers=token).status_code == 200
    assert marketer.post("/ops/editor/check", json={**edit, "body": CHECK_IN}).status_code == 403  # no token
    r = marketer.post("/ops/editor/check", json={**edit, "body": CHECK_IN, "lead": str(lead_id)}, headers=token)
    assert r.status_code == 403 and "sample leads" in r.json()["detail"][0]["message"]
    assert marketer.get("/ops/editor/edit", params={**edit, "lead": str(lead_id)}).status_code == 403
    r = marketer.post("/ops/editor/draft", data={**edit, "body": CHECK_IN + "Hi.\n"}, headers=SAME_SITE)
    assert r.status_code == 403  # a form without the session's token
    r = marketer.post("/ops/editor/draft", data={**edit, "body": CHECK_IN + "Hi.\n", "csrf_token": csrf_of(page.text)},
                      headers=SAME_SITE)
    assert r.status_code == 303

    page = ops.get("/ops/editor/edit", params=edit)
    assert page.status_code == 200 and 'name="lead"' in page.text
    assert 'id="publish"' not in page.text and 'id="save-draft"' not in page.text and " readonly>" in page.text
    token = csrf_of(page.text)
    r = ops.post("/ops/editor/check", json={**edit, "body": CHECK_IN, "lead": str(lead_id)},
                 headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["preview"]["who"].startswith(f"lead #{lead_id}")
    r = ops.post("/ops/editor/publish", data={**edit, "body": CHECK_IN, "csrf_token": token}, headers=SAME_SITE)
    assert r.status_code == 403
    assert "Nothing published" in ops.get("/ops/editor/history", params=edit).text
