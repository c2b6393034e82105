"""Skew and text-line direction from ink points: projection profiles, coarse to fine."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Components larger than this (inches) are rules, tables, photos or border remnants, not text.
_MAX_SIDE_IN = 1.8
_MAX_SHORT_SIDE_IN = 0.35
_COARSE_STEP = 0.5
_FINE_STEP = 0.05
# Fewer ink points than this: no text to measure (blank or almost blank page).
MIN_POINTS = 400


@dataclass(frozen=True)
class Skew:
    """Best text-line angle (degrees, counter-clockwise as displayed) and its profile score."""

    angle: float
    score: float


def text_points(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Return (N, 2) float32 x, y of ink pixels in character-sized components, page-centred."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w = stats[:, cv2.CC_STAT_WIDTH]
    h = stats[:, cv2.CC_STAT_HEIGHT]
    area = stats[:, cv2.CC_STAT_AREA]
    long_side = np.maximum(w, h)
    short_side = np.minimum(w, h)
    keep = (
        (long_side <= _MAX_SIDE_IN * dpi)
        & (short_side <= _MAX_SHORT_SIDE_IN * dpi)
        # Single pixels are mostly noise; they only blur the profile.
        & (area >= 2)
    )
    keep[0] = False
    if count > 1 and not keep.all():
        ys, xs = np.nonzero(keep[labels])
    else:
        ys, xs = np.nonzero(ink)
    pts = np.empty((xs.size, 2), np.float32)
    pts[:, 0] = xs - ink.shape[1] / 2.0
    pts[:, 1] = ys - ink.shape[0] / 2.0
    return pts


def profile(points: np.ndarray, angle: float) -> np.ndarray:
    """Return the ink count per 1-pixel row band across lines at `angle` (CCW degrees)."""
    rad = np.deg2rad(angle)
    proj = points[:, 0] * np.float32(np.sin(rad)) + points[:, 1] * np.float32(np.cos(rad))
    idx = np.rint(proj - proj.min()).astype(np.int64) if proj.size else proj.astype(np.int64)
    return np.bincount(idx).astype(np.float64)


def peakedness(points: np.ndarray, angle: float) -> float:
    """Return mean(p^2) / mean(p)^2 of the profile over its ink extent: about 1 when flat."""
    band = profile(points, angle)
    if band.sum() <= 0:
        return 0.0
    # The extent is trimmed so that a stray mark far away does not lengthen it.
    cum = np.cumsum(band) / band.sum()
    lo, hi = int(np.searchsorted(cum, 0.01)), int(np.searchsorted(cum, 0.99))
    core = band[lo : hi + 1]
    return float((core * core).sum() * core.size / core.sum() ** 2)


def _scores(points: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Return the Postl score (sum of squared band counts) for each angle."""
    rad = np.deg2rad(angles).astype(np.float32)
    # One matrix product for all angles: N x A projected coordinates.
    proj = points[:, 0:1] * np.sin(rad)[None, :] + points[:, 1:2] * np.cos(rad)[None, :]
    proj -= proj.min(axis=0, keepdims=True)
    idx = np.rint(proj).astype(np.int64)
    height = int(idx.max()) + 1
    # Offset every angle into its own bin range so one bincount serves all of them.
    flat = idx + (np.arange(angles.size, dtype=np.int64) * height)[None, :]
    counts = np.bincount(flat.ravel(), minlength=height * angles.size).astype(np.float64)
    counts = counts.reshape(angles.size, height)
    return (counts * counts).sum(axis=1) / max(1, points.shape[0])


def find_skew(points: np.ndarray, max_skew: float) -> Skew:
    """Return the text-line angle within +-max_skew with the sharpest line profile."""
    if points.shape[0] < MIN_POINTS:
        return Skew(0.0, 0.0)
    # Subsample big point sets: the coarse stage only has to land within one step.
    coarse_pts = points[:: max(1, points.shape[0] // 15000)]
    limit = max_skew + _COARSE_STEP
    coarse = np.arange(-limit, limit + 1e-9, _COARSE_STEP)
    scores = _scores(coarse_pts, coarse)
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - _COARSE_STEP, best + _COARSE_STEP + 1e-9, _FINE_STEP)
    fine_scores = _scores(points[:: max(1, points.shape[0] // 40000)], fine)
    i = int(np.argmax(fine_scores))
    # Parabolic refinement between fine steps; the score is smooth near its peak.
    angle = float(fine[i])
    if 0 < i < fine.size - 1:
        a, b, c = fine_scores[i - 1], fine_scores[i], fine_scores[i + 1]
        denom = a - 2 * b + c
        if denom < 0:
            angle += float(0.5 * (a - c) / denom) * _FINE_STEP
    angle = float(np.clip(angle, -max_skew, max_skew))
    return Skew(angle, float(fine_scores[i]))


def rotated_points(points: np.ndarray) -> np.ndarray:
    """Return the points turned by 90 degrees clockwise as displayed (y axis pointing down)."""
    out = np.empty_like(points)
    out[:, 0] = -points[:, 1]
    out[:, 1] = points[:, 0]
    return out
