"""The `intake process` command on bad input: a clear error with a stable code, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest

from intake.cli.main import main
from intake.cli.pipeline_run import exit_code_for


def _run(tmp_path: Path, *inputs: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    out = tmp_path / "out"
    code = main(["process", *map(str, inputs), "--out", str(out), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return code, lines


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.pdf", b"", "empty_file"),
        ("letter.pdf", "Kính gửi: Sở Nội vụ\n".encode(), "unsupported_type"),
        ("noise.png", bytes(range(256)) * 4, "unsupported_type"),
        ("cut.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "corrupt_file"),
    ],
)
def test_bad_file_gives_code_and_no_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, expected: str
) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    code, lines = _run(tmp_path, src, capsys=capsys)
    assert code == 65
    assert lines[0]["error"]["code"] == expected
    assert lines[0]["pdf"] is None
    out = tmp_path / "out"
    assert not (out / f"{src.stem}.pdf").exists()
    written = json.loads((out / f"{src.stem}.json").read_text(encoding="utf-8"))
    assert written["error"]["code"] == expected
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary leftovers


def test_encrypted_and_empty_pdfs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(locked, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    none = tmp_path / "none.pdf"
    pikepdf.new().save(none)
    code, lines = _run(tmp_path, locked, none, capsys=capsys)
    assert code == 65
    assert [r["error"]["code"] for r in lines] == ["encrypted_pdf", "no_pages"]
    assert "password" in lines[0]["error"]["message"]


def test_missing_input_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = _run(tmp_path, tmp_path / "nowhere.pdf", capsys=capsys)
    assert code == 65 and lines[0]["error"]["code"] == "corrupt_file"
    assert "nowhere.pdf" in lines[0]["error"]["message"]


def test_split_of_bad_file_exits_as_process_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cut.pdf"
    src.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    code = main(["split", str(src), "--out", str(tmp_path / "out"), "--json"])
    batch = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert batch["error"]["code"] == "corrupt_file"
    assert code == 65


@pytest.mark.parametrize(("code", "exit_code"), [("corrupt_file", 65), ("tool_missing", 69),
                                                 ("tool_timeout", 70), ("no_such_code", 1)])
def test_exit_code_of_an_error_code(code: str, exit_code: int) -> None:
    assert exit_code_for(code) == exit_code
