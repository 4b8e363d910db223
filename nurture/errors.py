"""The root of nurture's exceptions: every error the product raises on purpose is a NurtureError."""


class NurtureError(Exception):
    """Base of nurture's own errors (intake, templates, sequences, law, channels)."""
