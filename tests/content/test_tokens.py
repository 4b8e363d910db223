"""Signed unsubscribe and tracking tokens."""

from __future__ import annotations

import pytest

from nurture.config import Settings
from nurture.content.tokens import (
    InvalidToken,
    lead_token,
    unsubscribe_token,
    unsubscribe_url,
    verify_lead_token,
    verify_unsubscribe_token,
)


def test_unsubscribe_token_round_trips_lead_and_channel():
    token = unsubscribe_token(42, "email", "s3cret")
    assert verify_unsubscribe_token(token, "s3cret") == (42, "email")
    assert verify_unsubscribe_token(unsubscribe_token(7, "sms", "s3cret"), "s3cret") == (7, "sms")


def test_unsubscribe_token_is_url_safe():
    token = unsubscribe_token(123456789, "email", "s3cret")
    assert all(c.isalnum() or c in "-_." for c in token)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("42.", "43.", 1),
        lambda t: t.replace(".email.", ".sms.", 1),
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t + "x",
        lambda t: "garbage",
        lambda t: "",
    ],
)
def test_tampered_unsubscribe_token_is_rejected(tamper):
    token = unsubscribe_token(42, "email", "s3cret")
    with pytest.raises(InvalidToken):
        verify_unsubscribe_token(tamper(token), "s3cret")


def test_token_from_another_secret_is_rejected():
    with pytest.raises(InvalidToken):
        verify_unsubscribe_token(unsubscribe_token(42, "email", "one"), "two")
    with pytest.raises(InvalidToken):
        verify_lead_token(lead_token(42, "one"), "two")


def test_lead_token_round_trips_and_is_not_an_unsubscribe_token():
    token = lead_token(42, "s3cret")
    assert verify_lead_token(token, "s3cret") == 42
    with pytest.raises(InvalidToken):
        verify_unsubscribe_token(f"42.email.{token.split('.')[1]}", "s3cret")


def test_unknown_channel_is_refused():
    with pytest.raises(ValueError):
        unsubscribe_token(1, "fax", "s3cret")


def test_unsubscribe_url_lives_on_the_public_url():
    settings = Settings(public_url="https://nurture.example.com/")
    url = unsubscribe_url(settings, "s3cret", 9, "email")
    assert url.startswith("https://nurture.example.com/unsubscribe/")
    assert verify_unsubscribe_token(url.rsplit("/", 1)[1], "s3cret") == (9, "email")
