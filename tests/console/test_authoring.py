"""Drafts, checks, publishing, history and revert of templates and schedules in the console (issue 27
items 2 and 3), through nurture/console/authoring.py as the console's pages call it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import select

from nurture.accounts import audit
from nurture.config import get_settings
from nurture.console import authoring
from nurture.db import session_scope
from nurture.models import ContentVersion
from nurture.published import overlay
from publishing_helpers import clean_pg, clean_sqlite, publish  # noqa: F401 (fixtures, by name)

ROOT = Path(__file__).resolve().parents[2]
STORY = "story-sms.yaml"
STORY_TEXT = (ROOT / "schedules" / STORY).read_text()
SHORT_SALE = "sms/what_is_short_sale.txt"
FILE_TEXT = (ROOT / "templates" / SHORT_SALE).read_text()
ONE = "{{ company.name }}: a short sale sells the home for less than the loan. Questions? Reply with a good time."
TWO = ("{{ company.name }}: in a short sale the lender agrees to take less than the loan. "
       "Reply with a good time to talk.")


@pytest.mark.usefixtures("clean_sqlite")
def test_a_draft_is_one_per_file_and_a_new_save_overwrites_it():
    with session_scope() as s:
        authoring.save_draft(s, "template", SHORT_SALE, ONE, author="user:maria")
        authoring.save_draft(s, "template", SHORT_SALE, TWO, author="user:jose")
    with session_scope() as s:
        rows = s.exec(select(ContentVersion).where(ContentVersion.name == SHORT_SALE)).all()
        shown = authoring.item(s, "template", SHORT_SALE, get_settings())
    assert [(r.number, r.body, r.author) for r in rows] == [(None, TWO, "user:jose")]
    assert (shown.source, shown.body, shown.file_body) == ("draft", TWO, FILE_TEXT)
    assert overlay.templates_dir() == get_settings().templates_dir  # a draft changes nothing sent


@pytest.mark.usefixtures("clean_sqlite")
def test_a_discarded_draft_leaves_the_file_in_effect():
    with session_scope() as s:
        authoring.save_draft(s, "template", SHORT_SALE, ONE, author="user:maria")
        authoring.discard_draft(s, "template", SHORT_SALE, author="user:maria")
    with session_scope() as s:
        shown = authoring.item(s, "template", SHORT_SALE, get_settings())
    assert (shown.source, shown.body) == ("files", FILE_TEXT)


@pytest.mark.usefixtures("clean_sqlite")
def test_publishing_makes_numbered_versions_with_who_and_a_note_in_the_history():
    publish("template", SHORT_SALE, ONE, author="user:maria", note="shorter")
    publish("template", SHORT_SALE, TWO, author="user:jose", note="about the sale")
    settings = get_settings()
    with session_scope() as s:
        history = authoring.history(s, "template", SHORT_SALE)
        shown = authoring.item(s, "template", SHORT_SALE, settings)
        trail = audit.entries(s, target_kind="template", target=SHORT_SALE)
    assert [(v.number, v.body, v.author, v.note) for v in history] == [
        (2, TWO, "user:jose", "about the sale"), (1, ONE, "user:maria", "shorter")]
    assert (shown.source, shown.body, shown.draft) == ("published v2", TWO, None)
    assert [(e.actor, e.action) for e in trail] == [
        ("user:jose", "publish"), ("user:jose", "draft"), ("user:maria", "publish"), ("user:maria", "draft")]
    assert (overlay.templates_dir(settings) / SHORT_SALE).read_text() == TWO


def test_the_diff_shows_the_lines_that_changed():
    lines = authoring.diff("Hello\nsame\n", "Hi\nsame\n", old_label="v1", new_label="v2")
    assert lines == ["--- v1", "+++ v2", "@@ -1,2 +1,2 @@", "-Hello", "+Hi", " same"]


@pytest.mark.usefixtures("clean_sqlite")
def test_revert_publishes_an_old_text_again_as_a_new_number():
    publish("template", SHORT_SALE, ONE)
    publish("template", SHORT_SALE, TWO)
    settings = get_settings()
    with session_scope() as s:
        again = authoring.revert(s, "template", SHORT_SALE, 1, author="user:ana", note="back", settings=settings)
    with session_scope() as s:
        back_to_file = authoring.revert(s, "template", SHORT_SALE, 0, author="user:ana", note="", settings=settings)
    assert (again.number, again.body, again.reverted_from) == (3, ONE, 1)
    assert (back_to_file.number, back_to_file.body, back_to_file.reverted_from) == (4, FILE_TEXT, 0)
    with session_scope() as s:
        assert [v.number for v in authoring.history(s, "template", SHORT_SALE)] == [4, 3, 2, 1]
        labels = authoring.version_labels(s)
        with pytest.raises(authoring.AuthoringError):
            authoring.revert(s, "template", SHORT_SALE, 9, author="user:ana", note="", settings=settings)
    assert labels[again.digest] == "v1/v3"  # the same text: its messages cannot be told apart
    assert (overlay.templates_dir(settings) / SHORT_SALE).read_text() == FILE_TEXT


@pytest.mark.usefixtures("clean_sqlite")
def test_nothing_to_publish_without_a_draft():
    with session_scope() as s, pytest.raises(authoring.AuthoringError, match="no draft"):
        authoring.publish(s, "template", SHORT_SALE, author="user:maria", note="", settings=get_settings())


@pytest.mark.usefixtures("clean_sqlite")
def test_a_schedule_naming_a_missing_template_is_not_publishable_and_nothing_changes():
    broken = STORY_TEXT.replace("sms/what_is_short_sale", "sms/no_such_text", 1)
    assert broken != STORY_TEXT
    settings = get_settings()
    with session_scope() as s:
        authoring.save_draft(s, "schedule", STORY, broken, author="user:maria")
    with session_scope() as s, pytest.raises(authoring.NotPublishable) as refused:
        authoring.publish(s, "schedule", STORY, author="user:maria", note="", settings=settings)
    [error] = refused.value.check.errors
    assert "sms/no_such_text" in error.message
    assert error.line is not None and "what-is-a-short-sale" in broken.splitlines()[error.line - 1]
    with session_scope() as s:
        assert authoring.history(s, "schedule", STORY) == []
        assert authoring.item(s, "schedule", STORY, settings).source == "draft"  # kept, to be fixed
    assert overlay.schedules_dir() == settings.schedules_dir


@pytest.mark.usefixtures("clean_sqlite")
def test_a_banned_claim_is_not_publishable():
    with session_scope() as s:
        authoring.save_draft(s, "template", SHORT_SALE, "{{ company.name }}: we can stop the foreclosure sale.",
                             author="user:maria")
    with session_scope() as s, pytest.raises(authoring.NotPublishable) as refused:
        authoring.publish(s, "template", SHORT_SALE, author="user:maria", note="", settings=get_settings())
    assert any("stop the foreclosure" in f.message and f.line == 1 for f in refused.value.check.errors)


@pytest.mark.usefixtures("clean_sqlite")
def test_a_text_with_an_unknown_name_is_an_error_at_its_line():
    body = "{{ company.name }}: hello.\nYour sale is {{ sale_dte }}. Reply with a good time."
    with session_scope() as s:
        result = authoring.check(s, "template", SHORT_SALE, body, get_settings())
    assert not result.ok
    assert any("sale_dte" in f.message and f.line == 2 for f in result.errors)


@pytest.mark.usefixtures("clean_sqlite")
def test_an_sms_check_gives_the_segments_of_its_longest_sample():
    with session_scope() as s:
        result = authoring.check(s, "template", SHORT_SALE, ONE, get_settings())
        spanish = authoring.check(s, "template", "es/" + SHORT_SALE, "{{ company.name }}: ¿Sabía que una venta "
                                  "corta puede evitar la subasta? Responda con una buena hora.", get_settings())
    assert result.ok and result.encoding == "GSM-7" and result.segments >= 1
    assert result.characters > len("a short sale sells the home for less than the loan")
    assert spanish.encoding == "UCS-2"  # í has no GSM-7 form


@pytest.mark.parametrize("name", ["../schedules/urgency.yaml", "/etc/passwd", "sms/../sms/welcome.txt",
                                  "layouts/email.html", "sms/not_a_file.txt", "sms\\welcome.txt", ""])
@pytest.mark.usefixtures("clean_sqlite")
def test_names_outside_the_editable_files_are_refused(name):
    with session_scope() as s, pytest.raises(authoring.AuthoringError):
        authoring.save_draft(s, "template", name, ONE, author="user:maria")
    with session_scope() as s:
        assert s.exec(select(ContentVersion)).all() == []


@pytest.mark.usefixtures("clean_sqlite")
def test_an_unknown_kind_is_refused():
    with session_scope() as s, pytest.raises(authoring.AuthoringError, match="unknown kind"):
        authoring.item(s, "layout", "layouts/email.html", get_settings())


def test_the_editable_files_are_the_texts_and_schedules_of_the_files_folders():
    settings = get_settings()
    templates = authoring.files("template", settings)
    assert {"sms/welcome.txt", "email/deficiency.md", "es/sms/welcome.txt", "sms/_help.txt"} <= set(templates)
    assert not any(name.startswith(("layouts/", "es/layouts/")) for name in templates)
    assert "urgency.yaml" in authoring.files("schedule", settings)


@pytest.mark.postgres
@pytest.mark.usefixtures("clean_pg")
def test_eight_people_publishing_one_file_at_once_get_numbers_one_to_eight():
    settings = get_settings()
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def publish_one(i: int) -> None:
        try:
            barrier.wait()
            with session_scope() as s:
                authoring.publish_body(s, "schedule", STORY, STORY_TEXT + f"\n# edit {i}\n", author=f"user:{i}",
                                       note="", settings=settings)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=publish_one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with session_scope() as s:
        versions = authoring.history(s, "schedule", STORY)
    assert sorted(v.number for v in versions) == list(range(1, 9))
    assert sorted(v.author for v in versions) == [f"user:{i}" for i in range(8)]


@pytest.mark.usefixtures("clean_sqlite")
def test_a_translation_s_versions_are_labelled_apart_from_the_english_ones():
    english = publish("template", SHORT_SALE, ONE)
    spanish_text = (ROOT / "templates" / "es" / SHORT_SALE).read_text().rstrip("\n") + " Gracias."
    spanish = publish("template", "es/" + SHORT_SALE, spanish_text)
    with session_scope() as s:
        labels = authoring.version_labels(s)
    assert (labels[english.digest], labels[spanish.digest]) == ("v1", "v1 (es)")
