"""Compose one compact PDF page in mixed raster content (docs/IMAGE.md).

Layers, bottom to top: a low-resolution colour background JPEG (paper tone, photos, faint marks);
the coloured ink (seals, signatures, stamps, coloured text) as foreground at the scan's own
resolution up to `foreground_dpi`, each region a JPEG cut out by its own 1-bit G4 /Mask; the
black text as a G4 stencil at the scan's resolution; the invisible OCR text.
"""

from __future__ import annotations

import io
import math
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

FOREGROUND_JPEG = "jpeg"  # masked JPEG regions at foreground_dpi (the default)
FOREGROUND_PALETTE = "palette"  # one flat colour per ink cluster, each a G4 stencil
FOREGROUND_NONE = "none"  # no foreground: colour ink only in the background (before issue 14)


@dataclass(frozen=True)
class ComposeOptions:
    """How a page is split into layers and compressed."""

    background_dpi: float = 100.0
    jpeg_quality: int = 45
    ink_grey: float = 0.1  # stencil colour (0 = black); near-black reads as printed ink
    chroma_threshold: int = 24  # max-min channel spread above which a pixel counts as coloured
    colour_fraction: float = 0.0005  # share of coloured pixels that makes a page a colour page
    plain_tolerance: int = 14  # deviation from the paper colour still called plain paper
    foreground: str = FOREGROUND_JPEG
    foreground_dpi: float = 300.0  # upper bound; a scan below it keeps its own resolution
    foreground_quality: int = 50
    # Coloured ink: chroma (max - min channel) this far above the paper's, and not black.
    ink_chroma: int = 28
    # Foreground regions: coloured components within this reach (inches) share one image.
    region_reach_in: float = 0.12
    # Coloured components smaller than this (square inches) are scanner colour noise.
    min_ink_area_in2: float = 0.0004


@dataclass(frozen=True)
class ComposedPage:
    """The written one-page PDF and the size of each of its layers in bytes."""

    path: Path
    width_pt: float
    height_pt: float
    background: str
    background_bytes: int
    mask_bytes: int
    text_bytes: int  # file bytes not in the images: text layer plus page structure
    total_bytes: int
    has_text: bool
    seconds: float
    foreground_bytes: int = 0
    foreground_regions: int = 0


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
    archive: np.ndarray, mask: np.ndarray, dpi: float, options: ComposeOptions,
    scan_dpi: float | None = None,
) -> tuple[str, np.ndarray]:
    """Downsample the archive image and fill text pixels; classify it as colour/grey/flat/none."""
    h, w = mask.shape
    # Dilate so the anti-aliased halo around strokes goes with the text and not into the JPEG.
    radius = max(1, round(dpi / 150))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    grown = cv2.dilate(mask, kernel)
    scale = min(1.0, min(options.background_dpi, scan_dpi or dpi) / dpi)
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


def colour_ink(archive: np.ndarray, text_mask: np.ndarray, dpi: float,
               options: ComposeOptions) -> np.ndarray:
    """Return 0/255 coloured ink (seal red, ink blue, coloured print) outside the black text."""
    b, g, r = cv2.split(archive)
    light = cv2.max(cv2.max(b, g), r)
    chroma = cv2.subtract(light, cv2.min(cv2.min(b, g), r))
    # Tinted paper has some chroma of its own: the threshold rises with the paper's.
    limit = _hist_quantile(chroma, 0.5) + options.ink_chroma
    _, ink = cv2.threshold(chroma, limit, 255, cv2.THRESH_BINARY)
    _, lit = cv2.threshold(light, 50, 255, cv2.THRESH_BINARY)
    ink = cv2.bitwise_and(ink, lit)
    # Colour fringes of black strokes (JPEG chroma, lens) belong to the text, not the foreground.
    reach = max(1, round(dpi / 150))
    near_text = cv2.dilate(text_mask, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    ink = cv2.bitwise_and(ink, cv2.bitwise_not(near_text))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return ink
    keep = stats[:, cv2.CC_STAT_AREA] >= max(4.0, options.min_ink_area_in2 * dpi * dpi)
    keep[0] = False
    if not keep.any():
        return np.zeros_like(ink)
    ink = np.where(keep[labels], np.uint8(255), np.uint8(0))
    # The anti-aliased rim of a stroke goes with it, or the background's colour shows as a halo.
    return cv2.dilate(ink, np.ones((3, 3), np.uint8))


def _regions(ink: np.ndarray, dpi: float, reach_in: float) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) around groups of coloured ink (a seal, a signature, a stamp)."""
    h, w = ink.shape
    # Grouping works at a quarter size: boxes are padded anyway.
    small = cv2.resize(ink, ((w + 3) // 4, (h + 3) // 4), interpolation=cv2.INTER_AREA) > 0
    r = max(1, round(reach_in * dpi / 4))
    grown = cv2.dilate(small.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8))
    count, labels = cv2.connectedComponents(grown, connectivity=8)
    ys, xs = np.nonzero(small)
    if count <= 1 or len(ys) == 0:
        return []
    group = labels[ys, xs]
    boxes = []
    # The box of a group is that of its ink (not of the grown area, which a page edge clips).
    for i in range(1, count):
        sel = group == i
        if not sel.any():
            continue
        gx, gy = xs[sel], ys[sel]
        x0, y0 = max(0, int(gx.min()) * 4 - 4), max(0, int(gy.min()) * 4 - 4)
        x1, y1 = min(w, int(gx.max()) * 4 + 8), min(h, int(gy.max()) * 4 + 8)
        boxes.append((x0, y0, x1, y1))
    return boxes


def _at_dpi(mask: np.ndarray, scale: float) -> np.ndarray:
    """A 0/255 mask at `scale` of its size (area-averaged, then thresholded at half)."""
    if scale >= 0.995:
        return mask
    h, w = mask.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.where(cv2.resize(mask, size, interpolation=cv2.INTER_AREA) >= 128,
                    np.uint8(255), np.uint8(0))


def _stencil(pdf: pikepdf.Pdf, mask: np.ndarray) -> pikepdf.Stream:
    """A 1-bit G4 image mask stream of a 0/255 mask (255 = painted)."""
    h, w = mask.shape
    return pdf.make_stream(
        g4_strip(mask > 0),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=w,
        Height=h,
        ImageMask=True,
        BitsPerComponent=1,
        Filter=pikepdf.Name.CCITTFaxDecode,
        DecodeParms=pikepdf.Dictionary(K=-1, Columns=w, Rows=h),
    )


def _ink_colour(pixels: np.ndarray) -> tuple[float, float, float]:
    """The typical colour (RGB 0-1) of ink pixels (BGR rows): the median of the denser half."""
    light = pixels.max(axis=1)
    dense = pixels[light <= np.median(light)] if len(pixels) > 8 else pixels
    b, g, r = (float(v) / 255 for v in np.median(dense, axis=0))
    return r, g, b


def _foreground(
    pdf: pikepdf.Pdf, archive: np.ndarray, ink: np.ndarray, dpi: float, scan_dpi: float,
    height_pt: float, options: ComposeOptions, xobjects: pikepdf.Dictionary,
) -> tuple[list[bytes], int, int]:
    """Add the foreground XObjects; return their drawing operators, bytes and region count."""
    ops: list[bytes] = []
    size = 0
    boxes = _regions(ink, dpi, options.region_reach_in)
    mask_scale = min(1.0, scan_dpi / dpi)
    image_scale = min(mask_scale, options.foreground_dpi / dpi)
    for n, (x0, y0, x1, y1) in enumerate(boxes):
        crop, region = archive[y0:y1, x0:x1], ink[y0:y1, x0:x1]
        mask = _at_dpi(region, mask_scale)
        if not mask.any():
            continue
        pw, ph = (x1 - x0) * 72.0 / dpi, (y1 - y0) * 72.0 / dpi
        place = f"{pw:.4f} 0 0 {ph:.4f} {x0 * 72.0 / dpi:.4f} {height_pt - y1 * 72.0 / dpi:.4f} cm"
        if options.foreground == FOREGROUND_PALETTE:
            flat_ops, flat_bytes = _palette(pdf, crop, region, mask, n, place, xobjects)
            ops += flat_ops
            size += flat_bytes
            continue
        h, w = region.shape
        # Rounded up: the placed image never falls below the resolution asked for.
        small_size = (max(1, math.ceil(w * image_scale - 1e-6)),
                      max(1, math.ceil(h * image_scale - 1e-6)))
        small = cv2.resize(crop, small_size, interpolation=cv2.INTER_AREA)
        hole = cv2.resize(region, small_size, interpolation=cv2.INTER_AREA) == 0
        # Pixels the mask hides take the colour of the nearest ink: flat areas cost no bytes.
        data = _jpeg(_fill_text(small, hole), options.foreground_quality)
        stencil = _stencil(pdf, mask)
        size += len(data) + len(stencil.read_raw_bytes())
        xobjects[f"/Fg{n}"] = pdf.make_stream(
            data,
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=small.shape[1],
            Height=small.shape[0],
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
            # An explicit 1-bit mask (not an /SMask): PDF/A-1 allows it, no transparency group.
            Mask=stencil,
        )
        ops.append(f"q {place} /Fg{n} Do Q".encode())
    return ops, size, len(boxes)


def _palette(pdf: pikepdf.Pdf, crop: np.ndarray, region: np.ndarray, mask: np.ndarray, n: int,
             place: str, xobjects: pikepdf.Dictionary) -> tuple[list[bytes], int]:
    """A region as flat colours: red-ish and blue-ish ink apart, each a G4 stencil."""
    b, g, r = (c.astype(np.int16) for c in cv2.split(crop))
    reddish = ((r > b) & (region > 0)).astype(np.uint8) * 255
    ops, size = [], 0
    for k, part in enumerate((reddish, cv2.bitwise_and(region, cv2.bitwise_not(reddish)))):
        pixels = crop[part > 0]
        if len(pixels) == 0:
            continue
        red, green, blue = _ink_colour(pixels)
        scaled = _at_dpi(part, mask.shape[1] / region.shape[1])
        stencil = _stencil(pdf, scaled)
        size += len(stencil.read_raw_bytes())
        xobjects[f"/Fp{n}_{k}"] = stencil
        ops.append(f"q {red:.3f} {green:.3f} {blue:.3f} rg {place} /Fp{n}_{k} Do Q".encode())
    return ops, size


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
    scan_dpi: float | None = None,
) -> ComposedPage:
    """Write a one-page PDF of the page image in layers and report the layer sizes.

    `dpi` is the resolution of the given images; `scan_dpi` the resolution the page was scanned
    at (None: the same). No image layer is written above the scan's resolution: a page the
    pipeline upsampled for recognition is written back at what was scanned.
    """
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
    scan_dpi = min(dpi, scan_dpi or dpi)
    ink = (colour_ink(archive_bgr, mask, dpi, options)
           if options.foreground != FOREGROUND_NONE else None)
    hole = mask if ink is None else cv2.bitwise_or(mask, ink)
    kind, bg = _background(archive_bgr, hole, dpi, options, scan_dpi)
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
    fg_bytes = regions = 0
    if ink is not None and ink.any():
        fg_ops, fg_bytes, regions = _foreground(
            pdf, archive_bgr, ink, dpi, scan_dpi, height, options, xobjects
        )
        ops += fg_ops
    mask_bytes = 0
    if has_ink:
        xobjects.Tx = _stencil(pdf, _at_dpi(mask, scan_dpi / dpi))
        mask_bytes = len(xobjects.Tx.read_raw_bytes())
        grey = f"{options.ink_grey:.3f}"
        place = f"{width:.4f} 0 0 {height:.4f} 0 0 cm"
        ops.append(f"q {grey} {grey} {grey} rg {place} /Tx Do Q".encode())
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
        text_bytes=max(0, total - bg_bytes - mask_bytes - fg_bytes),
        total_bytes=total,
        has_text=text_pdf is not None,
        seconds=time.perf_counter() - start,
        foreground_bytes=fg_bytes,
        foreground_regions=regions,
    )
