"""Checks the golden plans re-recorded for issue 24's closing email and postponement message apart
from the planner: `python tests/golden_check_post_sale.py OLD.jsonl.gz NEW.jsonl.gz`.

Expected, worked out from the leads' facts alone (tests/golden_plans.py's generator):
- a lead whose sale date is before its local today: before, nothing planned and paused; now at most
  one message, the closing email (after-sale/closing, email/after_sale), on a lead that may get
  email and was emailed before (else the welcome email would have to come first), in 12:00-17:00 local, by 14 days after the sale; ops told
  ("tell") when it is planned, else the lead paused, with the same words as before;
- every other lead: the same messages, the same action, and the same skipped steps plus the
  postponement steps (none of these leads was postponed) and, for a lead that is not planned at
  all (an exit), the post-sale step with that exit's reason.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from golden_plans import leads

POSTPONED = [("postponed", "sale-postponed", "sms", "sms/sale_postponed"),
             ("postponed", "sale-postponed-email", "email", "email/sale_postponed")]


def read(path: str) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(open(path, "rb").read()).decode().splitlines()]


def main(old_path: str, new_path: str) -> None:
    old, new = read(old_path), read(new_path)
    assert len(old) == len(new) == len(leads())
    changed_messages = closing = paused = 0
    for (data, now, channels, history), a, b in zip(leads(), old, new, strict=True):
        assert a["lead"] == b["lead"] == data["first_name"]
        tz = ZoneInfo(data["timezone"])
        sale = date.fromisoformat(data["sale_date"]) if data["sale_date"] else None
        if sale is not None and sale < now.astimezone(tz).date():
            why = f"sale date {sale} has passed: confirm postponed/sold/cancelled"
            assert a["messages"] == [] and a["action"] == ["pause", why], a["lead"]
            welcomed = any(ch == "email" for _, _, ch, *_ in history)  # an email went: the welcome is not first
            if b["messages"]:
                changed_messages += 1
                closing += 1
                [m] = b["messages"]
                assert m[:4] == ["after-sale", "closing", "email", "email/after_sale"], b["lead"]
                assert "email" in channels and welcomed, b["lead"]
                local = datetime.fromisoformat(m[4]).astimezone(tz)
                assert 12 <= local.hour < 17 and local.date() <= sale + timedelta(days=14), (b["lead"], local)
                assert b["action"] == ["tell", why], b["lead"]
            else:
                paused += 1
                assert not ("email" in channels and welcomed), b["lead"]
                assert b["action"] == ["pause", why], b["lead"]
            continue
        assert b["messages"] == a["messages"], b["lead"]
        assert b["action"] == a["action"], b["lead"]
        added = Counter(map(tuple, b["skipped"])) - Counter(map(tuple, a["skipped"]))
        assert Counter(map(tuple, a["skipped"])) - Counter(map(tuple, b["skipped"])) == Counter(), b["lead"]
        kinds = sorted(k[:4] for k in added)
        reasons = {k[4] for k in added}
        assert kinds in (sorted(POSTPONED), sorted([*POSTPONED, ("after-sale", "closing", "email", "email/after_sale")])), (
            b["lead"], kinds)
        if len(kinds) == 3:  # an exit: every sequence skipped with one reason
            assert len(reasons) == 1 and reasons == {a["skipped"][0][4]}, b["lead"]
        else:
            assert reasons == {"no postponement"}, (b["lead"], reasons)
    print(f"{len(new)} leads checked: {closing} passed sales get the closing email, {paused} passed sales "
          f"paused without it, {changed_messages} leads with changed messages; every other plan the same "
          "but for the skipped postponement steps")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
