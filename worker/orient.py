"""Page orientation 0/90/180/270: text-line direction, ink asymmetry of lines, Tesseract OSD."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from models.errors import ExternalToolError
from worker.deskew import MIN_POINTS, find_skew, profile, rotated_points
from worker.tools.tesseract import detect_orientation

log = logging.getLogger(__name__)

# Lines must be clearly sharper across the other axis before a page is turned by 90 degrees:
# a wrong turn of an upright page is worse than leaving a rotated page unturned.
_DIRECTION_RATIO = 1.3
# Below this ascender/descender asymmetry the 0/180 decision is left to OSD.
_ASYM_SURE = 0.12
_OSD_MIN_CONFIDENCE = 2.0


@dataclass(frozen=True)
class Orientation:
    """Clockwise rotation making the page upright, text skew after it, and how it was decided."""

    rotation: int
    skew: float
    method: str
    asymmetry: float
    direction_ratio: float


def line_asymmetry(band: np.ndarray) -> float:
    """Return (ink above x-height cores - ink below) / both: > 0 for upright Latin text."""
    if band.size < 8 or band.max() <= 0:
        return 0.0
    smooth = np.convolve(band, np.ones(3) / 3.0, mode="same")
    core = smooth >= 0.4 * np.percentile(smooth[smooth > 0], 90)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], core.astype(np.int8), [0]))))
    starts, ends = edges[0::2], edges[1::2]
    if starts.size < 2:
        return 0.0
    above = below = 0.0
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        # Ink between two cores is split at the midpoint of the gap.
        top = (ends[i - 1] + s) // 2 if i > 0 else max(0, s - (e - s))
        bottom = (e + starts[i + 1]) // 2 if i + 1 < starts.size else min(band.size, e + (e - s))
        above += float(band[top:s].sum())
        below += float(band[e:bottom].sum())
    total = above + below
    return (above - below) / total if total > 0 else 0.0


def estimate(
    points: np.ndarray, max_skew: float, *, detect: bool
) -> tuple[Orientation, np.ndarray]:
    """Decide rotation and skew from ink points; also return the points in upright geometry."""
    if points.shape[0] < MIN_POINTS:
        return Orientation(0, 0.0, "blank", 0.0, 0.0), points
    level = find_skew(points, max_skew)
    if not detect:
        return Orientation(0, level.angle, "off", 0.0, 0.0), points
    turned = rotated_points(points)
    across = find_skew(turned, max_skew)
    ratio = across.score / level.score if level.score > 0 else 0.0
    rotation, skew, pts = 0, level.angle, points
    if ratio > _DIRECTION_RATIO:
        rotation, skew, pts = 90, across.angle, turned
    asym = line_asymmetry(profile(pts, skew))
    if asym < 0:
        rotation = (rotation + 180) % 360
        # Turning by 180 degrees keeps the line angle: (x, y) -> (-x, -y).
        pts = -pts
    method = "lines" if abs(asym) >= _ASYM_SURE else "uncertain"
    return Orientation(rotation, skew, method, asym, ratio), pts


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
