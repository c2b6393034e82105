"""Receiving a batch: each file streamed into the store and recorded before the answer is sent."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.lifecycle import add_upload_event
from infra.database import insert_ignoring_conflicts, session_scope
from infra.queue import connect, enqueue_batch
from infra.storage import CHUNK, StoredBlob, TooBigError, open_store
from infra.tables import Batch, StoredFile, Upload
from models.errors import RequestError, TooLargeError
from models.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingFile:
    """A file of a request: its name and a readable binary stream."""

    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class ReceivedFile:
    """What was recorded for one file."""

    upload_id: int
    filename: str
    sha256: str
    size: int
    duplicate_of: int | None  # the first upload of the same content


@dataclass(frozen=True)
class Receipt:
    """The batch recorded and its files."""

    batch_id: int
    files: list[ReceivedFile]
    queued: bool  # False when Redis was down: the reconciler queues it later


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _clean_name(name: str | None) -> str:
    """Only the last path component of a client's file name, never empty."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:255] or "upload"


def receive_batch(settings: Settings, files: Iterable[IncomingFile], *, actor: str, unit: str,
                  source: str = "api") -> Receipt:
    """Store every file, record the batch in one transaction, then queue its job.

    `actor` is who uploads as histories name it (the principal's `history`, or `system:watch`),
    never a name a client sent; `unit` the receiving unit, already checked by the caller."""
    if not actor.strip() or not unit.strip():
        raise ValueError("a batch needs the uploader and its receiving unit")
    files = list(files)
    if not files:
        raise RequestError("no file in the request (multipart field 'files')")
    if len(files) > settings.max_upload_files:
        raise TooLargeError(f"more than {settings.max_upload_files} files in one batch")
    store = open_store(settings)
    blobs: list[tuple[str, StoredBlob]] = []
    for item in files:
        try:
            blob = store.put_stream(_chunks(item.stream), settings.max_file_bytes)
        except TooBigError as exc:
            raise TooLargeError(f"{_clean_name(item.filename)}: {exc}") from exc
        blobs.append((_clean_name(item.filename), blob))
    with session_scope(settings.database, write=True) as session:
        receipt = _record(session, blobs, source, actor, " ".join(unit.split())[:100])
    queued = _enqueue(settings, receipt.batch_id)
    return Receipt(receipt.batch_id, receipt.files, queued)


def _record(session: Session, blobs: list[tuple[str, StoredBlob]], source: str,
            actor: str, unit: str) -> Receipt:
    batch = Batch(source=source, created_by=actor[:100], unit=unit)
    session.add(batch)
    session.flush()
    received: list[ReceivedFile] = []
    for name, blob in blobs:
        _ensure_file(session, blob)
        first = session.scalar(
            select(Upload.id)
            .where(Upload.sha256 == blob.sha256, Upload.duplicate_of.is_(None))
            .order_by(Upload.id)
            .limit(1)
        )
        upload = Upload(batch_id=batch.id, sha256=blob.sha256, filename=name, size=blob.size,
                        duplicate_of=first)
        session.add(upload)
        session.flush()
        received.append(ReceivedFile(upload.id, name, blob.sha256, blob.size, first))
        detail = f"{name}: same file as upload {first}" if first else name
        add_upload_event(session, batch.id, blob.sha256, detail,
                         actor=actor)
    return Receipt(batch.id, received, False)


def _ensure_file(session: Session, blob: StoredBlob) -> None:
    """Insert the file row once; on PostgreSQL lock it so concurrent same-content uploads queue.

    The lock makes the second request wait until the first commits, so it then sees the first
    upload and becomes its duplicate instead of a second document (SQLite writers are already
    serialised by BEGIN IMMEDIATE).
    """
    values = {"sha256": blob.sha256, "size": blob.size}
    insert_ignoring_conflicts(session, StoredFile, **values)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(StoredFile.sha256).where(StoredFile.sha256 == blob.sha256)
                        .with_for_update())


def _enqueue(settings: Settings, batch_id: int) -> bool:
    """Queue the batch job; a Redis outage is not an error (the batch is safe in the database)."""
    try:
        enqueue_batch(connect(settings.redis_url), settings.queue_name, batch_id)
        return True
    except Exception:  # noqa: BLE001 - the reconciler re-queues batches left unplanned
        log.warning("could not queue batch %s; the workers will find it", batch_id, exc_info=True)
        return False
