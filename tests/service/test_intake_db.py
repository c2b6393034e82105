"""Service tests without OCR, on SQLite and PostgreSQL: uploads, duplicates, search, errors."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from infra.database import session_scope
from infra.queue import batch_job_id, connect, job_alive
from infra.storage import original_key
from infra.tables import Batch, Document, DocumentStatus, Event, StoredFile, Upload
from models.result import BatchDocument, BatchResult, PageResult
from models.settings import Settings
from tests.service.helpers import CLERK, TEST_UNIT, client, token_prefix
from worker.daemons.reconcile import reconcile
from worker.persist import Published, apply_batch_result
from worker.state import Claim, plan_batch

pytestmark = pytest.mark.redis


def _upload(c: Any, *files: tuple[str, bytes]) -> dict[str, Any]:
    r = c.post("/api/batches", files=[("files", (n, d, "application/pdf")) for n, d in files])
    assert r.status_code == 202, r.text
    return r.json()  # type: ignore[no-any-return]


def test_upload_is_stored_and_recorded_before_the_answer(settings: Settings) -> None:
    data = os.urandom(4096)
    with client(settings) as c:
        body = _upload(c, ("a.pdf", data))
        # Read back through a new session right after the answer: nothing is pending.
        with session_scope(settings.database) as session:
            upload = session.scalar(select(Upload).where(Upload.batch_id == body["id"]))
            assert upload is not None and upload.sha256 == hashlib.sha256(data).hexdigest()
            assert session.get(StoredFile, upload.sha256) is not None
        stored = settings.store_dir / original_key(upload.sha256)
        assert stored.read_bytes() == data
        assert not list((settings.store_dir / "tmp").iterdir())  # no half-written file left
        assert job_alive(connect(settings.redis_url), batch_job_id(settings.queue_name, body["id"]))


def test_upload_is_kept_when_redis_is_down_and_queued_later(settings: Settings) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    with client(down) as c:
        body = _upload(c, ("a.pdf", b"%PDF-1.4 one"))
    assert body["queued"] is False
    conn = connect(settings.redis_url)
    assert not job_alive(conn, batch_job_id(settings.queue_name, body["id"]))
    done = reconcile(settings.database, conn, settings.queue_name, settings.lease_seconds)
    assert done.batches == 1 and job_alive(conn, batch_job_id(settings.queue_name, body["id"]))


def test_same_file_twice_is_one_document(settings: Settings) -> None:
    data = b"%PDF-1.4 same content"
    with client(settings) as c:
        first = _upload(c, ("a.pdf", data))
        second = _upload(c, ("copy of a.pdf", data), ("b.pdf", b"%PDF-1.4 other"))
        assert second["files"][0]["duplicate_of_upload"] == first["files"][0]["upload_id"]
        for batch_id in (first["id"], second["id"], first["id"]):  # a batch job may run twice
            with session_scope(settings.database, write=True) as session:
                plan_batch(session, batch_id)
        with session_scope(settings.database) as session:
            assert session.scalar(select(func.count(Document.id))) == 2
        view = c.get(f"/api/batches/{second['id']}").json()
        original_doc = c.get(f"/api/batches/{first['id']}").json()["documents"][0]["id"]
        assert view["files"][0]["documents"] == [original_doc]
        assert view["documents_total"] == 1  # only b.pdf is new


def test_fifty_parallel_uploads_make_fifty_documents(settings: Settings) -> None:
    with client(settings) as c, ThreadPoolExecutor(max_workers=50) as pool:
        bodies = list(pool.map(
            lambda i: _upload(c, (f"scan-{i}.pdf", f"%PDF-1.4 file {i}".encode())), range(50)
        ))
    batch_ids = {b["id"] for b in bodies}
    assert len(batch_ids) == 50
    for batch_id in batch_ids:
        with session_scope(settings.database, write=True) as session:
            plan_batch(session, batch_id)
    with session_scope(settings.database) as session:
        assert session.scalar(select(func.count(Document.id))) == 50
        assert session.scalar(select(func.count(Upload.id))) == 50


def _ready(settings: Settings, name: str, text: str, meta: dict[str, Any]) -> int:
    """A document as a worker leaves it, made with the workers' own code."""
    data = name.encode()
    with client(settings) as c:
        batch_id = _upload(c, (name, data))["id"]
    with session_scope(settings.database, write=True) as session:
        (doc_id,) = plan_batch(session, batch_id)
        doc = session.get_one(Document, doc_id)
        doc.status = DocumentStatus.PROCESSING
        owned = Claim(doc_id, batch_id, doc.sha256, name, 1, doc.upload_id, 0, False)
    part = BatchDocument(source=name, pages=1, text=text, metadata=meta, page_indices=[0],
                         page_results=[PageResult(index=0, source="ocr", text=text)])
    result = BatchResult(source=name, pages=1, documents=[part])
    with session_scope(settings.database, write=True) as session:
        assert apply_batch_result(session, owned, result, 0, {0: Published(None, {})}) == [doc_id]
    return doc_id


# Metadata as documents.extract writes it.
UBND = {"code_number": "87", "code_notation": "QĐ-UBND",
        "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "type_name": "QUYẾT ĐỊNH"}


def test_search_without_diacritics_and_by_number(settings: Settings) -> None:
    exact = _ready(settings, "a.pdf", "Quyết định về việc phê duyệt kế hoạch", UBND)
    plain = _ready(settings, "b.pdf", "quyet dinh nay co hieu luc tu ngay ky", {})
    other = _ready(settings, "c.pdf", "Công văn về việc đôn đốc nộp báo cáo", {"code_number": "12"})
    with client(settings) as c:
        def ids(q: str) -> list[int]:
            r = c.get("/api/search", params={"q": q})
            assert r.status_code == 200, r.text
            return [item["id"] for item in r.json()["items"]]

        assert ids("quyet dinh") == [plain, exact]  # both found; typed without marks -> plain first
        assert ids("Quyết định") == [exact, plain]  # exact diacritics rank first
        assert ids("QUYẾT ĐỊNH")[0] == exact
        assert ids("đôn đốc") == ids("don doc") == [other]
        assert ids("87/QĐ-UBND") == [exact] and ids("87/QD-UBND") == [exact]
        assert ids("87") == [exact]
        assert ids("quang ngai") == [exact]  # agency
        assert ids("khong co tu nay") == []
        listed = c.get("/api/documents", params={"agency": "quang ngai"}).json()
        assert [d["id"] for d in listed["items"]] == [exact] and listed["total"] == 1


def test_same_number_symbol_agency_is_flagged_as_possible_duplicate(settings: Settings) -> None:
    first = _ready(settings, "a.pdf", "Quyết định", UBND)
    second = _ready(settings, "b.pdf", "Quyết định (bản chụp khác)", UBND)
    third = _ready(settings, "c.pdf", "Quyết định", {**UBND, "code_number": "88"})
    with client(settings) as c:
        assert c.get(f"/api/documents/{second}").json()["possible_duplicate_of"] == first
        assert c.get(f"/api/documents/{third}").json()["possible_duplicate_of"] is None
        history = c.get(f"/api/documents/{second}").json()["history"]
        assert any(h["action"] == "duplicate" and h["new"] == first for h in history)


def test_document_list_filters_and_pages(settings: Settings) -> None:
    ids = [_ready(settings, f"{i}.pdf", "văn bản", {**UBND, "code_number": str(i),
                                                      "urgency": "Khẩn" if i % 2 else None})
           for i in range(5)]
    with client(settings) as c:
        page = c.get("/api/documents", params={"limit": 2, "offset": 1}).json()
        assert page["total"] == 5 and [d["id"] for d in page["items"]] == ids[::-1][1:3]
        urgent = c.get("/api/documents", params={"urgency": "Khẩn"}).json()
        assert sorted(d["id"] for d in urgent["items"]) == [ids[1], ids[3]]
        ready = c.get("/api/documents", params={"status": "ready_for_review"}).json()
        assert ready["total"] == 5
        assert c.get("/api/documents", params={"status": "failed"}).json()["total"] == 0
        assert c.get("/api/documents", params={"type": "QUYẾT ĐỊNH"}).json()["total"] == 5


def test_retry_of_a_failed_document(settings: Settings) -> None:
    doc_id = _ready(settings, "a.pdf", "x", {})
    with client(settings) as c:
        r = c.post(f"/api/documents/{doc_id}/retry")
        assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
        with session_scope(settings.database, write=True) as session:
            doc = session.get_one(Document, doc_id)
            doc.status, doc.attempts = DocumentStatus.FAILED, 3
        r = c.post(f"/api/documents/{doc_id}/retry")
        assert r.status_code == 202
        doc = c.get(f"/api/documents/{doc_id}").json()
        assert doc["status"] == "queued" and doc["attempts"] == 0
        assert any(h["action"] == "retry" and h["actor"] == CLERK for h in doc["history"])
    with session_scope(settings.database) as session:
        assert session.scalar(select(func.count(Event.id)).where(Event.by_person)) == 2


def test_errors_have_one_shape(settings: Settings) -> None:
    with client(settings) as c:
        for method, url, status, code in [
            ("get", "/api/documents/999", 404, "not_found"),
            ("get", "/api/batches/999", 404, "not_found"),
            ("get", "/api/nowhere", 404, "not_found"),
            ("get", "/api/documents?limit=0", 422, "bad_request"),
            ("post", "/api/batches", 422, "bad_request"),
            ("get", "/api/documents/1/pdf", 404, "not_found"),
        ]:
            r = getattr(c, method)(url)
            assert r.status_code == status, (url, r.text)
            assert set(r.json()) == {"error"} and r.json()["error"]["code"] == code
            assert r.json()["error"]["message"]
        # Without credentials: 401 in the same shape, before anything is read or stored.
        for method, url in [("get", "/api/documents/999"), ("post", "/api/batches")]:
            r = TestClient(c.app).request(method.upper(), url)
            assert r.status_code == 401 and set(r.json()) == {"error"}, (url, r.text)
            assert r.json()["error"]["code"] == "unauthenticated" and r.json()["error"]["message"]
    with session_scope(settings.database) as session:
        assert session.scalar(select(func.count(Batch.id))) == 0


def test_receiving_unit_travels_from_upload_to_documents(settings: Settings) -> None:
    def upload(c: Any, unit: str | None = None, as_role: str = "clerk") -> Any:
        return c.post("/api/batches", data={"unit": unit} if unit is not None else {},
                      files=[("files", ("a.pdf", os.urandom(64), "application/pdf"))],
                      as_role=as_role)

    # The clerk works for two units; the upload names one of them (spaces tidied).
    with client(settings, units=(TEST_UNIT, "Phòng Tổ chức")) as c:  # token: of TEST_UNIT
        r = upload(c, "  Phòng   Tổ chức  ")
        assert r.status_code == 202, r.text
        batch_id = r.json()["id"]
        with session_scope(settings.database, write=True) as session:
            (doc_id,) = plan_batch(session, batch_id)
        doc = c.get(f"/api/documents/{doc_id}").json()
        # A unit the person does not work for is refused, naming the field; nothing recorded.
        other = upload(c, "Phòng Tài chính")
        assert other.status_code == 422 and other.json()["error"]["details"]["field"] == "unit"
        # No unit asked: the first of the person's units (in alphabetical order).
        first = upload(c).json()["id"]
        # An upload token uploads into its own unit, and only there.
        scanner = upload(c, as_role="upload")
        assert scanner.status_code == 202, scanner.text
        assert upload(c, "Phòng Tổ chức", as_role="upload").status_code == 422
    assert doc["unit"] == "Phòng Tổ chức"
    with session_scope(settings.database) as session:
        batch = session.get_one(Batch, batch_id)
        assert batch.unit == "Phòng Tổ chức" and batch.created_by == CLERK
        assert session.get_one(Batch, first).unit == "Phòng Tổ chức"
        token_batch = session.get_one(Batch, scanner.json()["id"])
        assert token_batch.unit == TEST_UNIT
        assert token_batch.created_by == f"token:máy quét ({token_prefix(c, 'upload')})"
        assert session.scalar(select(func.count(Batch.id))) == 3
