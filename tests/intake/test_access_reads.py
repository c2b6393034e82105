"""The access rule reads credentials without the database's write lock.

On SQLite one connection writes at a time; the workers write all day. A rule that opened a write
transaction on every request made lists and searches wait behind them and fail with "database is
locked" under load. Now a request writes only when a session is due its last-seen touch (once a
minute) or a token's use is due to be recorded (once a minute per token)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from infra.database import migrate, session_scope
from infra.tables import AuditEntry
from intake.app import create_app
from intake.auth.roles import Role, TokenScope
from models.settings import Settings
from tests.intake.auth.principals import account_headers, token_headers
from tests.service.helpers import TEST_UNIT


def _settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "var",
                        database_url=f"sqlite:///{tmp_path / 'intake.db'}")
    migrate(settings.database)
    return settings


def _uses(settings: Settings) -> int:
    with session_scope(settings.database) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "token.used")) or 0


def test_requests_are_answered_while_another_connection_writes(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    clerk = account_headers(settings, "chuyen.vien", Role.CLERK, (TEST_UNIT,))
    registry = token_headers(settings, "phần mềm QLVB", TokenScope.REGISTRY, None)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/registry/documents", headers=registry).status_code == 200
        assert _uses(settings) == 1
        # A worker holds the write lock (BEGIN IMMEDIATE) while the clerk and the registry ask.
        with session_scope(settings.database, write=True):
            listed = client.get("/api/documents", headers=clerk)
            pulled = client.get("/api/registry/documents", headers=registry)
        assert listed.status_code == 200, listed.text
        assert pulled.status_code == 200, pulled.text
    assert _uses(settings) == 1  # the second use, within the minute, is not recorded again
