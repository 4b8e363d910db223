"""Channels: Twilio SMS, SendGrid email, or the outbox when a provider has no credentials."""

from __future__ import annotations

import os
import threading
from typing import Any

from nurture.delivery.channels.base import Channel, ChannelError, OutgoingMessage, SendResult
from nurture.delivery.channels.email import SendGridChannel
from nurture.delivery.channels.outbox import OutboxChannel
from nurture.delivery.channels.sms import TwilioChannel
from nurture.config import Settings

__all__ = ["Channel", "ChannelError", "OutgoingMessage", "SendResult", "get_channel", "clear_channel_cache"]

CHANNEL_NAMES = ("sms", "email")

_cache: dict[tuple[Any, ...], Channel] = {}
_lock = threading.Lock()


def _key(name: str, settings: Settings) -> tuple[Any, ...]:
    """The settings a channel of `name` is built from: a change to any of them builds a new one."""
    if name == "sms":
        return (
            name,
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from,
            settings.twilio_messaging_service_sid,
            settings.twilio_api_base,
            settings.public_url,
            str(settings.outbox_dir),
            settings.provider_timeout_seconds,
        )
    return (name, settings.sendgrid_api_key, settings.sendgrid_host, settings.email_from, str(settings.outbox_dir),
            settings.provider_timeout_seconds)


def _build(name: str, settings: Settings) -> Channel:
    if name == "sms" and settings.sms_configured:
        return TwilioChannel(settings, timeout=settings.provider_timeout_seconds)
    if name == "email" and settings.email_configured:
        return SendGridChannel(settings, timeout=settings.provider_timeout_seconds)
    return OutboxChannel(name, settings)


def get_channel(name: str, settings: Settings) -> Channel:
    """The channel for `name` ("sms" or "email"), one instance per configuration so its pool is reused."""
    if name not in CHANNEL_NAMES:
        raise ValueError(f"unknown channel {name!r}: expected one of {', '.join(CHANNEL_NAMES)}")
    key = _key(name, settings)
    with _lock:
        channel = _cache.get(key)
        if channel is None:
            channel = _cache[key] = _build(name, settings)
        return channel


def clear_channel_cache() -> None:
    """Forget every built channel (tests, and workers after a fork)."""
    with _lock:
        _cache.clear()


def _forget_after_fork() -> None:
    # A forked worker must not share its parent's pooled connections, nor a lock another thread
    # of the parent may have held at the fork: it starts with nothing and builds its own.
    global _cache, _lock
    _cache = {}
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
