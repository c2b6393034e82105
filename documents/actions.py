"""Changes a person asks for through the API: retry a failed document, or discard it."""

from __future__ import annotations

import logging

from documents.lifecycle import add_event, set_status
from infra.database import session_scope
from infra.queue import announce, connect, enqueue_document
from infra.tables import Document, DocumentStatus
from models.errors import ConflictError, NotFoundError
from models.settings import Settings

log = logging.getLogger(__name__)

RETRYABLE = {DocumentStatus.FAILED}


def retry_document(settings: Settings, doc_id: int, actor: str) -> int:
    """Put a failed document back in the queue with fresh attempts; returns its batch id."""
    with session_scope(settings.database, write=True) as session:
        doc = session.get(Document, doc_id, with_for_update=True)
        if doc is None:
            raise NotFoundError(f"document {doc_id} not found")
        if doc.status not in RETRYABLE:
            raise ConflictError(f"document {doc_id} is {doc.status}; only a failed one is retried")
        add_event(session, doc, "retry", doc.status, str(DocumentStatus.QUEUED),
                  str((doc.error or {}).get("message", "")), actor=actor)
        set_status(session, doc, DocumentStatus.QUEUED, "retried by a person", actor=actor)
        doc.attempts = 0
        doc.retry_at = None
        doc.lease_until = None
        batch_id = doc.batch_id
    try:
        conn = connect(settings.redis_url)
        enqueue_document(conn, settings.queue_name, doc_id)
        announce(conn, batch_id)
    except Exception:  # noqa: BLE001 - the reconciler queues it when Redis is back
        log.warning("could not queue document %s; the workers will find it", doc_id)
    return batch_id


def discard_document(settings: Settings, doc_id: int, actor: str) -> None:
    """A failed document a person gives up on (a blank sheet, a file sent by mistake): `deleted`,
    out of the lists and the queue; its original and history stay."""
    with session_scope(settings.database, write=True) as session:
        doc = session.get(Document, doc_id, with_for_update=True)
        if doc is None:
            raise NotFoundError(f"document {doc_id} not found")
        if doc.status not in RETRYABLE:
            raise ConflictError(f"document {doc_id} is {doc.status}; only a failed one is discarded")
        set_status(session, doc, DocumentStatus.DELETED, "discarded by a person", actor=actor)
