"""Fonts, units and cached text measurement for the synthetic page renderer."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

SERIF_DIR = Path("/usr/share/fonts/truetype/liberation2")
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
SERIF_FILES: dict[str, str] = {
    "R": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
    "BI": "LiberationSerif-BoldItalic.ttf",
}
HAND_FILE = DEJAVU_DIR / "DejaVuSans-Oblique.ttf"
STAMP_FILE = DEJAVU_DIR / "DejaVuSans-Bold.ttf"
STAMP_SERIF_FILE = SERIF_DIR / "LiberationSerif-Bold.ttf"


def nfc(text: str) -> str:
    """Return the text in Unicode NFC."""
    return unicodedata.normalize("NFC", text)


def serif_path(style: str) -> Path:
    """Return the Liberation Serif file for a style key R/B/I/BI."""
    return SERIF_DIR / SERIF_FILES[style]


def pt_px(pt: float, dpi: int) -> float:
    """Convert typographic points to pixels at dpi."""
    return pt * dpi / 72.0


def mm_px(mm: float, dpi: int) -> float:
    """Convert millimetres to pixels at dpi."""
    return mm * dpi / 25.4


@lru_cache(maxsize=256)
def font_file(path: str, px: int) -> ImageFont.FreeTypeFont:
    """Load a TrueType font file at a pixel size (cached)."""
    return ImageFont.truetype(path, px)


def font(style: str, size_pt: float, dpi: int) -> ImageFont.FreeTypeFont:
    """Return the Liberation Serif font for a style and point size at dpi."""
    return font_file(str(serif_path(style)), max(4, round(pt_px(size_pt, dpi))))


@lru_cache(maxsize=65536)
def width(text: str, style: str, size_pt: float, dpi: int) -> float:
    """Advance width in pixels of text set in the serif font."""
    return float(font(style, size_pt, dpi).getlength(text))


@lru_cache(maxsize=65536)
def ink(text: str, style: str, size_pt: float, dpi: int) -> tuple[int, int, int, int]:
    """Ink box of text relative to its left baseline origin."""
    box = font(style, size_pt, dpi).getbbox(text, anchor="ls")
    return (int(box[0]), int(box[1]), int(box[2]), int(box[3]))


def wrap(text: str, style: str, size_pt: float, dpi: int, max_w: float) -> list[str]:
    """Greedy word wrap of text into lines no wider than max_w pixels."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        cand = f"{cur} {word}" if cur else word
        if cur and width(cand, style, size_pt, dpi) > max_w:
            lines.append(cur)
            cur = word
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines


def balanced_wrap(text: str, style: str, size_pt: float, dpi: int, max_w: float) -> list[str]:
    """Wrap text into the fewest lines, balancing their widths as typesetters do."""
    greedy = wrap(text, style, size_pt, dpi, max_w)
    if len(greedy) < 2:
        return greedy
    words = text.split()
    best = greedy
    best_w = max(width(x, style, size_pt, dpi) for x in greedy)
    n = len(greedy)
    target = width(text, style, size_pt, dpi) / n
    lines: list[str] = []
    cur = ""
    for word in words:
        cand = f"{cur} {word}" if cur else word
        if cur and len(lines) < n - 1 and width(cand, style, size_pt, dpi) > target * 1.08:
            lines.append(cur)
            cur = word
        else:
            cur = cand
    lines.append(cur)
    widest = max(width(x, style, size_pt, dpi) for x in lines)
    if len(lines) == n and widest <= max_w and widest <= best_w:
        best = lines
    return best
