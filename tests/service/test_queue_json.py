"""Redis carries JSON jobs of ids behind a password; a job written into Redis is not code run.

The service's Redis here is a server of this test's own that refuses clients without credentials
(a password for the default user, an ACL user for the service). The API, the workers, the
reconciler and the event streams all reach it through INTAKE_REDIS_URL.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import secrets
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import AuthenticationError, ResponseError
from rq.job import JobStatus

from infra.queue import (
    PROCESS_DOCUMENT,
    announce,
    connect,
    connect_async,
    document_job_id,
    enqueue_document,
    fetch_job,
    progress_channel,
)
from tests.service.conftest import WorkerProcess, make_settings
from tests.service.helpers import batch_documents, client, document_status, scan, wait_for

pytestmark = pytest.mark.redis


@pytest.fixture
def locked_redis(private_redis: Callable[..., str]) -> tuple[str, str]:
    """A redis-server that needs credentials: (the service's URL with its ACL user, the URL
    without credentials)."""
    password = secrets.token_hex(16)
    anonymous = private_redis("--requirepass", secrets.token_hex(16),
                              "--user", "intake", "on", f">{password}", "~*", "&*", "+@all")
    url = anonymous.replace("redis://", f"redis://intake:{password}@")
    wait_for(lambda: _pong(url), 10, "the private redis-server", step=0.05)
    return url, anonymous


def _pong(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


class _MakeDir:
    """Unpickling this creates a folder: what a pickled job written into Redis could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Callable[[str], None], tuple[str]]:
        return os.mkdir, (str(self.path),)


def _plant(conn: Redis, queue: str, job_id: str, data: bytes, **fields: str) -> None:
    """Write a job into Redis by hand, as someone with access to Redis (not the service) could."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    conn.hset(f"rq:job:{job_id}", mapping={
        "data": zlib.compress(data), "origin": queue, "status": "queued", "created_at": now,
        "enqueued_at": now, "description": job_id, "timeout": "600", **fields,
    })
    conn.rpush(f"rq:queue:{queue}", job_id)


def test_an_enqueued_job_is_json_of_one_id(locked_redis: tuple[str, str]) -> None:
    url, _ = locked_redis
    conn = connect(url)
    assert enqueue_document(conn, "json-test", 41)
    raw = conn.hget(f"rq:job:{document_job_id('json-test', 41)}", "data")
    assert isinstance(raw, bytes)
    assert json.loads(zlib.decompress(raw)) == [PROCESS_DOCUMENT, None, [41], {}]
    job = fetch_job(conn, document_job_id("json-test", 41))
    assert job is not None and job.args == [41]
    # Callbacks a job in Redis names are not ours: they are never imported.
    _plant(conn, "json-test", "with-callback", json.dumps([PROCESS_DOCUMENT, None, [5], {}]).encode(),
           failure_callback_name="os.system", success_callback_name="os.system")
    planted = fetch_job(conn, "with-callback")
    assert planted is not None
    assert planted.failure_callback is None and planted.success_callback is None


def test_credentials_are_needed(locked_redis: tuple[str, str]) -> None:
    _, anonymous = locked_redis
    with pytest.raises((AuthenticationError, ResponseError)):
        Redis.from_url(anonymous, socket_connect_timeout=2).set("x", "1")


def test_a_worker_runs_our_jobs_and_refuses_planted_ones(
    locked_redis: tuple[str, str], tmp_path: Path,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    url, _ = locked_redis
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'intake.db'}", url)
    conn, queue = connect(url), settings.queue_name
    pickled, imported = tmp_path / "from-pickle", tmp_path / "from-import"
    _plant(conn, queue, "planted-pickle",
           pickle.dumps((PROCESS_DOCUMENT, None, [_MakeDir(pickled)], {})))
    _plant(conn, queue, "planted-function", json.dumps(["os.mkdir", None, [str(imported)], {}]).encode())
    _plant(conn, queue, "planted-arguments",
           json.dumps([PROCESS_DOCUMENT, None, [], {"document_id": 1}]).encode())
    # A job of ours, behind the planted ones, for a document that does not exist: "skipped".
    enqueue_document(conn, queue, 987654)
    ours = document_job_id(queue, 987654)

    def finished(job_id: str) -> bool:
        job = fetch_job(conn, job_id)
        return job is not None and job.get_status() == JobStatus.FINISHED

    start_worker(settings)
    wait_for(lambda: finished(ours), 120, "the worker to run our job")
    job = fetch_job(conn, ours)
    assert job is not None and job.return_value() == "skipped"
    for planted in ("planted-pickle", "planted-function", "planted-arguments"):
        job = fetch_job(conn, planted)
        assert job is not None and job.get_status() == JobStatus.FAILED, planted
    assert not pickled.exists() and not imported.exists()

    # The API and the event streams reach the same Redis with the same credentials: an upload
    # is queued, planned and recognised, and a stream hears the workers' wake-up.
    with client(settings) as c:
        r = c.post("/api/batches", files=[("files", ("scan.pdf", scan(3), "application/pdf"))])
        assert r.status_code == 202, r.text
        batch_id = int(r.json()["id"])
    assert r.json()["queued"] is True
    docs = wait_for(lambda: batch_documents(settings, batch_id), 60, "the batch planned")
    wait_for(lambda: document_status(settings, docs[0]) == "ready_for_review", 180,
             "the document recognised")
    assert asyncio.run(_hears_wake_up(url, batch_id))
    log = (tmp_path / "worker.log").read_bytes().decode("utf-8", "replace")
    assert "reconcile failed" not in log and "AuthenticationError" not in log


async def _hears_wake_up(url: str, batch_id: int) -> bool:
    pubsub = connect_async(url).pubsub()
    await pubsub.subscribe(progress_channel(batch_id))
    announce(connect(url), batch_id)
    deadline = time.monotonic() + 5
    message = None
    while message is None and time.monotonic() < deadline:  # the first read is the subscription
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
    await pubsub.aclose()
    return message is not None and message["data"] == b"changed"
