"""Normalisation rules of intake: phones, emails, money, dates, ZIPs and time zones."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nurture.intake.schema import FILE_EVIDENCE, IntakeError, normalize_email, normalize_phone, parse_date, parse_lead, parse_money
from nurture.geo import derive_timezone


@pytest.mark.parametrize("raw", ["(305) 555-0142", "305-555-0142", "305.555.0142", "+1 305 555 0142", "13055550142"])
def test_us_phones_in_any_format_become_e164(raw):
    assert normalize_phone(raw) == "+13055550142"


@pytest.mark.parametrize("raw,why", [
    ("555-0142", "not a valid"),
    ("hello", "not a phone number"),
    ("+44 20 7946 0958", "not a US number"),
    ("(305) 055-0142", "not a valid"),
])
def test_bad_or_foreign_phones_are_refused_with_the_reason(raw, why):
    with pytest.raises(ValueError, match=why):
        normalize_phone(raw)


@given(st.from_regex(r"\A[2-9][0-9]{2}[2-9][0-9]{6}\Z"))
def test_any_phone_either_normalises_to_e164_or_is_refused(digits):
    try:
        e164 = normalize_phone(digits)
    except ValueError:
        return
    assert e164 == "+1" + digits
    assert normalize_phone(e164) == e164


def test_emails_are_checked_and_lower_cased_without_dns():
    assert normalize_email(" Maria.Lopez@Example.COM ") == "maria.lopez@example.com"
    with pytest.raises(ValueError):
        normalize_email("maria@")
    with pytest.raises(ValueError):
        normalize_email("maria lopez@example.com")


@given(st.emails())
def test_generated_emails_normalise_idempotently(email):
    try:
        once = normalize_email(email)
    except ValueError:
        return
    assert normalize_email(once) == once


@pytest.mark.parametrize("raw,cents", [
    ("425000.00", 42_500_000), ("$425,000", 42_500_000), (425000, 42_500_000),
    ("0.10", 10), (Decimal("1234.5"), 123_450), ("  375,000.99 ", 37_500_099),
])
def test_money_is_parsed_to_exact_cents(raw, cents):
    assert parse_money(raw) == cents


@pytest.mark.parametrize("raw,why", [
    ("-5", "negative"), ("12.345", "two decimal"), ("abc", "not an amount"), ("NaN", "not an amount"),
    ("1e12", "100,000,000"), (True, "true/false"),
])
def test_bad_money_is_refused(raw, why):
    with pytest.raises(ValueError, match=why):
        parse_money(raw)


@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips_through_cents_without_float_error(amount):
    assert Decimal(parse_money(str(amount))) / 100 == amount
    assert parse_money(f"${amount:,}") == parse_money(str(amount))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_in_iso_and_us_form_agree(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.month}/{d.day}/{d.year}") == d


@pytest.mark.parametrize("raw", ["2026-13-01", "31/12/2026", "next friday", "2026-02-30"])
def test_bad_dates_are_refused(raw):
    with pytest.raises(ValueError, match="not a date"):
        parse_date(raw)


def test_the_property_zip_decides_the_time_zone_over_the_phone():
    # A Florida house, a California phone: the sale happens in Florida.
    assert derive_timezone("33101", "+14155550142") == "America/New_York"


def test_pensacola_is_central_and_el_paso_is_mountain():
    assert derive_timezone("32501", None) == "America/Chicago"
    assert derive_timezone("79901", None) == "America/Denver"


def test_without_a_zip_the_phone_area_code_gives_the_zone():
    assert derive_timezone(None, "+14155550142") == "America/Los_Angeles"
    assert derive_timezone("00000", "+13125550142") == "America/Chicago"


def test_every_bad_field_is_named_at_once():
    with pytest.raises(IntakeError) as exc:
        parse_lead({
            "first_name": "Maria", "phone": "12", "email": "nope",
            "property": {"state": "ZZ", "zip": "3310"}, "mortgage_balance": "-1",
            "payment_status": "late", "favourite_colour": "blue",
        })
    fields = {e.field for e in exc.value.errors}
    assert fields == {"phone", "email", "property.state", "property.zip", "mortgage_balance",
                      "payment_status", "favourite_colour"}
    messages = {e.field: e.message for e in exc.value.errors}
    assert messages["favourite_colour"] == "is not a known field"
    assert "'late' is not one of" in messages["payment_status"]


def test_a_name_and_a_phone_or_email_are_required():
    with pytest.raises(IntakeError) as exc:
        parse_lead({"last_name": "Lopez"})
    assert {e.field for e in exc.value.errors} == {"first_name", "phone"}


def test_zip_in_another_state_is_refused():
    with pytest.raises(IntakeError) as exc:
        parse_lead({"first_name": "A", "phone": "3055550142", "property": {"state": "GA", "zip": "33101"}})
    assert exc.value.errors[0].message == "ZIP 33101 is in FL, not GA"


def test_consent_without_its_evidence_is_refused_naming_each_missing_field():
    with pytest.raises(IntakeError) as exc:
        parse_lead({"first_name": "A", "phone": "3055550142", "sms_consent": {"granted": True}})
    assert [e.field for e in exc.value.errors] == ["sms_consent.text", "sms_consent.source_url", "sms_consent.ip"]
    assert "exact wording" in exc.value.errors[0].message


def test_a_file_or_cli_grant_needs_wording_and_page_but_no_ip():
    with pytest.raises(IntakeError) as exc:
        parse_lead({"first_name": "A", "phone": "3055550142", "sms_consent": {"granted": True, "text": "I agree"}},
                   sep="_", consent_evidence=FILE_EVIDENCE)
    assert [e.field for e in exc.value.errors] == ["sms_consent_source_url"]
    lead_in = parse_lead({"first_name": "A", "phone": "3055550142", "sms_consent": {
        "granted": True, "text": "I agree", "source_url": "https://example.com/f"}}, consent_evidence=FILE_EVIDENCE)
    assert lead_in.sms_consent.ip is None


def test_a_revocation_needs_no_evidence():
    lead_in = parse_lead({"first_name": "A", "phone": "3055550142", "sms_consent": {"granted": False}})
    assert lead_in.sms_consent.granted is False


@pytest.mark.parametrize(("at", "problem"), [
    ("2026-11-30T14:05:00", "needs its time zone"),
    ("2099-01-01T00:00:00Z", "is in the future"),
    ("1999-12-31T00:00:00Z", "is before 2000-01-01"),
    ("yesterday", "is not a time"),
])
def test_a_consent_time_must_be_a_real_past_moment_with_its_zone(at, problem):
    consent = {"granted": True, "text": "I agree", "source_url": "https://example.com/f", "ip": "203.0.113.7",
               "at": at}
    with pytest.raises(IntakeError) as exc:
        parse_lead({"first_name": "A", "phone": "3055550142", "sms_consent": consent})
    assert exc.value.errors[0].field == "sms_consent.at"
    assert problem in exc.value.errors[0].message


def test_without_zip_or_phone_the_state_gives_the_zone():
    assert derive_timezone(None, None, "CA") == "America/Los_Angeles"
    assert derive_timezone(None, "+18005550100", "AZ") == "America/Phoenix"  # toll-free names no zone
    assert derive_timezone(None, None, None) is None  # nothing says: no guessed zone (such a lead gets no text)
