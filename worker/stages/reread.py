"""A second look at the signer's name when the first reading lost it (page stage).

Tesseract's page layout analysis sometimes drops the bold name printed under a signature: the
holes the removed seal and signature leave around it make the area look like a picture, and the
name comes out as a few garbage glyphs or not at all (`Nguyễn Văn Phúc`, printed clearly under
`THỨ TRƯỞNG`, read as `ma`). Cut out of the same OCR image and read as sparse text, the line is
read well. Only a page whose signer block has no readable name pays for this: one Tesseract run
on a small crop. The second reading is kept only when one of its lines reads as a name that
says more than the first reading's. That line is kept apart (`PageResult.rereads`), and
extraction reads it instead of what the first reading had in the same place
(`documents.extract.layout.reading_words`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from documents.extract.gazetteer import default_gazetteer
from documents.extract.layout import page_width, rows_of, segments
from documents.extract.names import NameRead, read_name
from documents.extract.signer import find_signer
from infra.tools import tesseract
from models.errors import IntakeError
from models.result import PageResult, Reread
from worker.stages.ocr import parse_tsv

log = logging.getLogger(__name__)

# The name sits under the signature, a few line heights below the position line; on a page
# scanned at 150 dpi, and under a tall seal, up to 16 (as far as extraction looks for it).
_BELOW_LINES = 16
_SIDE_LINES = 4
# A name read at this word confidence needs no second look.
_GOOD_NAME_CONF = 80.0
# Tesseract's sparse-text mode: the crop holds one line among signature remnants.
_PSM_SPARSE = 11
# `PageResult.timings` key of this second look (its cost in seconds). The rules deciding when
# it is due and where it reads have changed; a page recognised before carries no such key, so
# an OCR cache knows to look again (bench/extraction_ocr.py).
SIGNER_LOOK = "signer_look_3"


def signer_name_region(page: PageResult) -> tuple[int, int, int, int] | None:
    """Where the signer's name should be when this page has a signer block and its name was
    not read (or read badly); None when no second look is needed."""
    return _first_look(page)[0]


def _first_look(page: PageResult) -> tuple[tuple[int, int, int, int] | None, NameRead | None]:
    """The area to read again (None: no second look needed) and the name the first reading
    found there, if any."""
    if page.source != "ocr" or not page.words:
        return None, None
    # The first reading alone: a second look stored before (an older rule's) is taken again.
    page = page.model_copy(update={"rereads": [r for r in page.rereads
                                               if r.reason != "signer_name"]})
    width, height = page_width(page), page.height or max(w.bbox[3] for w in page.words)
    read = find_signer(segments(page, page.index), width, default_gazetteer())
    if read is None:
        return None, None
    name = read.name_read
    # Two syllables are a full name only rarely: the seal usually hid the surname
    # (`hị Thanh Trà` for `Phạm Thị Thanh Trà`).
    if name is not None and not name.repaired and not name.surname_guessed and \
            min(name.confs, default=0.0) >= _GOOD_NAME_CONF and len(name.value.split()) >= 3:
        return None, name
    block = [*read.competence, *([read.position] if read.position is not None else [])]
    if not block:
        return None, name
    anchor = max(block, key=lambda s: s.bottom)
    h = anchor.height
    left = max(int(width * 0.4), min(s.left for s in block) - _SIDE_LINES * h)
    right = min(width, max(s.right for s in block) + _SIDE_LINES * h)
    top = anchor.bottom + 1
    bottom = min(height, anchor.bottom + _BELOW_LINES * h)
    if bottom - top < 2 * h or right - left < 4 * h:
        return None, name
    return (int(left), int(top), int(right), int(bottom)), name


def _better(again: NameRead, first: NameRead | None) -> bool:
    """True when the second reading's name says more than the first reading's (which was
    flagged: repaired, surname guessed or weak): more syllables, or as many and read as is."""
    if first is None:
        return True
    n_again, n_first = len(again.value.split()), len(first.value.split())
    if n_again != n_first:
        return n_again > n_first
    return (again.repaired, again.surname_guessed) < (first.repaired, first.surname_guessed) \
        or (not again.repaired and not again.surname_guessed
            and min(again.confs) > min(first.confs))


def reread_signer_name(page: PageResult, ocr_image: np.ndarray, base: Path, *, language: str,
                       timeout: float) -> list[Reread]:
    """Read the signer-name area again on its own; [] when no second look is needed or it
    failed (a failed second look leaves the first reading, it never fails the page). The page
    records the look's cost as `timings[SIGNER_LOOK]`, also when none was due."""
    t0 = time.perf_counter()
    try:
        return _look(page, ocr_image, base, language=language, timeout=timeout)
    finally:
        page.timings[SIGNER_LOOK] = round(time.perf_counter() - t0, 3)


def _look(page: PageResult, ocr_image: np.ndarray, base: Path, *, language: str,
          timeout: float) -> list[Reread]:
    box, first = _first_look(page)
    if box is None:
        return []
    left, top, right, bottom = box
    crop = ocr_image[top:bottom, left:right]
    png = base.with_name(base.name + ".name.png")
    try:
        if not cv2.imwrite(str(png), crop):
            return []
        tsv = tesseract.read_words(png, base.with_name(base.name + ".name"), language=language,
                                   dpi=page.dpi or 300, psm=_PSM_SPARSE, timeout=timeout)
        words = parse_tsv(tsv)
        tsv.unlink(missing_ok=True)
    except (IntakeError, OSError) as exc:
        log.warning("second look at the signer name of page %d failed: %s", page.index, exc)
        return []
    finally:
        png.unlink(missing_ok=True)
    # Sparse text gives every word its own block: one line key for all, rows by position
    # (`segments` splits them the same way when extraction reads them).
    moved = [w.model_copy(update={"bbox": (w.bbox[0] + left, w.bbox[1] + top, w.bbox[2] + left,
                                           w.bbox[3] + top), "block": 1000, "par": 0, "line": 0})
             for w in words]
    for row in rows_of(moved) if moved else []:
        row.sort(key=lambda w: w.bbox[0])
        name = read_name(row, default_gazetteer())
        if name is not None and _better(name, first):
            pad = max(w.bbox[3] - w.bbox[1] for w in row) // 3
            bbox = (min(w.bbox[0] for w in row) - pad, min(w.bbox[1] for w in row) - pad,
                    max(w.bbox[2] for w in row) + pad, max(w.bbox[3] for w in row) + pad)
            return [Reread(bbox=bbox, reason="signer_name", words=row)]
        if name is not None:
            break
    return []  # no name, or no better one: the first reading stays

