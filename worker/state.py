"""Document state changes made by jobs: plan a batch, claim, progress, finish, fail (idempotent)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.lifecycle import add_event, record_created, set_status
from infra.tables import Batch, Document, DocumentStatus, Page, PageStatus, Upload, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentPlan:
    """One document to cut from an upload: its first page and page count (None: to the end)."""

    page_start: int
    page_count: int | None


def plan_documents(upload: Upload) -> list[DocumentPlan]:
    """One row per upload before any OCR: its job cuts the file into documents (worker.persist)."""
    return [DocumentPlan(0, None)]


def plan_batch(session: Session, batch_id: int) -> list[int]:
    """Create the documents of a batch once; return the ids of its documents still queued."""
    batch = session.get(Batch, batch_id, with_for_update=True)
    if batch is None:
        return []
    if batch.planned_at is None:
        for upload in batch.uploads:
            if upload.duplicate_of is not None or upload.documents:
                continue
            for plan in plan_documents(upload):
                doc = Document(
                    batch_id=batch.id, upload_id=upload.id, sha256=upload.sha256,
                    page_start=plan.page_start, page_count=plan.page_count,
                    title=upload.filename[:255], uploaded_at=upload.received_at,
                    unit=batch.unit, status=DocumentStatus.QUEUED,
                )
                session.add(doc)
                session.flush()
                record_created(session, doc, "created")
        batch.planned_at = utcnow()
    rows = session.scalars(
        select(Document.id).where(
            Document.batch_id == batch_id, Document.status == DocumentStatus.QUEUED
        )
    )
    return list(rows)


@dataclass(frozen=True)
class Claim:
    """A document this job now owns until its lease runs out."""

    document_id: int
    batch_id: int
    sha256: str
    filename: str
    attempt: int
    upload_id: int = 0
    page_start: int = 0
    split: bool = False  # True once its upload was cut (the row is one of its documents)


def claim(session: Session, doc_id: int, lease: float, max_attempts: int) -> Claim | None:
    """Take a queued document (or one whose lease ran out); None if someone else has it or done."""
    doc = session.get(Document, doc_id, with_for_update=True)
    if doc is None:
        return None
    now = utcnow()
    queued = doc.status == DocumentStatus.QUEUED and (doc.retry_at is None or doc.retry_at <= now)
    lost = doc.status == DocumentStatus.PROCESSING and (doc.lease_until or now) <= now
    if not (queued or lost):
        return None
    if doc.attempts >= max_attempts:
        # A document that keeps killing its worker must not loop forever.
        last = (doc.error or {}).get("message", "the worker stopped while processing it")
        doc.error = {"code": "gave_up", "message": f"gave up after {doc.attempts} attempts: {last}"}
        set_status(session, doc, DocumentStatus.FAILED, doc.error["message"])
        return None
    doc.attempts += 1
    if lost:
        # Its worker died mid-job (no status change to record): say so in the history.
        add_event(session, doc, "recovered", None, doc.attempts,
                  "the worker stopped renewing its lease; processing again")
    doc.lease_until = now + dt.timedelta(seconds=lease)
    doc.retry_at = None
    set_status(session, doc, DocumentStatus.PROCESSING, f"attempt {doc.attempts}")
    upload = session.get(Upload, doc.upload_id)
    return Claim(doc.id, doc.batch_id, doc.sha256, upload.filename if upload else doc.title,
                 doc.attempts, doc.upload_id, doc.page_start, doc.page_count is not None)


def renew_lease(session: Session, doc_id: int, lease: float) -> bool:
    """Extend the lease of a document being processed; False when it is no longer ours."""
    doc = session.get(Document, doc_id, with_for_update=True)
    if doc is None or doc.status != DocumentStatus.PROCESSING:
        return False
    doc.lease_until = utcnow() + dt.timedelta(seconds=lease)
    return True


def start_pages(session: Session, doc_id: int, count: int) -> None:
    """Make one pending row per page (kept if they exist: a rerun starts its pages again)."""
    doc = session.get(Document, doc_id)
    if doc is None:
        return
    doc.pages_total = count
    existing = {p.index: p for p in doc.pages}
    for index in range(count):
        page = existing.get(index)
        if page is None:
            doc.pages.append(Page(index=index))
        else:
            page.status = PageStatus.PENDING
    for index, page in existing.items():
        if index >= count:
            doc.pages.remove(page)


def mark_pages_done(session: Session, doc_id: int, done: int) -> None:
    """Mark the first `done` pages as processed (the pipeline reports pages in order)."""
    pages = session.scalars(
        select(Page).where(Page.document_id == doc_id, Page.index < done,
                           Page.status == PageStatus.PENDING)
    )
    for page in pages:
        page.status = PageStatus.DONE


def fail(session: Session, doc_id: int, error: dict[str, Any], *, transient: bool,
         max_attempts: int, backoff: float) -> DocumentStatus:
    """Record a failure: queue a later retry for transient errors, else the document fails."""
    doc = session.get(Document, doc_id, with_for_update=True)
    if doc is None:
        return DocumentStatus.FAILED
    doc.error = error
    doc.lease_until = None
    if transient and doc.attempts < max_attempts:
        delay = backoff * 2 ** max(0, doc.attempts - 1)
        doc.retry_at = utcnow() + dt.timedelta(seconds=delay)
        set_status(session, doc, DocumentStatus.QUEUED, f"retry in {delay:.0f} s: {error}")
        return DocumentStatus.QUEUED
    set_status(session, doc, DocumentStatus.FAILED, str(error.get("message", "")))
    return DocumentStatus.FAILED
