"""HTTP routes of the intake service: batches, documents, downloads, search, live progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from pydantic import Field as PydField
from starlette.concurrency import run_in_threadpool

from documents.actions import retry_document
from documents.metadata import meta_value
from documents.review import confirm_document, correct_fields
from documents.search import fold, search
from infra.database import session_scope
from infra.storage import open_store, original_key
from infra.tables import Document, Page, Upload
from intake.deps import User, actor
from intake.services.events import batch_events
from intake.services.uploads import IncomingFile, receive_batch
from intake.services.views import (
    DocumentFilter,
    batch_view,
    document_summary,
    document_summary_by_id,
    document_view,
    documents_by_ids,
    list_documents,
    review_queue,
)
from models.errors import NotFoundError
from models.settings import Settings

router = APIRouter(prefix="/api")



def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]



@router.post("/batches", status_code=202, summary="Upload a batch of scans")
def post_batch(request: Request, files: Annotated[list[UploadFile], File()],
               unit: Annotated[str, Form(max_length=100, description="receiving unit")] = "",
               user: User = None) -> JSONResponse:
    """Store and record every file, queue the batch, answer at once with its id."""
    settings = _settings(request)
    receipt = receive_batch(
        settings, [IncomingFile(f.filename or "", f.file) for f in files], actor=actor(user),
        unit=unit,
    )
    body = {
        "id": receipt.batch_id, "status": "received", "queued": receipt.queued,
        "files": [
            {"upload_id": f.upload_id, "filename": f.filename, "sha256": f.sha256,
             "size": f.size, "duplicate_of_upload": f.duplicate_of}
            for f in receipt.files
        ],
        "links": {"self": f"/api/batches/{receipt.batch_id}",
                  "events": f"/api/batches/{receipt.batch_id}/events"},
    }
    return JSONResponse(body, status_code=202,
                        headers={"Location": f"/api/batches/{receipt.batch_id}"})


@router.get("/batches/{batch_id}", summary="Batch status and progress")
def get_batch(request: Request, batch_id: int) -> dict[str, Any]:
    """Status, files, documents and pages of a batch."""
    with session_scope(_settings(request).database) as session:
        return batch_view(session, batch_id)


@router.get("/batches/{batch_id}/events", summary="Live progress (server-sent events)")
async def get_batch_events(request: Request, batch_id: int) -> StreamingResponse:
    """`progress` events with the batch status as it changes, then `done`."""
    return StreamingResponse(
        batch_events(_settings(request), batch_id), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/documents", summary="List documents")
def get_documents(
    request: Request,
    status: str | None = None,
    type: str | None = Query(None, description="type name, e.g. Quyết định"),  # noqa: A002
    agency: str | None = Query(None, description="issuing agency (diacritics optional)"),
    urgency: str | None = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    uploaded_from: dt.datetime | None = None,
    uploaded_to: dt.datetime | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """Documents, newest first, filtered and paginated."""
    flt = DocumentFilter(status, type, agency, urgency, issued_from, issued_to,
                         uploaded_from, uploaded_to)
    with session_scope(_settings(request).database) as session:
        return list_documents(session, flt, limit, offset)


@router.get("/review-queue", summary="Documents waiting for a clerk, urgent first")
def get_review_queue(
    request: Request,
    status: str | None = Query(None, description="default ready_for_review"),
    type: str | None = Query(None, description="type name, e.g. Quyết định"),  # noqa: A002
    agency: str | None = Query(None, description="issuing agency (diacritics optional)"),
    urgency: str | None = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """Hỏa tốc, Thượng khẩn, Khẩn first, then oldest first; `total` and `urgent` counts."""
    flt = DocumentFilter(status, type, agency, urgency, issued_from, issued_to)
    with session_scope(_settings(request).database) as session:
        return review_queue(session, flt, limit, offset)


@router.get("/documents/{doc_id}", summary="One document")
def get_document(request: Request, doc_id: int) -> dict[str, Any]:
    """Metadata, fields with confidences and boxes, pages, status and history."""
    with session_scope(_settings(request).database) as session:
        return document_view(session, doc_id)


class FieldChanges(BaseModel):
    """A clerk's corrections: field -> value (a value equal to the current one accepts it)."""

    fields: dict[str, Any] = PydField(
        default_factory=dict,
        description="number, issued_date, place, organ_name, parent_organ, type_name, subject, "
        "signer (or signer.competence / signer.position / signer.full_name), to_places, "
        "secrecy, urgency, arrival_stamp",
        examples=[{"number": "87/QĐ-UBND", "signer.full_name": "Trần Phước Hiền"}],
    )
    paper_arrived_on: str | None = PydField(None, description="the paper's arrival (YYYY-MM-DD)")


class Confirmation(BaseModel):
    """Confirming a document; fields still uncertain are refused unless accepted here."""

    accept_remaining: bool = False


@router.patch("/documents/{doc_id}", summary="Correct or accept fields")
def patch_document(request: Request, doc_id: int, changes: FieldChanges,
                   user: User = None) -> dict[str, Any]:
    """Validate and store a clerk's values; each change is recorded in the history."""
    settings = _settings(request)
    correct_fields(settings, doc_id, changes.fields, actor(user), changes.paper_arrived_on)
    with session_scope(settings.database) as session:
        return document_view(session, doc_id)


@router.post("/documents/{doc_id}/confirm", summary="Confirm a reviewed document")
def post_confirm(request: Request, doc_id: int, body: Confirmation | None = None,
                 user: User = None) -> dict[str, Any]:
    """The document is checked: it becomes ready for delivery to the registry."""
    settings = _settings(request)
    confirm_document(settings, doc_id, actor(user), bool(body and body.accept_remaining))
    with session_scope(settings.database) as session:
        return document_summary_by_id(session, doc_id)


@router.post("/documents/{doc_id}/retry", status_code=202, summary="Retry a failed document")
def post_retry(request: Request, doc_id: int, user: User = None) -> dict[str, Any]:
    """Queue a failed document again (recorded in its history)."""
    batch_id = retry_document(_settings(request), doc_id, actor(user))
    return {"id": doc_id, "status": "queued", "batch_id": batch_id}


def _file_response(settings: Settings, key: str, media_type: str, filename: str) -> Response:
    store = open_store(settings)
    path = store.local_path(key)
    if path is not None:
        return FileResponse(path, media_type=media_type, filename=filename)
    stream = store.open(key)
    return StreamingResponse(iter(lambda: stream.read(1 << 20), b""), media_type=media_type)


@router.get("/documents/{doc_id}/pdf", summary="Download the PDF/A")
def get_pdf(request: Request, doc_id: int) -> Response:
    """The searchable PDF/A of the document."""
    settings = _settings(request)
    with session_scope(settings.database) as session:
        doc = session.get(Document, doc_id)
        if doc is None or not doc.pdf_key:
            raise NotFoundError(f"document {doc_id} has no PDF/A (yet)")
        key, stem = doc.pdf_key, Path(doc.title).stem or f"document-{doc_id}"
    return _file_response(settings, key, "application/pdf", f"{stem}.pdf")


@router.get("/documents/{doc_id}/original", summary="Download the original file")
def get_original(request: Request, doc_id: int) -> Response:
    """The file as it was uploaded."""
    settings = _settings(request)
    with session_scope(settings.database) as session:
        doc = session.get(Document, doc_id)
        if doc is None:
            raise NotFoundError(f"document {doc_id} not found")
        upload = session.get(Upload, doc.upload_id)
        name = upload.filename if upload else doc.sha256
        sha = doc.sha256
    return _file_response(settings, original_key(sha), "application/octet-stream", name)


@router.get("/documents/{doc_id}/pages/{index}/image", summary="Page image (JPEG)")
def get_page_image(request: Request, doc_id: int, index: int) -> Response:
    """The image of one page (0-based), as shown on the review screen."""
    settings = _settings(request)
    with session_scope(settings.database) as session:
        page = session.query(Page).filter_by(document_id=doc_id, index=index).one_or_none()
        if page is None or not page.image_key:
            raise NotFoundError(f"document {doc_id} has no image for page {index}")
        key = page.image_key
    return _file_response(settings, key, "image/jpeg", f"document-{doc_id}-page-{index}.jpg")


@router.get("/search", summary="Full-text search (diacritics optional)")
async def get_search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=200),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """Documents whose text or metadata has every word of `q`; exact diacritics rank first."""
    return await run_in_threadpool(_search, _settings(request), q, limit, offset)


def _search(settings: Settings, q: str, limit: int, offset: int) -> dict[str, Any]:
    with session_scope(settings.database) as session:
        hits = search(session, q, limit=limit, offset=offset)
        docs = documents_by_ids(session, [h.document_id for h in hits])
        items = []
        for hit in hits:
            doc = docs.get(hit.document_id)
            if doc is None:
                continue
            item = document_summary(doc, pages_done=doc.pages_total)
            item["match"] = {"number": hit.number_match, "exact": hit.exact_match,
                             "score": round(hit.score, 4)}
            item["snippet"] = _snippet(doc.text, q)
            item["subject"] = meta_value(doc.meta or {}, "subject")
            items.append(item)
    return {"query": q, "items": items, "limit": limit, "offset": offset}


def _snippet(text: str, q: str, width: int = 80) -> str:
    """Text around the first match of the query's first word (positions agree once folded)."""
    words = fold(q).split()
    folded = fold(text)
    at = folded.find(words[0]) if words and len(folded) == len(text) else -1
    if at < 0:
        return text[: width * 2].replace("\f", " ")
    start = max(0, at - width)
    return text[start: at + width].replace("\f", " ")


@router.get("/separator.pdf", summary="Separator sheet to print (one before each document)")
def separator_sheet() -> Response:
    """A printable A4 separator page: scanned before a document, it cuts the batch there."""
    from documents.separator import separator_pdf

    return Response(separator_pdf(), media_type="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="trang-phan-tach.pdf"'})
