"""A lead a bought list brought never asked us: no email thanks it for asking or says it asked, and
every email says it is an advertisement (CAN-SPAM, 15 U.S.C. § 7704(a)(5)(A)(i)), with the
unsubscribe link and the postal address. A lead who asked keeps the words it had."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nurture.config import Settings
from nurture.content import TemplateStore
from nurture.models import Lead

SHIPPED = Path(__file__).resolve().parents[2] / "templates"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
EMAILS = [n for n in TemplateStore(SHIPPED).names() if n.startswith("email/")]


def lead(source: str) -> Lead:
    return Lead(first_name="Maria", last_name="Rivera", timezone="America/New_York", city="Miami", state="FL",
                foreclosure_stage="notice_of_default", source=source, email="maria.rivera@example.com")


def read(name: str, source: str) -> str:
    settings = Settings()
    r = TemplateStore(SHIPPED).render(name, lead(source), now=NOW, settings=settings, secret="s")
    return " ".join(p for p in (r.subject, r.preheader, r.text, r.html) if p).lower()


@pytest.mark.parametrize("name", EMAILS)
def test_a_bought_lead_is_never_thanked_for_asking_and_every_email_is_marked_an_advertisement(name):
    words = read(name, "list")
    assert "advertisement" in words and "unsubscribe" in words
    for asked in ("thanks for reaching out", "thank you for contacting", "because you asked"):
        assert asked not in words, (name, asked)


@pytest.mark.parametrize("name", EMAILS)
def test_a_lead_who_asked_reads_why_it_gets_the_email(name):
    words = read(name, "web")
    assert "because you asked" in words and "advertisement" not in words
