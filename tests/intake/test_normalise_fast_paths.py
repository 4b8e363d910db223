"""Phones and emails in the forms imports bring them take a short path (one libphonenumber or
email_validator question per exchange or domain, remembered): every answer must be the one the
libraries give for the whole value. The oracle here asks the libraries directly."""

from __future__ import annotations

import random
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from nurture.intake.schema import normalize_email, normalize_phone

US_AND_TERRITORIES = {"US", "PR", "VI", "GU", "AS", "MP"}


def library_phone(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) not in US_AND_TERRITORIES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def ours(normalise, raw: str) -> str | None:
    try:
        return normalise(raw)
    except ValueError:
        return None


def test_every_phone_in_the_common_forms_normalises_as_libphonenumber_says():
    rnd = random.Random(1)
    forms = ["({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "1 {a} {b} {c}", "+1{a}{b}{c}", "{a}{b}{c}",
             "+1 ({a}) {b}-{c}", " {a} {b} {c} "]
    valid = 0
    for _ in range(20_000):
        raw = rnd.choice(forms).format(a=f"{rnd.randrange(1000):03d}", b=f"{rnd.randrange(1000):03d}",
                                       c=f"{rnd.randrange(10000):04d}")
        expected = library_phone(raw)
        assert ours(normalize_phone, raw) == expected, raw
        valid += expected is not None
    assert valid > 4000  # the draw holds many valid numbers, not only refusals
    # Territories and Canada: the whole number is asked about.
    assert normalize_phone("(787) 555-0123") == "+17875550123"
    assert ours(normalize_phone, "(416) 555-0123") is None


def library_email(raw: str) -> str | None:
    try:
        info = validate_email(unicodedata.normalize("NFKC", raw.strip()), check_deliverability=False)
    except EmailNotValidError:
        return None
    address = f"{info.local_part}@{info.ascii_domain}".lower()
    return address if len(address) <= 254 else None


def test_every_email_normalises_as_email_validator_says():
    rnd = random.Random(2)
    letters = "abcXYZ019.-_+'!#~@ "
    domains = ["example.com", "Example.NET", "localhost", "a.b", "x.test", "foo.local", "1.2.3.4", "a-.com", "a..com",
               "xn--80ak6aa92e.com", "mail.example.invalid", "b.123", "ex_ample.com", "a" * 63 + ".com",
               "a" * 64 + ".com", "x.onion", "example.arpa"]
    valid = 0
    for _ in range(20_000):
        local = "".join(rnd.choice(letters) for _ in range(rnd.choice([1, 3, 8, 20, 64, 65])))
        raw = f"{local}@{rnd.choice(domains)}"
        if rnd.random() < 0.1:
            raw = f" {raw.upper()} "
        expected = library_email(raw)
        assert ours(normalize_email, raw) == expected, raw
        valid += expected is not None
    assert valid > 1000
