"""Adapter for Tesseract: version and language check, orientation, recognition.

Every run goes through `infra.tools.run` like the other tools: a timeout, memory and CPU limits
and a minimal environment (one OpenMP thread, no service secrets). pytesseract cannot be made to
respect those: it starts Tesseract with `subprocess.Popen(..., env=os.environ)` and no preexec
hook, so a page would run with the worker's database, S3 and Redis credentials and no limits.
The command lines are therefore built here, as pytesseract builds them, and pytesseract is kept
for what fits: reading the orientation report (`osd_to_dict`).

A page is recognised in ONE Tesseract process that writes both the TSV word table and the
text-only PDF (`tessedit_create_tsv` and `tessedit_create_pdf`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pytesseract.pytesseract import osd_to_dict

from infra.tools.run import run, which
from models.errors import ExternalToolError, ToolMissingError

PROGRAM = "tesseract"
MIN_VERSION = (4, 0)  # the LSTM recogniser the `vie` data is trained for


def tesseract() -> str:
    """Return the path of the Tesseract program."""
    return which(PROGRAM)


@lru_cache(maxsize=1)
def version() -> str:
    """Return Tesseract's version string, e.g. '5.3.0'."""
    proc = run([tesseract(), "--version"], timeout=30)
    text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    match = re.search(r"tesseract\s+v?(\d+)\.(\d+)[\w.-]*", text)
    if match is None or (int(match.group(1)), int(match.group(2))) < MIN_VERSION:
        raise ToolMissingError(f"unusable Tesseract (need {MIN_VERSION[0]}+): {text.strip()[:200]}",
                               program=PROGRAM)
    return match.group(0).split()[-1].lstrip("v")


def languages() -> set[str]:
    """Return the installed language data names."""
    out = run([tesseract(), "--list-langs"], timeout=30).stdout.decode("utf-8", "replace")
    return {line.strip() for line in out.splitlines()[1:] if line.strip()}


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
        proc = run([tesseract(), str(image), "stdout", "-l", "osd", "--psm", "0"],
                   timeout=timeout, work_dir=image.parent)
    except ExternalToolError as exc:
        # OSD refuses pages with too few characters; that is "unknown", not a failure.
        if "Too few characters" in exc.message or "Invalid resolution" in exc.message:
            return None
        raise
    osd = osd_to_dict(proc.stdout.decode("utf-8", "replace"))
    if "rotate" not in osd or "orientation_conf" not in osd:
        return None
    return Orientation(int(osd["rotate"]) % 360, float(osd["orientation_conf"]))


@dataclass(frozen=True)
class Recognition:
    """Files written by one recognition run: word table (TSV) and text-only PDF page."""

    tsv: Path
    pdf: Path


def _recognise_to(image: Path, out_base: Path, *, language: str, dpi: int, psm: int,
                  timeout: float, config: tuple[str, ...]) -> None:
    """One Tesseract run on an image, writing the outputs `config` asks for beside out_base."""
    args = [tesseract(), str(image), str(out_base), "-l", language,
            "--dpi", str(dpi), "--psm", str(psm)]
    for c in config:
        args += ["-c", c]
    run(args, timeout=timeout, work_dir=out_base.parent)


def recognise(
    image: Path, out_base: Path, *, language: str, dpi: int, timeout: float
) -> Recognition:
    """Recognise one page image once, writing its TSV word table and text-only PDF."""
    _recognise_to(image, out_base, language=language, dpi=dpi, psm=3, timeout=timeout,
                  config=("tessedit_create_tsv=1", "tessedit_create_pdf=1", "textonly_pdf=1"))
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
                  config=("tessedit_create_tsv=1",))
    tsv = out_base.parent / f"{out_base.name}.tsv"
    if not tsv.exists():
        raise ExternalToolError("tesseract wrote no output", program=PROGRAM)
    return tsv
