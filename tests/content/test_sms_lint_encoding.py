"""`templates lint` on SMS encoding: the option line, what forces UCS-2, and the budget at the
longest public URL a deployment may set (65 characters, samples.LONGEST_PUBLIC_URL)."""

from __future__ import annotations

from pathlib import Path


from nurture.config import get_settings
from nurture.content import lint




def findings_for(path: Path):
    settings = get_settings()
    return [f for f in lint(settings.templates_dir, settings) if f.file == str(path)]


def test_an_unknown_option_is_an_error_at_its_line(english_templates):
    path = english_templates / "sms" / "credit_impact.txt"
    body = path.read_text()
    path.write_text("{# encoding: smart #}\n{# encodng: as-written #}\n" + body)
    found = findings_for(path)
    assert [(f.line, f.severity) for f in found] == [(2, "error")]
    assert "unknown option 'encodng'" in found[0].problem and "encoding: smart" in found[0].problem
    path.write_text("{# encoding: smrt #}\n" + body)
    found = findings_for(path)
    assert [(f.line, f.severity) for f in found] == [(1, "error")]
    assert "unknown encoding 'smrt'" in found[0].problem


def test_typography_that_forces_ucs2_is_warned_with_the_option_as_the_fix_and_the_option_silences_it(english_templates):
    path = english_templates / "sms" / "credit_impact.txt"
    text = "{{ company.name }}: A short sale \u2016 usually \u00bd the damage.\n"  # ‖ is not on Twilio's list
    path.write_text(text.replace("\u2016 ", ""))
    found = findings_for(path)
    assert [(f.line, f.severity) for f in found] == [(1, "warning")]
    assert "UCS-2" in found[0].problem and "'\u00bd'" in found[0].problem
    assert "add {# encoding: smart #} as the first line" in found[0].problem
    path.write_text("{# encoding: smart #}\n" + text.replace("\u2016 ", ""))
    assert findings_for(path) == []
    # A character Twilio has no look-alike for: warned, without the option as a fix.
    path.write_text("{# encoding: smart #}\n" + text)
    found = findings_for(path)
    assert [(f.line, f.severity) for f in found] == [(2, "warning")]
    assert "'\u2016'" in found[0].problem and "encoding: smart" not in found[0].problem


def test_letters_written_in_the_template_are_its_language_and_the_budget_names_them(english_templates):
    path = english_templates / "sms" / "credit_impact.txt"
    # ñ and é are GSM-7, ó is not: 80 characters, a newline and the short form (70 characters with
    # this deployment's URL) are 151 UCS-2 units, 3 segments of 67. No warning for the ó itself: it
    # is how Spanish is written; the budget's warning names it.
    path.write_text("{{ company.name }}: Una venta corta suele dañar su crédito menos que una ejecución.\n")
    found = findings_for(path)
    assert [f.severity for f in found] == ["warning"]
    assert found[0].problem.startswith("long: 3 segments (UCS-2 because of 'ó', 151 characters) for sample lead")
    # With the 65-character URL the short form is 114 characters: 80 + 1 + 114 = 195, still 3 (201 at most).
    path.write_text("{{ company.name }}: Una venta corta suele dañar su crédito menos que una ejecución hipotecaria.\n")
    found = findings_for(path)  # 92 + 1 + 114 = 207: 4 segments, over the limit of 3
    assert [f.severity for f in found] == ["error"]
    assert found[0].problem.startswith("too long: 4 segments (UCS-2 because of 'ó', 207 characters)")


def test_the_budget_holds_for_the_longest_public_url(english_templates):
    path = english_templates / "sms" / "credit_impact.txt"
    # 380 characters, a newline and Regulation O's short form: 70 characters with this deployment's
    # 21-character URL (451 in all: 3 segments of 153), 114 with the 65-character one (495: 4).
    path.write_text("{{ company.name }}: " + "a" * 363 + "\n")
    found = findings_for(path)
    assert [f.severity for f in found] == ["error"]
    assert found[0].problem.startswith("too long: 4 segments (GSM-7, 495 characters) for sample lead")
    assert "public URL of 65 characters" in found[0].problem and "the limit is 3" in found[0].problem
    path.write_text("{{ company.name }}: " + "a" * 327 + "\n")  # 344 + 1 + 114 = 459: 3 segments at most
    assert [f.problem.split(":")[0] for f in findings_for(path)] == ["long"]


def test_a_deployment_with_a_longer_url_is_checked_with_its_own(english_templates, monkeypatch):
    path = english_templates / "sms" / "credit_impact.txt"
    path.write_text("{{ company.name }}: " + "a" * 340 + "\n")
    url = "https://" + "n" * 80 + ".example.com"  # 100 characters: the short form is 149
    monkeypatch.setenv("NURTURE_PUBLIC_URL", url)
    get_settings.cache_clear()
    found = findings_for(path)
    # 357 + 1 + 149 = 507 characters: 4 segments.
    assert [f.severity for f in found] == ["error"]
    assert "too long: 4 segments (GSM-7, 507 characters)" in found[0].problem and "100 characters" in found[0].problem
