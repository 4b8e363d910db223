"""What SendGrid's answers mean for nurture: one table that the email channel and the event webhook both read.

Mail Send answers with an HTTP status (202 when it took the message); the event webhook reports
what became of the message afterwards. Sources: SendGrid's Mail Send errors
(https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send#responses) and its Event
Webhook reference (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event),
read 2026-12-07.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """What one answer or event means (the fields as in twilio_codes.Outcome).

    `permanent`: will fail the same way however often it is tried (else: retry later).
    `suppress`: the address can never be mailed again, and why ("bounce": it does not exist).
    `opt_out`: the person asked to hear no more by email (recorded in the consent ledger), and how.
    `auth`: the API key is refused; nothing on the channel can go out (the channel is paused).
    """

    reason: str
    permanent: bool = True
    suppress: str | None = None
    opt_out: str | None = None
    auth: bool = False


def outcome_of_status(status: int) -> Outcome:
    """The outcome of a Mail Send answer that is not a 2xx."""
    if status in (401, 403):  # the key is wrong or lacks the mail.send scope
        return Outcome(f"SendGrid refused the API key ({status})", permanent=False, auth=True)
    if 300 <= status < 400:  # the setting points somewhere else: nothing can go out until it is fixed
        return Outcome(f"SendGrid's address answered {status}, a redirect", permanent=False, auth=True)
    if status == 429:  # rate limited: X-RateLimit-Reset / Retry-After say when
        return Outcome("rate limited by SendGrid", permanent=False)
    if status >= 500:
        return Outcome(f"SendGrid answered {status}", permanent=False)
    # 400 (a bad field), 413 (too large): the request itself is wrong and will be refused again.
    return Outcome(f"SendGrid refused the message ({status})")


# Event Webhook delivery events, as the reference describes them.
# processed: "received and ready to be delivered"; deferred: "the receiving server temporarily
# rejected the message" and SendGrid keeps retrying (up to 72 hours): both mean SendGrid has it.
TOOK_IT = ("processed", "deferred")
DELIVERED = "delivered"
EVENTS: dict[str, Outcome] = {
    # bounce: "the receiving server could not or would not accept mail to this recipient
    # permanently"; its `type` is "bounce" (hard: the address does not exist) or "blocked" (see below).
    "bounce": Outcome("bounced", suppress="bounce"),
    # blocked (a bounce of type "blocked"): the receiving server refused this message, often for the
    # sender's reputation; the address may be fine: this message fails, the address stays.
    "blocked": Outcome("blocked by the receiving server"),
    # dropped: SendGrid would not send it (the address is on its own suppression lists, or invalid):
    # this message fails; SendGrid itself keeps the address off.
    "dropped": Outcome("dropped by SendGrid"),
    # spamreport: the recipient marked it as spam; unsubscribe / group_unsubscribe: the recipient
    # clicked SendGrid's unsubscribe link. Each ends email to the address.
    "spamreport": Outcome("reported as spam", opt_out="spam"),
    "unsubscribe": Outcome("unsubscribed", opt_out="unsubscribe"),
    "group_unsubscribe": Outcome("unsubscribed from the group", opt_out="unsubscribe"),
}
# Events after which the message did not arrive.
NOT_DELIVERED = ("bounce", "dropped")


def outcome_of_event(kind: str, bounce_type: object = "bounce") -> Outcome | None:
    """The outcome of an event (`bounce_type`: a bounce's `type`, "bounce" when absent); None for
    events that change nothing of the kind (open, click, processed, delivered, ...).

    Only a bounce of type "bounce" is hard; "blocked" or any other type leaves the address."""
    if kind == "bounce" and bounce_type != "bounce":
        return EVENTS["blocked"]
    return EVENTS.get(kind)
