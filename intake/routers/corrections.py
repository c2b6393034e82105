"""How a batch was cut, corrected: split, merge, move, rotate, delete pages."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from documents.corrections import (
    delete_page,
    merge_documents,
    move_page,
    rotate_page,
    split_document,
)
from intake.deps import Clerk, ReadSession, SettingsDep
from intake.routers import ApiRouter
from intake.schemas import DbInt, DocumentDetail, errors
from intake.services.access import check_documents
from intake.services.views import document_view

router = ApiRouter(prefix="/api/documents", tags=["corrections"])
# What a correction can answer: unknown document or page, a state that does not allow it, a
# position or angle out of range (bad_request), a body that does not parse.
_ERRORS = errors(400, 404, 409, 422)


class SplitAt(BaseModel):
    at: DbInt = Field(description="0-based page that starts the new document")


class MergeWith(BaseModel):
    other: DbInt = Field(description="document whose pages are appended (it is then deleted)")


class MoveTo(BaseModel):
    to: DbInt | None = Field(None, description="0-based position in the target document; "
                                             "empty: at its end")
    document: DbInt | None = Field(None, description="target document; empty: the same one")


class Turn(BaseModel):
    degrees: int = Field(description="clockwise: 90, 180 or 270")


class SplitAnswer(BaseModel):
    """Both documents after a split."""

    document: DocumentDetail
    new_document: DocumentDetail


@router.post("/{doc_id}/split", summary="Split a document before a page",
             response_model=SplitAnswer, responses=_ERRORS)
def post_split(settings: SettingsDep, session: ReadSession, who: Clerk, doc_id: DbInt,
               body: SplitAt) -> dict[str, Any]:
    """Pages from `at` on become a new document; both are extracted again."""
    check_documents(session, who, doc_id)
    new_id = split_document(settings, doc_id, body.at, who.history)
    return {"document": document_view(session, doc_id),
            "new_document": document_view(session, new_id)}


@router.post("/{doc_id}/merge", summary="Append another document's pages",
             response_model=DocumentDetail, responses=_ERRORS)
def post_merge(settings: SettingsDep, session: ReadSession, who: Clerk, doc_id: DbInt,
               body: MergeWith) -> dict[str, Any]:
    """The other document's pages are appended; it is marked deleted (history kept)."""
    check_documents(session, who, doc_id, body.other)
    merge_documents(settings, doc_id, body.other, who.history)
    return document_view(session, doc_id)


@router.post("/{doc_id}/pages/{index}/move", summary="Move a page",
             response_model=DocumentDetail, responses=_ERRORS)
def post_move(settings: SettingsDep, session: ReadSession, who: Clerk, doc_id: DbInt, index: DbInt,
              body: MoveTo) -> dict[str, Any]:
    """Within the document, or into another document at a position."""
    check_documents(session, who, doc_id, body.document)
    move_page(settings, doc_id, index, who.history, body.to, body.document)
    return document_view(session, doc_id)


@router.post("/{doc_id}/pages/{index}/rotate", summary="Turn a page",
             response_model=DocumentDetail, responses=_ERRORS)
def post_rotate(settings: SettingsDep, session: ReadSession, who: Clerk, doc_id: DbInt, index: DbInt,
                body: Turn) -> dict[str, Any]:
    """Turn a page clockwise; its image, word boxes and PDF page turn with it."""
    check_documents(session, who, doc_id)
    rotate_page(settings, doc_id, index, body.degrees, who.history)
    return document_view(session, doc_id)


@router.delete("/{doc_id}/pages/{index}", summary="Delete a page",
               response_model=DocumentDetail, responses=_ERRORS)
def delete_page_route(settings: SettingsDep, session: ReadSession, who: Clerk, doc_id: DbInt,
                      index: DbInt) -> dict[str, Any]:
    """Remove a page from the document (the uploaded original keeps it)."""
    check_documents(session, who, doc_id)
    delete_page(settings, doc_id, index, who.history)
    return document_view(session, doc_id)
