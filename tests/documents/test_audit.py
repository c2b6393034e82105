"""The audit log: entries name a real actor; no code path and no SQL can change or remove one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from documents.audit import ANONYMOUS, Actor, AuditAction, record
from infra.database import get_engine, migrate, session_scope
from infra.tables import Account, AuditEntry, utcnow
from tests.service.conftest import database_url  # noqa: F401 - a fresh database per test, both kinds

ROOT = Path(__file__).resolve().parents[2]
AT = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)


def _one_entry(url: str) -> int:
    migrate(url)
    with session_scope(url, write=True) as session:
        account = Account(username="van.thu", password_hash="x", role="clerk")
        session.add(account)
        session.flush()
        entry = record(session, Actor.of_account(account), AuditAction.SIGNIN,
                       object_kind="document", object_id=42,
                       detail={"secrecy": "TỐI MẬT", "page": 3}, ip="10.0.0.7", at=AT)
        record(session, ANONYMOUS, AuditAction.SIGNIN_FAILED, detail={"username": "khách"})
        session.flush()
        return entry.id


def test_record_writes_one_entry(database_url: str) -> None:  # noqa: F811
    entry_id = _one_entry(database_url)
    with session_scope(database_url) as session:
        entry = session.get(AuditEntry, entry_id)
        assert entry is not None
        assert (entry.at, entry.actor_kind, entry.actor_name, entry.action, entry.object_kind,
                entry.object_id, entry.detail, entry.ip) == (
            AT, "account", "van.thu", "signin", "document", "42",
            {"secrecy": "TỐI MẬT", "page": 3}, "10.0.0.7")
        assert entry.actor_id is not None
        anonymous = session.scalars(select(AuditEntry).where(AuditEntry.id != entry_id)).one()
        assert (anonymous.actor_kind, anonymous.actor_id, anonymous.actor_name) == (
            "anonymous", None, "")
        assert abs(anonymous.at - utcnow()) < dt.timedelta(minutes=1)  # no `at`: now


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET action = 'signout'",
    "UPDATE audit_log SET detail = detail WHERE id = :id",
    "DELETE FROM audit_log WHERE id = :id",
    "DELETE FROM audit_log",
])
def test_the_database_refuses_update_and_delete(database_url: str,  # noqa: F811
                                               statement: str) -> None:
    entry_id = _one_entry(database_url)
    engine = get_engine(database_url)
    with pytest.raises(DBAPIError, match="audit_log is append-only"), engine.begin() as conn:
        conn.execute(text(statement), {"id": entry_id} if ":id" in statement else {})
    with session_scope(database_url) as session:
        assert len(session.scalars(select(AuditEntry)).all()) == 2
        assert session.get(AuditEntry, entry_id).action == "signin"  # type: ignore[union-attr]


def test_postgresql_refuses_truncate(database_url: str) -> None:  # noqa: F811
    entry_id = _one_entry(database_url)
    engine = get_engine(database_url)
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE without WHERE is refused above)")
    with pytest.raises(DBAPIError, match="audit_log is append-only"), engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))
    with session_scope(database_url) as session:
        assert session.get(AuditEntry, entry_id) is not None


def test_no_code_writes_the_audit_log_but_record() -> None:
    """Only documents/audit.py makes entries; nothing updates or deletes them."""
    writers, changers = [], []
    for package in ("models", "infra", "documents", "worker", "intake", "synth", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            source = path.read_text(encoding="utf-8")
            if re.search(r"(?<!class )\bAuditEntry\(", source) and relative != "documents/audit.py":
                writers.append(relative)
            if re.search(r"(update|delete)\(\s*AuditEntry\b|UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log",
                         source, re.IGNORECASE):
                changers.append(relative)
    assert writers == [] and changers == []
