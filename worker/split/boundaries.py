"""Scores whether a page starts a new document, from its OCR words and their positions (no images)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from models.result import PageResult, Word
from models.text import fold

HEADER = "cong hoa xa hoi chu nghia viet nam".split()
MOTTO = "doc lap tu do hanh phuc".split()
SIGNER_PREFIXES = {"tm", "kt", "q", "tl", "tuq"}
SIGNER_TITLES = ("chu tich", "giam doc", "truong", "uy ban", "ban thuong vu", "chanh van phong")
_NON_WORD = re.compile(r"[^a-z0-9/]+")
# `Nơi nhận:` or the `- Lưu: VT` line: the very end of a document.
_CLOSING = re.compile(r"no[il]\s*nh[a-z]n\b|^\W*luu\s*[:;.]")
# The `./.` ending the body: the signer block may still follow on the next page.
_BODY_END = re.compile(r"\./\.\s*$")
_PAGE_NUMBER = re.compile(r"^[-–.(\s]*\d{1,3}[-–.)\s]*$")


@dataclass(frozen=True)
class Line:
    """Words of one OCR line with their union box."""

    words: list[Word]
    box: tuple[int, int, int, int]

    @property
    def text(self) -> str:
        """The line's text, words joined by spaces."""
        return " ".join(w.text for w in self.words)


def lines_of(page: PageResult) -> list[Line]:
    """Group a page's words into lines (Tesseract block/paragraph/line), top to bottom."""
    groups: dict[tuple[int, int, int], list[Word]] = {}
    for w in page.words:
        if w.text.strip():
            groups.setdefault((w.block, w.par, w.line), []).append(w)
    out = []
    for words in groups.values():
        words.sort(key=lambda w: w.bbox[0])
        box = (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
               max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))
        out.append(Line(words, box))
    out.sort(key=lambda ln: (ln.box[1], ln.box[0]))
    return out


def _tokens(text: str) -> list[str]:
    return [t for t in _NON_WORD.split(fold(text)) if t]


def _close(a: str, b: str) -> bool:
    """Tokens equal, or one edit apart when long enough for that to still mean the same word."""
    if a == b:
        return True
    if min(len(a), len(b)) < 3 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _in_order(found: list[str], target: list[str]) -> int:
    """Longest common subsequence of two token lists (fuzzy token equality)."""
    prev = [0] * (len(target) + 1)
    for tok in found:
        cur = [0]
        for j, want in enumerate(target):
            cur.append(prev[j] + 1 if _close(tok, want) else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def _right_part(line: Line, width: int) -> tuple[list[str], float, bool]:
    """Tokens of a line's right column, their upper-case share, and whether they stand apart.

    The header block stands apart: either the line starts right of the centre, or a gap separates
    it from the agency block that Tesseract put on the same line. Running text has no such gap.
    """
    # OCR noise between the two blocks (`ˆ`, `'`) must not close the gap.
    words = [wd for wd in line.words if sum(c.isalnum() for c in wd.text) >= 2]
    first = next((i for i, wd in enumerate(words) if (wd.bbox[0] + wd.bbox[2]) / 2 > 0.42 * width), None)
    if first is None:
        return [], 0.0, False
    apart = first == 0 or words[first].bbox[0] - words[first - 1].bbox[2] >= 0.03 * width
    text = " ".join(wd.text for wd in words[first:])
    return _tokens(text), _upper_share(text), apart


def _block_share(lines: list[list[str]], target: list[str]) -> float:
    """Share of `target` found in lines made mostly of it (a stamp may cut the header in pieces).

    A line counts only when most of its own tokens belong to the target: body text has the same
    common syllables (xã, hội, Việt, Nam, tự, do) scattered in longer lines, the header does not.
    """
    total = 0
    for toks in lines:
        if not toks:
            continue
        hit = _in_order(toks, target)
        if hit >= 2 and hit / len(toks) >= 0.6:
            total += hit
    return min(1.0, total / len(target))


@dataclass
class PageFeatures:
    """What the first-page test looks at on one page (0..1 strengths, booleans)."""

    header: float = 0.0  # share of the national header + motto found in order, top right
    number_line: bool = False  # `Số: 15/QĐ-...` in the upper part, left
    agency: bool = False  # upper-case lines at the top left
    page_number: bool = False  # a lone number centred at the top: a continuation page
    closing: bool = False  # `Nơi nhận:` or `- Lưu:`: the page ends a document
    body_end: bool = False  # `./.` or a signer block: the document is (nearly) over
    words: int = 0
    notes: list[str] = field(default_factory=list)


def page_features(page: PageResult) -> PageFeatures:
    """Measure the layout cues of one page from its words."""
    f = PageFeatures(words=len(page.words))
    lines = lines_of(page)
    if not lines or page.width <= 0 or page.height <= 0:
        return f
    w, h = page.width, page.height
    top = [ln for ln in lines if ln.box[3] < 0.30 * h]
    right = [_right_part(ln, w) for ln in top]
    # The header line is in capitals (body text that names the country is not); the motto is not,
    # so it must stand apart from whatever is on its left.
    caps = [toks if share >= 0.5 and (apart or share >= 0.8) else [] for toks, share, apart in right]
    motto = [toks if apart else [] for toks, _, apart in right]
    found = _block_share(caps, HEADER) * len(HEADER) + _block_share(motto, MOTTO) * len(MOTTO)
    f.header = found / (len(HEADER) + len(MOTTO))
    for ln in lines:
        folded = fold(ln.text).strip()
        if ln.box[1] < 0.45 * h and ln.box[0] < 0.5 * w and re.match(r"^s[oô6]\s*[:;.,]?\s*\S*", folded) \
                and "/" in folded and len(folded) < 60:
            f.number_line = True
    upper = [ln for ln in top if ln.box[3] < 0.15 * h and ln.box[2] < 0.55 * w and _upper_share(ln.text) > 0.7
             and len(ln.words) >= 2]
    f.agency = len(upper) >= 1
    first = lines[0]
    cx = (first.box[0] + first.box[2]) / 2
    if first.box[3] < 0.12 * h and abs(cx - w / 2) < 0.12 * w and _PAGE_NUMBER.match(first.text):
        f.page_number = True
    bottom = [fold(ln.text) for ln in lines if ln.box[1] > 0.3 * h]
    f.closing = any(_CLOSING.search(t) for t in bottom)
    f.body_end = any(_BODY_END.search(t) for t in bottom) or _signer(bottom)
    return f


def _upper_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def _signer(lines: list[str]) -> bool:
    """A signer authority prefix followed by a title (`KT. CHỦ TỊCH`, `TM. ỦY BAN NHÂN DÂN`)."""
    for t in lines:
        toks = _tokens(t)
        # Tesseract often joins the left column (Nơi nhận list) and the signer block into one line.
        for i, tok in enumerate(toks):
            if tok in SIGNER_PREFIXES and any(s in " ".join(toks[i + 1:i + 4]) for s in SIGNER_TITLES):
                return True
    return False


@dataclass(frozen=True)
class StartScore:
    """How likely a page starts a new document (probability) and the cues behind it."""

    probability: float
    reasons: tuple[str, ...]


# Log-odds weights: the header block is the strongest cue; a page number at the top is strong
# evidence against; the previous page closing a document (Nơi nhận, signer) is evidence for.
PRIOR = -2.0
W_HEADER = 7.0  # times the share of header + motto found
W_NUMBER_LINE = 1.5
W_AGENCY = 0.5
W_PAGE_NUMBER = -3.5
W_NO_HEADER = -1.0  # neither header nor Số line: the page reads like the middle of a text
W_PREV_CLOSING = 2.0
W_PREV_BODY_END = 0.5
W_PREV_OPEN = -1.0  # the previous page has neither Nơi nhận nor a signer: the letter goes on
MIN_WORDS = 10  # fewer recognised words: a back with a stamp or a note, not a first page


def score_start(page: PageFeatures, previous: PageFeatures | None) -> StartScore:
    """Probability that `page` is the first page of a document, given the page before it."""
    if previous is None:
        return StartScore(1.0, ("first page",))
    if page.words < MIN_WORDS and page.header < 0.3:
        return StartScore(0.05, ("almost no text: kept with the page before",))
    s, why = PRIOR, []
    s += W_HEADER * page.header
    if page.header >= 0.3:
        why.append(f"national header {page.header:.0%}")
    elif not page.number_line:
        s += W_NO_HEADER
    if page.number_line:
        s += W_NUMBER_LINE
        why.append("Số line")
    if page.agency:
        s += W_AGENCY
        why.append("agency block")
    if page.page_number:
        s += W_PAGE_NUMBER
        why.append("page number at the top")
    if previous.closing:
        s += W_PREV_CLOSING
        why.append("previous page closes (Nơi nhận)")
    elif previous.body_end:
        s += W_PREV_BODY_END
        why.append("previous page ends the text (./. or signer)")
    else:
        s += W_PREV_OPEN
    return StartScore(1.0 / (1.0 + math.exp(-s)), tuple(why))
