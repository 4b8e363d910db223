"""Where a lead may be: every state and time zone its facts point to, each with where it came from.

The TCPA counts hours "at the called party's location", and a pre-foreclosure homeowner may not
live at the property. So the rules look at every place known: the property's state, the ZIP's
state, the mailing address's state and ZIP, and the phone's area code (Florida, for one, presumes a
Florida area code is a Florida resident), and at every zone a ZIP or the area code may be in. The
strictest of them applies.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from nurture.geo import STATE_TIMEZONES, area_code_of, every_zip_record, zip_info, zone_from_phone

#: An area code's zone counts when at least this share of its home state's ZIPs lie in it
#: (the ZIP data lists neighbours' area codes too: a stray entry is not a zone).
ZONE_SHARE = 0.05
# Two zones that keep the same offsets all year are one zone for the rules.
_PROBES = (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12))


@dataclass(frozen=True, slots=True)
class Place:
    """A state the lead may be in, and what says so."""

    state: str
    source: str  # "the property address", "ZIP 33101", "the mailing address", "mailing ZIP 33101", "area code 850"


@dataclass(frozen=True, slots=True)
class Location:
    """Every state and zone a lead may be in; rules apply in all of them at once."""

    places: tuple[Place, ...]
    zones: tuple[tuple[str, str], ...]  # (IANA zone, what says so)

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.state for p in self.places))

    def sources_of(self, state: str) -> list[str]:
        return [p.source for p in self.places if p.state == state]

    def describe(self) -> str:
        """'FL from the property address and ZIP 33101; CA from area code 415'."""
        if not self.places:
            return "no state known"
        return "; ".join(f"{s} from {' and '.join(self.sources_of(s))}" for s in self.states)

    def describe_zones(self) -> str:
        if not self.zones:
            return "no time zone known"
        return "; ".join(f"{z} ({src})" for z, src in self.zones)


@lru_cache(maxsize=1)
def _area_codes() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Area code -> (its home state, the zones it covers there), from the ZIP data nurture ships."""
    states: dict[str, Counter[str]] = defaultdict(Counter)
    zones: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for record in every_zip_record():
        for code in record.get("area_codes") or ():
            states[code][record["state"]] += 1
            if record.get("timezone"):
                zones[(code, record["state"])][record["timezone"]] += 1
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for code, counts in states.items():
        home = counts.most_common(1)[0][0]
        found = zones.get((code, home), Counter())
        total = sum(found.values())
        kept = [z for z, n in found.most_common() if total and n / total >= ZONE_SHARE]
        table[code] = (home, _distinct(kept))
    return table


def _distinct(names: list[str]) -> tuple[str, ...]:
    """The zones that behave differently (same offsets all year: one is enough), most common first."""
    seen: set[tuple[object, ...]] = set()
    out: list[str] = []
    for name in names:
        tz = ZoneInfo(name)
        key = tuple(p.replace(tzinfo=tz).utcoffset() for p in _PROBES)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return tuple(out)


def area_code_place(area_code: str) -> tuple[str, tuple[str, ...]] | None:
    """(home state, zones) of a US or territory area code, or None when the data does not know it."""
    with _AREA_CODES_LOCK:
        return _area_codes().get(area_code)


# The table is built once per process: a worker's threads that meet their first texts at once would
# otherwise each build it (lru_cache does not hold a lock while it computes), and eight builds at
# once kept 147 MiB instead of 53 MiB (with the ZIP library's data) in a worker for its life.
_AREA_CODES_LOCK = threading.Lock()


def locate(state: str | None, zip_code: str | None, phone: str | None, timezone: str | None, *,
           mailing_state: str | None = None, mailing_zip: str | None = None) -> Location:
    """Every place the lead's facts point to (pure): the property's state and ZIP, the mailing
    address's state and ZIP, the phone. Only the phone's area code (or, for a code the data does not
    know, its number block's zone) matters, so the answer is cached on that: every lead with the
    same states, ZIPs, area code and zone shares one."""
    code = area_code_of(phone) if phone else None
    single = None
    if phone and not (code and area_code_place(code)):
        single = zone_from_phone(phone)
    return _locate(state, zip_code[:5] if zip_code else None, code, single, timezone,
                   mailing_state, mailing_zip[:5] if mailing_zip else None)


def locate_lead(lead: Any) -> Location:
    """locate() of a lead: a Lead, a LeadSnapshot, or anything with state, zip, phone and timezone
    (a stand-in without the mailing columns, such as a preview or a test's, has no mailing address)."""
    return locate(lead.state, lead.zip, lead.phone, lead.timezone,
                  mailing_state=getattr(lead, "mailing_state", None), mailing_zip=getattr(lead, "mailing_zip", None))


@lru_cache(maxsize=20_000)
def _locate(state: str | None, zip5: str | None, code: str | None, single: str | None,
            timezone: str | None, mailing_state: str | None, mailing_zip5: str | None) -> Location:
    places: list[Place] = []
    zones: list[tuple[str, str]] = []
    for address, zip_label, address_state, address_zip in (
        ("the property address", "ZIP", state, zip5),
        ("the mailing address", "mailing ZIP", mailing_state, mailing_zip5),
    ):
        if address_state:
            places.append(Place(address_state.upper(), address))
        info = zip_info(address_zip) if address_zip else None
        if info:
            places.append(Place(info["state"], f"{zip_label} {address_zip}"))
            if info.get("timezone"):
                zones.append((info["timezone"], f"{zip_label} {address_zip}"))
    known = area_code_place(code) if code else None
    if known:
        home, code_zones = known
        places.append(Place(home, f"area code {code}"))
        zones.extend((z, f"area code {code}") for z in code_zones)
    elif single:
        zones.append((single, "the phone number"))
    if timezone and not zones:
        # No ZIP and no area code said where: the zone intake derived (the state's main zone).
        source = f"{state.upper()}'s main zone" if state and STATE_TIMEZONES.get(state.upper()) == timezone else "the lead's record"
        zones.append((timezone, source))
    elif timezone and timezone not in {z for z, _ in zones}:
        zones.insert(0, (timezone, "the lead's record"))
    return Location(tuple(_dedupe_places(places)), _dedupe_zones(zones))


def _dedupe_places(places: list[Place]) -> list[Place]:
    return list(dict.fromkeys(places))


def _dedupe_zones(zones: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """One entry per distinct zone behaviour, keeping the first source that named it."""
    seen: dict[tuple[object, ...], int] = {}
    out: list[tuple[str, str]] = []
    for name, source in zones:
        tz = ZoneInfo(name)
        key = tuple(p.replace(tzinfo=tz).utcoffset() for p in _PROBES)
        if key in seen:
            idx = seen[key]
            if source not in out[idx][1]:
                out[idx] = (out[idx][0], f"{out[idx][1]}, {source}")
            continue
        seen[key] = len(out)
        out.append((name, source))
    return tuple(out)
