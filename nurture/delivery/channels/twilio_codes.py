"""What Twilio's answers mean for nurture: one table that the SMS channel and the status webhook both read.

A code comes back in two ways: at once, as the error of the Messages API call (`21xxx` mostly),
or later, as the `ErrorCode` of a status callback (`30xxx`, the carrier's verdict). Either way the
same code has the same outcome: the same kind of failure, the same suppression.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """What one provider answer means.

    `permanent`: will fail the same way however often it is tried (else: retry later).
    `suppress`: the address can never be texted again, and why: "stop" (the person opted out)
    or "bounce" (the number cannot receive texts, a dead number).
    `auth`: the account is refused; nothing on the channel can go out (the channel is paused,
    see nurture.delivery.pauses) and the message is not at fault.
    """

    reason: str
    permanent: bool = True
    suppress: str | None = None
    auth: bool = False

    @property
    def dead_number(self) -> bool:
        """Whether the number cannot receive texts from us at all."""
        return self.suppress is not None


# Each decision with its source: Twilio's error pages, https://www.twilio.com/docs/api/errors/<code>.
# The pages of 21635, 30003 and 30006 were read on 2026-12-07 (quoted below); for 30004, 30005,
# 30007, 30008, 30032 and 30034 the decision rests on the code's name in Twilio's list and on
# third-party summaries of it (e.g. Way to Health's "Twilio Message Failure Incidents"): re-check
# those against Twilio's own pages. "API" codes are refusals of the Messages API call: nothing was
# sent or billed.
# "Carrier" codes come in status callbacks: the message went to the carrier and failed there.
CODES: dict[int, Outcome] = {
    # 20003 Authenticate: wrong account SID or auth token; no message can go out.
    20003: Outcome("Twilio refused the credentials", permanent=False, auth=True),
    # 20429 Too Many Requests: slow down and try again (Retry-After when given).
    20429: Outcome("rate limited by Twilio", permanent=False),
    # 21211 Invalid 'To' Phone Number (API): the number is malformed; it will never be valid.
    21211: Outcome("invalid 'To' phone number"),
    # 21610 Attempt to send to unsubscribed recipient (API): the person texted STOP to our sender;
    # Twilio refuses every message until they text START.
    21610: Outcome("recipient unsubscribed (replied STOP)", suppress="stop"),
    # 21612 The 'To' phone number is not currently reachable via SMS from this sender (API).
    21612: Outcome("'To' number cannot be reached from this sender"),
    # 21614 'To' number is not a valid mobile number (API): refused before sending, nothing billed;
    # not suppressed (as before): the lead's number may be corrected on the next import.
    21614: Outcome("'To' number is not a mobile number"),
    # 21635 'To' number cannot be a landline (API): as 21614.
    21635: Outcome("'To' number is a landline and cannot receive SMS"),
    # 30003 Unreachable destination handset (carrier): "powered off, no service ... temporarily
    # unreachable"; Twilio's advice is to retry: a transient failure, no suppression.
    30003: Outcome("unreachable handset (off or out of coverage)", permanent=False),
    # 30004 Message blocked (carrier): the recipient blocked the sender or their carrier refuses
    # our messages for them; treated as an opt-out, as before.
    30004: Outcome("message blocked by the recipient or their carrier", suppress="stop"),
    # 30005 Unknown destination handset (carrier): "unknown, inactive, or no longer in service".
    30005: Outcome("unknown destination handset (number not in service)", suppress="bounce"),
    # 30006 Landline or unreachable carrier (carrier): Twilio: "the destination number cannot receive
    # your message ... If Lookup returns landline, do not retry the same SMS to that destination ...
    # remove incompatible destinations from future sends". Decided: permanent, suppressed as a bounce,
    # through the API and the callback alike (the channel used to fail it without suppressing).
    30006: Outcome("landline or unreachable carrier", suppress="bounce"),
    # 30007 Message filtered (carrier): the content looked like spam to the carrier; the text is at
    # fault, not the number: this message fails, the number stays.
    30007: Outcome("message filtered by the carrier as spam"),
    # 30008 Unknown error (carrier): no reason given; Twilio suggests trying again.
    30008: Outcome("unknown carrier error", permanent=False),
    # 30032 Toll-free number has not been verified / 30034 Message from an unregistered number (A2P
    # 10DLC): the sender's registration, not the number; every message from the sender fails until
    # the operator registers it. This message fails; the first such answer also pauses SMS until a
    # person resumes it (nurture/delivery/deliverability.py), and the carrier check holds texts
    # before the first one while the registration is not approved (nurture/delivery/carrier.py).
    30032: Outcome("the toll-free sender is not verified"),
    30034: Outcome("the sender is not registered for US A2P 10DLC"),
}

# HTTP statuses of the API call when the code does not decide (a status decides first for these).
AUTH_STATUS = 401
RATE_LIMIT_STATUS = 429


def outcome_of(*, status: int | None, code: int | str | None) -> Outcome:
    """The outcome of an answer: its HTTP status (None for a callback) and Twilio's error code."""
    number = int(code) if isinstance(code, str) and code.isdigit() else code if isinstance(code, int) else None
    if status == AUTH_STATUS:
        return CODES[20003]
    if status is not None and 300 <= status < 400:  # the setting points somewhere else
        return Outcome("Twilio's address answered a redirect: NURTURE_TWILIO_API_BASE must be Twilio's API address",
                       permanent=False, auth=True)
    if status == RATE_LIMIT_STATUS:
        return CODES[20429]
    if status is not None and status >= 500:
        return Outcome(f"Twilio answered {status}", permanent=False)
    if number in CODES:
        return CODES[number]
    if status is None:
        return Outcome("undelivered")  # a callback's verdict on a message already sent: nothing to resend
    return Outcome(f"Twilio refused the message ({status})")


# Message statuses that mean Twilio took the message (before any delivery verdict):
# https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks
TOOK_IT = ("accepted", "queued", "sending", "sent", "scheduled")
DELIVERED = "delivered"
# The message did not reach the handset; ErrorCode says why (the table above).
NOT_DELIVERED = ("undelivered", "failed")
