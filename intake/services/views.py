"""Read side of the API: batch progress, document lists with filters, document details."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, defer, selectinload

from documents.copy_check import copy_fields
from documents.incoming_signatures import signature_fields
from documents.metadata import meta_value
from documents.signing import agency_signature_fields
from documents.summary import SUMMARY_COLUMNS, document_summary, iso
from documents.visibility import EVERYTHING, Viewer, can_see
from documents.visibility import conditions as visibility_conditions
from infra.tables import Batch, Document, DocumentStatus, Event, Page, PageStatus, Upload
from models.errors import NotFoundError
from models.text import fold
from models.vocabulary import BatchStatus, Urgency

_ACTIVE = {DocumentStatus.QUEUED, DocumentStatus.PROCESSING}
# Lists show summaries: the large columns stay in the database.
_HEAVY = (Document.text, Document.meta, Document.fields, Document.search_text,
          Document.search_folded)
SUMMARY = [defer(c) for c in _HEAVY]
def batch_view(session: Session, batch_id: int, viewer: Viewer = EVERYTHING) -> dict[str, Any]:
    """Status of a batch with per-file, per-document and per-page progress; the documents
    `viewer` may not see (another unit's, a secret one without clearance) are left out."""
    batch = session.get(Batch, batch_id, options=[selectinload(Batch.uploads)])
    if batch is None:
        raise NotFoundError(f"batch {batch_id} not found")
    docs = list(session.scalars(
        select(Document).where(Document.batch_id == batch_id).order_by(Document.id)
        .options(selectinload(Document.pages).defer(Page.words), *SUMMARY)
    ))
    docs = [d for d in docs if can_see(viewer, d)]
    originals = [u.duplicate_of for u in batch.uploads if u.duplicate_of is not None]
    by_upload: dict[int, list[int]] = {}
    for upload_id, doc_id in session.execute(
        select(Document.upload_id, Document.id).where(
            Document.upload_id.in_([u.id for u in batch.uploads] + originals),
            *visibility_conditions(viewer),  # not even the ids of documents it may not see
        )
    ):
        by_upload.setdefault(upload_id, []).append(doc_id)
    files = [
        {"upload_id": u.id, "filename": u.filename, "sha256": u.sha256, "size": u.size,
         "duplicate_of_upload": u.duplicate_of,
         "documents": by_upload.get(u.duplicate_of or u.id, [])}
        for u in batch.uploads
    ]
    documents = []
    for doc in docs:
        view = document_summary(doc)
        view["pages"] = [{"index": p.index, "status": p.status} for p in doc.pages]
        documents.append(view)
    return {
        "id": batch.id, "source": batch.source, "created_at": iso(batch.created_at),
        "status": _batch_status(batch.planned_at is not None, len(docs),
                                sum(1 for d in docs if d.status in _ACTIVE),
                                sum(1 for d in docs if d.status == DocumentStatus.FAILED)),
        "files": files, "documents": documents,
        "documents_total": len(docs),
        "documents_done": sum(1 for d in docs if d.status not in _ACTIVE),
        "pages_total": sum(d.pages_total for d in docs),
        "pages_done": sum(v["pages_done"] for v in documents),
    }


def batch_list(session: Session, conditions: list[Any], viewer: Viewer, limit: int,
               offset: int) -> dict[str, Any]:
    """Batches `conditions` let through (intake.services.access.batch_conditions), newest first:
    who uploaded them, when, for which unit, their files, progress and failed documents. Counts
    are of the documents `viewer` may see, as in `batch_view`; merged-away documents are left out."""
    total = session.scalar(select(func.count(Batch.id)).where(*conditions)) or 0
    batches = list(session.scalars(select(Batch).where(*conditions).order_by(Batch.id.desc())
                                   .limit(limit).offset(offset)))
    ids = [b.id for b in batches]
    names: dict[int, list[str]] = {}
    sizes: dict[int, int] = {}
    for batch_id, filename, size in session.execute(
            select(Upload.batch_id, Upload.filename, Upload.size)
            .where(Upload.batch_id.in_(ids)).order_by(Upload.id)):
        names.setdefault(batch_id, []).append(filename)
        sizes[batch_id] = sizes.get(batch_id, 0) + int(size)
    seen = [Document.batch_id.in_(ids), Document.status != DocumentStatus.DELETED,
            *visibility_conditions(viewer)]
    counts: dict[int, dict[str, int]] = {}
    pages: dict[int, int] = {}
    for batch_id, status, n, n_pages in session.execute(
            select(Document.batch_id, Document.status, func.count(Document.id),
                   func.coalesce(func.sum(Document.pages_total), 0))
            .where(*seen).group_by(Document.batch_id, Document.status)):
        counts.setdefault(batch_id, {})[str(status)] = int(n)
        pages[batch_id] = pages.get(batch_id, 0) + int(n_pages)
    pages_done = dict(session.execute(
        select(Document.batch_id, func.count(Page.id)).join(Page, Page.document_id == Document.id)
        .where(*seen, Page.status != PageStatus.PENDING).group_by(Document.batch_id)).all())
    failed: dict[int, list[dict[str, Any]]] = {}
    for doc in session.scalars(select(Document).where(*seen, Document.status ==
                                                      DocumentStatus.FAILED)
                               .order_by(Document.id).options(*SUMMARY)):
        failed.setdefault(doc.batch_id, []).append(
            {"id": doc.id, "title": doc.title, "error": doc.error})
    items = []
    for b in batches:
        by_status = counts.get(b.id, {})
        total_docs = sum(by_status.values())
        active = sum(by_status.get(str(s), 0) for s in _ACTIVE)
        n_failed = by_status.get(str(DocumentStatus.FAILED), 0)
        status = _batch_status(b.planned_at is not None, total_docs, active, n_failed)
        items.append({
            "id": b.id, "source": b.source, "created_by": b.created_by, "unit": b.unit or None,
            "created_at": iso(b.created_at), "status": status,
            "files": len(names.get(b.id, [])), "filenames": names.get(b.id, [])[:20],
            "size": sizes.get(b.id, 0), "documents_total": total_docs,
            "documents_done": total_docs - active, "documents_failed": n_failed,
            "documents_ready": by_status.get(str(DocumentStatus.READY_FOR_REVIEW), 0),
            "failed": failed.get(b.id, [])[:20],
            "pages_total": pages.get(b.id, 0), "pages_done": int(pages_done.get(b.id, 0)),
            "links": {"self": f"/api/batches/{b.id}", "events": f"/api/batches/{b.id}/events"},
        })
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _batch_status(planned: bool, documents: int, active: int, failed: int) -> BatchStatus:
    """A batch's state from its documents' counts: received until planned, processing while any
    document is queued or processing, failed when every document failed, else done."""
    if not planned:
        return BatchStatus.RECEIVED
    if active:
        return BatchStatus.PROCESSING
    if documents and failed == documents:
        return BatchStatus.FAILED
    return BatchStatus.DONE


@dataclass(frozen=True)
class DocumentFilter:
    """Filters of the document list."""

    status: str | None = None
    doc_type: str | None = None
    agency: str | None = None
    urgency: str | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    uploaded_from: dt.datetime | None = None
    uploaded_to: dt.datetime | None = None
    viewer: Viewer = EVERYTHING  # what the asking principal may see


def list_documents(session: Session, flt: DocumentFilter, limit: int,
                   offset: int) -> dict[str, Any]:
    """A page of documents, newest first, with the total count for the filters."""
    conditions = _conditions(flt)
    # count(*), not count(id): SQLite then counts an index, not the wide table rows.
    total = session.scalar(select(func.count()).select_from(Document).where(*conditions)) or 0
    # Plain rows, not ORM objects: a list is read far more often than anything else.
    docs = session.execute(
        select(*SUMMARY_COLUMNS).where(*conditions)
        .order_by(Document.uploaded_at.desc(), Document.id.desc()).limit(limit).offset(offset)
    ).all()
    done = _pages_done(session, [d.id for d in docs])
    items = [document_summary(d, done.get(d.id, 0)) for d in docs]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# Review order: the highest Priority first (Hỏa tốc hẹn giờ, Hỏa tốc, Thượng khẩn, Khẩn), then the
# rest (Nghị định 30: urgent ones at once).
URGENCY_RANK = {str(m): -int(m.priority) for m in Urgency}


def review_queue(session: Session, flt: DocumentFilter, limit: int, offset: int) -> dict[str, Any]:
    """Documents waiting for a clerk (ready for review unless `status` says otherwise): urgent
    first, then oldest first; with the total and how many of them are urgent."""
    if not flt.status:
        flt = replace(flt, status=DocumentStatus.READY_FOR_REVIEW)
    conditions = _conditions(flt)
    rank = case(URGENCY_RANK, value=Document.urgency, else_=len(URGENCY_RANK))
    total = session.scalar(select(func.count()).select_from(Document).where(*conditions)) or 0
    urgent = session.scalar(
        select(func.count()).select_from(Document)
        .where(*conditions, Document.urgency.in_(list(URGENCY_RANK)))
    ) or 0
    docs = session.execute(
        select(*SUMMARY_COLUMNS, Document.meta).where(*conditions)
        .order_by(rank, Document.uploaded_at, Document.id).limit(limit).offset(offset)
    ).all()
    done = _pages_done(session, [d.id for d in docs])
    items = []
    for d in docs:
        item = document_summary(d, done.get(d.id, 0))
        item["subject"] = meta_value(d.meta or {}, "subject")
        items.append(item)
    failed = session.scalar(  # failures stay in sight whatever the list shows
        select(func.count()).select_from(Document)
        .where(*visibility_conditions(flt.viewer), Document.status == DocumentStatus.FAILED)
    ) or 0
    return {"items": items, "total": total, "urgent": urgent, "failed": failed, "limit": limit,
            "offset": offset}


def _conditions(flt: DocumentFilter) -> list[Any]:
    conditions: list[Any] = visibility_conditions(flt.viewer)
    if flt.status:
        conditions.append(Document.status == flt.status)
    if flt.doc_type:
        conditions.append(Document.doc_type == flt.doc_type.strip().capitalize())
    if flt.urgency:
        conditions.append(Document.urgency == flt.urgency)
    if flt.agency:
        # Diacritics optional here too: the agency is compared folded.
        conditions.append(Document.organ_folded.like(f"%{fold(flt.agency)}%"))
    if flt.issued_from:
        conditions.append(Document.issued_date >= flt.issued_from)
    if flt.issued_to:
        conditions.append(Document.issued_date <= flt.issued_to)
    if flt.uploaded_from:
        conditions.append(Document.uploaded_at >= flt.uploaded_from)
    if flt.uploaded_to:
        conditions.append(Document.uploaded_at <= flt.uploaded_to)
    return conditions


def _pages_done(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Page.document_id, func.count(Page.id))
        .where(Page.document_id.in_(ids), Page.status != PageStatus.PENDING)
        .group_by(Page.document_id)
    )
    return {int(doc_id): int(n) for doc_id, n in rows}


def documents_by_ids(session: Session, ids: list[int]) -> dict[int, Document]:
    """Documents by id (search results keep their own order)."""
    if not ids:
        return {}
    query = select(Document).where(Document.id.in_(ids)).options(*SUMMARY[2:])  # text, meta kept
    return {d.id: d for d in session.scalars(query)}


def document_summary_by_id(session: Session, doc_id: int) -> dict[str, Any]:
    """The list summary of one document."""
    doc = session.get(Document, doc_id, options=[selectinload(Document.pages).defer(Page.words)])
    if doc is None:
        raise NotFoundError(f"document {doc_id} not found")
    return document_summary(doc)


def document_view(session: Session, doc_id: int) -> dict[str, Any]:
    """Everything about a document: metadata, fields, pages, text and history."""
    doc = session.get(Document, doc_id, options=[selectinload(Document.pages)])
    if doc is None:
        raise NotFoundError(f"document {doc_id} not found")
    upload = session.get(Upload, doc.upload_id)
    view = document_summary(doc)
    view.update({
        "filename": upload.filename if upload else None, "sha256": doc.sha256,
        "metadata": doc.meta, "fields": doc.fields, "text": doc.text,
        **signature_fields(doc.incoming_signatures),
        **agency_signature_fields(doc),
        **copy_fields(doc.copy_reasons),
        "pages": [
            {"index": p.index, "status": p.status, "source": p.source, "rotation": p.rotation,
             "mean_confidence": p.mean_confidence, "width": p.width, "height": p.height,
             "dpi": p.dpi, "error": p.error, "words": p.words.get("words", []),
             "image": f"/api/documents/{doc.id}/pages/{p.index}/image" if p.image_key else None}
            for p in doc.pages
        ],
        "history": [
            {"at": iso(e.at), "actor": e.actor, "action": e.action, "field": e.field,
             "old": e.old, "new": e.new, "detail": e.detail}
            for e in session.scalars(
                select(Event).where(Event.document_id == doc_id).order_by(Event.id)
            )
        ],
    })
    return view
