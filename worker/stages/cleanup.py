"""Clean-up stage of a scanned page: orientation, deskew, borders, paper flattening, ink layers."""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from worker.stages import paper as pp
from worker.stages.deskew import text_points
from worker.stages.orient import estimate, osd_rotation, settle_with_osd

_OSD_DPI = 150.0


@dataclass(frozen=True)
class CleanOptions:
    """How a page is cleaned; the defaults suit mailroom scans."""

    detect_orientation: bool = True
    # Ask Tesseract OSD only when the ink-asymmetry test cannot tell upright from upside down.
    use_osd: bool = True
    max_skew: float = 10.0
    osd_timeout: float = 30.0
    work_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))


@dataclass(frozen=True)
class CleanedPage:
    """Cleaned page images (same shape), the rotation and skew applied, and stage timings."""

    ocr_image: np.ndarray
    archive_image: np.ndarray
    text_mask: np.ndarray
    rotation: int
    skew: float
    timings: dict[str, float]


def _turn_matrix(shape: tuple[int, int], degrees_cw: float, swap: bool) -> np.ndarray:
    """Return the affine matrix turning an image clockwise about its centre (one warp)."""
    h, w = shape
    out_w, out_h = (h, w) if swap else (w, h)
    rad = math.radians(degrees_cw)
    c, s = math.cos(rad), math.sin(rad)
    # y axis points down, so this matrix turns clockwise as displayed.
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    ox, oy = (out_w - 1) / 2.0, (out_h - 1) / 2.0
    return np.array([[c, -s, ox - c * cx + s * cy], [s, c, oy - s * cx - c * cy]], dtype=np.float64)


def _warp(img: np.ndarray, rotation: int, skew: float, fill: tuple[int, ...]) -> np.ndarray:
    """Turn `img` by rotation + skew degrees clockwise; exact for right angles without skew."""
    if abs(skew) < 0.05:
        if rotation == 0:
            return img
        code = {
            90: cv2.ROTATE_90_CLOCKWISE,
            180: cv2.ROTATE_180,
            270: cv2.ROTATE_90_COUNTERCLOCKWISE,
        }
        return cv2.rotate(img, code[rotation])
    swap = rotation in (90, 270)
    matrix = _turn_matrix(img.shape[:2], rotation + skew, swap)
    h, w = img.shape[:2]
    size = (h, w) if swap else (w, h)
    value = fill if img.ndim == 3 else (fill[0],)
    return cv2.warpAffine(
        img,
        matrix,
        size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=value,
    )


def _paint(img: np.ndarray, small_mask: np.ndarray, colour: tuple[int, ...]) -> np.ndarray:
    """Return a copy of `img` with the (upsampled) mask area painted in `colour`."""
    h, w = img.shape[:2]
    keep = cv2.resize(cv2.bitwise_not(small_mask), (w, h), interpolation=cv2.INTER_NEAREST)
    channels = img.shape[2] if img.ndim == 3 else 1
    # cv2.merge of constant planes is far faster than broadcasting a colour in NumPy.
    planes = [np.full((h, w), c, np.uint8) for c in colour[:channels]]
    fill = cv2.merge(planes) if channels > 1 else planes[0]
    return cv2.copyTo(img, keep, fill)


def _osd_image(ocr: np.ndarray, dpi: float) -> np.ndarray:
    """Return the OCR image at about 150 dpi for Tesseract's orientation detection."""
    scale = min(1.0, _OSD_DPI / dpi)
    if scale >= 1.0:
        return ocr
    return cv2.resize(ocr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def clean_page(bgr: np.ndarray, dpi: int, options: CleanOptions) -> CleanedPage:
    """Clean one scanned page (BGR or grey uint8) for recognition, archive and the text layer."""
    if bgr.dtype != np.uint8 or bgr.ndim not in (2, 3) or min(bgr.shape[:2]) < 16:
        raise ValueError(f"expected an 8-bit page image, got {bgr.dtype} {bgr.shape}")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if bgr.ndim == 3 and bgr.shape[2] == 4:
        bgr = cv2.cvtColor(bgr, cv2.COLOR_BGRA2BGR)
    grey_input = bgr.ndim == 2 or bgr.shape[2] == 1
    if bgr.ndim == 3 and bgr.shape[2] == 1:
        bgr = bgr[:, :, 0]
    scale = min(1.0, pp.ANALYSIS_DPI / dpi)
    adpi = dpi * scale
    small = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    light_s = pp.max_channel(small)
    border_s = pp.border_mask(light_s, adpi)
    paper = pp.paper_colour(small, light_s, border_s)
    # Borders are painted as paper before any measurement, so they cannot pose as ink.
    light_s = np.where(border_s > 0, np.uint8(max(paper)), light_s)
    level_s = pp.paper_level(light_s, adpi)
    white = pp.white_point(light_s, level_s, border_s)
    ink_s = pp.analysis_ink(pp.flatten(light_s, level_s, white))
    timings["analyse"] = time.perf_counter() - t0

    t = time.perf_counter()
    found = estimate(
        text_points(ink_s, adpi), adpi, options.max_skew, detect=options.detect_orientation
    )
    timings["orient"] = time.perf_counter() - t

    t = time.perf_counter()
    source = _paint(bgr, border_s, paper) if border_s.any() else bgr
    archive = _warp(source, found.rotation, found.skew, paper)
    level_u = _warp(level_s, found.rotation, found.skew, (max(paper),))
    timings["warp"] = time.perf_counter() - t

    t = time.perf_counter()
    if grey_input:
        light, colour = archive, None
    else:
        light, colour = pp.light_and_chroma(archive)
    flat = pp.flatten(light, level_u, white)
    timings["flatten"] = time.perf_counter() - t

    t = time.perf_counter()
    mask = pp.ink_mask(flat, light, colour)
    mask = pp.remove_speckles(mask, dpi)
    ocr = pp.ocr_image(flat, mask, dpi)
    timings["mask"] = time.perf_counter() - t

    if grey_input:
        archive = cv2.cvtColor(archive, cv2.COLOR_GRAY2BGR)
    if options.detect_orientation and options.use_osd and found.method == "uncertain":
        t = time.perf_counter()
        osd = osd_rotation(_osd_image(ocr, dpi), options.work_dir, options.osd_timeout)
        settled = settle_with_osd(found, osd)
        timings["osd"] = time.perf_counter() - t
        if settled.rotation != found.rotation:
            ocr, archive, mask = (cv2.rotate(a, cv2.ROTATE_180) for a in (ocr, archive, mask))
            found = settled
    timings["total"] = time.perf_counter() - t0
    return CleanedPage(ocr, archive, mask, found.rotation, found.skew, timings)


__all__ = ["CleanOptions", "CleanedPage", "clean_page"]
