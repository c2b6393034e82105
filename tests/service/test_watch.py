"""The watched folder: settled files only, temporary names ignored, done/ and failed/ with notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from infra.database import migrate, session_scope
from infra.tables import Batch, Event
from intake.auth.roles import Role
from intake.cli.watch import Watcher, is_candidate
from models.errors import RequestError
from models.settings import Settings
from tests.intake.auth.principals import account_headers
from tests.service.helpers import TEST_UNIT, client

pytestmark = pytest.mark.redis


def test_temporary_and_partial_names_are_ignored() -> None:
    for name in ("a.pdf.part", "~$a.pdf", ".a.pdf", "a.tmp", "a.pdf~", "a.crdownload"):
        assert not is_candidate(Path(name)), name
    for name in ("scan.pdf", "Công văn 12.tif", "a.b.jpg"):
        assert is_candidate(Path(name)), name


def test_a_watched_folder_needs_its_unit(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(RequestError, match="INTAKE_WATCH_UNIT"):
        Watcher(settings.model_copy(update={"watch_unit": "  "}), tmp_path / "inbox")
    assert not (tmp_path / "inbox").exists()  # refused before anything is made


def test_make_run_refuses_a_watched_folder_without_its_unit(tmp_path: Path) -> None:
    from intake.cli.serve import _commands

    folder = Settings(data_dir=tmp_path, watch_dir=tmp_path / "inbox")
    with pytest.raises(SystemExit, match="INTAKE_WATCH_UNIT"):
        _commands(folder, "127.0.0.1", 8000)
    started = _commands(folder.model_copy(update={"watch_unit": TEST_UNIT}), "127.0.0.1", 8000)
    assert started["watch"][-2:] == ["watch", str(tmp_path / "inbox")]
    assert "watch" not in _commands(Settings(data_dir=tmp_path), "127.0.0.1", 8000)


def test_files_are_taken_once_settled_and_moved(settings: Settings, tmp_path: Path) -> None:
    migrate(settings.database)
    inbox = tmp_path / "inbox"
    settings = settings.model_copy(update={"watch_unit": f" {TEST_UNIT} "})
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
    # Recorded by the system in the folder's unit: a clerk of that unit follows the batch.
    with session_scope(settings.database) as session:
        batch = session.get_one(Batch, note["batch_id"])
        assert (batch.source, batch.created_by, batch.unit) == ("watch", "system:watch", TEST_UNIT)
        actors = session.scalars(select(Event.actor).where(Event.batch_id == batch.id)).all()
        assert actors and set(actors) == {"system:watch"}
    with client(settings) as api:
        seen = api.get(f"/api/batches/{note['batch_id']}")
        assert seen.status_code == 200 and seen.json()["files"][0]["filename"] == "scan.pdf"
        other = api.get(f"/api/batches/{note['batch_id']}",
                        headers=account_headers(settings, "chuyen.vien.khac", Role.CLERK,
                                                ("Phòng Tài chính",)))
        assert other.status_code == 404  # another unit's clerk does not see it
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
