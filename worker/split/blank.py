"""Blank-page detection on a cleaned page: no dark ink and no colour ink (stamps, seals, notes)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

DARK_LEVEL = 128  # grey level of the cleaned OCR image under which a pixel counts as dark ink
# About three printed letters at 300 dpi. Measured on generated duplex backs (noise, paper tone,
# JPEG, faint show-through of the front): at most ~150 dark pixels survive the clean-up; a short
# handwritten note has thousands. Kept low on purpose: a missed blank costs a page, a wrong one
# loses content.
MAX_DARK_PIXELS = 400
COLOUR_DPI = 75  # colour ink is judged on a small copy: averaging removes JPEG/sensor colour noise
COLOUR_MARGIN = 45  # chroma above the paper's own (yellowed paper has chroma ~40)
# Pixels at COLOUR_DPI. Blank backs measured 0-5; a stamp or a handwritten word 160 and up.
MAX_COLOUR_PIXELS = 60


@dataclass(frozen=True)
class InkAmount:
    """How much ink a cleaned page carries, at 300-dpi-equivalent pixels (dark) and 75 dpi (colour)."""

    dark: int
    colour: int

    @property
    def blank(self) -> bool:
        """True when the page carries neither text nor colour marks."""
        return self.dark < MAX_DARK_PIXELS and self.colour < MAX_COLOUR_PIXELS


def colour_ink(archive_bgr: np.ndarray, dpi: float) -> int:
    """Pixels (at COLOUR_DPI) clearly more colourful than the paper: red seals, blue ink, stamps."""
    if archive_bgr.ndim != 3:
        return 0
    scale = min(1.0, COLOUR_DPI / max(dpi, 1.0))
    small = cv2.resize(archive_bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = small.astype(np.int16)
    chroma = small.max(axis=2) - small.min(axis=2)
    paper = int(np.median(chroma))
    return int(np.count_nonzero(chroma > paper + COLOUR_MARGIN))


def measure_ink(ocr_image: np.ndarray, archive_bgr: np.ndarray, dpi: float) -> InkAmount:
    """Dark ink in the cleaned OCR image and colour ink in the archive image of one page."""
    dark = int(np.count_nonzero(ocr_image < DARK_LEVEL))
    dark_300 = round(dark * (300.0 / max(dpi, 1.0)) ** 2)
    return InkAmount(dark=dark_300, colour=colour_ink(archive_bgr, dpi))
