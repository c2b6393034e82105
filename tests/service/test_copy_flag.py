"""A scan that cannot be an electronic copy (Nghị định 30, Phụ lục I) is marked in the document
API and the registry feed item (issue 14, the image part). SQLite only: one JSON column read."""

from __future__ import annotations

import pytest

from documents.copy_check import copy_note
from documents.registry import registry_item
from infra.database import session_scope
from infra.tables import Document
from models.result import PageResult, copy_reasons
from models.settings import Settings
from tests.service.helpers import client, ready_document
from tests.service.test_registry import META


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_low_resolution_scan_is_marked_in_api_and_feed(settings: Settings) -> None:
    low = ready_document(settings, META)
    fine = ready_document(settings, {**META, "number": "2/QĐ-UBND", "code_number": "2"})
    with session_scope(settings.database, write=True) as session:
        session.get(Document, low).copy_reasons = ["low_resolution:150dpi", "unknown_size"]
        session.get(Document, fine).copy_reasons = []
    with client(settings) as c:
        body = c.get(f"/api/documents/{low}").json()
        assert body["copy_eligible"] is False
        assert body["copy_reasons"] == ["low_resolution:150dpi", "unknown_size"]
        assert body["copy_note"].startswith("Bản quét 150 dpi, dưới 200 dpi; Không rõ khổ giấy")
        assert body["copy_note"].endswith(
            "không đủ điều kiện làm bản sao điện tử (Nghị định 30, Phụ lục I).")
        assert c.get(f"/api/documents/{fine}").json()["copy_eligible"] is True
        assert c.post(f"/api/documents/{low}/confirm").status_code == 200
        item = c.get("/api/registry/documents").json()["items"][0]
        assert (item["id"], item["copy_eligible"], item["copy_reasons"]) == (
            low, False, ["low_resolution:150dpi", "unknown_size"])
    with session_scope(settings.database) as session:
        item = registry_item(session.get(Document, low))
    assert (item["copy_eligible"], item["copy_reasons"]) == (
        False, ["low_resolution:150dpi", "unknown_size"])


def test_document_reasons_come_from_its_scanned_pages() -> None:
    born_digital = PageResult(index=0, source="text_layer")
    low = PageResult(index=1, source="ocr", scan_dpi=150, copy_reasons=["low_resolution:150dpi"])
    fine = PageResult(index=2, source="ocr", scan_dpi=300)
    assert copy_reasons([born_digital]) is None  # nothing scanned: nothing to judge
    assert copy_reasons([born_digital, fine]) == []
    assert copy_reasons([low, fine, low]) == ["low_resolution:150dpi"]
    assert copy_note([]) is None and copy_note(None) is None
