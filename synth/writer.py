"""Writing generated documents as scanned PDF, TIFF, PNG/JPEG, born-digital or garbage-layer PDF."""

from __future__ import annotations

import io
import random
import unicodedata
from pathlib import Path

from fpdf import FPDF
from PIL import Image

from synth.degrade import source_dpi
from synth.fonts import SERIF_FILES, serif_path
from synth.model import GeneratedDocument, PageLayout

FORMATS: tuple[str, ...] = ("pdf", "tiff", "png", "jpg", "pdf_text", "pdf_garbage")
JUNK = "ÿð§°¢¤¦"


def _pil_ready(img: Image.Image, jpeg: bool) -> Image.Image:
    """Convert an image to a mode the target encoder accepts."""
    if jpeg and img.mode not in ("RGB", "L"):
        return img.convert("L" if img.mode == "1" else "RGB")
    return img


def _single_pages(doc: GeneratedDocument, path: Path, fmt: str, all_pages: bool) -> list[Path]:
    """PNG/JPEG: page 1 at path, or every page with a `_pN` suffix."""
    jpeg = fmt == "jpg"
    pages = doc.pages if all_pages and len(doc.pages) > 1 else doc.pages[:1]
    out: list[Path] = []
    for i, img in enumerate(pages):
        target = path if len(pages) == 1 else path.with_name(f"{path.stem}_p{i + 1}{path.suffix}")
        dpi = source_dpi(img)
        kw: dict[str, object] = {"quality": 88} if jpeg else {"optimize": False}
        _pil_ready(img, jpeg).save(target, "JPEG" if jpeg else "PNG", dpi=(dpi, dpi), **kw)
        out.append(target)
    return out


def _tiff(doc: GeneratedDocument, path: Path) -> None:
    """Multi-page TIFF (CCITT G4 when every page is bitonal, deflate otherwise)."""
    bitonal = all(p.mode == "1" for p in doc.pages)
    dpi = source_dpi(doc.pages[0])
    first, *rest = doc.pages
    first.save(path, "TIFF", save_all=True, append_images=rest, dpi=(dpi, dpi),
               compression="group4" if bitonal else "tiff_deflate")


def _scanned_pdf(doc: GeneratedDocument, path: Path) -> None:
    """Image-only PDF, one scanned image per page at its resolution."""
    first, *rest = [_pil_ready(p, False) for p in doc.pages]
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=source_dpi(first))


def _new_pdf() -> FPDF:
    """An FPDF document in points with Liberation Serif registered."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    for style in SERIF_FILES:
        pdf.add_font("LibSerif", "" if style == "R" else style, str(serif_path(style)))
    pdf.set_creator("synth")
    return pdf


def _born_digital(doc: GeneratedDocument, path: Path) -> None:
    """Born-digital PDF: the document text in embedded Liberation Serif, no image."""
    pdf = _new_pdf()
    k = 72.0 / doc.dpi
    for pl in doc.layouts:
        pdf.add_page()
        for line in pl.lines:
            for w in line.words:
                pdf.set_font("LibSerif", "" if w.style == "R" else w.style, w.size)
                pdf.text(w.x * k, line.baseline * k, w.text)
        pdf.set_line_width(0.6)
        for x0, y0, x1, y1 in pl.rules:
            pdf.line(x0 * k, y0 * k, x1 * k, y1 * k)
    pdf.output(str(path))


def mangle(text: str, rng: random.Random) -> str:
    """Text as a non-Vietnamese OCR would read it: Latin-1 only, diacritics lost or wrong."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "Đđ":
            out.append(rng.choice(("D", "Ð")) if ch == "Đ" else rng.choice(("d", "ð")))
        elif ord(ch) < 256:
            out.append(ch)
        else:
            parts = unicodedata.normalize("NFD", ch)
            keep = [unicodedata.normalize("NFC", parts[0] + m) for m in parts[1:]]
            cands = [c for c in keep if len(c) == 1 and ord(c) < 256] + [parts[0]]
            out.append(rng.choice(cands) if ord(parts[0]) < 256 else "?")
        if rng.random() < 0.01:
            out[-1] = rng.choice(JUNK)
    return "".join(out)


def _garbage_layer(pdf: FPDF, pl: PageLayout, k: float, rng: random.Random) -> None:
    """Invisible Helvetica text of one page with mangled diacritics."""
    with pdf.local_context(text_mode="INVISIBLE"):
        for line in pl.lines:
            size = max(4.0, line.words[0].size)
            pdf.set_font("Helvetica", "", size)
            b = line.bbox(int(round(72 / k)))
            pdf.text(b[0] * k, line.baseline * k, mangle(line.text, rng))


def _garbage_pdf(doc: GeneratedDocument, path: Path) -> None:
    """Scanned-image PDF with an invisible text layer made without Vietnamese."""
    pdf = _new_pdf()
    rng = random.Random(doc.seed * 7919 + 13)
    for i, img in enumerate(doc.pages):
        dpi = source_dpi(img)
        w, h = img.width * 72.0 / dpi, img.height * 72.0 / dpi
        pdf.add_page(format=(w, h))
        buf = io.BytesIO()
        if img.mode == "1":
            img.save(buf, "PNG")
        else:
            _pil_ready(img, True).save(buf, "JPEG", quality=80)
        buf.seek(0)
        pdf.image(buf, x=0, y=0, w=w, h=h)
        if i < len(doc.layouts):
            _garbage_layer(pdf, doc.layouts[i], 72.0 / doc.dpi, rng)
    pdf.output(str(path))


def write_document(doc: GeneratedDocument, path: Path, fmt: str, *,
                   all_pages: bool = False) -> list[Path]:
    """Write a document in one of FORMATS; returns the files written."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    if fmt in ("png", "jpg"):
        return _single_pages(doc, path, fmt, all_pages)
    {"tiff": _tiff, "pdf": _scanned_pdf, "pdf_text": _born_digital,
     "pdf_garbage": _garbage_pdf}[fmt](doc, path)
    return [path]
