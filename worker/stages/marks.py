"""Stamps on a scanned page: found in colour (and black ones in the top), read as dark ink on white,
one Tesseract run.

The clean-up removes coloured ink from the image Tesseract reads (worker/stages/paper.py `ink_mask`), so
that black text under a red seal or a blue signature survives. Red rubber stamps — secrecy `MẬT`,
urgency `KHẨN`/`HỎA TỐC`, the `CÔNG VĂN ĐẾN` register box — go with it. This module finds them
again in the colour page and reads them on their own:

1. At about 75 dpi (sampled), colour ink is chroma (max - min channel) that is not near black, split into
   red and blue/purple by hue (yellowed paper and green are not ink of a stamp).
2. Ink of one hue is joined over a few millimetres into clusters; a cluster is stamp-like when it
   is of stamp size, not round (the signature seal) and, for blue ink, drawn in a rectangular
   frame (a blue cluster without a frame is a signature or handwriting). Red clusters without a
   frame are kept (a `HỎA TỐC` stamp may be text only).
3. Black stamps are looked for in the top of the page (`find_black_stamps`): a dark outline the
   size of a secrecy or urgency mark with words inside, or a line of words tilted against the
   page's level lines. The OCR image has them, but read as noise when tilted or framed.
4. Each kept region is cut from the full-resolution page with all its colour ink (the blue
   handwritten number inside a red register box included) as dark on white, black toner left
   out (a black stamp: its dark ink inside its outline or line), turned upright when the stamp
   was struck at an angle, its outline erased (Tesseract reads nothing inside a tight outline,
   `erase_frames`), and the crops are stacked into one image with white gaps: one Tesseract run
   per page, whatever the number of stamps.

A page without colour ink costs one small resize and a threshold.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from infra.tools import tesseract
from models.errors import ExternalToolError
from models.result import Mark, Word
from worker.stages.ocr import parse_tsv
from worker.stages.paper import light_and_chroma

log = logging.getLogger(__name__)

FIND_DPI = 75.0
# Colour ink at the finding resolution: chroma at least this, max channel at least the second
# (black toner over red stays dark in every channel and is text, not stamp).
_CHROMA_FIND = 45
# Fainter colour (a worn purple stamp, chroma washed out by JPEG) is looked for too; what it finds
# is not read, only reported, so that "no stamp" is not claimed where one may be.
_CHROMA_FAINT = 25
_LIGHT_MIN = 70
# A page whose chroma never reaches this carries no colour information (grey or bitonal scan).
_COLOUR_PAGE = 12
# Ink of one hue closer than this (mm) is one cluster.
_JOIN_MM = 2.5
# Stamp size (mm): the longer side at least, both sides at most; ink pixels at least (mm2).
_MIN_LONG_MM = 10.0
_MIN_SHORT_MM = 3.5
_MAX_LONG_MM = 110.0
_MAX_SHORT_MM = 70.0
_MIN_INK_MM2 = 6.0
# A round seal: convex hull this close to a circle, and this large.
_ROUND = 0.86
_SEAL_MIN_MM = 22.0
# Reading: crops at this dpi, this much margin (mm), this much white between them (px).
READ_DPI = 300
_MARGIN_MM = 1.5
_GAP_PX = 60
_MAX_REGIONS = 12
# Chroma that counts as full ink when a crop is rendered as dark on white.
_CHROMA_LO, _CHROMA_HI = 30.0, 110.0


@dataclass(frozen=True)
class Region:
    """A stamp-like colour region: page-pixel box, ink colour, frame, tilt of its ink (degrees)."""

    bbox: tuple[int, int, int, int]
    colour: str
    frame: bool
    angle: float
    # Where its ink may be, at the finding resolution over `bbox`: bit 1 red, bit 2 blue. The
    # region's own joined cluster, and clusters of the other ink inside it (a handwritten number
    # in a register box); another stamp that only overlaps it is left out.
    footprint: np.ndarray | None = field(default=None, repr=False)
    read: bool = True  # False: reported as possible stamp ink, not read


@dataclass(frozen=True)
class MarksFound:
    """What the colour search found on a page and read; `checked` False for a grey page."""

    marks: list[Mark]
    checked: bool
    timings: dict[str, float]


_BIT = {"red": 1, "blue": 2}


def _hue_classes(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: red, blue/purple (boolean each), ignoring chroma and lightness."""
    hue = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV_FULL)[:, :, 0]  # 0-255 around the circle
    return (hue <= 10) | (hue >= 225), (hue >= 140) & (hue < 225)


def _hue_masks(small: np.ndarray, threshold: int = _CHROMA_FIND) -> tuple[dict[str, np.ndarray],
                                                                          int]:
    """0/255 masks of red and blue/purple ink at the finding resolution, and the page's top chroma."""
    light, chroma = light_and_chroma(small)
    top = int(chroma.max()) if chroma.size else 0
    ink = (chroma >= threshold) & (light >= _LIGHT_MIN)
    if not ink.any():
        return {}, top
    red, blue = _hue_classes(small)
    red, blue = ink & red, ink & blue
    return {"red": red.astype(np.uint8) * 255, "blue": blue.astype(np.uint8) * 255}, top


def _label(joined: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected components of a mask, labelled only over the box that holds its ink (a page's
    colour is a few small spots: labelling the whole page costs several times more)."""
    x, y, w, h = cv2.boundingRect(joined)
    labels = np.zeros(joined.shape, np.int32)
    if w == 0 or h == 0:
        return 1, labels, np.zeros((1, 5), np.int32)
    count, sub, stats, _ = cv2.connectedComponentsWithStats(joined[y:y + h, x:x + w],
                                                            connectivity=8)
    labels[y:y + h, x:x + w] = sub
    stats[:, 0] += x
    stats[:, 1] += y
    return count, labels, stats


def _is_frame(ink: np.ndarray, mm: float) -> bool:
    """True when a cluster is drawn in a (possibly tilted) rectangular outline: ink along most of
    the four sides of its smallest enclosing rectangle."""
    pts = cv2.findNonZero(ink)
    if pts is None or len(pts) < 10:
        return False
    box = cv2.boxPoints(cv2.minAreaRect(pts)).round().astype(np.int32)
    outline = np.zeros_like(ink)
    cv2.polylines(outline, [box], True, 255, thickness=max(1, int(round(0.6 * mm))))
    near = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    total = cv2.countNonZero(outline)
    return total > 0 and cv2.countNonZero(cv2.bitwise_and(near, outline)) >= 0.7 * total


def _roundness(comp: np.ndarray) -> float:
    """4*pi*area / perimeter^2 of the cluster's convex hull: 1 for a disc, 0.785 for a square."""
    pts = cv2.findNonZero(comp)
    if pts is None or len(pts) < 5:
        return 0.0
    hull = cv2.convexHull(pts)
    perim = cv2.arcLength(hull, True)
    return 4 * math.pi * cv2.contourArea(hull) / (perim * perim) if perim > 0 else 0.0


def _tilt(ink: np.ndarray) -> float:
    """The angle (degrees, -45..45, clockwise positive in image terms) of the ink's long side."""
    pts = cv2.findNonZero(ink)
    if pts is None or len(pts) < 10:
        return 0.0
    (_, _), (w, h), a = cv2.minAreaRect(pts)
    if w < h:
        a -= 90.0
    while a > 45:
        a -= 90.0
    while a < -45:
        a += 90.0
    return float(a)


def find_regions(bgr: np.ndarray, dpi: float) -> tuple[list[Region], bool]:
    """Stamp-like colour regions of a page (boxes in its pixels), and whether it is a colour page."""
    if bgr.ndim != 3 or bgr.shape[2] != 3:
        return [], False
    scale = min(1.0, FIND_DPI / dpi)
    # Bilinear sampling, not area averaging: eight times cheaper, and a stamp's strokes (0.5 mm
    # and more) are wider than the sampling step, so their chroma is not diluted by paper.
    small = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    masks, top = _hue_masks(small)
    if top < _COLOUR_PAGE:
        return [], False
    mm = FIND_DPI / 25.4 if scale < 1.0 else dpi / 25.4  # finding pixels per mm
    join = max(3, int(round(_JOIN_MM * mm)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (join, join))
    found: list[tuple[Region, np.ndarray]] = []  # with its joined cluster at finding scale
    seals: list[tuple[int, int, int, int]] = []
    unread: list[Region] = []
    for c in _stamp_sized(masks, kernel, mm, scale):
        if c.short_mm >= _SEAL_MIN_MM and _roundness(c.ink) >= _ROUND:
            seals.append(c.box)  # the round seal over the signature
            continue
        frame = _is_frame(c.ink, mm)
        if c.colour == "blue" and not frame:
            # A signature, a handwritten note, or a register box whose frame is broken:
            # reported, not read.
            unread.append(Region(c.box, c.colour, frame, 0.0, read=False))
            continue
        x, y, w, h = c.xywh
        cluster = np.zeros(small.shape[:2], np.uint8)
        cluster[y:y + h, x:x + w][c.inside] = _BIT[c.colour]
        found.append((Region(c.box, c.colour, frame, _tilt(c.ink)), cluster))
    regions = [r for r, _ in found]
    kept: list[Region] = []
    for r, cluster in found:
        if any(_inside(r.bbox, seal) for seal in seals):
            continue  # the star in the middle of a seal
        if any(o is not r and _inside(r.bbox, o.bbox) for o in regions):
            continue  # read with the region around it
        for o, other in found:
            if o is not r and _inside(o.bbox, r.bbox):
                cluster = cluster | other
        x0, y0 = int(r.bbox[0] * scale), int(r.bbox[1] * scale)
        x1, y1 = int(math.ceil(r.bbox[2] * scale)), int(math.ceil(r.bbox[3] * scale))
        kept.append(Region(r.bbox, r.colour, r.frame, r.angle, cluster[y0:y1, x0:x1].copy()))
    kept = kept[:_MAX_REGIONS]
    unread += _faint_regions(small, scale, mm, kernel)
    for u in unread:
        if not any(_overlaps(u.bbox, o.bbox) for o in kept + seals_as_regions(seals)):
            kept.append(u)
    kept.sort(key=lambda r: (r.bbox[1], r.bbox[0]))
    return kept, True


# Black stamps (an urgency or secrecy mark struck in black ink) are in the OCR image, but one
# struck at an angle or drawn in a frame is read as noise there. They are found here, in the top
# of the page: a dark outline the size of such a mark, or words in a line tilted against the
# page's own lines (which the clean-up made level), each turned by its own angle to be read.
_BLACK_DPI = 150.0
_BLACK_LIGHT = 170  # max channel below this: black ink (worn or light-struck too), not red or blue
_BLACK_TOP = 0.45  # share of the page height searched
_BLACK_LONG_MM = (12.0, 90.0)
_BLACK_SHORT_MM = (5.0, 30.0)
# Tilted words: joined over this (mm) into a line, this tilted (degrees), this thick (mm).
_TILT_JOIN_MM = 1.8
_TILT_DEG = (3.0, 25.0)
_TILT_SHORT_MM = (3.5, 20.0)
# More tilted lines than this: the page itself is askew, not stamped.
_TILT_MAX = 3
_BLACK_BIT = 4
# A black outline's inner white ring (mm from the outline's outer edge) and the share of it that
# may be inked (worn edges, a stroke reaching it).
_RING_MM = (1.0, 1.7)
_RING_INK = 0.04


def find_black_stamps(bgr: np.ndarray, dpi: float) -> list[Region]:
    """Black stamps in the top of a page: framed ones (footprint: the inside of the outline) and
    tilted lines of words (footprint: the line's joined ink), each with its angle."""
    # Searched a little lower, so that a stamp starting in the top is found whole.
    top = bgr[:int(bgr.shape[0] * min(1.0, _BLACK_TOP + 0.1))]
    scale = min(1.0, _BLACK_DPI / dpi)
    small = cv2.resize(top, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    mm = dpi * scale / 25.4
    if small.ndim == 3:
        light, chroma = light_and_chroma(small)
        ink = (((light < _BLACK_LIGHT) & (chroma < _CHROMA_FIND)) * 255).astype(np.uint8)
    else:
        ink = ((small < _BLACK_LIGHT) * 255).astype(np.uint8)
    limit = bgr.shape[0] * _BLACK_TOP
    frames = [r for r in _black_frames(ink, mm, scale) if r.bbox[1] <= limit]
    tilted = [r for r in _tilted_lines(ink, mm, scale) if r.bbox[1] <= limit
              and not any(_overlaps(r.bbox, f.bbox) for f in frames)]
    return frames + (tilted if len(tilted) <= _TILT_MAX else [])


def _page_box(x: int, y: int, w: int, h: int, scale: float) -> tuple[int, int, int, int]:
    return (int(x / scale), int(y / scale), int(math.ceil((x + w) / scale)),
            int(math.ceil((y + h) / scale)))


def _outlines(ink: np.ndarray, join: int, long_px: tuple[float, float]) -> Iterator[
        tuple[np.ndarray, tuple[int, int, int, int]]]:
    """Outer contours of the ink joined over `join` pixels whose box's longer side is within
    `long_px`, with their boxes (contours: far cheaper than a mask per component)."""
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (join, join)))
    contours, _ = cv2.findContours(joined, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if long_px[0] <= max(w, h) <= long_px[1]:
            yield c, (x, y, w, h)


def _filled(contour: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """A contour filled, over its box (0/1)."""
    x, y, w, h = box
    out = np.zeros((h, w), np.uint8)
    cv2.drawContours(out, [contour - np.array([x, y], np.int32)], -1, 1, thickness=cv2.FILLED)
    return out


def _shrunk(mask: np.ndarray, by: float) -> np.ndarray:
    """A mask eroded by `by` pixels, its outside counted as empty."""
    k = 2 * max(1, int(round(by))) + 1
    return cv2.erode(mask, np.ones((k, k), np.uint8), borderType=cv2.BORDER_CONSTANT,
                     borderValue=0)


def _black_frames(ink: np.ndarray, mm: float, scale: float) -> list[Region]:
    """Dark rectangular outlines of a secrecy or urgency stamp's size with words inside."""
    out: list[Region] = []
    # Joined over 3 px: the gaps of worn ink in an outline.
    for c, (x, y, w, h) in _outlines(ink, 3, (_BLACK_LONG_MM[0] * mm * 0.9,
                                              _BLACK_LONG_MM[1] * mm * 1.5)):
        rect = cv2.minAreaRect(c)
        long_mm, short_mm = max(rect[1]) / mm, min(rect[1]) / mm
        if not (_BLACK_LONG_MM[0] <= long_mm <= _BLACK_LONG_MM[1]
                and _BLACK_SHORT_MM[0] <= short_mm <= _BLACK_SHORT_MM[1]):
            continue
        sub = ink[y:y + h, x:x + w]
        inside = np.zeros((h, w), np.uint8)
        corners = (cv2.boxPoints(rect) - np.array([x, y])).round().astype(np.int32)
        cv2.fillPoly(inside, [corners], _BLACK_BIT)
        # The outline: the ink on the rectangle's edge band. A rubber stamp leaves white between
        # its outline and its words (the ring); a line of text whose tops, bottoms and
        # underline look like an outline has ink there. The words: the ink inside the ring.
        ring_in, core = _shrunk(inside, _RING_MM[0] * mm), _shrunk(inside, _RING_MM[1] * mm)
        edge = np.where((inside > 0) & (ring_in == 0), sub, 0).astype(np.uint8)
        if not _is_frame(edge, mm):
            continue
        ring = (ring_in > 0) & (core == 0)
        ring_area = int(np.count_nonzero(ring))
        if np.count_nonzero(ring & (sub > 0)) > _RING_INK * max(1, ring_area):
            continue  # ink up against the outline: text, a table, not a stamp
        if np.count_nonzero((sub > 0) & (core > 0)) < 0.3 * cv2.countNonZero(edge):
            continue  # an empty box: no words inside
        out.append(Region(_page_box(x, y, w, h, scale), "black", True, _tilt(edge), inside))
    return out


def _slanted(ink: np.ndarray, angle: float) -> bool:
    """True when a line's ink lines up along `angle` (either way) better than level: the rows of
    its projection are sharper. The smallest rectangle of a short level line with descenders at
    one end and capitals at the other is slanted too; its projection is sharpest level."""
    ys, xs = np.nonzero(ink)
    if len(xs) < 20:
        return False

    def sharpness(deg: float) -> float:
        a = math.radians(deg)
        rows = np.round(ys * math.cos(a) - xs * math.sin(a)).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        return float(np.dot(counts, counts))

    return max(sharpness(angle), sharpness(-angle)) > 1.15 * sharpness(0.0)


def _tilted_lines(ink: np.ndarray, mm: float, scale: float) -> list[Region]:
    """Lines of dark words of a stamp's size whose slant differs from the page's level lines."""
    join = max(3, int(round(_TILT_JOIN_MM * mm)) | 1)
    out: list[Region] = []
    for c, (x, y, w, h) in _outlines(ink, join, (_BLACK_LONG_MM[0] * mm,
                                                 _BLACK_LONG_MM[1] * mm)):
        (_, _), size, _ = cv2.minAreaRect(c)
        # The joined outline is half a join wider than the ink on every side.
        long_mm, short_mm = (max(size) - join) / mm, (min(size) - join) / mm
        if not (_BLACK_LONG_MM[0] <= long_mm and _TILT_SHORT_MM[0] <= short_mm <= _TILT_SHORT_MM[1]
                and long_mm >= 2 * short_mm):
            continue
        inside = _filled(c, (x, y, w, h))
        comp = np.where(inside > 0, ink[y:y + h, x:x + w], 0).astype(np.uint8)
        angle = _tilt(comp)
        if not _TILT_DEG[0] <= abs(angle) <= _TILT_DEG[1] or not _slanted(comp, angle):
            continue
        out.append(Region(_page_box(x, y, w, h, scale), "black", False, angle,
                          inside * _BLACK_BIT))
    return out


def seals_as_regions(seals: list[tuple[int, int, int, int]]) -> list[Region]:
    """Seal boxes as regions, for overlap tests."""
    return [Region(b, "red", False, 0.0, read=False) for b in seals]


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """True when two boxes share at least half of the smaller one."""
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix > 0 and iy > 0 and ix * iy >= 0.5 * small


def _faint_regions(small: np.ndarray, scale: float, mm: float,
                   kernel: np.ndarray) -> list[Region]:
    """Clusters of stamp size in faint colour (not read): possible stamps the search would miss."""
    masks, _ = _hue_masks(small, _CHROMA_FAINT)
    return [Region(c.box, c.colour, False, 0.0, read=False)
            for c in _stamp_sized(masks, kernel, mm, scale)]


@dataclass(frozen=True)
class _Cluster:
    """Ink of one colour joined into one stamp-sized cluster, at the finding scale."""

    colour: str
    xywh: tuple[int, int, int, int]
    inside: np.ndarray  # the joined cluster over its box (boolean)
    ink: np.ndarray  # its ink over its box (0/255)
    box: tuple[int, int, int, int]  # in page pixels
    short_mm: float


def _stamp_sized(masks: dict[str, np.ndarray], kernel: np.ndarray, mm: float,
                 scale: float) -> Iterator[_Cluster]:
    """Clusters of each colour's ink the size of a stamp, with enough ink to be one."""
    for colour, mask in masks.items():
        if cv2.countNonZero(mask) < _MIN_INK_MM2 * mm * mm:
            continue
        count, labels, stats = _label(cv2.dilate(mask, kernel))
        for i in range(1, count):
            x, y, w, h, _ = (int(v) for v in stats[i])
            long_mm, short_mm = max(w, h) / mm, min(w, h) / mm
            if long_mm < _MIN_LONG_MM or short_mm < _MIN_SHORT_MM:
                continue  # a handwritten digit, a tick, a speck
            if long_mm > _MAX_LONG_MM or short_mm > _MAX_SHORT_MM:
                continue  # a coloured band, a logo banner, a whole tinted area
            inside = labels[y:y + h, x:x + w] == i
            ink = np.where(inside, mask[y:y + h, x:x + w], 0).astype(np.uint8)
            if cv2.countNonZero(ink) < _MIN_INK_MM2 * mm * mm:
                continue
            box = (int(x / scale), int(y / scale), int(math.ceil((x + w) / scale)),
                   int(math.ceil((y + h) / scale)))
            yield _Cluster(colour, (x, y, w, h), inside, ink, box, short_mm)


def _inside(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """True when box a lies (almost) within box b and is smaller."""
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    return ix > 0 and iy > 0 and ix * iy >= 0.8 * area_a and area_a < area_b


@dataclass(frozen=True)
class _Crop:
    """A region rendered for reading, and how to map its pixels back to the page."""

    image: np.ndarray
    to_page: np.ndarray  # 2x3 affine: crop pixel -> page pixel


def render_region(bgr: np.ndarray, dpi: float, region: Region) -> _Crop:
    """The region's colour ink only, dark on white, upright, at READ_DPI."""
    h, w = bgr.shape[:2]
    m = int(round(_MARGIN_MM * dpi / 25.4))
    x0, y0 = max(0, region.bbox[0] - m), max(0, region.bbox[1] - m)
    x1, y1 = min(w, region.bbox[2] + m), min(h, region.bbox[3] + m)
    crop = bgr[y0:y1, x0:x1]
    if region.colour == "black":
        grey = _black_ink(crop, region, (x0, y0))
    else:
        grey = _colour_ink(crop, region, (x0, y0), m)
    return _upright(grey, dpi, region.angle, (x0, y0))


def _black_ink(crop: np.ndarray, region: Region, origin: tuple[int, int]) -> np.ndarray:
    """A black stamp's crop as it is (coloured ink left out), white outside its outline."""
    grey = cv2.max(cv2.max(crop[:, :, 0], crop[:, :, 1]), crop[:, :, 2]) if crop.ndim == 3 \
        else crop.copy()
    if region.footprint is not None and region.footprint.size:
        bx0, by0, bx1, by1 = region.bbox
        up = cv2.resize(region.footprint, (bx1 - bx0, by1 - by0), interpolation=cv2.INTER_NEAREST)
        keep = np.zeros(grey.shape, bool)
        ox, oy = bx0 - origin[0], by0 - origin[1]
        part = up[:grey.shape[0] - oy, :grey.shape[1] - ox] > 0
        keep[oy:oy + part.shape[0], ox:ox + part.shape[1]] = part
        grey[~keep] = 255
    # Stretched so that its darkest ink is black (a worn stamp's outline as much as its words).
    dark = float(np.percentile(grey, 1))
    if dark < _BLACK_LIGHT:
        grey = np.clip((grey.astype(np.float32) - dark) * (255.0 / (235.0 - dark)), 0, 255
                       ).astype(np.uint8)
    return grey


def _colour_ink(crop: np.ndarray, region: Region, origin: tuple[int, int],
                m: int) -> np.ndarray:
    """A coloured stamp's own ink, dark on white."""
    x0, y0 = origin
    light, chroma = light_and_chroma(crop)
    strength = (chroma.astype(np.float32) - _CHROMA_LO) * (255.0 / (_CHROMA_HI - _CHROMA_LO))
    strength[light < _LIGHT_MIN] = 0  # black toner over the stamp is not the stamp
    if region.footprint is not None and region.footprint.size:
        # Only this stamp's ink: its own cluster (grown by the margin), by colour.
        fp = region.footprint
        grow = np.ones((3, 3), np.uint8)
        fp = cv2.dilate(fp, grow, iterations=2)
        bx0, by0 = region.bbox[0], region.bbox[1]
        full: np.ndarray = np.zeros(crop.shape[:2], np.uint8)
        up: np.ndarray = cv2.resize(fp, (region.bbox[2] - bx0, region.bbox[3] - by0),
                        interpolation=cv2.INTER_NEAREST)
        full[by0 - y0:by0 - y0 + up.shape[0], bx0 - x0:bx0 - x0 + up.shape[1]] = \
            up[:full.shape[0] - (by0 - y0), :full.shape[1] - (bx0 - x0)]
        near: np.ndarray = cv2.dilate(full, np.ones((m + 1, m + 1), np.uint8)) if m > 0 else full
        red, blue = _hue_classes(crop)
        allowed = (red & ((near & 1) > 0)) | (blue & ((near & 2) > 0))
        strength[~allowed] = 0
    return (255.0 - np.clip(strength, 0, 255)).astype(np.uint8)


def _upright(grey: np.ndarray, dpi: float, tilt: float, origin: tuple[int, int]) -> _Crop:
    """A crop scaled to READ_DPI and turned upright, its outline erased."""
    x0, y0 = origin
    s = READ_DPI / dpi
    angle = tilt if abs(tilt) >= 3.0 else 0.0
    ch, cw = grey.shape
    # One warp: scale to READ_DPI and turn the ink upright about the crop's centre.
    rot = cv2.getRotationMatrix2D((cw / 2.0, ch / 2.0), angle, s)
    rad = math.radians(angle)
    out_w = int(math.ceil((abs(math.cos(rad)) * cw + abs(math.sin(rad)) * ch) * s))
    out_h = int(math.ceil((abs(math.sin(rad)) * cw + abs(math.cos(rad)) * ch) * s))
    rot[0, 2] += out_w / 2.0 - cw / 2.0
    rot[1, 2] += out_h / 2.0 - ch / 2.0
    image = cv2.warpAffine(grey, rot, (max(1, out_w), max(1, out_h)), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    back = cv2.invertAffineTransform(rot)
    back[0, 2] += x0
    back[1, 2] += y0
    return _Crop(erase_frames(image), back)


def erase_frames(image: np.ndarray) -> np.ndarray:
    """A rendered stamp (dark on white, upright) without its outline: Tesseract reads nothing
    inside a closed outline drawn close around the words (an arrow-shaped `HỎA TỐC` frame, a
    tight rectangle), and reads them once it is gone. An outline is a dark component that
    spans most of the stamp's ink both ways and is mostly hollow, or a long straight piece of
    a broken one (at least 6 times longer than thick and half the ink's extent)."""
    ink = (image < 200).astype(np.uint8)
    pts = cv2.findNonZero(ink)
    if pts is None:
        return image
    _, _, ink_w, ink_h = cv2.boundingRect(pts)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    out = image.copy()
    for i in range(1, count):
        _, _, w, h, area = (int(v) for v in stats[i])
        hollow = w >= 0.8 * ink_w and h >= 0.8 * ink_h and area < 0.35 * w * h
        line = (w >= 6 * h and w >= 0.5 * ink_w) or (h >= 6 * w and h >= 0.5 * ink_h)
        if hollow or line:
            out[labels == i] = 255
    return out


def _stack(crops: list[_Crop]) -> tuple[np.ndarray, list[int]]:
    """The crops one under the other, left-aligned with white around them; each crop's top."""
    width = max(c.image.shape[1] for c in crops) + 2 * _GAP_PX
    height = sum(c.image.shape[0] for c in crops) + _GAP_PX * (len(crops) + 1)
    sheet = np.full((height, width), 255, np.uint8)
    tops: list[int] = []
    y = _GAP_PX
    for c in crops:
        ch, cw = c.image.shape
        sheet[y:y + ch, _GAP_PX:_GAP_PX + cw] = c.image
        tops.append(y)
        y += ch + _GAP_PX
    return sheet, tops


def _to_page(word: Word, crop: _Crop, dx: int, dy: int) -> Word:
    """A word read on the stacked sheet with its box in page pixels."""
    x0, y0, x1, y1 = word.bbox
    corners = np.array([[x0 - dx, y0 - dy, 1], [x1 - dx, y0 - dy, 1], [x0 - dx, y1 - dy, 1],
                        [x1 - dx, y1 - dy, 1]], dtype=np.float64)
    pts = corners @ crop.to_page.T
    box = (int(pts[:, 0].min()), int(pts[:, 1].min()), int(math.ceil(pts[:, 0].max())),
           int(math.ceil(pts[:, 1].max())))
    return word.model_copy(update={"bbox": box})


def read_marks(bgr: np.ndarray, dpi: int, work_base: Path, *, language: str,
               timeout: float) -> MarksFound:
    """Find the page's coloured stamps and black ones in its top and read them with one Tesseract
    run. `checked` is about colour only (a grey page: False)."""
    t0 = time.perf_counter()
    found, checked = find_regions(bgr, dpi)
    timings = {"marks_find": time.perf_counter() - t0}
    t0 = time.perf_counter()
    found += [b for b in find_black_stamps(bgr, dpi)
              if not any(_overlaps(b.bbox, r.bbox) for r in found)]
    # Always set on a page searched for black stamps too (the benchmarks' OCR caches tell pages
    # read before black stamps were by its absence; `marks_black` was a first version's).
    timings["black_stamps"] = time.perf_counter() - t0
    unread = [Mark(bbox=r.bbox, colour=r.colour, frame=r.frame, read=False)
              for r in found if not r.read]
    regions = [r for r in found if r.read]
    if not regions:
        return MarksFound(unread, checked, timings)
    t0 = time.perf_counter()
    crops = [render_region(bgr, dpi, r) for r in regions]
    sheet, tops = _stack(crops)
    base = work_base.parent / f"{work_base.name}-marks"
    pgm = base.parent / f"{base.name}.pgm"
    cv2.imwrite(str(pgm), sheet)
    try:
        tsv = tesseract.read_words(pgm, base, language=language,
                                   dpi=READ_DPI, psm=11, timeout=timeout)
        words = parse_tsv(tsv)
        tsv.unlink(missing_ok=True)
    except ExternalToolError as exc:
        # The page's text is read; only its stamps are not: no evidence, not a failed page.
        log.warning("reading the coloured stamps failed: %s", exc)
        return MarksFound(unread, False, timings)
    finally:
        pgm.unlink(missing_ok=True)
    marks = [Mark(bbox=r.bbox, colour=r.colour, frame=r.frame) for r in regions]
    for w in words:
        if not any(ch.isalnum() for ch in w.text):
            continue
        cy = (w.bbox[1] + w.bbox[3]) / 2
        for i, (crop, top) in enumerate(zip(crops, tops, strict=True)):
            if top <= cy < top + crop.image.shape[0]:
                marks[i].words.append(_to_page(w, crop, _GAP_PX, top))
                break
    timings["marks_read"] = time.perf_counter() - t0
    return MarksFound(marks + unread, checked, timings)
