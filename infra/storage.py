"""File storage behind one interface: originals by SHA-256, derived files (PDF/A, images) by name.

`LocalStore` is the default (a folder, atomic writes). `infra.s3store.S3Store` (an S3-compatible
bucket, so several API and worker machines share files) implements the same `Store` protocol: keys
map one-to-one to object names, `put_*` become PUTs (a PUT is atomic), `local_path` returns None and
`open` streams. `open_store(settings)` picks one.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from models.settings import Settings

CHUNK = 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")


@dataclass(frozen=True)
class StoredBlob:
    """An original stored by content: its hash, size and key, and whether it was already there."""

    sha256: str
    size: int
    key: str
    existed: bool


class Store(Protocol):
    """What the service needs from a file store."""

    def put_stream(self, chunks: Iterable[bytes], max_bytes: int | None = None) -> StoredBlob:
        """Store an original from chunks, hashing as it goes; keyed by its SHA-256."""
        ...

    def put_file(self, key: str, src: Path) -> str:
        """Store a derived file under a name (replacing an older one atomically); return the key."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The file on local disk, when the store has one (lets the API send it directly)."""
        ...

    def exists(self, key: str) -> bool:
        """True when the key is stored."""
        ...


def original_key(sha256: str) -> str:
    """The key of an original by its hash (fanned out so no folder holds millions of files)."""
    if not _SHA.match(sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def derived_key(*parts: str | int) -> str:
    """The key of a derived file, e.g. derived_key('documents', 12, 'document.pdf')."""
    key = "/".join(str(p) for p in parts)
    if not _NAME.match(key) or ".." in key:
        raise ValueError(f"bad key: {key!r}")
    return key


class TooBigError(Exception):
    """The stream was longer than allowed (the caller turns it into TooLargeError)."""


class LocalStore:
    """A folder: write to a temporary file, fsync, rename; content addressed for originals."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"key outside the store: {key!r}")
        return path

    def put_stream(self, chunks: Iterable[bytes], max_bytes: int | None = None) -> StoredBlob:
        """Store an original from chunks; the same content twice is stored once."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(prefix="upload-", dir=self._tmp)
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooBigError(f"more than {max_bytes} bytes")
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            sha = digest.hexdigest()
            key = original_key(sha)
            final = self._path(key)
            existed = final.exists()
            if not existed:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
                _fsync_dir(final.parent)
            return StoredBlob(sha, size, key, existed)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def put_file(self, key: str, src: Path) -> str:
        """Copy `src` in under `key`; readers see the old file or the whole new one."""
        final = self._path(derived_key(key))
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".put-", dir=final.parent)
        try:
            with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
                shutil.copyfileobj(inp, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return key

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading (FileNotFoundError when absent)."""
        return self._path(key).open("rb")

    def local_path(self, key: str) -> Path | None:
        """The file itself: the API streams it with sendfile."""
        path = self._path(key)
        return path if path.exists() else None

    def exists(self, key: str) -> bool:
        """True when the key is stored."""
        return self._path(key).exists()


def _fsync_dir(path: Path) -> None:
    """Make the rename itself durable (a crash right after must not lose the new name)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_store(settings: Settings) -> Store:
    """The store the settings describe: the S3-compatible bucket when one is set, else the folder."""
    if not settings.s3_bucket:
        return LocalStore(settings.store_dir)
    config = (settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region, settings.s3_access_key,
              settings.s3_secret_key, settings.s3_prefix, str(settings.data_dir))
    return _s3_store(os.getpid(), config)  # a client per process: boto3 clients do not survive fork


@lru_cache(maxsize=8)
def _s3_store(pid: int, config: tuple[str, ...]) -> Store:
    from infra.s3store import S3Store  # boto3 is imported only when a bucket is configured

    bucket, endpoint, region, access, secret, prefix, data_dir = config
    return S3Store(bucket, endpoint_url=endpoint, region=region, access_key=access, secret_key=secret,
                   prefix=prefix, spool_dir=Path(data_dir) / "spool")
