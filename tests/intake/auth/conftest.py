"""Fixtures of the identity tests: a migrated database per test, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from infra.database import migrate, session_scope
from tests.service.conftest import database_url  # noqa: F401 - a fresh database per test, both kinds


@pytest.fixture
def db(database_url: str) -> str:  # noqa: F811
    """The URL of a fresh database at the newest migration."""
    migrate(database_url)
    return database_url


@pytest.fixture
def write(db: str) -> Iterator[Session]:
    """A session committed at the end of the test (one transaction)."""
    with session_scope(db, write=True) as session:
        yield session
