"""A/B variants: files beside a template, weights in a step, a sticky draw per lead recorded on the
message row, every variant linted, and the dispatcher sending the drawn variant."""

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from delivery_helpers import add_lead, cancel_plan, message, queue_message
from nurture.clock import clock
from nurture.config import Settings, get_settings
from nurture.content import TemplateStore, lint, split_name
from nurture.db import session_scope
from nurture.delivery.dispatch import Dispatcher
from nurture.models import Message
from nurture.plans.sequences import SequenceError, load_catalog_uncached
from nurture.content.variants import assign, choose, weights_for

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_the_shipped_example_variant_is_found_beside_its_template():
    store = TemplateStore(ROOT / "templates")
    assert "sms/waiting_worse.b" in store.names()
    assert store.variants("sms/waiting_worse") == ["a", "b"]
    assert store.variants("sms/welcome") == []
    assert split_name("sms/waiting_worse.b") == ("sms", "waiting_worse")
    with pytest.raises(ValueError):
        split_name("sms/waiting_worse.a")  # "a" is the template's own file


def test_a_draw_is_the_same_every_time_for_a_lead_and_template():
    weights = [("a", 1), ("b", 1)]
    assert {assign(42, "sms/waiting_worse", weights) for _ in range(20)} == {assign(42, "sms/waiting_worse", weights)}


def test_draws_follow_the_weights_and_never_pick_a_stopped_variant():
    drawn = Counter(assign(lead_id, "sms/waiting_worse", [("a", 70), ("b", 30), ("c", 0)]) for lead_id in range(20_000))
    assert set(drawn) == {"a", "b"}
    assert drawn["a"] / 20_000 == pytest.approx(0.70, abs=0.015)


def test_a_step_may_weigh_the_variants(tmp_path):
    schedules = tmp_path / "schedules"
    shutil.copytree(ROOT / "schedules", schedules)
    story = yaml.safe_load((schedules / "story-sms.yaml").read_text())
    step = next(s for s in story["steps"] if s["template"] == "sms/waiting_worse")
    step["variants"] = {"a": 80, "b": 20}
    (schedules / "story-sms.yaml").write_text(yaml.safe_dump(story))
    catalog = load_catalog_uncached(schedules, ROOT / "templates")
    _, parsed = catalog.step("story-sms", step["id"])
    assert parsed.variants == (("a", 80), ("b", 20))
    assert weights_for(TemplateStore(ROOT / "templates"), "sms/waiting_worse", parsed) == [("a", 80), ("b", 20)]


@pytest.mark.parametrize("variants, problem", [
    ({"a": 50, "c": 50}, "variant 'c' of sms/waiting_worse has no file"),
    ({"a": 0, "b": 0}, "at least one variant needs a weight above 0"),
    ({"a": "half"}, "must be a whole number"),
    ({"B!": 1}, "short name of lower-case letters"),
    ([1, 2], "mapping of variant to weight"),
])
def test_bad_variant_weights_name_the_step_and_the_problem(tmp_path, variants, problem):
    schedules = tmp_path / "schedules"
    shutil.copytree(ROOT / "schedules", schedules)
    story = yaml.safe_load((schedules / "story-sms.yaml").read_text())
    step = next(s for s in story["steps"] if s["template"] == "sms/waiting_worse")
    step["variants"] = variants
    (schedules / "story-sms.yaml").write_text(yaml.safe_dump(story))
    with pytest.raises(SequenceError) as info:
        load_catalog_uncached(schedules, ROOT / "templates")
    assert f"step '{step['id']}'" in str(info.value) and problem in str(info.value)


def test_lint_renders_every_variant_and_refuses_one_without_its_template(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "sms" / "waiting_worse.b.txt").write_text("{{ lead.first_name }}, {{ lead.nickname }}\n")
    (templates / "sms" / "orphan.b.txt").write_text("Hello {{ lead.first_name }}\n")
    findings = [str(f) for f in lint(templates, Settings())]
    assert any("waiting_worse.b.txt:1: error" in f and "nickname" in f for f in findings), findings
    assert any("orphan.b.txt: error: variant 'b' of sms/orphan has no orphan.txt" in f for f in findings), findings


def test_the_dispatcher_sends_the_drawn_variant_and_records_it_sticky(sqlite_url):
    clock.freeze(NOW)
    store = TemplateStore(get_settings().templates_dir)
    drawn = {}
    for n in range(12):  # leads until both variants were drawn
        lead_id = add_lead(NOW, phone=f"(305) 555-01{n:02d}", email=f"v{n}@example.com")
        cancel_plan(lead_id, NOW)
        drawn[lead_id] = assign(lead_id, "sms/waiting_worse", [("a", 1), ("b", 1)])
        if set(drawn.values()) == {"a", "b"}:
            break
    d = Dispatcher()
    for lead_id, variant in drawn.items():
        msg_id = queue_message(lead_id, NOW, template="sms/waiting_worse", step=f"ww-{lead_id}")
        assert d.send(msg_id).state == "delivered"
        sent = message(msg_id)
        assert sent.variant == variant
        own = "each month of waiting" in sent.body
        assert own == (variant == "b"), sent.body
    lead_id, variant = next(iter(drawn.items()))
    with session_scope() as session:
        assert session.exec(select(Message.variant).where(Message.lead_id == lead_id,
                                                          Message.variant.is_not(None))).all() == [variant]


def test_a_lead_keeps_the_variant_it_got_even_when_a_fresh_draw_would_differ(sqlite_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    fresh = assign(lead_id, "sms/waiting_worse", [("a", 1), ("b", 1)])
    kept = "a" if fresh == "b" else "b"
    with session_scope() as session:
        first = session.get(Message, queue_message(lead_id, NOW, template="sms/waiting_worse", step="earlier"))
        first.variant = kept
        session.add(first)
    store = TemplateStore(get_settings().templates_dir)
    with session_scope() as session:
        assert choose(session, store, lead_id=lead_id, template="sms/waiting_worse", step=None) == kept


def test_a_template_without_variants_records_none(sqlite_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW)
    cancel_plan(lead_id, NOW)
    msg_id = queue_message(lead_id, NOW, template="sms/what_is_short_sale")
    assert Dispatcher().send(msg_id).state == "delivered"
    assert message(msg_id).variant is None
