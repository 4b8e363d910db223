"""The root of nurture's exceptions: every error the product raises on purpose is a NurtureError.

Under the root, the four distinctions a caller acts on; every error class sits under one of them
(a standard base such as ValueError is kept beside it where callers catch that):

    NurtureError
    ├── PermanentError      will never succeed as it is: fail it, do not retry
    │   └── ChannelError (permanent=True)        delivery/channels/base.py
    ├── TransientError      may succeed later: retry
    │   ├── ChannelError (permanent=False)       delivery/channels/base.py
    │   └── ImportInterrupted                    intake/csv_import.py
    ├── InputError          bad data from outside (a lead, a CSV of leads, a request): tell the sender
    │   ├── IntakeError                          intake/schema.py
    │   ├── CsvFileError                         intake/csv_import.py
    │   ├── ProfileError                         intake/profile_reader.py
    │   ├── InvalidToken (ValueError)            content/tokens.py
    │   ├── WebhookRefused                       web/verification.py
    │   └── InboxError                           conversations/inbox.py
    └── OperatorError       the operator's to fix (settings, credentials, marketers' files, the law files)
        ├── ChannelError (auth=True)             delivery/channels/base.py
        ├── SequenceError (ValueError)           plans/sequences.py
        ├── RenderError                          content/store.py
        ├── MarkupError (ValueError)             content/markup.py
        ├── LimitExceeded (jinja2 SecurityError) content/limits.py
        └── LawError                             law/statutes.py

ChannelError is raised as ChannelError(reason, permanent=..., auth=...) and is an instance of the
kind its flags say (its subclasses in channels/base.py); `except ChannelError` catches them all.
"""


class NurtureError(Exception):
    """Base of nurture's own errors (intake, templates, sequences, law, channels)."""


class PermanentError(NurtureError):
    """Will fail the same way however often it is tried: record the failure, do not retry."""


class TransientError(NurtureError):
    """May succeed later (a provider outage, a rate limit, an interruption): try again."""


class InputError(NurtureError):
    """Data from outside is wrong (a lead's fields, a CSV of leads, a request, a link): say what, to whom sent it."""


class OperatorError(NurtureError):
    """The operator must fix something (a setting, a credential, a template, a schedule, a law file)."""
