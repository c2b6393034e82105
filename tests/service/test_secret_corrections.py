"""A secrecy mark survives split, merge and page moves: the strictest of the parts wins (issue 13).

The mark is printed on a document's first page only; before, a split re-read the new document's
mark from its new first page, so pages 2-5 of a MẬT document came out unmarked and could be
confirmed and pushed. A merged-away document serves nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from documents.audit import AuditAction
from infra.database import session_scope
from infra.tables import AuditEntry
from models.settings import Settings
from tests.service.helpers import client
from tests.service.test_corrections import _two_documents

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def _secrecy(api: Any, doc_id: int) -> str | None:
    r = api.get(f"/api/documents/{doc_id}")
    assert r.status_code == 200, r.text
    return r.json()["metadata"].get("secrecy")  # type: ignore[no-any-return]


def test_split_merge_and_move_keep_the_strictest_mark(settings: Settings, start_worker: Any,
                                                      tmp_path: Path) -> None:
    a, b = _two_documents(settings, start_worker, tmp_path)
    with client(settings) as plain, client(settings, clearance=True) as api:
        r = api.patch(f"/api/documents/{a}", json={"fields": {"secrecy": "MẬT"}})
        assert r.status_code == 200 and r.json()["pages_total"] == 2, r.text
        # b read as nothing certain (or nothing): decided as open, with a reason.
        r = api.patch(f"/api/documents/{b}", json={"fields": {"secrecy": None},
                                                   "reason": "Bản giấy không có dấu mật"})
        assert r.status_code == 200 and _secrecy(api, b) is None, r.text
        assert plain.get(f"/api/documents/{b}").status_code == 200

        # Split: A's second page becomes a document of its own, still MẬT.
        r = api.post(f"/api/documents/{a}/split", json={"at": 1})
        assert r.status_code == 200, r.text
        cut = r.json()["new_document"]
        assert cut["metadata"]["secrecy"] == "MẬT"
        assert cut["fields"]["secrecy"]["kept_from"] == [a]
        assert any(e["action"] == "secrecy_kept" for e in cut["history"])
        assert plain.get(f"/api/documents/{cut['id']}").status_code == 404

        # Merge the MẬT part behind the open b: b becomes MẬT (its first page has no mark).
        r = api.post(f"/api/documents/{b}/merge", json={"other": cut["id"]})
        assert r.status_code == 200, r.text
        assert r.json()["metadata"]["secrecy"] == "MẬT" and r.json()["pages_total"] == 2
        assert plain.get(f"/api/documents/{b}").status_code == 404
        # The merged-away document serves nothing: no PDF/A, no original, no page image.
        for url in ("pdf", "original", "pages/0/image"):
            assert api.get(f"/api/documents/{cut['id']}/{url}").status_code == 404, url

        # Move: b raised to TỐI MẬT, one of its pages moved into a: a becomes TỐI MẬT.
        r = api.patch(f"/api/documents/{b}", json={"fields": {"secrecy": "TỐI MẬT"}})
        assert r.status_code == 200, r.text
        r = api.post(f"/api/documents/{b}/pages/1/move", json={"document": a})
        assert r.status_code == 200, r.text
        assert _secrecy(api, a) == "TỐI MẬT" and _secrecy(api, b) == "TỐI MẬT"

        # Lowering a (to MẬT) needs a reason; with it, the change is audited.
        r = api.patch(f"/api/documents/{a}", json={"fields": {"secrecy": "MẬT"}})
        assert r.status_code == 422, r.text
        r = api.patch(f"/api/documents/{a}", json={"fields": {"secrecy": "MẬT"},
                                                   "reason": "Trang chuyển nhầm đã trả lại"})
        assert r.status_code == 200 and _secrecy(api, a) == "MẬT", r.text
    with session_scope(settings.database) as session:
        changes = [(int(e.object_id or 0), e.detail["from"], e.detail["to"]) for e in
                   session.scalars(select(AuditEntry).where(
                       AuditEntry.action == AuditAction.SECRECY_CHANGED).order_by(AuditEntry.id))]
    assert changes[-2:] == [(b, "MẬT", "TỐI MẬT"), (a, "TỐI MẬT", "MẬT")]
