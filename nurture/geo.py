"""Where a lead is: the US states and territories, their main zones, ZIP records, and what a
phone number's area code says. Pure look-ups that intake, the law and the content share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import phonenumbers
import zipcodes
from phonenumbers import timezone as phone_timezone

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


def zip_info(zip5: str) -> dict[str, Any] | None:
    """The state and zone (`{"state", "timezone"}`) of a 5-digit ZIP from the `zipcodes` data,
    None for a ZIP the data does not know.

    A process that meets a few ZIPs (a worker, a form post) asks the library for each (0.5 s to
    load its data, then 0.7 ms a look-up: it scans every ZIP); one that meets many (an import of a
    county or state list) builds a table of every ZIP once (0.4 s more) after ZIP_TABLE_AFTER."""
    if not (len(zip5) == 5 and zip5.isascii() and zip5.isdigit()):
        return None  # the library panics (an error `except Exception` does not catch) on other digits
    try:
        return _zip_seen[zip5]  # one look-up, so a table cleared by another thread meanwhile is only a miss
    except KeyError:
        pass
    if len(_zip_seen) >= ZIP_TABLE_AFTER:
        with _ZIP_TABLE_LOCK:  # built once: threads meeting their 256th ZIP at once would each build it
            return _zip_records().get(zip5)
    try:
        matched = zipcodes.matching(zip5)
    except (ValueError, TypeError):
        matched = []
    found = _zip_seen[zip5] = _slim(matched[0]) if matched else None
    return found


def _slim(record: dict[str, Any]) -> dict[str, Any]:
    """The part of a `zipcodes` record nurture reads (its state and zone): a full record is about
    2 KB, and a process that meets many ZIPs would keep 90 MiB of them."""
    return {"state": record["state"], "timezone": record.get("timezone")}


#: Distinct ZIPs looked up one by one before the table of every ZIP is built.
ZIP_TABLE_AFTER = 256
_zip_seen: dict[str, dict[str, Any] | None] = {}
_ZIP_TABLE_LOCK = threading.Lock()


def every_zip_record() -> Iterator[dict[str, Any]]:
    """Every `zipcodes` record, in the library's order, a tenth at a time (by first digit):
    `zipcodes.list_all()` would hold all 42,789 (90 MiB) in the library for the process's life."""
    for digit in "0123456789":
        yield from zipcodes.similar_to(digit)


@lru_cache(maxsize=1)
def _zip_records() -> dict[str, dict[str, Any]]:
    """Every `zipcodes` record by its ZIP, built once."""
    records: dict[str, dict[str, Any]] = {}
    for record in every_zip_record():
        if record["zip_code"] not in records:  # the first, as matching()[0] gives
            records[record["zip_code"]] = _slim(record)
    return records


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
