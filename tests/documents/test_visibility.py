"""Who sees a document: the per-object rule and the SQL conditions agree, on SQLite and PostgreSQL.

The secrecy level (documents.visibility.secrecy_level) is stored with the metadata; a restricted
document — a mark, an unknown mark, or an uncertain "no mark" not yet decided by a person — is
seen only with the clearance, and never enters the registry feed.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text

from documents.metadata import apply_metadata
from documents.registry import is_restricted
from documents.visibility import (
    EVERYTHING,
    Viewer,
    can_see,
    conditions,
    is_secret,
    secrecy_level,
)
from infra.database import get_engine, migrate, session_scope
from infra.tables import Batch, Document, StoredFile, Upload
from models.vocabulary import SecrecyLevel
from tests.intake.auth.test_migration_0006 import _alembic
from tests.service.conftest import database_url  # noqa: F401 - a fresh database per test, both kinds

P1, P2 = "Phòng Tổng hợp", "Văn phòng"


def _field(value: Any, needs_review: bool, **extra: Any) -> dict[str, Any]:
    return {"value": value, "confidence": 0.95 if not needs_review else 0.85,
            "needs_review": needs_review, **extra}


# (mark in the metadata, the secrecy field) -> the level it gives.
CASES: list[tuple[str | None, dict[str, Any] | None, SecrecyLevel]] = [
    (None, None, SecrecyLevel.NONE),  # nothing extracted (e.g. a failed document)
    (None, _field(None, False), SecrecyLevel.NONE),  # colour searched: confidently none
    (None, _field(None, True), SecrecyLevel.UNCERTAIN),  # grey page: "none seen" is no proof
    (None, _field(None, False, corrected_by="user:an"), SecrecyLevel.NONE),  # a person decided
    ("MẬT", _field("MẬT", False), SecrecyLevel.MAT),
    ("tối  mật", _field("tối  mật", True), SecrecyLevel.TOI_MAT),
    ("TUYỆT MẬT", _field("TUYỆT MẬT", False), SecrecyLevel.TUYET_MAT),
    ("BÍ MẬT", _field("BÍ MẬT", True), SecrecyLevel.UNCERTAIN),  # not a mark: restricted
]


@pytest.mark.parametrize(("mark", "field", "level"), CASES)
def test_secrecy_level(mark: str | None, field: dict[str, Any] | None,
                       level: SecrecyLevel) -> None:
    assert secrecy_level(mark, field) is level


def test_levels_are_ordered_and_name_their_marks() -> None:
    assert max(SecrecyLevel.UNCERTAIN, SecrecyLevel.MAT, SecrecyLevel.NONE) is SecrecyLevel.MAT
    assert SecrecyLevel.TOI_MAT.mark == "TỐI MẬT" and SecrecyLevel.UNCERTAIN.mark is None
    assert SecrecyLevel.of_mark(" tuyệt mật ") is SecrecyLevel.TUYET_MAT


def _seed(url: str) -> list[int]:
    """One document per (unit, case), through apply_metadata as the worker stores them."""
    migrate(url)
    ids = []
    with session_scope(url, write=True) as session:
        batch = Batch(source="api", unit=P1)
        session.add(batch)
        session.add(StoredFile(sha256="e" * 64, size=1))
        session.flush()
        upload = Upload(batch_id=batch.id, sha256="e" * 64, filename="x.pdf", size=1)
        session.add(upload)
        session.flush()
        for n, (unit, (mark, field, _)) in enumerate(itertools.product((P1, P2), CASES)):
            doc = Document(batch_id=batch.id, upload_id=upload.id, sha256="e" * 64,
                           page_start=n, unit=unit, status="ready_for_review")
            session.add(doc)
            session.flush()
            apply_metadata(session, doc, {"secrecy": mark} if mark else {},
                           {"secrecy": field} if field else {})
            ids.append(doc.id)
    return ids


VIEWERS = [Viewer(None, True), Viewer(None, False), Viewer(frozenset({P1}), False),
           Viewer(frozenset({P1}), True), Viewer(frozenset({P1, P2}), False), Viewer(frozenset()),
           EVERYTHING]


def test_can_see_and_conditions_agree(database_url: str) -> None:  # noqa: F811
    ids = _seed(database_url)
    with session_scope(database_url) as session:
        docs = list(session.scalars(select(Document).where(Document.id.in_(ids))))
        for doc, (_, (mark, field, level)) in zip(
                sorted(docs, key=lambda d: d.id), itertools.product((P1, P2), CASES), strict=True):
            assert doc.secrecy_level == level, (mark, field)
            assert is_secret(doc) == is_restricted(doc) == (level > SecrecyLevel.NONE)
        seen = {}
        for viewer in VIEWERS:
            by_sql = set(session.scalars(select(Document.id).where(*conditions(viewer))))
            by_object = {d.id for d in docs if can_see(viewer, d)}
            assert by_sql == by_object, viewer
            seen[viewer] = by_object
    open_p1 = sum(1 for _, _, lv in CASES if lv is SecrecyLevel.NONE)
    assert len(seen[Viewer(frozenset({P1}), False)]) == open_p1  # 3 open documents of P1
    assert len(seen[Viewer(frozenset({P1}), True)]) == len(CASES)
    assert len(seen[Viewer(None, False)]) == 2 * open_p1
    assert seen[Viewer(frozenset())] == set() and len(seen[EVERYTHING]) == 2 * len(CASES)


def test_migration_0007_fills_the_level_of_existing_documents(database_url: str) -> None:  # noqa: F811
    ids = _seed(database_url)
    config = _alembic(database_url)
    command.downgrade(config, "0006")
    command.upgrade(config, "head")
    with get_engine(database_url).connect() as conn:
        levels = dict(conn.execute(text("SELECT id, secrecy_level FROM documents")).all())
    assert [levels[i] for i in ids] == [int(lv) for _, (_, _, lv) in
                                        itertools.product((P1, P2), CASES)]
