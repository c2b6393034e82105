"""Upload limits hold while the body streams in: the service answers 413 at the byte, file, field
or part header that breaks a limit, before the rest is read, and stores nothing
(intake/middleware/body_limits.py)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import func, select

from infra.database import migrate, session_scope
from infra.tables import Batch, StoredFile, Upload
from intake.app import create_app
from models.settings import Settings
from tests.service.conftest import make_settings
from tests.service.helpers import client, principals, ready_document

pytestmark = pytest.mark.redis

LIMITS = {"max_upload_bytes": 64 * 1024, "max_upload_files": 2, "max_upload_fields": 3,
          "max_part_header_bytes": 1024, "max_request_bytes": 4096}
BOUNDARY = "intake-test-boundary"


@pytest.fixture
def limited(tmp_path: Path, database_url: str, redis_url: str) -> Settings:
    return make_settings(tmp_path, database_url, redis_url, **LIMITS)


def _nothing_stored(settings: Settings) -> None:
    with session_scope(settings.database) as session:
        for table in (Batch, Upload, StoredFile):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table.__name__
    stored = [p for p in (settings.data_dir / "files").rglob("*") if p.is_file()] \
        if (settings.data_dir / "files").exists() else []
    assert stored == []


def _refused(answer: Any, limit: str) -> dict[str, Any]:
    assert answer.status_code == 413, answer.text
    error = answer.json()["error"]
    assert error["code"] == "too_large"
    assert error["details"]["limit"] == limit
    assert f"INTAKE_{limit.upper()}" in error["message"]
    assert "tối đa" in error["message"]
    return dict(error)


def _part(name: str, filename: str | None = None, body: bytes = b"x",
          extra: str = "") -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{extra}\r\n"
    return head.encode() + body + b"\r\n"


def _multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def test_files_within_the_limits_are_received(limited: Settings) -> None:
    with client(limited) as api:
        answer = api.post("/api/batches", files=[("files", ("a.pdf", b"%PDF-1.4\x00 a", "x")),
                                                 ("files", ("b.pdf", b"%PDF-1.4 b", "x"))])
    assert answer.status_code == 202, answer.text
    assert [f["filename"] for f in answer.json()["files"]] == ["a.pdf", "b.pdf"]  # NUL in a file


@pytest.mark.parametrize("role", ["clerk", "upload"])  # cookie (CSRF form read) and token
def test_one_file_too_many_is_refused_at_its_header(limited: Settings, role: str) -> None:
    body = _multipart(_part("files", "1.pdf"), _part("files", "2.pdf"), _part("files", "3.pdf"))
    with client(limited) as api:
        answer = api.request("POST", "/api/batches", content=body, headers=MULTIPART, as_role=role)
    error = _refused(answer, "max_upload_files")
    assert error["details"]["maximum"] == 2
    _nothing_stored(limited)


def test_too_many_fields_are_refused(limited: Settings) -> None:
    fields = [_part("unit", None, b"V") for _ in range(4)]
    with client(limited) as api:
        answer = api.request("POST", "/api/batches", content=_multipart(_part("files", "1.pdf"), *fields),
                          headers=MULTIPART, as_role="upload")
    _refused(answer, "max_upload_fields")
    _nothing_stored(limited)


def test_oversized_part_headers_are_refused(limited: Settings) -> None:
    long_header = "X-Padding: " + "a" * 2000 + "\r\n"
    with client(limited) as api:
        answer = api.request("POST", "/api/batches", headers=MULTIPART, as_role="upload",
                          content=_multipart(_part("files", "1.pdf", extra=long_header)))
    _refused(answer, "max_part_header_bytes")
    _nothing_stored(limited)


def test_a_long_file_name_in_the_disposition_counts_as_header(limited: Settings) -> None:
    with client(limited) as api:
        answer = api.request("POST", "/api/batches", headers=MULTIPART, as_role="upload",
                          content=_multipart(_part("files", "n" * 1500 + ".pdf")))
    _refused(answer, "max_part_header_bytes")


def test_a_large_body_is_refused_and_nothing_stored(limited: Settings) -> None:
    big = b"%PDF-1.4 " + b"0" * (LIMITS["max_upload_bytes"] + 1)
    with client(limited) as api:
        answer = api.post("/api/batches", files=[("files", ("big.pdf", big, "x"))])
    _refused(answer, "max_upload_bytes")
    _nothing_stored(limited)


def test_other_requests_have_the_small_body_limit(limited: Settings) -> None:
    doc_id = ready_document(limited, {"subject": "Về việc thử"})
    with client(limited) as api:
        small = api.patch(f"/api/documents/{doc_id}", json={"fields": {"subject": "Ngắn"}})
        large = api.patch(f"/api/documents/{doc_id}",
                          json={"fields": {"subject": "a" * LIMITS["max_request_bytes"]}})
    assert small.status_code == 200, small.text
    _refused(large, "max_request_bytes")


# --- NUL: PostgreSQL can neither store nor compare it; refused before any query (422) ----------


def _nul_refused(answer: Any) -> None:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_field" and "NUL" in error["message"]


def test_nul_in_filters_bodies_and_file_names_is_refused(limited: Settings) -> None:
    doc_id = ready_document(limited, {"subject": "Về việc thử"})
    with client(limited) as api:
        for url in ("/api/documents?agency=%00", "/api/review-queue?type=a%00b",
                    "/api/search?q=%00", "/hang-doi?agency=%00"):
            _nul_refused(api.get(url))
        _nul_refused(api.request("GET", "/api/reports?organ=%00", as_role="manager"))
        _nul_refused(api.patch(f"/api/documents/{doc_id}",
                               json={"fields": {"subject": "a\u0000b"}}))
        _nul_refused(api.request("POST", "/api/batches", headers=MULTIPART, as_role="upload",
                                 content=_multipart(_part("files", "a\x00.pdf"))))
        _nul_refused(api.request("POST", "/api/batches", headers=MULTIPART, as_role="upload",
                                 content=_multipart(_part("files", "a.pdf", b"\x00%PDF"),
                                                    _part("unit", None, b"V\x00"))))
        fine = api.patch(f"/api/documents/{doc_id}", json={"fields": {"subject": "Về việc NUL"}})
        listed = api.get("/api/documents?agency=UBND")
    assert fine.status_code == 200, fine.text
    assert listed.status_code == 200, listed.text
    _nothing_stored_but_the_seed(limited)


def _nothing_stored_but_the_seed(settings: Settings) -> None:
    with session_scope(settings.database) as session:
        assert session.scalar(select(func.count()).select_from(Upload)) == 1  # ready_document's


# --- a real server: what a client streaming a body sees ------------------------------------------


@pytest.fixture
def server(limited: Settings) -> Iterator[tuple[str, int, dict[str, str]]]:
    """uvicorn serving the app on a free port; its address and an upload token's headers."""
    migrate(limited.database)
    creds = principals(limited)["upload"]
    config = uvicorn.Config(create_app(limited), host="127.0.0.1", port=0, log_level="warning",
                            lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):
        if srv.started:
            started.set()
        assert thread.is_alive(), "uvicorn did not start"
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield "127.0.0.1", port, creds
    srv.should_exit = True
    thread.join()


def _status(conn: socket.socket) -> tuple[str, dict[str, Any] | None]:
    """The status line of the answer on `conn` and its JSON body (if it came whole)."""
    data = b""
    conn.settimeout(30)
    while b"\r\n\r\n" not in data or (b"\r\n\r\n" in data and not data.rstrip().endswith(b"}")):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return head.split(b"\r\n", 1)[0].decode(), parsed


def _request_head(port: int, creds: dict[str, str], **headers: str) -> bytes:
    lines = ["POST /api/batches HTTP/1.1", f"Host: 127.0.0.1:{port}",
             f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
             *(f"{k}: {v}" for k, v in creds.items()),
             *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_declared_length_over_the_limit_is_refused_before_the_body(
        server: tuple[str, int, dict[str, str]], limited: Settings) -> None:
    host, port, creds = server
    with socket.create_connection((host, port)) as conn:
        conn.sendall(_request_head(port, creds, Content_Length=str(10**9),
                                   Expect="100-continue"))
        status, body = _status(conn)  # no 100 Continue: the body is never asked for
    assert status.startswith("HTTP/1.1 413"), status
    assert body is not None and body["error"]["details"]["limit"] == "max_upload_bytes"
    _nothing_stored(limited)


def test_a_body_growing_past_the_limit_is_cut_off_while_streaming(
        server: tuple[str, int, dict[str, str]], limited: Settings) -> None:
    host, port, creds = server
    planned = 256 * 1024 * 1024  # what the client would send if nobody stopped it
    sent = 0
    chunk = b"0" * 16384
    with socket.create_connection((host, port)) as conn:
        conn.sendall(_request_head(port, creds, Transfer_Encoding="chunked"))
        first = _part("files", "big.pdf", b"")[:-2]  # a file part, its data follows
        conn.sendall(f"{len(first):x}\r\n".encode() + first + b"\r\n")
        conn.setblocking(False)
        try:
            while sent < planned:
                try:
                    conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    sent += len(chunk)
                except BlockingIOError:
                    try:
                        if conn.recv(1, socket.MSG_PEEK):
                            break  # the server has answered
                    except BlockingIOError:
                        pass
                    conn.setblocking(True)
                    conn.settimeout(0.2)
                    try:
                        if conn.recv(1, socket.MSG_PEEK):
                            break
                    except TimeoutError:
                        pass
                    conn.setblocking(False)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection after its answer
        conn.setblocking(True)
        status, body = _status(conn)
    assert status.startswith("HTTP/1.1 413"), status
    assert body is not None and body["error"]["details"]["limit"] == "max_upload_bytes"
    assert sent < planned  # answered long before the whole body was sent
    _nothing_stored(limited)

