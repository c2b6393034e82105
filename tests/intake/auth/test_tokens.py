"""API tokens: shown once and stored hashed, scoped, expiring, revocable, every use audited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.audit import Actor
from infra.tables import ApiToken, Unit
from intake.auth.roles import Role, TokenScope
from intake.auth.tokens import MAX_LIFETIME, create_token, revoke_token, verify_token
from models.errors import InvalidFieldError
from tests.intake.auth.helpers import T0, add_account, audit

DAY = dt.timedelta(days=1)


def _setup(session: Session) -> tuple[Unit, Actor]:
    unit = Unit(code="Văn thư", name="Bộ phận Văn thư")
    session.add(unit)
    admin = add_account(session, "quan.tri", role=Role.ADMINISTRATOR)
    return unit, Actor.of_account(admin)


def test_only_the_hash_is_stored_and_the_token_is_shown_once(write: Session) -> None:
    unit, _ = _setup(write)
    admin = add_account(write, "admin2", role=Role.ADMINISTRATOR)
    new = create_token(write, name="Máy quét tầng 1", scope=TokenScope.UPLOAD, unit=unit,
                       created_by=admin, now=T0)
    assert new.token.startswith("itk_") and len(new.token) == 47
    row = write.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(new.token.encode()).hexdigest()
    assert row.prefix == new.token[:12]
    stored = [str(getattr(row, c.key)) for c in ApiToken.__table__.columns]
    assert not any(new.token[12:] in v for v in stored)
    assert (row.scope, row.unit_id, row.created_by, row.expires_at) == (
        "upload", unit.id, admin.id, T0 + dt.timedelta(days=365))
    assert create_token(write, name="Máy quét tầng 1", scope=TokenScope.UPLOAD, unit=unit,
                        created_by=admin, now=T0).token != new.token
    [created, _] = audit(write, "token.created")
    assert (created.actor_name, created.detail["prefix"], created.detail["unit"]) == (
        "admin2", row.prefix, "Văn thư")
    assert new.token[12:] not in str(created.detail)


def test_creation_rules(write: Session) -> None:
    unit, _ = _setup(write)
    admin = add_account(write, "admin2", role=Role.ADMINISTRATOR)
    with pytest.raises(InvalidFieldError):  # an upload token uploads into one unit
        create_token(write, name="Máy quét", scope=TokenScope.UPLOAD, created_by=admin)
    for lifetime in (dt.timedelta(0), MAX_LIFETIME + DAY):
        with pytest.raises(InvalidFieldError):
            create_token(write, name="Máy quét", scope=TokenScope.UPLOAD, unit=unit,
                         created_by=admin, lifetime=lifetime)
    with pytest.raises(InvalidFieldError):
        create_token(write, name=" ", scope=TokenScope.REGISTRY, created_by=admin)
    with pytest.raises(ValueError):
        create_token(write, name="x", scope="admin", created_by=admin)  # type: ignore[arg-type]
    registry = create_token(write, name="Hệ thống QLVB", scope=TokenScope.REGISTRY,
                            created_by=admin)
    assert registry.row.unit_id is None  # every unit


def test_scope_expiry_revocation(write: Session) -> None:
    unit, admin_actor = _setup(write)
    admin = add_account(write, "admin2", role=Role.ADMINISTRATOR)
    scanner = create_token(write, name="Máy quét", scope=TokenScope.UPLOAD, unit=unit,
                           created_by=admin, lifetime=30 * DAY, now=T0)
    registry = create_token(write, name="QLVB", scope=TokenScope.REGISTRY, created_by=admin,
                            now=T0)
    assert verify_token(write, scanner.token, TokenScope.UPLOAD, ip="10.1.1.5",
                        now=T0 + DAY) is scanner.row
    assert scanner.row.last_used_at == T0 + DAY
    assert verify_token(write, scanner.token, TokenScope.REGISTRY, now=T0 + 2 * DAY) is None
    assert scanner.row.last_used_at == T0 + DAY
    assert verify_token(write, registry.token, TokenScope.REGISTRY, now=T0) is registry.row
    assert verify_token(write, scanner.token[:-1] + "x", TokenScope.UPLOAD, now=T0) is None
    assert verify_token(write, "Bearer " + scanner.token, TokenScope.UPLOAD, now=T0) is None
    assert verify_token(write, scanner.token, TokenScope.UPLOAD,
                        now=T0 + 30 * DAY - dt.timedelta(seconds=1)) is not None
    assert verify_token(write, scanner.token, TokenScope.UPLOAD, now=T0 + 30 * DAY) is None
    revoke_token(write, registry.row, actor=admin_actor, now=T0 + DAY)
    revoke_token(write, registry.row, actor=admin_actor, now=T0 + 2 * DAY)  # once is enough
    assert registry.row.revoked_at == T0 + DAY
    assert verify_token(write, registry.token, TokenScope.REGISTRY, now=T0 + DAY) is None
    used = audit(write, "token.used")
    assert [(e.actor_kind, e.object_id) for e in used] == [
        ("token", str(scanner.row.id)), ("token", str(registry.row.id)),
        ("token", str(scanner.row.id))]
    assert used[0].actor_name == f"Máy quét ({scanner.row.prefix})" and used[0].ip == "10.1.1.5"
    refused = audit(write, "token.refused")
    assert [e.detail["reason"] for e in refused] == ["scope", "unknown", "unknown", "expired",
                                                     "revoked"]
    assert refused[1].actor_kind == "anonymous"
    [revoked] = audit(write, "token.revoked")
    assert (revoked.actor_name, revoked.object_id) == ("quan.tri", str(registry.row.id))
