"""The quotes of Twilio's Smart Encoding list are sent as their GSM-7 look-alikes; letters never change.

Expected texts written by hand from Twilio's "List of characters replaced by Smart Encoding".
"""

from __future__ import annotations

from nurture.content.sms import GSM7, UCS2, normalize_sms, sms_segments


def test_twilios_quote_look_alikes_become_plain_quotes():
    text = "\u02baA\u02ee \u275dB\u275e \u301dC\u301e \uff02D\uff02 \u02bbE\u02bc \u02bdF\u02b9 \uff07G\u02ca \u02cbH\u0060 \u275bI\u275c"
    assert normalize_sms(text) == "\"A\" \"B\" \"C\" \"D\" 'E' 'F' 'G' 'H' 'I'"
    assert sms_segments(normalize_sms(text)).encoding == GSM7


def test_names_keep_their_letters_and_their_cost():
    for name in ("María", "Ramón", "Nguyễn"):
        assert normalize_sms(f"Hi {name}") == f"Hi {name}"
        assert sms_segments(f"Hi {name}").encoding == UCS2
    # é and ñ are in the GSM-7 alphabet: no cost.
    assert sms_segments("Hi José, hi Muñoz").encoding == GSM7
