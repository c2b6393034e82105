"""The visible signature box of the legal copy: its lines, its font and where it goes.

Nghị định 30, Phụ lục I: a text box in the top-right corner of page 1 with the copy form (SAO Y),
the agency's name and the signing time in ISO 8601, Times New Roman 10 pt. We use Liberation
Serif, metric-compatible with Times New Roman (same advance widths, so the box has the size it
would have in Times; Times New Roman itself may not be redistributed on a server), embedded as a
subset, black, no image, no border.

pyHanko writes glyph widths and kerning in font units as if a font had 1000 units per em;
Liberation Serif has 2048, so its text would be spread out. `serif_font()` makes, once per
process, a copy scaled to 1000 units per em (fontTools), without the TrueType hinting programs
(unused in a PDF); the glyphs and their proportions are unchanged.

Placement: right-aligned at the right margin, as high as possible without touching a word or a
coloured stamp of the scan's page 1 (the OCR boxes), sliding down the top quarter of the page and
then left over the right half; when none is free, at the very top right (in the top margin,
which Nghị định 30 keeps at 20–25 mm: the box is 16 mm tall).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from infra.fonts import liberation_font

SERIF = "LiberationSerif-Regular.ttf"
FONT_SIZE = 10.0
LEADING = 12.0  # points between baselines
PAD = 2.0  # points between the text and the box's edge
MARGIN = 14.0  # points (5 mm) from the paper's edge
CLEARANCE = 2.0  # points kept free around a word
STEP = 3.0  # points between candidate positions
COPY_FORM = "SAO Y"

Rect = tuple[float, float, float, float]  # x0, top, x1, bottom: points from the top-left corner


@lru_cache(maxsize=1)
def serif_font() -> Path:
    """Liberation Serif at 1000 units per em (made once; cached in the temporary folder)."""
    source = liberation_font(SERIF)
    cache = Path(tempfile.gettempdir()) / f"intake-fonts-{os.getuid()}"
    out = cache / "LiberationSerif-Regular-1000upem.ttf"
    if out.is_file() and out.stat().st_mtime >= source.stat().st_mtime:
        return out
    import logging

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font = TTFont(str(source))
    for tag in ("fpgm", "prep", "cvt ", "hdmx", "VDMX", "LTSH", "FFTM"):
        if tag in font:
            del font[tag]
    scale_upem(font, 1000)
    cache.mkdir(mode=0o700, exist_ok=True)
    tmp = cache / f".{out.name}.{os.getpid()}"
    font.save(str(tmp))
    tmp.replace(out)
    return out


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The advance width of `text` in points (the font's widths, no kerning: a bit wider)."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(liberation_font(SERIF)), size=100)
    return float(font.getlength(text)) * size / 100


def box_lines(agency: str, signed_at: str) -> list[str]:
    """The three lines of the box."""
    return [COPY_FORM, agency, signed_at]


def box_size(lines: Sequence[str]) -> tuple[float, float]:
    """Width and height of the box holding `lines`, in points."""
    width = max(text_width(line) for line in lines) + 2 * PAD + 1
    height = LEADING * len(lines) + 2 * PAD + 2
    return width, height


@dataclass(frozen=True)
class PageGeometry:
    """Page 1 of the PDF (points) and the OCR image its words were read on (pixels)."""

    width: float
    height: float
    image_width: int = 0
    image_height: int = 0
    x0: float = 0.0  # the lower-left corner of the page's box (a crop box may not start at 0)
    y0: float = 0.0


def obstacles(geometry: PageGeometry, evidence: dict[str, Any] | None) -> list[Rect]:
    """The words and coloured stamps of a page row's evidence (`pages.words`), in points."""
    if not evidence or geometry.image_width <= 0 or geometry.image_height <= 0:
        return []
    sx = geometry.width / geometry.image_width
    sy = geometry.height / geometry.image_height
    boxes: list[Rect] = []
    items: list[Any] = list(evidence.get("words") or []) + list(evidence.get("marks") or [])
    for item in items:
        box = item.get("bbox") if isinstance(item, dict) else None
        if isinstance(box, (list, tuple)) and len(box) == 4:
            left, top, right, bottom = (float(v) for v in box)
            boxes.append((left * sx, top * sy, right * sx, bottom * sy))
    return boxes


def _hits(rect: Rect, boxes: Iterable[Rect]) -> bool:
    x0, t0, x1, b0 = rect
    c = CLEARANCE
    return any(x0 - c < bx1 and bx0 < x1 + c and t0 - c < bb and bt < b0 + c
               for bx0, bt, bx1, bb in boxes)


def place(geometry: PageGeometry, size: tuple[float, float], boxes: Sequence[Rect]) -> Rect:
    """Where the box goes (x0, top, x1, bottom in points from the top-left corner)."""
    w, h = size
    right_most = geometry.width - MARGIN
    tops = [MARGIN + STEP * n for n in range(int((geometry.height * 0.25 - h - MARGIN) / STEP) + 1)]
    rights = [right_most - STEP * 4 * n
              for n in range(int((right_most - w - geometry.width * 0.5) / (STEP * 4)) + 1)]
    for candidates in ([(t, right_most) for t in tops], [(t, r) for t in tops for r in rights]):
        for top, right in candidates:
            rect = (right - w, top, right, top + h)
            if not _hits(rect, boxes):
                return rect
    return (right_most - w, MARGIN, right_most, MARGIN + h)


def pdf_box(geometry: PageGeometry, rect: Rect) -> tuple[float, float, float, float]:
    """A top-left rectangle as a PDF rectangle (x0, y0, x1, y1 from the bottom-left corner)."""
    x0, top, x1, bottom = rect
    ox, oy = geometry.x0, geometry.y0
    return (round(ox + x0, 2), round(oy + geometry.height - bottom, 2), round(ox + x1, 2),
            round(oy + geometry.height - top, 2))
