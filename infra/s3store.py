"""The `Store` on an S3-compatible bucket, so several API and worker machines share one file store.

Keys are object names (optionally under a prefix). An original is hashed while it is written to a
local spooled temporary file (in memory up to `SPOOL_MEMORY`, then on disk); then a `HEAD` on its
content key decides: present means `existed=True` and nothing is sent, absent means one upload
(multipart above `MULTIPART_THRESHOLD`). Readers never see a partial object: S3 makes an object
visible only once its PUT (or the completion of its multipart upload) succeeded, and nothing is
ever written under a temporary object name that a crash could leave behind.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.storage import CHUNK, StoredBlob, TooBigError, derived_key, original_key

SPOOL_MEMORY = 8 * CHUNK  # an original smaller than this never touches the local disk
MULTIPART_THRESHOLD = 64 * CHUNK
_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Store:
    """Originals by SHA-256 and derived files by name, in one bucket of an S3-compatible server."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None, prefix: str = "",
                 spool_dir: Path | None = None, part_size: int = MULTIPART_THRESHOLD,
                 client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.spool_dir = spool_dir
        # No keys given: boto3's own chain (AWS_* variables, ~/.aws, an instance role) decides.
        self.client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=Config(retries={"max_attempts": 5, "mode": "standard"},
                          s3={"addressing_style": "path"} if endpoint_url else None),
        )
        self._transfer = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size,
                                        max_concurrency=4)

    def _name(self, key: str) -> str:
        return self.prefix + key

    def put_stream(self, chunks: Iterable[bytes], max_bytes: int | None = None) -> StoredBlob:
        """Hash the original into a local spool, then upload it unless its content key exists."""
        digest = hashlib.sha256()
        size = 0
        spool_dir = None
        if self.spool_dir is not None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            spool_dir = str(self.spool_dir)
        with tempfile.SpooledTemporaryFile(SPOOL_MEMORY, prefix="upload-", dir=spool_dir) as spool:
            for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise TooBigError(f"more than {max_bytes} bytes")
                digest.update(chunk)
                spool.write(chunk)
            sha = digest.hexdigest()
            key = original_key(sha)
            if self.exists(key):
                return StoredBlob(sha, size, key, True)
            spool.seek(0)
            self.client.upload_fileobj(spool, self.bucket, self._name(key), Config=self._transfer,
                                       ExtraArgs={"Metadata": {"sha256": sha}})
            return StoredBlob(sha, size, key, False)

    def put_file(self, key: str, src: Path) -> str:
        """Upload `src` under `key`: readers get the old object or the whole new one."""
        self.client.upload_file(str(src), self.bucket, self._name(derived_key(key)),
                                Config=self._transfer)
        return key

    def open(self, key: str) -> BinaryIO:
        """A streaming GET (FileNotFoundError when absent); the body checks its length at the end."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(key) from exc
            raise
        return cast(BinaryIO, response["Body"])

    def local_path(self, key: str) -> Path | None:
        """Never a local file: the API streams `open`, the worker downloads into its work folder."""
        return None

    def exists(self, key: str) -> bool:
        """A `HEAD` on the object."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True


def _missing(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return str(error.get("Code", "")) in _MISSING or status == "404"
