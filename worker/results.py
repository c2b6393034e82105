"""Store a pipeline result on its document: fields, pages, search index, duplicate flag, status."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db import Document, DocumentStatus, Page, PageStatus, utcnow
from models.result import DocumentResult
from models.search import fold, index_document, search_strings
from worker.state import add_event, set_status

log = logging.getLogger(__name__)

# Metadata keys read for the registry identity: the registry's names (DOMAIN §5), then the
# names worker.extract writes. The first present key wins.
_KEYS: dict[str, tuple[str, ...]] = {
    "number": ("CodeNumber", "code_number"),
    "notation": ("CodeNotation", "code_notation"),
    "organ": ("OrganName", "organ_name"),
    "doc_type": ("TypeName", "type_name"),
    "urgency": ("Priority", "urgency"),
    "issued_date": ("IssuedDate", "issued_date"),
    "subject": ("Subject", "subject"),
}
_LIMITS = {"number": 11, "notation": 30, "organ": 200, "doc_type": 100, "urgency": 20}


def _value(meta: dict[str, Any], name: str) -> Any:
    for key in _KEYS[name]:
        value = meta.get(key)
        if isinstance(value, dict):  # {value, confidence, ...} shape of `fields`
            value = value.get("value")
        if value not in (None, ""):
            return value
    return None


def _text(meta: dict[str, Any], name: str) -> str | None:
    value = _value(meta, name)
    return str(value).strip()[: _LIMITS.get(name, 500)] if value is not None else None


def _date(meta: dict[str, Any]) -> dt.date | None:
    value = _value(meta, "issued_date")
    if isinstance(value, dt.date):
        return value
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(str(value), fmt).date()
        except ValueError:
            continue
    return None


def apply_result(session: Session, doc_id: int, result: DocumentResult, pdf_key: str | None,
                 image_keys: dict[int, str]) -> bool:
    """Write a successful result; False when the document is no longer being processed by us."""
    doc = session.get(Document, doc_id, with_for_update=True)
    if doc is None or doc.status != DocumentStatus.PROCESSING:
        return False
    meta = {**result.metadata}
    doc.meta = meta
    doc.fields = result.fields
    doc.text = result.text
    doc.pdf_key = pdf_key
    doc.pages_total = result.pages
    doc.number = _text(meta, "number")
    doc.notation = _text(meta, "notation")
    doc.organ = _text(meta, "organ")
    doc.organ_folded = fold(doc.organ)[:200] if doc.organ else None
    doc_type = _text(meta, "doc_type")
    doc.doc_type = doc_type.capitalize() if doc_type else None  # QUYẾT ĐỊNH -> Quyết định
    doc.urgency = _text(meta, "urgency")
    doc.issued_date = _date(meta)
    doc.error = {"code": "partial", "message": "some pages failed"} if result.status == "partial" \
        else None
    doc.lease_until = None
    doc.recognised_at = utcnow()
    _store_pages(session, doc, result, image_keys)
    _index(session, doc, meta)
    _flag_duplicate(session, doc)
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


def _index(session: Session, doc: Document, meta: dict[str, Any]) -> None:
    """Fill the search columns (and SQLite's FTS table) from the number, agency and text."""
    code = f"{doc.number}/{doc.notation}" if doc.number and doc.notation else doc.number
    exact, folded = search_strings(
        [code, doc.organ, doc.doc_type, _text(meta, "subject"), doc.title, doc.text]
    )
    doc.search_text, doc.search_folded = exact, folded
    session.flush()
    index_document(session, doc.id, exact, folded)


def _flag_duplicate(session: Session, doc: Document) -> None:
    """A different file with the same (number, symbol, agency) is a possible duplicate."""
    if not (doc.number and doc.notation and doc.organ):
        doc.possible_duplicate_of = None
        return
    other = session.scalar(
        select(Document.id)
        .where(Document.number == doc.number, Document.notation == doc.notation,
               Document.organ == doc.organ, Document.id != doc.id,
               Document.sha256 != doc.sha256)
        .order_by(Document.id)
        .limit(1)
    )
    if other is not None and other != doc.possible_duplicate_of:
        add_event(session, doc, "duplicate", None, other,
                  f"same number, symbol and agency as document {other}")
    doc.possible_duplicate_of = other
