"""Bought lists: a vendor's pre-foreclosure file, read through an import profile (profiles.py), becomes
one lead per owner and property.

What a list row brings, and what nurture makes of it:
- the recorded notice: its stage (a notice of default or lis pendens, a notice of sale, REO: the
  lead is closed), the auction date as the sale date, or without one the earliest sale date the
  state's procedure allows after the notice (law/foreclosure.py), stored as an estimate with its reason;
- several phones and emails (skip tracing): every valid one is kept as a contact of the lead; the
  lead's phone is the first mobile number not flagged Do-Not-Call (nor TCPA litigator, unless
  NURTURE_TEXT_LITIGATORS), never a landline; flagged numbers are suppressed for texts. A bought
  lead has no SMS consent: it gets email only until the owner gives consent;
- the same owner and property in a second list (parcel number, or normalised address and the
  owner's last name; or a phone or email of a lead without another parcel) is the same lead: the
  list's record is added, the stage and the sale date move forward, never back, and nothing
  else of the lead is overwritten.
"""

from __future__ import annotations

import csv
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from nurture import bulk
from nurture.content.context import LIST_SOURCE
from nurture.db import one_of
from nurture.delivery.lifecycle import log_event
from nurture.errors import InputError
from nurture.intake.csv_import import BATCH, ImportInterrupted, ImportReport, older_objects_frozen, records
from nurture.intake.leads import (
    PLAN_FIELDS,
    STATUS_REASON_MAX,
    FieldError,
    IntakeError,
    RowOutcome,
    UpsertResult,
    upsert_many,
)
from nurture.intake.profiles import ContactIn, MappedRow, Profile, detect, map_row
from nurture.intake.schema import (
    FILE_EVIDENCE,
    normalize_email,
    normalize_phone,
    parse_lead,
)
from nurture.law.foreclosure import earliest_sale
from nurture.models import (
    ForeclosureStage,
    Lead,
    LeadContact,
    LeadRecord,
    LeadStatus,
    PhoneType,
    Suppression,
    SuppressionReason,
    stored_id,
)
from nurture.plans import replan as planning
from nurture.plans.postponement import moved_later
from nurture.text_rules import clip
from nurture.tracebacks import error_summary, redacted_traceback

log = logging.getLogger("nurture.intake.lists")

#: The foreclosure stage a recorded notice puts a lead in (a sale date makes it sale_scheduled).
STAGE_OF_RECORD = {
    "notice_of_default": ForeclosureStage.notice_of_default.value,
    "lis_pendens": ForeclosureStage.notice_of_default.value,
    "judgment": ForeclosureStage.notice_of_default.value,
    "notice_of_sale": ForeclosureStage.sale_scheduled.value,
}
#: Stages in the order a foreclosure goes through them: a list moves a lead forward only.
STAGE_ORDER = {s.value: i for i, s in enumerate(ForeclosureStage)}
REASON_MAX = 300
LIST_NAME_MAX = 100


class ListFileError(InputError):
    """The file as a whole cannot be imported with this profile (no profile matches, columns missing)."""


@dataclass(frozen=True)
class SaleFacts:
    """What a list's record says about the sale: stage, date (set or estimated) and why."""

    stage: str
    sale_date: date | None = None
    estimated: bool = False
    reason: str | None = None
    closed: bool = False


def sale_facts(record: dict[str, Any], state: str | None, today: date) -> SaleFacts:
    """The stage and sale date a list's record gives, from `today`'s point of view."""
    kind = record.get("record_type")
    if kind == "reo":
        return SaleFacts(ForeclosureStage.sale_scheduled.value, closed=True,
                         reason="REO: the property went back to the lender at the sale")
    stage = STAGE_OF_RECORD.get(kind or "", ForeclosureStage.pre_foreclosure.value)
    auction = record.get("auction_date")
    if auction is not None:
        if auction >= today:
            return SaleFacts(ForeclosureStage.sale_scheduled.value, auction, False,
                             f"auction date {auction.isoformat()} from the list")
        return SaleFacts(stage, None, False, f"the list's auction date {auction.isoformat()} has passed: "
                                             "postponed or sold, not known")
    recorded = record.get("recording_date")
    if kind in STAGE_OF_RECORD and recorded is not None and state:
        estimate = earliest_sale(state, kind, recorded)
        if estimate.on is None:
            return SaleFacts(stage, reason=clip(estimate.reason, REASON_MAX))
        if estimate.on >= today:
            return SaleFacts(stage, estimate.on, True, clip(estimate.reason, REASON_MAX))
        return SaleFacts(stage, reason=clip("the earliest sale the law allows has passed, so it could be set "
                                            f"any day: {estimate.reason}", REASON_MAX))
    if kind in STAGE_OF_RECORD:
        missing = "recording date" if recorded is None else "property state"
        return SaleFacts(stage, reason=f"no estimate of the sale date: the list gives no {missing}")
    return SaleFacts(stage)


def moves_forward(lead: Lead, facts: SaleFacts) -> dict[str, Any]:
    """The stage and sale-date columns a later list changes on a stored lead: forward only. A set
    date replaces an estimate or an earlier date (a postponement); an estimate replaces only an
    estimate, when it is later or comes from a record further on (a notice of sale after a notice
    of default); nothing replaces a set date with an estimate or moves a stage back."""
    values: dict[str, Any] = {}
    further = STAGE_ORDER.get(facts.stage, 0) > STAGE_ORDER.get(lead.foreclosure_stage, 0)
    if further:
        values["foreclosure_stage"] = facts.stage
    if facts.sale_date is not None:
        stored, stored_estimate = lead.sale_date, lead.sale_date_estimated
        later = stored is None or facts.sale_date > stored
        if facts.estimated:
            # A later record (a notice of sale after a notice of default) gives the better estimate.
            take = stored is None or (stored_estimate and (later or further))
        else:
            take = stored is None or stored_estimate or later
        if take and (facts.sale_date, facts.estimated) != (stored, stored_estimate):
            values |= {"sale_date": facts.sale_date, "sale_date_estimated": facts.estimated,
                       "sale_date_reason": facts.reason}
    return values


_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


def parcel_key(parcel: str | None, state: str | None) -> str | None:
    """A parcel number as two lists write it alike, qualified by its state (counties reuse numbers
    across states): `FL:3040210120340` for "30-4021-012-0340". None without both."""
    digits = _NOT_ALNUM.sub("", (parcel or "").upper())
    if not digits or not state:
        return None
    return f"{state.upper()}:{digits}"[:64]


_WORD = re.compile(r"[A-Z0-9]+")
#: USPS street suffixes and directions (Publication 28, Appendix C1 and the directionals), most common.
_ABBREVIATIONS = {
    "STREET": "ST", "AVENUE": "AVE", "AV": "AVE", "ROAD": "RD", "DRIVE": "DR", "LANE": "LN", "COURT": "CT",
    "BOULEVARD": "BLVD", "CIRCLE": "CIR", "PLACE": "PL", "TERRACE": "TER", "PARKWAY": "PKWY", "HIGHWAY": "HWY",
    "TRAIL": "TRL", "WAY": "WAY", "SQUARE": "SQ", "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
    "NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW", "APARTMENT": "APT",
    "SUITE": "STE", "UNIT": "UNIT", "NUMBER": "", "NO": "",
}


def property_key(street: str | None, zip_code: str | None, last_name: str | None) -> str | None:
    """The property and its owner as two lists write them alike: the street's words upper-cased with
    USPS abbreviations, the 5-digit ZIP, the owner's last name. None without all three."""
    if not (street and zip_code and last_name):
        return None
    words = [_ABBREVIATIONS.get(w, w) for w in _WORD.findall(street.upper())]
    name = "".join(_WORD.findall(last_name.upper()))
    key = f"{' '.join(w for w in words if w)}|{zip_code[:5]}|{name}"
    return key[:300]


class _Contact(NamedTuple):
    source: ContactIn
    address: str  # normalised


@dataclass
class _Row:
    """One list row, read and validated, before it is saved."""

    line: int
    lead_in: Any  # LeadIn
    record: dict[str, Any]
    facts: SaleFacts
    phones: list[_Contact]
    emails: list[_Contact]
    parcel: str | None
    key: str | None
    warnings: list[FieldError] = field(default_factory=list)


def phone_refusal(contact: ContactIn, *, text_litigators: bool) -> str | None:
    """Why this list number is never texted (None: it may be, with the owner's consent)."""
    if contact.dnc:
        return "on a Do-Not-Call list (per the list)"
    if contact.litigator and not text_litigators:
        return "flagged as a TCPA litigator's (per the list; NURTURE_TEXT_LITIGATORS is off)"
    if contact.phone_type == PhoneType.landline:
        return "a landline: texts cannot reach it"
    if contact.phone_type != PhoneType.mobile:
        return f"not known to be a mobile number ({contact.phone_type or 'no type'} per the list): only mobiles are texted"
    return None


@dataclass
class ListReport(ImportReport):
    """An import of a bought list: ImportReport's counts, and the profile, the list and what it gave."""

    profile: str = ""
    detected: bool = False
    why: str = ""
    list_name: str = ""
    estimated: int = 0
    closed: int = 0
    no_textable_phone: int = 0

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {
            "profile": self.profile, "profile_detected": self.detected, "profile_why": self.why,
            "list": self.list_name, "estimated_sale_dates": self.estimated, "closed_reo": self.closed,
            "no_textable_phone": self.no_textable_phone,
        }


def read_list(lines: Iterable[str], profile: Profile | None, profiles: Sequence[Profile]
              ) -> tuple[Profile, Any, Iterator[tuple[int, dict[str, str]]]]:
    """The profile (named, or detected from the header), its detection, and (line, row) pairs keyed
    by the file's header cells."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ListFileError("the file is empty: the first line must name the columns") from None
    except csv.Error as exc:
        raise ListFileError(f"the header line is not valid CSV ({exc})") from None
    if header:
        header[0] = header[0].removeprefix("\ufeff")
    header = [h.strip() for h in header]
    detection = detect(header, [profile] if profile is not None else list(profiles))
    if detection.profile is None:
        if profile is not None:
            raise ListFileError(f"this file does not have the columns of profile {profile.name!r}: {detection.why}")
        raise ListFileError(f"no import profile matches this file's columns: {detection.why}. Name one with "
                            "--profile (nurture profiles list), or write one (docs/profiles.md)")
    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for start, values in records(reader, len(header)):
            yield start, ({"\0error": values} if isinstance(values, str) else dict(zip(header, values, strict=False)))

    return detection.profile, detection, rows()


def _first_name_of(contacts: list[ContactIn], last_name: str) -> str | None:
    """The first name of the first contact whose name ends with the owner's last name."""
    last = last_name.strip().lower()
    for contact in sorted(contacts, key=lambda c: c.position):
        words = contact.name.split()
        if last and len(words) >= 2 and words[-1].lower() == last:
            return words[0]
    return None


FACTS_REMEMBERED = 4096
"""Sale facts an import keeps by what they depend on (record type, dates, state): a list repeats them."""


def _read_row(line: int, mapped: MappedRow, *, today: date,
              facts_of: dict[tuple[Any, ...], SaleFacts]) -> _Row:
    """A mapped row validated as an intake (IntakeError lists what is wrong with it). `facts_of`:
    the sale facts already worked out in this import, by what they depend on (a list repeats them)."""
    warnings = mapped.problems
    phones: list[_Contact] = []
    emails: list[_Contact] = []
    seen: set[str] = set()
    for contact in mapped.contacts:
        try:
            address = normalize_phone(contact.value) if contact.kind == "phone" else normalize_email(contact.value)
        except ValueError as exc:
            warnings.append(FieldError(f"{contact.kind} {contact.position}", f"not kept: {exc}"))
            continue
        if address in seen:
            continue
        seen.add(address)
        (phones if contact.kind == "phone" else emails).append(_Contact(contact, address))
    body = mapped.body
    body["source"] = LIST_SOURCE  # the list's name is in its record
    if not body.get("first_name"):
        # A list may name the owner by last name only; the skip-traced contact of that name gives it.
        named = _first_name_of(mapped.contacts, str(body.get("last_name") or ""))
        if named:
            body["first_name"] = named
            warnings.append(FieldError("first_name", f"not in the list: {named}, from the contact with the owner's last name"))
    lead_in = parse_lead(body, today=today, consent_evidence=FILE_EVIDENCE, contact_required=False)
    prop = lead_in.property
    state = prop.state if prop is not None else None
    record = mapped.record
    memo = (record["record_type"], record["auction_date"], record["recording_date"], state)
    facts = facts_of.get(memo)
    if facts is None:
        if len(facts_of) >= FACTS_REMEMBERED:
            facts_of.clear()
        facts = facts_of[memo] = sale_facts(record, state, today)
    if lead_in.foreclosure is not None:
        lead_in.foreclosure = None  # the stage and sale date are set after the save, with the estimate's columns
    parcel = parcel_key(record["parcel_number"], state)
    key = property_key(prop.street if prop else None, prop.zip if prop else None, lead_in.last_name)
    return _Row(line, lead_in, record, facts, phones, emails, parcel, key, warnings)


@older_objects_frozen()
def import_list(
    session_factory: Callable[[], Session],
    lines: Iterable[str],
    *,
    profile: Profile | None,
    profiles: Sequence[Profile] = (),
    list_name: str,
    purchased_on: date,
    now: datetime,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    recorded_by: str | None = None,
    text_litigators: bool = False,
) -> ListReport:
    """Import a bought list batch by batch (good rows land, bad ones are reported by line)."""
    chosen, detection, rows = read_list(lines, profile, profiles)
    report = ListReport(ignored_columns=list(detection.ignored), dry_run=dry_run, profile=chosen.name,
                        detected=profile is None, why=detection.why, list_name=list_name)
    today = now.date()
    batch: list[_Row] = []
    keys: set[str] = set()
    facts_of: dict[tuple[Any, ...], SaleFacts] = {}
    through, settled_rows = 1, 0

    def flush() -> None:
        nonlocal through, settled_rows
        if batch:
            for outcome in _commit(session_factory, batch, chosen, list_name=list_name, purchased_on=purchased_on,
                                   now=now, dry_run=dry_run, recorded_by=recorded_by,
                                   text_litigators=text_litigators, report=report):
                report.add(outcome)
            through, settled_rows = batch[-1].line, report.rows
            if not dry_run:
                _analyze_suppressions(session_factory)
            if progress:
                progress(len(batch))
            batch.clear()
            keys.clear()

    try:
        for line, raw in rows:
            report.rows += 1
            if "\0error" in raw:
                report.errors.append((line, FieldError("row", raw["\0error"])))
                continue
            try:
                row = _read_row(line, map_row(chosen, raw), today=today, facts_of=facts_of)
            except IntakeError as exc:
                report.errors.extend((line, e) for e in exc.errors)
                continue
            except Exception as exc:  # a bug in a rule costs this line only, and says so
                log.error("list line %d could not be read\n%s", line, redacted_traceback(exc))
                report.errors.append((line, FieldError("row", f"could not be read: unexpected {error_summary(exc)}")))
                continue
            # The same owner twice in one batch: the first is saved before the second is matched to it.
            identity = {k for k in (row.parcel and "p:" + row.parcel, row.key and "k:" + row.key,
                                    *("t:" + c.address for c in row.phones), *("e:" + c.address for c in row.emails))
                        if k}
            if identity & keys:
                flush()
            keys.update(identity)
            batch.append(row)
            if len(batch) >= BATCH:
                flush()
        flush()
    except KeyboardInterrupt:
        report.rows = settled_rows
        report.errors = sorted(e for e in report.errors if e[0] <= through)
        report.warnings = [w for w in report.warnings if w[0] <= through]
        raise ImportInterrupted(report, through) from None
    report.errors.sort(key=lambda e: e[0])
    return report


#: PostgreSQL's deadlock and serialization failures: two imports took the same owners' keys in
#: another order; the loser's transaction is rolled back and may simply be made again.
_RACE_STATES = frozenset({"40P01", "40001"})


def _raced(exc: Exception) -> bool:
    """Whether `exc` is another writer's doing (a key taken, a deadlock), so that saving again works."""
    return isinstance(exc, IntegrityError) or getattr(getattr(exc, "orig", None), "sqlstate", None) in _RACE_STATES


RACE_ATTEMPTS = 6
"""Times one row is saved again after another import took its owner's keys at the same moment
(each attempt finds what the other committed, so the next one matches it) or deadlocked with it,
after a short random pause that grows with each attempt."""


def _commit(session_factory: Callable[[], Session], batch: list[_Row], profile: Profile, *, list_name: str,
            purchased_on: date, now: datetime, dry_run: bool, recorded_by: str | None, text_litigators: bool,
            report: ListReport, attempt: int = 1) -> list[RowOutcome]:
    """Save one batch in one transaction; if it fails, its rows one by one (the failure names its row)."""
    session = session_factory()
    counts = (report.estimated, report.closed, report.no_textable_phone)
    try:
        outcomes = _save(session, batch, profile, list_name=list_name, purchased_on=purchased_on, now=now,
                         recorded_by=recorded_by, text_litigators=text_litigators, report=report)
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return outcomes
    except Exception as exc:
        session.rollback()
        failure: Exception = exc
        raced = _raced(exc)
        message = ("another import took this owner's phone, email or property at the same time; import the row again"
                   if raced else f"could not be saved: unexpected {error_summary(exc)} (logged); the other rows went on")
    finally:
        session.close()
    report.estimated, report.closed, report.no_textable_phone = counts
    if len(batch) == 1 and raced and attempt < RACE_ATTEMPTS:
        time.sleep(random.uniform(0, 0.05 * attempt))
    if len(batch) > 1 or (raced and attempt < RACE_ATTEMPTS):
        return [o for row in batch for o in _commit(session_factory, [row], profile, list_name=list_name,
                                                    purchased_on=purchased_on, now=now, dry_run=dry_run,
                                                    recorded_by=recorded_by, text_litigators=text_litigators,
                                                    report=report, attempt=attempt + (len(batch) == 1))]
    if not raced:
        log.error("list line %d could not be saved\n%s", batch[0].line, redacted_traceback(failure))
    return [RowOutcome(batch[0].line, "error", errors=[FieldError("row", message)])]


def _stored(session: Session, batch: list[_Row]) -> tuple[dict[str, Lead], dict[str, Lead], dict[str, Lead], dict[str, Lead]]:
    """The stored leads any row of the batch may be: by parcel, property key, phone and email."""
    parcels = {r.parcel for r in batch if r.parcel}
    keys = {r.key for r in batch if r.key}
    phones = {c.address for r in batch for c in r.phones}
    emails = {c.address for r in batch for c in r.emails}
    conds = []
    for column, values in ((Lead.parcel_number, parcels), (Lead.property_key, keys), (Lead.phone, phones),
                           (Lead.email, emails)):
        if values:
            conds.append(one_of(session, col(column), values))
    by_parcel: dict[str, Lead] = {}
    by_key: dict[str, Lead] = {}
    by_phone: dict[str, Lead] = {}
    by_email: dict[str, Lead] = {}
    if conds:
        for lead in session.exec(select(Lead).where(or_(*conds))):
            for index, value in ((by_parcel, lead.parcel_number), (by_key, lead.property_key),
                                 (by_phone, lead.phone), (by_email, lead.email)):
                if value:
                    index[value] = lead
    return by_parcel, by_key, by_phone, by_email


def _match(row: _Row, by_parcel: dict[str, Lead], by_key: dict[str, Lead], by_phone: dict[str, Lead],
           by_email: dict[str, Lead]) -> Lead | None:
    """The stored lead this row is: the same parcel, or address and owner; or one of its phones or
    emails, when that lead is not known for another parcel."""
    lead = (by_parcel.get(row.parcel) if row.parcel else None) or (by_key.get(row.key) if row.key else None)
    if lead is not None:
        return lead
    for contacts, stored in ((row.phones, by_phone), (row.emails, by_email)):
        for contact in contacts:
            candidate = stored.get(contact.address)
            if candidate is not None and candidate.parcel_number in (None, row.parcel):
                return candidate
    return None


def _pick(contacts: list[_Contact], taken: dict[str, Lead], chosen: set[str], lead: Lead | None,
          refusal: Callable[[ContactIn], str | None]) -> str | None:
    """The first contact in the list's order that may be used and is no other lead's."""
    for contact in sorted(contacts, key=lambda c: c.source.position):
        owner = taken.get(contact.address)
        if refusal(contact.source) is None and contact.address not in chosen and (owner is None or owner is lead):
            chosen.add(contact.address)
            return contact.address
    return None


def _save(session: Session, batch: list[_Row], profile: Profile, *, list_name: str, purchased_on: date,
          now: datetime, recorded_by: str | None, text_litigators: bool, report: ListReport) -> list[RowOutcome]:
    by_parcel, by_key, by_phone, by_email = _stored(session, batch)

    def refuse_phone(c: ContactIn) -> str | None:
        return phone_refusal(c, text_litigators=text_litigators)

    chosen: set[str] = set()
    fresh: list[_Row] = []
    matched: list[tuple[_Row, Lead]] = []
    for row in batch:
        lead = _match(row, by_parcel, by_key, by_phone, by_email)
        if lead is None:
            row.lead_in.phone = _pick(row.phones, by_phone, chosen, None, refuse_phone)
            row.lead_in.email = _pick(row.emails, by_email, chosen, None, lambda c: None)
            row.lead_in.model_fields_set.update({"phone", "email"})
            fresh.append(row)
        else:
            matched.append((row, lead))

    # Every import writes new owners in the order of their keys, not of its file: two imports of
    # overlapping lists then wait for each other instead of deadlocking.
    fresh.sort(key=lambda r: (r.parcel or "", r.key or "", r.line))
    matched.sort(key=lambda pair: stored_id(pair[1]))
    outcomes: dict[int, RowOutcome] = {}
    created: dict[int, tuple[_Row, Lead]] = {}  # line -> (row, the lead it made)
    written: dict[int, Lead] = {}

    def keep(_session: Session, results: Sequence[UpsertResult], _now: datetime) -> None:
        # The leads as upsert_many loaded them (the session holds them weakly: keep them here).
        written.update((stored_id(r.lead), r.lead) for r in results)

    fresh_of = {r.line: r for r in fresh}
    # The list's columns go into the new leads' INSERT: no second write of the same rows.
    for outcome in upsert_many(session, [(r.line, r.lead_in) for r in fresh], method="list", now=now,
                               after_upsert=keep, recorded_by=recorded_by, on_match="skip",
                               new_columns=[_list_columns(r, list_name) for r in fresh], known=(by_phone, by_email)):
        line = outcome.line or 0
        outcomes[line] = outcome
        if outcome.action == "created" and outcome.lead_id is not None:
            created[line] = (fresh_of[line], written[outcome.lead_id])

    plan: list[tuple[Lead, str]] = []
    contacts: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    flagged: dict[str, tuple[str, str, int]] = {}
    events: list[dict[str, Any]] = []
    known = _known_contacts(session, [stored_id(lead) for _, lead in matched])
    saved = dict(created)
    for line, (row, lead) in created.items():
        if row.facts.closed:
            report.closed += 1
        else:
            plan.append((lead, f"new lead from list {list_name}"))
        _count(report, lead, row)
        _notes(outcomes[line], row, lead, refuse_phone)
    for row, lead in matched:
        lead_id = stored_id(lead)
        values = moves_forward(lead, row.facts)
        if "sale_date" in values:  # a set date a later list moves later: a postponement, told once
            values |= moved_later(lead, values["sale_date"], values["sale_date_estimated"], now)
        if lead.parcel_number is None and row.parcel:
            values["parcel_number"] = row.parcel
        if lead.property_key is None and row.key:
            values["property_key"] = row.key
        if lead.phone is None:
            phone = _pick(row.phones, by_phone, chosen, lead, refuse_phone)
            if phone:
                values["phone"] = phone
        if lead.email is None:
            email = _pick(row.emails, by_email, chosen, lead, lambda c: None)
            if email:
                values["email"] = email
        if row.facts.closed and lead.status != LeadStatus.closed:
            values |= {"status": LeadStatus.closed.value,
                       "status_reason": clip(f"{row.facts.reason} ({list_name})", STATUS_REASON_MAX)}
        changed = {k for k, v in values.items() if getattr(lead, k) != v}
        for name in changed:
            setattr(lead, name, values[name])
        if changed:
            lead.updated_at = now
            events.append({"at": now, "lead_id": lead_id, "kind": "lead",
                           "cause": clip(f"lead updated via list {list_name} (" + ", ".join(sorted(changed)) + ")", 500)})
            if "status" in changed:
                report.closed += 1
            if changed & PLAN_FIELDS:
                plan.append((lead, f"list {list_name}: " + ", ".join(sorted(changed))))
        outcome = RowOutcome(row.line, "updated" if changed else "unchanged", lead_id=lead_id, changed=changed,
                             warnings=list(row.warnings))
        outcome.warnings.append(FieldError("row", f"the same owner as lead #{lead_id}: this list's record added"
                                                  + (", " + ", ".join(sorted(changed)) + " moved forward" if changed else "")))
        outcomes[row.line] = outcome
        _count(report, lead, row)
        saved[row.line] = (row, lead)
    for row, lead in saved.values():
        lead_id = stored_id(lead)
        have = known.get(lead_id, set())
        for contact in (*row.phones, *row.emails):
            source = contact.source
            if (source.kind, contact.address) in have:
                continue
            have.add((source.kind, contact.address))
            contacts.append({"lead_id": lead_id, "kind": source.kind, "address": contact.address,
                             "phone_type": source.phone_type or PhoneType.unknown.value if source.kind == "phone" else None,
                             "dnc": bool(source.dnc), "litigator": bool(source.litigator),
                             "name": clip(source.name, 200) or None, "position": source.position,
                             "list_name": list_name, "created_at": now})
            if source.kind == "phone" and source.dnc:
                flagged.setdefault(contact.address, (SuppressionReason.dnc.value, "on a Do-Not-Call list", lead_id))
            elif source.kind == "phone" and source.litigator and not text_litigators:
                flagged.setdefault(contact.address, (SuppressionReason.litigator.value, "a TCPA litigator's", lead_id))
        record = row.record
        records.append({"lead_id": lead_id, "list_name": list_name, "vendor": clip(profile.vendor or "", 100) or None,
                        "profile": profile.name[:100], "purchased_on": purchased_on,
                        "record_type": record.get("record_type"),
                        "document_type": clip(record.get("document_type") or "", 60) or None,
                        "recording_date": record.get("recording_date"), "auction_date": record.get("auction_date"),
                        "parcel_number": clip((record.get("parcel_number") or "").strip(), 64) or None,
                        "case_number": clip(record.get("case_number") or "", 100) or None,
                        "lender": clip(record.get("lender") or "", 200) or None,
                        "trustee": clip(record.get("trustee") or "", 200) or None, "imported_at": now})
    session.flush()  # the known leads' changes, in id order
    bulk.insert_rows(session, LeadContact.__table__, contacts)
    bulk.insert_rows(session, LeadRecord.__table__, records)
    bulk.insert_rows(session, Suppression.__table__, _new_suppressions(session, flagged, list_name, now))
    for event in events:
        log_event(session, **event)
    if plan:
        planning.replan_many(session, plan, now=now, fresh={stored_id(lead) for _, lead in created.values()})
    return [outcomes[row.line] for row in batch]


def _analyze_suppressions(session_factory: Callable[[], Session]) -> None:
    """The flagged numbers a list suppresses grow `suppression` while each batch (and its planning)
    reads it by address: its statistics are taken again as it grows (bulk.analyze_grown)."""
    session = session_factory()
    try:
        bulk.analyze_grown(session, Suppression.__table__)
        session.commit()
    finally:
        session.close()


def _list_columns(row: _Row, list_name: str) -> dict[str, Any]:
    """The Lead columns a new lead from this row is inserted with beyond its intake's: the record's
    stage and sale date (or estimate, with its reason), the property's keys; closed for an REO."""
    facts = row.facts
    values = {"foreclosure_stage": facts.stage, "sale_date": facts.sale_date,
              "sale_date_estimated": facts.estimated, "sale_date_reason": facts.reason,
              "parcel_number": row.parcel, "property_key": row.key}
    if facts.closed:
        values |= {"status": LeadStatus.closed.value,
                   "status_reason": clip(f"{facts.reason} ({list_name})", STATUS_REASON_MAX)}
    return values


def _count(report: ListReport, lead: Lead, row: _Row) -> None:
    if lead.sale_date_estimated and lead.sale_date is not None:
        report.estimated += 1
    if lead.phone is None:
        report.no_textable_phone += 1


def _notes(outcome: RowOutcome, row: _Row, lead: Lead, refusal: Callable[[ContactIn], str | None]) -> None:
    """The row's warnings: cells not read, and why none of its numbers will be texted."""
    outcome.warnings.extend(row.warnings)
    if lead.phone is None and row.phones:
        why = "; ".join(f"{c.address} {refusal(c.source) or 'is another lead'}" for c in row.phones)
        outcome.warnings.append(FieldError("phone", clip(f"no number to text: {why}", 500)))


def _known_contacts(session: Session, lead_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    known: dict[int, set[tuple[str, str]]] = {}
    if lead_ids:
        for lead_id, kind, address in session.exec(
                select(LeadContact.lead_id, LeadContact.kind, LeadContact.address)
                .where(one_of(session, col(LeadContact.lead_id), lead_ids))):
            known.setdefault(lead_id, set()).add((kind, address))
    return known


def _new_suppressions(session: Session, flagged: dict[str, tuple[str, str, int]], list_name: str,
                      now: datetime) -> list[dict[str, Any]]:
    if not flagged:
        return []
    have = set(session.exec(select(Suppression.address).where(
        Suppression.channel == "sms", one_of(session, col(Suppression.address), flagged))))
    return [{"channel": "sms", "address": address, "reason": reason, "lead_id": lead_id, "created_at": now,
             "detail": clip(f"{why} per list {list_name}", 300)}
            for address, (reason, why, lead_id) in flagged.items() if address not in have]


def list_summary(session: Session, lead: Lead, *, text_litigators: bool) -> dict[str, Any]:
    """A lead's lists and contacts as `leads show` tells them: each contact with why it is (not) used."""
    lead_id = stored_id(lead)
    records = session.exec(select(LeadRecord).where(LeadRecord.lead_id == lead_id).order_by(col(LeadRecord.id))).all()
    contacts = session.exec(select(LeadContact).where(LeadContact.lead_id == lead_id)
                            .order_by(col(LeadContact.kind).desc(), col(LeadContact.position))).all()
    out_contacts = []
    for c in contacts:
        if c.kind == "phone":
            why = phone_refusal(ContactIn("phone", c.address, c.phone_type or "unknown", c.dnc, c.litigator,
                                          c.name or "", c.position), text_litigators=text_litigators)
            used = lead.phone == c.address
            status = "texts go here (with consent)" if used else (why or "another number is used")
        else:
            used = lead.email == c.address
            status = "emails go here" if used else "another address is used"
        out_contacts.append({"kind": c.kind, "address": c.address, "type": c.phone_type, "dnc": c.dnc,
                             "litigator": c.litigator, "name": c.name, "list": c.list_name, "used": used,
                             "status": status})
    return {
        "lists": [{"list": r.list_name, "vendor": r.vendor, "profile": r.profile,
                   "purchased_on": r.purchased_on.isoformat() if r.purchased_on else None,
                   "record_type": r.record_type, "document_type": r.document_type,
                   "recording_date": r.recording_date.isoformat() if r.recording_date else None,
                   "auction_date": r.auction_date.isoformat() if r.auction_date else None,
                   "parcel_number": r.parcel_number, "case_number": r.case_number, "lender": r.lender,
                   "trustee": r.trustee, "imported_at": r.imported_at.isoformat()} for r in records],
        "contacts": out_contacts,
    }

