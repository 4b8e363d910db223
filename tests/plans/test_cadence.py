"""The business's cadence rules (issue 24 item 2): one theme a day or two, four hours between two texts
or two emails, a countdown that does not count down every day, a weekly cap per tier, holidays off.

Each test plans a lead in Arizona (federal hours only, 8:00-21:00; Phoenix keeps no daylight saving)
from small schedules written here, and the expected times are worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from nurture.models import Lead
from nurture.plans.cadence import BusinessHolidays
from nurture.plans.planner import PastMessage, plan
from nurture.plans.sequences import load_catalog

AZ = ZoneInfo("America/Phoenix")
NO_HOLIDAYS = SimpleNamespace(email_quiet_hours=True, business_holidays="")
BOTH = {"sms", "email"}


def az(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=AZ).astimezone(UTC)


def catalog(tmp_path: Path, files: dict[str, str], *, max_per_week: int | None = None):
    folder = tmp_path / "schedules"
    folder.mkdir()
    cap = f"    max_per_week: {max_per_week}\n" if max_per_week else ""
    (folder / "urgency.yaml").write_text(f"tiers:\n  - name: all\n{cap}    default: true\n")
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text)
    return load_catalog(folder)


def lead(now: datetime, **kw) -> Lead:
    base = {"first_name": "Maria", "state": "AZ", "timezone": "America/Phoenix", "enrolled_at": now,
            "payment_status": "behind", "months_behind": 3}
    base.update(kw)
    return Lead(**base)


def run(cat, person: Lead, now: datetime, *, settings=NO_HOLIDAYS, history=()):
    return plan(person, cat, now, channels=BOTH, settings=settings, history=list(history))


def times(result) -> dict[str, datetime]:
    return {m.step: m.due_at for m in result.messages}


WELCOMES = {
    "texts": "name: texts\nsteps:\n  - {id: welcome, channel: sms, template: sms/welcome, gap: 0m, window: anytime}\n",
    "emails": "name: emails\nsteps:\n  - {id: welcome-email, channel: email, template: email/welcome, gap: 0m, window: anytime}\n",
}


def test_the_same_theme_waits_48_hours_for_the_other_channel_but_the_welcomes_go_together(tmp_path):
    cat = catalog(tmp_path, {
        "texts": WELCOMES["texts"] + "  - {id: short-sale-sms, channel: sms, template: sms/what_is_short_sale,"
                                     " gap: 1d, window: '10:00-18:00'}\n",
        "emails": WELCOMES["emails"] + "  - {id: short-sale-email, channel: email, template: email/what_is_short_sale,"
                                       " gap: 1d, window: '12:00-17:00'}\n",
    })
    now = az("2027-02-01T09:00")  # a Monday
    result = run(cat, lead(now), now)
    got = times(result)
    # Both welcomes at once (speed to lead); the text of the theme the next day at 10:00; the email of
    # the same theme, due Tue 12:00, waits until 48 h after the text (Thu 10:00), then its window (12:00).
    assert got == {
        "welcome": az("2027-02-01T09:00"),
        "welcome-email": az("2027-02-01T09:00"),
        "short-sale-sms": az("2027-02-02T10:00"),
        "short-sale-email": az("2027-02-04T12:00"),
    }
    email = next(m for m in result.messages if m.step == "short-sale-email")
    assert "the same theme (what_is_short_sale) at most once in 48 h" in email.reason


def test_a_theme_sent_yesterday_by_email_holds_the_text_of_that_theme(tmp_path):
    cat = catalog(tmp_path, {
        "texts": WELCOMES["texts"] + "  - {id: short-sale-sms, channel: sms, template: sms/what_is_short_sale,"
                                     " gap: 1d, window: '10:00-18:00'}\n",
        "emails": WELCOMES["emails"] + "  - {id: short-sale-email, channel: email, template: email/what_is_short_sale,"
                                       " gap: 1d}\n",
    })
    enrolled = az("2027-02-01T09:00")
    now = az("2027-02-02T15:00")
    history = [PastMessage("welcome", "texts", "sms", enrolled, "sent"),
               PastMessage("welcome-email", "emails", "email", enrolled, "sent"),
               PastMessage("short-sale-email", "emails", "email", az("2027-02-02T09:00"), "sent")]
    result = run(cat, lead(enrolled), now, history=history)
    # The text was due Tue 10:00 (so planned from now, 15:00); the email went Tue 09:00: Thu 09:00,
    # then the text's window opens at 10:00.
    assert times(result) == {"short-sale-sms": az("2027-02-04T10:00")}


def test_two_emails_are_four_hours_apart_and_a_text_does_not_count(tmp_path):
    cat = catalog(tmp_path, {
        "texts": WELCOMES["texts"] + "  - {id: later-text, channel: sms, template: sms/negative_equity, after: 5h}\n",
        "emails": WELCOMES["emails"] + "  - {id: soon-email, channel: email, template: email/bank_says_no, after: 2h}\n",
    })
    now = az("2027-02-01T09:00")
    result = run(cat, lead(now), now)
    # The email due 11:00 waits for 13:00 (the welcome email at 09:00 + 4 h); the text at 14:00 is
    # 5 h after the welcome text and goes as planned, an hour after the email.
    assert times(result) == {
        "welcome": az("2027-02-01T09:00"),
        "welcome-email": az("2027-02-01T09:00"),
        "soon-email": az("2027-02-01T13:00"),
        "later-text": az("2027-02-01T14:00"),
    }
    email = next(m for m in result.messages if m.step == "soon-email")
    assert "cadence: no two emails within 4 h" in email.reason
    text = next(m for m in result.messages if m.step == "later-text")
    assert "moved" not in text.reason


COUNTDOWN = """name: countdown
steps:
  - {id: d14, channel: sms, template: sms/sale_countdown, before_sale: 14d, at: "10:00"}
  - {id: d10, channel: email, template: email/sale_countdown, before_sale: 10d, at: "10:00"}
  - {id: d7, channel: sms, template: sms/sale_countdown, before_sale: 7d, at: "10:00"}
  - {id: d5, channel: email, template: email/sale_countdown, before_sale: 5d, at: "10:00"}
  - {id: d3, channel: sms, template: sms/sale_countdown, before_sale: 3d, at: "10:00"}
  - {id: d2, channel: email, template: email/sale_countdown, before_sale: 2d, at: "10:00"}
  - {id: d1, channel: sms, template: sms/sale_countdown, before_sale: 1d, at: "10:00"}
"""


def test_the_countdown_goes_every_three_days_at_most_until_the_last_three(tmp_path):
    cat = catalog(tmp_path, {"countdown": COUNTDOWN})
    now = az("2027-02-01T09:00")
    result = run(cat, lead(now, sale_date=date(2027, 3, 1), foreclosure_stage="sale_scheduled"), now)
    # Sale Mon 2027-03-01: 14d Feb 15, 10d Feb 19 (4 days on), 7d Feb 22 (3 days on), 5d Feb 24 only
    # 2 days after the 7d one: dropped; then the last three days, daily: Feb 26, 27, 28.
    assert times(result) == {
        "d14": az("2027-02-15T10:00"),
        "d10": az("2027-02-19T10:00"),
        "d7": az("2027-02-22T10:00"),
        "d3": az("2027-02-26T10:00"),
        "d2": az("2027-02-27T10:00"),
        "d1": az("2027-02-28T10:00"),
    }
    dropped = next(s for s in result.skipped if s.step == "d5")
    assert "countdown goes at most every 3 days until the last 3" in dropped.reason


def test_the_weekly_cap_holds_the_story_back_and_says_so(tmp_path):
    steps = "".join(f"  - {{id: s{n}, channel: email, template: email/{t}}}\n"
                    for n, t in enumerate(["negative_equity", "bank_says_no", "deficiency", "credit_impact",
                                           "next_steps"], 1))
    story = WELCOMES["emails"].replace("steps:\n", "gap: 1d\nwindow: '12:00-17:00'\nsteps:\n") + steps
    cat = catalog(tmp_path, {"emails": story}, max_per_week=3)
    now = az("2027-02-01T09:00")
    result = run(cat, lead(now), now)
    # Welcome Mon 09:00, s1 Tue 12:00, s2 Wed 12:00: three in a week. s3 (due Thu 12:00) waits until the
    # welcome leaves the week (Mon Feb 8 09:00), then its window: 12:00. s4 Tue 12:00: exactly a week after
    # s1, so s2, s3, s4 are the three of its week; s5 Wed Feb 10 12:00 likewise.
    assert times(result) == {
        "welcome-email": az("2027-02-01T09:00"),
        "s1": az("2027-02-02T12:00"),
        "s2": az("2027-02-03T12:00"),
        "s3": az("2027-02-08T12:00"),
        "s4": az("2027-02-09T12:00"),
        "s5": az("2027-02-10T12:00"),
    }
    s3 = next(m for m in result.messages if m.step == "s3")
    assert "cadence: at most 3 messages in any 7 days (tier all)" in s3.reason
    due = sorted(times(result).values())
    assert all(sum(1 for t in due if start <= t < start + timedelta(days=7)) <= 3 for start in due)


def test_the_weekly_cap_never_holds_back_the_sale_date_reminders(tmp_path):
    story = WELCOMES["texts"].replace("steps:\n", "gap: 1d\nwindow: '10:00-18:00'\nsteps:\n") + (
        "  - {id: s1, channel: sms, template: sms/negative_equity}\n")
    cat = catalog(tmp_path, {"texts": story, "countdown": COUNTDOWN}, max_per_week=2)
    # Sale Mon Mar 1: the 3d, 2d and 1d reminders are ahead; the others were missed, and the next one is
    # less than a day away, so no catch-up.
    now = az("2027-02-25T12:00")
    result = run(cat, lead(now, sale_date=date(2027, 3, 1), foreclosure_stage="sale_scheduled"), now)
    # The welcome and three reminders (Feb 26, 27, 28) count 4 > 2, but go; the story text finds no week
    # with room before the sale and is not planned.
    assert times(result) == {
        "welcome": az("2027-02-25T12:00"),
        "d3": az("2027-02-26T10:00"),
        "d2": az("2027-02-27T10:00"),
        "d1": az("2027-02-28T10:00"),
    }
    assert any(s.step == "s1" and "at most 2 messages in any 7 days" in s.reason for s in result.skipped)


def test_business_holidays_move_messages_off_them(tmp_path):
    cat = catalog(tmp_path, {
        "emails": WELCOMES["emails"] + "  - {id: s1, channel: email, template: email/negative_equity, gap: 1d,"
                                       " window: '12:00-17:00'}\n",
        "countdown": "name: countdown\nsteps:\n"
                     "  - {id: d2, channel: sms, template: sms/sale_countdown, before_sale: 2d, at: '10:00'}\n",
    })
    defaults = SimpleNamespace(email_quiet_hours=True)  # NURTURE_BUSINESS_HOLIDAYS left at its default
    now = az("2027-11-24T09:00")  # the day before Thanksgiving (the 4th Thursday: Nov 25, 2027)
    result = run(cat, lead(now, sale_date=date(2027, 12, 27), foreclosure_stage="sale_scheduled"), now,
                 settings=defaults)
    # s1 due Thanksgiving 12:00 -> Friday 12:00; the 2-day reminder falls on Christmas Day (Saturday):
    # a day earlier, Christmas Eve 10:00 (not a business holiday by default).
    assert times(result) == {
        "welcome-email": az("2027-11-24T09:00"),
        "s1": az("2027-11-26T12:00"),
        "d2": az("2027-12-24T10:00"),
    }
    reasons = {m.step: m.reason for m in result.messages}
    assert "Thanksgiving Day is a business holiday" in reasons["s1"]
    assert "a day earlier: Christmas Day is a business holiday" in reasons["d2"]
    # Enrolled on New Year's Day: the welcome waits for the same time the next day.
    new_year = az("2028-01-01T11:30")
    result = run(cat, lead(new_year), new_year, settings=defaults)
    assert times(result)["welcome-email"] == az("2028-01-02T11:30")
    # With no business holidays, Thanksgiving is a day like another.
    result = run(cat, lead(now), now, settings=SimpleNamespace(email_quiet_hours=True, business_holidays=""))
    assert times(result)["s1"] == az("2027-11-25T12:00")


def test_business_holidays_setting_reads_names_dates_and_yearly_dates():
    days = BusinessHolidays.parse("thanksgiving, 2027-07-05, 12-31")
    assert days.name_of(date(2027, 11, 25)) == "Thanksgiving Day"
    assert days.name_of(date(2028, 11, 23)) == "Thanksgiving Day"
    assert days.name_of(date(2027, 7, 5)) is not None
    assert days.name_of(date(2028, 7, 5)) is None
    assert days.name_of(date(2030, 12, 31)) is not None
    assert days.name_of(date(2027, 12, 25)) is None
    with pytest.raises(ValueError, match="'easter' is not a holiday name"):
        BusinessHolidays.parse("christmas,easter")
