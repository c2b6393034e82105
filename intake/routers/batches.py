"""Batches: upload scans, follow a batch's progress (status, or live as server-sent events)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Query, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from infra.database import session_scope
from intake.auth.principal import Principal
from intake.deps import ReadSession, SettingsDep, Uploader
from intake.routers import ApiRouter
from intake.schemas import DbInt, DocumentSummary, ErrorBody, Offset, binary, errors
from intake.services.access import batch_conditions, upload_unit, visible_batch
from intake.services.events import batch_events
from intake.services.uploads import IncomingFile, receive_batch
from intake.services.views import batch_list, batch_view
from models.settings import Settings
from models.vocabulary import BatchStatus, PageStatus

router = ApiRouter(prefix="/api/batches", tags=["batches"])


class ReceivedFile(BaseModel):
    """One file as it was stored and recorded."""

    upload_id: int
    filename: str
    sha256: str
    size: int
    duplicate_of_upload: int | None = Field(description="the first upload of the same content")


class BatchLinks(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    self_: str = Field(alias="self")
    events: str = Field(description="live progress (server-sent events)")


class BatchReceipt(BaseModel):
    """A batch recorded: its files are stored, its processing queued."""

    id: int
    status: BatchStatus = Field(description="received")
    queued: bool = Field(description="false when the queue was down: it is queued later")
    files: list[ReceivedFile]
    links: BatchLinks


class BatchFile(ReceivedFile):
    documents: list[int] = Field(description="documents cut from it (or from its first upload)")


class BatchPage(BaseModel):
    index: int
    status: PageStatus


class BatchDocument(DocumentSummary):
    pages: list[BatchPage]


class BatchView(BaseModel):
    """A batch with per-file, per-document and per-page progress."""

    id: int
    source: str
    created_at: str | None = Field(json_schema_extra={"format": "date-time"})
    status: BatchStatus
    files: list[BatchFile]
    documents: list[BatchDocument]
    documents_total: int
    documents_done: int
    pages_total: int
    pages_done: int


class FailedDocument(BaseModel):
    id: int
    title: str
    error: ErrorBody | None


class BatchListItem(BaseModel):
    """One batch as the list of uploads shows it."""

    id: int
    source: str = Field(description="api or watch")
    created_by: str = Field(description="who uploaded it (`user:<name>`, `token:<name>`, "
                            "`system:watch`)")
    unit: str | None = Field(description="the receiving unit")
    created_at: str | None = Field(json_schema_extra={"format": "date-time"})
    status: BatchStatus
    files: int
    filenames: list[str] = Field(description="the first 20 file names")
    size: int = Field(description="bytes received")
    documents_total: int
    documents_done: int = Field(description="no longer queued or processing")
    documents_failed: int
    documents_ready: int = Field(description="waiting for a clerk")
    failed: list[FailedDocument] = Field(description="the first 20 failed documents")
    pages_total: int
    pages_done: int
    links: BatchLinks


class BatchList(BaseModel):
    items: list[BatchListItem]
    total: int
    limit: int
    offset: int


@router.post("", status_code=202, summary="Upload a batch of scans", response_model=BatchReceipt,
             responses=errors(400, 413, 422))
def post_batch(settings: SettingsDep, who: Uploader, response: Response,
               files: Annotated[list[UploadFile], File()],
               unit: Annotated[str, Form(max_length=100, description="receiving unit")] = "",
               ) -> dict[str, Any]:
    """Store and record every file, queue the batch, answer at once with its id."""
    receipt = receive_batch(
        settings, [IncomingFile(f.filename or "", f.file) for f in files], actor=who.history,
        unit=upload_unit(who, unit),
    )
    response.headers["Location"] = f"/api/batches/{receipt.batch_id}"
    return {
        "id": receipt.batch_id, "status": "received", "queued": receipt.queued,
        "files": [
            {"upload_id": f.upload_id, "filename": f.filename, "sha256": f.sha256,
             "size": f.size, "duplicate_of_upload": f.duplicate_of}
            for f in receipt.files
        ],
        "links": {"self": f"/api/batches/{receipt.batch_id}",
                  "events": f"/api/batches/{receipt.batch_id}/events"},
    }


@router.get("", summary="Batches uploaded, newest first", response_model=BatchList,
            responses=errors(422))
def list_batches(session: ReadSession, who: Uploader, limit: int = Query(50, ge=1, le=200),
                 offset: Offset = 0) -> dict[str, Any]:
    """The batches `who` may follow (as `GET /api/batches/{id}`: a clerk its units', the mailroom
    and upload tokens their own): who, when, unit, files, progress and failures."""
    return batch_list(session, batch_conditions(who), who.viewer, limit, offset)


@router.get("/{batch_id}", summary="Batch status and progress", response_model=BatchView,
            responses=errors(404, 422))
def get_batch(session: ReadSession, who: Uploader, batch_id: DbInt) -> dict[str, Any]:
    """Status, files, documents and pages of a batch."""
    visible_batch(session, who, batch_id)
    return batch_view(session, batch_id, who.viewer)


def _check_batch(settings: Settings, who: Principal, batch_id: int) -> None:
    with session_scope(settings.database) as session:
        visible_batch(session, who, batch_id)


@router.get("/{batch_id}/events", summary="Live progress (server-sent events)",
            response_class=StreamingResponse, responses={
                **binary("text/event-stream", "`progress` events (data: the batch as "
                         "`GET /api/batches/{id}` answers it) while it changes, then `done` "
                         "(data: id, status); `error` (data: the error shape) if it is unknown"),
                **errors(404, 422)})
async def get_batch_events(settings: SettingsDep, who: Uploader,
                           batch_id: DbInt) -> StreamingResponse:
    """`progress` events with the batch status as it changes, then `done`."""
    await run_in_threadpool(_check_batch, settings, who, batch_id)
    return StreamingResponse(
        batch_events(settings, batch_id, who.viewer), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
