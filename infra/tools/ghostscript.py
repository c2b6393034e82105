"""Adapter for Ghostscript: version check and PDF/A-2b conversion of pages of a PDF."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from infra.tools.run import run, which
from models.errors import ToolMissingError

# PDF/A-2 output needs pdfwrite's PDF/A mode, stable since Ghostscript 9.50.
MIN_VERSION = (9, 50)

# Ghostscript prints these for problems it worked around; they mean a page is not clean.
_WARNING = re.compile(rb"(?im)^\s*(\*\*\*\*|warning|error)")


def gs() -> str:
    """Return the path of the Ghostscript program (`gs`)."""
    return which("gs")


@lru_cache(maxsize=1)
def version() -> str:
    """Return Ghostscript's version string, e.g. '10.00.0'."""
    return run([gs(), "--version"], timeout=30).stdout.decode().strip()


def check() -> str:
    """Fail clearly when Ghostscript is missing or too old for PDF/A-2; return the version."""
    ver = version()
    parts = tuple(int(p) for p in re.findall(r"\d+", ver)[:2])
    if parts < MIN_VERSION:
        raise ToolMissingError(
            f"Ghostscript {ver} is too old for PDF/A-2 (need {MIN_VERSION[0]}.{MIN_VERSION[1]}+;"
            " Debian package ghostscript)",
            program="gs",
        )
    return ver


def to_pdfa2b(
    source: Path, out: Path, *, first_page: int, last_page: int, icc: Path, timeout: float
) -> None:
    """Rewrite pages first..last (1-based) of `source` as PDF/A-2b with fonts embedded.

    Features PDF/A forbids are dropped (PDFACompatibilityPolicy=1), colours are converted to
    RGB for the sRGB output intent, and missing fonts are embedded from Ghostscript's
    substitutes, so glyph shapes may differ slightly from the original fonts.
    """
    run(
        [
            gs(),
            "-q",
            "-dBATCH",
            "-dNOPAUSE",
            "-dSAFER",
            f"--permit-file-read={icc.parent}/",
            "-sDEVICE=pdfwrite",
            "-dPDFA=2",
            "-dPDFACompatibilityPolicy=1",
            "-sColorConversionStrategy=RGB",
            f"-sOutputICCProfile={icc}",
            f"-dFirstPage={first_page}",
            f"-dLastPage={last_page}",
            f"-sOutputFile={out}",
            str(source),
        ],
        timeout=timeout,
        work_dir=out.parent,
    )


def render_warnings(pdf: Path, *, timeout: float) -> list[str]:
    """Render `pdf` to nothing and return the warning lines Ghostscript printed (not quiet)."""
    proc = run(
        [gs(), "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=nullpage", str(pdf)],
        timeout=timeout,
    )
    text = proc.stdout + b"\n" + proc.stderr
    return [
        line.decode("utf-8", "replace").strip()
        for line in text.splitlines()
        if _WARNING.match(line)
    ]
