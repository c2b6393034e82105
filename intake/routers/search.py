"""Full-text search over every document's text and metadata (diacritics optional)."""

from __future__ import annotations

from typing import Any

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from documents.metadata import meta_value
from documents.search import search
from documents.summary import document_summary
from documents.visibility import EVERYTHING, Viewer
from intake.deps import Clerk, ReadSession
from intake.routers import ApiRouter
from intake.schemas import PLAIN_TEXT, DocumentSummary, Offset, errors
from intake.services.views import documents_by_ids
from models.text import fold

router = ApiRouter(prefix="/api", tags=["search"])


class Match(BaseModel):
    """Why a document ranks where it does."""

    number: bool = Field(description="the query is the document's number")
    exact: bool = Field(description="every word matched with its diacritics")
    score: float = Field(description="2 number, 1 exact diacritics, 0 folded only")


class SearchHit(DocumentSummary):
    match: Match
    snippet: str = Field(description="the text around the first match")
    subject: str | None


class SearchResults(BaseModel):
    query: str
    items: list[SearchHit]
    limit: int
    offset: int


@router.get("/search", summary="Full-text search (diacritics optional)",
            response_model=SearchResults, responses=errors(422))
def get_search(
    session: ReadSession,
    who: Clerk,
    q: str = Query(..., min_length=1, max_length=200, pattern=PLAIN_TEXT),
    limit: int = Query(20, ge=1, le=100),
    offset: Offset = 0,
) -> dict[str, Any]:
    """Documents whose text or metadata has every word of `q`; exact diacritics rank first."""
    return search_results(session, q, limit, offset, who.viewer)


def search_results(session: Session, q: str, limit: int, offset: int,
                   viewer: Viewer = EVERYTHING) -> dict[str, Any]:
    """The answer of `GET /api/search` (also timed by bench/service.py): only documents
    `viewer` may see."""
    hits = search(session, q, limit=limit, offset=offset, viewer=viewer)
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
