"""The service end to end with real workers and OCR: progress, SIGKILL, Redis lost, retries."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from infra.database import session_scope
from infra.queue import batch_job_id, connect, enqueue_document, job_alive
from infra.tables import Document, Event, Page
from models.settings import Settings
from tests.service.conftest import make_settings
from tests.service.helpers import batch_documents, client, document_status, scan, wait_for
from worker.state import plan_batch

pytestmark = [pytest.mark.redis, pytest.mark.slow]

READY = "ready_for_review"


@lru_cache(maxsize=4)
def reference_text(seed: int) -> str:
    """What the pipeline itself makes of a scan, run once, in this process."""
    import tempfile

    from worker.options import PipelineOptions
    from worker.pipeline import Pipeline

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "scan.pdf"
        src.write_bytes(scan(seed))
        with Pipeline(PipelineOptions(workers=1)) as pipeline:
            result = pipeline.process(src, Path(tmp) / "out.pdf")
    assert result.status == "ok", result.error
    return result.text


def _upload(settings: Settings, *seeds: int) -> int:
    with client(settings) as c:
        r = c.post("/api/batches", files=[("files", (f"scan-{s}.pdf", scan(s), "application/pdf"))
                                          for s in seeds])
        assert r.status_code == 202, r.text
        return int(r.json()["id"])


def _wait_ready(settings: Settings, doc_id: int, timeout: float = 180) -> None:
    def done() -> str | None:
        status = document_status(settings, doc_id)
        assert status != "failed", _failure(settings, doc_id)
        return status if status == READY else None

    wait_for(done, timeout, f"document {doc_id} ready")


def _failure(settings: Settings, doc_id: int) -> str:
    with session_scope(settings.database) as session:
        return str(session.get_one(Document, doc_id).error)


def _stored_files(settings: Settings) -> list[str]:
    root = settings.store_dir
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_upload_to_ready_with_live_progress_and_downloads(
    settings: Settings, start_worker: Any
) -> None:
    start_worker(settings)
    batch_id = _upload(settings, 1)
    events: list[tuple[str, dict[str, Any]]] = []
    with client(settings) as c:
        with c.stream("GET", f"/api/batches/{batch_id}/events") as stream:
            name = ""
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    events.append((name, json.loads(line[6:])))
        assert events[-1] == ("done", {"id": batch_id, "status": "done"})
        statuses = [d["documents"][0]["status"] for n, d in events if n == "progress"
                    and d["documents"]]
        assert statuses[-1] == READY and "processing" in statuses
        (doc_id,) = batch_documents(settings, batch_id)
        doc = c.get(f"/api/documents/{doc_id}").json()
        assert doc["status"] == READY and doc["text"] == reference_text(1)
        assert (doc["copy_eligible"], doc["copy_reasons"]) == (True, [])  # 300-dpi colour scan
        assert [p["status"] for p in doc["pages"]] == ["done"] and doc["pages"][0]["words"]
        history = [(h["old"], h["new"]) for h in doc["history"] if h["action"] == "status"]
        assert history == [(None, "queued"), ("queued", "processing"), ("processing", READY)]
        assert c.get(f"/api/documents/{doc_id}/pdf").content.startswith(b"%PDF")
        assert c.get(f"/api/documents/{doc_id}/original").content == scan(1)
        image = c.get(doc["pages"][0]["image"])
        assert image.headers["content-type"] == "image/jpeg" and image.content[:2] == b"\xff\xd8"
        word = max(doc["text"].split(), key=len)
        found = c.get("/api/search", params={"q": word}).json()["items"]
        assert [d["id"] for d in found] == [doc_id]


def test_worker_killed_mid_job_is_redone_once(settings: Settings, start_worker: Any) -> None:
    worker = start_worker(settings)
    batch_id = _upload(settings, 2)
    doc_id = wait_for(lambda: (batch_documents(settings, batch_id) or [None])[0], 60, "document")
    wait_for(lambda: document_status(settings, doc_id) == "processing", 60, "processing")
    worker.kill()  # SIGKILL: supervisor, RQ worker, work horse and page processes at once
    assert document_status(settings, doc_id) == "processing"
    start_worker(settings)
    _wait_ready(settings, doc_id)
    with session_scope(settings.database) as session:
        doc = session.get_one(Document, doc_id)
        assert doc.attempts == 2 and doc.text == reference_text(2)
        assert session.scalar(select(func.count(Document.id))) == 1
        assert session.scalar(select(func.count(Page.id))) == 1
        events = session.scalars(select(Event).where(Event.document_id == doc_id)).all()
        assert [e.new for e in events].count(READY) == 1
        assert [e.action for e in events].count("recovered") == 1
    stored = [f for f in _stored_files(settings) if not f.startswith("originals/")]
    assert stored == [f"documents/{doc_id}/document.pdf", f"documents/{doc_id}/page-0.jpg"]
    assert len([f for f in _stored_files(settings) if f.startswith("originals/")]) == 1


def test_redis_restarted_empty_work_found_again(tmp_path: Path, database_url: str,
                                                private_redis: Any, start_worker: Any) -> None:
    settings = make_settings(tmp_path, database_url, private_redis())
    unplanned = _upload(settings, 3)  # its batch job is only in Redis
    planned = _upload(settings, 4)
    with session_scope(settings.database, write=True) as session:
        (doc_b,) = plan_batch(session, planned)
    enqueue_document(connect(settings.redis_url), settings.queue_name, doc_b)
    private_redis()  # Redis restarted with its data gone
    assert not job_alive(connect(settings.redis_url), batch_job_id(settings.queue_name, unplanned))
    start_worker(settings)
    doc_a = wait_for(lambda: (batch_documents(settings, unplanned) or [None])[0], 60, "planning")
    _wait_ready(settings, doc_a)
    _wait_ready(settings, doc_b)


def test_transient_errors_are_retried_then_fail_visibly(tmp_path: Path, database_url: str,
                                                        redis_url: str, start_worker: Any) -> None:
    # Every external program times out: a transient error, retried with backoff, then `failed`.
    settings = make_settings(tmp_path, database_url, redis_url, tool_timeout=0.001,
                             job_attempts=3)
    start_worker(settings)
    batch_id = _upload(settings, 1)
    doc_id = wait_for(lambda: (batch_documents(settings, batch_id) or [None])[0], 60, "document")
    wait_for(lambda: document_status(settings, doc_id) == "failed", 120, "failed")
    with client(settings) as c:
        doc = c.get(f"/api/documents/{doc_id}").json()
    assert doc["attempts"] == 3 and doc["error"]["code"] == "tool_timeout", doc["error"]
    retries = [h for h in doc["history"] if h["new"] == "queued" and h["old"] == "processing"]
    assert len(retries) == 2
