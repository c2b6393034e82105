"""The list of uploaded batches (issue 16): who, when, unit, files, progress and failures, with the
visibility of a batch's own view (a clerk its units', the mailroom its own uploads)."""

from __future__ import annotations

from infra.database import session_scope
from infra.tables import Batch, Document, DocumentStatus, StoredFile, Upload, utcnow
from models.settings import Settings
from tests.service.helpers import TEST_UNIT, client

OTHER = "Phòng Tài chính"


def _batch(settings: Settings, by: str, unit: str, statuses: list[DocumentStatus]) -> int:
    with session_scope(settings.database, write=True) as session:
        batch = Batch(source="api", unit=unit, created_by=by, planned_at=utcnow())
        session.add(batch)
        session.flush()
        for i, status in enumerate(statuses):
            sha = f"{batch.id:032x}{i:032x}"
            session.add(StoredFile(sha256=sha, size=10))
            upload = Upload(batch_id=batch.id, sha256=sha, filename=f"quet-{i}.pdf", size=10)
            session.add(upload)
            session.flush()
            session.add(Document(
                batch_id=batch.id, upload_id=upload.id, sha256=sha, title=f"quet-{i}.pdf",
                unit=unit, status=status, pages_total=2,
                error={"code": "corrupt_file", "message": "truncated"} if status == "failed"
                else None))
        return batch.id


def test_batches_listed_with_progress_and_failures_as_their_views_are_visible(
        settings: Settings) -> None:
    with client(settings) as api:
        mine = _batch(settings, "user:van.thu", TEST_UNIT,
                      [DocumentStatus.READY_FOR_REVIEW, DocumentStatus.FAILED,
                       DocumentStatus.PROCESSING])
        colleague = _batch(settings, "user:dong.nghiep", TEST_UNIT, [DocumentStatus.CONFIRMED])
        elsewhere = _batch(settings, "user:van.thu", OTHER, [DocumentStatus.FAILED])
        clerk = api.get("/api/batches").json()
        assert [b["id"] for b in clerk["items"]] == [colleague, mine] and clerk["total"] == 2
        item = clerk["items"][1]
        assert item["created_by"] == "user:van.thu" and item["unit"] == TEST_UNIT
        assert item["status"] == "processing" and item["files"] == 3
        assert item["filenames"] == ["quet-0.pdf", "quet-1.pdf", "quet-2.pdf"]
        assert (item["documents_total"], item["documents_done"], item["documents_failed"],
                item["documents_ready"], item["pages_total"]) == (3, 2, 1, 1, 6)
        assert item["failed"][0]["error"]["code"] == "corrupt_file"
        assert clerk["items"][0]["status"] == "done"
        # The mailroom follows only its own uploads, in its units; each one opens.
        own = api.get("/api/batches", as_role="mailroom").json()
        assert [b["id"] for b in own["items"]] == [mine]
        assert api.get(f"/api/batches/{elsewhere}", as_role="clerk").status_code == 404
        paged = api.get("/api/batches?limit=1&offset=1").json()
        assert [b["id"] for b in paged["items"]] == [mine] and paged["total"] == 2
