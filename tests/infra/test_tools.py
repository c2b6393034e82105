"""Adapters for external programs: clear startup errors and typed failures, never raw exceptions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infra.tools import tesseract
from infra.tools.check import check_tools
from infra.tools.run import run
from models.errors import ExternalToolError, ToolMissingError, ToolTimeoutError


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
