"""The intake body (the README's intake fields) and its rules: validate and normalise phones, emails,
money, dates, ZIPs and time zones, and hold every field to a size a column can store.
Pure: no database."""

from __future__ import annotations

import ipaddress
import math
from functools import lru_cache
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from nurture.content.languages import parse as parse_language
from nurture.errors import InputError
from nurture.clock import now
from nurture.geo import US_REGIONS, US_STATES, zip_info
from nurture.models import ForeclosureStage, Hardship, PaymentStatus
from nurture.text_rules import clip, shown, text_problem

MAX_CENTS = 100_000_000_00  # $100M: anything above is a typo, not a house
_MONEY_CLEAN = re.compile(r"[\s$,]")
# Plain decimals, or exponent notation (1.5e5), which is read exactly, never through a float.
_MONEY = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
MONEY_TEXT_MAX = 40
"""Characters an amount of money may take: "$100,000,000.00" is 15."""
_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$", re.ASCII)
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
DATE_TEXT_MAX = 30
"""Characters a date may take: "2026-12-10" is 10."""
EARLIEST_DATE = date(1990, 1, 1)
"""No foreclosure sale nurture can act on is older: an earlier date is a typo (0001-01-01)."""
YEARS_AHEAD = 10
"""A sale is scheduled months ahead, not decades: a later date is a typo (9999-12-31)."""
MONTHS_BEHIND_MAX = 120
HARDSHIPS_MAX = 10
"""Items in `hardships`: there are six kinds, and repeats are merged."""
URL_SCHEMES = frozenset({"http", "https"})

# Normalisers: each takes raw input and returns the stored form or raises ValueError.


# A number written as ten digits (or 1 and ten), with only spaces, brackets, dots and dashes between.
_PLAIN_PHONE = re.compile(r"[\s().-]*(?:\+?1[\s().-]*)?(\d{3})[\s().-]*(\d{3})[\s().-]*(\d{4})[\s().-]*", re.ASCII)
PREFIXES_CACHED = 8192
"""NPA-NXX-X prefixes whose answer is kept: a county's list shares a few thousand exchanges."""


@lru_cache(maxsize=PREFIXES_CACHED)
def _us_prefix_valid(prefix: str) -> bool:
    """Whether every number starting with these 7 digits is a valid number of the US region itself.
    libphonenumber's US patterns decide on the first four digits at most (an area code, then
    [2-9] for the exchange, or 983[2-57-9]): what holds for `prefix` + 000 holds for every suffix.
    False means "ask libphonenumber about the whole number" (invalid, or a territory's)."""
    number = phonenumbers.parse("+1" + prefix + "000", None)
    return phonenumbers.region_code_for_number(number) == "US" and phonenumbers.is_valid_number(number)


def normalize_phone(raw: str) -> str:
    """E.164 for a valid number of the US or its territories (PR, VI, GU, AS, MP); ValueError otherwise."""
    plain = _PLAIN_PHONE.fullmatch(raw) if len(raw) <= 40 else None
    if plain is not None and _us_prefix_valid(plain[1] + plain[2] + plain[3][0]):
        # The common case of an import (a bought list has three numbers a row): one look-up per exchange.
        return "+1" + plain[1] + plain[2] + plain[3]
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        raise ValueError(f"{raw!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{raw!r} is not a valid phone number")
    if phonenumbers.region_code_for_number(number) not in US_REGIONS:
        raise ValueError(f"{raw!r} is not a US number (only numbers of the US and its territories can be texted)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


EMAIL_MAX = 254
"""Characters of an address (RFC 5321), and of the column that stores it."""


_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# A plain ASCII address (lower-cased): a dot-atom local part (RFC 5322) and a domain of LDH labels.
_PLAIN_EMAIL = re.compile(rf"({_ATEXT}(?:\.{_ATEXT})*)@({_LABEL}(?:\.{_LABEL})+)", re.ASCII)
LOCAL_PART_MAX = 64
DOMAINS_CACHED = 4096
"""Domains whose answer is kept: most of a list's addresses share a few dozen domains."""


@lru_cache(maxsize=DOMAINS_CACHED)
def _plain_domain_valid(domain: str) -> bool:
    """Whether email_validator takes an address at this plain ASCII domain (its rules for domains:
    the special-use names, a letter in the last label...), asked once per domain."""
    try:
        validate_email("a@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def normalize_email(raw: str) -> str:
    """The normalised address: compatibility forms folded (NFKC: fullwidth `ｍ` is `m`), lower-cased,
    the domain in its IDNA (`xn--`) form; syntax only, no DNS look-ups."""
    text = raw.strip().lower()
    plain = _PLAIN_EMAIL.fullmatch(text) if len(text) <= EMAIL_MAX else None
    if plain is not None and len(plain[1]) <= LOCAL_PART_MAX and _plain_domain_valid(plain[2]):
        # The common case of an import: the domain's answer is remembered, the local part is a dot-atom.
        return text
    try:
        info = validate_email(unicodedata.normalize("NFKC", raw.strip()), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    address = f"{info.local_part}@{info.ascii_domain}".lower()
    if len(address) > EMAIL_MAX:  # lower-casing can lengthen: "İ" becomes two characters
        raise ValueError(f"is longer than {EMAIL_MAX} characters")
    return address


def parse_money(raw: Any) -> int:
    """Integer cents, 0 to $100M with at most two decimals, from "425000", "$425,000.00", "4.25e5",
    425000, 425000.5 or Decimal; exact (no float arithmetic, no decimal context that can overflow)."""
    if isinstance(raw, bool):
        raise ValueError("must be an amount of money, not true/false")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValueError(f"{shown(raw)} is not an amount of money")
    if isinstance(raw, int) and abs(raw) > MAX_CENTS:  # str() of a huge int is slow, then refused
        raise ValueError("must not be negative" if raw < 0 else "is more than $100,000,000")
    if not isinstance(raw, str | int | float | Decimal):
        raise ValueError("must be an amount of money like 425000.00")
    text = _MONEY_CLEAN.sub("", raw if isinstance(raw, str) else str(raw))
    if len(text) > MONEY_TEXT_MAX or not _MONEY.fullmatch(text):
        raise ValueError(f"{shown(raw)} is not an amount of money")
    try:
        amount = Decimal(text)  # exact for any short text: building a Decimal rounds nothing
    except InvalidOperation:
        raise ValueError(f"{shown(raw)} is not an amount of money") from None
    if amount.is_zero():
        return 0
    if amount < 0:
        raise ValueError("must not be negative")
    if amount.adjusted() > 8:  # its leading digit is at 10^9 or more
        raise ValueError(f"{shown(raw)} is more than $100,000,000")
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, checked by the pattern
    while exponent < -2 and digits[-1] == 0:  # 1.500 is 1.50: trailing zeros are no extra cents
        digits, exponent = digits[:-1], exponent + 1
    if exponent < -2:
        raise ValueError(f"{shown(raw)} has more than two decimal places")
    cents = int("".join(map(str, digits))) * 10 ** (exponent + 2)
    if cents > MAX_CENTS:
        raise ValueError(f"{shown(raw)} is more than $100,000,000")
    return cents


def parse_date(raw: Any) -> date:
    """A date from ISO 2026-12-10 or US 12/10/2026 (text, or a date)."""
    if isinstance(raw, datetime):
        raise ValueError("must be a date without a time")
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise ValueError("must be a date written as text, e.g. 2026-12-10")
    text = raw.strip()
    m = _US_DATE.match(text)
    try:
        if len(text) > DATE_TEXT_MAX:
            raise ValueError
        if m:
            return date(int(m[3]), int(m[1]), int(m[2]))
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{shown(raw)} is not a date (use 2026-12-10 or 12/10/2026)") from None


def plausible_dates(today: date) -> tuple[date, date]:
    """The dates a sale (or a preview's moment) may fall on, seen from `today`: EARLIEST_DATE to ten
    years ahead. Outside them a date is a typo, and date arithmetic on it overflows."""
    try:
        latest = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February, ten years on
        latest = today.replace(year=today.year + YEARS_AHEAD, day=28)
    return EARLIEST_DATE, latest


def parse_sale_date(raw: Any, *, today: date) -> date:
    """A foreclosure sale date (parse_date) within plausible_dates(today)."""
    day = parse_date(raw)
    earliest, latest = plausible_dates(today)
    if not earliest <= day <= latest:
        raise ValueError(f"{day.isoformat()} is not a plausible sale date: give one between "
                         f"{earliest.isoformat()} and {latest.isoformat()}")
    return day


def check_url(raw: str) -> str:
    """`raw` if it is an http:// or https:// address with a host; ValueError otherwise."""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (reading it checks the port: "http://x:99999" raises)
    except ValueError:
        raise ValueError(f"{shown(raw)} is not a web address") from None
    if parts.scheme.lower() not in URL_SCHEMES or not parts.hostname:
        raise ValueError("must be an http:// or https:// address, e.g. https://example.com/start-short-sale")
    if any(ch.isspace() for ch in raw):
        raise ValueError("must not contain spaces (write them as %20)")
    return raw


def normalize_ip(raw: str) -> str:
    """An IPv4 or IPv6 address in its standard form; ValueError otherwise."""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise ValueError(f"{shown(raw)} is not an IP address (e.g. 203.0.113.7 or 2001:db8::1)") from None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressIn(_Strict):
    """A US street address, each part optional: the property's, or the lead's mailing address."""

    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None

    @field_validator("street", "city")
    @classmethod
    def _short(cls, v: str | None) -> str | None:
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
    def _zip_matches_state(self) -> AddressIn:
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
    def _date(cls, v: Any, info: ValidationInfo) -> date | None:
        if v is None or v == "":
            return None
        today = (info.context or {}).get("today") or now().date()
        return parse_sale_date(v, today=today)


CONSENT_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
"""A consent time before this is a typo, not a form a lead filled in."""
CONSENT_CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a form's clock may put a consent time (clocks disagree a little)."""


class ConsentIn(_Strict):
    granted: StrictBool
    text: str | None = None
    source_url: str | None = None
    ip: str | None = None
    # When the lead gave it, if the form captured that earlier than the request; else the time of receipt.
    at: datetime | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, v: Any, info: ValidationInfo) -> datetime | None:
        if v is None or v == "":
            return None
        if not isinstance(v, str):
            raise ValueError("must be a time written as text, e.g. 2026-11-30T14:05:00-05:00")
        try:
            moment = datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{shown(v)} is not a time (use ISO 8601 with its zone, e.g. "
                             "2026-11-30T14:05:00-05:00)") from None
        if moment.tzinfo is None:
            raise ValueError("needs its time zone (e.g. 2026-11-30T14:05:00-05:00 or ...Z): the same clock "
                             "time is another moment in every zone")
        moment = moment.astimezone(UTC)
        current = (info.context or {}).get("now") or now()
        if moment > current + CONSENT_CLOCK_SKEW:
            raise ValueError("is in the future: consent is given before it reaches us")
        if moment < CONSENT_EARLIEST:
            raise ValueError(f"is before {CONSENT_EARLIEST.date().isoformat()}: a typo?")
        return moment

    @field_validator("text")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        return v or None

    @field_validator("source_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return check_url(v) if v else None

    @field_validator("ip")
    @classmethod
    def _ip(cls, v: str | None) -> str | None:
        return normalize_ip(v) if v else None



class LeadIn(_Strict):
    """One lead as the API, CSV and CLI receive it."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    property: AddressIn | None = None
    mailing_address: AddressIn | None = None
    mortgage_balance: int | None = None  # cents once validated
    estimated_value: int | None = None
    payment_status: PaymentStatus | None = None
    months_behind: int | None = None
    hardships: list[Hardship] | None = Field(default=None, max_length=HARDSHIPS_MAX)
    foreclosure: ForeclosureIn | None = None
    sms_consent: ConsentIn | None = None
    source: str | None = None
    external_id: str | None = None
    # The language the lead reads: "en" or "es" (also "Spanish", "Español"); None: not said.
    language: str | None = None

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, v: Any) -> str | None:
        return None if v in (None, "") else parse_language(str(v))

    @field_validator("first_name", "last_name", "source", "external_id")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
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

    @field_validator("months_behind", mode="before")
    @classmethod
    def _months(cls, v: Any) -> int | None:
        # A whole number, or its digits as text (a CSV cell); never true/false, never 2.5.
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            raise ValueError("must be a whole number of months, not true/false")
        if isinstance(v, str) and v.strip().isascii() and v.strip().isdecimal() and len(v.strip()) <= 4:
            v = int(v)
        if isinstance(v, float) and v.is_integer() and abs(v) <= 10_000:
            v = int(v)  # JSON's 3.0 is the number 3 (JSON Schema's "integer" says so too)
        if not isinstance(v, int):
            raise ValueError("must be a whole number of months, e.g. 3")
        if not 0 <= v <= MONTHS_BEHIND_MAX:
            raise ValueError(f"must be between 0 and {MONTHS_BEHIND_MAX}")
        return v

    @model_validator(mode="after")
    def _required(self, info: ValidationInfo) -> LeadIn:
        # An update grants consent for the phone the lead already has (update_lead checks it there).
        if (info.context or {}).get("for_update"):
            return self
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


class IntakeError(InputError):
    """The intake was refused; `errors` has one entry per bad field."""

    def __init__(self, errors: Sequence[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def clean_message(msg: str) -> str:
    """A pydantic message without its "Value error, " prefix."""
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    return msg


FIELD_NAME_MAX = 64
"""Characters of a field name quoted in an error: an unknown key can be a megabyte long."""


def _field_name(loc: Sequence[Any], sep: str) -> str:
    return sep.join(clip(repr(str(p))[1:-1], FIELD_NAME_MAX) for p in loc if not isinstance(p, int))


def validation_errors(exc: ValidationError, sep: str = ".") -> list[FieldError]:
    """Pydantic's errors as FieldErrors with readable paths and messages."""
    errors = []
    for err in exc.errors(include_url=False):
        name = _field_name(err["loc"], sep)
        if err["type"] == "extra_forbidden":
            errors.append(FieldError(name, "is not a known field"))
            continue
        if err["type"] == "enum":
            allowed = err.get("ctx", {}).get("expected", "")
            errors.append(FieldError(name, f"{shown(err['input'])} is not one of {allowed}"))
            continue
        errors.append(FieldError(name or "lead", clean_message(err["msg"])))
    return errors


@dataclass(frozen=True)
class TextRule:
    """How long a text field may be, and whether it may hold line breaks (a wording, a note)."""

    max_len: int
    multiline: bool = False
    text_only: bool = True  # False: a number is welcome too (money, months)
    ascii_only: bool = False


#: The body's addresses: each has street, city, state and zip, held to ADDRESS_RULES.
ADDRESSES = ("property", "mailing_address")
ADDRESS_RULES: dict[str, TextRule] = {
    "street": TextRule(200),
    "city": TextRule(100),
    "state": TextRule(40),
    # ASCII: the ZIP library panics (a Rust PanicException, which no `except Exception` stops) on
    # other digits, such as Arabic-Indic ones, which a Unicode \d lets through.
    "zip": TextRule(20, ascii_only=True),
}

# Every text field of the body. Each limit is at most the column that stores the value (a longer
# value is refused here, not by PostgreSQL); fields with a format (phone, ZIP, dates, codes) get a
# loose ceiling so that their own check explains what is wrong. README "Intake fields" lists them.
TEXT_RULES: dict[tuple[str, ...], TextRule] = {
    ("first_name",): TextRule(100),
    ("last_name",): TextRule(100),
    ("email",): TextRule(EMAIL_MAX),
    ("phone",): TextRule(40),
    **{(address, part): rule for address in ADDRESSES for part, rule in ADDRESS_RULES.items()},
    ("mortgage_balance",): TextRule(MONEY_TEXT_MAX, text_only=False),
    ("estimated_value",): TextRule(MONEY_TEXT_MAX, text_only=False),
    ("payment_status",): TextRule(40),
    ("months_behind",): TextRule(10, text_only=False),
    ("hardships",): TextRule(40),  # each item
    ("foreclosure", "stage"): TextRule(40),
    ("foreclosure", "sale_date"): TextRule(DATE_TEXT_MAX),
    ("sms_consent", "text"): TextRule(5_000, multiline=True),
    ("sms_consent", "source_url"): TextRule(500),
    ("sms_consent", "ip"): TextRule(45),
    ("sms_consent", "at"): TextRule(40),
    ("source",): TextRule(50),
    ("external_id",): TextRule(100),
    ("language",): TextRule(20),
}


def _text_problem(value: Any, rule: TextRule) -> str | None:
    if isinstance(value, str):
        if rule.ascii_only and not value.isascii():
            return f"{shown(value)} must be written with the digits 0-9"
        return text_problem(value, max_len=rule.max_len, multiline=rule.multiline)
    if rule.text_only:
        return "must be text"
    return None  # a number: its own validator judges it


def _holder(body: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    """The dict in `body` that holds `path`'s last part, None when a part on the way is not a dict."""
    parent = body
    for part in path[:-1]:
        child = parent.get(part)
        if not isinstance(child, dict):
            return None
        parent = child
    return parent


def _screen_text(data: dict[str, Any], sep: str) -> tuple[dict[str, Any], list[FieldError]]:
    """Hold every text field to its TextRule before anything parses it (a phone parser must never
    see a megabyte, nor a list printed as text); return the body without the fields that failed,
    and their errors."""
    body = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    errors: list[FieldError] = []
    for path, rule in TEXT_RULES.items():
        parent = _holder(body, path)
        if parent is None or parent.get(path[-1]) is None:
            continue
        value = parent[path[-1]]
        if path == ("hardships",):
            if not isinstance(value, list):
                continue  # the model says a list is expected
            problem = f"has more than {HARDSHIPS_MAX} items" if len(value) > HARDSHIPS_MAX else next(
                (p for p in (_text_problem(item, rule) for item in value if isinstance(item, str)) if p), None)
        else:
            problem = _text_problem(value, rule)
        if problem:
            errors.append(FieldError(sep.join(path), problem))
            del parent[path[-1]]
    return body, errors


#: What a consent grant must carry, by the door it comes through: the API (a web form relayed) has
#: the wording, the page and the lead's IP; a CSV or the CLI has the wording and the page, and who
#: ran them is recorded with it. The time is always recorded (the form's `at`, else receipt).
API_EVIDENCE = ("text", "source_url", "ip")
FILE_EVIDENCE = ("text", "source_url")
_EVIDENCE_WORDS = {
    "text": "the exact wording the lead agreed to",
    "source_url": "the address of the page where the lead gave it",
    "ip": "the IP address the lead's browser sent it from",
}


def _missing_evidence(lead_in: LeadIn, required: Sequence[str], sep: str, named: set[str]) -> list[FieldError]:
    consent = lead_in.sms_consent
    if consent is None or not consent.granted:
        return []
    return [FieldError(f"sms_consent{sep}{name}", f"is required when consent is granted: {_EVIDENCE_WORDS[name]} "
                                                  "(the evidence a TCPA claim asks for)")
            for name in required if not getattr(consent, name) and f"sms_consent{sep}{name}" not in named]


def parse_lead(data: dict[str, Any], *, sep: str = ".", for_update: bool = False,
               today: date | None = None, consent_evidence: Sequence[str] = API_EVIDENCE,
               contact_required: bool = True) -> LeadIn:
    """Validate one intake body; IntakeError lists every bad field. `today` bounds the sale date
    (default: the clock's date); a consent grant must carry `consent_evidence` (each missing field
    is named). `contact_required=False`: a bought list's owner may come with no phone or email
    nurture may use (its contacts are kept and the lead shows why nothing is sent)."""
    if not isinstance(data, dict):
        raise IntakeError([FieldError("lead", "must be an object of fields")])
    body, errors = _screen_text(data, sep)
    moment = now()
    try:
        lead_in = LeadIn.model_validate(body, context={"today": today or moment.date(), "now": moment,
                                                        "for_update": for_update})
    except ValidationError as exc:
        # A check across fields (consent granted but no wording) says nothing new when one of those
        # fields was already refused above.
        screened = [e.field for e in errors]
        errors += [e for e in validation_errors(exc, sep)
                   if not any(f.startswith(e.field + sep) for f in screened)]
        raise IntakeError(errors) from None
    named = {e.field for e in errors}
    errors += _missing_evidence(lead_in, consent_evidence, sep, named)
    if not for_update:
        if not lead_in.first_name and "first_name" not in named:
            errors.append(FieldError("first_name", "is required"))
        if contact_required and not lead_in.phone and not lead_in.email and not named & {"phone", "email"}:
            errors.append(FieldError("phone", "a phone or an email is required"))
    if errors:
        raise IntakeError(errors)
    return lead_in
