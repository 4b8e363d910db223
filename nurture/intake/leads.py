"""Lead intake: one path for the API, the CSV import and the CLI. Validated bodies (intake_schema)
become one lead per person: a second intake with the same phone or email updates, never duplicates."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, or_
from sqlmodel import Session, col, select

from nurture import bulk
from nurture.law import consent as ledger
from nurture.db import one_of
from nurture.content.languages import DEFAULT_LANGUAGE
from nurture.intake.lookalike import email_skeleton, looks_plain
from nurture.intake.schema import API_EVIDENCE, ConsentIn, FieldError, IntakeError, LeadIn, normalize_email, normalize_phone, parse_lead
from nurture.geo import DEFAULT_TIMEZONE, derive_timezone
from nurture.models import (
    Channel,
    Consent,
    ConsentAction,
    DeliveryEvent,
    ForeclosureStage,
    Lead,
    LeadStatus,
    NON_PLAIN_EMAIL_SQL,
    PaymentStatus,
    ProposedChange,
    row_id,
    stored_id,
)
from nurture.locking import lock_leads
from nurture.text_rules import clip, shown, text_problem
from nurture.plans import replan as planning
from nurture.plans.postponement import moved_later

#: Why a lead reads the language an intake gave (a person who sets it later is named instead).
LANGUAGE_GIVEN = "given with the lead (form, file, API or CLI)"
STATUS_REASON_MAX = 300
"""Characters of a lead's status reason (its column)."""

# Fields whose change means the lead's messages must be planned again.
PLAN_FIELDS = frozenset(
    {"sale_date", "foreclosure_stage", "payment_status", "months_behind", "status", "hardships",
     "state", "zip", "mailing_state", "mailing_zip", "timezone", "phone", "email", "mortgage_balance_cents",
     "estimated_value_cents"}
)


#: Fields that say who the lead is and where messages go. An intake that matches a lead by one
#: identifier but brings another value for the other (a known phone with a new email, or the
#: reverse) may be someone else: these fields are then held for ops, not overwritten.
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone")

OnMatch = Literal["update", "propose", "skip"]
"""What an intake row that matches a stored lead does to it: `update` its fields (the business's
own CSV and CLI), `propose` every difference to ops and change nothing (the API: anyone who knows a
phone or an email can post it), or `skip` the row (`leads import --no-update`)."""

#: A Lead column as ops read it in a proposed change: the intake's field name (what `leads update`
#: and PATCH take to apply it). Columns not listed are named as they are.
PROPOSED_NAME = {
    "street": "property.street", "city": "property.city", "state": "property.state", "zip": "property.zip",
    "mailing_street": "mailing_address.street", "mailing_city": "mailing_address.city",
    "mailing_state": "mailing_address.state", "mailing_zip": "mailing_address.zip",
    "mortgage_balance_cents": "mortgage_balance", "estimated_value_cents": "estimated_value",
    "foreclosure_stage": "foreclosure.stage", "sale_date": "foreclosure.sale_date",
}

#: Columns an API intake never proposes: where the intake came from says nothing about the lead.
NOT_PROPOSED = frozenset({"source", "sale_date_estimated", "sale_date_reason"})


@dataclass
class UpsertResult:
    lead: Lead
    created: bool
    changed: set[str] = field(default_factory=set)
    held: list[str] = field(default_factory=list)  # fields held for ops as proposed changes
    refused: str | None = None  # why a consent grant was refused (logged in the ledger as refused)
    sent: dict[str, Any] = field(default_factory=dict)  # the Lead columns the intake brought
    sent_consent: ConsentIn | None = None  # and its SMS consent


@dataclass
class _ConsentState:
    """A lead's current SMS consent entry, as far as this batch knows it."""

    action: str
    method: str
    text: str | None = None
    source_url: str | None = None
    entry: Consent | None = None


def _lead_values(lead_in: LeadIn) -> dict[str, Any]:
    """The Lead columns this intake sets (fields it did not mention are left alone)."""
    values: dict[str, Any] = {}
    given = lead_in.model_fields_set
    for name in ("first_name", "last_name", "email", "phone", "payment_status", "months_behind",
                 "source", "external_id"):
        if name in given and getattr(lead_in, name) is not None:
            value = getattr(lead_in, name)
            values[name] = value.value if hasattr(value, "value") else value
    if "mortgage_balance" in given and lead_in.mortgage_balance is not None:
        values["mortgage_balance_cents"] = lead_in.mortgage_balance
    if "language" in given and lead_in.language is not None:
        values["language"] = lead_in.language
    if "estimated_value" in given and lead_in.estimated_value is not None:
        values["estimated_value_cents"] = lead_in.estimated_value
    if lead_in.hardships is not None and "hardships" in given:
        values["hardships"] = sorted({h.value for h in lead_in.hardships})
    for address, prefix in ((lead_in.property, ""), (lead_in.mailing_address, "mailing_")):
        if address is not None:
            for name in address.model_fields_set:
                value = getattr(address, name)
                if value is not None:
                    values[prefix + name] = value
    if lead_in.foreclosure is not None:
        fc = lead_in.foreclosure
        if "stage" in fc.model_fields_set and fc.stage is not None:
            values["foreclosure_stage"] = fc.stage.value
        if "sale_date" in fc.model_fields_set:
            # A date given (or cleared) by a person or a form is no estimate.
            values |= {"sale_date": fc.sale_date, "sale_date_estimated": False, "sale_date_reason": None}
            if fc.sale_date is not None and fc.stage is None:
                values["foreclosure_stage"] = ForeclosureStage.sale_scheduled.value
    if values.get("months_behind") and "payment_status" not in values:
        values["payment_status"] = PaymentStatus.behind.value
    return values


def _apply(lead: Lead | _Draft, values: dict[str, Any], now: datetime) -> set[str]:
    if "sale_date" in values and not isinstance(lead, _Draft):  # a set date moved later: told once
        values = values | moved_later(lead, values["sale_date"],
                                      values.get("sale_date_estimated", lead.sale_date_estimated), now)
    changed = {k for k, v in values.items() if getattr(lead, k) != v}
    for k in changed:
        setattr(lead, k, values[k])
    if "language" in changed:
        lead.language_reason = LANGUAGE_GIVEN
    if changed & {"zip", "phone", "state"}:
        tz = derive_timezone(lead.zip, lead.phone, lead.state)
        if tz != lead.timezone:
            lead.timezone = tz
            changed.add("timezone")
    if changed:
        lead.updated_at = now
    return changed


def _consent_values(lead_id: int, consent: ConsentIn, method: str, now: datetime, *, action: str,
                    recorded_by: str | None, note: str | None = None) -> dict[str, Any]:
    """An SMS consent entry (a grant with its wording, page, IP and time; a revocation; a refusal)."""
    return ledger.entry(lead_id=lead_id, channel=Channel.sms.value, action=action, method=method, at=now,
                        text=consent.text, source_url=consent.source_url, ip=consent.ip, given_at=consent.at,
                        recorded_by=recorded_by, note=note)


def _consent_change(state: _ConsentState | None, consent: ConsentIn | None) -> tuple[str | None, str | None]:
    """What an intake's consent does to a lead whose current entry is `state`: ("grant", None),
    ("revoke", None), ("refused", why) or (None, None) for nothing."""
    if consent is None:
        return None, None
    if not consent.granted:
        return ("revoke", None) if state is not None and state.action == ConsentAction.grant else (None, None)
    if state is not None and state.action == ConsentAction.revoke and state.method in ledger.TEXT_REVOCATION_METHODS:
        why = ledger.refusal_note(state.entry) if state.entry is not None else (
            "refused: this number revoked consent by text; only the lead can restore it, by texting START")
        return "refused", why
    if state is not None and state.action == ConsentAction.grant and (state.text, state.source_url) == (
            consent.text, consent.source_url):
        return None, None
    return "grant", None


def _held_contact(lead: Lead | _Draft, values: dict[str, Any], lead_in: LeadIn, by_phone: Lead | None,
                  by_email: Lead | None) -> list[tuple[str, Any, Any]]:
    """Contact fields this intake may not change on its own word: (field, current, proposed).

    The intake matched the lead by one identifier and brings another value for the other one: a
    known phone with a new email, or a known email with a new phone. Whoever filled in the form may
    not be the lead, so the name and both addresses are held for ops."""
    other_differs = (
        (by_phone is not None and lead_in.email is not None and by_phone.email != lead_in.email)
        or (by_email is not None and lead_in.phone is not None and by_email.phone != lead_in.phone)
    )
    if not other_differs:
        return []
    return [(name, getattr(lead, name), values[name]) for name in CONTACT_FIELDS
            if name in values and getattr(lead, name) != values[name]]


def _proposed_text(column: str, value: Any) -> str | None:
    """A column's value as a proposed change shows it: money in dollars, hardships joined by `;`."""
    if value is None:
        return None
    if column.endswith("_cents"):
        return f"{value // 100}.{value % 100:02d}"
    if isinstance(value, list):
        return ";".join(value)
    return _text(value.isoformat() if hasattr(value, "isoformat") else value)


def _proposed(lead: Lead, values: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Every field this intake would change on a stored lead: (field, current, proposed) as text."""
    return [(PROPOSED_NAME.get(name, name), _proposed_text(name, getattr(lead, name)), _proposed_text(name, value))
            for name, value in values.items() if name not in NOT_PROPOSED and getattr(lead, name) != value]


def _non_plain_emails(session: Session) -> Any:
    """A condition on Lead.email: the address is not plain ASCII (an IDNA domain or a Unicode local
    part). The partial index ix_lead_email_not_plain's own condition, written as it is in SQL, so the
    database reads the index (a query of its own: beside an OR it would read the table)."""
    return NON_PLAIN_EMAIL_SQL[session.get_bind().dialect.name]


def _not_pending(session: Session, proposals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The proposals that ops do not have yet: the same change sent again (a form posted twice, a
    stranger trying again) waits once, its every arrival still in the lead's log."""
    if not proposals:
        return []
    table = ProposedChange.__table__
    seen = {tuple(row) for row in session.execute(
        select(table.c.lead_id, table.c.field, table.c.proposed_value)
        .where(one_of(session, table.c.lead_id, {p["lead_id"] for p in proposals})))}
    fresh = []
    for p in proposals:
        key = (p["lead_id"], p["field"], p["proposed_value"])
        if key not in seen:
            seen.add(key)
            fresh.append(p)
    return fresh


def _find_conflict(by_phone: Lead | None, by_email: Lead | None) -> FieldError | None:
    if by_phone is not None and by_email is not None and by_phone is not by_email:
        if isinstance(by_email, _Draft) or isinstance(by_phone, _Draft):  # new in this same batch
            return FieldError("email", "belongs to another new lead of this import than the phone does")
        return FieldError(
            "email", f"belongs to lead #{by_email.id}, while the phone belongs to lead #{by_phone.id}"
        )
    return None


@dataclass
class RowOutcome:
    """What happened to one intake row: created, updated, unchanged or refused (with errors), and
    what was saved but not applied (warnings: contact fields held for ops, a refused consent)."""

    line: int | None
    action: Literal["created", "updated", "unchanged", "error"]
    lead_id: int | None = None
    errors: list[FieldError] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    warnings: list[FieldError] = field(default_factory=list)


AfterUpsert = Callable[[Session, Sequence[UpsertResult], datetime], None]


class _Draft:
    """A new lead's column values before its INSERT (Lead's defaults, then the intake's values)."""

    def __init__(self, now: datetime, method: str) -> None:
        self.first_name = ""
        self.last_name = ""
        self.email = self.phone = self.street = self.city = self.state = self.zip = None
        self.mailing_street = self.mailing_city = self.mailing_state = self.mailing_zip = None
        self.mortgage_balance_cents = self.estimated_value_cents = None
        self.payment_status = self.months_behind = self.sale_date = None
        self.sale_date_estimated = False
        self.sale_date_reason = self.parcel_number = self.property_key = None
        self.sale_postponed_from = self.sale_postponed_at = None
        self.language, self.language_reason = DEFAULT_LANGUAGE, None
        self.hardships: list[str] = []
        self.foreclosure_stage = ForeclosureStage.none.value
        self.timezone = DEFAULT_TIMEZONE
        self.source: str | None = method
        self.external_id = self.status_reason = None
        self.status = LeadStatus.active.value
        self.enrolled_at = self.created_at = self.updated_at = now


def _default_after_upsert(session: Session, results: Sequence[UpsertResult], now: datetime) -> None:
    """Plan (or re-plan) the leads that are new or changed a fact their plan depends on, in one batch."""

    todo: dict[int, tuple[Lead, str]] = {}
    for result in results:
        if result.created or result.changed & (PLAN_FIELDS | {"consent"}):
            cause = "new lead" if result.created else "changed: " + ", ".join(sorted(result.changed))
            todo.setdefault(stored_id(result.lead), (result.lead, cause))
    if todo:
        fresh = {stored_id(r.lead) for r in results if r.created}
        planning.replan_many(session, list(todo.values()), now=now, fresh=fresh)


def upsert_many(
    session: Session,
    rows: Sequence[tuple[int | None, LeadIn]],
    *,
    method: str,
    now: datetime,
    after_upsert: AfterUpsert | None = _default_after_upsert,
    recorded_by: str | None = None,
    on_match: OnMatch = "update",
    new_columns: Sequence[Mapping[str, Any]] | None = None,
    known: tuple[Mapping[str, Lead], Mapping[str, Lead]] | None = None,
) -> list[RowOutcome]:
    """Create or update a batch of validated leads in the session's transaction (not committed).

    Existing leads are found by phone or email in two queries for the whole batch; a row whose
    phone and email belong to two different leads is refused with a field error. A matched row
    does what `on_match` says; with `update`, a row that matches a lead by one identifier but brings
    another value for the other has its contact fields held for ops (ProposedChange). With `propose`
    every difference is held and `granted: false` is noted, not applied. A new email whose skeleton
    (look-alike characters folded) is a stored lead's is held for that lead, in every mode.
    Consent: a grant is recorded with its evidence and `recorded_by`, `granted: false` revokes
    (`update`), and a grant for a number that revoked by text is refused (recorded as refused, the
    row's other fields still saved).
    `new_columns`, one mapping per row: Lead columns that a lead the row creates is inserted with,
    beyond its intake's (a bought list's stage, sale date estimate and parcel), so no second write
    follows the INSERT; a row that matches a stored lead ignores its mapping.
    `known`: the stored leads by phone and by email as the caller has just read them in this
    transaction, for every phone and email of the rows at least (a bought list reads them with its
    owners' other keys): they are not looked up a second time.
    """
    phones = {r.phone for _, r in rows if r.phone}
    emails = {r.email for _, r in rows if r.email}
    by_phone: dict[str, Lead] = {}
    by_email: dict[str, Lead] = {}
    if known is not None:
        by_phone = {phone: known[0][phone] for phone in phones if phone in known[0]}
        by_email = {email: known[1][email] for email in emails if email in known[1]}
    elif phones or emails:
        conds = []
        if phones:
            conds.append(one_of(session, col(Lead.phone), phones))
        if emails:
            conds.append(one_of(session, col(Lead.email), emails))
        for lead in session.exec(select(Lead).where(or_(*conds))):
            if lead.phone:
                by_phone[lead.phone] = lead
            if lead.email:
                by_email[lead.email] = lead
    # Look-alike addresses of stored leads: a new address's skeleton may be a plain stored address,
    # or a stored address may itself be a look-alike (few are not plain ASCII: one query finds them).
    by_skeleton: dict[str, Lead] = {}
    unknown = {email for email in emails if email not in by_email}
    if unknown:
        # A plain address is its own skeleton and no stored lead's (it is unknown): only the others'
        # skeletons can be a stored plain address (folding each address twice cost 6 us a row).
        skeletons = {email_skeleton(email) for email in unknown if not looks_plain(email)}
        plain = {s for s in skeletons if looks_plain(s)}
        alikes = list(session.exec(select(Lead).where(_non_plain_emails(session))))
        if plain:
            alikes += session.exec(select(Lead).where(one_of(session, col(Lead.email), plain)))
        for alike in sorted(alikes, key=stored_id):  # two look-alikes: the older lead, as a table scan gave it
            if alike.email:
                by_skeleton.setdefault(email_skeleton(alike.email), alike)

    # The current SMS consent entry of each lead in play, keyed by the lead object (new leads have no id yet).
    consent_state: dict[int, _ConsentState] = {}
    existing = {stored_id(lead): lead for lead in (*by_phone.values(), *by_email.values(), *by_skeleton.values())}
    if existing and any(r.sms_consent for _, r in rows):
        # Consent changes under the leads' locks, read after them: a worker deciding about one of
        # these leads sees the change or decided before it.
        lock_leads(session, list(existing))
        for (lead_id, _), c in ledger.current_many(session, list(existing), "sms").items():
            consent_state[id(existing[lead_id])] = _ConsentState(c.action, c.method, c.text, c.source_url, c)

    outcomes: list[RowOutcome] = []
    done: list[tuple[LeadIn, RowOutcome, UpsertResult]] = []
    drafts: list[_Draft] = []
    held_of: dict[int, list[tuple[str, Any, Any]]] = {}
    consent_of: dict[int, tuple[str, str | None]] = {}
    for index, (line, lead_in) in enumerate(rows):
        p = by_phone.get(lead_in.phone) if lead_in.phone else None
        e = by_email.get(lead_in.email) if lead_in.email else None
        values = _lead_values(lead_in)
        if on_match == "propose" and p is not None and e is not None and p is not e:
            # Answered as a new lead's would be, whatever is stored: a phone and an email of two
            # leads are held for the phone's lead, not refused with an answer that names both.
            e = None
        conflict = _find_conflict(p, e)
        if conflict:
            outcomes.append(RowOutcome(line, "error", errors=[conflict]))
            continue
        lead = p or e
        sent = dict(values)
        look_alike: Lead | None = None
        if lead is None and lead_in.email:
            lead = look_alike = by_skeleton.get(email_skeleton(lead_in.email)) if by_skeleton else None
        created = lead is None
        held: list[tuple[str, Any, Any]] = []
        row_mode: OnMatch = "propose" if look_alike is not None else on_match
        consent_in = lead_in.sms_consent
        if lead is None:
            if not values.get("first_name"):
                outcomes.append(RowOutcome(line, "error", errors=[FieldError("first_name", "is required")]))
                continue
            lead = _Draft(now, method)
            if new_columns is not None:
                vars(lead).update(new_columns[index])
            drafts.append(lead)
        elif isinstance(lead, _Draft):
            pass  # a lead this same batch created is not someone else's record: only stored leads are held
        elif row_mode == "skip":
            outcomes.append(RowOutcome(line, "unchanged", lead_id=lead.id, warnings=[FieldError(
                "row", f"matches lead #{lead.id}: left as it is (--no-update)")]))
            continue
        elif row_mode == "propose":
            held = _proposed(lead, values)
            values = {}
            state = consent_state.get(id(lead))
            if consent_in is not None and (look_alike is not None or not consent_in.granted):
                # Consent from a look-alike address is not the lead's; a revocation by whoever knows
                # the phone is not applied either: both wait for ops, noted.
                current = state.action if state is not None else None
                proposed = "grant" if consent_in.granted else "revoke"
                if current != proposed and (consent_in.granted or current == ConsentAction.grant):
                    held.append(("sms_consent", current, proposed))
                consent_in = None
        else:
            held = _held_contact(lead, values, lead_in, p, e)
            for name, _, _ in held:
                del values[name]
        changed = _apply(lead, values, now)
        if lead.phone:
            by_phone[lead.phone] = lead
        if lead.email and look_alike is None:
            by_email[lead.email] = lead
        outcome = RowOutcome(line, "created", changed=changed)
        action, why = _consent_change(consent_state.get(id(lead)), consent_in)
        if action == "refused":
            outcome.warnings.append(FieldError("sms_consent", why or "refused"))
        elif action is not None:
            given = lead_in.sms_consent
            assert given is not None  # only a consent field changes consent (_consent_change)
            consent_state[id(lead)] = _ConsentState(action, method, given.text, given.source_url)
            changed.add("consent")
        if held:
            if look_alike is not None:
                why_held = f"the email looks like lead #{look_alike.id}'s ({look_alike.email})"
            elif row_mode == "propose":
                why_held = "this intake matched the lead by " + ("phone" if p is not None else "email")
            else:
                why_held = ("this intake matched the lead by " + ("phone" if p is not None else "email")
                            + " but brought another " + ("email" if p is not None else "phone"))
            outcome.warnings.append(FieldError(", ".join(name for name, _, _ in held),
                                               "held for ops as a proposed change: " + why_held))
        if not created:
            outcome.action = "updated" if changed else "unchanged"
        outcomes.append(outcome)
        result = UpsertResult(lead, created, changed, held=[name for name, _, _ in held],
                              refused=why if action == "refused" else None, sent=sent,
                              sent_consent=lead_in.sms_consent)
        held_of[id(result)] = held
        if action is not None:
            consent_of[id(result)] = (action, why)
        done.append((lead_in, outcome, result))

    session.flush()
    if drafts:
        # The new leads' ids are taken first and the rows written in bulk (COPY on PostgreSQL), then
        # loaded back as ORM objects in one query: building SQLModel objects one by one costs more
        # than the rest of the import together.
        ids = bulk.reserve_ids(session, Lead.__table__, len(drafts))
        bulk.insert_rows(session, Lead.__table__, [vars(d) | {"id": i} for d, i in zip(drafts, ids, strict=True)])
        loaded = {lead.id: lead for lead in session.exec(select(Lead).where(one_of(session, col(Lead.id), ids)))}
        real = {id(d): loaded[i] for d, i in zip(drafts, ids, strict=True)}
        for _, _, res in done:
            if id(res.lead) in real:
                res.lead = real[id(res.lead)]

    consents: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    proposals: list[dict[str, Any]] = []
    for lead_in, outcome, res in done:
        lead_id = outcome.lead_id = res.lead.id
        action, why = consent_of.get(id(res), (None, None))
        if action is not None and lead_in.sms_consent:
            consents.append(_consent_values(lead_id, lead_in.sms_consent, method, now, action=action,
                                            recorded_by=recorded_by, note=why))
        if action == "refused":
            events.append({"at": now, "lead_id": lead_id, "kind": "consent",
                           "cause": f"SMS consent grant via {method} {why}"[:500]})
        for name, current, proposed in held_of.get(id(res), []):
            proposals.append({"lead_id": lead_id, "field": name, "current_value": _text(current),
                              "proposed_value": _text(proposed), "method": method, "recorded_by": recorded_by,
                              "recorded_at": now})
        if res.held:
            events.append({"at": now, "lead_id": lead_id, "kind": "lead",
                           "cause": f"proposed change held for ops via {method}: " + ", ".join(res.held)})
        if outcome.action != "unchanged":
            what = "created" if res.created else "updated (" + ", ".join(sorted(res.changed)) + ")"
            events.append({"at": now, "lead_id": lead_id, "kind": "lead", "cause": f"lead {what} via {method}"})
    # Core inserts: these rows are append-only records, no ORM objects are needed for them.
    bulk.insert_rows(session, Consent.__table__, consents)
    bulk.insert_rows(session, ProposedChange.__table__, _not_pending(session, proposals))
    bulk.insert_rows(session, DeliveryEvent.__table__, events)
    if after_upsert is not None:
        after_upsert(session, [res for _, _, res in done], now)
    return outcomes


def upsert_lead(session: Session, data: dict[str, Any], *, method: str, now: datetime,
                consent_evidence: Sequence[str] = API_EVIDENCE, recorded_by: str | None = None,
                on_match: OnMatch = "update") -> UpsertResult:
    """Validate and create or update one lead (API and CLI); IntakeError lists every bad field."""
    lead_in = parse_lead(data, consent_evidence=consent_evidence)
    if "source" not in lead_in.model_fields_set:
        lead_in.source = method
        lead_in.model_fields_set.add("source")
    results: list[UpsertResult] = []

    def keep(session: Session, done: Sequence[UpsertResult], at: datetime) -> None:
        results.extend(done)
        _default_after_upsert(session, done, at)

    (outcome,) = upsert_many(session, [(None, lead_in)], method=method, now=now, after_upsert=keep,
                             recorded_by=recorded_by, on_match=on_match)
    if outcome.action == "error":
        raise IntakeError(outcome.errors)
    lead = session.get(Lead, outcome.lead_id)
    assert lead is not None
    (result,) = results
    result.lead = lead
    return result


def as_if_new(session: Session, result: UpsertResult, *, method: str, now: datetime,
              recorded_by: str | None) -> tuple[Lead, list[Consent]]:
    """The lead and consent ledger a new lead would have had from this intake, under the matched
    lead's id: what the API answers to an intake that matched, so the answer tells nothing stored.

    Not saved: a transient Lead built from the intake's own values, as a new lead's would be."""
    draft = _Draft(now, method)
    _apply(draft, result.sent, now)  # as a new lead's values are applied
    lead = Lead(**vars(draft))
    lead.id = result.lead.id
    consents: list[Consent] = []
    given = result.sent_consent
    if given is not None and given.granted:
        # The entry id is the lead's latest SMS entry, the one this intake wrote when it wrote one.
        latest = session.exec(select(Consent).where(Consent.lead_id == result.lead.id, Consent.channel == "sms")
                              .order_by(col(Consent.id).desc()).limit(1)).first()
        entry = Consent(**_consent_values(stored_id(result.lead), given, method, now, action="grant",
                                          recorded_by=recorded_by))
        entry.id = latest.id if latest is not None else None
        consents.append(entry)
    return lead, consents


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:254]


def update_lead(session: Session, lead: Lead, data: dict[str, Any], *, method: str, now: datetime,
                consent_evidence: Sequence[str] = API_EVIDENCE, recorded_by: str | None = None) -> UpsertResult:
    """Apply a partial update (PATCH, `leads update`) to an existing lead, status included. The
    caller names the lead, so its contact fields change as asked."""
    data = dict(data)
    status = data.pop("status", None)
    status_reason = data.pop("status_reason", None)
    errors: list[FieldError] = []
    try:
        lead_in = parse_lead(data, for_update=True, consent_evidence=consent_evidence)
    except IntakeError as exc:
        errors.extend(exc.errors)
        lead_in = None
    if status is not None and (not isinstance(status, str) or status not in LeadStatus.__members__):
        errors.append(FieldError("status", f"{shown(status)} is not one of {', '.join(LeadStatus)}"))
    if status_reason is not None:
        problem = (text_problem(status_reason, max_len=STATUS_REASON_MAX) if isinstance(status_reason, str)
                   else "must be text")
        if problem:
            errors.append(FieldError("status_reason", problem))
    if errors:
        raise IntakeError(errors)
    assert lead_in is not None
    for key, value in (("phone", lead_in.phone), ("email", lead_in.email)):
        if value is not None:
            other = session.exec(select(Lead).where(getattr(Lead, key) == value, Lead.id != lead.id)).first()
            if other is not None:
                raise IntakeError([FieldError(key, f"belongs to another lead (#{other.id})")])
    changed = _apply(lead, _lead_values(lead_in), now)
    if "language" in changed:  # who set it, and how, rather than the intake's generic reason
        lead.language_reason = clip(f"set by {recorded_by or method} via {method} on {now:%Y-%m-%d}", 200)
    if status is not None and status != lead.status:
        lead.status = status
        lead.status_reason = (status_reason or "").strip() or f"set via {method}"
        changed.add("status")
    consent = lead_in.sms_consent
    refused = None
    if consent is not None:
        if consent.granted and not lead.phone:
            raise IntakeError([FieldError("sms_consent", "is granted but the lead has no phone to text")])
        # Under the lead's lock: a worker deciding about this lead sees the new consent or decided before it.
        lead_id = stored_id(lead)
        lock_leads(session, [lead_id])
        current = ledger.current(session, lead_id, "sms")
        state = _ConsentState(current.action, current.method, current.text, current.source_url, current) if current else None
        action, refused = _consent_change(state, consent)
        if action is not None:
            session.execute(insert(Consent), [_consent_values(lead_id, consent, method, now, action=action,
                                                              recorded_by=recorded_by, note=refused)])
        if action == "refused":
            session.add(DeliveryEvent(at=now, lead_id=lead.id, kind="consent",
                                      cause=f"SMS consent grant via {method} {refused}"[:500]))
        elif action is not None:
            changed.add("consent")
    result = UpsertResult(lead, False, changed, refused=refused)
    if changed:
        lead.updated_at = now
        session.add(DeliveryEvent(at=now, lead_id=lead.id, kind="lead",
                                  cause=f"lead updated via {method} (" + ", ".join(sorted(changed)) + ")"))
        _default_after_upsert(session, [result], now)
    session.flush()
    return result


def lead_by_id(session: Session, lead_id: object) -> Lead | None:
    """The lead with this id, or None (also for an id no row can have, such as 10**30)."""
    found = row_id(lead_id)
    return None if found is None else session.get(Lead, found)


def find_lead(session: Session, ref: str) -> Lead | None:
    """A lead by id, phone (any US format) or email."""
    ref = ref.strip()
    if ref.isascii() and ref.isdecimal() and len(ref) < 10:
        return lead_by_id(session, ref)
    if "@" in ref:
        try:
            return session.exec(select(Lead).where(Lead.email == normalize_email(ref))).first()
        except ValueError:
            return None
    try:
        return session.exec(select(Lead).where(Lead.phone == normalize_phone(ref))).first()
    except ValueError:
        return None


def consent_ledger(session: Session, lead_id: int) -> list[Consent]:
    return list(session.exec(select(Consent).where(Consent.lead_id == lead_id).order_by(Consent.id)))


def proposed_changes(session: Session, lead_id: int) -> list[ProposedChange]:
    """Contact changes intakes brought for this lead and ops have not applied (newest last)."""
    return list(session.exec(select(ProposedChange).where(ProposedChange.lead_id == lead_id)
                             .order_by(ProposedChange.id)))
