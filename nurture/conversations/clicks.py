"""Clicks on tracked links: the short redirect `/r/{token}` records which message's link a lead
followed, then sends the lead on to the business site with the utm parameters."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import insert
from sqlmodel import Session

from nurture.config import Settings
from nurture.content.context import PAGES
from nurture.delivery.lifecycle import log_event
from nurture.models import Click, Message, row_id
from nurture.content.tokens import lead_token


def destination(settings: Settings, secret: str, page: str, message: Message | None) -> str:
    """The business site's page with utm parameters (and the lead token when the message is known)."""
    params = {"utm_source": "nurture"}
    if message is not None:
        theme = message.template.split("/", 1)[-1]
        params |= {"utm_medium": message.channel, "utm_campaign": theme}
        if message.variant:
            params["utm_content"] = message.variant
        params["lt"] = lead_token(message.lead_id, secret)
    return f"{settings.site_url.rstrip('/')}{PAGES[page]}?{urlencode(params)}"


def record(session: Session, *, message_id: int, page: str, at: datetime) -> Message | None:
    """Count a click on `page` in message `message_id`; the message, or None when there is no such
    message (a preview's link), in which case nothing is counted."""
    found = row_id(message_id)
    message = session.get(Message, found) if found is not None else None
    if message is None:
        return None
    session.execute(insert(Click.__table__).values(
        at=at, message_id=message.id, lead_id=message.lead_id, channel=message.channel, template=message.template,
        variant=message.variant, link=page,
    ))
    log_event(session, at=at, kind="click", lead_id=message.lead_id, message_id=message.id,
              cause=f"followed the {page} link ({PAGES[page]})")
    return message
