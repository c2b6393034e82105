"""HTTP routes that correct how a batch was cut: split, merge, move, rotate, delete pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from documents.corrections import (
    delete_page,
    merge_documents,
    move_page,
    rotate_page,
    split_document,
)
from infra.database import session_scope
from intake.deps import User, actor
from intake.services.views import document_view
from models.settings import Settings

router = APIRouter(prefix="/api/documents", tags=["corrections"])


class SplitAt(BaseModel):
    at: int = Field(description="0-based page that starts the new document")


class MergeWith(BaseModel):
    other: int = Field(description="document whose pages are appended (it is then deleted)")


class MoveTo(BaseModel):
    to: int | None = Field(None, description="0-based position in the target document; "
                                             "empty: at its end")
    document: int | None = Field(None, description="target document; empty: the same one")


class Turn(BaseModel):
    degrees: int = Field(description="clockwise: 90, 180 or 270")


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]



def _view(settings: Settings, doc_id: int) -> dict[str, Any]:
    with session_scope(settings.database) as session:
        return document_view(session, doc_id)


@router.post("/{doc_id}/split", summary="Split a document before a page")
async def post_split(request: Request, doc_id: int, body: SplitAt,
                     user: User = None) -> dict[str, Any]:
    """Pages from `at` on become a new document; both are extracted again."""
    settings = _settings(request)
    new_id = await run_in_threadpool(split_document, settings, doc_id, body.at, actor(user))
    return {"document": await run_in_threadpool(_view, settings, doc_id),
            "new_document": await run_in_threadpool(_view, settings, new_id)}


@router.post("/{doc_id}/merge", summary="Append another document's pages")
async def post_merge(request: Request, doc_id: int, body: MergeWith,
                     user: User = None) -> dict[str, Any]:
    """The other document's pages are appended; it is marked deleted (history kept)."""
    settings = _settings(request)
    await run_in_threadpool(merge_documents, settings, doc_id, body.other, actor(user))
    return await run_in_threadpool(_view, settings, doc_id)


@router.post("/{doc_id}/pages/{index}/move", summary="Move a page")
async def post_move(request: Request, doc_id: int, index: int, body: MoveTo,
                    user: User = None) -> dict[str, Any]:
    """Within the document, or into another document at a position."""
    settings = _settings(request)
    await run_in_threadpool(move_page, settings, doc_id, index, actor(user), body.to,
                            body.document)
    return await run_in_threadpool(_view, settings, doc_id)


@router.post("/{doc_id}/pages/{index}/rotate", summary="Turn a page")
async def post_rotate(request: Request, doc_id: int, index: int, body: Turn,
                      user: User = None) -> dict[str, Any]:
    """Turn a page clockwise; its image, word boxes and PDF page turn with it."""
    settings = _settings(request)
    await run_in_threadpool(rotate_page, settings, doc_id, index, body.degrees, actor(user))
    return await run_in_threadpool(_view, settings, doc_id)


@router.delete("/{doc_id}/pages/{index}", summary="Delete a page")
async def delete_page_route(request: Request, doc_id: int, index: int,
                            user: User = None) -> dict[str, Any]:
    """Remove a page from the document (the uploaded original keeps it)."""
    settings = _settings(request)
    await run_in_threadpool(delete_page, settings, doc_id, index, actor(user))
    return await run_in_threadpool(_view, settings, doc_id)
