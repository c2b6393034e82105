"""Fast path for scanned PDFs: take the page's one full-page image as it is, without rendering.

A scanner's PDF page is a single image drawn over the whole page. Decoding that image directly
is several times faster than rasterising the page with Poppler and keeps the scan's own pixels.
Anything else (vector content, several images, masks, unusual placement) returns None and the
page is rendered instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pikepdf
from pikepdf import PdfImage
from PIL import Image

log = logging.getLogger(__name__)

_TOLERANCE = 0.02  # placement may differ from the page box by 2% (rounding of scanner software)


def _placement(page: pikepdf.Page) -> tuple[str, list[float]] | None:
    """The name and matrix of the only image the page draws, when it draws nothing else."""
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    drawn: list[tuple[str, list[float]]] = []
    render_mode = 0
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            # pikepdf reports an inline image (BI ... ID ... EI) as one instruction whose
            # operator is `INLINE IMAGE`, never as `BI`: it is content to keep.
            return None
        operands, name = instruction.operands, str(instruction.operator)
        if name == "Tr":
            render_mode = int(operands[0])
        elif name == "cm":
            a, b, c, d, e, f = (float(x) for x in operands)
            p = ctm
            ctm = [a * p[0] + b * p[2], a * p[1] + b * p[3], c * p[0] + d * p[2],
                   c * p[1] + d * p[3], e * p[0] + f * p[2] + p[4], e * p[1] + f * p[3] + p[5]]
        elif name == "Do":
            drawn.append((str(operands[0]), ctm))
        elif name in ("Tj", "TJ", "'", '"'):
            if render_mode != 3:  # visible text (an e-signature box) is content to keep
                return None
        elif name == "sh":
            return None
        elif name in ("f", "F", "f*", "B", "B*", "b", "b*", "S", "s"):
            return None
    return drawn[0] if len(drawn) == 1 else None


def page_image(pdf_path: Path, index: int, max_pixels: int) -> tuple[Image.Image, float] | None:
    """Return the page's full-page scan image (page /Rotate applied) and its dpi, or None."""
    try:
        with pikepdf.open(pdf_path) as pdf:
            page = pdf.pages[index]
            found = _placement(page)
            if found is None:
                return None
            name, (a, b, c, d, e, f) = found
            xobj = page.Resources.XObject.get(name)
            if not isinstance(xobj, pikepdf.Stream) or xobj.get("/Subtype") != pikepdf.Name.Image:
                return None
            if "/SMask" in xobj or "/Mask" in xobj or xobj.get("/ImageMask", False):
                return None
            box = [float(v) for v in page.mediabox]
            width_pt, height_pt = box[2] - box[0], box[3] - box[1]
            if abs(b) > 1e-3 or abs(c) > 1e-3 or a <= 0 or d <= 0:
                return None
            if abs(a - width_pt) > width_pt * _TOLERANCE or abs(d - height_pt) > height_pt * _TOLERANCE:
                return None
            w, h = int(xobj.Width), int(xobj.Height)
            if w * h > max_pixels:
                return None
            img = PdfImage(xobj).as_pil_image()
            img.load()
            rotate = int(page.obj.get("/Rotate", 0)) % 360
    except Exception as exc:  # noqa: BLE001 - any surprise means: render the page instead
        log.debug("no direct image for page %d of %s: %s", index + 1, pdf_path, exc)
        return None
    if rotate:
        img = img.rotate(-rotate, expand=True)  # /Rotate is clockwise; PIL rotates anticlockwise
    return img, w / (a / 72.0)
