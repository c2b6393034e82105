"""The API killed during uploads: every acknowledged upload is kept and processed to the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from infra.database import migrate, session_scope
from infra.tables import Document, DocumentStatus, Upload
from intake.auth.roles import TokenScope
from models.settings import Settings
from tests.intake.auth.principals import token_headers
from tests.service.conftest import ROOT, settings_env
from tests.service.helpers import TEST_UNIT, wait_for

pytestmark = pytest.mark.redis


def _api(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "intake.app:app", "--port", str(port),
         "--log-level", "warning"], cwd=ROOT, env=settings_env(settings),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: _up(port), 30, "the API")
    return proc


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_acknowledged_uploads_survive_an_api_kill(settings: Settings, start_worker: Any) -> None:
    migrate(settings.database)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = _api(settings, port)
    scanner = token_headers(settings, "máy quét", TokenScope.UPLOAD, TEST_UNIT)
    anonymous = httpx.post(f"http://127.0.0.1:{port}/api/batches", timeout=10,
                           files=[("files", ("a.pdf", b"%PDF-1.4 a", "application/pdf"))])
    assert anonymous.status_code == 401  # uploads need an account or an upload token
    acknowledged: list[int] = []
    stop = threading.Event()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            # Not a real PDF: a worker fails it at once (corrupt_file) without running OCR.
            data = f"%PDF-1.4 client {n} file {i} ".encode() * 500
            try:
                r = httpx.post(f"http://127.0.0.1:{port}/api/batches", timeout=10,
                               headers=scanner, files=[("files", (f"{n}-{i}.pdf", data, "application/pdf"))])
                if r.status_code == 202:
                    acknowledged.append(r.json()["id"])
            except httpx.HTTPError:
                pass  # refused or cut: not acknowledged, so nothing is owed
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    os.kill(api.pid, signal.SIGKILL)  # mid-upload for some of the clients
    api.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) >= 5
    start_worker(settings)

    def all_final() -> list[Document] | None:
        with session_scope(settings.database) as session:
            docs = list(session.scalars(select(Document).where(
                Document.batch_id.in_(acknowledged))))
        done = [d for d in docs if d.status == DocumentStatus.FAILED]
        return docs if len(docs) == len(acknowledged) == len(done) else None

    docs = wait_for(all_final, 120, "every acknowledged upload processed")
    assert {d.error["code"] for d in docs if d.error} == {"corrupt_file"}
    with session_scope(settings.database) as session:
        uploads = session.scalars(select(Upload).where(Upload.batch_id.in_(acknowledged))).all()
    assert len(uploads) == len(acknowledged)
    store: Path = settings.store_dir
    assert all((store / "originals" / u.sha256[:2] / u.sha256[2:4] / u.sha256).exists()
               for u in uploads)
