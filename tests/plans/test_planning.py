"""Re-planning in the database: sent messages stay, future ones follow the lead's facts, the log says why."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from nurture.clock import clock
from nurture.db import session_scope
from nurture.models import Consent, DeliveryEvent, Lead, Message, Suppression
from nurture.plans.replan import allowed_channels, replan, retier_all, timeline
from nurture.plans.sequences import load_catalog

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10:00 in Miami


def new_lead(session, *, sms=True, **kw) -> Lead:
    base = dict(
        first_name="Maria", last_name="Lopez", email="maria@example.com", phone="+13055550142", state="FL",
        zip="33101", timezone="America/New_York", payment_status="behind", months_behind=3,
        foreclosure_stage="sale_scheduled", sale_date=date(2026, 12, 31), enrolled_at=NOW,
    )
    base.update(kw)
    lead = Lead(**base)
    session.add(lead)
    session.flush()
    if sms:
        session.add(Consent(lead_id=lead.id, channel="sms", action="grant", text="I agree", method="web_form", recorded_at=NOW))
        session.flush()
    return lead


def messages(session, lead_id, state=None) -> list[Message]:
    query = select(Message).where(Message.lead_id == lead_id)
    if state:
        query = query.where(Message.state == state)
    return list(session.exec(query.order_by(Message.due_at)).all())


def send(session, rows: list[Message]) -> None:
    for row in rows:
        row.state, row.sent_at = "sent", row.due_at
        session.add(row)
    session.flush()


def test_a_new_lead_gets_planned_rows_and_a_log(db_url):
    with session_scope() as session:
        lead = new_lead(session)
        result = replan(session, lead, now=NOW, cause="new lead")
        lead_id = lead.id
    assert result.planned and not result.cancelled
    with session_scope() as session:
        rows = messages(session, lead_id, "planned")
        assert len(rows) == len(result.planned)
        assert rows[0].template in {"sms/welcome", "email/welcome"}
        assert all(r.tier and r.reason for r in rows)
        events = session.exec(select(DeliveryEvent).where(DeliveryEvent.lead_id == lead_id, DeliveryEvent.kind == "plan")).all()
        assert len(events) == len(rows) + 1
        assert all(e.cause.startswith("new lead") for e in events)


def test_replan_with_no_change_keeps_every_row(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session)
        replan(session, lead, now=NOW, cause="new lead")
        again = replan(session, lead, now=NOW, cause="consent re-confirmed")
        assert again.kept and not again.planned and not again.cancelled


def test_sale_postponed_30_days_mid_sequence(db_url):
    with session_scope() as session:
        lead = new_lead(session, sale_date=date(2026, 12, 20))
        replan(session, lead, now=NOW, cause="new lead")
        planned = messages(session, lead.id, "planned")
        sent_rows = [m for m in planned if m.due_at < NOW + timedelta(days=3)]
        send(session, sent_rows)
        sent_ids = {m.id: ((m.sequence, m.step), m.sent_at) for m in sent_rows}
        later = NOW + timedelta(days=3)
        lead.sale_date = date(2027, 1, 19)
        result = replan(session, lead, now=later, cause="sale date changed")
        lead_id = lead.id
    with session_scope() as session:
        rows = messages(session, lead_id)
        for row in rows:
            if row.id in sent_ids:
                assert row.state == "sent" and ((row.sequence, row.step), row.sent_at) == sent_ids[row.id]
        planned = [r for r in rows if r.state == "planned"]
        assert planned and all(r.due_at >= later for r in planned)
        assert not {(r.sequence, r.step) for r in planned} & {key for key, _ in sent_ids.values()}
        cancelled = [r for r in rows if r.state == "cancelled"]
        assert cancelled and all("sale date changed" in r.reason for r in cancelled)
        # The countdown now counts to the new date: nothing planned speaks of Dec 20.
        deadline = [r for r in planned if r.deadline]
        assert deadline and all(r.due_at.astimezone(NY).date() >= date(2026, 12, 20) for r in deadline)
        assert result.cancelled


def test_sale_date_removed_cancels_deadline_content(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session, sale_date=date(2026, 12, 10))
        replan(session, lead, now=NOW, cause="new lead")
        assert any(m.deadline for m in messages(session, lead.id, "planned"))
        lead.sale_date, lead.foreclosure_stage = None, "notice_of_default"
        replan(session, lead, now=NOW + timedelta(hours=1), cause="sale cancelled")
        planned = messages(session, lead.id, "planned")
        assert planned and not any(m.deadline for m in planned)
        assert {m.tier for m in planned} == {"active"}


def test_sale_date_passed_pauses_the_lead_for_ops(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session, sale_date=date(2026, 12, 5))
        replan(session, lead, now=NOW, cause="new lead")
        result = retier_all(session, now=datetime(2026, 12, 6, 15, tzinfo=UTC))
        assert result == 1
        session.refresh(lead)
        assert lead.status == "paused"
        assert lead.status_reason == "sale date 2026-12-05 has passed: confirm postponed/sold/cancelled"
        assert messages(session, lead.id, "planned") == []
        log = session.exec(select(DeliveryEvent).where(DeliveryEvent.kind == "lead")).all()
        assert [(e.from_state, e.to_state) for e in log] == [("active", "paused")]


def test_a_lead_who_converts_has_every_future_message_cancelled(db_url):
    with session_scope() as session:
        lead = new_lead(session)
        replan(session, lead, now=NOW, cause="new lead")
        first = messages(session, lead.id, "planned")[:1]
        send(session, first)
        lead.status = "converted"
        result = replan(session, lead, now=NOW + timedelta(hours=2), cause="converted via API")
        lead_id = lead.id
    assert result.planned == [] and result.cancelled
    with session_scope() as session:
        rows = messages(session, lead_id)
        assert [r.state for r in rows if r.state != "cancelled"] == ["sent"]
        assert all(r.reason.startswith("re-planned (converted via API): lead is converted") for r in rows if r.state == "cancelled")


def test_queued_messages_are_never_touched(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session)
        replan(session, lead, now=NOW, cause="new lead")
        queued = messages(session, lead.id, "planned")[0]
        queued.state = "queued"
        session.add(queued)
        session.flush()
        lead.status = "legal_hold"
        replan(session, lead, now=NOW, cause="legal hold")
        session.refresh(queued)
        assert queued.state == "queued"


def test_channels_follow_consent_and_suppression(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session, sms=False)
        assert allowed_channels(session, lead) == ({"email"}, {"sms": "no SMS consent"})
        session.add(Consent(lead_id=lead.id, channel="sms", action="grant", method="api", recorded_at=NOW))
        session.add(Suppression(channel="email", address="maria@example.com", reason="bounce"))
        session.flush()
        allowed, notes = allowed_channels(session, lead)
        assert allowed == {"sms"} and "suppressed (bounce)" in notes["email"]
        session.add(Consent(lead_id=lead.id, channel="sms", action="revoke", method="sms_keyword", recorded_at=NOW + timedelta(minutes=1)))
        session.flush()
        assert allowed_channels(session, lead)[0] == set()


def test_sms_consent_granted_later_starts_with_the_welcome(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session, sms=False)
        replan(session, lead, now=NOW, cause="new lead")
        assert {m.channel for m in messages(session, lead.id, "planned")} == {"email"}
        later = NOW + timedelta(days=2)
        session.add(Consent(lead_id=lead.id, channel="sms", action="grant", method="api", recorded_at=later))
        session.flush()
        replan(session, lead, now=later, cause="sms consent")
        sms = [m for m in messages(session, lead.id, "planned") if m.channel == "sms"]
        assert sms[0].template == "sms/welcome" and sms[0].due_at == later


def test_retier_all_leaves_unchanged_leads_alone(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session)
        replan(session, lead, now=NOW, cause="new lead")
        assert retier_all(session, now=NOW + timedelta(days=1)) == 0


def test_timeline_lists_every_message_in_order(sqlite_url):
    clock.freeze(NOW)
    with session_scope() as session:
        lead = new_lead(session)
        replan(session, lead, now=NOW, cause="new lead")
        rows = timeline(session, lead, NOW)
    assert rows and rows == sorted(rows, key=lambda r: r["due_at"])
    assert rows[0]["local"].startswith("Tue 2026-12-01 10:00")
    assert {"state", "channel", "template", "tier", "reason", "deadline"} <= set(rows[0])


@pytest.mark.parametrize("status", ["needs_human", "paused"])
def test_exits_record_the_reason_on_cancelled_rows(sqlite_url, status):
    with session_scope() as session:
        lead = new_lead(session)
        replan(session, lead, now=NOW, cause="new lead")
        lead.status, lead.status_reason = status, "lead replied"
        replan(session, lead, now=NOW, cause="inbound reply")
        cancelled = messages(session, lead.id, "cancelled")
        assert cancelled and all(f"lead is {status}: lead replied" in m.reason for m in cancelled)


def test_retier_all_replans_a_lead_whose_planned_messages_have_another_tier_once(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session)
        replan(session, lead, now=NOW, cause="new lead")
        # The day-before reminder: its time depends on the sale date only, not on the rest of the plan.
        wrong = [m for m in messages(session, lead.id, "planned") if m.sequence == "countdown"][-1]
        good_tier = wrong.tier
        wrong.tier = "early" if good_tier != "early" else "critical"
        session.add(wrong)
        session.flush()
        later = NOW + timedelta(days=1)
        assert retier_all(session, now=later) == 1
        session.refresh(wrong)
        assert wrong.state == "cancelled"
        assert wrong.reason == "re-planned (daily re-tier: tier changed for 1 planned messages)"
        planned = messages(session, lead.id, "planned")
        assert planned and all(m.tier in {"urgent", "critical", "active", "early"} for m in planned)
        assert any(m.due_at == wrong.due_at and m.tier == good_tier for m in planned)
        assert retier_all(session, now=later + timedelta(days=1)) == 0


def post_sale_catalog(tmp_path: Path):
    folder = tmp_path / "schedules"
    shutil.copytree(Path(__file__).resolve().parents[2] / "schedules", folder)
    (folder / "after-sale.yaml").unlink()  # the shipped closing email, replaced by two steps here
    (folder / "after.yaml").write_text(
        "name: after-sale\nphase: post_sale\nsteps:\n"
        "  - {id: checkin, channel: email, template: email/next_steps, after: 2d, window: '12:00-17:00'}\n"
        "  - {id: later, channel: email, template: email/next_steps, gap: 5d, window: '12:00-17:00'}\n"
    )
    return load_catalog(folder)


def test_with_a_post_sale_sequence_a_passed_sale_is_not_replanned_every_day(sqlite_url, tmp_path):
    catalog = post_sale_catalog(tmp_path)
    assert catalog.phase("post_sale")
    with session_scope() as session:
        lead = new_lead(session, sale_date=date(2026, 12, 5))
        replan(session, lead, now=NOW, cause="new lead", catalog=catalog)
        after_sale = datetime(2026, 12, 6, 15, tzinfo=UTC)
        send(session, [m for m in messages(session, lead.id, "planned") if m.due_at < after_sale])
        replan(session, lead, now=after_sale, cause="sale passed", catalog=catalog)
        post = [m for m in messages(session, lead.id, "planned") if m.sequence == "after-sale"]
        assert [m.step for m in post] == ["checkin", "later"]
        for day in (1, 2, 3):
            assert retier_all(session, now=after_sale + timedelta(days=day), catalog=catalog) == 0
        session.refresh(lead)
        assert lead.status == "active"
        assert [m.id for m in messages(session, lead.id, "planned") if m.sequence == "after-sale"] == [m.id for m in post]


PASSED_1205 = "sale date 2026-12-05 has passed: confirm postponed/sold/cancelled"


def test_a_passed_sale_gets_one_closing_email_ops_are_told_once_then_the_lead_is_paused(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session, sale_date=date(2026, 12, 5))
        replan(session, lead, now=NOW, cause="new lead")
        # Everything before the sale went out (the welcomes among it).
        send(session, messages(session, lead.id, "planned"))
        day_after = datetime(2026, 12, 6, 14, tzinfo=UTC)  # Sunday 09:00 in Miami
        assert retier_all(session, now=day_after) == 1
        session.refresh(lead)
        assert lead.status == "active"
        closing = messages(session, lead.id, "planned")
        assert [(m.sequence, m.step, m.channel, m.template) for m in closing] == [
            ("after-sale", "closing", "email", "email/after_sale")]
        # After the sale day, in the email's window (12:00-17:00 Miami), within 14 days of the sale;
        # this lead had four messages in its last week, so the weekly cap (active: 4) may hold it.
        local = closing[0].due_at.astimezone(NY)
        assert date(2026, 12, 6) <= local.date() <= date(2026, 12, 19) and 12 <= local.hour < 17
        told = session.exec(select(DeliveryEvent).where(DeliveryEvent.lead_id == lead.id,
                                                        DeliveryEvent.kind == "lead")).all()
        assert [(e.from_state, e.to_state, e.cause) for e in told] == [
            (None, None, f"daily re-tier: sale date passed: {PASSED_1205}")]
        # The next days: not re-planned, not told again, the same row waits.
        for later in (timedelta(hours=2), timedelta(days=1)):
            assert retier_all(session, now=day_after + later) == 0
        assert [m.id for m in messages(session, lead.id, "planned")] == [m.id for m in closing]
        # It went; the next re-tier pauses the lead for ops with the same words.
        send(session, closing)
        assert retier_all(session, now=day_after + timedelta(days=2)) == 1
        session.refresh(lead)
        assert (lead.status, lead.status_reason) == ("paused", PASSED_1205)
        assert messages(session, lead.id, "planned") == []
        log = session.exec(select(DeliveryEvent).where(DeliveryEvent.lead_id == lead.id,
                                                       DeliveryEvent.kind == "lead")).all()
        assert [(e.from_state, e.to_state) for e in log] == [(None, None), ("active", "paused")]
        sent = [m for m in messages(session, lead.id, "sent") if m.sequence == "after-sale"]
        assert len(sent) == 1


def test_a_postponement_is_told_once_and_the_countdown_moves_to_the_new_date(sqlite_url):
    with session_scope() as session:
        lead = new_lead(session, sale_date=date(2026, 12, 20))
        replan(session, lead, now=NOW, cause="new lead")
        send(session, [m for m in messages(session, lead.id, "planned") if m.due_at < NOW + timedelta(days=2)])
        learned = NOW + timedelta(days=2)  # Thursday Dec 3, 10:00 in Miami
        lead.sale_date, lead.sale_postponed_from, lead.sale_postponed_at = date(2027, 1, 19), date(2026, 12, 20), learned
        replan(session, lead, now=learned, cause="sale date changed")
        planned = messages(session, lead.id, "planned")
        told = [m for m in planned if m.sequence == "postponed"]
        assert [(m.step, m.channel, m.due_at) for m in told] == [("sale-postponed@2026-12-20", "sms", learned)]
        assert {m.sale_date for m in planned if m.deadline} == {date(2027, 1, 19)}
        send(session, told)
        # Planned again an hour later (a reply, a webhook) and by the re-tier: never told twice.
        again = replan(session, lead, now=learned + timedelta(hours=1), cause="consent re-confirmed")
        retier_all(session, now=learned + timedelta(days=1))
        rows = [m for m in messages(session, lead.id) if m.sequence == "postponed" and m.state != "cancelled"]
        assert [(m.step, m.state) for m in rows] == [("sale-postponed@2026-12-20", "sent")]
        assert not any(m.sequence == "postponed" for m in messages(session, lead.id, "planned"))
        assert again.lead_action is None
