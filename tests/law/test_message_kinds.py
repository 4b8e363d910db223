"""The send gate by kind of message (pure): a system answer needs an address and its own time limit
only; an ops reply needs consent, an unsuppressed address and the legal hours, but neither an active
lead nor room under the caps; a sequence step needs everything. And the marketers' files cannot
borrow the names nurture keeps for itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from nurture.config import Settings
from nurture.content import lint
from nurture.law import Outgoing, PastSend, Rulebook, check_message, message_kind
from nurture.plans.sequences import SequenceError, load_catalog

MIAMI = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[2]


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=MIAMI).astimezone(UTC)


TUESDAY_10 = local("2026-12-01T10:00")
TUESDAY_2130 = local("2026-12-01T21:30")


def miami(status="active", phone="+13055550142", email="maria@example.com"):
    return SimpleNamespace(state="FL", zip="33101", phone=phone, email=email, timezone="America/New_York",
                           status=status, status_reason=None, sale_date=None)


def outgoing(sequence, *, channel="sms", due=TUESDAY_10, expires=None):
    return Outgoing(channel=channel, sequence=sequence, step="x-1", deadline=False, due_at=due, expires_at=expires,
                    sale_date=None, phase=None)


def verdict(sequence, *, lead=None, consent=True, suppressed=None, history=(), now=TUESDAY_10, **kw):
    lead = lead or miami()
    rules = Rulebook().for_lead(lead, consented=consent)
    return check_message(outgoing(sequence, due=now, **kw), lead=lead, rules=rules, consent_granted=consent,
                         suppressed=suppressed, history=list(history), now=now)


def two_texts_this_morning():
    return [PastSend(1, "sms", "story", "a", "sent", TUESDAY_10 - timedelta(hours=2)),
            PastSend(2, "sms", "story", "b", "sent", TUESDAY_10 - timedelta(minutes=30))]


def test_the_kind_comes_from_the_sequence_name():
    assert [message_kind(s) for s in ("system", "ops", "story-sms", "systems")] == ["system", "ops", "sequence",
                                                                                     "sequence"]
    assert outgoing("ops").kind == "ops"


@pytest.mark.parametrize("facts", [
    {"consent": False}, {"suppressed": "stop"}, {"now": TUESDAY_2130}, {"history": two_texts_this_morning()},
    {"lead": miami(status="needs_human")},
], ids=["no consent", "suppressed", "21:30", "caps and gap", "paused lead"])
def test_a_system_answer_goes_whatever_else_holds(facts):
    assert verdict("system", **facts).action == "send"


def test_a_system_answer_still_needs_an_address_and_its_time():
    assert verdict("system", lead=miami(phone=None)).reason == "lead has no phone"
    late = verdict("system", expires=TUESDAY_10 - timedelta(minutes=1))
    assert late.action == "skip" and "the latest it may go out" in late.reason


def test_an_ops_reply_needs_consent_and_an_unsuppressed_address():
    assert "no SMS consent" in verdict("ops", consent=False).reason
    assert "suppressed" in verdict("ops", suppressed="stop").reason
    assert verdict("ops", channel="email", consent=False).action == "send"  # email needs no SMS consent


def test_an_ops_reply_keeps_the_legal_hours_with_the_rule_in_words():
    found = verdict("ops", now=TUESDAY_2130)
    assert found.action == "move"
    assert "FL 8:00-20:00" in found.reason and "501.616" in found.reason
    assert found.move_to == local("2026-12-02T08:00")


def test_an_ops_reply_ignores_the_caps_the_gap_and_the_leads_status():
    assert verdict("ops", history=two_texts_this_morning(), lead=miami(status="needs_human")).action == "send"


def test_a_sequence_step_keeps_everything():
    assert verdict("story").action == "send"
    assert verdict("story", lead=miami(status="needs_human")).action == "skip"
    assert verdict("story", history=two_texts_this_morning()).action == "move"
    assert verdict("story", now=TUESDAY_2130).action == "move"


def test_the_first_text_names_the_sender_whatever_its_kind():
    assert verdict("system").identify and verdict("ops").identify
    assert not verdict("ops", history=two_texts_this_morning()).identify


# -- the names nurture keeps ---------------------------------------------------------------------------


def write_sequence(folder: Path, text: str) -> None:
    (folder / "x.yaml").write_text(text)


def test_a_schedule_cannot_be_named_system_or_ops_nor_send_a_system_template(tmp_path):
    schedules = tmp_path / "schedules"
    schedules.mkdir()
    (schedules / "urgency.yaml").write_text((ROOT / "schedules" / "urgency.yaml").read_text())
    write_sequence(schedules, "name: system\nsteps:\n  - {id: a, channel: sms, template: sms/_help, after: 1d}\n")
    with pytest.raises(SequenceError) as exc:
        load_catalog(schedules, ROOT / "templates")
    text = str(exc.value)
    assert "nurture's own" in text and "an answer nurture sends by itself" in text


@pytest.fixture
def templates(tmp_path):
    import shutil

    target = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", target)
    return target


def errors_of(folder: Path):
    return [f for f in lint(folder, Settings()) if f.severity == "error"]


def test_the_help_and_stop_templates_are_linted(templates):
    assert errors_of(templates) == []
    (templates / "sms" / "_stop.txt").write_text("{{ company.name }}: unsubscribed. See {{ links.start }}\n")
    (templates / "sms" / "_help.txt").write_text("Call us any time.\n")
    problems = {(Path(f.file).name, f.problem.split(":")[0]) for f in errors_of(templates)}
    assert ("_stop.txt", "the opt-out confirmation may only confirm the opt-out (47 CFR 64.1200(a)(12))") in problems
    assert ("_help.txt", "the HELP answer must say how to opt out") in problems
    assert ("_help.txt", "the HELP answer must name the sender") in problems
    (templates / "sms" / "_help.txt").unlink()
    assert any(f.file.endswith("_help.txt") and f.problem.startswith("missing") for f in errors_of(templates))
