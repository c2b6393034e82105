"""Receiving units (phòng/ban) that accounts and upload tokens belong to."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.audit import Actor, AuditAction, record
from infra.tables import Unit
from models.errors import ConflictError, InvalidFieldError


def create_unit(session: Session, code: str, name: str, *, actor: Actor) -> Unit:
    """Add a unit; `code` is the value batches and documents carry in their `unit` column."""
    code = unicodedata.normalize("NFC", code).strip()
    if not code or len(code) > 100:
        raise InvalidFieldError("Mã đơn vị phải có từ 1 đến 100 ký tự.", field="code")
    if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise ConflictError(f"Đơn vị «{code}» đã có.", code=code)
    unit = Unit(code=code, name=unicodedata.normalize("NFC", name).strip()[:200])
    session.add(unit)
    session.flush()
    record(session, actor, AuditAction.UNIT_CREATED, object_kind="unit", object_id=unit.id,
           detail={"code": unit.code, "name": unit.name})
    return unit
