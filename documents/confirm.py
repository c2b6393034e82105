"""What confirming a document does (`confirm`: a clerk's and auto-confirmation's), and
auto-confirmation (INTAKE_AUTO_CONFIRM): a recognised document no field of which needs review.

Auto-confirmation is run by the sender each round, so it needs no change to the processing jobs.
Never for a document with a secrecy mark (a person handles state secrets), a possible duplicate, a
failed page, an uncertain cut of the batch, a refusal by the registry, or one a person has
already touched.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from documents.lifecycle import set_status
from documents.registry import is_restricted, mark_ready
from documents.signing import request_signature
from infra.tables import Document, DocumentStatus, Event

ACTOR = "system:auto-confirm"
BATCH = 200
# Fields a document is never confirmed without, unless a person said it has none (a clerk's
# explicit "none", stored as `none: true` on the field): pressing Enter on an empty box is not it.
REQUIRED = ("number", "issued_date", "organ_name", "type_name", "subject")


def empty_required(fields: dict[str, Any]) -> list[str]:
    """Required fields read as empty and not marked as absent by a person. A key extraction did
    not write at all (rows made without extraction) is not asked for."""
    out = []
    for name in REQUIRED:
        f = fields.get(name)
        if isinstance(f, dict) and f.get("value") in (None, "", []) and not f.get("none"):
            out.append(name)
    return out


def confirm(session: Session, doc: Document, actor: str, detail: str = "confirmed") -> None:
    """A checked document becomes confirmed (confirmed_at) and enters the registry feed; when a
    signing certificate is configured it enters once signed (documents/signing/run.py)."""
    set_status(session, doc, DocumentStatus.CONFIRMED, detail, actor=actor)
    if request_signature(session, doc, actor):
        return
    mark_ready(session, doc, actor)  # last: it locks the feed counter until commit


def _eligible(doc: Document) -> bool:
    fields = doc.fields or {}
    uncertain = any(isinstance(f, dict) and f.get("needs_review") for f in fields.values())
    split = doc.split or {}
    return (bool(fields) and not uncertain and doc.review_count == 0 and not is_restricted(doc)
            and doc.possible_duplicate_of is None and doc.error is None and not doc.refusal
            and not split.get("needs_review") and not empty_required(fields))


def auto_confirm(session: Session) -> list[int]:
    """Confirm every eligible document ready for review; returns their ids."""
    touched = exists().where(Event.document_id == Document.id, Event.by_person.is_(True))
    candidates = list(session.scalars(
        select(Document).where(Document.status == DocumentStatus.READY_FOR_REVIEW,
                               Document.review_count == 0, Document.refusal.is_(None),
                               Document.recognised_at.is_not(None), ~touched)
        .order_by(Document.id).limit(BATCH).with_for_update(skip_locked=True)
    ))
    done = []
    for doc in candidates:
        if not _eligible(doc):
            continue
        confirm(session, doc, ACTOR, "auto-confirmed: every field confident (INTAKE_AUTO_CONFIRM)")
        done.append(doc.id)
    return done
