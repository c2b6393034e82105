"""Units: one per code (as documents carry it), audited."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy.orm import Session

from intake.auth.units import create_unit
from models.errors import ConflictError, InvalidFieldError
from tests.intake.auth.helpers import ADMIN, audit


def test_create_unit_once_per_code(write: Session) -> None:
    unit = create_unit(write, " Phòng Hành chính ", "Phòng Hành chính - Tổng hợp", actor=ADMIN)
    assert (unit.code, unit.name) == ("Phòng Hành chính", "Phòng Hành chính - Tổng hợp")
    with pytest.raises(ConflictError):  # the same code typed decomposed is the same unit
        create_unit(write, unicodedata.normalize("NFD", "Phòng Hành chính"), "", actor=ADMIN)
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(InvalidFieldError):
            create_unit(write, bad, "", actor=ADMIN)
    [created] = audit(write, "unit.created")
    assert (created.object_id, created.detail["code"]) == (str(unit.id), "Phòng Hành chính")
