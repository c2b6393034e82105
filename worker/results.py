"""Store a pipeline result on its document: fields, pages, search index, duplicate flag, status."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from models.db import Document, DocumentStatus, Page, PageStatus, utcnow
from models.documents import apply_metadata
from models.result import DocumentResult
from worker.state import set_status

log = logging.getLogger(__name__)

def apply_result(session: Session, doc_id: int, result: DocumentResult, pdf_key: str | None,
                 image_keys: dict[int, str]) -> bool:
    """Write a successful result; False when the document is no longer being processed by us."""
    doc = session.get(Document, doc_id, with_for_update=True)
    if doc is None or doc.status != DocumentStatus.PROCESSING:
        return False
    doc.text = result.text
    doc.pdf_key = pdf_key
    doc.pages_total = result.pages
    doc.error = {"code": "partial", "message": "some pages failed"} if result.status == "partial" \
        else None
    doc.lease_until = None
    doc.recognised_at = utcnow()
    _store_pages(session, doc, result, image_keys)
    apply_metadata(session, doc, {**result.metadata}, result.fields)
    set_status(session, doc, DocumentStatus.READY_FOR_REVIEW, f"{result.pages} page(s)")
    return True


def _store_pages(session: Session, doc: Document, result: DocumentResult,
                 image_keys: dict[int, str]) -> None:
    """One row per page, updated in place so a rerun leaves no duplicates."""
    existing = {p.index: p for p in doc.pages}
    for pr in result.page_results:
        page = existing.get(pr.index)
        if page is None:
            page = Page(index=pr.index)
            doc.pages.append(page)
        page.status = PageStatus.FAILED if pr.error else PageStatus.DONE
        page.source = pr.source
        page.rotation = pr.rotation
        page.mean_confidence = pr.mean_confidence
        page.width, page.height, page.dpi = pr.width, pr.height, pr.dpi
        page.words = {"words": [w.model_dump(mode="json") for w in pr.words]}
        page.image_key = image_keys.get(pr.index)
        page.error = pr.error
