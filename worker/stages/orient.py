"""Page orientation 0/90/180/270: text-line direction, ink asymmetry of lines, Tesseract OSD."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from infra.tools.tesseract import detect_orientation
from models.errors import ExternalToolError
from worker.stages.deskew import MIN_POINTS, find_skew, peakedness, profile, rotated_points

log = logging.getLogger(__name__)

# Lines must be clearly sharper across the other axis before a page is turned by 90 degrees:
# a wrong turn of an upright page is worse than leaving a rotated page unturned.
# Measured on 100 real pages: upright pages stay below 0.6, turned ones above 1.7.
_DIRECTION_RATIO = 1.25
_DIRECTION_SURE = 0.8
# Below this ascender/descender asymmetry the 0/180 decision is left to OSD
# (upright real pages measured 0.25 and above, median 0.43).
_ASYM_SURE = 0.12
# Cores are compared with the densest line within this distance (inches).
_LOCAL_IN = 0.3
_OSD_MIN_CONFIDENCE = 2.0


@dataclass(frozen=True)
class Orientation:
    """Clockwise rotation making the page upright, text skew after it, and how it was decided."""

    rotation: int
    skew: float
    method: str
    asymmetry: float
    direction_ratio: float


def line_asymmetry(band: np.ndarray, dpi: float) -> float:
    """Return (ink just above x-height cores - ink just below) / both: > 0 for upright text."""
    if band.size < 8 or band.max() <= 0:
        return 0.0
    smooth = np.convolve(band, np.ones(3) / 3.0, mode="same").astype(np.float32)
    # Cores are judged against nearby lines, so sparse lines (signatures, lists) count too.
    win = max(3, int(round(_LOCAL_IN * dpi)) | 1)
    local = cv2.dilate(smooth.reshape(-1, 1), np.ones((win, 1), np.uint8)).ravel()
    floor = 0.15 * float(np.percentile(smooth[smooth > 0], 95))
    core = (smooth >= 0.5 * local) & (local > floor)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], core.astype(np.int8), [0]))))
    starts, ends = edges[0::2], edges[1::2]
    above = below = 0.0
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        # Look one core height beyond each core edge, never past the middle of the gap.
        h = max(2, int(e - s))
        top = max(s - h, (ends[i - 1] + s) // 2 if i > 0 else 0)
        bottom = min(e + h, (e + starts[i + 1]) // 2 if i + 1 < starts.size else band.size)
        above += float(band[top:s].sum())
        below += float(band[e:bottom].sum())
    total = above + below
    return (above - below) / total if total > 0 else 0.0


def estimate(points: np.ndarray, dpi: float, max_skew: float, *, detect: bool) -> Orientation:
    """Decide the clockwise rotation and the remaining skew from page-centred ink points."""
    if points.shape[0] < MIN_POINTS:
        return Orientation(0, 0.0, "blank", 0.0, 0.0)
    level = find_skew(points, max_skew)
    if not detect:
        return Orientation(0, level.angle, "off", 0.0, 0.0)
    turned = rotated_points(points)
    across = find_skew(turned, max_skew)
    # Peakedness, unlike the raw score, does not favour the longer side of the page.
    level_peak = peakedness(points, level.angle)
    ratio = peakedness(turned, across.angle) / level_peak if level_peak > 0 else 0.0
    rotation, skew, pts = 0, level.angle, points
    if ratio > _DIRECTION_RATIO:
        rotation, skew, pts = 90, across.angle, turned
    asym = line_asymmetry(profile(pts, skew), dpi)
    if asym < 0:
        # Turning by 180 degrees keeps the line angle: (x, y) -> (-x, -y).
        rotation = (rotation + 180) % 360
    sure = abs(asym) >= _ASYM_SURE and not _DIRECTION_SURE <= ratio <= _DIRECTION_RATIO
    method = "lines" if sure else "uncertain"
    return Orientation(rotation, skew, method, asym, ratio)


def osd_rotation(binary: np.ndarray, work_dir: Path, timeout: float) -> tuple[int, float] | None:
    """Run Tesseract OSD on a white-paper binary image; return (clockwise turn, confidence)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / f"osd-{id(binary):x}.png"
    cv2.imwrite(str(path), binary)
    try:
        found = detect_orientation(path, timeout=timeout)
    except ExternalToolError as exc:
        log.warning("orientation detection failed: %s", exc.message)
        return None
    finally:
        path.unlink(missing_ok=True)
    if found is None:
        return None
    return found.rotate, found.confidence


def settle_with_osd(found: Orientation, osd: tuple[int, float] | None) -> Orientation:
    """Combine the image heuristic with OSD run on the page already turned by `found`."""
    if osd is None or osd[1] < _OSD_MIN_CONFIDENCE:
        return found
    extra, _conf = osd
    if extra not in (0, 180):
        # The line-direction test is far more reliable than OSD's 90-degree answers.
        return found
    return Orientation(
        (found.rotation + extra) % 360, found.skew, "osd", found.asymmetry, found.direction_ratio
    )
