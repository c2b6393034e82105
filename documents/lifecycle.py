"""A document's life: its status, the timestamps that go with it, and the history of events.

The only module that changes `Document.status` (`set_status`, `record_delivered`) or writes an
`Event` row (`add_event` and the two events that are not about one document's content: uploads
and webhook deliveries). A new document may be created with its first status (`Document(status=)`)
and `record_created` writes that first status to the history.
Changes by a person or a token, and every delivery, are also written to the audit log
(documents/audit.py), without the values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from documents.audit import Actor, AuditAction, record
from infra.tables import Document, DocumentStatus, Event, utcnow
from models.errors import ConflictError

SYSTEM = "system:worker"

_S = DocumentStatus
# Where a document may go from each status (an unchanged status is no change at all).
ALLOWED: dict[str, frozenset[DocumentStatus]] = {
    _S.QUEUED: frozenset({_S.PROCESSING, _S.FAILED}),  # claimed; gave up after too many attempts
    _S.PROCESSING: frozenset({_S.READY_FOR_REVIEW, _S.QUEUED, _S.FAILED}),  # done; retry later; failed
    _S.FAILED: frozenset({_S.QUEUED, _S.DELETED}),  # a person retries it, or discards it
    _S.READY_FOR_REVIEW: frozenset({_S.CONFIRMED, _S.DELETED}),  # confirmed; emptied by a merge
    _S.CONFIRMED: frozenset({_S.DELIVERED, _S.READY_FOR_REVIEW}),  # the registry has it; refused
    _S.DELIVERED: frozenset({_S.READY_FOR_REVIEW}),  # refused by the registry
    _S.DELETED: frozenset({_S.READY_FOR_REVIEW}),  # revived by a split starting at its page
}


def _by_person(actor: str) -> bool:
    """`actor` is `system:*`, `registry:*` or `user:<name>`; only the last is a person."""
    return actor.startswith("user:")


def add_event(session: Session, doc: Document, action: str, old: Any, new: Any, detail: str = "",
              *, actor: str = SYSTEM, field: str | None = None) -> None:
    """Append one history event for a document; a person's (`user:*`) counts as their change."""
    session.add(Event(actor=actor, action=action, batch_id=doc.batch_id, document_id=doc.id,
                      field=field, old=old, new=new, detail=detail,
                      by_person=_by_person(actor)))
    if not actor.startswith("system:"):
        # Every change made by a person or a machine's token is in the audit log too: what was
        # changed, never the values (a secret document's content stays out of the log).
        record(session, Actor.of_history(actor), AuditAction.DOCUMENT_CHANGED,
               object_kind="document", object_id=doc.id,
               detail={"action": action, "field": field})


def add_delivery_event(session: Session, document_id: int | None, old: str, new: str,
                       detail: str, *, actor: str) -> None:
    """Record a change of a webhook delivery (outbox row) of a document."""
    session.add(Event(actor=actor, action="delivery", document_id=document_id, old=old, new=new,
                      detail=detail, by_person=_by_person(actor)))


def add_upload_event(session: Session, batch_id: int, sha256: str, detail: str, *,
                     actor: str) -> None:
    """Record a file received into a batch (not a person's change to a document)."""
    session.add(Event(actor=actor, action="upload", batch_id=batch_id, new=sha256, detail=detail))


def record_created(session: Session, doc: Document, detail: str, *, actor: str = SYSTEM) -> None:
    """Write a new document's first status (set when it was made) to its history."""
    add_event(session, doc, "status", None, str(doc.status), detail, actor=actor)


def set_status(session: Session, doc: Document, status: DocumentStatus, detail: str = "",
               actor: str = SYSTEM) -> None:
    """Change a document's status and record it in the history (nothing for the same status).

    A confirmed document gets its `confirmed_at`; a change `ALLOWED` does not list is a
    ConflictError naming both statuses."""
    if doc.status == status:
        return
    if status not in ALLOWED.get(doc.status, frozenset()):
        raise ConflictError(f"document {doc.id} is {doc.status}; it cannot become {status}")
    add_event(session, doc, "status", doc.status, str(status), detail, actor=actor)
    doc.status = status
    if status == DocumentStatus.CONFIRMED:
        doc.confirmed_at = utcnow()


def record_delivered(session: Session, doc: Document, actor: str, how: str) -> None:
    """The registry has the document (pulled, pushed or reported): first time sets delivered_at."""
    if doc.delivered_at is None:
        doc.delivered_at = utcnow()
    if doc.status == DocumentStatus.CONFIRMED:
        record(session, Actor.of_history(actor), AuditAction.DOCUMENT_DELIVERED,
               object_kind="document", object_id=doc.id, detail={"how": how})
        set_status(session, doc, DocumentStatus.DELIVERED, how, actor=actor)
