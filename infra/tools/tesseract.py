"""Adapter for Tesseract: version and language check, orientation detection, recognition."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from infra.tools.run import run, which
from models.errors import ExternalToolError, ToolMissingError

# One thread per Tesseract: pages run in parallel processes instead.
_ENV = {"OMP_THREAD_LIMIT": "1"}


@lru_cache(maxsize=1)
def version() -> str:
    """Return Tesseract's version string, e.g. '5.3.0'."""
    out = run([which("tesseract"), "--version"], timeout=30).stdout.decode()
    first = out.splitlines()[0] if out else ""
    return first.replace("tesseract", "").strip()


def languages() -> set[str]:
    """Return the installed language data names."""
    proc = run([which("tesseract"), "--list-langs"], timeout=30)
    lines = proc.stdout.decode().splitlines()[1:]
    return {line.strip() for line in lines if line.strip()}


def check(language: str) -> str:
    """Fail clearly when Tesseract or the language data is missing; return the version."""
    ver = version()
    have = languages()
    for lang in language.split("+"):
        if lang not in have:
            raise ToolMissingError(
                f"Tesseract language data '{lang}' is missing "
                f"(Debian package tesseract-ocr-{lang}; run `make setup`)",
                program="tesseract",
            )
    if "osd" not in have:
        raise ToolMissingError(
            "Tesseract orientation data 'osd' is missing (Debian package tesseract-ocr-osd)",
            program="tesseract",
        )
    return ver


@dataclass(frozen=True)
class Orientation:
    """Clockwise rotation that makes the page upright, and Tesseract's confidence in it."""

    rotate: int
    confidence: float


_ROTATE = re.compile(rb"Rotate:\s*(\d+)")
_CONF = re.compile(rb"Orientation confidence:\s*([\d.]+)")


def detect_orientation(image: Path, *, timeout: float) -> Orientation | None:
    """Run Tesseract's orientation detection (OSD); None when it finds too little text."""
    try:
        proc = run(
            [which("tesseract"), str(image), "-", "--psm", "0", "-l", "osd"],
            timeout=timeout,
            env=_ENV,
        )
    except ExternalToolError as exc:
        # OSD refuses pages with too few characters; that is "unknown", not a failure.
        if "Too few characters" in exc.message or "Invalid resolution" in exc.message:
            return None
        raise
    rot = _ROTATE.search(proc.stdout)
    conf = _CONF.search(proc.stdout)
    if not rot or not conf:
        return None
    return Orientation(int(rot.group(1)) % 360, float(conf.group(1)))


@dataclass(frozen=True)
class Recognition:
    """Files written by one recognition run: word table (TSV) and text-only PDF page."""

    tsv: Path
    pdf: Path


def _recognise_to(image: Path, out_base: Path, *, language: str, dpi: int, psm: int,
                  timeout: float, outputs: tuple[str, ...], config: tuple[str, ...] = ()) -> None:
    """One Tesseract run on an image, writing the named outputs (`tsv`, `pdf`) beside out_base."""
    args = [which("tesseract"), str(image), str(out_base), "-l", language, "--dpi", str(dpi),
            "--psm", str(psm)]
    for c in config:
        args += ["-c", c]
    run([*args, *outputs], timeout=timeout, env=_ENV)


def recognise(
    image: Path, out_base: Path, *, language: str, dpi: int, timeout: float
) -> Recognition:
    """Recognise one page image once, writing its TSV word table and text-only PDF."""
    _recognise_to(image, out_base, language=language, dpi=dpi, psm=3, timeout=timeout,
                  outputs=("tsv", "pdf"), config=("textonly_pdf=1",))
    rec = Recognition(out_base.with_suffix(".tsv"), out_base.with_suffix(".pdf"))
    if not rec.tsv.exists() or not rec.pdf.exists():
        raise ExternalToolError("tesseract wrote no output", program="tesseract")
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
        raise ExternalToolError("tesseract wrote no output", program="tesseract")
    return tsv
