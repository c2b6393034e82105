"""Small file helpers for the edge: expand inputs, choose output names, write atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

INPUT_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"}


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the scan files inside given folders (sorted, recursive)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
            )
        else:
            out.append(path)
    return out


def output_stems(inputs: list[Path]) -> list[str]:
    """One output stem per input; a repeated stem gets its extension added (a.pdf, a.tif)."""
    seen: set[str] = set()
    stems: list[str] = []
    for path in inputs:
        stem = path.stem
        if stem in seen:
            stem = f"{path.stem}-{path.suffix.lstrip('.').lower() or 'file'}"
        n = 2
        base = stem
        while stem in seen:
            stem, n = f"{base}-{n}", n + 1
        seen.add(stem)
        stems.append(stem)
    return stems


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
