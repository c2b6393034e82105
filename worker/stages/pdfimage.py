"""Fast path for scanned PDFs: take the page's one full-page image as it is, without rendering.

A scanner's PDF page is a single image drawn over the whole page. Decoding that image directly
is several times faster than rasterising the page with Poppler and keeps the scan's own pixels.
Anything else (vector content, several images, masks, unusual placement) returns None and the
page is rendered instead.

Annotations are not page content: the "Ký bởi … / Thời gian ký" boxes and seal images of a
digitally signed PDF are signature widgets drawn from their own appearance streams. When a page
has visible annotations, the fast path still takes the scan's pixels; Poppler renders the
annotations alone (a copy of the page with its annotations and nothing drawn, at the scan's
resolution, cropped to their rectangle: the scan image is not decoded a second time), multiplied
over the scan like ink on paper. The widgets stay visible in the review image and the PDF/A, the
rest of the page keeps the scan's own pixels, and pages without annotations do not start Poppler.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

import pikepdf
from pikepdf import PdfImage
from PIL import Image, ImageChops

from infra.tools import poppler

log = logging.getLogger(__name__)

_TOLERANCE = 0.02  # placement may differ from the page box by 2% (rounding of scanner software)
_HIDDEN = 1 | 2 | 32  # annotation flags Invisible, Hidden, NoView
_MARGIN = 2  # pixels around an annotation's rectangle, for anti-aliased edges

Box = tuple[float, float, float, float]


def visible_annotations(page: pikepdf.Page) -> list[Box]:
    """Rectangles (PDF points: x0, y0, x1, y1) of the page's annotations that draw something:
    an appearance stream, not hidden, not a link or a pop-up; signature widgets are such."""
    boxes: list[Box] = []
    for annot in page.obj.get("/Annots", pikepdf.Array()):
        try:
            if str(annot.get("/Subtype", "")) in ("/Link", "/Popup"):
                continue
            if int(annot.get("/F", 0)) & _HIDDEN:
                continue
            ap = annot.get("/AP")
            if not isinstance(ap, pikepdf.Dictionary) or "/N" not in ap:
                continue
            x0, y0, x1, y1 = (float(v) for v in annot.Rect)
        except (AttributeError, TypeError, ValueError, pikepdf.PdfError):
            continue
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        if box[2] - box[0] >= 1 and box[3] - box[1] >= 1:
            boxes.append(box)
    return boxes


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


def page_image(pdf_path: Path, index: int, max_pixels: int, *,
               timeout: float = 300.0) -> tuple[Image.Image, float] | None:
    """Return the page's full-page scan image (page /Rotate applied, visible annotations painted
    over it) and its dpi, or None."""
    with tempfile.TemporaryDirectory(prefix="intake-annots-") as tmp:
        overlay = Path(tmp) / "annotations.pdf"
        found = _scan_image(pdf_path, index, max_pixels, overlay)
        if found is None:
            return None
        img, dpi, box, rotate, annotations = found
        if annotations:
            img = paint_annotations(overlay, img, dpi, annotations, (box, rotate),
                                    timeout=timeout, max_pixels=max_pixels)
    return img, dpi


def _scan_image(pdf_path: Path, index: int, max_pixels: int, overlay: Path,
                ) -> tuple[Image.Image, float, list[float], int, list[Box]] | None:
    """The page's scan image (turned by /Rotate), its dpi, page box, turn and visible
    annotations, which are also written alone to `overlay`; None when the page is not a scan."""
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
            annotations = visible_annotations(page)
            if annotations:
                _annotations_only(page, box, rotate, overlay)
    except Exception as exc:  # noqa: BLE001 - any surprise means: render the page instead
        log.debug("no direct image for page %d of %s: %s", index + 1, pdf_path, exc)
        return None
    if rotate:
        img = img.rotate(-rotate, expand=True)  # /Rotate is clockwise; PIL rotates anticlockwise
    return img, w / (a / 72.0), box, rotate, annotations


def _annotations_only(page: pikepdf.Page, box: list[float], rotate: int, out: Path) -> None:
    """Write a one-page PDF with the page's size, turn and annotations and nothing drawn: what
    Poppler renders of it is the annotations' appearances on white paper."""
    with pikepdf.new() as pdf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # widgets not reachable from an /AcroForm: fine here
        pdf.pages.append(page)
        copy = pdf.pages[0].obj
        copy.Contents = pdf.make_stream(b"")
        copy.Resources = pikepdf.Dictionary()
        copy.MediaBox = pikepdf.Array(box)
        copy.Rotate = rotate
        if "/CropBox" in copy:
            del copy["/CropBox"]
        pdf.save(out)


def _turned(u: float, v: float, rotate: int) -> tuple[float, float]:
    """A point in fractions of the unturned page (from its top-left) after /Rotate (clockwise)."""
    if rotate == 90:
        return 1 - v, u
    if rotate == 180:
        return 1 - u, 1 - v
    if rotate == 270:
        return v, 1 - u
    return u, v


def paint_annotations(overlay: Path, img: Image.Image, dpi: float, boxes: list[Box],
                      page_box: tuple[list[float], int], *, timeout: float,
                      max_pixels: int) -> Image.Image:
    """Multiply Poppler's rendering of the annotations (`overlay`, written by _annotations_only)
    in their rectangle, at the scan's resolution, into the scan image (already turned)."""
    (mx0, my0, mx1, my1), rotate = page_box
    width_pt, height_pt = mx1 - mx0, my1 - my0
    turned = rotate in (90, 270)
    render_w = (height_pt if turned else width_pt) * dpi / 72.0
    render_h = (width_pt if turned else height_pt) * dpi / 72.0
    out = img if img.mode == "RGB" else img.convert("RGB")  # a seal is colour on a grey scan
    # One rendering of the rectangle holding them all (a page's widgets usually sit together:
    # the top-right signature boxes).
    union = (min(b[0] for b in boxes), min(b[1] for b in boxes),
             max(b[2] for b in boxes), max(b[3] for b in boxes))
    for x0, y0, x1, y1 in [union]:
        corners = [_turned((x - mx0) / width_pt, (my1 - y) / height_pt, rotate)
                   for x, y in ((x0, y0), (x1, y1))]
        fu0, fu1 = sorted(c[0] for c in corners)
        fv0, fv1 = sorted(c[1] for c in corners)
        fu0, fv0, fu1, fv1 = max(0.0, fu0), max(0.0, fv0), min(1.0, fu1), min(1.0, fv1)
        if fu1 <= fu0 or fv1 <= fv0:
            continue
        rx0, ry0 = max(0, int(fu0 * render_w) - _MARGIN), max(0, int(fv0 * render_h) - _MARGIN)
        rx1, ry1 = int(fu1 * render_w) + _MARGIN + 1, int(fv1 * render_h) + _MARGIN + 1
        crop = poppler.render_page(overlay, 1, dpi, timeout=timeout, max_pixels=max_pixels,
                                   crop=(rx0, ry0, rx1 - rx0, ry1 - ry0))
        # The same region in the scan's own pixel grid (equal to the rendering's up to rounding).
        sx, sy = out.width / render_w, out.height / render_h
        ix0, iy0 = round(rx0 * sx), round(ry0 * sy)
        ix1 = min(out.width, ix0 + max(1, round(crop.width * sx)))
        iy1 = min(out.height, iy0 + max(1, round(crop.height * sy)))
        region = out.crop((ix0, iy0, ix1, iy1))
        if crop.size != region.size:
            crop = crop.resize(region.size, Image.Resampling.LANCZOS)
        out.paste(ImageChops.multiply(region, crop), (ix0, iy0))
    return out
