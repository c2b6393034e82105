"""Helpers of the identity tests: the clock's start, a known password, an account maker."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.audit import Actor
from infra.tables import Account, AuditEntry
from intake.auth.accounts import create_account
from intake.auth.roles import Role

T0 = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)  # the tests' clock starts here
PASSWORD = "đúng-mật-khẩu-2026"
ADMIN = Actor.system("test")


def add_account(session: Session, username: str = "van.thu", role: Role = Role.CLERK,
                password: str = PASSWORD, **extra: object) -> Account:
    """An account with PASSWORD (created at T0)."""
    return create_account(session, username=username, password=password, role=role, actor=ADMIN,
                          now=T0, **extra)  # type: ignore[arg-type]


def audit(session: Session, action: str) -> list[AuditEntry]:
    """The audit entries of one action, oldest first."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                .order_by(AuditEntry.id)))
