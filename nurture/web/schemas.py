"""What the OpenAPI document says of the inputs that routes check themselves (the intake body, an
event's note): JSON Schemas built from the rules that check them, so that every request the document
calls valid is accepted. Where a rule cannot be written as a schema (a ZIP in its state, an email
address as email-validator reads it), the schema is a narrower, documented form of it."""

from __future__ import annotations

from typing import Any

import phonenumbers

from nurture.clock import now
from nurture.geo import US_STATES
from nurture.intake.schema import (
    ADDRESS_RULES,
    HARDSHIPS_MAX,
    MONTHS_BEHIND_MAX,
    TEXT_RULES,
    TextRule,
)
from nurture.models import ForeclosureStage, Hardship, PaymentStatus

# Characters text_problem refuses: control characters (tab and line breaks only in a multiline
# field), bidi controls, and the Unicode line and paragraph separators. It refuses lone surrogates
# too, which are no Unicode text and so in no string a JSON Schema describes (RFC 8259 8.2); a
# pattern naming them also makes schemathesis ignore the class.
_REFUSED = r"\u007f-\u009f\u202a-\u202e\u2066-\u2069"
_LINE_REFUSED = r"\u0000-\u001f\u2028\u2029" + _REFUSED
_MULTILINE_REFUSED = r"\u0000-\u0008\u000b\u000c\u000e-\u001f" + _REFUSED


def text_pattern(*, multiline: bool = False, nonblank: bool = False) -> str:
    """A pattern for the text text_problem accepts; `nonblank`: with a character that is not a space."""
    refused = _MULTILINE_REFUSED if multiline else _LINE_REFUSED
    if nonblank:
        return f"^[^{refused}]*[^\\s{refused}][^{refused}]*$"
    return f"^[^{refused}]*$"


def _text(rule: TextRule, *, nonblank: bool = False) -> dict[str, Any]:
    return {"type": "string", "maxLength": rule.max_len, "pattern": text_pattern(multiline=rule.multiline,
                                                                                   nonblank=nonblank)}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _or_none(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema`, or nothing given: null or "" (the intake reads both as no value)."""
    return {"anyOf": [schema, {"enum": ["", None]}]}


def _us_phone_pattern() -> str:
    """Ten digits of a US geographic number as libphonenumber's US metadata knows them (the numbers
    normalize_phone accepts), optionally after +1; other forms it accepts are not listed."""
    national = phonenumbers.PhoneMetadata.metadata_for_region("US").fixed_line.national_number_pattern
    return f"^(?:\\+1)?(?:{national.replace(chr(92) + 'd', '[0-9]')})$"


# A narrower form of what email-validator accepts: plain ASCII local parts and domains, common TLDs.
EMAIL_PATTERN = r"^[A-Za-z0-9_+-]{1,30}(?:\.[A-Za-z0-9_+-]{1,15})?@(?:[a-z0-9]{1,20}\.){1,3}(?:com|net|org|us)$"
def _years(first: int, last: int) -> str:
    return "(?:" + "|".join(str(y) for y in range(first, last + 1)) + ")"


def date_pattern() -> str:
    """Sale dates from 1990 to nine years after this year's (nurture takes ten years ahead), day 01-28."""
    return rf"^{_years(1990, now().year + 9)}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])$"


def moment_pattern() -> str:
    """A consent time with its zone, from 2000 to last year (never in the future, whatever today is)."""
    return (rf"^{_years(2000, now().year - 1)}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
            r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:Z|[+-](?:0[0-9]|1[0-2]):00)$")
MONEY_PATTERN = r"^\$?(?:(?:0|[1-9][0-9]{0,7})(?:\.[0-9]{2})?|100000000(?:\.00)?)$"
URL_PATTERN = r"^https?://[a-z0-9]{1,20}(?:\.[a-z0-9]{1,20}){0,3}(?:/[A-Za-z0-9_-]{0,30}){0,4}$"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"^{_OCTET}(?:\.{_OCTET}){{3}}$"


def _rule(*path: str) -> TextRule:
    return TEXT_RULES[path]


def _address() -> dict[str, Any]:
    parts = {name: _or_null(_text(rule)) for name, rule in ADDRESS_RULES.items()}
    parts["state"] = {"enum": [*sorted(US_STATES), "", None]}
    parts["zip"] = _or_none({"type": "string", "pattern": r"^[0-9]{5}(?:-?[0-9]{4})?$"})
    return _or_null({
        "type": "object", "additionalProperties": False, "properties": parts,
        "description": "A ZIP and a state given together must agree (the ZIP lies in the state); the "
                       "document lists either alone, and a ZIP alone fills in its state.",
        "anyOf": [{"not": {"required": ["zip"]}}, {"properties": {"zip": {"enum": ["", None]}}},
                  {"not": {"required": ["state"]}}, {"properties": {"state": {"enum": ["", None]}}}],
    })


def _money() -> dict[str, Any]:
    return {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 100_000_000},
                      {"type": "string", "pattern": MONEY_PATTERN}, {"enum": ["", None]}],
            "description": "dollars: a whole number, or text such as 425000.00 or $425000"}


def _consent() -> dict[str, Any]:
    evidence = {"text": {"type": "string", "pattern": text_pattern(multiline=True, nonblank=True)},
                "source_url": {"type": "string", "minLength": 1}, "ip": {"type": "string", "minLength": 1}}
    return _or_null({
        "type": "object", "additionalProperties": False, "required": ["granted"],
        "properties": {
            "granted": {"type": "boolean"},
            "text": _or_null(_text(_rule("sms_consent", "text"))),
            "source_url": _or_none({"type": "string", "maxLength": _rule("sms_consent", "source_url").max_len,
                                    "pattern": URL_PATTERN}),
            "ip": _or_none({"type": "string", "pattern": IPV4_PATTERN}),
            "at": _or_none({"type": "string", "pattern": moment_pattern()}),
        },
        "description": "A grant (`granted: true`) carries its evidence: the wording, the page and the lead's IP.",
        "if": {"properties": {"granted": {"const": True}}},
        "then": {"required": list(evidence), "properties": evidence},
    })


def lead_body() -> dict[str, Any]:
    """The JSON Schema of POST /api/leads's body (intake/schema.py: parse_lead)."""
    granted = {"required": ["sms_consent"], "properties": {
        "sms_consent": {"type": "object", "required": ["granted"], "properties": {"granted": {"const": True}}}}}
    return {
        "type": "object", "additionalProperties": False, "required": ["first_name"],
        "properties": {
            "first_name": _text(_rule("first_name"), nonblank=True),
            "last_name": _or_null(_text(_rule("last_name"))),
            "email": _or_none({"type": "string", "maxLength": 254, "pattern": EMAIL_PATTERN}),
            "phone": {**_or_none({"type": "string", "pattern": _us_phone_pattern()}),
                      "description": "a US number (also written (305) 555-0142 or +1 305-555-0142)"},
            "property": _address(),
            "mailing_address": _address(),
            "mortgage_balance": _money(),
            "estimated_value": _money(),
            "payment_status": {"enum": [*(s.value for s in PaymentStatus), None]},
            "months_behind": _or_none({"type": "integer", "minimum": 0, "maximum": MONTHS_BEHIND_MAX}),
            "hardships": _or_null({"type": "array", "maxItems": HARDSHIPS_MAX, "items": {"enum": [h.value for h in Hardship]}}),
            "foreclosure": _or_null({"type": "object", "additionalProperties": False, "properties": {
                "stage": {"enum": [*(s.value for s in ForeclosureStage), None]},
                "sale_date": {**_or_none({"type": "string", "pattern": date_pattern()}),
                              "description": "2026-12-10 (or 12/10/2026), within ten years from today"}}}),
            "sms_consent": _consent(),
            "source": _or_null(_text(_rule("source"))),
            "external_id": _or_null(_text(_rule("external_id"))),
            "language": {"enum": ["en", "es", None],
                         "description": "the language the lead reads (en, es); `Spanish` and `Español` are read as es"},
            "merge": {"enum": ["keep", "replace"], "description": "accepted from older forms; changes nothing"},
        },
        "anyOf": [{"required": ["phone"], "properties": {"phone": {"type": "string", "minLength": 1}}},
                  {"required": ["email"], "properties": {"email": {"type": "string", "minLength": 1}}}],
        "if": granted,
        "then": {"required": ["phone"], "properties": {"phone": {"type": "string", "minLength": 1}}},
    }
