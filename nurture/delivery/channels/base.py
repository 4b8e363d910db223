"""The send contract every channel keeps, and the one error the dispatcher needs to understand."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from nurture.errors import NurtureError, OperatorError, PermanentError, TransientError


@dataclass
class OutgoingMessage:
    """A rendered message, ready for a provider."""

    message_id: int
    lead_id: int
    channel: str
    to: str
    subject: str | None
    text: str
    html: str | None = None
    unsubscribe_url: str | None = None
    reply_to: str | None = None  # email: where the lead's reply goes (the Inbound Parse address with its token)


@dataclass
class SendResult:
    """What the provider said when it took the message."""

    provider_id: str
    status: str
    delivered: bool = False


class ChannelError(NurtureError):
    """A send that did not go through.

    Raised as ChannelError(reason, ...), it is an instance of the kind its flags say (see
    nurture.errors): a PermanentChannelError, a TransientChannelError, or a ChannelRefused (auth).

    `permanent` is the only distinction the caller must act on: a transient error is retried
    (after `retry_after` seconds when the provider said so), a permanent one fails the message
    with `code` and `reason`. `suppress` asks the caller to add a Suppression for the address, and
    says why ("stop": an opt-out; "bounce": the address cannot receive messages), as the
    provider's table (twilio_codes.py, sendgrid_codes.py) decides.
    `maybe_sent` marks the ambiguous case (the request left but no answer came back, e.g. a read
    timeout): the provider may have accepted it, so a careful caller reconciles before retrying.
    `auth` marks a refused credential (Twilio 20003, SendGrid 401/403), or a provider address
    that answers with a redirect (the setting points elsewhere): the message is not at fault and
    nothing on this channel can go out until the setting is fixed.
    """

    def __new__(cls, reason: str, *, permanent: bool = False, auth: bool = False, **_: Any) -> ChannelError:
        if cls is ChannelError:
            cls = ChannelRefused if auth else PermanentChannelError if permanent else TransientChannelError
        return super().__new__(cls, reason)

    def __init__(
        self,
        reason: str,
        *,
        code: str | None = None,
        permanent: bool = False,
        retry_after: float | None = None,
        suppress: str | None = None,
        maybe_sent: bool = False,
        auth: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after
        self.suppress = suppress
        self.maybe_sent = maybe_sent
        self.auth = auth

    def __repr__(self) -> str:
        kind = "permanent" if self.permanent else "transient"
        return f"ChannelError({kind}, code={self.code!r}, reason={self.reason!r})"


class PermanentChannelError(ChannelError, PermanentError):
    """The provider refused the message for good (an invalid number, an opt-out, a bad request)."""


class TransientChannelError(ChannelError, TransientError):
    """The provider could not take the message now (an outage, a rate limit, no answer): retry."""


class ChannelRefused(ChannelError, OperatorError):
    """The provider refused our credential or its address redirects: the operator must fix the setting."""


class Channel(Protocol):
    """One way of reaching a lead: SMS through Twilio, email through SendGrid, or the outbox."""

    name: str

    def send(self, msg: OutgoingMessage) -> SendResult:
        """Hand `msg` to the provider; raise ChannelError when it is not taken."""
        ...

    def reconcile(self, msg: OutgoingMessage, since: datetime) -> SendResult | None:
        """Ask the provider whether `msg` was accepted after `since`; None when it cannot tell."""
        ...

    def check(self) -> None:
        """A cheap authenticated call; ChannelError (auth=True for a refused credential) when it fails."""
        ...


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return seconds_until(when.timestamp())


def seconds_until(epoch: float) -> float:
    """Seconds from now until the Unix time `epoch` (never negative).

    The provider's reset time is on the real wall clock, so this deliberately reads time.time()
    and not nurture.clock, which tests freeze or move.
    """
    return max(0.0, epoch - time.time())


def never_arrived(exc: BaseException) -> str | None:
    """Why the request certainly did not reach the provider, or None when it may have: the
    connection was refused, or we refused the provider's TLS certificate (in the handshake, before
    any of the request is sent)."""
    if _caused_by(exc, ConnectionRefusedError):
        return "the connection was refused"
    if _caused_by(exc, ssl.SSLCertVerificationError):
        return "its certificate was refused"
    return None


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether `exc` or anything it wraps (reason, cause, context, arguments) is a `kind`."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        cause = pending.pop()
        if id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, kind):
            return True
        linked = [getattr(cause, "reason", None), cause.__cause__, cause.__context__, *cause.args]
        pending.extend(e for e in linked if isinstance(e, BaseException))
    return False
