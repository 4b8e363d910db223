"""2,000 varied leads and their planned timelines, kept as a golden file: the planner may get faster,
never different. `python tests/golden_plans.py --write` records the file again; do that only for a
change of the rules that is meant to move planned times, and say so in the commit.

The leads are drawn from a seeded random generator: every state with its own law and a few
without, ZIPs and phones (area codes spanning zones, toll-free numbers, territories), sale dates
from passed to months away, every payment status and stage, some history, both channels or one.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "data" / "golden_plans.jsonl.gz"
COUNT = 2_000

# (state, ZIP, zone) of real places, and phones whose area codes say something.
PLACES = [
    ("FL", "33101", "America/New_York"), ("FL", "32501", "America/Chicago"), ("TX", "75201", "America/Chicago"),
    ("TX", "79901", "America/Denver"), ("CA", "90012", "America/Los_Angeles"), ("NY", "10001", "America/New_York"),
    ("AL", "35203", "America/Chicago"), ("LA", "70112", "America/Chicago"), ("MS", "39201", "America/Chicago"),
    ("RI", "02903", "America/New_York"), ("UT", "84101", "America/Denver"), ("CT", "06103", "America/New_York"),
    ("PA", "19103", "America/New_York"), ("OK", "73102", "America/Chicago"), ("MD", "21201", "America/New_York"),
    ("WA", "98101", "America/Los_Angeles"), ("KY", "40202", "America/New_York"), ("MI", "48226", "America/Detroit"),
    ("AZ", "85004", "America/Phoenix"), ("HI", "96813", "Pacific/Honolulu"), ("PR", "00901", "America/Puerto_Rico"),
    ("GU", "96910", "Pacific/Guam"), ("SD", "57501", "America/Chicago"), ("ME", "04101", "America/New_York"),
]
PHONES = ["305", "850", "270", "208", "212", "415", "504", "801", "401", "787", "671", "800", "915", "605"]


def leads(count: int = COUNT, seed: int = 20261128) -> list[tuple[dict, datetime, set[str], list[tuple]]]:
    rng = random.Random(seed)
    out = []
    start = datetime(2026, 1, 5, tzinfo=UTC)
    for i in range(count):
        state, zip_code, zone = rng.choice(PLACES)
        now = start + timedelta(minutes=rng.randrange(0, 3 * 365 * 1440))
        kind = rng.random()
        phone = f"+1{rng.choice(PHONES)}555{i % 10000:04d}" if kind < 0.85 else None
        lead = {
            "first_name": f"G{i}", "state": state if kind > 0.1 else None, "zip": zip_code if kind < 0.9 else None,
            "phone": phone, "timezone": zone,
            "payment_status": rng.choice([None, "current", "about_to_fall_behind", "behind"]),
            "months_behind": rng.randint(0, 8),
            "hardships": sorted(rng.sample(["job_loss", "divorce", "medical"], rng.randint(0, 2))),
            "mortgage_balance_cents": rng.choice([None, 30_000_000, 42_500_000]),
            "estimated_value_cents": rng.choice([None, 27_000_000, 45_000_000]),
        }
        local_today = now.date()
        sale = None if rng.random() < 0.35 else local_today + timedelta(days=rng.randint(-4, 120))
        lead["sale_date"] = sale.isoformat() if sale else None
        lead["foreclosure_stage"] = "sale_scheduled" if sale else rng.choice(["none", "pre_foreclosure",
                                                                              "notice_of_default"])
        lead["enrolled_at"] = (now - timedelta(minutes=rng.randint(0, 3 * 1440))).isoformat()
        channels = rng.choice([{"sms", "email"}, {"sms", "email"}, {"email"}, {"sms"}])
        history = []
        if rng.random() < 0.3:
            for n in range(rng.randint(1, 4)):
                history.append(("story-sms" if n % 2 == 0 else "story-email",
                                ["welcome", "negative-equity", "what-is-a-short-sale"][n % 3],
                                "sms" if n % 2 == 0 else "email",
                                (now - timedelta(hours=6 * (n + 1))).isoformat(), "sent"))
        out.append((lead, now, channels, history))
    return out


def timelines() -> list[dict]:
    """Every lead's plan, as plain JSON."""
    sys.path.insert(0, str(ROOT))
    from nurture.models import Lead
    from nurture.plans.planner import PastMessage, plan
    from nurture.law import Rulebook
    from nurture.plans.sequences import load_catalog

    catalog = load_catalog(ROOT / "schedules")
    book = Rulebook(policy="strict", email_quiet_hours=True)
    rows = []
    for data, now, channels, history in leads():
        fields = dict(data)
        fields["sale_date"] = date.fromisoformat(data["sale_date"]) if data["sale_date"] else None
        fields["enrolled_at"] = datetime.fromisoformat(data["enrolled_at"])
        lead = Lead(status="active", **fields)
        past = [PastMessage(step, seq, ch, datetime.fromisoformat(at), st) for seq, step, ch, at, st in history]
        result = plan(lead, catalog, now, channels=channels, history=past, rulebook=book)
        rows.append({
            "lead": data["first_name"], "tier": result.tier, "action": result.lead_action,
            "messages": [[m.sequence, m.step, m.channel, m.template, m.due_at.isoformat(), m.tier, m.deadline,
                          m.reason, m.expires_at.isoformat(), m.sale_date.isoformat() if m.sale_date else None]
                         for m in result.messages],
            "skipped": [[s.sequence, s.step, s.channel, s.template, s.reason] for s in result.skipped],
        })
    return rows


def encode(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows).encode()


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/golden_plans.py --write   (records the planner's output as the golden file)")
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_bytes(gzip.compress(encode(timelines()), mtime=0))
    print(f"wrote {GOLDEN}")
