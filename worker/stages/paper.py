"""Paper and ink: scanner borders, paper colour and lighting, dark uncoloured text ink."""

from __future__ import annotations

import cv2
import numpy as np

# Analysis resolution: enough for 10-pt text lines, small enough to be cheap.
ANALYSIS_DPI = 100.0
# Border pixels are far darker than the paper; text strokes are thinner than this (inches).
_BORDER_DARK = 0.55
_STROKE_IN = 0.06
_BORDER_MIN_AREA_IN2 = 0.01
# Window for the paper level: wider than the widest stroke of heading text (inches).
_PAPER_WINDOW_IN = 0.15
_SMOOTH_IN = 0.3
# Flattened max-channel level below which a pixel is ink (paper is 255).
_INK_LEVEL = 165
# Coloured ink (seal, ballpoint): strong chroma while not nearly black. Black toner over red
# ink stays dark in every channel, so it keeps a low maximum and is kept as text.
_CHROMA = 55
_COLOUR_MIN_LIGHT = 80
# Speckles: connected ink smaller than this at 300 dpi (pixels, about 0.25 mm2) with no
# larger ink within the reach (pixels, about 1 mm); dots and accents sit closer to their letter.
_SPECKLE_AREA_300 = 32
_SPECKLE_REACH_300 = 12


def max_channel(bgr: np.ndarray) -> np.ndarray:
    """Return the per-pixel maximum of B, G, R: red and blue ink look like paper, black stays."""
    if bgr.ndim == 2:
        return bgr
    b, g, r = cv2.split(bgr)
    return cv2.max(cv2.max(b, g), r)


def light_and_chroma(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return max(B,G,R) and max - min: chroma is zero for grey, large for seals and blue ink."""
    b, g, r = cv2.split(bgr)
    light = cv2.max(cv2.max(b, g), r)
    return light, cv2.subtract(light, cv2.min(cv2.min(b, g), r))


def _odd(size: float) -> int:
    """Return an odd kernel size of at least 3 pixels."""
    return max(3, int(round(size)) | 1)


def border_mask(light: np.ndarray, dpi: float) -> np.ndarray:
    """Return 0/255 mask of dark regions touching the image edge (scanner lid, page shadows)."""
    paper = float(np.percentile(light[::4, ::4], 90))
    # Opening removes text strokes so text near the edge is never taken for border.
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(_STROKE_IN * dpi),) * 2)
    dark = cv2.morphologyEx((light < _BORDER_DARK * paper).astype(np.uint8), cv2.MORPH_OPEN, k)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=4)
    h, w = dark.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    x2 = x + stats[:, cv2.CC_STAT_WIDTH]
    y2 = y + stats[:, cv2.CC_STAT_HEIGHT]
    edge = (x == 0) | (y == 0) | (x2 == w) | (y2 == h)
    big = stats[:, cv2.CC_STAT_AREA] >= _BORDER_MIN_AREA_IN2 * dpi * dpi
    keep = edge & big
    keep[0] = False
    if count <= 1 or not keep.any():
        return np.zeros_like(dark)
    mask = (keep[labels] * 255).astype(np.uint8)
    # Cover the blurred transition between border and paper as well.
    return cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=2)


def paper_colour(small_bgr: np.ndarray, light: np.ndarray, border: np.ndarray) -> tuple[int, ...]:
    """Return the median BGR colour of paper pixels (bright, outside the border)."""
    sel = (light[::2, ::2] >= np.percentile(light[::2, ::2], 60)) & (border[::2, ::2] == 0)
    if small_bgr.ndim == 2:
        value = int(np.median(small_bgr[::2, ::2][sel])) if sel.any() else 255
        return (value, value, value)
    if not sel.any():
        return (255, 255, 255)
    pix = small_bgr[::2, ::2][sel]
    return tuple(int(v) for v in np.median(pix, axis=0))


def paper_level(light: np.ndarray, dpi: float) -> np.ndarray:
    """Return the smooth local paper brightness (uint8) at a quarter of the analysis size."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_odd(_PAPER_WINDOW_IN * dpi),) * 2)
    # A light blur first so that the maximum is not taken from noise peaks.
    level = cv2.dilate(cv2.blur(light, (3, 3)), k)
    # The level varies slowly: a coarse grid is enough and makes the median cheap.
    level = cv2.resize(level, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    # Median removes dips left inside large dark areas (bold headings, filled logos).
    level = cv2.medianBlur(level, 5)
    s = _odd(_SMOOTH_IN * dpi / 4)
    return np.maximum(cv2.GaussianBlur(level, (s, s), 0), 1)


def flatten(light: np.ndarray, level: np.ndarray, white: float) -> np.ndarray:
    """Divide by the paper level (upsampled to `light`) and stretch so paper becomes 255."""
    h, w = light.shape
    level_full = cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)
    # Scale chosen so that a pixel at `white` times the paper level maps to 255.
    return cv2.divide(light, level_full, scale=255.0 / max(0.5, white))


def white_point(light: np.ndarray, level: np.ndarray, border: np.ndarray) -> float:
    """Return the typical paper/level ratio, so flattened paper lands at white, not grey."""
    h, w = light.shape
    level = cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)
    ratio = light.astype(np.float32) / np.maximum(level, 1).astype(np.float32)
    sel = (border == 0) & (ratio > 0.6)
    if not sel.any():
        return 1.0
    # Median of bright pixels, slightly lowered: noisy paper must still come out white.
    return float(np.clip(np.median(ratio[sel]) - 0.04, 0.6, 1.0))


def analysis_ink(flat_small: np.ndarray) -> np.ndarray:
    """Return a 0/1 ink image from a flattened low-resolution image (dark, uncoloured)."""
    return (flat_small < 170).astype(np.uint8)


def ink_mask(flat: np.ndarray, light: np.ndarray, colour: np.ndarray | None) -> np.ndarray:
    """Return 0/255 dark uncoloured ink from the flattened image and the chroma image."""
    _, mask = cv2.threshold(flat, _INK_LEVEL - 1, 255, cv2.THRESH_BINARY_INV)
    if colour is not None:
        _, saturated = cv2.threshold(colour, _CHROMA, 255, cv2.THRESH_BINARY)
        _, not_black = cv2.threshold(light, _COLOUR_MIN_LIGHT, 255, cv2.THRESH_BINARY)
        mask = cv2.bitwise_and(mask, cv2.bitwise_not(cv2.bitwise_and(saturated, not_black)))
    return mask


def remove_speckles(mask: np.ndarray, dpi: float) -> np.ndarray:
    """Remove small ink blobs far from any larger ink: speckle, not dots of i or diacritics."""
    # Components are labelled at half size (any ink in a 2x2 block): four times cheaper.
    h, w = mask.shape
    half = cv2.resize(mask, ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA)
    _, half = cv2.threshold(half, 0, 255, cv2.THRESH_BINARY)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(half, connectivity=8)
    if count <= 1:
        return mask
    scale = dpi / 300.0
    small = stats[:, cv2.CC_STAT_AREA] < max(2.0, _SPECKLE_AREA_300 / 4.0 * scale * scale)
    small[0] = False
    if not small.any():
        return mask
    big = np.where(small, 0, 255).astype(np.uint8)
    big[0] = 0
    r = max(1, int(round(_SPECKLE_REACH_300 / 2.0 * scale)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    near = cv2.dilate(big[labels], kernel)
    # A small blob touching the neighbourhood of a character belongs to it (accent, i-dot).
    touched = np.bincount(labels[near > 0], minlength=count) > 0
    lut = np.where(small & ~touched, 255, 0).astype(np.uint8)
    speckle = cv2.resize(lut[labels], (w, h), interpolation=cv2.INTER_NEAREST)
    return cv2.bitwise_and(mask, cv2.bitwise_not(speckle))


def ocr_image(flat: np.ndarray, mask: np.ndarray, dpi: float) -> np.ndarray:
    """Return the flattened grey image, white everywhere except near kept text ink."""
    # Keeping a small halo preserves anti-aliased stroke edges that help recognition.
    r = max(1, int(round(dpi / 300.0)))
    near = cv2.dilate(mask, np.ones((2 * r + 1, 2 * r + 1), np.uint8))
    return cv2.max(flat, cv2.bitwise_not(near))
