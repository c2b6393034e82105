"""A package sent again: NEW the first time, UPDATE once the registry had the document and it was
confirmed again after a correction of its values, REPLACE when its pages changed since."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from documents.edxml import BusinessType
from documents.edxml_resend import business_of
from documents.lifecycle import add_event
from infra.database import dispose_engines, session_scope
from infra.tables import Document, Event
from models.settings import Settings
from tests.service.helpers import ready_document

META = {"code_number": "9", "code_notation": "UBND-VP", "subject": "V/v họp giao ban"}
DELIVERED = dt.datetime(2026, 1, 16, 8, 0)


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(data_dir=tmp_path / "var", database_url=f"sqlite:///{tmp_path / 'intake.db'}")
    dispose_engines()


def _kind(settings: Settings, doc_id: int) -> BusinessType:
    with session_scope(settings.database) as session:
        business = business_of(session, session.get_one(Document, doc_id))
        assert business.staff.department == session.get_one(Document, doc_id).unit
        return business.kind


def _set(settings: Settings, doc_id: int, confirmed: dt.datetime,
         delivered: dt.datetime | None) -> None:
    with session_scope(settings.database, write=True) as session:
        doc = session.get_one(Document, doc_id)
        doc.confirmed_at, doc.delivered_at = confirmed, delivered


def test_first_time_is_new_then_update_then_replace(settings: Settings) -> None:
    doc_id = ready_document(settings, META)
    _set(settings, doc_id, DELIVERED - dt.timedelta(hours=1), None)
    assert _kind(settings, doc_id) is BusinessType.NEW
    _set(settings, doc_id, DELIVERED - dt.timedelta(hours=1), DELIVERED)
    assert _kind(settings, doc_id) is BusinessType.NEW  # delivered, not corrected since
    _set(settings, doc_id, DELIVERED + dt.timedelta(hours=2), DELIVERED)
    assert _kind(settings, doc_id) is BusinessType.UPDATE
    with session_scope(settings.database, write=True) as session:
        doc = session.get_one(Document, doc_id)
        add_event(session, doc, "rotate", 0, 90, "page 1 rotated", actor="user:chuyen.vien")
        session.flush()
        event = session.query(Event).filter_by(document_id=doc_id, action="rotate").one()
        event.at = DELIVERED - dt.timedelta(minutes=5)  # a rotation before the delivery
    assert _kind(settings, doc_id) is BusinessType.UPDATE
    with session_scope(settings.database, write=True) as session:
        session.query(Event).filter_by(document_id=doc_id, action="rotate").one().at = (
            DELIVERED + dt.timedelta(hours=1))
    assert _kind(settings, doc_id) is BusinessType.REPLACE
