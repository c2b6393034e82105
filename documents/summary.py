"""A document's summary as lists show it (API lists, search results, the registry feed):
the columns read, and the JSON built from a Document or a row of those columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from documents.registry import STATUS_CODES, is_restricted
from documents.visibility import level_of
from infra.tables import Document, DocumentStatus, PageStatus

SUMMARY_COLUMNS = [
    Document.id, Document.batch_id, Document.title, Document.status, Document.number,
    Document.notation, Document.organ, Document.doc_type, Document.urgency,
    Document.issued_date, Document.pages_total, Document.attempts, Document.error,
    Document.possible_duplicate_of, Document.uploaded_at, Document.recognised_at,
    Document.updated_at, Document.pdf_key, Document.secrecy, Document.review_count,
    Document.confirmed_at, Document.delivered_at, Document.acknowledged_at,
    Document.registry_status, Document.paper_arrived_on, Document.split, Document.unit, Document.refusal,
    Document.delivery_seq, Document.secrecy_level,
]


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def document_summary(doc: Any, pages_done: int | None = None) -> dict[str, Any]:
    """The fields shown in lists (from a Document or a row of SUMMARY_COLUMNS)."""
    done = pages_done if pages_done is not None else sum(
        1 for p in doc.pages if p.status != PageStatus.PENDING
    )
    return {
        "id": doc.id, "batch_id": doc.batch_id, "title": doc.title, "status": doc.status,
        "number": doc.number, "notation": doc.notation, "organ": doc.organ,
        "type": doc.doc_type, "urgency": doc.urgency, "secrecy": doc.secrecy,
        "secrecy_level": int(level_of(doc)), "restricted": is_restricted(doc),
        "issued_date": iso(doc.issued_date), "review_count": doc.review_count,
        "pages_total": doc.pages_total, "pages_done": done, "attempts": doc.attempts,
        "error": doc.error, "possible_duplicate_of": doc.possible_duplicate_of,
        "uploaded_at": iso(doc.uploaded_at), "recognised_at": iso(doc.recognised_at),
        "confirmed_at": iso(doc.confirmed_at), "delivered_at": iso(doc.delivered_at),
        "acknowledged_at": iso(doc.acknowledged_at), "registry_status": doc.registry_status,
        "paper_arrived_on": iso(doc.paper_arrived_on), "unit": doc.unit, "split": doc.split,
        "updated_at": iso(doc.updated_at), "links": _links(doc),
        "delivery": _delivery(doc),
    }


def _delivery(doc: Any) -> dict[str, Any]:
    """Where the document is on its way to the registry (docs/DELIVERY.md)."""
    restricted = is_restricted(doc)
    if doc.status in (DocumentStatus.CONFIRMED, DocumentStatus.DELIVERED):
        state = "restricted" if restricted else str(doc.status)
    elif doc.refusal:
        state = "refused"
    else:
        state = "not_ready"
    return {"state": state, "in_feed": doc.delivery_seq is not None,
            "registry_status": doc.registry_status,
            "registry_status_name": STATUS_CODES.get(doc.registry_status or ""),
            "refusal": doc.refusal}


def _links(doc: Any) -> dict[str, str]:
    base = f"/api/documents/{doc.id}"
    links = {"self": base, "original": f"{base}/original"}
    if doc.pdf_key:
        links["pdf"] = f"{base}/pdf"
    if doc.delivery_seq is not None:
        links["edxml"] = f"{base}/edxml"
    return links
