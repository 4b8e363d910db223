"""The intake body (DESIGN.md section 3) and its rules: validate and normalise phones, emails,
money, dates, ZIPs and time zones. Pure: no database."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import phonenumbers
import zipcodes
from email_validator import EmailNotValidError, validate_email
from phonenumbers import timezone as phone_timezone
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from nurture.models import ForeclosureStage, Hardship, PaymentStatus

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split()
)
# Shown (never used for a rule) when neither the ZIP, the phone's area code nor the state names a zone.
DEFAULT_TIMEZONE = "America/New_York"
# When neither the ZIP nor the phone names a zone: the zone most of the state lives in.
STATE_TIMEZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": "America/Chicago",
    "CA": "America/Los_Angeles", "CO": "America/Denver", "CT": "America/New_York", "DE": "America/New_York",
    "DC": "America/New_York", "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis", "IA": "America/Chicago",
    "KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago", "ME": "America/New_York",
    "MD": "America/New_York", "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver", "NE": "America/Chicago",
    "NV": "America/Los_Angeles", "NH": "America/New_York", "NJ": "America/New_York", "NM": "America/Denver",
    "NY": "America/New_York", "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York", "RI": "America/New_York",
    "SC": "America/New_York", "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago",
    "UT": "America/Denver", "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver", "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas", "GU": "Pacific/Guam", "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}
# NANP regions that are the United States: the states and DC ("US") and the territories.
US_REGIONS = frozenset({"US", "PR", "VI", "GU", "AS", "MP"})

MAX_CENTS = 100_000_000_00  # $100M: anything above is a typo, not a house
_MONEY_CLEAN = re.compile(r"[\s$,]")
_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

# Normalisers: each takes raw input and returns the stored form or raises ValueError.


def normalize_phone(raw: str) -> str:
    """E.164 for a valid number of the US or its territories (PR, VI, GU, AS, MP); ValueError otherwise."""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        raise ValueError(f"{raw!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{raw!r} is not a valid phone number")
    if phonenumbers.region_code_for_number(number) not in US_REGIONS:
        raise ValueError(f"{raw!r} is not a US number (only numbers of the US and its territories can be texted)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def area_code_of(phone: str) -> str | None:
    """The area code of an E.164 NANP number ("+13055550142" -> "305"), else None."""
    return phone[2:5] if phone.startswith("+1") and len(phone) == 12 else None


@lru_cache(maxsize=4096)
def zone_from_phone(phone: str) -> str | None:
    """The one zone the phone's number block is in, or None (unknown, or toll-free: they list dozens)."""
    try:
        zones = phone_timezone.time_zones_for_number(phonenumbers.parse(phone, "US"))
    except phonenumbers.NumberParseException:
        return None
    return zones[0] if len(zones) == 1 and zones[0] != phone_timezone.UNKNOWN_TIMEZONE else None


def normalize_email(raw: str) -> str:
    """The normalised, lower-cased address; syntax only, no DNS look-ups."""
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return info.normalized.lower()


def parse_money(raw: Any) -> int:
    """Integer cents from "425000", "$425,000.00", 425000 or Decimal; never through float arithmetic."""
    if isinstance(raw, bool):
        raise ValueError("must be an amount of money, not true/false")
    text = _MONEY_CLEAN.sub("", str(raw))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"{raw!r} is not an amount of money")
    if amount < 0:
        raise ValueError("must not be negative")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{raw!r} has more than two decimal places")
    if cents > MAX_CENTS:
        raise ValueError(f"{raw!r} is more than $100,000,000")
    return int(cents)


def parse_date(raw: Any) -> date:
    """A date from ISO 2026-12-10 or US 12/10/2026."""
    if isinstance(raw, datetime):
        raise ValueError("must be a date without a time")
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    m = _US_DATE.match(text)
    try:
        if m:
            return date(int(m[3]), int(m[1]), int(m[2]))
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date (use 2026-12-10 or 12/10/2026)") from None


@lru_cache(maxsize=50_000)
def zip_info(zip5: str) -> dict[str, Any] | None:
    """The `zipcodes` record of a 5-digit ZIP (cached: a look-up scans the whole table)."""
    try:
        found = zipcodes.matching(zip5)
    except (ValueError, TypeError):
        return None
    return found[0] if found else None


def derive_timezone(zip_code: str | None, phone: str | None, state: str | None = None) -> str | None:
    """The lead's IANA zone: the property's ZIP first, else the phone's area code, else the state's
    main zone; None when nothing says (such a lead gets no text until one is known)."""
    if zip_code:
        info = zip_info(zip_code[:5])
        if info and info.get("timezone"):
            return info["timezone"]
    if phone and (found := zone_from_phone(phone)):
        return found
    return STATE_TIMEZONES.get((state or "").upper())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PropertyIn(_Strict):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None

    @field_validator("street", "city")
    @classmethod
    def _short(cls, v: str | None) -> str | None:
        if v is not None and len(v) > 200:
            raise ValueError("is longer than 200 characters")
        return v or None

    @field_validator("state")
    @classmethod
    def _state(cls, v: str | None) -> str | None:
        if not v:
            return None
        v = v.upper()
        if v not in US_STATES:
            raise ValueError(f"{v!r} is not a US state code (two letters, e.g. FL)")
        return v

    @field_validator("zip")
    @classmethod
    def _zip(cls, v: str | None) -> str | None:
        if not v:
            return None
        m = _ZIP.match(v)
        if not m:
            raise ValueError(f"{v!r} is not a ZIP code (12345 or 12345-6789)")
        return m[1]

    @model_validator(mode="after")
    def _zip_matches_state(self) -> PropertyIn:
        info = zip_info(self.zip) if self.zip else None
        if info and self.state and info["state"] != self.state:
            raise ValueError(f"ZIP {self.zip} is in {info['state']}, not {self.state}")
        if info and not self.state:
            # The state's rules must apply to a lead known by ZIP only: fill it in.
            self.state = info["state"]
            self.model_fields_set.add("state")
        return self


class ForeclosureIn(_Strict):
    stage: ForeclosureStage | None = None
    sale_date: date | None = None

    @field_validator("sale_date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> date | None:
        return None if v in (None, "") else parse_date(v)


class ConsentIn(_Strict):
    granted: bool
    text: str | None = None
    source_url: str | None = None
    ip: str | None = None

    @model_validator(mode="after")
    def _wording_required(self) -> ConsentIn:
        if self.granted and not self.text:
            raise ValueError("text is required when consent is granted: keep the exact wording shown")
        return self


class LeadIn(_Strict):
    """One lead as the API, CSV and CLI receive it."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    property: PropertyIn | None = None
    mortgage_balance: int | None = None  # cents once validated
    estimated_value: int | None = None
    payment_status: PaymentStatus | None = None
    months_behind: int | None = None
    hardships: list[Hardship] | None = None
    foreclosure: ForeclosureIn | None = None
    sms_consent: ConsentIn | None = None
    source: str | None = None
    external_id: str | None = None

    @field_validator("first_name", "last_name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is not None and len(v) > 100:
            raise ValueError("is longer than 100 characters")
        return v or None

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, v: Any) -> str | None:
        return None if v in (None, "") else normalize_email(str(v))

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v: Any) -> str | None:
        return None if v in (None, "") else normalize_phone(str(v))

    @field_validator("mortgage_balance", "estimated_value", mode="before")
    @classmethod
    def _money(cls, v: Any) -> int | None:
        return None if v in (None, "") else parse_money(v)

    @field_validator("months_behind")
    @classmethod
    def _months(cls, v: int | None) -> int | None:
        if v is not None and not 0 <= v <= 120:
            raise ValueError("must be between 0 and 120")
        return v

    @field_validator("source", "external_id")
    @classmethod
    def _label(cls, v: str | None) -> str | None:
        if v is not None and len(v) > 100:
            raise ValueError("is longer than 100 characters")
        return v or None

    @model_validator(mode="after")
    def _required(self) -> LeadIn:
        if self.sms_consent and self.sms_consent.granted and not self.phone:
            raise ValueError("sms_consent is granted but there is no phone to text")
        return self


@dataclass(frozen=True)
class FieldError:
    """One bad field: where (API: property.zip, CSV: property_zip) and what is wrong."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class IntakeError(Exception):
    """The intake was refused; `errors` has one entry per bad field."""

    def __init__(self, errors: Sequence[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def _clean_message(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    return msg


def validation_errors(exc: ValidationError, sep: str = ".") -> list[FieldError]:
    """Pydantic's errors as FieldErrors with readable paths and messages."""
    errors = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
        if err["type"] == "extra_forbidden":
            errors.append(FieldError(sep.join(loc), "is not a known field"))
            continue
        if err["type"] == "enum":
            allowed = err.get("ctx", {}).get("expected", "")
            errors.append(FieldError(sep.join(loc), f"{err['input']!r} is not one of {allowed}"))
            continue
        errors.append(FieldError(sep.join(loc) or "lead", _clean_message(err["msg"])))
    return errors


def parse_lead(data: dict[str, Any], *, sep: str = ".", for_update: bool = False) -> LeadIn:
    """Validate one intake body; IntakeError lists every bad field."""
    try:
        lead_in = LeadIn.model_validate(data)
    except ValidationError as exc:
        raise IntakeError(validation_errors(exc, sep)) from None
    if not for_update:
        missing = []
        if not lead_in.first_name:
            missing.append(FieldError("first_name", "is required"))
        if not lead_in.phone and not lead_in.email:
            missing.append(FieldError("phone", "a phone or an email is required"))
        if missing:
            raise IntakeError(missing)
    return lead_in
