"""The reconciler: work the database holds but Redis lost (flush, killed worker) is queued again."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from redis import Redis
from rq.job import JobStatus
from sqlalchemy import or_, select

from infra.database import session_scope
from infra.queue import batch_job_id, document_job_id, enqueue_batch, enqueue_document, fetch_job
from infra.tables import Batch, Document, DocumentStatus, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reconciled:
    """What one pass re-queued."""

    batches: int = 0
    documents: int = 0
    lost: int = 0


def _drop_stale(conn: Redis, job_id: str, lease: float) -> None:
    """Forget a job Redis still shows as started by a worker that died (its lease ran out)."""
    job = fetch_job(conn, job_id)
    if job is None or job.get_status(refresh=False) != JobStatus.STARTED:
        return
    started = job.started_at
    if started is not None and started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    if started is None or utcnow() - started > dt.timedelta(seconds=lease):
        log.info("dropping abandoned job %s", job_id)
        job.delete(remove_from_queue=True)


def reconcile(url: str, conn: Redis, queue: str, lease: float) -> Reconciled:
    """One pass: queue unplanned batches, queued documents and documents whose lease ran out."""
    now = utcnow()
    with session_scope(url) as session:
        batches = list(session.scalars(select(Batch.id).where(Batch.planned_at.is_(None))))
        queued = list(session.scalars(
            select(Document.id).where(
                Document.status == DocumentStatus.QUEUED,
                or_(Document.retry_at.is_(None), Document.retry_at <= now),
            )
        ))
        lost = list(session.scalars(
            select(Document.id).where(
                Document.status == DocumentStatus.PROCESSING,
                or_(Document.lease_until.is_(None), Document.lease_until <= now),
            )
        ))
    n_batches = n_docs = n_lost = 0
    for batch_id in batches:
        _drop_stale(conn, batch_job_id(queue, batch_id), lease)
        n_batches += enqueue_batch(conn, queue, batch_id)
    for doc_id in queued:
        _drop_stale(conn, document_job_id(queue, doc_id), lease)
        n_docs += enqueue_document(conn, queue, doc_id)
    for doc_id in lost:
        # The lease ran out, so whoever ran the job is dead: its job record is stale.
        _drop_stale(conn, document_job_id(queue, doc_id), 0)
        n_lost += enqueue_document(conn, queue, doc_id)
    result = Reconciled(n_batches, n_docs, n_lost)
    if n_batches or n_docs or n_lost:
        log.info("re-queued %s", result)
    return result
