"""The job transport contract shared by the API and the workers: job names, ids, enqueue by name.

Redis only carries work; the database says what work exists. Job ids are derived from database
ids, so enqueueing the same work twice is harmless (the job claims its row before working) and
the reconciler can ask whether the job for a row is still in Redis. The API imports this module,
never worker.jobs: jobs are named by string so the API process loads no OpenCV.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

log = logging.getLogger(__name__)

PROCESS_BATCH = "worker.jobs.process_batch"
PROCESS_DOCUMENT = "worker.jobs.process_document"

# A document may have thousands of pages; the database lease, not RQ's timeout, detects hangs.
JOB_TIMEOUT = 24 * 3600
RESULT_TTL = 3600
_ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def batch_job_id(queue: str, batch_id: int) -> str:
    """The RQ job id of a batch (job ids are global in Redis: the queue name keeps them apart)."""
    return f"{queue}-batch-{batch_id}"


def document_job_id(queue: str, document_id: int) -> str:
    """The RQ job id of a document."""
    return f"{queue}-document-{document_id}"


@lru_cache(maxsize=8)
def connect(url: str) -> Redis:
    """A Redis client for the queue, one pool per URL (short timeouts: the API must not hang)."""
    return Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)


def job_alive(conn: Redis, job_id: str) -> bool:
    """True when Redis still holds the job as waiting or running."""
    try:
        job = Job.fetch(job_id, connection=conn)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in _ALIVE


def enqueue(conn: Redis, queue: str, func_name: str, arg: int, job_id: str) -> bool:
    """Enqueue `func_name(arg)` unless its job is already waiting or running; True if enqueued."""
    if job_alive(conn, job_id):
        return False
    Queue(queue, connection=conn).enqueue_call(
        func_name,
        args=(arg,),
        job_id=job_id,
        timeout=JOB_TIMEOUT,
        result_ttl=RESULT_TTL,
        failure_ttl=7 * 24 * 3600,
    )
    log.debug("enqueued %s", job_id)
    return True


def enqueue_batch(conn: Redis, queue: str, batch_id: int) -> bool:
    """Queue the job that turns a batch's uploads into documents and fans them out."""
    return enqueue(conn, queue, PROCESS_BATCH, batch_id, batch_job_id(queue, batch_id))


def enqueue_document(conn: Redis, queue: str, document_id: int) -> bool:
    """Queue the job that processes one document."""
    return enqueue(
        conn, queue, PROCESS_DOCUMENT, document_id, document_job_id(queue, document_id)
    )


def progress_channel(batch_id: int) -> str:
    """The pub/sub channel on which workers announce that a batch changed (wakes SSE streams)."""
    return f"intake:batch:{batch_id}"


def announce(conn: Redis | None, batch_id: int) -> None:
    """Tell listeners a batch changed; best effort (the database holds the truth)."""
    if conn is None:
        return
    try:
        conn.publish(progress_channel(batch_id), b"changed")
    except Exception:  # noqa: BLE001 - a lost notification only delays a client by one poll
        log.debug("publish failed for batch %s", batch_id, exc_info=True)
