"""A document's metadata and the columns derived from it (registry identity, secrecy, search, review).

One place for both writers: the worker storing a pipeline result and a clerk correcting fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.agency_codes import fill_field as fill_organ_code
from documents.lifecycle import add_event
from documents.search import index_document, search_strings
from documents.visibility import secrecy_level
from infra.tables import Document, DocumentStatus, GazetteerEntry
from models.errors import ConflictError, NotFoundError
from models.text import fold
from models.vocabulary import MAX_LENGTH

# Metadata keys read for the registry identity: the registry's names (DOMAIN §5), then the
# names documents.extract writes. The first present key wins.
_KEYS: dict[str, tuple[str, ...]] = {
    "number": ("CodeNumber", "code_number"),
    "notation": ("CodeNotation", "code_notation"),
    "organ": ("OrganName", "organ_name"),
    "doc_type": ("TypeName", "type_name"),
    "urgency": ("Priority", "urgency"),
    "secrecy": ("secrecy",),
    "issued_date": ("IssuedDate", "issued_date"),
    "subject": ("Subject", "subject"),
}
# Column -> the field of MAX_LENGTH that bounds it.
_LIMITS = {"number": "CodeNumber", "notation": "CodeNotation", "organ": "OrganName",
           "doc_type": "TypeName", "urgency": "Mark", "secrecy": "Mark", "subject": "Subject"}


def meta_value(meta: dict[str, Any], name: str) -> Any:
    """A metadata value by its column name (see _KEYS), None when absent or empty."""
    for key in _KEYS[name]:
        value = meta.get(key)
        if isinstance(value, dict):  # {value, confidence, ...} shape of `fields`
            value = value.get("value")
        if value not in (None, ""):
            return value
    return None


def _text(meta: dict[str, Any], name: str) -> str | None:
    value = meta_value(meta, name)
    return str(value).strip()[: MAX_LENGTH[_LIMITS[name]]] if value is not None else None


def _date(meta: dict[str, Any]) -> dt.date | None:
    value = meta_value(meta, "issued_date")
    if isinstance(value, dt.date):
        return value
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(str(value), fmt).date()
        except ValueError:
            continue
    return None


def review_count(fields: dict[str, Any]) -> int:
    """How many fields a clerk still has to look at."""
    return sum(1 for f in fields.values() if isinstance(f, dict) and f.get("needs_review"))


def apply_metadata(session: Session, doc: Document, meta: dict[str, Any],
                   fields: dict[str, Any]) -> None:
    """Set metadata and fields and everything derived from them (columns, search, duplicates)."""
    fields = dict(fields)
    fill_organ_code(session, _text(meta, "organ"), fields)  # the issuer's code, or its suggestion
    doc.meta = meta
    doc.fields = fields
    doc.review_count = review_count(fields)
    doc.number = _text(meta, "number")
    doc.notation = _text(meta, "notation")
    doc.organ = _text(meta, "organ")
    doc.organ_folded = fold(doc.organ)[: MAX_LENGTH["OrganName"]] if doc.organ else None
    doc_type = _text(meta, "doc_type")
    doc.doc_type = doc_type.capitalize() if doc_type else None  # QUYẾT ĐỊNH -> Quyết định
    doc.urgency = _text(meta, "urgency")
    doc.secrecy = _text(meta, "secrecy")
    doc.secrecy_level = int(secrecy_level(doc.secrecy, fields.get("secrecy")))
    doc.issued_date = _date(meta)
    _index(session, doc, meta)
    _flag_duplicate(session, doc)


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


def learned_gazetteer(session: Session) -> tuple[tuple[str, str], ...]:
    """Gazetteer entries clerks' corrections added, (kind, value), oldest first."""
    rows = session.execute(
        select(GazetteerEntry.kind, GazetteerEntry.value).order_by(GazetteerEntry.id)
    )
    return tuple((k, v) for k, v in rows)


def lock_for_review(session: Session, doc_id: int, doing: str) -> Document:
    """A document locked for a person's change; only one ready for review can be changed."""
    doc = session.get(Document, doc_id, with_for_update=True)
    if doc is None:
        raise NotFoundError(f"document {doc_id} not found")
    if doc.status != DocumentStatus.READY_FOR_REVIEW:
        raise ConflictError(f"document {doc_id} is {doc.status}; only a document ready for review "
                            f"can be {doing}")
    return doc
