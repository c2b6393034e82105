"""RQ job entry points (thin): a batch job that plans and fans out, a job per document."""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from redis import Redis
from redis.exceptions import RedisError
from rq import get_current_job
from sqlalchemy.exc import OperationalError

from documents.incoming_signatures import check_signatures, trust_settings
from documents.metadata import learned_gazetteer
from infra.database import session_scope
from infra.queue import announce, connect, enqueue_document
from infra.storage import Store, derived_key, open_store, original_key
from infra.tables import Document
from infra.tools import poppler
from models.errors import ConflictError, IntakeError, from_dict
from models.result import BatchDocument, DocumentResult
from models.settings import Settings, get_settings
from worker.options import PipelineOptions
from worker.persist import Published, apply_batch_result, existing_starts, own_document
from worker.pipeline import Pipeline
from worker.state import (
    Claim,
    claim,
    fail,
    mark_pages_done,
    plan_batch,
    renew_lease,
    start_pages,
)

log = logging.getLogger(__name__)

PAGE_IMAGE_DPI = 100  # page images for the review screen; the PDF/A keeps full resolution


def _redis(settings: Settings) -> Redis:
    job = get_current_job()
    return job.connection if job is not None else connect(settings.redis_url)


def process_batch(batch_id: int) -> int:
    """Turn a batch's uploads into documents (once) and queue each queued document."""
    settings = get_settings()
    with session_scope(settings.database, write=True) as session:
        queued = plan_batch(session, batch_id)
    conn = _redis(settings)
    for doc_id in queued:
        enqueue_document(conn, settings.queue_name, doc_id)
    announce(conn, batch_id)
    return len(queued)


def process_document(document_id: int) -> str:
    """Claim a document, run the pipeline on it, store the outputs; returns the final status."""
    settings = get_settings()
    url = settings.database
    with session_scope(url, write=True) as session:
        owned = claim(session, document_id, settings.lease_seconds, settings.job_attempts)
    conn = _redis(settings)
    if owned is None:
        return "skipped"
    announce(conn, owned.batch_id)
    try:
        with _Heartbeat(url, document_id, settings.lease_seconds):
            status = _run(owned, settings, conn)
    except Exception as exc:
        error, transient = _classify(exc)
        log.warning("document %s failed: %s", document_id, error)
        with session_scope(url, write=True) as session:
            status = fail(session, document_id, error, transient=transient,
                          max_attempts=settings.job_attempts, backoff=settings.retry_backoff)
    announce(conn, owned.batch_id)
    return str(status)


def _classify(exc: Exception) -> tuple[dict[str, object], bool]:
    """The error to record and whether it is worth retrying (database/Redis/disk hiccups are)."""
    if isinstance(exc, IntakeError):
        return exc.to_dict(), exc.transient
    transient = isinstance(exc, OperationalError | RedisError | OSError)
    return {"code": "internal", "message": f"{type(exc).__name__}: {exc}"[:500]}, transient


def _run(owned: Claim, settings: Settings, conn: Redis) -> str:
    store = open_store(settings)
    work = settings.data_dir / "work" / f"document-{owned.document_id}"
    shutil.rmtree(work, ignore_errors=True)  # a previous attempt may have left files
    work.mkdir(parents=True)
    url = settings.database
    try:
        source = _original(store, owned.sha256, work)
        with session_scope(url) as session:
            learned = learned_gazetteer(session)
        options = PipelineOptions.from_settings(settings)
        options = replace(options, work_dir=work, learned=learned, preview_dpi=PAGE_IMAGE_DPI)
        with Pipeline(options) as pipeline:
            def opened(pages: int) -> None:
                with session_scope(url, write=True) as session:
                    start_pages(session, owned.document_id, pages)
                announce(conn, owned.batch_id)

            done = 0

            def progress(n: int) -> None:
                nonlocal done
                done += n
                with session_scope(url, write=True) as session:
                    mark_pages_done(session, owned.document_id, done)
                announce(conn, owned.batch_id)

            result = pipeline.process_batch(source, work / "out", progress, opened)
        if result.status == "failed":
            raise from_dict(result.error or {"code": "internal", "message": "failed"})
        mine = own_document(owned, result)
        if mine is None:
            raise ConflictError("its pages no longer start a document in the file (boundaries "
                                "changed); correct the documents by hand")
        with session_scope(url) as session:
            taken = existing_starts(session, owned.upload_id)
        published = {
            n: _publish(store, _prefix(owned, n, part.page_indices[0], mine), part, settings)
            for n, part in enumerate(result.documents)
            if part.status != "failed" and (n == mine or part.page_indices[0] not in taken)
        }
        # The original's own digital signatures (issue 14), once per file, for every document
        # cut from it: the file is what was signed.
        signatures = check_signatures(source, trust_settings(settings))
        with session_scope(url, write=True) as session:
            written = apply_batch_result(session, owned, result, mine, published)
            for doc_id in written:
                row = session.get(Document, doc_id)
                if row is not None:
                    row.incoming_signatures = signatures
        log.info("upload %s: %d document(s) written", owned.upload_id, len(written))
        return "ready_for_review"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _original(store: Store, sha256: str, work: Path) -> Path:
    """The original as a local file (a remote store would download it into `work`)."""
    key = original_key(sha256)
    local = store.local_path(key)
    if local is not None:
        return Path(local)
    target = work / "original"
    with store.open(key) as src, target.open("wb") as out:
        shutil.copyfileobj(src, out)
    return target


def _prefix(owned: Claim, n: int, first_page: int, mine: int) -> tuple[str | int, ...]:
    """Store names of a document's files: under its id when it has one, else by upload and page
    (written before the database transaction that creates the row, so a rerun overwrites them)."""
    if n == mine:
        return ("documents", owned.document_id)
    return ("uploads", owned.upload_id, f"from-page-{first_page}")


def _publish(store: Store, prefix: tuple[str | int, ...], result: DocumentResult,
             settings: Settings) -> Published:
    """Put the PDF/A and the page images (rendered from it) in the store."""
    pdf = Path(result.pdf or "")
    pdf_key = store.put_file(derived_key(*prefix, "document.pdf"), pdf)
    images: dict[int, str] = {}
    made = result.page_images if isinstance(result, BatchDocument) else []
    for number in range(result.pages):
        ready = made[number] if number < len(made) else None
        if ready:
            path = Path(ready)  # made by the page stage from the cleaned page
        else:  # a born-digital page kept as it was: render it
            image = poppler.render_page(pdf, number + 1, PAGE_IMAGE_DPI,
                                        timeout=settings.tool_timeout,
                                        max_pixels=settings.max_image_pixels)
            path = pdf.with_name(f"{pdf.stem}-page-{number}.jpg")
            image.convert("RGB").save(path, "JPEG", quality=75)
        images[number] = store.put_file(derived_key(*prefix, f"page-{number}.jpg"), path)
    return Published(pdf_key, images)


class _Heartbeat:
    """Renews the document's lease in a thread while the job runs (a dead worker stops renewing)."""

    def __init__(self, url: str, doc_id: int, lease: float) -> None:
        self.url, self.doc_id, self.lease = url, doc_id, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                with session_scope(self.url, write=True) as session:
                    if not renew_lease(session, self.doc_id, self.lease):
                        return
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has slack
                log.warning("lease renewal failed for document %s", self.doc_id, exc_info=True)
