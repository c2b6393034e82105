"""Store a pipeline result on its document: fields, pages, search index, duplicate flag, status."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.lifecycle import record_created, set_status
from documents.metadata import apply_metadata
from infra.tables import Document, DocumentStatus, Page, PageStatus, utcnow
from models.result import BatchResult, DocumentResult, page_evidence
from worker.state import Claim

log = logging.getLogger(__name__)


def _apply(session: Session, doc: Document, result: DocumentResult, pdf_key: str | None,
           image_keys: dict[int, str], upload_id: int, source_pages: list[int]) -> None:
    doc.text = result.text
    doc.pdf_key = pdf_key
    doc.pages_total = result.pages
    doc.copy_reasons = result.copy_reasons
    doc.error = {"code": "partial", "message": "some pages failed"} if result.status == "partial" \
        else None
    doc.lease_until = None
    doc.recognised_at = utcnow()
    _store_pages(doc, result, image_keys, upload_id, source_pages)
    apply_metadata(session, doc, {**result.metadata}, result.fields)
    set_status(session, doc, DocumentStatus.READY_FOR_REVIEW, f"{result.pages} page(s)")


def _store_pages(doc: Document, result: DocumentResult, image_keys: dict[int, str],
                 upload_id: int, source_pages: list[int]) -> None:
    """One row per page, updated in place so a rerun leaves no duplicates."""
    existing = {p.index: p for p in doc.pages}
    for index, old in existing.items():
        if index >= len(result.page_results):
            doc.pages.remove(old)
    for pr, source_page in zip(result.page_results, source_pages, strict=True):
        page = existing.get(pr.index)
        if page is None:
            page = Page(index=pr.index)
            doc.pages.append(page)
        page.upload_id, page.source_page = upload_id, source_page
        page.status = PageStatus.FAILED if pr.error else PageStatus.DONE
        page.source = pr.source
        page.rotation = pr.rotation
        page.mean_confidence = pr.mean_confidence
        page.width, page.height, page.dpi = pr.width, pr.height, pr.dpi
        page.words = page_evidence(pr)
        page.image_key = image_keys.get(pr.index)
        page.error = pr.error


@dataclass(frozen=True)
class Published:
    """Where one document's outputs were put in the store."""

    pdf_key: str | None
    images: dict[int, str]


def own_document(claim: Claim, result: BatchResult) -> int | None:
    """Which document of the cut file the claimed row becomes (None: its pages are gone).

    A row never processed yet (the whole upload) becomes the first document; a row of an upload
    already cut (a retry of one of its documents) is the document starting at its first page.
    """
    if not claim.split:
        return 0 if result.documents else None
    for n, doc in enumerate(result.documents):
        if doc.page_indices and doc.page_indices[0] == claim.page_start:
            return n
    return None


def existing_starts(session: Session, upload_id: int) -> set[int]:
    """First pages of the documents already cut from an upload."""
    return set(session.scalars(select(Document.page_start).where(Document.upload_id == upload_id)))


def apply_batch_result(session: Session, claim: Claim, result: BatchResult, mine: int,
                       published: dict[int, Published]) -> list[int]:
    """Write a cut upload in one transaction: the claimed row takes document `mine`, documents
    not yet in the database are created; documents that already exist keep their own life (a
    rerun creates nothing twice). Returns the ids written."""
    doc = session.get(Document, claim.document_id, with_for_update=True)
    if doc is None or doc.status != DocumentStatus.PROCESSING:
        return []
    starts = existing_starts(session, claim.upload_id) - {doc.page_start}
    total = len(result.documents)
    written = []
    blanks = _blanks_by_document(result)
    for n, part in enumerate(result.documents):
        first = part.page_indices[0]
        if n == mine:
            target = doc
        elif first in starts or n not in published:
            continue
        else:
            target = Document(batch_id=doc.batch_id, upload_id=doc.upload_id, sha256=doc.sha256,
                              uploaded_at=doc.uploaded_at, unit=doc.unit,
                              status=DocumentStatus.PROCESSING, attempts=1, page_start=first)
            session.add(target)
            session.flush()
            record_created(session, target, f"cut from upload {doc.upload_id} "
                           f"(document {doc.id}) at page {first + 1}")
        target.page_start = first
        target.page_count = len(part.page_indices)
        target.title = (claim.filename if total == 1 else f"{claim.filename} ({n + 1}/{total})")[:255]
        target.split = {
            "boundary": part.boundary, "confidence": round(part.confidence, 3),
            "needs_review": part.needs_review, "reasons": part.review_reasons,
            "source_pages": part.page_indices, "blank_pages": blanks.get(n, []),
            "separator_pages": result.separator_pages if n == 0 else [],
            "documents_in_file": total,
        }
        if part.status == "failed":
            target.error = part.error
            target.lease_until = None
            set_status(session, target, DocumentStatus.FAILED,
                       str((part.error or {}).get("message", "")))
        else:
            out = published[n]
            _apply(session, target, part, out.pdf_key, out.images, claim.upload_id,
                   part.page_indices)
        written.append(target.id)
    return written


def _blanks_by_document(result: BatchResult) -> dict[int, list[int]]:
    """Each removed blank page counted with the document it was found in or after."""
    firsts = [d.page_indices[0] for d in result.documents]
    out: dict[int, list[int]] = {}
    for page in result.blank_pages:
        owner = max((n for n, f in enumerate(firsts) if f <= page), default=0)
        out.setdefault(owner, []).append(page)
    return out
