"""/ops/templates/preview names the encoding of a text and the characters that make it UCS-2, and
offers the Smart Encoding option when Twilio's look-alikes would make it GSM-7."""

from __future__ import annotations







def test_the_preview_names_what_forces_ucs2_and_the_option(client, english_templates):
    (english_templates / "sms" / "credit_impact.txt").write_text("{{ company.name }}: \u00bd of owners ask early.\n")
    r = client.get("/ops/templates/preview?template=sms/credit_impact&sample=early")
    assert r.status_code == 200, r.text
    # 39 characters, a newline and the short form of 70: 110 UCS-2 units, 2 segments of 67.
    assert "2 segments, UCS-2 because of &#39;\u00bd&#39;, 110 characters" in r.text
    assert "add <code>{# encoding: smart #}</code> as the template's first line" in r.text


def test_the_preview_of_a_text_with_the_option_is_gsm7(client, english_templates):
    (english_templates / "sms" / "credit_impact.txt").write_text(
        "{# encoding: smart #}\n{{ company.name }}: \u00bd of owners ask early.\n")
    r = client.get("/ops/templates/preview?template=sms/credit_impact&sample=early")
    assert r.status_code == 200, r.text
    assert "1 segment, GSM-7, 112 characters" in r.text and "1/2 of owners ask early." in r.text
    assert "encoding: smart" not in r.text
