"""The job transport contract shared by the API and the workers: job names, ids, enqueue by name.

Redis only carries work; the database says what work exists. Job ids are derived from database
ids, so enqueueing the same work twice is harmless (the job claims its row before working) and
the reconciler can ask whether the job for a row is still in Redis. The API imports this module,
never worker.jobs: jobs are named by string so the API process loads no OpenCV.

Every queue, worker and job fetch uses the JSON serializer (a job's arguments are ids) and
`IdJob`: RQ's default, pickle, would make anyone who can write to Redis able to run code in the
workers, and even in JSON an RQ job names any importable function (and callbacks, webhooks) for
the worker to call. A worker runs only PROCESS_BATCH or PROCESS_DOCUMENT with one id.
Redis is opened only here, from INTAKE_REDIS_URL, which carries the password or the ACL user
(`redis://user:password@host:6379/0`, `rediss://` for TLS).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from redis import Redis
from redis import asyncio as aioredis
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

log = logging.getLogger(__name__)

PROCESS_BATCH = "worker.jobs.process_batch"
PROCESS_DOCUMENT = "worker.jobs.process_document"
JOBS = frozenset({PROCESS_BATCH, PROCESS_DOCUMENT})

# A document may have thousands of pages; the database lease, not RQ's timeout, detects hangs.
JOB_TIMEOUT = 24 * 3600
RESULT_TTL = 3600
_ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}
SERIALIZER = JSONSerializer


class ForeignJobError(RuntimeError):
    """A job in Redis that the service did not enqueue (another function, other arguments)."""


class IdJob(Job):
    """A job as the service enqueues it: one of JOBS called with one id, nothing else.

    Whatever else a job in Redis asks for is refused before anything of it is imported: another
    function, an instance, keyword arguments, arguments other than one id; callbacks and
    webhooks (the service sets none) are ignored."""

    def restore(self, raw_data: Any) -> None:
        super().restore(raw_data)
        self._success_callback_name = self._failure_callback_name = None
        self._stopped_callback_name = None
        self.webhooks = []

    @property
    def func(self) -> Any:
        args = self.args
        one_id = len(args) == 1 and type(args[0]) is int
        if self.func_name not in JOBS or self.instance is not None or self.kwargs or not one_id:
            raise ForeignJobError(f"job {self.id} is not one the service enqueued; refused")
        return super().func


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


def connect_async(url: str) -> aioredis.Redis:
    """An asyncio Redis client (the API's event streams), from the same URL and password."""
    return aioredis.from_url(url, socket_connect_timeout=2)


def worker(conn: Redis, queue: str, name: str) -> Worker:
    """An RQ worker on `queue` that reads jobs as JSON."""
    return Worker([queue], connection=conn, name=name, job_class=IdJob, serializer=SERIALIZER)


def fetch_job(conn: Redis, job_id: str) -> Job | None:
    """The job with this id, read as JSON; None when Redis does not hold it."""
    try:
        return IdJob.fetch(job_id, connection=conn, serializer=SERIALIZER)
    except NoSuchJobError:
        return None


def job_alive(conn: Redis, job_id: str) -> bool:
    """True when Redis still holds the job as waiting or running."""
    job = fetch_job(conn, job_id)
    return job is not None and job.get_status(refresh=False) in _ALIVE


def enqueue(conn: Redis, queue: str, func_name: str, arg: int, job_id: str) -> bool:
    """Enqueue `func_name(arg)` unless its job is already waiting or running; True if enqueued."""
    if job_alive(conn, job_id):
        return False
    Queue(queue, connection=conn, job_class=IdJob, serializer=SERIALIZER).enqueue_call(
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
