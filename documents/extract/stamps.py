"""Stamps: the incoming register stamp (`CÔNG VĂN ĐẾN`), secrecy and urgency marks, read from the
black text and from the coloured stamps the page stage read apart (`PageResult.marks`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from documents.extract.dates import find_short_dates, valid_date
from documents.extract.fields import ocr_conf
from documents.extract.layout import Seg
from documents.extract.textutil import levenshtein, strip_edges
from models.result import Mark, PageResult, Word
from models.text import fold
from models.vocabulary import Secrecy, Urgency

_STAMP_HEADS = ("DEN", "CONG VAN DEN", "VAN DEN", "VAN BAN DEN")
_STAMP_LABELS = ("SO", "NGAY", "CHUYEN", "LUU HO SO", "GIO")
# The marks by their folded text (`TOI MAT` -> `TỐI MẬT`).
SECRECY = {fold(m, upper=True): str(m) for m in Secrecy}
URGENCY = {fold(m, upper=True): str(m) for m in Urgency}


@dataclass
class ArrivalStamp:
    """A register stamp: its segments (kept out of the header), number and date if readable."""

    segs: list[Seg]
    number: str | None
    number_conf: float
    date: str | None
    date_conf: float


def _is_stamp_head(s: Seg) -> bool:
    key = strip_edges(s.folded)
    if not s.text.replace(" ", "").isupper() and not key.startswith("DEN"):
        return False
    return key in _STAMP_HEADS or bool(re.match(r"^(?:CONG VAN |VAN BAN )?DEN\b[\s:.]*(SO|$)", key))


def find_arrival_stamp(segs: list[Seg], today: date | None) -> ArrivalStamp | None:
    """The first register stamp on a page: a `ĐẾN` head with `Số:`/`Ngày:` lines under it."""
    for head in segs:
        if not _is_stamp_head(head):
            continue
        h = head.height
        near = [s for s in segs if head.top - h <= s.top <= head.bottom + 7 * h
                and s.right >= head.left - 4 * h and s.left <= head.right + 14 * h]
        labelled = [s for s in near if s is head or any(
            strip_edges(s.folded).startswith(k) for k in _STAMP_LABELS)]
        if len(labelled) < 2:
            continue
        number, nconf, iso, dconf = None, 0.0, None, 0.0
        for s in labelled:
            key = strip_edges(s.folded)
            digits = re.findall(r"\d+", s.text)
            confs = [w.conf for w in s.words if any(c.isdigit() for c in w.text)]
            if number is None and (key.startswith("SO") or key.startswith("DEN")) and digits \
                    and "/" not in s.text:
                number, nconf = digits[0], min(confs) / 100 if confs else 0.0
            elif iso is None and key.startswith("NGAY"):
                iso, dconf = _stamp_date(s.text, today), min(confs) / 100 if confs else 0.0
        return ArrivalStamp(labelled, number, nconf, iso, dconf)
    return None


def _stamp_date(text: str, today: date | None) -> str | None:
    found = find_short_dates(text, today)
    if found:
        return found[0]
    nums = [int(n) for n in re.findall(r"\d+", text)]
    if len(nums) == 3:
        d, m, y = nums
        y += 2000 if y < 100 else 0
        return valid_date(y, m, d, today)[0]
    return None


def find_mark(segs: list[Seg], table: dict[str, str], bottom: float) -> Seg | None:
    """A stamp whose whole text is one of the marks in `table`, above `bottom`."""
    for s in segs:
        if s.top > bottom:
            break
        key = strip_edges(s.folded)
        if key in table and s.text.replace(" ", "").isupper():
            return s
    return None


# --- Coloured stamps (PageResult.marks, read apart by worker/stages/marks.py) -----------------------

# Syllables of the secrecy and urgency marks, folded: a word this close to one could be a mark.
_MARK_SYLLABLES = tuple(dict.fromkeys(w for key in (*SECRECY, *URGENCY) for w in key.split()))
# Words of a register stamp, folded.
_ARRIVAL_WORDS = ("DEN", "CONG", "VAN", "SO", "NGAY", "CHUYEN", "LUU", "HO", "GIO")
# A region is ordinary coloured text (an e-signature box, a logo's caption) when it holds this
# many confidently read words of two letters or more, none of them like a stamp's words.
_OTHER_WORDS, _OTHER_CONF = 2, 70.0
# A mark read in a region must span this share of the region's width; a narrower reading means
# ink that was not read (`TỐI` of `TỐI MẬT`, `THƯỢNG` of `THƯỢNG KHẨN`).
_MARK_SPAN = 0.55
# Secrecy and urgency stamps are rectangles much wider than tall (DOMAIN §2); a region about as
# tall as wide with nothing readable in it is a round seal (an e-signature's seal image over the
# motto, a seal showing through from the back of the sheet), not an unread mark.
_ROUND = (0.8, 1.25)


@dataclass
class MarkValue:
    """A secrecy or urgency mark read from a coloured stamp."""

    key: str  # 'secrecy' or 'urgency'
    value: str
    conf: float
    bbox: tuple[int, int, int, int]


@dataclass
class ColourRegion:
    """One coloured stamp region of the first page and what it was read as."""

    bbox: tuple[int, int, int, int]
    marks: list[MarkValue]
    arrival: ArrivalStamp | None
    mark_like: bool  # holds unexplained words or ink that could be a secrecy/urgency mark
    arrival_like: bool  # ... that could be a register stamp


def mark_rows(mark: Mark, page: int) -> list[Seg]:
    """The words of a coloured stamp as rows (one segment per printed line), top to bottom: a
    word joins the row Tesseract put it in (the stamp was read upright: the page boxes of a
    tilted stamp's words are staggered), else the row it overlaps by half its height or more
    (a word read with a bit of the stamp's outline under it is taller than its neighbours)."""
    rows: list[Seg] = []

    def line(w: Word) -> tuple[int, int, int] | None:
        return (w.block, w.par, w.line) if w.block else None

    for w in sorted(mark.words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        height = max(1, w.bbox[3] - w.bbox[1])
        row = next((r for r in rows if line(w) is not None and
                    any(line(o) == line(w) for o in r.words)), None) or \
            next((r for r in rows if min(r.bottom, w.bbox[3]) - max(r.top, w.bbox[1]) >=
                  0.5 * min(height, max(1, r.bottom - r.top))), None)
        if row is None:
            rows.append(Seg(page, [w]))
        else:
            row.words.append(w)
    for r in rows:
        r.words.sort(key=lambda w: w.bbox[0])
    rows.sort(key=lambda s: (s.top, s.left))
    return rows


def near_mark(segs: list[Seg], table: dict[str, str]) -> Seg | None:
    """A line of a stamp one letter away from a mark of `table` (`HOA TOG`, `THUONG KHAM`; marks
    are compared without their diacritics, so `HÓA` for `HỎA` is no difference): a reading to
    offer for review, never a confident one. Marks of four letters (`KHẨN`) must keep their
    first two; `MẬT`-sized words are too short to guess."""
    for s in segs:
        key = strip_edges(s.folded)
        if not s.text.replace(" ", "").isupper():
            continue
        for mark in table:
            if len(mark) < 4 or levenshtein(key, mark, 1) > 1:
                continue
            if len(mark) < 7 and key[:2] != mark[:2]:
                continue
            return s
    return None


def _mark_key(seg: Seg, table: dict[str, str]) -> str:
    """The table key a line read as a mark stands for (exact, else the one a letter away)."""
    key = strip_edges(seg.folded)
    if key in table:
        return key
    return min(table, key=lambda m: levenshtein(key, m))


def _near(word: str, vocabulary: tuple[str, ...]) -> bool:
    """True when a folded word is one of `vocabulary` or one edit away (three letters or more)."""
    key = "".join(c for c in word if c.isalpha())
    if not key:
        return False
    return any(key == v or (len(key) >= 3 and len(v) >= 3 and levenshtein(key, v, 1) <= 1)
               for v in vocabulary)


def read_region(mark: Mark, page: int, today: date | None) -> ColourRegion:
    """What a coloured stamp says: secrecy/urgency marks, a register stamp, or other text."""
    rows = mark_rows(mark, page)
    width = max(1, mark.bbox[2] - mark.bbox[0])
    marks: list[MarkValue] = []
    used: set[int] = set()
    for key, table in (("secrecy", SECRECY), ("urgency", URGENCY)):
        seg = find_mark(rows, table, float("inf"))
        guessed = seg is None and key == "urgency"
        if guessed:
            seg = near_mark(rows, table)
        if seg is None:
            continue
        used.add(id(seg))
        conf = ocr_conf([w.conf for w in seg.words])
        if seg.right - seg.left < _MARK_SPAN * width or guessed:
            conf = min(conf, 0.6)
        marks.append(MarkValue(key, table[_mark_key(seg, table)], conf, seg.bbox))
    arrival = find_arrival_stamp(rows, today)
    if arrival is not None:
        used.update(id(s) for s in arrival.segs)
    rest = [w for s in rows if id(s) not in used for w in s.words
            if sum(c.isalpha() for c in w.text) >= 2]
    folded = [fold(w.text, upper=True) for w in rest]
    other = sum(w.conf >= _OTHER_CONF for w in rest) >= _OTHER_WORDS
    mark_words = any(_near(f, _MARK_SYLLABLES) for f in folded)
    arrival_words = any(_near(f, _ARRIVAL_WORDS) for f in folded)
    # Left over beside a mark: more ink than the mark (a merged stamp, a lost word).
    for m in marks:
        if rest:
            m.conf = min(m.conf, 0.6)
    explained = bool(marks) or arrival is not None
    round_ = _ROUND[0] <= width / max(1, mark.bbox[3] - mark.bbox[1]) <= _ROUND[1]
    mark_like = mark_words or (not explained and not other and not round_)
    arrival_like = arrival_words or (not explained and not other)
    return ColourRegion(mark.bbox, marks, arrival, mark_like, arrival_like)


def colour_regions(page: PageResult, today: date | None) -> list[ColourRegion]:
    """The coloured stamp regions of a page, read."""
    return [read_region(m, page.index, today) for m in page.marks]


def black_mark_hint(segs: list[Seg], bottom: float, skip: set[int]) -> bool:
    """A word in the black text above `bottom` that could belong to a secrecy or urgency stamp
    not read whole (`KHẨN` merged with another line): upper case, folded to a mark syllable."""
    for s in segs:
        if s.top > bottom or id(s) in skip or "CONG HOA" in s.folded:
            continue
        for w in s.words:
            text = strip_edges(w.text)
            if len(text) >= 3 and text.isupper() and strip_edges(fold(text, upper=True)) in \
                    ("MAT", "KHAN", "TOC", "TUYET", "THUONG"):
                return True
    return False


def black_arrival_hint(segs: list[Seg], bottom: float) -> bool:
    """Black text above `bottom` that looks like a register stamp the reader could not take
    whole: `ĐẾN` in capitals, a `Chuyển:` or `Ngày:` label."""
    for s in segs:
        if s.top > bottom:
            continue
        words = [w.text for w in s.words]
        for i, text in enumerate(words):
            key = strip_edges(fold(text, upper=True))
            nxt = words[i + 1] if i + 1 < len(words) else ""
            labelled = text.endswith(":") or nxt.startswith(":")
            if key == "DEN" and strip_edges(text).isupper():
                return True
            if key in ("CHUYEN", "NGAY", "SO DEN") and labelled and text[:1].isupper():
                return True
    return False
