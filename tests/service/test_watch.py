"""The watched folder: settled files only, temporary names ignored, done/ and failed/ with notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.database import migrate
from intake.cli.watch import Watcher, is_candidate
from models.settings import Settings

pytestmark = pytest.mark.redis


def test_temporary_and_partial_names_are_ignored() -> None:
    for name in ("a.pdf.part", "~$a.pdf", ".a.pdf", "a.tmp", "a.pdf~", "a.crdownload"):
        assert not is_candidate(Path(name)), name
    for name in ("scan.pdf", "Công văn 12.tif", "a.b.jpg"):
        assert is_candidate(Path(name)), name


def test_files_are_taken_once_settled_and_moved(settings: Settings, tmp_path: Path) -> None:
    migrate(settings.database)
    inbox = tmp_path / "inbox"
    watcher = Watcher(settings, inbox, settle=2.0)
    growing = inbox / "sub" / "scan.pdf"
    growing.parent.mkdir(parents=True)
    growing.write_bytes(b"%PDF-1.4 first part")
    (inbox / "scan2.pdf.part").write_bytes(b"%PDF partial")
    (inbox / "~$lock.pdf").write_bytes(b"lock")
    (inbox / "empty.pdf").write_bytes(b"")
    assert watcher.poll(now=0.0) == []  # first sight: remember the size
    growing.write_bytes(b"%PDF-1.4 first part, second part")  # still being written
    assert watcher.poll(now=1.5) == []
    assert watcher.poll(now=2.5) == [inbox / "empty.pdf"]
    assert watcher.poll(now=3.0) == []  # changed at 1.5: not settled yet
    assert watcher.poll(now=3.6) == [growing]
    done = inbox / "done" / "sub" / "scan.pdf"
    assert done.read_bytes() == b"%PDF-1.4 first part, second part" and not growing.exists()
    note = json.loads(done.with_name("scan.pdf.json").read_text())
    assert note["batch_id"] and note["duplicate_of_upload"] is None
    reason = (inbox / "failed" / "empty.pdf.reason.txt").read_text()
    assert reason.startswith("empty_file:")
    left = sorted(p.name for p in inbox.iterdir() if p.is_file())
    assert left == ["scan2.pdf.part", "~$lock.pdf"]
    # The same scan dropped again is recognised by its hash.
    growing.write_bytes(done.read_bytes())
    watcher.poll(now=10.0)
    assert watcher.poll(now=12.5) == [growing]
    again = json.loads((inbox / "done" / "sub" / "scan-2.pdf.json").read_text())
    assert again["duplicate_of_upload"] == note["upload_id"]
