"""SMS segment counting (GSM-7 160/153, UCS-2 70/67) and typography normalisation."""

from __future__ import annotations

import pytest

from nurture.content import normalize_sms, sms_segments


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "length"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 1, 160),
        ("a" * 161, "GSM-7", 2, 161),
        ("a" * 306, "GSM-7", 2, 306),
        ("a" * 307, "GSM-7", 3, 307),
        ("{" * 80, "GSM-7", 1, 160),
        ("{" * 81, "GSM-7", 2, 162),
        ("€" * 80, "GSM-7", 1, 160),
        ("^{}\\[~]|€", "GSM-7", 1, 18),
        ("Ñandú", "UCS-2", 1, 5),  # ú is not in GSM-7
        ("é à ü ñ Ø £ ¥ ¿ ¡ Δ", "GSM-7", 1, 19),
        ("á" * 70, "UCS-2", 1, 70),
        ("á" * 71, "UCS-2", 2, 71),
        ("á" * 134, "UCS-2", 2, 134),
        ("á" * 135, "UCS-2", 3, 135),
    ],
)
def test_segments_on_known_strings(text, encoding, segments, length):
    info = sms_segments(text)
    assert (info.encoding, info.segments, info.length) == (encoding, segments, length)


def test_one_emoji_switches_to_ucs2_and_counts_two_units():
    info = sms_segments("Hi 😀")
    assert info.encoding == "UCS-2"
    assert info.length == 5
    assert info.segments == 1
    assert sms_segments("a" * 68 + "😀").segments == 1
    assert sms_segments("a" * 69 + "😀").segments == 2


def test_extended_char_is_not_split_across_segments():
    # 152 septets then an escape pair: the pair does not fit in the first 153, so it moves on.
    assert sms_segments("a" * 152 + "€" + "a" * 152).segments == 3
    assert sms_segments("a" * 151 + "€" + "a" * 153).segments == 2


def test_gsm_160_boundary_with_a_real_message():
    base = "Maria, your sale is set for Dec 10. "
    text = (base * 5)[:160]
    assert sms_segments(text).segments == 1
    assert sms_segments(text + "!").segments == 2


def test_typographic_quotes_dashes_ellipsis_and_nbsp_become_gsm():
    article = "Can You Sell Your House If It\u2019s Worth Less? \u201cNo\u201d \u2014 and\u2026\u00a0more \u2013 yes"
    normal = normalize_sms(article)
    assert normal == 'Can You Sell Your House If It\'s Worth Less? "No" - and... more - yes'
    assert sms_segments(article).encoding == "UCS-2"
    assert sms_segments(normal).encoding == "GSM-7"


def test_zero_width_characters_are_removed():
    assert normalize_sms("a\u200bb\ufeff") == "ab"
