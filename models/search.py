"""Full-text search in SQLite (FTS5) and PostgreSQL (tsvector): diacritics optional, exact first.

Both databases index the same two strings, made here: `search_text` (lower case, Vietnamese
marks kept) and `search_folded` (marks removed, đ -> d). Punctuation becomes spaces so both
tokenisers see the same words (`87/QĐ-UBND` -> `87 qđ ubnd`). A query is folded and every word
must match the folded string; documents whose exact string holds the query as a phrase (with the
diacritics the user typed) come first, and before them a document whose number is the query's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from models.text import normalize_text

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"^\s*0*(\d{1,11})\s*(?:/\s*(\S+))?\s*$")


def fold(value: str) -> str:
    """Lower case without Vietnamese marks: 'Quyết Định' -> 'quyet dinh' (đ -> d)."""
    decomposed = unicodedata.normalize("NFD", normalize_text(value).lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d")


def words(value: str) -> list[str]:
    """The words of a string, lower case, NFC, punctuation dropped."""
    return _WORD.findall(normalize_text(value).lower())


def search_strings(parts: list[str | None]) -> tuple[str, str]:
    """The (exact, folded) strings indexed for a document made of these parts."""
    exact = " ".join(" ".join(words(p)) for p in parts if p)
    return exact, fold(exact)


def index_document(session: Session, doc_id: int, exact: str, folded: str) -> None:
    """Keep SQLite's FTS table in step (PostgreSQL computes its vectors itself)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text("DELETE FROM document_search WHERE rowid = :id"), {"id": doc_id})
    session.execute(
        text("INSERT INTO document_search(rowid, exact, folded) VALUES (:id, :e, :f)"),
        {"id": doc_id, "e": exact, "f": folded},
    )


@dataclass(frozen=True)
class Hit:
    """One search result: the document and why it ranks where it does."""

    document_id: int
    number_match: bool
    exact_match: bool
    score: float


def _fts_phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def _number_of(query: str) -> str | None:
    """The number part of a query like `87`, `087` or `87/QĐ-UBND`, as stored (no leading 0s)."""
    m = _NUMBER.match(query)
    return m.group(1) if m else None


def search(session: Session, query: str, *, limit: int = 20, offset: int = 0) -> list[Hit]:
    """Documents matching every word of `query` (diacritics optional), best first."""
    exact_tokens = words(query)
    folded_tokens = [fold(t) for t in exact_tokens]
    if not folded_tokens:
        return []
    number = _number_of(query)
    params: dict[str, Any] = {"limit": limit, "offset": offset, "number": number or ""}
    if session.get_bind().dialect.name == "sqlite":
        sql = _SQLITE
        every = " AND ".join(_fts_phrase([t]) for t in folded_tokens)
        params["folded"] = f"folded : ({every})"
        params["exact"] = "exact : " + _fts_phrase(exact_tokens)
    else:
        sql = _POSTGRES
        params["folded"] = " ".join(folded_tokens)
        params["exact"] = " ".join(exact_tokens)
    rows = session.execute(text(sql), params).all()
    return [Hit(int(r[0]), bool(r[1]), bool(r[2]), float(r[3] or 0.0)) for r in rows]


# bm25 is lower for better matches; the exact-phrase subquery runs once as a set.
_SQLITE = """
SELECT document_search.rowid AS id,
       (ltrim(coalesce(d.number, ''), '0') = :number AND :number != '') AS number_match,
       document_search.rowid IN (
           SELECT rowid FROM document_search WHERE document_search MATCH :exact
       ) AS exact_match,
       -bm25(document_search) AS score
FROM document_search JOIN documents d ON d.id = document_search.rowid
WHERE document_search MATCH :folded
ORDER BY number_match DESC, exact_match DESC, score DESC, id DESC
LIMIT :limit OFFSET :offset
"""

_POSTGRES = """
SELECT d.id,
       (ltrim(coalesce(d.number, ''), '0') = :number AND :number != '') AS number_match,
       d.search_exact_vector @@ phraseto_tsquery('simple', :exact) AS exact_match,
       ts_rank(d.search_vector, q) AS score
FROM documents d, plainto_tsquery('simple', :folded) AS q
WHERE d.search_vector @@ q
ORDER BY number_match DESC, exact_match DESC, score DESC, d.id DESC
LIMIT :limit OFFSET :offset
"""
