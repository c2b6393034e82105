"""Adapters for external programs: clear startup errors and typed failures, never raw exceptions."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from infra.tools import tesseract
from infra.tools.check import check_tools
from infra.tools.run import run
from models.errors import ExternalToolError, ToolMissingError, ToolTimeoutError
from synth import make_document


def test_all_programs_present() -> None:
    versions = check_tools("vie")
    assert set(versions) == {"tesseract", "ghostscript", "poppler"}
    assert versions["tesseract"].startswith(("4.", "5."))


def test_missing_language_data_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # an empty tessdata folder
    with pytest.raises(ToolMissingError, match="'vie' is missing.*tesseract-ocr-vie"):
        tesseract.check("vie")


def test_missing_program_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    tesseract.version.cache_clear()
    try:
        with pytest.raises(ToolMissingError, match="tesseract"):
            check_tools("vie")
    finally:
        tesseract.version.cache_clear()


def test_failure_carries_stderr_tail() -> None:
    code = "import sys; sys.stderr.write('bad page 7'); sys.exit(3)"
    with pytest.raises(ExternalToolError, match="exit code 3: bad page 7") as info:
        run([sys.executable, "-c", code], timeout=30)
    assert info.value.code == "external_tool" and not info.value.transient


def test_timeout_is_transient() -> None:
    with pytest.raises(ToolTimeoutError) as info:
        run([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.5)
    assert info.value.transient


def test_thread_limit_is_set_per_call() -> None:
    proc = run([sys.executable, "-c", "import os; print(os.environ['OMP_THREAD_LIMIT'])"],
               timeout=30, env={"OMP_THREAD_LIMIT": "1"})
    assert proc.stdout.strip() == b"1"


@pytest.fixture
def text_image(tmp_path: Path) -> Path:
    """The header of a generated page: a few lines of Vietnamese text, quick to recognise."""
    page = make_document(11, pages=1, kind="quyet_dinh").pages[0].convert("L")
    path = tmp_path / "header.png"
    page.crop((0, 0, page.width, page.height // 5)).save(path)
    return path


def test_a_page_is_recognised_in_one_thread_limited_run(
    text_image: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real Tesseract, started through a logger that records every start and its thread limit.
    real, log, bindir = shutil.which("tesseract"), tmp_path / "starts.jsonl", tmp_path / "bin"
    bindir.mkdir()
    logger = bindir / "tesseract"
    logger.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"with open({str(log)!r}, 'a') as f:\n"
        "    f.write(json.dumps([sys.argv[1:], os.environ.get('OMP_THREAD_LIMIT')]) + '\\n')\n"
        f"os.execv({real!r}, [{real!r}, *sys.argv[1:]])\n"
    )
    logger.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{Path(str(real)).parent}")
    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")
    rec = tesseract.recognise(text_image, tmp_path / "p", language="vie", dpi=300, timeout=60)
    starts = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(starts) == 1 and starts[0][1] == "1"
    words = [row.split("\t")[-1] for row in rec.tsv.read_text(encoding="utf-8").splitlines()]
    assert {"CỘNG", "HÒA", "QUYẾT", "ĐỊNH"} <= set(words)
    assert rec.pdf.read_bytes().startswith(b"%PDF")


def test_tesseract_timeout_is_transient(text_image: Path, tmp_path: Path) -> None:
    with pytest.raises(ToolTimeoutError) as info:
        tesseract.recognise(text_image, tmp_path / "p", language="vie", dpi=300, timeout=0.01)
    assert info.value.transient


def test_tesseract_failure_carries_its_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with pytest.raises(ExternalToolError, match="tesseract' failed with exit code 1: .*cannot be read"):
        tesseract.read_words(broken, tmp_path / "w", language="vie", dpi=300, psm=6, timeout=60)


def test_orientation_of_a_blank_image_is_unknown(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    make_document(11, pages=1).pages[0].convert("L").point(lambda _: 255).save(blank)
    assert tesseract.detect_orientation(blank, timeout=60) is None
