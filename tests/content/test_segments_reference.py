"""Our segment counter agrees with an independent one: a port of Twilio's open-source message
segment calculator (tests/content/segment_reference.py, which imports nothing of nurture).

On every shipped text (templates/sms and, when they exist, templates/es/sms) rendered for every
sample lead as lint renders it, with this deployment's public URL and the longest one lint assumes;
with and without Smart Encoding; and on strings at the 160/153 and 70/67 boundaries, whose counts
are also worked out by hand.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from segment_reference import SMART_ENCODING_MAP, SegmentedMessage

from nurture.config import Settings
from nurture.content.samples import (
    LONGEST_PUBLIC_URL,
    sample_leads,
    sample_tiers,
    urgency_rules,
)
from nurture.content.sms import GSM7, UCS2, smart_encode, sms_segments
from nurture.content.store import TemplateStore, split_variant

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
URLS = ("http://127.0.0.1:8000", LONGEST_PUBLIC_URL)


def _store(folder: Path, language: str) -> TemplateStore:
    # A translation's folder is rendered as its own store, in its language: what a lead reading it gets.
    return TemplateStore(folder, language=language)


def _folders() -> list[tuple[str, Path]]:
    """English, and every translation folder with texts (templates/es/sms/*.txt), found when the test runs."""
    found = [("en", ROOT / "templates")]
    for folder in sorted((ROOT / "templates").iterdir()):
        if folder.is_dir() and any((folder / "sms").glob("*.txt")):
            found.append((folder.name, folder))
    return found


def _texts(folder: Path, language: str) -> list[tuple[str, str, str]]:
    """(template, sample and URL, text) for every text of `folder`, every sample lead and both public URLs."""
    store = _store(folder, language)
    samples = sample_leads(NOW)
    tiers = sample_tiers(samples, urgency_rules(ROOT / "schedules"), NOW)
    for lead in samples.values():
        lead.id = 9_999_999
        lead.language = language
    out = []
    for url in URLS:
        settings = Settings(public_url=url, schedules_dir=ROOT / "schedules", templates_dir=ROOT / "templates")
        for name in store.names():
            if not name.startswith("sms/"):
                continue
            for key, lead in samples.items():
                rendered = store.render(name, lead, now=NOW, settings=settings, secret="reference", tier=tiers[key],
                                        first_sms=split_variant(name)[0] == "sms/welcome")
                assert rendered.language == language
                out.append((f"{language}:{name}", f"{key} at {url}", rendered.text))
                assert (rendered.encoding, rendered.segments) == (sms_segments(rendered.text).encoding,
                                                                  sms_segments(rendered.text).segments)
    return out


def agree(text: str, *, smart: bool = False) -> None:
    ours = sms_segments(smart_encode(text) if smart else text)
    theirs = SegmentedMessage(text, smart_encoding=smart)
    assert (ours.encoding, ours.segments) == (theirs.encoding_name, theirs.segments_count), repr(text)
    assert list(ours.non_gsm_chars) == list(dict.fromkeys(theirs.non_gsm_characters())), repr(text)


@pytest.mark.parametrize(("language", "folder"), _folders(), ids=[code for code, _ in _folders()])
def test_every_shipped_text_for_every_sample_counts_as_twilios_calculator_counts_it(language, folder):
    texts = _texts(folder, language)
    assert len(texts) >= 2 * 9 * 20  # both URLs, nine samples, twenty-odd texts
    for _template, _sample, text in texts:
        agree(text)
        agree(text, smart=True)


@pytest.mark.parametrize(("language", "folder"), _folders(), ids=[code for code, _ in _folders()])
def test_with_the_option_every_shipped_text_is_sent_as_twilios_smart_encoding_counts_it(language, folder, tmp_path):
    copy = tmp_path / "templates"
    shutil.copytree(folder / "sms", copy / "sms")
    for path in (copy / "sms").glob("*.txt"):
        path.write_text("{# encoding: smart #}\n" + path.read_text("utf-8"), encoding="utf-8")
    plain = {(t, s): text for t, s, text in _texts(folder, language)}
    for template, sample, text in _texts(copy, language):
        # What we send with the option is what Twilio's Smart Encoding makes of the text without it.
        theirs = SegmentedMessage(plain[(template, sample)], smart_encoding=True)
        ours = sms_segments(text)
        assert (ours.encoding, ours.segments) == (theirs.encoding_name, theirs.segments_count), template
        agree(text)


# (text, encoding, segments), each worked out by hand: GSM-7 160 in one part, 153 a part after;
# UCS-2 70, then 67; € is two septets (escape + e); an emoji two UTF-16 units; neither is split.
BOUNDARIES = [
    ("é" * 160, GSM7, 1),
    ("é" * 161, GSM7, 2),
    ("é" * 306, GSM7, 2),
    ("é" * 307, GSM7, 3),
    ("á" * 70, UCS2, 1),
    ("á" * 71, UCS2, 2),
    ("á" * 134, UCS2, 2),
    ("á" * 135, UCS2, 3),
    ("é" * 69 + "á", UCS2, 1),  # é is GSM-7 but one á makes the whole text UCS-2: 70 units
    ("é" * 70 + "á", UCS2, 2),
    ("ñ¿¡ü" * 40, GSM7, 1),
    ("€" * 80, GSM7, 1),  # 160 septets
    ("€" * 81, GSM7, 2),
    ("a" * 159 + "€", GSM7, 2),  # 161 septets
    ("a" * 152 + "€" + "a" * 152, GSM7, 3),  # the escape pair does not fit in the first 153: it moves on
    ("a" * 151 + "€" + "a" * 153, GSM7, 2),  # 153 + 153
    ("a" * 68 + "😀", UCS2, 1),  # 70 units
    ("a" * 69 + "😀", UCS2, 2),
    ("a" * 66 + "😀" + "a" * 65, UCS2, 2),  # 66 | 2 + 65
    ("a" * 66 + "😀" + "a" * 66, UCS2, 3),  # 134 units, but the pair is not split: 66 | 67 | 1
    ("\u201cQuoted\u201d \u2014 " + "a" * 150, UCS2, 3),  # 161 units as written
    # A visible character of several units stays in one segment: a flag (two regional indicators,
    # 4 units) and an e with a combining accent (2 units). 133 and 134 units, yet 3 segments each:
    ("a" * 65 + "\U0001f1fa\U0001f1f8" + "a" * 64, UCS2, 3),  # 65 | 4 + 63 | 1
    ("a" * 66 + "e\u0301" + "a" * 66, UCS2, 3),  # 66 | 2 + 65 | 1
    ("a" * 60 + "\U0001f44d\U0001f3fd" + "a" * 6, UCS2, 1),  # a thumbs up with a skin tone: 4 units, 70 in all
]


@pytest.mark.parametrize(("text", "encoding", "segments"), BOUNDARIES)
def test_boundaries_counted_by_hand_by_us_and_by_the_reference(text, encoding, segments):
    assert (sms_segments(text).encoding, sms_segments(text).segments) == (encoding, segments)
    reference = SegmentedMessage(text)
    assert (reference.encoding_name, reference.segments_count) == (encoding, segments)


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("\u201cQuoted\u201d \u2014 " + "a" * 150, GSM7, 2),  # "Quoted" - ...: 161 septets
        ("\u00bd" + "a" * 159, GSM7, 2),  # ½ becomes 1/2: 162 septets
        ("\u00e1" + "\u2014" * 69, UCS2, 1),  # á stays: 70 units with the dashes replaced
        ("M\u00e1s informaci\u00f3n \u2014 " + "a" * 55, UCS2, 2),  # 73 units: á and ó are no look-alikes
    ],
)
def test_smart_encoding_boundaries_by_hand(text, encoding, segments):
    ours = sms_segments(smart_encode(text))
    assert (ours.encoding, ours.segments) == (encoding, segments)
    agree(text, smart=True)


def test_our_smart_encoding_list_is_twilios():
    assert {c: smart_encode(c) for c in SMART_ENCODING_MAP} == SMART_ENCODING_MAP
    for letter in "áéíóúÁÉÍÓÚñü":
        assert smart_encode(letter) == letter
