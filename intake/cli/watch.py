"""The watched folder: scanners drop files, each settled file is submitted, then moved away.

A file is taken once its size and modification time have not changed for the settle time, so a
scanner still writing it is left alone; temporary and partial names are never taken. Accepted
files go to `done/` (with a small JSON naming their batch), refused ones to `failed/` with a
`.reason.txt` next to them. A crash between recording and moving is harmless: the file is
submitted again on restart and recognised by its hash as the same document.

The watcher runs on the server and records through the service layer in-process (no HTTP, so no
token): its batches are by `system:watch` and belong to the unit INTAKE_WATCH_UNIT, without which
it does not start (a document of no unit would be seen by no clerk).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from intake.services.uploads import IncomingFile, receive_batch
from models.errors import EmptyFileError, IntakeError, RequestError
from models.settings import Settings

log = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"
PARTIAL_SUFFIXES = {".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp"}
POLL_SECONDS = 0.5
ACTOR = "system:watch"  # how batch and document histories name the watched folder


def is_candidate(path: Path) -> bool:
    """False for hidden, temporary and partial files (`.x`, `~$x`, `x.part`, `x.tmp`, `x~`)."""
    name = path.name
    if name.startswith((".", "~$")) or name.endswith("~"):
        return False
    return path.suffix.lower() not in PARTIAL_SUFFIXES


@dataclass
class _Seen:
    size: int
    mtime: float
    since: float


def _unique(target: Path) -> Path:
    """`target`, or `name-2.ext`, `name-3.ext`... when it exists."""
    n = 2
    candidate = target
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        n += 1
    return candidate


class Watcher:
    """Polls one folder (and its subfolders, except done/ and failed/)."""

    def __init__(self, settings: Settings, folder: Path, settle: float | None = None) -> None:
        self.settings = settings
        self.folder = folder.resolve()
        self.settle = settings.watch_settle_seconds if settle is None else settle
        self.unit = " ".join(settings.watch_unit.split())
        if not self.unit:
            raise RequestError("set INTAKE_WATCH_UNIT: the receiving unit of the watched "
                               "folder's documents")
        self._seen: dict[Path, _Seen] = {}
        self.stop_event = threading.Event()
        for name in (DONE, FAILED):
            (self.folder / name).mkdir(parents=True, exist_ok=True)

    def run(self) -> None:
        """Poll until stopped."""
        log.info("watching %s", self.folder)
        while not self.stop_event.is_set():
            self.poll()
            self.stop_event.wait(POLL_SECONDS)

    def _files(self) -> list[Path]:
        out: list[Path] = []
        for root, dirs, files in os.walk(self.folder):
            here = Path(root)
            if here == self.folder:
                dirs[:] = [d for d in dirs if d not in (DONE, FAILED)]
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            out.extend(here / f for f in files if is_candidate(here / f))
        return sorted(out)

    def poll(self, now: float | None = None) -> list[Path]:
        """One pass: submit the files that have settled; return them."""
        now = time.monotonic() if now is None else now
        taken: list[Path] = []
        present = set()
        for path in self._files():
            present.add(path)
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime) != (st.st_size, st.st_mtime):
                self._seen[path] = _Seen(st.st_size, st.st_mtime, now)
                continue
            if now - seen.since >= self.settle:
                self._submit(path)
                self._seen.pop(path, None)
                taken.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return taken

    def _submit(self, path: Path) -> None:
        rel = path.relative_to(self.folder)
        try:
            if path.stat().st_size == 0:
                raise EmptyFileError("the file is empty")
            with path.open("rb") as fh:
                receipt = receive_batch(self.settings, [IncomingFile(path.name, fh)],
                                        source="watch", actor=ACTOR, unit=self.unit)
        except IntakeError as exc:
            self._move(path, rel, FAILED, f"{exc.code}: {exc.message}\n", ".reason.txt")
            return
        except OSError as exc:
            # The file vanished or cannot be read: leave it for the next pass if it is still there.
            log.warning("cannot read %s: %s", path, exc)
            return
        note = {"batch_id": receipt.batch_id, "upload_id": receipt.files[0].upload_id,
                "sha256": receipt.files[0].sha256,
                "duplicate_of_upload": receipt.files[0].duplicate_of,
                "status": f"/api/batches/{receipt.batch_id}"}
        self._move(path, rel, DONE, json.dumps(note, ensure_ascii=False) + "\n", ".json")

    def _move(self, path: Path, rel: Path, where: str, note: str, suffix: str) -> None:
        target = _unique(self.folder / where / rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        target.with_name(target.name + suffix).write_text(note, encoding="utf-8")
        log.info("%s -> %s", rel, target.relative_to(self.folder))


def run_watch(settings: Settings, folder: Path | None) -> int:
    """`intake watch [DIR]`: run until interrupted; returns the exit code."""
    from infra.database import migrate

    target = folder or settings.watch_dir
    if target is None:
        log.error("no folder: give one or set INTAKE_WATCH_DIR")
        return 64
    watcher = Watcher(settings, target)  # refused first without INTAKE_WATCH_UNIT
    migrate(settings.database)
    _warn_unknown_unit(settings, watcher.unit)
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    return 0


def _warn_unknown_unit(settings: Settings, code: str) -> None:
    """Say so when no unit has this code yet: its documents wait unseen until an administrator
    creates it (or INTAKE_WATCH_UNIT is corrected)."""
    from sqlalchemy import select

    from infra.database import session_scope
    from infra.tables import Unit

    with session_scope(settings.database) as session:
        if session.scalar(select(Unit.id).where(Unit.code == code)) is None:
            log.warning("INTAKE_WATCH_UNIT %r is not a unit yet: no clerk sees its documents "
                        "until an administrator creates it", code)
