"""Compose one compact PDF page: colour background JPEG, G4 text stencil, invisible OCR text."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pikepdf
from PIL import Image, TiffImagePlugin

from models.errors import OutputError

BACKGROUND_COLOUR = "colour"
BACKGROUND_GREY = "grey"
BACKGROUND_FLAT = "flat"
BACKGROUND_NONE = "none"


@dataclass(frozen=True)
class ComposeOptions:
    """How a page is split into layers and compressed."""

    background_dpi: float = 100.0
    jpeg_quality: int = 45
    ink_grey: float = 0.1  # stencil colour (0 = black); near-black reads as printed ink
    chroma_threshold: int = 24  # max-min channel spread above which a pixel counts as coloured
    colour_fraction: float = 0.0005  # share of coloured pixels that makes a page a colour page
    plain_tolerance: int = 14  # deviation from the paper colour still called plain paper


@dataclass(frozen=True)
class ComposedPage:
    """The written one-page PDF and the size of each of its layers in bytes."""

    path: Path
    width_pt: float
    height_pt: float
    background: str
    background_bytes: int
    mask_bytes: int
    text_bytes: int  # file bytes not in the two images: text layer plus page structure
    total_bytes: int
    has_text: bool
    seconds: float


def _fill_text(bg: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Replace `hole` pixels with the mean of nearby non-hole (paper) pixels."""
    if not hole.any():
        return bg
    keep = (~hole).astype(np.float32)
    src = bg.astype(np.float32) * keep[..., None]
    out = bg.astype(np.float32)
    todo = hole.copy()
    # Widening box means (constant cost whatever the size): small ones follow the local paper
    # tone, large ones close wide text blocks.
    for size in (7, 17, 49, 161):
        den = cv2.blur(keep, (size, size))
        num = cv2.blur(src, (size, size))
        ok = todo & (den > 0.05)
        out[ok] = num[ok] / den[ok][:, None]
        todo &= ~ok
        if not todo.any():
            break
    if todo.any():  # a page that is all text: fall back to the page's paper median
        out[todo] = np.median(bg[~hole], axis=0) if (~hole).any() else 255.0
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _hist_quantile(values: np.ndarray, q: float) -> int:
    """The q-quantile of a uint8 array, from its histogram (much faster than a sort)."""
    counts = np.bincount(values.ravel(), minlength=256).cumsum()
    return int(np.searchsorted(counts, q * counts[-1]))


def _absdiff(channel: np.ndarray, value: int) -> np.ndarray:
    """|channel - value| per pixel (uint8, saturated)."""
    # cv2.absdiff takes a scalar as its second operand (OpenCV documents it); the generated stubs
    # of opencv-python list array overloads only.
    return cv2.absdiff(channel, value)  # type: ignore[call-overload]


def _background(
    archive: np.ndarray, mask: np.ndarray, dpi: float, options: ComposeOptions
) -> tuple[str, np.ndarray]:
    """Downsample the archive image and fill text pixels; classify it as colour/grey/flat/none."""
    h, w = mask.shape
    # Dilate so the anti-aliased halo around strokes goes with the text and not into the JPEG.
    radius = max(1, round(dpi / 150))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    grown = cv2.dilate(mask, kernel)
    scale = min(1.0, options.background_dpi / dpi)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(archive, size, interpolation=cv2.INTER_AREA)
    hole = cv2.resize(grown, size, interpolation=cv2.INTER_AREA) > 0
    filled = _fill_text(small, hole)
    channels = cv2.split(filled)
    hi = cv2.max(cv2.max(channels[0], channels[1]), channels[2])
    lo = cv2.min(cv2.min(channels[0], channels[1]), channels[2])
    spread = cv2.subtract(hi, lo)
    coloured = np.count_nonzero(spread > options.chroma_threshold) > options.colour_fraction * spread.size
    paper = np.array([_hist_quantile(c, 0.5) for c in channels], dtype=np.uint8)
    deviation = _absdiff(channels[0], int(paper[0]))
    for c, value in zip(channels[1:], paper[1:], strict=True):
        deviation = cv2.max(deviation, _absdiff(c, int(value)))
    if _hist_quantile(deviation, 0.999) <= options.plain_tolerance:
        if paper.min() >= 250:
            return BACKGROUND_NONE, paper
        return BACKGROUND_FLAT, paper
    if coloured:
        return BACKGROUND_COLOUR, filled
    return BACKGROUND_GREY, cv2.cvtColor(filled, cv2.COLOR_BGR2GRAY)


def _jpeg(image: np.ndarray, quality: int) -> bytes:
    """Encode a BGR or grey image as a baseline JPEG."""
    # 4:4:4: at 100 dpi a pen stroke is 1-2 px wide and halved chroma would wash it out.
    params = [
        cv2.IMWRITE_JPEG_QUALITY,
        int(quality),
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444,
    ]
    ok, buf = cv2.imencode(".jpg", image, params)
    if not ok:
        raise OutputError("JPEG encoding of the page background failed")
    return buf.tobytes()


def g4_strip(mask: np.ndarray) -> bytes:
    """Encode a boolean mask (True = ink) as one CCITT G4 strip; ink becomes fax black."""
    h = mask.shape[0]
    buf = io.BytesIO()
    # One strip for the whole image: separate strips would be separate G4 streams.
    Image.fromarray(mask).save(buf, format="TIFF", compression="group4", tiffinfo={278: h})
    tif = Image.open(io.BytesIO(buf.getvalue()))
    if not isinstance(tif, TiffImagePlugin.TiffImageFile):
        raise OutputError("G4 encoder did not write a TIFF")
    offsets, counts = tif.tag_v2[273], tif.tag_v2[279]
    if len(offsets) != 1:
        raise OutputError("G4 encoder wrote more than one strip")
    data = buf.getvalue()
    return data[offsets[0] : offsets[0] + counts[0]]


def _graft_text(
    pdf: pikepdf.Pdf, text_pdf: Path, width: float, height: float
) -> tuple[bytes, pikepdf.Object]:
    """Return Tesseract's text content, scaled onto our page, and its fonts copied into `pdf`."""
    with pikepdf.open(text_pdf) as src:
        page = src.pages[0]
        box = [float(v) for v in page.mediabox]
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        body = b"\n".join(s.read_bytes() for s in streams if s is not None)
        fonts = page.resources.get("/Font", pikepdf.Dictionary())
        # copy_foreign takes only indirect objects; Tesseract writes the font dict inline.
        fonts = pdf.copy_foreign(src.make_indirect(fonts))
    sx = width / (box[2] - box[0])
    sy = height / (box[3] - box[1])
    # Tesseract rounds its page size; a scale keeps words exactly over the image either way.
    head = f"q {sx:.6f} 0 0 {sy:.6f} {-box[0] * sx:.4f} {-box[1] * sy:.4f} cm\n".encode()
    return head + body + b"\nQ\n", fonts


def compose_page(
    archive_bgr: np.ndarray,
    text_mask: np.ndarray,
    dpi: float,
    text_pdf: Path | None,
    out: Path,
    options: ComposeOptions,
) -> ComposedPage:
    """Write a one-page PDF of the page image in three layers and report the layer sizes."""
    start = time.perf_counter()
    if archive_bgr.ndim == 2:
        archive_bgr = cv2.cvtColor(archive_bgr, cv2.COLOR_GRAY2BGR)
    h, w = archive_bgr.shape[:2]
    if text_mask.shape[:2] != (h, w):
        raise ValueError(f"text mask {text_mask.shape} does not match the image {(h, w)}")
    mask = np.where(text_mask > 0, np.uint8(255), np.uint8(0)) if text_mask.dtype != np.uint8 else text_mask
    has_ink = cv2.countNonZero(mask) > 0
    width, height = w * 72.0 / dpi, h * 72.0 / dpi

    pdf = pikepdf.new()
    xobjects = pikepdf.Dictionary()
    ops: list[bytes] = []
    kind, bg = _background(archive_bgr, mask, dpi, options)
    bg_bytes = 0
    if kind == BACKGROUND_FLAT:
        r, g, b = (float(v) / 255 for v in bg[::-1])
        ops.append(f"q {r:.3f} {g:.3f} {b:.3f} rg 0 0 {width:.4f} {height:.4f} re f Q".encode())
    elif kind in (BACKGROUND_COLOUR, BACKGROUND_GREY):
        data = _jpeg(bg, options.jpeg_quality)
        bg_bytes = len(data)
        space = pikepdf.Name.DeviceRGB if kind == BACKGROUND_COLOUR else pikepdf.Name.DeviceGray
        xobjects.Bg = pdf.make_stream(
            data,
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=bg.shape[1],
            Height=bg.shape[0],
            ColorSpace=space,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
        ops.append(f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Bg Do Q".encode())
    mask_bytes = 0
    if has_ink:
        data = g4_strip(mask > 0)
        mask_bytes = len(data)
        parms = pikepdf.Dictionary(K=-1, Columns=w, Rows=h)
        xobjects.Tx = pdf.make_stream(
            data,
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=w,
            Height=h,
            ImageMask=True,
            BitsPerComponent=1,
            Filter=pikepdf.Name.CCITTFaxDecode,
            DecodeParms=parms,
        )
        ink = f"{options.ink_grey:.3f}"
        place = f"{width:.4f} 0 0 {height:.4f} 0 0 cm"
        ops.append(f"q {ink} {ink} {ink} rg {place} /Tx Do Q".encode())
    resources = pikepdf.Dictionary()
    if len(xobjects.keys()):
        resources.XObject = xobjects
    if text_pdf is not None:
        text_ops, fonts = _graft_text(pdf, text_pdf, width, height)
        ops.append(text_ops)
        resources.Font = fonts
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, round(width, 4), round(height, 4)],
        Resources=resources,
        Contents=pdf.make_stream(b"\n".join(ops) + b"\n"),
    )
    pdf.pages.append(pikepdf.Page(page))
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    total = out.stat().st_size
    return ComposedPage(
        path=out,
        width_pt=width,
        height_pt=height,
        background=kind,
        background_bytes=bg_bytes,
        mask_bytes=mask_bytes,
        text_bytes=max(0, total - bg_bytes - mask_bytes),
        total_bytes=total,
        has_text=text_pdf is not None,
        seconds=time.perf_counter() - start,
    )
