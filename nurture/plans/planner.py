"""Plan a lead's messages: pure, from (lead facts, sequences, now, history) to due times and reasons.

The planner walks the steps in time order. Each message is placed at its step's time, then moved
forward (never dropped silently) until it is inside the lead's quiet-hours window and within the
frequency caps. Every step that is not planned is listed with the rule that stopped it.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from nurture.config import get_settings
from nurture.lateness import is_late, late_from
from nurture.law import (
    CAP_WINDOW,
    MIN_GAP,
    CapBook,
    LeadRules,
    Rulebook,
    sale_day_start,
)
from nurture.localtime import at_local, fmt_local, local_midnight
from nurture.models import COUNTED_STATES, DONE_STATES
from nurture.plans.cadence import (
    COUNTDOWN_EVERY_DAYS,
    COUNTDOWN_FINAL_DAYS,
    DEFAULT_BUSINESS_HOLIDAYS,
    WEEK,
    BusinessHolidays,
    CadenceBook,
)
from nurture.plans.sequences import (
    DEFAULT_DEADLINE_TIME,
    POSTPONEMENT_MARK,
    Catalog,
    SequenceSpec,
    Step,
    Window,
    format_duration,
)
from nurture.plans.urgency import Facts, TierTimeline

# A catch-up reminder is not needed when the next one is this close.
CATCH_UP_QUIET = timedelta(hours=24)
# Nothing is planned further ahead than this.
HORIZON = timedelta(days=366)
# How many times the law and the cadence may move one message in turn before it is given up.
CADENCE_MOVES = 64
# A post-sale message (the closing email) goes at the latest this many days after the sale date:
# later it would come out of nowhere weeks after the fact, so it is skipped (ops are told anyway).
POST_SALE_DAYS = 14

_PRIO_WELCOME, _PRIO_DEADLINE, _PRIO_STORY = 0, 1, 2
# Builds a NamedTuple from a ready tuple without the keyword-handling __new__: the planner makes millions.
_new_tuple = tuple.__new__


class PastMessage(NamedTuple):
    """A message of the lead that is not (or no longer) just planned.

    `sent_at` is when it went out, or its due time if it has not gone out yet (queued).
    """

    step: str
    sequence: str
    channel: str
    sent_at: datetime
    state: str


class PlannedMessage(NamedTuple):
    """One message to plan: `due_at` in UTC, `tier` the lead's tier at that moment."""

    sequence: str
    step: str
    channel: str
    template: str
    due_at: datetime
    tier: str
    deadline: bool
    reason: str
    # After this moment the message is late and is planned again by the catch-up rule.
    expires_at: datetime
    # The sale date a deadline message was planned for (None for other messages).
    sale_date: date | None


class SkippedStep(NamedTuple):
    """A step not planned, and the rule that stopped it."""

    sequence: str
    step: str
    channel: str
    template: str
    reason: str


@dataclass(slots=True)
class Plan:
    tier: str
    messages: list[PlannedMessage] = field(default_factory=list)
    skipped: list[SkippedStep] = field(default_factory=list)
    # ("pause", why) when ops must look at the lead before anything else goes out; ("tell", why)
    # when ops must look at it while its plan goes on (a passed sale with its closing message planned).
    lead_action: tuple[str, str] | None = None


def plan(
    lead: Any,
    catalog: Catalog,
    now: datetime,
    *,
    channels: Collection[str],
    history: Sequence[PastMessage] = (),
    settings: Any = None,
    channel_notes: Mapping[str, str] | None = None,
    rules: LeadRules | None = None,
    rulebook: Rulebook | None = None,
    holidays: BusinessHolidays | None = None,
) -> Plan:
    """The messages `lead` should get from `now` on, and the reason for each step it should not.

    `channels` are the channels the lead may be contacted on (consent, address, no suppression);
    `channel_notes` optionally says why a channel is missing. `history` holds the lead's messages
    that are queued or went out, so the caps count them and their steps are not sent again.
    `rules` are the lead's rules (else built from `rulebook`, else from the settings and the law).
    `holidays` are the business's holidays (else NURTURE_BUSINESS_HOLIDAYS of the settings).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    facts = lead if isinstance(lead, Facts) else Facts.from_lead(lead)
    if rules is None:
        rulebook = rulebook or Rulebook.from_settings(settings)
        where = lead if not isinstance(lead, Facts) else _Where(facts.state, None, None, facts.tz.key)
        rules = rulebook.for_lead(where, consented="sms" in channels)
    notes = dict(channel_notes or {})
    allowed = set(channels)
    for channel in list(allowed):
        closed = rules.channel_closed(channel)
        if closed:
            allowed.discard(channel)
            notes[channel] = closed
    if holidays is None:
        spec = getattr(settings or get_settings(), "business_holidays", DEFAULT_BUSINESS_HOLIDAYS)
        holidays = BusinessHolidays.parse(spec)
    return _Planner(facts, catalog, now.astimezone(UTC), frozenset(allowed), history, notes, rules, holidays).run()


class _Where(NamedTuple):
    """A lead's location facts, for a plan made from Facts alone (benchmarks)."""

    state: str | None
    zip: str | None
    phone: str | None
    timezone: str | None
    mailing_state: str | None = None
    mailing_zip: str | None = None


class _Chain:
    """The enrollment-relative steps of one sequence, placed one after the other."""

    __slots__ = ("anchor", "cursor", "cursor_day", "placed_any", "pos", "seq", "steps")

    def __init__(self, seq: SequenceSpec, anchor: datetime) -> None:
        self.seq = seq
        self.steps = seq.chain_steps
        self.pos = 0
        self.cursor = anchor
        self.cursor_day: date | None = None  # the cursor's local date, when already known
        self.anchor = anchor
        self.placed_any = False


class _Planner:
    def __init__(
        self,
        facts: Facts,
        catalog: Catalog,
        now: datetime,
        channels: frozenset[str],
        history: Sequence[PastMessage],
        notes: Mapping[str, str],
        rules: LeadRules,
        holidays: BusinessHolidays,
    ) -> None:
        days = facts.days_to_sale(now)
        if facts.sale_date_estimated and days is not None and days < 0:
            # The earliest date the law allowed has passed: the sale could be any day, not "was" on it.
            facts = replace(facts, sale_date=None, sale_date_estimated=False)
        self.f = facts
        self.tz = facts.tz
        self.catalog = catalog
        self.now = now
        self.channels = channels
        self.history = history
        self.notes = notes
        self.rules = rules
        self.book = CapBook(rules.limits)
        self.timeline = TierTimeline(facts, catalog.urgency, now)
        self.weekly = {t.name: t.max_per_week for t in catalog.urgency.tiers}
        self.cadence = CadenceBook(self._weekly_limit, holidays, facts.tz)
        self.countdown_days: list[date] = []  # local days of the sale-date reminders placed so far
        self.messages: list[PlannedMessage] = []
        self.skipped: list[SkippedStep] = []
        self.heap: list[tuple[datetime, int, int, Any]] = []
        self.counter = 0
        self.done: dict[tuple[str, str], datetime] = {}
        self.welcome_at: dict[str, datetime] = {}
        self.pending_welcome: set[str] = set()
        self.cutoff: datetime | None = None
        # Why a step at or after the cutoff is not planned (the pre-sale words unless a post-sale plan).
        self.cutoff_why = ""
        self.post_sale = False  # planning the post_sale phase (the sale date has passed)
        self.cutoff_room = ""
        self.horizon_end = now + HORIZON
        self.placed_day: date | None = None  # local date of the message _place placed last

    # -- the whole plan -------------------------------------------------------------------------

    def run(self) -> Plan:
        f, now = self.f, self.now
        tier_now = self.timeline.at(now)
        stop = self._exit_reason()
        if stop:
            return Plan(tier_now, [], self._skip_all(self.catalog.sequences, stop))
        days = f.days_to_sale(now)
        sale = f.sale_date
        passed = sale is not None and days is not None and days < 0
        action = f"sale date {sale} has passed: confirm postponed/sold/cancelled"
        if sale is not None and passed:
            post = self.catalog.phase("post_sale")
            if not post:
                skip = f"sale date {f.sale_date} has passed: nothing more until ops confirm what happened"
                return Plan(tier_now, [], self._skip_all(self.catalog.sequences, skip), ("pause", action))
            sequences = post
            self.post_sale = True
            anchor = max(local_midnight(sale + timedelta(days=1), self.tz), f.enrolled_at or now)
            self._skip_all(self.catalog.phase("pre_sale"), f"sale date {sale} has passed: post-sale sequence instead")
            # The closing message goes within POST_SALE_DAYS of the sale date, or not at all.
            self.cutoff = local_midnight(sale + timedelta(days=POST_SALE_DAYS + 1), self.tz)
            self.cutoff_why = self.cutoff_room = (
                f"more than {POST_SALE_DAYS} days after the sale date {sale}: too late for a closing message")
        else:
            sequences = self.catalog.phase("pre_sale")
            anchor = f.enrolled_at or now
            if f.sale_date is not None:
                # The plan stops at the sale date: deadline content must never be late.
                self.cutoff = sale_day_start(f.sale_date, self.tz)
                self.cutoff_why = f"would fall on or after the sale date {f.sale_date}: the lead is reviewed then"
                self.cutoff_room = f"no room before the sale date {f.sale_date}"
        self._read_history()
        for seq in sequences:
            chain = _Chain(seq, anchor)
            if chain.steps:
                self._advance(chain)
        self._deadline_steps(sequences)
        if not passed:
            self._postponement_steps(sequences)
        self._drain()
        self.messages.sort(key=lambda m: m.due_at)
        lead_action = None
        if passed:
            # Ops are told at once; once nothing more goes out (the closing message sent, skipped,
            # or not allowed) the lead waits for them, paused.
            names = {seq.name for seq in sequences}
            waiting = any(p.state == "queued" and p.sequence in names for p in self.history)
            lead_action = ("tell", action) if self.messages or waiting else ("pause", action)
        return Plan(tier_now, self.messages, self.skipped, lead_action)

    def _exit_reason(self) -> str | None:
        f = self.f
        if f.status != "active":
            return f"lead is {f.status}" + (f": {f.status_reason}" if f.status_reason else "")
        if not self.channels:
            why = "; ".join(f"{c}: {n}" for c, n in sorted(self.notes.items()))
            return "no channel allowed" + (f" ({why})" if why else "")
        return None

    def _read_history(self) -> None:
        since = self.now - CAP_WINDOW
        week_ago = self.now - WEEK
        sent_on: set[str] = set()
        for past in self.history:
            if past.state in DONE_STATES:
                key = (past.sequence, past.step)
                prev = self.done.get(key)
                if prev is None or past.sent_at > prev:
                    self.done[key] = past.sent_at
            if past.state in COUNTED_STATES:
                sent_on.add(past.channel)
                if past.sent_at > since:
                    self.book.add(past.channel, past.sent_at)
                if past.sent_at > week_ago:
                    found = self.catalog.step(past.sequence, past.step)
                    if found is not None:  # nurture's own answers (STOP, HELP) are not marketing
                        self.cadence.add(past.channel, found[1].theme, past.sent_at)
        self.pending_welcome = {c for c in self.catalog.welcome_channels() if c not in sent_on and c in self.channels}

    def _skip_all(self, sequences: Sequence[SequenceSpec], reason: str) -> list[SkippedStep]:
        for seq in sequences:
            for step in seq.steps:
                self._skip(seq, step, reason)
        return self.skipped

    def _skip(self, seq: SequenceSpec, step: Step, reason: str) -> None:
        self.skipped.append(_new_tuple(SkippedStep, (seq.name, step.id, step.channel, step.template, reason)))

    def _push(self, nominal: datetime, prio: int, item: tuple[Any, ...]) -> None:
        self.counter += 1
        heapq.heappush(self.heap, (nominal, prio, self.counter, item))

    def _drain(self) -> None:
        while self.heap:
            nominal, _, _, (seq, step, reason, chain) = heapq.heappop(self.heap)
            placed = self._place(seq, step, nominal, reason)
            if chain is not None:
                if placed is not None:
                    chain.cursor = placed
                    chain.cursor_day = self.placed_day
                    chain.placed_any = True
                chain.pos += 1
                self._advance(chain)

    # -- the steps relative to enrollment -----------------------------------------------------------

    def _advance(self, chain: _Chain) -> None:
        """Queue the chain's next step that can be planned, skipping (with reasons) those that cannot."""
        seq = chain.seq
        done = self.done
        while chain.pos < len(chain.steps):
            step = chain.steps[chain.pos]
            sent = done.get((seq.name, step.id)) if done else None
            if sent is not None:
                chain.cursor = max(chain.cursor, sent)
                chain.cursor_day = None
                chain.placed_any = True
                self._skip(seq, step, f"already sent ({self._fmt(sent)})")
                chain.pos += 1
                continue
            if step.channel not in self.channels:
                self._skip(seq, step, self._no_channel(step.channel))
                chain.pos += 1
                continue
            nominal, reason = self._chain_time(chain, step)
            if nominal is None:
                self._skip(seq, step, reason)
                chain.pos += 1
                continue
            if self.cutoff is not None and nominal >= self.cutoff:
                for rest in chain.steps[chain.pos :]:
                    self._skip(seq, rest, self.cutoff_why)
                chain.pos = len(chain.steps)
                return
            why = self._why_not(seq, step, nominal) if (seq.when or step.when) else None
            if why:
                self._skip(seq, step, why)
                chain.pos += 1
                continue
            prio = _PRIO_WELCOME if step.welcome else _PRIO_STORY
            self._push(nominal, prio, (seq, step, reason, chain))
            return

    def _chain_time(self, chain: _Chain, step: Step) -> tuple[datetime | None, str]:
        now = self.now
        in_window = False
        if step.kind == "after":
            base = chain.anchor + step.offset
            reason = f"{format_duration(step.offset)} after " + (
                f"the sale date {self.f.sale_date} (from the day after it)" if self.post_sale else "enrollment")
            if is_late(late_from(base, step.grace), now):
                return None, f"its time ({self._fmt(base)}) passed before it could be planned: not sent late"
        else:
            tier = self.timeline.at(chain.cursor)
            gap = step.gap_for(tier)
            if step.window is not None and gap.days and not gap.seconds and not gap.microseconds:
                # Whole days with a window: "2d" means two calendar days later, at the window's start.
                day = (chain.cursor_day or chain.cursor.astimezone(self.tz).date()) + gap
                base = at_local(day, step.window.start, self.tz)
                in_window = True
            else:
                base = chain.cursor + gap
            reason = _gap_reason(chain.seq.name, step, gap, tier, chain.placed_any)
            if self.post_sale and not chain.placed_any:
                reason = f"{format_duration(gap)} after the sale date {self.f.sale_date} (from the day after it)"
        if base >= now:
            if step.window is None or (step.kind == "gap" and in_window):
                return base, reason
            return _into_window(base, step.window, self.tz), reason
        if is_late(late_from(base, step.grace), now) and not step.welcome:
            reason += f"; was due {self._fmt(base)}, planned from now"
        return (now if step.window is None else _into_window(now, step.window, self.tz)), reason

    # -- the steps relative to the sale date --------------------------------------------------------

    def _deadline_steps(self, sequences: Sequence[SequenceSpec]) -> None:
        f, now = self.f, self.now
        missed: list[tuple[datetime, SequenceSpec, Step]] = []
        upcoming: list[tuple[datetime, int, SequenceSpec, Step, str]] = []
        last_sent: datetime | None = None
        for seq in sequences:
            for step in seq.deadline_steps:
                sent = self.done.get((seq.name, step.id))
                if sent is not None:
                    last_sent = sent if last_sent is None else max(last_sent, sent)
                    self._skip(seq, step, f"already sent ({self._fmt(sent)})")
                    continue
                if f.sale_date is None:
                    self._skip(seq, step, "no sale date")
                    continue
                if step.channel not in self.channels:
                    self._skip(seq, step, self._no_channel(step.channel))
                    continue
                day = f.sale_date - timedelta(days=step.offset.days)
                start = step.window.start if step.window is not None else DEFAULT_DEADLINE_TIME
                reason = f"{step.timing()} on {f.sale_date}"
                # A business holiday: the day before (the day after could be the sale day).
                while (holiday := self.cadence.holiday(at_local(day, start, self.tz))) is not None:
                    day -= timedelta(days=1)
                    reason += f"; a day earlier: {holiday} is a business holiday (NURTURE_BUSINESS_HOLIDAYS)"
                nominal = at_local(day, start, self.tz)
                if nominal < now:
                    missed.append((nominal, seq, step))
                    continue
                why = self._why_not(seq, step, nominal)
                if why:
                    self._skip(seq, step, why)
                    continue
                upcoming.append((nominal, -step.importance, seq, step, reason))
        caught = self._catch_up(missed, [u[0] for u in upcoming], last_sent) if missed else None
        last = max((m for m in (last_sent, caught) if m is not None), default=None)
        last_day = last.astimezone(self.tz).date() if last is not None else None
        for nominal, _, seq, step, reason in sorted(upcoming, key=lambda u: u[:2]):
            day = nominal.astimezone(self.tz).date()
            if (last_day is not None and step.offset.days > COUNTDOWN_FINAL_DAYS
                    and (day - last_day).days < COUNTDOWN_EVERY_DAYS):
                self._skip(seq, step, self._countdown_reason(last_day))
                continue
            last_day = day
            self.cadence.reserve(step.channel, step.theme, nominal)
            self._push(nominal, _PRIO_DEADLINE, (seq, step, reason, None))

    def _catch_up(
        self, missed: list[tuple[datetime, SequenceSpec, Step]], upcoming: list[datetime], last_sent: datetime | None
    ) -> datetime | None:
        """At most one late deadline message: the most important missed one, unless it is not needed.

        Its moment (now) if one is planned, else None.
        """
        newest = max(n for n, _, _ in missed)
        relevant = []
        for nominal, seq, step in missed:
            why = self._why_not(seq, step, self.now)
            if why:
                self._skip(seq, step, why)
            else:
                relevant.append((step.importance, nominal, seq, step))
        if not relevant:
            return None
        soon = min(upcoming) if upcoming else None
        pick = max(relevant, key=lambda r: (r[0], r[1]))
        if last_sent is not None and last_sent >= newest:
            because = f"a newer sale-date message already went out ({self._fmt(last_sent)})"
            pick = None
        elif soon is not None and soon - self.now < CATCH_UP_QUIET:
            because = f"the next sale-date message is due {self._fmt(soon)}"
            pick = None
        else:
            because = f"one catch-up only: {pick[2].name}/{pick[3].id} goes instead"
        for _, nominal, seq, step in relevant:
            if pick is not None and step is pick[3] and seq is pick[2]:
                reason = (
                    f"catch-up: {step.timing()} ({self._fmt(nominal)}) had passed when planned;"
                    " the most important missed sale-date message"
                )
                self.cadence.reserve(step.channel, step.theme, self.now)
                self._push(self.now, _PRIO_DEADLINE, (seq, step, reason, None))
            else:
                self._skip(seq, step, f"its time ({self._fmt(nominal)}) passed before it could be planned; {because}")
        return self.now if pick is not None else None

    # -- the steps relative to a postponement -------------------------------------------------------

    def _postponement_steps(self, sequences: Sequence[SequenceSpec]) -> None:
        """The message that says a set sale date moved later: once per postponement, never before it."""
        f, now = self.f, self.now
        moved_from, moved_at = f.sale_postponed_from, f.sale_postponed_at
        for seq in sequences:
            told: set[str] = set()  # steps of this sequence planned or sent for this postponement
            for step in seq.postponement_steps:
                if moved_from is None or moved_at is None:
                    self._skip(seq, step, "no postponement")
                    continue
                if f.sale_date is None or f.sale_date_estimated or f.sale_date <= moved_from:
                    self._skip(seq, step, f"the sale date is no longer set later than {moved_from}: "
                                          "no postponement to tell")
                    continue
                keyed = replace(step, id=f"{step.id}{POSTPONEMENT_MARK}{moved_from}")
                sent = self.done.get((seq.name, keyed.id))
                if sent is not None:
                    told.add(step.id)
                    self._skip(seq, keyed, f"already sent ({self._fmt(sent)})")
                    continue
                if step.fallback_for is not None:
                    first = next(s for s in seq.postponement_steps if s.id == step.fallback_for)
                    if first.id in told or first.channel in self.channels:
                        self._skip(seq, keyed, f"{seq.name}/{first.id} tells this postponement by {first.channel}")
                        continue
                if step.channel not in self.channels:
                    self._skip(seq, keyed, self._no_channel(step.channel))
                    continue
                base = moved_at + step.offset
                reason = f"{step.timing()} (from {moved_from} to {f.sale_date})"
                nominal = max(base, now)
                if nominal > base and is_late(late_from(base, step.grace), now):
                    reason += f"; was due {self._fmt(base)}, planned from now"
                if step.window is not None:
                    nominal = _into_window(nominal, step.window, self.tz)
                if self.cutoff is not None and nominal >= self.cutoff:
                    self._skip(seq, keyed, self.cutoff_why)
                    continue
                why = self._why_not(seq, step, nominal)
                if why:
                    self._skip(seq, keyed, why)
                    continue
                told.add(step.id)
                self._push(nominal, _PRIO_DEADLINE, (seq, keyed, reason, None))

    # -- placing one message ------------------------------------------------------------------------

    def _place(self, seq: SequenceSpec, step: Step, nominal: datetime, reason: str) -> datetime | None:
        channel = step.channel
        t = nominal
        causes: list[str] = []
        if self.pending_welcome and channel in self.pending_welcome and not step.welcome:
            first = self.welcome_at.get(channel)
            if first is None:
                self._skip(seq, step, f"{channel}/welcome must be the first {channel} and is not planned")
                return None
            if t < first + MIN_GAP:
                t = first + MIN_GAP
                causes.append(f"the {channel}/welcome goes first")
        if step.deadline:
            self.cadence.unreserve(channel, step.theme, nominal)
        placed: datetime | None = None
        place, book, conflict = self.rules.place, self.book, self.cadence.conflict
        last = self.horizon_end if self.cutoff is None else min(self.cutoff - timedelta(microseconds=1), self.horizon_end)
        for _ in range(CADENCE_MOVES):
            placed, moved_by = place(channel, t, book)
            for cause in moved_by:
                _note(causes, cause)
            if placed is None or placed > last:
                break
            clash = conflict(channel, step.theme, placed, welcome=step.welcome, deadline=step.deadline,
                             days_to_sale=self.f.days_to_sale(placed) if step.deadline else None)
            if clash is None:
                break
            t, why = clash
            _note(causes, why)
            if step.window is not None and not step.deadline:
                t = _into_window(t, step.window, self.tz)
        else:
            placed = None
        if placed is None:
            self._skip(seq, step, f"no time within the rules after {self._fmt(nominal)}: {', '.join(causes)}")
            return None
        t = placed
        moved = f"moved from {self._fmt(nominal)} to {self._fmt(t)}: {' and '.join(causes)}" if causes else ""
        if self.cutoff is not None and t >= self.cutoff:
            self._skip(seq, step, f"{self.cutoff_room} ({moved or 'too late'})")
            return None
        if t > self.horizon_end:
            self._skip(seq, step, f"more than {HORIZON.days} days ahead")
            return None
        if step.kind == "before_sale" and self._countdown_too_soon(seq, step, t):
            return None
        self.book.add(channel, t)
        self.cadence.add(channel, step.theme, t)
        self.placed_day = None  # the chain works the local day out if a whole-day gap needs it
        if step.welcome:
            self.welcome_at.setdefault(channel, t)
        self.messages.append(
            _new_tuple(
                PlannedMessage,
                (seq.name, step.id, channel, step.template, t, self.timeline.at(t), step.deadline,
                 f"{reason}; {moved}" if moved else reason, late_from(t, step.grace),
                 self.f.sale_date if step.deadline else None),
            )
        )
        return t

    # -- helpers ------------------------------------------------------------------------------------

    def _why_not(self, seq: SequenceSpec, step: Step, at: datetime) -> str | None:
        if seq.when is None and step.when is None:
            return None
        tier = self.timeline.at(at)
        days = self.f.days_to_sale(at)
        for cond in (seq.when, step.when):
            if cond is not None:
                why = cond.why_not(self.f, tier=tier, days_to_sale=days)
                if why:
                    return f"condition not met: {why}"
        return None

    def _countdown_too_soon(self, seq: SequenceSpec, step: Step, at: datetime) -> bool:
        """Skip a reminder that a move (quiet hours, a Sunday) brought within the countdown's spacing."""
        day = at.astimezone(self.tz).date()
        if step.offset.days > COUNTDOWN_FINAL_DAYS:
            near = [d for d in self.countdown_days if abs((day - d).days) < COUNTDOWN_EVERY_DAYS]
            if near:
                self._skip(seq, step, self._countdown_reason(max(near)))
                return True
        self.countdown_days.append(day)
        return False

    @staticmethod
    def _countdown_reason(before: date) -> str:
        return (f"cadence: the countdown goes at most every {COUNTDOWN_EVERY_DAYS} days until the last"
                f" {COUNTDOWN_FINAL_DAYS} (the one before: {before})")

    def _weekly_limit(self, at: datetime) -> tuple[int | None, str]:
        tier = self.timeline.at(at)
        return self.weekly.get(tier), tier

    def _no_channel(self, channel: str) -> str:
        note = self.notes.get(channel)
        return f"{channel} not allowed for this lead" + (f": {note}" if note else "")

    def _fmt(self, moment: datetime) -> str:
        return fmt_local(moment, self.tz)


_gap_reasons: dict[tuple[str, str, str, timedelta, str, bool], str] = {}


def _gap_reason(sequence: str, step: Step, gap: timedelta, tier: str, after_previous: bool) -> str:
    """Why a gap step is due when it is; the same few sentences recur for every lead, so they are kept."""
    key = (sequence, step.id, step.channel, gap, tier, after_previous)
    text = _gap_reasons.get(key)
    if text is None:
        if step.welcome and not after_previous:
            text = f"speed to lead: first {step.channel} as soon as the lead is enrolled"
        elif not after_previous:
            text = f"{format_duration(gap)} after enrollment (tier {tier})"
        else:
            text = f"{format_duration(gap)} after the previous {sequence} step (tier {tier})"
        if len(_gap_reasons) < 10_000:
            _gap_reasons[key] = text
    return text


def _note(causes: list[str], cause: str) -> None:
    if cause not in causes:
        causes.append(cause)


def _into_window(moment: datetime, window: Window, tz: Any) -> datetime:
    """`moment` if its local time is inside `window`, else the window's next start."""
    local = moment.astimezone(tz)
    clock = local.time()
    if clock < window.start:
        day = local.date()
    elif clock >= window.end:
        day = local.date() + timedelta(days=1)
    else:
        return moment
    return at_local(day, window.start, tz)
