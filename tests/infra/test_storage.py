"""The `Store` behaviours, run on the local folder and on an S3-compatible server over HTTP.

The S3 server is a real one in its own process (moto's server, `python -m moto.server`, started on a
free port for this module); the store talks to it with boto3 exactly as it would to MinIO or AWS.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.s3store import SPOOL_MEMORY, S3Store
from infra.storage import LocalStore, Store, TooBigError, derived_key, open_store, original_key
from models.settings import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An S3-compatible HTTP server in a child process, stopped at the end of the module."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("s3") / "server.log").open("wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the S3 server did not start (see {log.name})") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _s3(endpoint: str, bucket: str = "unused", spool_dir: Path | None = None,
        part_size: int = 64 * 1024 * 1024) -> S3Store:
    return S3Store(bucket, endpoint_url=endpoint, access_key="test-key", secret_key="test-secret",
                   region="us-east-1", spool_dir=spool_dir, part_size=part_size)


def _bucket(endpoint: str) -> str:
    """A new bucket (one per test, so tests do not see each other's objects)."""
    name = f"intake-{uuid.uuid4().hex[:12]}"
    _s3(endpoint).client.create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "local":
        return LocalStore(tmp_path / "store")
    endpoint = request.getfixturevalue("s3_endpoint")
    # 5 MiB parts (the S3 minimum): the larger files of these tests go up as multipart uploads.
    return _s3(endpoint, _bucket(endpoint), tmp_path / "spool", part_size=5 * 1024 * 1024)


def _names(store: Store) -> list[str]:
    """Every stored name: files of the folder (its temporary folder too), objects of the bucket."""
    if isinstance(store, LocalStore):
        return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())
    assert isinstance(store, S3Store)
    pages = store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


def _chunks(data: bytes, size: int = 100_000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_put_stream_is_content_addressed_and_deduplicated(store: Store) -> None:
    data = os.urandom(SPOOL_MEMORY + 300_000)  # spooled to disk (not memory), sent in two parts
    first = store.put_stream(_chunks(data))
    sha = hashlib.sha256(data).hexdigest()
    assert (first.sha256, first.size, first.key, first.existed) == (sha, len(data), original_key(sha), False)
    again = store.put_stream(_chunks(data, 7777))  # the same bytes, cut differently
    assert (again.sha256, again.key, again.existed) == (sha, first.key, True)
    other = store.put_stream(iter([b"another letter"]))
    assert other.existed is False and other.key != first.key
    assert _names(store) == sorted([first.key, other.key])  # one object each, no temporary left
    with store.open(first.key) as fh:
        assert fh.read() == data


def test_put_stream_refuses_more_than_max_bytes(store: Store) -> None:
    with pytest.raises(TooBigError):
        store.put_stream(_chunks(b"x" * 1000, 100), max_bytes=999)
    assert _names(store) == []  # nothing stored, nothing half-written left
    blob = store.put_stream(_chunks(b"x" * 1000, 100), max_bytes=1000)  # exactly the limit is fine
    assert blob.size == 1000 and store.exists(blob.key)


def test_put_file_replaces_atomically(store: Store, tmp_path: Path) -> None:
    key = derived_key("documents", 7, "document.pdf")
    old, new = tmp_path / "old.pdf", tmp_path / "new.pdf"
    old.write_bytes(b"%PDF old " * 50_000)
    new.write_bytes(b"%PDF new " * 60_000)
    assert store.put_file(key, old) == key
    reader = store.open(key)  # a reader that started before the replacement...
    store.put_file(key, new)
    with reader:
        assert reader.read() == old.read_bytes()  # ...reads the whole old file, never a mix
    with store.open(key) as fh:
        assert fh.read() == new.read_bytes()
    with pytest.raises(FileNotFoundError):
        store.put_file(key, tmp_path / "missing.pdf")  # a failed replacement keeps the last file
    with store.open(key) as fh:
        assert fh.read() == new.read_bytes()
    assert _names(store) == [key]
    with pytest.raises(ValueError):
        store.put_file("../outside", new)


def test_open_streams_the_bytes(store: Store, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "page-0.jpg"
    src.write_bytes(data)
    key = store.put_file(derived_key("documents", 1, "page-0.jpg"), src)
    got = bytearray()
    with store.open(key) as fh:
        while chunk := fh.read(1 << 20):
            assert len(chunk) <= 1 << 20
            got += chunk
    assert bytes(got) == data
    with pytest.raises(FileNotFoundError):
        store.open(derived_key("documents", 1, "page-9.jpg"))


def test_exists_and_local_path(store: Store, tmp_path: Path) -> None:
    key = derived_key("documents", 3, "document.pdf")
    assert not store.exists(key) and store.local_path(key) is None
    src = tmp_path / "d.pdf"
    src.write_bytes(b"%PDF-1.7")
    store.put_file(key, src)
    assert store.exists(key)
    local = store.local_path(key)
    if isinstance(store, LocalStore):
        assert local is not None and local.read_bytes() == b"%PDF-1.7"
    else:
        assert local is None  # the API streams `open`, the worker downloads


def test_open_store_follows_the_settings(tmp_path: Path, s3_endpoint: str) -> None:
    local = open_store(Settings(data_dir=tmp_path))
    assert isinstance(local, LocalStore) and local.root == (tmp_path / "store").resolve()
    settings = Settings(data_dir=tmp_path, s3_bucket=_bucket(s3_endpoint), s3_endpoint_url=s3_endpoint,
                        s3_access_key="key-id", s3_secret_key="very-secret", s3_region="us-east-1",
                        s3_prefix="site-a")
    remote = open_store(settings)
    assert isinstance(remote, S3Store) and open_store(settings) is remote  # one client per process
    blob = remote.put_stream(iter([b"scan"]))
    assert _names(remote) == [f"site-a/{blob.key}"] and remote.exists(blob.key)
    assert "very-secret" not in repr(settings) and "key-id" not in repr(settings)  # not in logs


WORKER = """
import sys
from pathlib import Path
from models.settings import get_settings
from infra.storage import open_store
from worker.jobs import _original
print(_original(open_store(get_settings()), sys.argv[1], Path(sys.argv[2])))
"""


def test_worker_fetches_the_original_from_a_remote_store(tmp_path: Path, s3_endpoint: str) -> None:
    """Another machine's worker, configured only by its environment, gets the uploaded original
    through `worker.jobs._original` (downloaded into its work folder: no local file in the store).
    A child process, as a worker is (and so worker.jobs is not imported into the test process)."""
    bucket = _bucket(s3_endpoint)
    data = b"%PDF-1.4 scanned letter " + os.urandom(2 * 1024 * 1024)
    blob = _s3(s3_endpoint, bucket).put_stream(_chunks(data))  # the API machine's upload
    work = tmp_path / "worker-b" / "work"
    work.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "AWS_"))}
    env.update(INTAKE_DATA_DIR=str(tmp_path / "worker-b"), INTAKE_S3_BUCKET=bucket,
               INTAKE_S3_ENDPOINT_URL=s3_endpoint, INTAKE_S3_REGION="us-east-1",
               INTAKE_S3_ACCESS_KEY="test-key", INTAKE_S3_SECRET_KEY="test-secret")
    out = subprocess.run([sys.executable, "-c", WORKER, blob.sha256, str(work)], env=env,
                         capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert out.returncode == 0, out.stderr
    path = Path(out.stdout.strip())
    assert path.parent == work and path.read_bytes() == data
    assert not (tmp_path / "worker-b" / "store").exists()  # nothing went to a local store
