"""Documents: list and filter, the review queue, one document, a clerk's corrections, confirm, retry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Query, Request
from pydantic import BaseModel, Field

from documents.actions import discard_document, retry_document
from documents.audit import AuditAction
from documents.review import confirm_document, correct_fields
from intake.deps import Clerk, ReadSession, SettingsDep
from intake.routers import ApiRouter
from intake.schemas import DbInt, DocumentDetail, DocumentList, DocumentSummary, Offset, ReviewQueue, errors
from intake.services.access import audit_secret, check_documents, visible_document
from intake.services.views import (
    DocumentFilter,
    document_summary_by_id,
    document_view,
    list_documents,
    review_queue,
)
from models.vocabulary import DocumentStatus

router = ApiRouter(prefix="/api", tags=["documents"])


@router.get("/documents", summary="List documents", response_model=DocumentList,
            responses=errors(422))
def get_documents(
    session: ReadSession,
    who: Clerk,
    status: str | None = None,
    type: str | None = Query(None, description="type name, e.g. Quyết định"),  # noqa: A002
    agency: str | None = Query(None, description="issuing agency (diacritics optional)"),
    urgency: str | None = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    uploaded_from: dt.datetime | None = None,
    uploaded_to: dt.datetime | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> dict[str, Any]:
    """Documents, newest first, filtered and paginated."""
    flt = DocumentFilter(status, type, agency, urgency, issued_from, issued_to,
                         uploaded_from, uploaded_to, who.viewer)
    return list_documents(session, flt, limit, offset)


@router.get("/review-queue", summary="Documents waiting for a clerk, urgent first",
            response_model=ReviewQueue, responses=errors(422))
def get_review_queue(
    session: ReadSession,
    who: Clerk,
    status: str | None = Query(None, description="default ready_for_review"),
    type: str | None = Query(None, description="type name, e.g. Quyết định"),  # noqa: A002
    agency: str | None = Query(None, description="issuing agency (diacritics optional)"),
    urgency: str | None = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> dict[str, Any]:
    """Hỏa tốc, Thượng khẩn, Khẩn first, then oldest first; `total` and `urgent` counts."""
    flt = DocumentFilter(status, type, agency, urgency, issued_from, issued_to,
                         viewer=who.viewer)
    return review_queue(session, flt, limit, offset)


@router.get("/documents/{doc_id}", summary="One document", response_model=DocumentDetail,
            responses=errors(404, 422))
def get_document(settings: SettingsDep, request: Request, session: ReadSession, who: Clerk,
                 doc_id: DbInt) -> dict[str, Any]:
    """Metadata, fields with confidences and boxes, pages, status and history (a restricted
    document's view is written to the audit log)."""
    doc = visible_document(session, who, doc_id)
    audit_secret(settings, request, who, doc, AuditAction.SECRET_VIEWED, "document")
    return document_view(session, doc_id)


class FieldChanges(BaseModel):
    """A clerk's corrections: field -> value (a value equal to the current one accepts it)."""

    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="number, issued_date, place, organ_name, parent_organ, type_name, subject, "
        "signer (or signer.competence / signer.position / signer.full_name), to_places, "
        "secrecy, urgency, arrival_stamp",
        examples=[{"number": "87/QĐ-UBND", "signer.full_name": "Trần Phước Hiền"}],
    )
    paper_arrived_on: str | None = Field(None, description="the paper's arrival (YYYY-MM-DD)")
    none: list[str] = Field(
        default_factory=list, max_length=5,
        description="required fields (number, issued_date, organ_name, type_name, subject) the "
        "document does not carry, as the clerk says: stored empty with `none: true`. An empty "
        "value for them is refused (422), and a document is not confirmed while one is empty "
        "and not marked so (409)", examples=[["number"]])
    reason: str | None = Field(None, max_length=500,
                               description="why the secrecy mark is lowered or cleared (required "
                               "then, with the secret clearance; kept in the audit log)")


class Confirmation(BaseModel):
    """Confirming a document; fields still uncertain are refused unless accepted here."""

    accept_remaining: bool = False


class RetryAnswer(BaseModel):
    """A failed document queued again."""

    id: int
    status: DocumentStatus = Field(description="queued")
    batch_id: int


@router.patch("/documents/{doc_id}", summary="Correct or accept fields",
              response_model=DocumentDetail, responses=errors(404, 409, 422))
def patch_document(settings: SettingsDep, session: ReadSession, who: Clerk, doc_id: DbInt,
                   changes: FieldChanges) -> dict[str, Any]:
    """Validate and store a clerk's values; each change is recorded in the history."""
    check_documents(session, who, doc_id)
    correct_fields(settings, doc_id, changes.fields, who, changes.paper_arrived_on, changes.reason,
                   changes.none)
    return document_view(session, doc_id)


@router.post("/documents/{doc_id}/confirm", summary="Confirm a reviewed document",
             response_model=DocumentSummary, responses=errors(404, 409, 422))
def post_confirm(settings: SettingsDep, session: ReadSession, who: Clerk, doc_id: DbInt,
                 body: Confirmation | None = None) -> dict[str, Any]:
    """The document is checked: it becomes ready for delivery to the registry."""
    check_documents(session, who, doc_id)
    confirm_document(settings, doc_id, who, bool(body and body.accept_remaining))
    return document_summary_by_id(session, doc_id)


@router.post("/documents/{doc_id}/retry", status_code=202, summary="Retry a failed document",
             response_model=RetryAnswer, responses=errors(404, 409, 422))
def post_retry(settings: SettingsDep, session: ReadSession, who: Clerk,
               doc_id: DbInt) -> dict[str, Any]:
    """Queue a failed document again (recorded in its history)."""
    check_documents(session, who, doc_id)
    batch_id = retry_document(settings, doc_id, who.history)
    return {"id": doc_id, "status": "queued", "batch_id": batch_id}


@router.post("/documents/{doc_id}/discard", summary="Discard a failed document",
             response_model=DocumentSummary, responses=errors(404, 409, 422))
def post_discard(settings: SettingsDep, session: ReadSession, who: Clerk,
                 doc_id: DbInt) -> dict[str, Any]:
    """A failed document nobody will retry leaves the lists (`deleted`, in its history); the
    original stays stored."""
    check_documents(session, who, doc_id)
    discard_document(settings, doc_id, who.history)
    return document_summary_by_id(session, doc_id)
