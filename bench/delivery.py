"""Delivery benchmark: push throughput of the outbox sender to a local receiver, against floors.

For each database (SQLite, PostgreSQL when reachable): seed N confirmed documents in the feed, add
one webhook, and time the sender (worker/daemons/sender.py, default concurrency) until every delivery is
recorded. References in the same run, to the same receiver (a threaded http.server in its own
process): a bare `requests.post` loop (new connection per POST, one at a time) and the HTTP floor
at the sender's concurrency (an httpx client posting the same signed bodies from the same number
of threads, no database). Prints a table.

    .venv/bin/python -m bench.delivery [--docs 1000] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

from bench.measure import machine_description
from documents.registry import sign
from infra.database import dispose_engines, migrate, normalise_url, session_scope
from infra.tables import (
    Batch,
    DeliveryCounter,
    Document,
    DocumentStatus,
    Outbox,
    OutboxState,
    StoredFile,
    Subscription,
    Upload,
    utcnow,
)
from models.settings import Settings
from worker.daemons.sender import Sender

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("INTAKE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-0123456789"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real registry endpoint would

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def receive(port: int) -> None:
    """The receiver process: answers 200 to every POST."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    server.serve_forever()


def _start_receiver() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen([sys.executable, "-m", "bench.delivery", "--receive", str(port)],
                            cwd=ROOT)
    url = f"http://127.0.0.1:{port}/hook"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.post(url, content=b"{}", timeout=1)
            return proc, url
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def seed(url: str, n: int, hook: str) -> None:
    """N confirmed documents in the feed, and one webhook that has not received any."""
    migrate(url)
    with session_scope(url, write=True) as session:
        batch = Batch(source="api")
        session.add(batch)
        sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
        session.add(StoredFile(sha256=sha, size=1))
        session.flush()
        upload = Upload(batch_id=batch.id, sha256=sha, filename="bench.pdf", size=1)
        session.add(upload)
        session.flush()
        now = utcnow()
        for i in range(n):
            meta = {"subject": "Về việc triển khai kế hoạch chuyển đổi số năm 2026",
                    "place": "Hà Nội", "to_places": ["Các sở, ban, ngành;", "Lưu: VT, VP."],
                    "signer": {"competence": "KT. BỘ TRƯỞNG", "position": "THỨ TRƯỞNG",
                               "full_name": "Nguyễn Văn An"}}
            session.add(Document(
                batch_id=batch.id, upload_id=upload.id, sha256=sha, page_start=i,
                title="bench.pdf", status=DocumentStatus.CONFIRMED, meta=meta,
                number=str(i + 1), notation="BNV-CĐS", organ="BỘ NỘI VỤ", doc_type="Công văn",
                pages_total=2, confirmed_at=now, delivery_seq=i + 1, pdf_key="x"))
        counter = session.get(DeliveryCounter, 1)
        assert counter is not None
        counter.value = n
        session.add(Subscription(url=hook, secret=SECRET, enqueued_seq=0))


def time_sender(settings: Settings, n: int) -> float:
    """Seconds until the sender has recorded every delivery as delivered."""
    sender = Sender(settings)
    t0 = time.perf_counter()
    try:
        while True:
            if not sender.run_once():
                with session_scope(settings.database) as session:
                    done = session.scalar(select(func.count()).select_from(Outbox)
                                          .where(Outbox.state == OutboxState.DELIVERED))
                if done == n:
                    return time.perf_counter() - t0
    finally:
        sender.close()


def _bodies(n: int) -> list[bytes]:
    return [json.dumps({"id": i, "OrganName": "BỘ NỘI VỤ", "Subject": "Về việc " * 8},
                       ensure_ascii=False).encode() for i in range(n)]


def time_requests_loop(hook: str, n: int) -> float | None:
    """A bare `requests.post` loop: one connection per POST, one at a time (None: no requests)."""
    try:
        import requests
    except ImportError:
        return None
    bodies = _bodies(n)
    t0 = time.perf_counter()
    for i, body in enumerate(bodies):
        now = int(time.time())
        requests.post(hook, data=body, headers={"X-Intake-Signature": sign(SECRET, body, now),
                                                "X-Intake-Timestamp": str(now),
                                                "Idempotency-Key": f"k-{i}"}, timeout=10)
    return time.perf_counter() - t0


def time_http_floor(hook: str, n: int, threads: int) -> float:
    """The same POSTs from `threads` threads over kept-alive connections, no database."""
    bodies = _bodies(n)
    with httpx.Client(timeout=10) as client, ThreadPoolExecutor(threads) as pool:
        def post(i: int) -> None:
            now = int(time.time())
            client.post(hook, content=bodies[i], headers={
                "X-Intake-Signature": sign(SECRET, bodies[i], now), "X-Intake-Timestamp": str(now),
                "Idempotency-Key": f"k-{i}"})

        t0 = time.perf_counter()
        list(pool.map(post, range(n)))
        return time.perf_counter() - t0


def _database(kind: str, work: Path) -> tuple[str, Callable[[], None]] | None:
    if kind == "sqlite":
        return f"sqlite:///{work / 'bench.db'}", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception:  # noqa: BLE001 - no PostgreSQL here: that row is skipped
        return None

    def drop() -> None:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))

    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}", drop


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--receive", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.receive:
        receive(args.receive)
        return
    receiver, hook = _start_receiver()
    rows = []
    try:
        concurrency = Settings().delivery_concurrency
        loop = time_requests_loop(hook, args.docs)
        floor = time_http_floor(hook, args.docs, concurrency)
        for kind in args.databases.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                db = _database(kind, Path(tmp))
                if db is None:
                    print(f"({kind}: not reachable, skipped)")
                    continue
                url, drop = db
                try:
                    settings = Settings(data_dir=Path(tmp), database_url=url,
                                        public_url="http://127.0.0.1:8000",
                                        webhook_allowed_hosts="127.0.0.1",
                                        webhook_allowed_networks="127.0.0.1/32")
                    seed(url, args.docs, hook)
                    rows.append((f"sender, {kind}", time_sender(settings, args.docs)))
                finally:
                    dispose_engines()
                    drop()
    finally:
        receiver.kill()
        receiver.wait()
    n = args.docs
    print(f"\nDelivery throughput, {n} documents to a local receiver "
          f"(sender concurrency {concurrency})")
    print(f"Machine: {machine_description()}\n")
    print("| run | seconds | documents/s | vs bare requests.post loop | vs HTTP floor |")
    print("|---|---:|---:|---:|---:|")
    refs = [("bare requests.post loop (1 at a time, new connection)", loop),
            (f"HTTP floor (httpx, {concurrency} threads, keep-alive, no database)", floor)]
    for name, seconds in [*refs, *rows]:
        if seconds is None:
            print(f"| {name} | n/a | n/a | | |")
            continue
        vs_loop = f"{loop / seconds:.2f}×" if loop else "n/a"
        print(f"| {name} | {seconds:.2f} | {n / seconds:.0f} | {vs_loop} | {floor / seconds:.2f}× |")


if __name__ == "__main__":
    main()
