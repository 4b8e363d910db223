"""A/B variants of a template: which one a lead gets, the same one every time.

A template `sms/waiting_worse` may have variant files beside it (`waiting_worse.b.txt`); its own
file is variant "a". A sequence step may weigh them (`variants: {a: 70, b: 30}`); otherwise every
variant on disk gets an equal share. A lead's variant is drawn once, deterministically from the
lead id and the template, and recorded on the message row; any later message of the same template
to the same lead gets the variant already recorded, even if the weights changed since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session

from nurture.content.store import TemplateStore
from nurture.models import Message
from nurture.plans.sequences import Step


def assign(lead_id: int, template: str, weights: Sequence[tuple[str, int]]) -> str:
    """The variant `lead_id` gets for `template`: a weighted draw fixed by the two (no randomness,
    so every process and every retry draws the same). Variants of weight 0 are never drawn."""
    live = [(name, weight) for name, weight in weights if weight > 0]
    if not live:
        raise ValueError("no variant has a weight above 0")
    digest = hashlib.sha256(f"{template}:{lead_id}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") % sum(weight for _, weight in live)
    for name, weight in live:
        if point < weight:
            return name
        point -= weight
    raise AssertionError("unreachable: point is below the total weight")


def weights_for(store: TemplateStore, template: str, step: Step | None) -> list[tuple[str, int]]:
    """The variants `template` is drawn from and their weights; [] when it has no variants.

    The step's `variants:` when it gives them (only those whose file exists), else an equal share
    for every variant file beside the template."""
    on_disk = store.variants(template)
    if not on_disk:
        return []
    if step is not None and step.variants is not None and step.template == template:
        return [(name, weight) for name, weight in step.variants if name in on_disk]
    return [(name, 1) for name in on_disk]


def recorded(session: Session, lead_id: int, template: str) -> str | None:
    """The variant of `template` this lead already got (sticky), or None."""
    table = Message.__table__
    return session.execute(
        select(table.c.variant).where(table.c.lead_id == lead_id, table.c.template == template,
                                      table.c.variant.is_not(None)).limit(1)
    ).scalar()


def choose(session: Session, store: TemplateStore, *, lead_id: int, template: str, step: Step | None) -> str | None:
    """The variant to send `lead_id` for `template` now, or None when the template has no variants."""
    weights = weights_for(store, template, step)
    if not weights:
        return None
    live = {name for name, weight in weights if weight > 0}
    if not live:
        return None
    before = recorded(session, lead_id, template)
    if before is not None and before in live:  # a variant stopped since (weight 0) is drawn again
        return before
    return assign(lead_id, template, weights)
