"""schedules/*.yaml: the defaults are complete, and every mistake is reported with file, step and problem."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nurture.content import THEMES
from nurture.plans.sequences import (
    CHANNELS,
    SequenceError,
    load_catalog,
    parse_duration,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEDULES = ROOT / "schedules"
TEMPLATES = ROOT / "templates"


@pytest.fixture
def sched(tmp_path: Path) -> Path:
    """A copy of the default schedules to break."""
    target = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, target)
    return target


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_sequences_use_every_theme_on_both_channels():
    catalog = load_catalog(SCHEDULES, TEMPLATES if (TEMPLATES / "sms").is_dir() else None)
    used = catalog.templates()
    missing = {f"{c}/{t}" for c in CHANNELS for t in THEMES} - used
    assert not missing


def test_default_cadence_tightens_with_the_tier():
    catalog = load_catalog(SCHEDULES)
    for seq in catalog.sequences:
        for step in seq.steps:
            if step.gap_by_tier:
                gaps = [step.gap_by_tier[t] for t in ("early", "active", "urgent", "critical")]
                assert gaps == sorted(gaps, reverse=True), f"{seq.name}/{step.id}"
                assert step.gap_by_tier["critical"].days == 1


def test_sale_countdown_and_before_sale_steps_are_deadline_content():
    catalog = load_catalog(SCHEDULES)
    for seq in catalog.sequences:
        for step in seq.steps:
            assert step.deadline == (step.kind == "before_sale" or step.theme == "sale_countdown")
    assert any(s.deadline for seq in catalog.sequences for s in seq.steps)


def test_unknown_template_names_file_and_step(sched: Path, tmp_path: Path):
    (tmp_path / "templates" / "sms").mkdir(parents=True)
    (tmp_path / "templates" / "sms" / "welcome.txt").write_text("hi")
    write(sched, "extra.yaml", "name: extra\nsteps:\n  - id: hello\n    channel: sms\n    template: sms/welcom\n    gap: 1d\n")
    for other in ("story-sms.yaml", "story-email.yaml", "countdown.yaml", "after-sale.yaml", "postponed.yaml"):
        (sched / other).unlink()
    with pytest.raises(SequenceError) as info:
        load_catalog(sched, tmp_path / "templates")
    err = info.value
    assert err.file.endswith("extra.yaml")
    assert err.step == "hello"
    assert "unknown template sms/welcom" in err.problem


def test_unknown_template_is_fine_without_a_templates_dir(sched: Path):
    write(sched, "extra.yaml", "name: extra\nsteps:\n  - id: hello\n    channel: sms\n    template: sms/brand_new\n    gap: 1d\n")
    assert "sms/brand_new" in load_catalog(sched).templates()


@pytest.mark.parametrize(
    ("step_yaml", "problem"),
    [
        ("    channel: fax\n    template: sms/welcome\n    gap: 1d\n", "channel 'fax' is not one of sms, email"),
        ("    channel: sms\n    template: email/welcome\n    gap: 1d\n", "is for email, but the step's channel is sms"),
        ("    channel: sms\n    template: sms/welcome\n    gap: two days\n", "'two days' is not a duration"),
        ("    channel: sms\n    template: sms/welcome\n    gap: {early: 1d}\n", "gap gives no time for tier"),
        ("    channel: sms\n    template: sms/welcome\n    gap: {soon: 1d}\n", "gap for unknown tier 'soon'"),
        ("    channel: sms\n    template: sms/welcome\n    gap: 1d\n    at: 10:00\n", 'put times in quotes'),
        ("    channel: sms\n    template: sms/welcome\n    before_sale: 12h\n", "before_sale must be whole days"),
        ("    channel: sms\n    template: sms/welcome\n    gap: 1d\n    after: 1d\n", "give only one of gap, after"),
        ("    channel: sms\n    template: sms/welcome\n    gap: 1d\n    when: {tier: [soon]}\n", "unknown tier soon"),
        ("    channel: sms\n    template: sms/welcome\n    gap: 1d\n    when: {mood: happy}\n", "unknown condition mood"),
        ("    channel: sms\n    template: sms/welcome\n    gap: 1d\n    colour: red\n", "unknown key colour"),
    ],
)
def test_step_mistakes_are_reported_precisely(sched: Path, step_yaml: str, problem: str):
    path = write(sched, "broken.yaml", f"name: broken\nsteps:\n  - id: the-step\n{step_yaml}")
    with pytest.raises(SequenceError) as info:
        load_catalog(sched)
    err = info.value
    assert (err.file, err.step) == (str(path), "the-step")
    assert problem in err.problem
    assert str(path) in str(err) and "'the-step'" in str(err)


def test_duplicate_step_ids_and_names(sched: Path):
    write(sched, "dup.yaml", "name: dup\nsteps:\n  - {id: a, channel: sms, template: sms/welcome, gap: 1d}\n"
          "  - {id: a, channel: sms, template: sms/welcome, gap: 1d}\n")
    write(sched, "twin.yaml", "name: story-sms\nsteps:\n  - {id: a, channel: sms, template: sms/welcome, gap: 1d}\n")
    with pytest.raises(SequenceError) as info:
        load_catalog(sched)
    text = str(info.value)
    assert "dup.yaml: step 'a': step id used twice" in text
    assert "sequence name 'story-sms' is also used by" in text


def test_yaml_syntax_error_gives_the_line(sched: Path):
    write(sched, "bad.yaml", "name: bad\nsteps:\n  - id: [unclosed\n")
    with pytest.raises(SequenceError) as info:
        load_catalog(sched)
    assert "not valid YAML (line" in str(info.value)


def test_post_sale_sequences_cannot_speak_of_the_sale(sched: Path):
    write(sched, "after.yaml", "name: after\nphase: post_sale\nsteps:\n"
          "  - {id: remind, channel: sms, template: sms/sale_countdown, before_sale: 1d}\n")
    with pytest.raises(SequenceError) as info:
        load_catalog(sched)
    assert "post_sale sequence cannot have before_sale" in str(info.value)


def test_urgency_file_is_validated(sched: Path):
    write(sched, "urgency.yaml", "tiers:\n  - name: hot\n    any:\n      - sale_within_days: soon\n")
    with pytest.raises(SequenceError) as info:
        load_catalog(sched)
    text = str(info.value)
    assert "urgency.yaml: step 'tier hot': sale_within_days must be a whole number" in text
    assert "must be `default: true`" in text


def test_a_tier_weekly_cap_is_a_whole_number(sched: Path):
    write(sched, "urgency.yaml", "tiers:\n  - name: hot\n    max_per_week: 0\n    any:\n      - sale_within_days: 7\n"
                                 "  - name: rest\n    max_per_week: lots\n    default: true\n")
    with pytest.raises(SequenceError) as info:
        load_catalog(sched)
    text = str(info.value)
    assert "urgency.yaml: step 'tier hot': max_per_week must be a whole number, 1 or more (found 0)" in text
    assert "urgency.yaml: step 'tier rest': max_per_week must be a whole number, 1 or more (found 'lots')" in text


def test_shipped_tiers_cap_the_week_tighter_as_the_sale_is_further():
    caps = {t.name: t.max_per_week for t in load_catalog(SCHEDULES).urgency.tiers}
    assert caps == {"critical": 7, "urgent": 5, "active": 4, "early": 3}


def test_catalog_is_cached_until_a_file_changes(sched: Path):
    first = load_catalog(sched)
    assert load_catalog(sched) is first
    path = sched / "story-sms.yaml"
    path.write_text(path.read_text().replace("importance: 5", "importance: 6"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = load_catalog(sched)
    assert second is not first
    story = next(s for s in second.sequences if s.name == "story-sms")
    assert next(step for step in story.steps if step.id == "next-steps").importance == 6


def test_durations():
    assert parse_duration("90m").total_seconds() == 5400
    assert parse_duration("1w").days == 7
    with pytest.raises(ValueError):
        parse_duration(3)


@pytest.mark.parametrize(
    ("steps_yaml", "step", "problem"),
    [
        ("  - {id: told, channel: sms, template: sms/sale_postponed, after_postponement: soon}\n", "told",
         "'soon' is not a duration"),
        ("  - {id: told, channel: sms, template: sms/sale_postponed, after_postponement: 0m, gap: 1d}\n", "told",
         "give only one of gap, after, before_sale, after_postponement (found gap, after_postponement)"),
        ("  - {id: told, channel: email, template: email/sale_postponed, gap: 1d, fallback_for: x}\n", "told",
         "fallback_for is for after_postponement steps only"),
        ("  - {id: told, channel: email, template: email/sale_postponed, after_postponement: 0m, fallback_for: nope}\n",
         "told", "fallback_for 'nope' must name an earlier after_postponement step of this sequence (earlier: none)"),
        (("  - {id: a, channel: sms, template: sms/sale_postponed, after_postponement: 0m}\n"
          "  - {id: b, channel: sms, template: sms/sale_postponed, after_postponement: 1h, fallback_for: a}\n"),
         "b", "fallback_for 'a': that step is on sms too; a fallback takes another channel"),
    ],
)
def test_postponement_step_mistakes_are_reported_precisely(sched: Path, steps_yaml: str, step: str, problem: str):
    path = write(sched, "moved.yaml", f"name: moved\nsteps:\n{steps_yaml}")
    with pytest.raises(SequenceError) as info:
        load_catalog(sched)
    assert (info.value.file, info.value.step) == (str(path), step)
    assert problem in info.value.problem


def test_a_post_sale_sequence_cannot_tell_a_postponement(sched: Path):
    write(sched, "after2.yaml", "name: after2\nphase: post_sale\nsteps:\n"
          "  - {id: moved, channel: email, template: email/sale_postponed, after_postponement: 0m}\n")
    with pytest.raises(SequenceError) as info:
        load_catalog(sched)
    assert "after2.yaml: step 'moved': a post_sale sequence cannot have after_postponement steps" in str(info.value)


def test_a_postponement_message_is_found_by_its_step_whatever_the_date():
    catalog = load_catalog(SCHEDULES, TEMPLATES)
    found = catalog.step("postponed", "sale-postponed@2026-12-10")
    assert found is not None and found[1].template == "sms/sale_postponed"
    assert catalog.step("postponed", "no-such-step@2026-12-10") is None
