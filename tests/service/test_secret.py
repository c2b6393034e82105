"""Secret documents through the API (issue 13): seen only with the clearance, audited when seen,
lowered only with the clearance and a reason; an uncertain "no mark" is restricted too.

Documents are seeded rows (no OCR); a clerk without the clearance and one with it, both of
TEST_UNIT, ask the same routes.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from documents.audit import Actor, AuditAction
from documents.review import confirm_document, correct_fields
from infra.database import session_scope
from infra.storage import derived_key, open_store, original_key
from infra.tables import AuditEntry, Batch, Document, utcnow
from models.errors import ForbiddenError
from models.settings import Settings
from tests.service.helpers import client, ready_document

META = {"number": "12/UBND-VP", "organ_name": "UBND tỉnh Nghệ An", "subject": "Về việc kiểm tra"}
WORD = "khoángsảnquýhiếm"  # a word only the seeded documents hold


def _doc(settings: Settings, secrecy: str | None = None, *, uncertain: bool = False,
         sha: str = "") -> int:
    meta: dict[str, Any] = {**META, "secrecy": secrecy}
    return ready_document(settings, meta, ("secrecy",) if uncertain else (),
                          text=f"Nội dung {WORD}", sha=sha)


def _with_files(settings: Settings, doc_id: int, tmp_path: Path) -> None:
    """Store an original and a PDF/A for a seeded document."""
    src = tmp_path / f"file-{doc_id}.pdf"
    src.write_bytes(b"%PDF-1.4\n% seeded\n")
    store = open_store(settings)
    with session_scope(settings.database, write=True) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        store.put_file(original_key(doc.sha256), src)
        doc.pdf_key = store.put_file(derived_key("documents", doc_id, "document.pdf"), src)


def _audit(settings: Settings) -> list[tuple[str, str, str, dict[str, Any]]]:
    with session_scope(settings.database) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            [AuditAction.SECRET_VIEWED, AuditAction.SECRET_DOWNLOADED,
             AuditAction.SECRECY_CHANGED])).order_by(AuditEntry.id))
        return [(r.action, r.actor_name, r.object_id or "", r.detail) for r in rows]


def _ids(body: dict[str, Any]) -> set[int]:
    return {d["id"] for d in body["items"]}


@pytest.mark.parametrize("restricted", [{"secrecy": "MẬT"}, {"secrecy": "TUYỆT MẬT"},
                                        {"uncertain": True}])
def test_restricted_documents_are_seen_only_with_the_clearance(
        settings: Settings, restricted: dict[str, Any]) -> None:
    plain_doc = _doc(settings)
    secret = _doc(settings, **restricted)
    with session_scope(settings.database) as session:
        secret_row = session.get(Document, secret)
        assert secret_row is not None
        batch = secret_row.batch_id
    with client(settings) as plain, client(settings, clearance=True) as cleared:
        for c, want in ((plain, {plain_doc}), (cleared, {plain_doc, secret})):
            assert _ids(c.get("/api/documents").json()) == want
            assert _ids(c.get("/api/review-queue").json()) == want
            found = c.get("/api/search", params={"q": WORD}).json()
            assert {h["id"] for h in found["items"]} == want
        assert plain.get(f"/api/documents/{secret}").status_code == 404
        # The batch (of the clerks' unit) is there, without the restricted document's id.
        seen = plain.get(f"/api/batches/{batch}").json()
        assert seen["documents"] == [] and seen["documents_total"] == 0
        assert [f["documents"] for f in seen["files"]] == [[]]
        seen = cleared.get(f"/api/batches/{batch}").json()
        assert [d["id"] for d in seen["documents"]] == [secret]
        assert [f["documents"] for f in seen["files"]] == [[secret]]
        # The live progress (SSE) of the batch, once it is cut: the same view.
        with session_scope(settings.database, write=True) as session:
            row = session.get(Batch, batch)
            assert row is not None
            row.planned_at = utcnow()
        for c, want in ((plain, []), (cleared, [secret])):
            stream = c.get(f"/api/batches/{batch}/events").text
            progress = json.loads(stream.split("event: progress\ndata: ")[1].split("\n")[0])
            assert [d["id"] for d in progress["documents"]] == want
            assert "event: done" in stream
        body = cleared.get(f"/api/documents/{secret}").json()
        assert body["id"] == secret
    # Only the view of the restricted document is in the audit log, by the cleared clerk.
    assert [(a, who, obj) for a, who, obj, _ in _audit(settings)] == [
        (AuditAction.SECRET_VIEWED, "chuyen.vien-mat", str(secret))]


def test_views_and_downloads_of_a_secret_document_are_audited(settings: Settings,
                                                              tmp_path: Path) -> None:
    secret, open_doc = _doc(settings, "TỐI MẬT"), _doc(settings)
    for doc_id in (secret, open_doc):
        _with_files(settings, doc_id, tmp_path)
    with client(settings, clearance=True) as c:
        for doc_id in (secret, open_doc):
            assert c.get(f"/api/documents/{doc_id}").status_code == 200
            assert c.get(f"/api/documents/{doc_id}/pdf").status_code == 200
            assert c.get(f"/api/documents/{doc_id}/original").status_code == 200
            assert c.get(f"/van-ban/{doc_id}").status_code == 200
    entries = _audit(settings)
    assert [(a, obj, d["what"]) for a, _, obj, d in entries] == [
        (AuditAction.SECRET_VIEWED, str(secret), "document"),
        (AuditAction.SECRET_DOWNLOADED, str(secret), "pdf"),
        (AuditAction.SECRET_DOWNLOADED, str(secret), "original"),
        (AuditAction.SECRET_VIEWED, str(secret), "review page")]
    assert all(d["secrecy"] == "TỐI MẬT" for *_, d in entries)


def test_original_of_a_stack_holding_a_secret_document(settings: Settings,
                                                       tmp_path: Path) -> None:
    """Two documents cut from one file, one of them MẬT: the open one's original is the whole
    file, so it is refused without the clearance and audited with it."""
    stack = "a" * 64
    open_part = _doc(settings, sha=stack)
    _doc(settings, "MẬT", sha=stack)
    alone = _doc(settings)
    for doc_id in (open_part, alone):
        _with_files(settings, doc_id, tmp_path)
    with client(settings) as plain, client(settings, clearance=True) as cleared:
        assert plain.get(f"/api/documents/{open_part}").status_code == 200
        assert plain.get(f"/api/documents/{open_part}/pdf").status_code == 200
        assert plain.get(f"/api/documents/{open_part}/original").status_code == 404
        assert plain.get(f"/api/documents/{alone}/original").status_code == 200
        assert cleared.get(f"/api/documents/{open_part}/original").status_code == 200
    assert [(a, obj, d["what"]) for a, _, obj, d in _audit(settings)] == [
        (AuditAction.SECRET_DOWNLOADED, str(open_part), "original")]


def test_lowering_a_mark_needs_a_reason_and_is_audited(settings: Settings) -> None:
    secret = _doc(settings, "MẬT")
    open_doc = _doc(settings)
    with client(settings) as plain, client(settings, clearance=True) as cleared:
        # A clerk without the clearance does not reach it at all.
        assert plain.patch(f"/api/documents/{secret}",
                           json={"fields": {"secrecy": None}, "reason": "x"}).status_code == 404
        r = cleared.patch(f"/api/documents/{secret}", json={"fields": {"secrecy": None}})
        assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "reason"
        assert "lý do" in r.json()["error"]["message"]
        assert plain.get(f"/api/documents/{secret}").status_code == 404  # nothing changed
        r = cleared.patch(f"/api/documents/{secret}", json={
            "fields": {"secrecy": None}, "reason": "Văn bản đã được giải mật theo công văn 5/GM"})
        assert r.status_code == 200, r.text
        assert r.json()["metadata"]["secrecy"] is None
        event = [e for e in r.json()["history"] if e.get("field") == "secrecy"][-1]
        assert "giải mật" in event["detail"]
        assert plain.get(f"/api/documents/{secret}").status_code == 200  # open now
        # Raising needs neither: the clerk who did it no longer sees the document.
        r = plain.patch(f"/api/documents/{open_doc}", json={"fields": {"secrecy": "mật"}})
        assert r.status_code == 200, r.text
        assert plain.get(f"/api/documents/{open_doc}").status_code == 404
    changes = [(who, obj, d) for a, who, obj, d in _audit(settings)
               if a == AuditAction.SECRECY_CHANGED]
    assert changes == [
        ("chuyen.vien-mat", str(secret), {"from": "MẬT", "to": "none",
                                          "reason": "Văn bản đã được giải mật theo công văn 5/GM"}),
        ("chuyen.vien", str(open_doc), {"from": "none", "to": "MẬT", "reason": None})]


def test_lowering_without_the_clearance_is_forbidden(settings: Settings) -> None:
    """The document layer refuses it even when a caller reached the document somehow."""
    secret = _doc(settings, "TỐI MẬT")
    who = SimpleNamespace(history="user:an", actor=Actor("account", 1, "an"), clearance=False)
    with pytest.raises(ForbiddenError):
        correct_fields(settings, secret, {"secrecy": "MẬT"}, who, reason="không cần")
    with session_scope(settings.database) as session:
        row = session.get(Document, secret)
        assert row is not None and row.secrecy == "TỐI MẬT"


def test_an_uncertain_no_mark_waits_for_a_person(settings: Settings) -> None:
    """A grey page's "no mark" keeps the document restricted until a cleared person decides:
    by accepting it (no reason needed: no mark is cleared) or by confirming with the remaining
    fields accepted. Both are audited."""
    accepted, confirmed = _doc(settings, uncertain=True), _doc(settings, uncertain=True)
    with client(settings) as plain, client(settings, clearance=True) as cleared:
        for doc in (accepted, confirmed):
            assert plain.get(f"/api/documents/{doc}").status_code == 404
            assert cleared.get(f"/api/documents/{doc}").status_code == 200
        r = cleared.patch(f"/api/documents/{accepted}", json={"fields": {"secrecy": None}})
        assert r.status_code == 200, r.text
        assert plain.get(f"/api/documents/{accepted}").status_code == 200
        r = cleared.post(f"/api/documents/{confirmed}/confirm", json={"accept_remaining": True})
        assert r.status_code == 200 and r.json()["delivery"]["in_feed"], r.text
        assert plain.get(f"/api/documents/{confirmed}").status_code == 200
    assert [(obj, d) for a, _, obj, d in _audit(settings) if a == AuditAction.SECRECY_CHANGED] == [
        (str(accepted), {"from": "uncertain", "to": "none", "reason": None}),
        (str(confirmed), {"from": "uncertain", "to": "none", "reason": None})]


def test_deciding_an_uncertain_mark_without_the_clearance_is_forbidden(
        settings: Settings) -> None:
    doc = _doc(settings, uncertain=True)
    who = SimpleNamespace(history="user:an", actor=Actor("account", 1, "an"), clearance=False)
    with pytest.raises(ForbiddenError):
        confirm_document(settings, doc, who, accept_remaining=True)
    with pytest.raises(ForbiddenError):
        correct_fields(settings, doc, {"secrecy": None}, who)
    with session_scope(settings.database) as session:
        row = session.get(Document, doc)
        assert row is not None and row.secrecy_level == 1 and row.status == "ready_for_review"
