"""The folders the product reads (issue 27): the files themselves while nothing is published; with a
publish, the published text over them, for the dispatcher of this process at once and for any
other process, with an edit on disk still showing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from delivery_helpers import add_lead, cancel_plan, message, queue_message
from nurture.cli import app
from nurture.clock import clock
from nurture.config import get_settings
from nurture.console.results import template_results
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import ContentVersion
from nurture.published import overlay
from nurture.web import create_app
from web_helpers import LOOPBACK
from publishing_helpers import clean_sqlite, clean_versions, publish  # noqa: F401 (fixtures, by name)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Miami
NEW_TEXT = ("{{ company.name }}: a short sale can close before the sale date, and the bank may forgive "
            "what the sale does not cover. Reply with a good time to talk.")


@pytest.mark.usefixtures("clean_sqlite")
def test_with_nothing_published_the_product_reads_the_files_folders_themselves():
    settings = get_settings()
    assert overlay.templates_dir() == settings.templates_dir
    assert overlay.schedules_dir() == settings.schedules_dir


def test_without_a_database_file_nothing_is_published_and_no_file_is_made(tmp_path, monkeypatch):
    missing = tmp_path / "none.db"
    monkeypatch.setenv("NURTURE_DATABASE_URL", f"sqlite:///{missing}")
    get_settings.cache_clear()
    overlay.refresh()
    assert overlay.templates_dir() == ROOT / "templates"
    assert not missing.exists()


@pytest.mark.usefixtures("clean_versions")
def test_a_published_text_is_sent_by_the_dispatcher_and_counted_as_its_version(providers):
    clock.freeze(NOW)
    before, after = (add_lead(NOW, phone=phone, email=email) for phone, email in
                     (("(305) 555-0142", "maria@example.com"), ("(305) 555-0177", "jose@example.com")))
    for lead_id in (before, after):
        cancel_plan(lead_id, NOW)
    dispatcher = Dispatcher()  # one per process: it must notice the publish itself
    first = queue_message(before, NOW, template="sms/what_is_short_sale")
    assert dispatcher.send(first).state == "sent"

    version = publish("template", "sms/what_is_short_sale.txt", NEW_TEXT, note="plainer words")
    second = queue_message(after, NOW, template="sms/what_is_short_sale")
    assert dispatcher.send(second).state == "sent"

    bodies = [m.body for m in providers.received]
    assert "bank may forgive what the sale does not cover" not in bodies[0]
    assert "bank may forgive what the sale does not cover" in bodies[1]
    assert version.number == 1
    assert message(second).template_version == version.digest != message(first).template_version
    with session_scope() as s:
        results = {r.total.template: r for r in template_results(s, start=NOW.replace(hour=0), end=NOW.replace(hour=23),
                                                                   now=NOW)}
    split = results["sms/what_is_short_sale"]
    assert [(r.version, r.sent) for r in split.versions] == [("files", 1), ("v1", 1)]
    assert split.as_dict()["versions"][1]["version"] == "v1"
    with TestClient(create_app(), follow_redirects=False, **LOOPBACK) as client:
        page = client.get("/ops/templates", params={"window": "today"}).text
    assert "version <strong>v1</strong>" in page and "from the <strong>files</strong>" in page
    clock.freeze(NOW + timedelta(minutes=1))  # the window ends at the clock, the sends it counts before it
    data = json.loads(CliRunner().invoke(app, ["stats", "--by", "template", "--json"]).stdout)
    short = next(t for t in data["templates"] if t["template"] == "sms/what_is_short_sale")
    assert [(r["version"], r["sent"]) for r in short["versions"]] == [("files", 1), ("v1", 1)]
    lines = CliRunner().invoke(app, ["stats", "--by", "template"]).stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("sms/what_is_short_sale "))
    assert [line.split()[:2] for line in lines[at + 1:at + 3]] == [["version", "files"], ["version", "v1"]]


@pytest.mark.usefixtures("clean_sqlite")
def test_a_published_email_records_the_version_its_messages_are_matched_by(providers):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    name = "email/what_is_short_sale.md"
    text = (ROOT / "templates" / name).read_text()
    assert "\n\n" in text
    head, _, body = text.partition("\n\n")
    version = publish("template", name, head + "\n\nA short sale, in plain words, and what the lender decides.\n\n"
                      + body)
    sent = queue_message(lead_id, NOW, channel="email", template="email/what_is_short_sale")
    assert Dispatcher().send(sent).state == "sent"
    assert "A short sale, in plain words" in providers.received[0].body
    assert message(sent).template_version == version.digest  # the store's hash, layout and all


@pytest.mark.usefixtures("clean_sqlite")
def test_threads_reading_at_once_after_a_publish_all_get_the_whole_new_set():
    publish("template", "sms/what_is_short_sale.txt", NEW_TEXT)
    overlay.refresh()
    seen: list[str] = []
    barrier = threading.Barrier(8)

    def read() -> None:
        barrier.wait()
        folder = overlay.templates_dir()
        seen.append((folder / "sms" / "what_is_short_sale.txt").read_text()
                    + str(sum(1 for p in folder.rglob("*") if p.is_file())))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    files = sum(1 for p in (ROOT / "templates").rglob("*") if p.is_file())
    assert seen == [NEW_TEXT + str(files)] * 8


@pytest.mark.usefixtures("clean_sqlite")
def test_a_published_schedule_is_the_one_planned_with():
    from nurture.plans.sequences import default_catalog

    original = (ROOT / "schedules" / "story-sms.yaml").read_text()
    assert "description:" in original
    publish("schedule", "story-sms.yaml", original.replace("description:", "description: (edited)", 1))
    catalog = default_catalog()
    story = [s for s in catalog.sequences if Path(s.file).name == "story-sms.yaml"]
    assert story and story[0].description.startswith("(edited)")


@pytest.mark.usefixtures("clean_sqlite")
def test_an_edit_on_disk_still_shows_beside_a_published_version(english_templates):
    publish("template", "sms/what_is_short_sale.txt", NEW_TEXT)
    deficiency = english_templates / "sms" / "deficiency.txt"
    deficiency.write_text(deficiency.read_text() + " Edited on disk.")
    overlay.refresh()
    folder = overlay.templates_dir()
    assert folder != english_templates
    assert (folder / "sms" / "deficiency.txt").read_text().endswith("Edited on disk.")
    assert (folder / "sms" / "what_is_short_sale.txt").read_text() == NEW_TEXT
    assert english_templates.joinpath("sms", "what_is_short_sale.txt").read_text() != NEW_TEXT  # the file is kept


@pytest.mark.usefixtures("clean_sqlite")
def test_another_process_sees_a_publish():
    publish("template", "sms/what_is_short_sale.txt", NEW_TEXT)
    script = ("from nurture.published import overlay\n"
              "print((overlay.templates_dir() / 'sms' / 'what_is_short_sale.txt').read_text(), end='')")
    env = {k: v for k, v in os.environ.items()}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout == NEW_TEXT


@pytest.mark.usefixtures("clean_sqlite")
def test_a_published_name_outside_its_folder_is_never_written(tmp_path):
    with session_scope() as s:  # as if written by hand into the table: the console refuses such names
        s.add(ContentVersion(kind="template", name="../escaped.txt", number=1, body="x", digest="x", author="t"))
    overlay.refresh()
    folder = overlay.templates_dir()
    assert not (folder.parent / "escaped.txt").exists()
    assert (folder / "sms" / "welcome.txt").is_file()


@pytest.mark.usefixtures("clean_sqlite")
def test_overlays_are_whole_folders_that_never_change():
    publish("template", "sms/what_is_short_sale.txt", NEW_TEXT)
    first = overlay.templates_dir()
    publish("template", "sms/what_is_short_sale.txt", NEW_TEXT + " Again.")
    second = overlay.templates_dir()
    assert first != second
    assert (first / "sms" / "what_is_short_sale.txt").read_text() == NEW_TEXT
    assert (second / "sms" / "what_is_short_sale.txt").read_text() == NEW_TEXT + " Again."
    shipped = sorted(p.relative_to(ROOT / "templates") for p in (ROOT / "templates").rglob("*") if p.is_file())
    assert sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file()) == shipped
    with session_scope() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(ContentVersion)).scalar() == 2


@pytest.mark.usefixtures("clean_sqlite")
def test_overlays_nobody_used_for_a_while_are_removed_but_the_newest_few_kept():
    publish("template", "sms/what_is_short_sale.txt", NEW_TEXT)
    previous = overlay.templates_dir().parent
    root = previous.parent
    long_ago = time.time() - overlay.PRUNE_AFTER - 60
    for n in range(5):
        stale = root / f"stale{n}-0"
        (stale / "templates").mkdir(parents=True)
        os.utime(stale, (long_ago + n, long_ago + n))
    publish("template", "sms/what_is_short_sale.txt", NEW_TEXT + " Again.")
    current = overlay.templates_dir().parent
    # in use lately: the new one and the one before it; unused for long: all but the newest (the third kept)
    assert sorted(p.name for p in root.iterdir()) == sorted([current.name, previous.name, "stale4-0"])
    assert overlay.KEEP == 3
