"""Published versions in tests (issue 27): the fixture that leaves no published version or overlay
behind (PostgreSQL's database is shared by the session's tests, and a publish would change what
every later test renders), and a way to publish a text in one call."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from nurture import db
from nurture.config import get_settings
from nurture.console import authoring
from nurture.models import ContentVersion
from nurture.published import overlay


def _forget(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.delete(ContentVersion.__table__))
    engine.dispose()
    overlay.refresh()
    shutil.rmtree(overlay.cache_root(url), ignore_errors=True)


@pytest.fixture
def clean_versions(db_url: str) -> Iterator[str]:
    """db_url (SQLite, then PostgreSQL) with no published version before or after the test."""
    _forget(db_url)
    yield db_url
    _forget(db_url)


@pytest.fixture
def clean_sqlite(sqlite_url: str) -> Iterator[str]:
    """sqlite_url, its overlays removed after the test."""
    overlay.refresh()
    yield sqlite_url
    _forget(sqlite_url)


@pytest.fixture
def clean_pg(pg_url: str) -> Iterator[str]:
    """pg_url with no published version before or after the test."""
    _forget(pg_url)
    yield pg_url
    _forget(pg_url)


def publish(kind: str, name: str, body: str, *, author: str = "user:maria", note: str = "") -> ContentVersion:
    """Save `body` as the draft of `name` and publish it, as a marketer does in the console."""
    settings = get_settings()
    with db.session_scope() as session:
        authoring.save_draft(session, kind, name, body, author=author)
        return authoring.publish(session, kind, name, author=author, note=note, settings=settings)
