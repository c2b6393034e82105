"""The header date line `Quảng Ngãi, ngày 05 tháng 3 năm 2020`: place and a validated date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from documents.extract.gazetteer import Gazetteer
from documents.extract.textutil import squash, strip_edges
from models.result import Word
from models.text import fold

# Matched on folded text; the day/month/year tokens are taken from the original words. OCR drops
# the `g` of `ngày` (`này 24 tháng9`): the word is recognised by `tháng` and `năm` after it.
_LINE = re.compile(
    r"^(?P<place>.*?)[,.]?\s*N?G?AY\s*(?P<d>\S*?)\s*THANG\s*(?P<m>\S*?)\s*NAM\s*(?P<y>\S+)")
_SHORT = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?!\d)")
EARLIEST_YEAR = 1945
# Before `ngày` a place name, never a document's number (`số 03/2021/...`) or digits.
_CITATION = re.compile(r"\bSO\b|\d")


@dataclass(frozen=True)
class DateRead:
    """A date read from words: ISO value or None, place, and the words that carried it."""

    iso: str | None
    place: str | None
    digit_words: list[Word]
    place_words: list[Word]
    problems: tuple[str, ...]
    # Day, month and year as read (None: unread), before validation: the second reading of a
    # handwritten day is checked against the printed month and year (extract/handread.py).
    parts: tuple[int | None, int | None, int | None] = (None, None, None)


def valid_date(y: int, m: int, d: int, today: date | None) -> tuple[str | None, str | None]:
    """ISO date when it is a real calendar date, not before 1945 and not after today."""
    try:
        value = date(y, m, d)
    except ValueError:
        return None, "not a calendar date"
    if y < EARLIEST_YEAR:
        return None, "year too early"
    if today is not None and value > today:
        return None, "date in the future"
    return value.isoformat(), None


# Letters OCR reads for digits; used only inside a token that already holds a digit (`l6`, `I0`).
_LOOKALIKE = str.maketrans({"I": "1", "l": "1", "L": "1", "|": "1", "O": "0", "o": "0"})


# Brackets and bars standing for ones in a printed day (`ngày ]] tháng 9` for 11): only when the
# whole token is made of them; the word is then odd and the date goes to review.
_ONES = re.compile(r"^[\]\[|Il]{1,2}$")


def _digits(tok: str) -> int | None:
    tok = tok.strip(".,:;")
    if any(c.isdigit() for c in tok) or _ONES.match(tok):
        tok = tok.translate(_LOOKALIKE).replace("]", "1").replace("[", "1")
    return int(tok) if tok.isdigit() and len(tok) <= 4 else None


def read_date_line(words: list[Word], today: date | None, gaz: Gazetteer) -> DateRead | None:
    """Parse the words of a date line; None when they do not look like one."""
    text = " ".join(w.text for w in words)
    # Split glued tokens (`ngày0P`, `tháng3`) so each number stands alone.
    spaced = re.sub(r"(?i)(ngày|tháng|năm|ngay|thang|nam)(?=\S)", r"\1 ", text)
    m = _LINE.match(fold(spaced, upper=True))
    if not m or _CITATION.search(m.group("place")):
        # `Nghị quyết số 03/2021/UBTVQH15 ngày 24 tháng 9 năm 2021`: a citation in the body,
        # not the header's `place, ngày ... tháng ... năm ...` line.
        return None
    problems: list[str] = []
    day, month, year = (_digits(m.group(k)) for k in ("d", "m", "y"))
    if year is None and re.fullmatch(r"\d{5,6}", m.group("y").strip(".,:;")):
        # A footnote's number after the year (`năm 20264`: a text layer joins the superscript
        # to the word): the year's four digits, for review.
        year = int(m.group("y")[:4])
        problems.append("a mark after the year")
    # Which words carried the numbers: the ones whose text holds a digit, after the place.
    n_place = len(m.group("place").split())
    place_words = words[:n_place]
    digit_words = [w for w in words[n_place:] if any(c.isdigit() for c in w.text)]
    # A word is odd when, after a date word it may be glued to (`tháng9`), anything but digits
    # is left.
    odd = [w for w in words[n_place:]
           if not re.sub(r"^(?:N?G?AY|THANG|NAM)", "", fold(w.text, upper=True).strip(",.")).isdigit()
           and re.sub(r"^(?:N?G?AY|THANG|NAM)", "", fold(w.text, upper=True).strip(",.")) != ""]
    if odd:
        # A handwritten day or month comes out as symbols: the clerk must read it.
        digit_words += odd
        problems.append("unreadable characters in the date")
    iso = None
    if day is None or month is None or year is None:
        problems.append("day, month or year missing")
    else:
        iso, why = valid_date(year, month, day, today)
        if why:
            problems.append(why)
    place = _place(spaced[: _place_end(spaced)], gaz)
    return DateRead(iso, place, digit_words, place_words, tuple(problems), (day, month, year))


def _place_end(text: str) -> int:
    m = re.search(r"(?i)[,.]?\s*n?g?[aàáảãạ]y\s*\S{0,4}\s*th[aáàảãạ]ng", text)
    return m.start() if m else 0


def _place(raw: str, gaz: Gazetteer) -> str | None:
    """The place, corrected against known place names when close to one."""
    raw = strip_edges(squash(raw))
    if not raw:
        return None
    hit = gaz.lookup("place", raw, max_ratio=0.15)
    if hit is not None:
        return hit.value
    return raw


def find_short_dates(text: str, today: date | None) -> list[str]:
    """Dates written `21/3/2018` or `21-3-18` in a text, ISO, valid ones only."""
    out: list[str] = []
    for d, m, y in _SHORT.findall(text):
        year = int(y) + (2000 if len(y) == 2 else 0)
        iso, _ = valid_date(year, int(m), int(d), today)
        if iso:
            out.append(iso)
    return out
