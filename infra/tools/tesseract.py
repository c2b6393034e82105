"""Adapter for Tesseract through pytesseract: version and language check, orientation, recognition.

Every call goes through `_call`, which sets the thread limit and turns pytesseract's exceptions
into the project's errors (models/errors.py). A page is recognised in ONE Tesseract process that
writes both the TSV word table and the text-only PDF (`pytesseract.run_tesseract` with the `tsv`
and `pdf` outputs): pytesseract's `image_to_data` and `image_to_pdf_or_hocr` would run it twice.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pytesseract import pytesseract as tess  # the module: the package does not export run_tesseract

from infra.tools.run import STDERR_TAIL
from models.errors import ExternalToolError, ToolMissingError, ToolTimeoutError

PROGRAM = "tesseract"


def _limit_threads() -> None:
    """One thread per Tesseract: pages run in parallel processes instead.

    pytesseract starts Tesseract with this process's environment (it takes no environment of
    its own), so the limit is set there; the processes that run Tesseract are page workers,
    which want one thread each anyway.
    """
    if os.environ.get("OMP_THREAD_LIMIT") != "1":
        os.environ["OMP_THREAD_LIMIT"] = "1"


def _call(func: Callable[..., Any], *args: Any, timeout: float = 0, **kwargs: Any) -> Any:
    """Call a pytesseract function with the thread limit; raise the project's typed errors."""
    _limit_threads()
    try:
        return func(*args, timeout=timeout, **kwargs) if timeout else func(*args, **kwargs)
    except tess.TesseractNotFoundError as exc:
        raise ToolMissingError(f"'{PROGRAM}' is not installed (run `make setup`)",
                               program=PROGRAM) from exc
    except tess.TesseractError as exc:
        raise ExternalToolError(
            f"'{PROGRAM}' failed with exit code {exc.status}: {exc.message[-STDERR_TAIL:]}",
            program=PROGRAM, returncode=exc.status,
        ) from exc
    except RuntimeError as exc:  # pytesseract kills Tesseract at the timeout and says so
        if "timeout" not in str(exc):
            raise
        raise ToolTimeoutError(f"'{PROGRAM}' did not finish within {timeout:.0f} s",
                               program=PROGRAM) from exc


@lru_cache(maxsize=1)
def version() -> str:
    """Return Tesseract's version string, e.g. '5.3.0'."""
    try:
        return str(_call(tess.get_tesseract_version))
    except SystemExit as exc:  # pytesseract exits on a version it cannot read or older than 3.05
        raise ToolMissingError(f"unusable Tesseract: {exc}", program=PROGRAM) from exc


def languages() -> set[str]:
    """Return the installed language data names."""
    return set(_call(tess.get_languages))


def check(language: str) -> str:
    """Fail clearly when Tesseract or the language data is missing; return the version."""
    ver = version()
    have = languages()
    for lang in language.split("+"):
        if lang not in have:
            raise ToolMissingError(
                f"Tesseract language data '{lang}' is missing "
                f"(Debian package tesseract-ocr-{lang}; run `make setup`)",
                program=PROGRAM,
            )
    if "osd" not in have:
        raise ToolMissingError(
            "Tesseract orientation data 'osd' is missing (Debian package tesseract-ocr-osd)",
            program=PROGRAM,
        )
    return ver


@dataclass(frozen=True)
class Orientation:
    """Clockwise rotation that makes the page upright, and Tesseract's confidence in it."""

    rotate: int
    confidence: float


def detect_orientation(image: Path, *, timeout: float) -> Orientation | None:
    """Run Tesseract's orientation detection (OSD); None when it finds too little text."""
    try:
        osd = _call(tess.image_to_osd, str(image), output_type=tess.Output.DICT,
                    timeout=timeout)
    except ExternalToolError as exc:
        # OSD refuses pages with too few characters; that is "unknown", not a failure.
        if "Too few characters" in exc.message or "Invalid resolution" in exc.message:
            return None
        raise
    if "rotate" not in osd or "orientation_conf" not in osd:
        return None
    return Orientation(int(osd["rotate"]) % 360, float(osd["orientation_conf"]))


@dataclass(frozen=True)
class Recognition:
    """Files written by one recognition run: word table (TSV) and text-only PDF page."""

    tsv: Path
    pdf: Path


def _recognise_to(image: Path, out_base: Path, *, language: str, dpi: int, psm: int,
                  timeout: float, outputs: tuple[str, ...], config: tuple[str, ...] = ()) -> None:
    """One Tesseract run on an image, writing the named outputs (`tsv`, `pdf`) beside out_base."""
    flags = ["--dpi", str(dpi), "--psm", str(psm)]
    for c in (*config, *(["tessedit_create_tsv=1"] if "tsv" in outputs else [])):
        flags += ["-c", c]  # run_tesseract passes `pdf` on but leaves asking for the TSV to us
    _call(tess.run_tesseract, str(image), str(out_base), " ".join(outputs), language,
          config=shlex.join(flags), timeout=timeout)


def recognise(
    image: Path, out_base: Path, *, language: str, dpi: int, timeout: float
) -> Recognition:
    """Recognise one page image once, writing its TSV word table and text-only PDF."""
    _recognise_to(image, out_base, language=language, dpi=dpi, psm=3, timeout=timeout,
                  outputs=("tsv", "pdf"), config=("textonly_pdf=1",))
    rec = Recognition(out_base.with_suffix(".tsv"), out_base.with_suffix(".pdf"))
    if not rec.tsv.exists() or not rec.pdf.exists():
        raise ExternalToolError("tesseract wrote no output", program=PROGRAM)
    return rec


def read_words(image: Path, out_base: Path, *, language: str, dpi: int, psm: int,
               timeout: float) -> Path:
    """Recognise an image into a TSV word table only (no PDF); return the TSV path.

    Used for small images: the colour stamps of a page pasted into one image (the language
    model is loaded once per page, not once per stamp), the area under a signer block.
    """
    _recognise_to(image, out_base, language=language, dpi=dpi, psm=psm, timeout=timeout,
                  outputs=("tsv",))
    tsv = out_base.parent / f"{out_base.name}.tsv"
    if not tsv.exists():
        raise ExternalToolError("tesseract wrote no output", program=PROGRAM)
    return tsv
