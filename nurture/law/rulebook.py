"""The rulebook: may this lead get this message at this moment, and if not, when next and why.

One place for every rule about contacting a lead: the legal hours of every state it may be in
(windows, Sunday and holiday bans, blackouts), caps and the gap between messages, the sale-date
cut-off, staleness, lateness and sender identification. The planner places messages with these
functions and the send gate asks them again at the moment a message leaves; nothing is decided
only at planning time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from nurture.law.caps import DEFAULT_CAPS, CapBook, Caps, Limits, total_words
from nurture.law.hours import Blackout, ContactHours
from nurture.law.statutes import Law, LawRule, load_law
from nurture.law.location import Location, locate_lead
from nurture.lateness import is_late
from nurture.localtime import local_midnight, zone
from nurture.config import get_settings
from nurture.models import REACHED_STATES

Policy = Literal["strict", "statute"]
POLICIES = ("strict", "statute")
#: Placement tries at most this many moves before giving up on a time (and saying so).
MAX_MOVES = 64
#: When no zone at all is known, an email (which keeps quiet hours) must be fine in each of these.
MAINLAND_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")


def sale_day_start(sale_date: date, tz: ZoneInfo) -> datetime:
    """The UTC instant the sale day begins where the lead lives: pre-sale content stops before it."""
    return local_midnight(sale_date, tz)


@dataclass(frozen=True, slots=True)
class LeadRules:
    """The rules that hold for one lead: where it may be, its hours per channel, its caps."""

    location: Location
    sms: ContactHours | None  # None: no zone known, so no text at all
    email: ContactHours | None  # None: email keeps no quiet hours (NURTURE_EMAIL_QUIET_HOURS=false)
    limits: Limits
    policy: str
    consented: bool
    law: Law = field(repr=False, compare=False)

    def hours(self, channel: str) -> ContactHours | None:
        return self.sms if channel == "sms" else self.email

    def channel_closed(self, channel: str) -> str | None:
        """Why `channel` can never be used for this lead as things stand, else None."""
        if channel == "sms" and self.sms is None:
            return ("no time zone known for this lead (no ZIP, no state, no geographic area code): "
                    "no text until one is added")
        return None

    def place(self, channel: str, at: datetime, book: CapBook) -> tuple[datetime | None, list[str]]:
        """The first moment from `at` on when a message on `channel` is allowed, and what moved it.

        (None, causes) when no such moment is found within MAX_MOVES moves.
        """
        causes: list[str] = []
        hours = self.sms if channel == "sms" else self.email
        conflict = book.conflict
        t = at
        for _ in range(MAX_MOVES):
            if hours is not None:
                opened = hours.next_open(t)
                if opened is None:
                    causes.append(f"{hours.label}: no open day within a year")
                    return None, causes
                if opened != t:
                    _note(causes, hours.closed_rule(t) or hours.label)
                    t = opened
            clash = conflict(channel, t)
            if clash is None:
                return t, causes
            t, why = clash
            _note(causes, why)
        return None, causes

    def describe(self, today: date) -> list[str]:
        """The rules in words, for `schedule preview` and `leads show`."""
        info = self.as_dict(today)
        lines = [f"where: {info['where']}", f"zones: {self.location.describe_zones()}", f"texts today: {info['texts_today']}"]
        lines += [f"{r['state']}: {r['title']}, {r['citation']} (reviewed {r['reviewed']}){r['applied']}"
                  for r in info["laws"]]
        lines.append(f"caps: {info['caps']}")
        lines.append(f"policy: NURTURE_STATE_RULES={self.policy}")
        return lines

    def as_dict(self, today: date) -> dict[str, Any]:
        """The rules that hold for this lead on `today`, with where each came from (JSON for scripts)."""
        laws = [
            {"state": state, "id": rule.id, "title": rule.title, "citation": rule.citation, "source": rule.source,
             "reviewed": rule.reviewed.isoformat(), "applied": _exempt(rule, self)}
            for state in self.location.states for rule in self.law.rules_of(state) if rule.in_force(today)
        ]
        return {
            "where": self.location.describe(),
            "states": [{"state": p.state, "from": p.source} for p in self.location.places],
            "zones": [{"zone": z, "from": src} for z, src in self.location.zones],
            # (channel_closed says why when there are no texting hours, so self.sms is set past the `or`)
            "texts_today": self.channel_closed("sms") or (self.sms.describe(today) if self.sms else ""),
            "laws": laws,
            "caps": f"{self.limits.caps.sms} texts and {self.limits.caps.email} emails in any 24 h, "
                    + total_words(*self.limits.total_on((today,))).removeprefix("frequency cap: "),
            "policy": self.policy,
        }


def _exempt(rule: LawRule, rules: LeadRules) -> str:
    if rule.lifted_for_consent() and rules.policy == "statute" and rules.consented:
        return ": not applied (statute exempts consented leads)"
    if rule.lifted_for_consent():
        return ": applied although the statute exempts consented leads (strict policy)"
    return ""


def _note(causes: list[str], cause: str) -> None:
    if cause not in causes:
        causes.append(cause)


class Rulebook:
    """The law plus the product's own rules and the blackouts in force: builds each lead's rules."""

    def __init__(self, *, law: Law | None = None, blackouts: Iterable[Blackout] = (), policy: str = "strict",
                 email_quiet_hours: bool = True, caps: Caps = DEFAULT_CAPS) -> None:
        if policy not in POLICIES:
            raise ValueError(f"state rules policy must be one of {', '.join(POLICIES)}, not {policy!r}")
        self.law = law or load_law()
        self.blackouts = tuple(blackouts)
        self.policy = policy
        self.email_quiet_hours = email_quiet_hours
        self.caps = caps
        self._cache: dict[tuple[Any, ...], LeadRules] = {}
        # The hours and caps of a lead depend on its states and zones only, which thousands of
        # places share (every ZIP of a county): one object each, so a worker meeting 20,000 places
        # does not keep 20,000 copies with their own day windows.
        self._shared: dict[tuple[Any, ...], Any] = {}

    @classmethod
    def from_settings(cls, settings: Any = None, blackouts: Iterable[Blackout] = ()) -> Rulebook:
        if settings is None:

            settings = get_settings()
        return cls(blackouts=blackouts, policy=getattr(settings, "state_rules", "strict"),
                   email_quiet_hours=bool(getattr(settings, "email_quiet_hours", True)))

    def for_lead(self, lead: Any, *, consented: bool) -> LeadRules:
        """The rules for `lead` (a Lead or anything with state, zip, phone and timezone; see locate_lead)."""
        # Keyed on where the lead may be, not on the lead: leads of the same places share their
        # rules, and so the legal hours each rules object has already worked out.
        location = locate_lead(lead)
        key = (location, consented)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
                self._shared.clear()
            found = self._cache[key] = self._build(location, consented)
        return found

    def _build(self, location: Location, consented: bool) -> LeadRules:
        exempt = self.policy == "statute" and consented
        states = tuple(location.states)
        zones = tuple(z for z, _ in location.zones)
        sms = self._contact_hours(states, zones, exempt) if zones else None
        email = None
        if self.email_quiet_hours:
            email = sms or self._contact_hours(states, tuple(MAINLAND_ZONES), exempt)
        limits = self._shared.get(("limits", states, zones, exempt))
        if limits is None:
            limits = self._shared[("limits", states, zones, exempt)] = self._limits(states, zones or MAINLAND_ZONES,
                                                                                     exempt)
        return LeadRules(location, sms, email, limits, self.policy, consented, self.law)

    def _contact_hours(self, states: tuple[str, ...], zones: tuple[str, ...], exempt: bool) -> ContactHours:
        found = self._shared.get(("hours", states, zones, exempt))
        if found is None:
            found = self._shared[("hours", states, zones, exempt)] = ContactHours(
                self.law, states, zones, exempt_consented=exempt, blackouts=self.blackouts)
        return found

    def _limits(self, states: Sequence[str], zones: Sequence[str], exempt: bool) -> Limits:
        """The product's caps and every state cap that may apply: which are in force is asked for
        each message's own moment (Limits.total_at), not decided today."""
        law = tuple(rule for state in states for rule in self.law.rules_of(state)
                    if rule.max_per_24h is not None and not (exempt and rule.lifted_for_consent()))
        return Limits(self.caps, law, tuple(ZoneInfo(z) for z in zones))


# -- the send gate's question ----------------------------------------------------------------------


Action = Literal["send", "move", "skip", "replan"]

MessageKind = Literal["sequence", "system", "ops"]
#: The sequence name of nurture's own answers to a lead's text (HELP, the one opt-out confirmation).
SYSTEM_SEQUENCE = "system"
#: The sequence name of a reply typed by a person in the inbox.
OPS_SEQUENCE = "ops"
#: Sequence names no schedules/ file may take.
RESERVED_SEQUENCES = frozenset({SYSTEM_SEQUENCE, OPS_SEQUENCE})
#: Step names of the system messages: "<prefix>-<id of what they answer>".
STOP_CONFIRMATION_STEP = "stop-confirmation"
HELP_ANSWER_STEP = "help"
#: 47 CFR 64.1200(a)(12) (FCC 24-24, 89 FR 15756, in force 4 April 2024; reviewed 2025-06-01): one
#: text confirming a revocation is lawful if it only confirms it, has no marketing, and is the only
#: message after the revocation; sent within five minutes it is presumed lawful, later the sender
#: must show the delay was reasonable. nurture sends it within this time or not at all.
CONFIRMATION_WITHIN = timedelta(minutes=5)
#: A HELP answer later than this answers a question the lead has stopped waiting for: a person answers.
HELP_ANSWER_WITHIN = timedelta(hours=1)


def message_kind(sequence: str) -> MessageKind:
    """What kind of message a row of `sequence` is: the one place this is decided."""
    if sequence == SYSTEM_SEQUENCE:
        return "system"
    if sequence == OPS_SEQUENCE:
        return "ops"
    return "sequence"


@dataclass(frozen=True, slots=True)
class PastSend:
    """A message of the lead that went out or may have (for caps, gap, "never twice", identification)."""

    id: int
    channel: str
    sequence: str
    step: str
    state: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Outgoing:
    """The message about to leave, as the gate sees it."""

    channel: str
    sequence: str
    step: str
    deadline: bool
    due_at: datetime
    expires_at: datetime | None  # after this the message is late: re-planned by the catch-up rule
    sale_date: date | None  # the sale date it was planned for
    phase: str | None  # its sequence's phase (pre_sale, post_sale), None when not a sequence step
    condition: str | None = None  # why the step's own conditions no longer hold now, if they do not

    @property
    def kind(self) -> MessageKind:
        """sequence (a step of a plan), system (nurture answers the lead's own text) or ops (typed by a person)."""
        return message_kind(self.sequence)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's answer. `send`; `move` to `move_to`; `skip` for good; `replan`: skip and plan the lead again."""

    action: Action
    reason: str
    move_to: datetime | None = None
    identify: bool = False  # the first text the lead receives: it must name the sender and say how to stop


def check_message(
    msg: Outgoing,
    *,
    lead: Any,
    rules: LeadRules,
    consent_granted: bool,
    suppressed: str | None,
    history: Sequence[PastSend],
    now: datetime,
) -> Verdict:
    """May `msg` go out to `lead` at `now`? Pure: every fact is given.

    What applies depends on the message's kind:
    - sequence: everything (status, consent, suppression, hours, caps and gap, staleness, lateness);
    - system (a HELP answer, the opt-out confirmation): only an address and its own time limit. It
      answers the lead's own text, and 47 CFR 64.1200(a)(12) allows the one confirmation of a
      revocation, so consent, suppression, status, hours and caps do not hold it back;
    - ops (a reply typed in the inbox): consent for a text, suppression and the legal hours, days
      and blackouts, but not the lead's status (a person answers a paused lead) nor caps and gap.
    """
    kind = msg.kind
    if kind == "sequence" and lead.status != "active":
        return Verdict("skip", f"lead is {lead.status}" + (f": {lead.status_reason}" if lead.status_reason else ""))
    address = lead.phone if msg.channel == "sms" else lead.email
    if not address:
        return Verdict("skip", f"lead has no {'phone' if msg.channel == 'sms' else 'email'}")
    if kind != "system":
        if msg.channel == "sms" and not consent_granted:
            return Verdict("skip", "no SMS consent on record (never given, or revoked)")
        if suppressed:
            return Verdict("skip", f"{address} is suppressed on {msg.channel} ({suppressed})")
        closed = rules.channel_closed(msg.channel)
        if closed:
            return Verdict("skip", closed)
    for past in history:
        if past.sequence == msg.sequence and past.step == msg.step:
            return Verdict("skip", f"step {msg.step} of {msg.sequence} already went out (message #{past.id})")
    identify = msg.channel == "sms" and not any(p.channel == "sms" and p.state in REACHED_STATES for p in history)
    expires = msg.expires_at
    if kind != "sequence":
        if expires is not None and is_late(expires, now):
            return Verdict("skip", f"not sent by {expires.isoformat()}, the latest it may go out "
                                   f"(late by {_duration(now - expires)})")
        if kind == "system":
            return Verdict("send", "a system answer to the lead's own text", identify=identify)
    else:
        stale = _stale(msg, lead, now)
        if stale:
            return Verdict("replan", stale)
        if expires is not None and is_late(expires, now):
            late = _duration(now - msg.due_at)
            return Verdict("replan", f"late by {late} (its step allows {_duration(expires - msg.due_at)}): "
                                     "re-planned by the catch-up rule, never sent in a burst")
    # A person's reply keeps the law's hours but not the product's caps: the history is left out.
    book = CapBook(rules.limits, ((p.channel, p.at) for p in history) if kind == "sequence" else ())
    at, causes = rules.place(msg.channel, now, book)
    if at is None:
        return Verdict("skip", "no time within the rules: " + "; ".join(causes))
    cutoff = _pre_sale_cutoff(msg, lead)
    if at != now:
        if cutoff is not None and at >= cutoff:
            return Verdict("skip", f"no room before the sale date {lead.sale_date}: " + "; ".join(causes))
        return Verdict("move", "; ".join(causes), move_to=at)
    return Verdict("send", "all checks passed", identify=identify)


def _pre_sale_cutoff(msg: Outgoing, lead: Any) -> datetime | None:
    if lead.sale_date is None or not (msg.deadline or msg.phase == "pre_sale"):
        return None
    return sale_day_start(lead.sale_date, zone(lead.timezone))


def _stale(msg: Outgoing, lead: Any, now: datetime) -> str | None:
    """Why the message no longer fits the lead's facts (it was planned on facts that changed)."""
    if msg.deadline and lead.sale_date is None:
        return "deadline content, but the lead no longer has a sale date"
    if msg.deadline and msg.sale_date is not None and msg.sale_date != lead.sale_date:
        return f"planned for the sale date {msg.sale_date}, which is now {lead.sale_date}: stale"
    cutoff = _pre_sale_cutoff(msg, lead)
    if cutoff is not None and now >= cutoff:
        what = "deadline content" if msg.deadline else "pre-sale content"
        return f"{what} is never sent on or after the sale date {lead.sale_date} (the lead's own day)"
    if msg.condition:
        return f"its step's condition no longer holds: {msg.condition}"
    return None


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 2 * 1440:
        return f"{minutes // 1440} days"
    if minutes >= 120:
        return f"{minutes // 60} h"
    return f"{minutes} min"
