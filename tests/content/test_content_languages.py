"""A lead's language (issue 25): which file a message comes from, the words templates format in
Spanish, Regulation O's disclosures in Spanish, and what lint says of a translation folder."""

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from nurture.config import Settings
from nurture.content import TemplateStore, lint
from nurture.content.languages import Words, parse
from nurture.law.regulation_o import banned_claims
from nurture.models import Lead

ROOT = Path(__file__).resolve().parents[2]
# Tuesday 1 December 2026, 10:00 in Miami.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def settings(**over) -> Settings:
    return Settings(company_name="Ayuda Hipotecaria", public_url="https://n.example.com", **over)


def a_lead(language: str = "es", **over) -> Lead:
    values = dict(first_name="María", last_name="López", email="maria@example.com", phone="+13055550142",
                  state="FL", zip="33101", timezone="America/New_York", payment_status="behind", months_behind=3,
                  hardships=["job_loss", "medical"], foreclosure_stage="sale_scheduled", sale_date=date(2026, 12, 12),
                  mortgage_balance_cents=42_500_000, estimated_value_cents=37_500_000, enrolled_at=NOW,
                  language=language)
    return Lead(**(values | over))


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    return folder


def render(folder: Path, name: str, lead: Lead, **kw):
    return TemplateStore(folder).render(name, lead, now=NOW, settings=settings(), secret="s", **kw)


def test_a_spanish_reader_gets_the_spanish_file_and_an_english_reader_the_english_one(templates):
    (templates / "es" / "sms" / "check_in.txt").write_text("{{ company.name }}: Hola, seguimos aquí. {{ links.how }}")
    spanish = render(templates, "sms/check_in", a_lead("es"))
    english = render(templates, "sms/check_in", a_lead("en"))
    assert spanish.text.startswith("Ayuda Hipotecaria: Hola, seguimos aquí.") and spanish.language == "es"
    assert "seguimos" not in english.text and english.language == "en"


def test_a_template_without_a_translation_goes_out_in_english_and_says_so(templates):
    (templates / "es" / "sms" / "check_in.txt").unlink()
    english_text = render(templates, "sms/check_in", a_lead("en")).text
    rendered = render(templates, "sms/check_in", a_lead("es"))
    assert rendered.language == "en"
    assert rendered.text == english_text  # the English message whole, its English notice too


def test_a_message_planned_in_spanish_is_spanish_whatever_the_lead_reads(templates):
    (templates / "es" / "sms" / "_help.txt").write_text("{{ company.name }}: respuesta en español. Responda ALTO.")
    rendered = render(templates, "sms/_help", a_lead("en"), language="es")
    assert rendered.text == "Ayuda Hipotecaria: respuesta en español. Responda ALTO."
    assert rendered.language == "es"


def test_spanish_templates_see_dates_day_counts_lists_and_hardships_in_spanish(templates):
    (templates / "es" / "sms" / "check_in.txt").write_text(
        "{{ lead.sale_date }} | {{ today }} | {{ days_to_sale | days }} | {{ 1 | days }} | "
        "{{ lead.hardships | and_list }} | {{ ['a', 'b', 'c'] | and_list }}")
    text = render(templates, "sms/check_in", a_lead("es")).text
    # 12 Dec 2026 is a Saturday; today is Tuesday 1 December; 11 days to go (a text names no weekday).
    assert text.startswith("12 de diciembre | 1 de diciembre | 11 días | 1 día | "
                           "la pérdida del empleo o de ingresos y problemas de salud | a, b y c")


def test_spanish_dates_carry_the_year_only_when_it_is_not_this_one():
    es = Words("es")
    assert es.long_date(date(2027, 1, 6), date(2026, 12, 1)) == "miércoles 6 de enero de 2027"
    assert es.long_date(date(2026, 12, 25), date(2026, 12, 1)) == "viernes 25 de diciembre"
    assert Words("en").long_date(date(2027, 1, 6), date(2026, 12, 1)) == "Wednesday, January 6, 2027"
    assert es.days(-1) == "-1 día" and es.days(0) == "0 días" and es.days(None) == ""


@pytest.mark.parametrize("said,code", [("es", "es"), ("ES", "es"), ("Spanish", "es"), ("Español", "es"),
                                       ("espanol", "es"), ("SPA", "es"), ("English", "en"), ("inglés", "en")])
def test_the_ways_people_and_files_name_a_language(said, code):
    assert parse(said) == code


def test_a_language_nurture_does_not_write_in_is_refused_naming_the_ones_it_does():
    with pytest.raises(ValueError, match=r"'fr' is not a language nurture writes in: en \(English\), es \(Español\)"):
        parse("fr")


def test_a_spanish_email_carries_regulation_os_notice_in_spanish_with_the_spanish_fee_words(templates):
    rendered = render(templates, "email/negative_equity", a_lead("es"))
    assert rendered.language == "es"
    assert "AVISO IMPORTANTE" in rendered.text and "IMPORTANT NOTICE" not in rendered.text
    assert "Ayuda Hipotecaria no está asociada con el gobierno" in rendered.text
    assert "tendrá que pagarnos la tarifa escrita en su acuerdo con nosotros por nuestros servicios" in rendered.text
    assert '<html lang="es"' in rendered.html


def test_a_spanish_text_ends_with_the_spanish_short_notice_linking_to_the_spanish_page(templates):
    rendered = render(templates, "sms/what_is_short_sale", a_lead("es"))
    assert rendered.text.splitlines()[-1] == (
        "No somos parte del gobierno ni de su prestamista: https://n.example.com/notice?lang=es")


def test_a_first_spanish_text_without_opt_out_words_gets_them_in_spanish(templates):
    (templates / "es" / "sms" / "check_in.txt").write_text("{{ company.name }}: Hola.")
    text = render(templates, "sms/check_in", a_lead("es"), first_sms=True).text
    assert "Responda ALTO (STOP) para cancelar." in text
    assert "Reply STOP" not in text


@pytest.mark.parametrize("line", ["Le garantizamos la venta corta.", "Podemos detener la subasta.",
                                  "Salvamos su casa.", "No hable con su prestamista.",
                                  "Nuestro servicio está aprobado por el gobierno.", "Deje de pagar su hipoteca.",
                                  "Su venta corta, cerrada en 10 días."])
def test_banned_claims_are_caught_in_spanish(line):
    assert banned_claims(line, status="provider"), line


@pytest.mark.parametrize("line", ["No garantizamos el resultado.", "Un consejero de vivienda aprobado por HUD.",
                                  "Su venta es en 3 días.", "Nunca garantizamos nada."])
def test_honest_spanish_is_not_a_claim(line):
    assert banned_claims(line, status="provider") == [], line


def findings(folder: Path) -> list[str]:
    return [str(f) for f in lint(folder, Settings(templates_dir=folder, schedules_dir=ROOT / "schedules"), now=NOW)]


def test_lint_errs_on_a_missing_system_text_and_warns_on_a_missing_story_message(templates):
    (templates / "es" / "sms" / "_stop.txt").unlink()
    (templates / "es" / "sms" / "deficiency.txt").unlink()
    found = findings(templates)
    stop = [f for f in found if "es/sms/_stop.txt" in f]
    deficiency = [f for f in found if "es/sms/deficiency.txt" in f]
    assert len(stop) == 1 and ": error: missing Español translation of sms/_stop" in stop[0]
    assert len(deficiency) == 1 and ": warning: missing Español translation of sms/deficiency" in deficiency[0]
    assert "leads who read es get this message in English" in deficiency[0]


def test_lint_errs_on_a_translation_folder_without_its_email_frame(templates):
    shutil.rmtree(templates / "es" / "layouts")
    found = [f for f in findings(templates) if "es/layouts/email" in f]
    assert len(found) == 2 and all(": error: missing Español email frame" in f for f in found)


def test_lint_warns_on_a_translated_file_nothing_sends(templates):
    (templates / "es" / "sms" / "solo_en_espanol.txt").write_text("{{ company.name }}: hola")
    found = [f for f in findings(templates) if "solo_en_espanol" in f]
    assert found and "warning: sms/solo_en_espanol has no English template beside it" in found[0]


def test_lint_checks_a_translation_like_an_english_template(templates):
    (templates / "es" / "sms" / "check_in.txt").write_text("{{ company.name }}: Le garantizamos la venta. {{ links.how }}")
    found = [f for f in findings(templates) if "es/sms/check_in.txt" in f]
    assert any("error: banned claim 'garantizamos'" in f and "12 CFR 1015.3(b)(1)" in f for f in found)


def test_the_shipped_spanish_folder_has_every_template_and_lints_without_errors():
    found = findings(ROOT / "templates")
    assert not [f for f in found if "/es/" in f and ": error:" in f]
    assert not [f for f in found if "missing Español translation" in f]


def test_a_spanish_text_names_no_weekday_and_a_spanish_email_does(templates):
    (templates / "es" / "sms" / "check_in.txt").write_text("{{ lead.sale_date }} / {{ today }}")
    (templates / "es" / "email" / "check_in.md").write_text("---\nsubject: Hola\n---\n{{ lead.sale_date }} / {{ today }}\n")
    text = render(templates, "sms/check_in", a_lead("es")).text
    assert text.startswith("12 de diciembre / 1 de diciembre\n")  # Saturday the 12th, in GSM-7
    email = render(templates, "email/check_in", a_lead("es")).text
    assert "sábado 12 de diciembre / martes 1 de diciembre" in email


def test_a_typed_reply_carries_regulation_os_notice_in_the_leads_language():
    from nurture.content import compose

    text = compose("sms", "Le llamo a las 3.", subject=None, settings=settings(), language="es")
    assert text.text == ("Le llamo a las 3.\n"
                         "No somos parte del gobierno ni de su prestamista: https://n.example.com/notice?lang=es")
    first = compose("sms", "Hi Ann, calling at 3.", subject=None, settings=settings(), first_sms=True)
    assert first.text.startswith("Ayuda Hipotecaria: Hi Ann, calling at 3.\nNot affiliated with gov't")
    assert first.text.endswith("Reply STOP to opt out.")
    email = compose("email", "Hola Rosa,\n\nLe llamo mañana.", subject="Su llamada", settings=settings(),
                    language="es", unsubscribe_url="https://n.example.com/unsubscribe/t")
    assert "AVISO IMPORTANTE\nAyuda Hipotecaria no está asociada con el gobierno" in email.text
    assert email.text.endswith("Cancelar la suscripción: https://n.example.com/unsubscribe/t")
    assert '<html lang="es"' in email.html and "<strong style=\"font-size:16px\">AVISO IMPORTANTE</strong>" in email.html
    assert email.language is None  # a person's words: nurture does not say which language they are in
