"""Page geometry: Tesseract lines split into column segments, rows, and the header anchors."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median

from models.result import PageResult, Word
from models.text import fold

# Tesseract joins the left and right header columns into one line; a gap this many text heights
# wide separates columns (ordinary word spaces are about a third of a height).
COLUMN_GAP = 3.2
# A comma is followed by a word space (a third of a height or more). A word whose comma touches
# the next word (gap within these heights) took a mark of that word as its comma: the dot under
# `ự` in `phó sự`, the tail of the `g` in `sung trong` (Tesseract reads `phó,`, `sung,`).
TOUCHING = (-0.3, 0.07)


@dataclass
class Seg:
    """A run of words on one line of one column, with its box, text and confidences."""

    page: int
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The words joined by spaces."""
        return " ".join(w.text for w in self.words)

    @property
    def folded(self) -> str:
        """The text folded for matching."""
        return fold(self.text, upper=True)

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """Union box of the words."""
        return union(w.bbox for w in self.words)

    @property
    def left(self) -> int:
        """Left edge."""
        return self.bbox[0]

    @property
    def right(self) -> int:
        """Right edge."""
        return self.bbox[2]

    @property
    def top(self) -> int:
        """Top edge."""
        return self.bbox[1]

    @property
    def bottom(self) -> int:
        """Bottom edge."""
        return self.bbox[3]

    @property
    def height(self) -> float:
        """Median word height: the text size."""
        return float(median(w.bbox[3] - w.bbox[1] for w in self.words))

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return (self.left + self.right) / 2


def union(boxes: Iterable[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    """Smallest box holding all boxes."""
    bl = list(boxes)
    return (min(b[0] for b in bl), min(b[1] for b in bl),
            max(b[2] for b in bl), max(b[3] for b in bl))


def _word_height(words: list[Word]) -> float:
    # Use the tallest half: punctuation and lower-case words understate the text size.
    hs = sorted((w.bbox[3] - w.bbox[1] for w in words), reverse=True)
    return float(median(hs[: max(1, (len(hs) + 1) // 2)]))


def rows_of(words: list[Word]) -> list[list[Word]]:
    """Words split into rows that do not overlap vertically, top to bottom: a text layer may
    number two printed lines as one (the motto's second line and the date line below it), and
    a stamp or a crop read as sparse text gives every word a line of its own."""
    h = max(_word_height(words), 8.0)
    by_y = sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2)
    rows: list[list[Word]] = [[by_y[0]]]
    for w in by_y[1:]:
        prev = rows[-1][-1]
        if (w.bbox[1] + w.bbox[3]) / 2 - (prev.bbox[1] + prev.bbox[3]) / 2 > 0.9 * h:
            rows.append([])
        rows[-1].append(w)
    return rows


def reading_words(page: PageResult) -> list[Word]:
    """The page's words, each area read a second time (`page.rereads`, kept only when that
    reading found what the first one lost) taken from the second reading."""
    words = page.words
    for again in page.rereads:
        if again.reason.startswith("hand_"):
            continue  # the digit recogniser's readings are judged apart (extract/handread.py)
        left, top, right, bottom = again.bbox
        words = [w for w in words
                 if not (left <= (w.bbox[0] + w.bbox[2]) / 2 <= right
                         and top <= (w.bbox[1] + w.bbox[3]) / 2 <= bottom)] + again.words
    return words


def _speck(w: Word) -> bool:
    """A word of accent signs alone (`ˆ`, `˜`, `´`): a speck of dirt or seal, never text."""
    return all(unicodedata.category(c) in ("Lm", "Sk") for c in w.text)


def without_touching_commas(words: list[Word], h: float) -> list[Word]:
    """A row's words (left to right, text size `h`) without the commas that touch the next
    word (`TOUCHING`): on a scan such a comma is a mark of the next word, not punctuation."""
    out = list(words)
    for i, (w, nxt) in enumerate(zip(words, words[1:], strict=False)):
        gap = (nxt.bbox[0] - w.bbox[2]) / h
        if len(w.text) > 1 and w.text.endswith(",") and w.text[-2].isalpha() and \
                nxt.text[:1].isalnum() and TOUCHING[0] <= gap < TOUCHING[1]:
            out[i] = w.model_copy(update={"text": w.text[:-1]})
    return out


def segments(page: PageResult, page_no: int) -> list[Seg]:
    """Split the page's lines at column-sized gaps; segments sorted top to bottom, left to right."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in reading_words(page):
        lines.setdefault((w.block, w.par, w.line), []).append(w)
    out: list[Seg] = []
    for words in (row for line in lines.values() for row in rows_of(line)):
        words = sorted(words, key=lambda w: w.bbox[0])
        h = max(_word_height(words), 8.0)
        if page.source == "ocr":
            words = without_touching_commas([w for w in words if not _speck(w)], h)
            if not words:
                continue
        cur = Seg(page_no, [words[0]])
        for i, w in enumerate(words[1:], 1):
            gap = w.bbox[0] - cur.words[-1].bbox[2]
            # The motto often sits closer to the agency name than a column gap: cut before it.
            motto = fold(w.text, upper=True) == "CONG" and i + 1 < len(words) \
                and fold(words[i + 1].text, upper=True) == "HOA"
            # A rule fragment (`_`, `-`) read between the agency and the motto hides the gap.
            ruled = not any(c.isalnum() for c in cur.words[-1].text)
            if gap > COLUMN_GAP * h or (motto and (gap > 0.8 * h or ruled)):
                out.append(cur)
                cur = Seg(page_no, [])
            cur.words.append(w)
        out.append(cur)
    out.sort(key=lambda s: (s.top, s.left))
    return out


def same_row(a: Seg, b: Seg) -> bool:
    """True when two segments overlap vertically by half the smaller height."""
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap > 0.5 * min(a.bottom - a.top, b.bottom - b.top)


def row_of(seg: Seg, segs: list[Seg]) -> list[Seg]:
    """Segments on the same visual row as `seg`, left to right."""
    return sorted((s for s in segs if s is seg or same_row(s, seg)), key=lambda s: s.left)


def page_width(page: PageResult) -> int:
    """Page width in pixels, from the result or the words when it is missing."""
    if page.width:
        return page.width
    return max((w.bbox[2] for w in page.words), default=0) + 1


def page_height(page: PageResult) -> int:
    """Page height in pixels, from the result or the words when it is missing."""
    if page.height:
        return page.height
    return max((w.bbox[3] for w in page.words), default=0) + 1


MOTTO_KEYS = ("CONG HOA XA HOI", "XA HOI CHU NGHIA", "CHU NGHIA VIET NAM")
MOTTO2_KEYS = ("DOC LAP", "TU DO", "HANH PHUC")


def _motto2(segs: list[Seg], motto: Seg) -> list[Seg]:
    return [s for s in segs if s.top >= motto.top and s is not motto
            and sum(k in s.folded for k in MOTTO2_KEYS) >= 2]


def _capitals(s: Seg) -> bool:
    letters = [c for c in s.text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def find_motto(segs: list[Seg]) -> tuple[Seg | None, Seg | None]:
    """The national motto line and the `Độc lập - Tự do - Hạnh phúc` line under it, if present.
    The motto is printed in capitals; a line in small letters (`chủ nghĩa Việt Nam ...` in a
    body paragraph) is one only with the second line close under it."""
    for s in segs:
        if not any(s.folded.lstrip(" .-").startswith(k) for k in MOTTO_KEYS):
            continue
        below = _motto2(segs, s)
        if _capitals(s) or any(b.top - s.bottom <= 3 * s.height for b in below):
            return s, (below[0] if below else None)
    return None, None
