"""Helpers of the service tests: generated scans, waiting, reading the database directly."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from infra.database import migrate, session_scope
from infra.tables import Document, Page
from intake.app import create_app
from models.settings import Settings

T = TypeVar("T")
SCANS = Path(__file__).resolve().parents[1] / "artifacts" / "service-scans"


@lru_cache(maxsize=16)
def scan(seed: int, pages: int = 1) -> bytes:
    """A generated scanned PDF (the project's synth generator), cached across tests."""
    from synth import make_document, write_document

    SCANS.mkdir(parents=True, exist_ok=True)
    path = SCANS / f"scan-{seed}-{pages}.pdf"
    if not path.exists():
        write_document(make_document(seed, pages=pages), path, "pdf")
    return path.read_bytes()


TEST_UNIT = "Văn phòng"  # the unit of the test accounts and of ready_document's rows
CLERK = "user:chuyen.vien"  # how histories name RoleClient's clerk (tests/intake/auth/principals.py)


def client(settings: Settings, units: tuple[str, ...] = (TEST_UNIT,),
           clearance: bool = False) -> RoleClient:
    """A test client of an app with these settings (migrations run on entering it), signed in as
    the role each route is for (RoleClient); people belong to `units`."""
    migrate(settings.database)
    return RoleClient(create_app(settings), principals(settings, units, clearance))


def principals(settings: Settings, units: tuple[str, ...] = (TEST_UNIT,),
               clearance: bool = False) -> dict[str, dict[str, str]]:
    """Credentials (request headers) of a clerk, a mailroom clerk, a manager, an administrator
    (sessions) and a registry and an upload token, in `units` (created once per database)."""
    from tests.intake.auth.principals import make_principals

    return make_principals(settings, units, clearance)


class RoleClient(TestClient):
    """A TestClient that signs every request as the role its route is for: the administrator for
    webhooks and deliveries, the registry token for the feed and status reports, the manager for
    reports, a clerk for everything else. Authorisation itself is tested route by route in
    tests/intake/test_route_access.py; these tests are about what the routes do.
    `as_role="..."` on a request picks the principal instead."""

    def __init__(self, app: object, creds: dict[str, dict[str, str]]) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.creds = creds

    @staticmethod
    def role_for(path: str) -> str:
        if path.startswith(("/api/registry/subscriptions", "/api/registry/deliveries")):
            return "administrator"
        if path.startswith("/api/registry/documents"):
            return "registry"
        if path.startswith(("/api/reports", "/bao-cao")):
            return "manager"
        return "clerk"

    def _sign(self, url: object, kwargs: dict[str, Any]) -> dict[str, Any]:
        role = kwargs.pop("as_role", None) or self.role_for(urlsplit(str(url)).path)
        headers = dict(kwargs.pop("headers", None) or {})
        for name, value in self.creds[str(role)].items():
            headers.setdefault(name, value)
        return {**kwargs, "headers": headers}

    def request(self, method: str, url: object, *args: object, **kwargs: Any) -> Any:
        return super().request(method, url, *args, **self._sign(url, kwargs))  # type: ignore

    def stream(self, method: str, url: object, *args: object, **kwargs: Any) -> Any:
        """Streams (server-sent events) are signed too: httpx does not send them through
        `request`."""
        return super().stream(method, url, *args, **self._sign(url, kwargs))  # type: ignore

    # get/post/... through `request`, so that they take `as_role=` too.
    def get(self, url: object, **kwargs: Any) -> Any:  # type: ignore[override]
        return self.request("GET", url, **kwargs)

    def post(self, url: object, **kwargs: Any) -> Any:  # type: ignore[override]
        return self.request("POST", url, **kwargs)

    def patch(self, url: object, **kwargs: Any) -> Any:  # type: ignore[override]
        return self.request("PATCH", url, **kwargs)

    def put(self, url: object, **kwargs: Any) -> Any:  # type: ignore[override]
        return self.request("PUT", url, **kwargs)

    def delete(self, url: object, **kwargs: Any) -> Any:  # type: ignore[override]
        return self.request("DELETE", url, **kwargs)


def token_prefix(api: RoleClient, role: str) -> str:
    """The visible prefix (first 12 characters) of the token `api` signs `role` requests with:
    histories name a token `token:<name> (<prefix>)`."""
    return api.creds[role]["Authorization"].removeprefix("Bearer ")[:12]


def wait_for(check: Callable[[], T | None], timeout: float, what: str, step: float = 0.25) -> T:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


def document_status(settings: Settings, doc_id: int) -> str:
    """The status of a document as the database has it."""
    with session_scope(settings.database) as session:
        doc = session.get(Document, doc_id)
        return doc.status if doc else "missing"


def counts(settings: Settings) -> tuple[int, int]:
    """(documents, pages) rows in the database."""
    with session_scope(settings.database) as session:
        docs = session.scalar(select(func.count(Document.id))) or 0
        pages = session.scalar(select(func.count(Page.id))) or 0
        return docs, pages


def batch_documents(settings: Settings, batch_id: int) -> list[int]:
    """Ids of the documents of a batch."""
    with session_scope(settings.database) as session:
        return list(session.scalars(select(Document.id).where(Document.batch_id == batch_id)))


def field(value: object, confidence: float = 0.95, needs_review: bool = False) -> dict[str, object]:
    """A field as extraction writes it (page 0, a box at the top)."""
    return {"value": value, "confidence": confidence, "needs_review": needs_review, "page": 0,
            "bbox": [100, 100, 900, 160]}


def ready_document(settings: Settings, meta: dict[str, object],
                   uncertain: tuple[str, ...] = (), text: str = "", sha: str = "") -> int:
    """A document row ready for review with these metadata (no OCR: narrow API tests only)."""
    import hashlib

    from documents.metadata import apply_metadata
    from infra.tables import Batch, DocumentStatus, StoredFile, Upload

    sha = sha or hashlib.sha256(repr((meta, text, time.time_ns())).encode()).hexdigest()
    migrate(settings.database)
    with session_scope(settings.database, write=True) as session:
        batch = Batch(source="api", unit=TEST_UNIT)
        session.add(batch)
        if session.get(StoredFile, sha) is None:
            session.add(StoredFile(sha256=sha, size=1))
        session.flush()
        upload = Upload(batch_id=batch.id, sha256=sha, filename="seeded.pdf", size=1)
        session.add(upload)
        session.flush()
        doc = Document(batch_id=batch.id, upload_id=upload.id, sha256=sha, title="seeded.pdf",
                       unit=TEST_UNIT,
                       status=DocumentStatus.READY_FOR_REVIEW, text=text, pages_total=1)
        session.add(doc)
        session.flush()
        fields = {k: field(v, 0.5 if k in uncertain else 0.95, k in uncertain)
                  for k, v in meta.items()}
        apply_metadata(session, doc, dict(meta), fields)
        return doc.id
