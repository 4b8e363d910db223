"""The per-template option `{# encoding: smart #}`: a template with it is sent with Twilio's Smart
Encoding look-alikes, one without it as written (typography only); letters are never replaced.

Expected texts are written by hand from Twilio's list ("List of characters replaced by Smart
Encoding"; the map of TwilioDevEd/message-segment-calculator).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nurture.config import Settings
from nurture.content.samples import sample_leads
from nurture.content.sms import sms_options, sms_segments
from nurture.content.store import TemplateStore

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
FOOTER = "\nNot affiliated with gov't or your lender: http://127.0.0.1:8000/notice"


def settings() -> Settings:
    return Settings(public_url="http://127.0.0.1:8000", company_name="Short Sale Help", mars_status="provider")


def render(folder: Path, body: str, *, option: str | None):
    (folder / "sms").mkdir(parents=True, exist_ok=True)
    head = f"{{# encoding: {option} #}}\n" if option else ""
    (folder / "sms" / "note.txt").write_text(head + body, encoding="utf-8")
    lead = sample_leads(NOW)["early"]  # Robert: an ASCII name
    return TemplateStore(folder).render("sms/note", lead, now=NOW, settings=settings(), secret="s")


def test_with_the_option_twilios_look_alikes_are_sent_and_the_text_is_gsm7(tmp_path):
    body = "Short Sale Help: \u00bd of sellers ask \u2039early\u203a \uff01 Call\u00a0now \u2022 \uff11\uff12 days"
    rendered = render(tmp_path, body, option="smart")
    # ½ -> 1/2, ‹ -> > and › -> < (as Twilio's map has them), fullwidth ! and digits -> ASCII,
    # no-break space -> two spaces (folded to one), bullet -> hyphen.
    assert rendered.text == "Short Sale Help: 1/2 of sellers ask >early< ! Call now - 12 days" + FOOTER
    assert (rendered.encoding, rendered.segments) == ("GSM-7", 1)


def test_without_the_option_only_typography_is_replaced_and_the_rest_is_sent_as_written(tmp_path):
    body = "Short Sale Help: \u00bd of sellers ask \u201cearly\u201d \u2014 call\u00a0now"
    rendered = render(tmp_path, body, option=None)
    assert rendered.text == 'Short Sale Help: \u00bd of sellers ask "early" - call now' + FOOTER
    assert rendered.encoding == "UCS-2"
    # 52 characters of the body, 1 newline and 70 of the footer: 123 UCS-2 units, 2 segments of 67.
    assert len(rendered.text) == 123 and rendered.segments == 2
    assert render(tmp_path, body, option="as-written").text == rendered.text


def test_the_option_never_replaces_a_letter_so_spanish_stays_ucs2(tmp_path):
    body = "Short Sale Help: \u201cSu due\u00f1o\u201d \u2014 m\u00e1s informaci\u00f3n aqu\u00ed"
    rendered = render(tmp_path, body, option="smart")
    assert rendered.text == 'Short Sale Help: "Su due\u00f1o" - m\u00e1s informaci\u00f3n aqu\u00ed' + FOOTER
    assert rendered.encoding == "UCS-2"
    # ñ is GSM-7; á, ó and í are not: they are what forces UCS-2.
    assert sms_segments(rendered.text).non_gsm_chars == ("\u00e1", "\u00f3", "\u00ed")


def test_the_option_line_is_not_part_of_the_message(tmp_path):
    rendered = render(tmp_path, "Short Sale Help: hello", option="smart")
    assert rendered.text == "Short Sale Help: hello" + FOOTER


@pytest.mark.parametrize(
    ("source", "smart", "problems"),
    [
        ("{# encoding: smart #}\nHi", True, []),
        ("{#- encoding: SMART -#}\nHi", True, []),
        ("{# encoding: as-written #}\nHi", False, []),
        ("Hi\n{# encoding: smart #}", False, []),  # not on the first lines: an ordinary comment
        ("{# A note for marketers #}\nHi", False, []),
        ("{# encodng: smart #}\nHi", False, [(1, "unknown option 'encodng'")]),
        ("{# encoding: smart #}\n{# encoding: smrt #}\nHi", True, [(2, "unknown encoding 'smrt'")]),
    ],
)
def test_options_are_read_from_the_first_lines_and_unknown_ones_are_named_with_their_line(source, smart, problems):
    options = sms_options(source)
    assert options.smart_encoding is smart
    assert [(line, problem.split(" in ")[0]) for line, problem in options.problems] == problems
