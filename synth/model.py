"""Data types shared by the layout, rendering and output modules of the generator."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from synth.fonts import ink, nfc

Box = tuple[int, int, int, int]


def union(boxes: list[Box]) -> Box:
    """Smallest box containing all boxes."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass
class Word:
    """One printed (or handwritten) word placed at a left baseline origin."""

    text: str
    x: float
    style: str
    size: float
    typed: bool = True
    glue: bool = False             # no space before this word in the line text
    box: Box | None = None         # explicit ink box (handwriting)

    def __post_init__(self) -> None:
        """Keep word text in NFC."""
        self.text = nfc(self.text)


@dataclass
class Line:
    """A line of text on a page with its role and the fields it belongs to."""

    words: list[Word]
    baseline: float
    role: str
    fields: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Line text as a reader sees it (handwriting included)."""
        out = ""
        for i, w in enumerate(self.words):
            out += ("" if i == 0 or w.glue else " ") + w.text
        return nfc(out)

    def word_box(self, w: Word, dpi: int) -> Box:
        """Ink box of one word in page pixels."""
        if w.box is not None:
            return w.box
        b = ink(w.text, w.style, w.size, dpi)
        return (int(w.x) + b[0], int(self.baseline) + b[1],
                int(w.x) + b[2] + 1, int(self.baseline) + b[3] + 1)

    def bbox(self, dpi: int) -> Box:
        """Ink box of the whole line in page pixels."""
        return union([self.word_box(w, dpi) for w in self.words])


@dataclass
class PageLayout:
    """Positioned lines, rules and anchors of one page."""

    lines: list[Line] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)
    anchors: dict[str, Box] = field(default_factory=dict)


@dataclass(frozen=True)
class Geometry:
    """Page geometry and typographic choices of one document (in mm and pt)."""

    left: float
    right: float
    top: float
    bottom: float
    organ_pt: float
    header_pt: float
    motto_pt: float
    body_pt: float
    subject_pt: float
    leading: float
    para_pt: float
    indent_mm: float
    sig_gap_mm: float
    nn_pt: float
    hand_number: bool
    hand_day: bool
    stamp_row: bool
    zero_rule: bool

    @staticmethod
    def random(rng: random.Random, handwritten: bool, stamp_row: bool,
               seal_over_name: bool) -> Geometry:
        """Draw typographic choices within Nghị định 30 tolerances."""
        return Geometry(
            left=rng.uniform(28, 35), right=rng.uniform(15, 20), top=rng.uniform(18, 25),
            bottom=rng.uniform(18, 25), organ_pt=rng.choice((12.0, 12.5, 13.0)),
            header_pt=rng.choice((12.0, 12.5, 13.0)), motto_pt=rng.choice((13.0, 14.0)),
            body_pt=rng.choice((13.0, 13.5, 14.0)), subject_pt=rng.choice((13.0, 14.0)),
            leading=rng.uniform(1.12, 1.32), para_pt=rng.uniform(3, 6),
            indent_mm=rng.uniform(10, 12.7),
            sig_gap_mm=rng.uniform(24, 30) if seal_over_name else rng.uniform(34, 38),
            nn_pt=rng.choice((11.0, 12.0)), hand_number=handwritten,
            hand_day=handwritten and rng.random() < 0.8, stamp_row=stamp_row,
            zero_rule=rng.random() < 0.9,
        )


@dataclass
class GeneratedDocument:
    """A generated document: page images at dpi plus JSON-serialisable ground truth."""

    pages: list[Image.Image]
    dpi: int
    truth: dict[str, Any]
    seed: int = 0
    layouts: list[PageLayout] = field(default_factory=list, repr=False)
