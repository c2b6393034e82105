"""Handwritten numbers and days from the digit recogniser's second reading (issue 16).

The page stage reads the first page's number line and date line a second time with the PP-OCR
recogniser when the first (Tesseract) reading is missing or needs review
(`worker/stages/handread.py`, `PageResult.rereads` with reason `hand_number` / `hand_date`, one
word per character, and for each character the most likely digit in its place). Here the
grammar decides what the second reading says:

- number: the characters between the `Số:` label and the symbol's slash are the digits. A letter
  there (`2M6`, `A89`) is replaced by the digit the recogniser gave most weight in the same place
  only when one is there at all; such a number is filled in for review, never confident unless
  the blank read alone surely gives the same digits.
- day: the characters between `ngày` and `tháng`; month and year likewise, compared with the
  first reading's printed ones.

A value is confident only when every digit was read as a digit with high probability, the two
readings agree wherever both say something (the printed symbol, month and year; digits the
first reading found), and the value obeys the rules: number grammar, a real date not after the
upload, not after the arrival stamp nor long before it. The line and the blank read alone are
two crops: when both read the same digits, the surer one's probability counts. A symbol a rule
repaired counts as agreed only under a sure type title (the title spells its `Đ`); a month the
first reading lost counts when the second read it surely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from documents.extract.dates import valid_date
from documents.extract.fields import Found
from documents.extract.numbers import ABBR_TYPE, consistent_with_type, parse_number
from models.result import PageResult, Reread
from models.text import fold

# A digit read by the second recogniser counts as sure at this probability (0-100).
SURE_DIGIT = 90.0
# A digit of a blank read alone under this probability is a smudge, not a digit.
NOISE = 10.0
# Under this scan resolution nothing the digit recogniser reads is sure.
MIN_SURE_DPI = 120.0
# A document reaches the registry within this many days of its date (the arrival stamp).
MAX_DAYS_TO_ARRIVAL = 60
CONFIDENT = 0.95
SYMBOL_AGREED = 0.92
FOR_REVIEW = 0.6
_PUNCT = frozenset(" .,'`\"")
# A mark read under this probability where the recogniser also saw a digit is a digit's stroke
# read as punctuation (`tháng 0.` for a handwritten `02`): the digit, never sure.
FAINT_MARK = 50.0
# Letters the recogniser reads for handwritten digits (`M`: two 1s written together); a value
# with a digit taken from a letter (this way or from the recogniser's candidates) is never
# confident.
_LOOKALIKE = {"A": "1", "Λ": "1", "I": "1", "l": "1", "|": "1", "i": "1", "!": "1", "M": "11",
              "O": "0",
              "o": "0", "D": "0", "Q": "0", "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8",
              "G": "6", "b": "6", "q": "9", "g": "9", "T": "7"}


@dataclass(frozen=True)
class Digits:
    """Digits taken from a span of the second reading: value, whether every one was read as a
    digit (not mapped from a letter), and the weakest digit's probability."""

    value: str
    direct: bool
    weakest: float


def second_readings(page: PageResult) -> dict[str, Reread]:
    """The page's digit-recogniser readings by reason. On a page scanned under `MIN_SURE_DPI`
    the handwriting is a few pixels high: no character read there counts as sure."""
    got = {r.reason: r for r in page.rereads if r.reason.startswith("hand_")}
    if page.scan_dpi is not None and page.scan_dpi < MIN_SURE_DPI:
        got = {k: r.model_copy(update={"words": [
            w.model_copy(update={"conf": min(w.conf, SURE_DIGIT - 1)}) for w in r.words]})
            for k, r in got.items()}
    return got


def _digits(again: Reread, start: int, end: int) -> Digits | None:
    """The digits of characters [start, end) of a second reading; None when a character there
    is neither a digit nor has a digit candidate, or when there are none."""
    out: list[str] = []
    direct = True
    weakest = 100.0
    for i in range(max(0, start), min(end, len(again.words))):
        c = again.words[i].text
        cand = again.digits[i] if i < len(again.digits) else "?"
        if c in _PUNCT and not (c != " " and again.words[i].conf < FAINT_MARK and cand != "?"):
            continue
        if c.isdigit() and c.isascii():
            out.append(c)
            weakest = min(weakest, again.words[i].conf)
            continue
        # A known look-alike first (`A` for a written 1), else the recogniser's own candidate.
        alt = _LOOKALIKE.get(c) or cand
        if alt == "?":
            return None
        out.append(alt)
        direct = False
        weakest = 0.0
    return Digits("".join(out), direct, weakest) if out else None


def blank_digits(blank: Reread | None, *, day: bool) -> Digits | None:
    """The digits of a blank read alone (`worker/stages/handread.recognise_blank`): up to the
    slash for a number; a digit under `NOISE` is a smudge and left out. A day over 31 loses its
    weakest digit when that one is unsure (`241` for 24, the stroke of `t` read as 1). A value
    that lost a character either way is never sure."""
    if blank is None:
        return None
    chars = [(w.text, w.conf) for w in blank.words]
    if not day and "/" in (c for c, _ in chars):
        chars = chars[:[c for c, _ in chars].index("/")]
    kept = [(c, p) for c, p in chars if c.isdigit() and p >= NOISE]
    # A smudge left out is something the recogniser could not read: never sure.
    direct = len(kept) == len(chars)
    chars = kept
    if not chars:
        return None
    if day and (len(chars) > 2 or int("".join(c for c, _ in chars)) > 31):
        weakest = min(range(len(chars)), key=lambda i: chars[i][1])
        if chars[weakest][1] >= SURE_DIGIT:
            return None
        chars = chars[:weakest] + chars[weakest + 1:]
        direct = False
    value = "".join(c for c, _ in chars)
    if not value or not 1 <= len(value) <= (2 if day else 7):
        return None
    return Digits(value, direct, min(p for _, p in chars) if direct else 0.0)


def _symbol_key(text: str) -> str:
    """A symbol compared across recognisers: folded, letters and digits only (PP-OCR reads `Đ`
    as `D` and drops marks)."""
    return re.sub(r"[^A-Z0-9]", "", fold(text, upper=True))


def number_label(text: str) -> re.Match[str] | None:
    """The `Số:` label at the start of the digit recogniser's reading of the number line (it
    reads `Só:`, `S6:`, `só`)."""
    return re.match(r"^\W*S\S{0,2}?\s*[:;.]", text, re.I) or \
        re.match(r"^\W*S[ốoóòôơ6ö]\s*", text, re.I)


def read_number(again: Reread, notation: str | None) -> tuple[Digits | None, bool] | None:
    """The number's digits in a second reading of the `Số:` line (None when there are none),
    and whether the symbol it read agrees with the first reading's `notation`; None when the
    label or the symbol's start is not found."""
    text = "".join(w.text for w in again.words)
    label = number_label(text)
    if label is None:
        return None
    start = label.end()
    slash = text.find("/", start)
    end = slash
    if slash < 0:
        if not notation:
            return None
        # No slash read: the symbol starts where its first group does.
        key = _symbol_key(notation.split("/")[-1])[:2]
        end = next((i for i in range(start, len(text))
                    if _symbol_key(text[i:i + 4]).startswith(key) and key), -1)
        if end < 0:
            return None
        if end > start and not text[end - 1].isdigit() and text[end - 1] not in " ":
            end -= 1  # the slash read as a letter (`08 iCT-UBND`)
    digits = _digits(again, start, end)
    if digits is not None and not 1 <= len(digits.value) <= 7:
        digits = None
    agrees = notation is not None and slash >= 0 and \
        _symbol_key(text[slash + 1:]) == _symbol_key(notation)
    return digits, agrees


# The printed labels as the digit recogniser reads them (folded: no marks).
DAY_LABEL = re.compile(r"(?:ngay|ngy|nay|gay)")
MONTH_LABEL = re.compile(r"(?:thang|thng|than|hang|thmg|thing)")
_YEAR = re.compile(r"(?:nam|nm|nǎm)")


def read_day_month_year(again: Reread) -> tuple[Digits | None, Digits | None, Digits | None]:
    """Day, month and year in a second reading of the date line (each None when unread)."""
    text = fold("".join(w.text for w in again.words))
    day_at = DAY_LABEL.search(text)
    if day_at is None:
        return None, None, None
    month_at = MONTH_LABEL.search(text, day_at.end())
    year_at = _YEAR.search(text, month_at.end()) if month_at else None
    day = _digits(again, day_at.end(), month_at.start()) if month_at else None
    month = _digits(again, month_at.end(), year_at.start()) if month_at and year_at else None
    year = None
    if year_at:
        m = re.match(r"\s*(\S{4})", text[year_at.end():])
        if m:
            year = _digits(again, year_at.end() + m.start(1), year_at.end() + m.end(1))
    return day, month, year


def _d_for_dd(notation: str) -> bool:
    """A symbol group that is a type abbreviation with `Đ` written `D` (`QD` for `QĐ`)."""
    groups = re.split(r"[-/]", notation)
    return any(g != a and fold(g, upper=True) == fold(a, upper=True)
               for g in groups for a in ABBR_TYPE)


def _choose(line: Digits | None, blank: Digits | None,
            slash_after: bool = False) -> tuple[Digits | None, bool]:
    """The digits to use from the line's reading and the blank's, and whether the two readings
    agree: the blank read alone is preferred. They agree only when both read digits (no letter
    mapped in the line) and the same ones; a value read once is never sure. `slash_after`: a
    number, whose blank ends at the slash."""
    if blank is None:
        return line, False
    if line is not None and not blank.direct and len(line.value) > len(blank.value) and \
            line.value.startswith(blank.value):
        # The blank lost a smudge the line read as more digits (`2` + smudge, `2M` = 211).
        return line, False
    if line is None:
        return blank, False
    if not line.direct:
        # The line read a letter (`1B9`) whose likeliest digits are what the blank alone read
        # surely (`189`): agreement only then.
        return blank, _sure(blank) and line.value.lstrip("0") == blank.value.lstrip("0")
    if slash_after and blank.value == line.value + "1":
        # The slash's stroke read as a last 1 where the line read the slash itself (`157/`).
        return line, False
    if line.value.lstrip("0") != blank.value.lstrip("0"):
        # Two crops read as many digits, different ones: the one whose weakest digit is surer,
        # for review (`104` alone with its first digit at 11%, `404` in the line at 56%). A
        # reading with fewer digits lost one (`7` in the line, `17` alone).
        same_length = len(line.value) == len(blank.value)
        return (line if same_length and line.weakest > blank.weakest else blank), False
    if blank.direct and line.weakest > blank.weakest:
        # Two crops read the same digits: the one the recogniser was surer of speaks for both
        # (`349` at 93% in the line, 71% alone).
        return Digits(blank.value, True, line.weakest), True
    return blank, True


def apply_number(again: Reread, found: dict[str, Found], type_name: str | None,
                 blank: Reread | None = None) -> None:
    """Fill or confirm the number from its second reading (see the module's rules); `blank` is
    the number's blank read alone, preferred when it holds digits."""
    notation_f = found.get("code_notation")
    notation = notation_f.value if notation_f is not None else None
    got = read_number(again, notation)
    if got is None or not notation:
        return
    line, agrees = got
    digits, readings_agree = _choose(line, blank_digits(blank, day=False), slash_after=True)
    if digits is None:
        return
    parsed = parse_number(f"{digits.value}/{notation}")
    if parsed is None:
        return
    first = found.get("code_number")
    first_digits = first.value if first is not None else None
    consistent = first_digits in (None, digits.value)
    sure = digits.direct and digits.weakest >= SURE_DIGIT and agrees and consistent \
        and readings_agree and not parsed.problems and int(digits.value) > 0
    conf = CONFIDENT if sure else FOR_REVIEW
    sym_conf = notation_f.confidence if notation_f is not None else 0.0
    type_f = found.get("type_name")
    title_sure = type_f is not None and type_f.value == type_name and not type_f.needs_review
    if agrees and notation_f is not None and (not notation_f.repaired or title_sure) and \
            not parsed.problems and not _d_for_dd(notation) and \
            consistent_with_type(notation, type_name) is True:
        # Both recognisers read the same printed symbol, and it names the document's type. A
        # symbol a rule repaired (`QD-UBND` -> `QĐ-UBND` under `QUYẾT ĐỊNH`, `BCĐI38` -> the
        # issuer's `BCĐ138`) counts only under a sure title: the second reading then confirms
        # the repair's letters, the title its `Đ`. Never when a group could be a type
        # abbreviation with `Đ` spelled `D` (`HD`): PP-OCR reads `Đ` as `D`, so it cannot tell.
        sym_conf = max(sym_conf, SYMBOL_AGREED)
        notation_f.confidence = sym_conf
    page, box = (first.page, first.bbox) if first is not None else (None, None)
    found["code_number"] = Found(parsed.code_number, conf, page, box or again.bbox)
    found["number"] = Found(parsed.number, min(conf, sym_conf), page, box or again.bbox)


def _date_of(found: Found | None) -> date | None:
    if found is None or not isinstance(found.value, str):
        return None
    try:
        return date.fromisoformat(found.value)
    except ValueError:
        return None


def _sure(d: Digits | None) -> bool:
    return d is not None and d.direct and d.weakest >= SURE_DIGIT


def _printed(second: Digits | None, first: int | None) -> list[int]:
    """A printed month or year, likeliest first: the second reading's when sure, else the first
    reading's, else the second's unsure one; the other reading after it."""
    options: list[int | None] = [first, int(second.value) if second is not None else None]
    if second is not None and _sure(second):
        options.reverse()
    return list(dict.fromkeys(v for v in options if v is not None))


def apply_date(again: Reread, found: dict[str, Found], first_ymd: tuple[int | None, ...],
               today: date, blank: Reread | None = None) -> None:
    """Fill or confirm the date from its second reading (see the module's rules); `blank` is
    the day's blank read alone, preferred when it holds a day."""
    line_day, month, year = read_day_month_year(again)
    day, readings_agree = _choose(line_day, blank_digits(blank, day=True))
    f_day, f_month, f_year = first_ymd
    if day is None:
        return
    # Month and year are printed: both readings should say the same. When they differ, the
    # second reading's sure digits are preferred (Tesseract misreads `2018` as `2016` more often
    # than PP-OCR does), for review.
    # The first real date the readings allow (a month read `08` by one and `02` by the other in
    # a document signed in February: the February one).
    fits = [(y, m, iso) for y in _printed(year, f_year) for m in _printed(month, f_month)
            for iso, why in [valid_date(y, m, int(day.value), today)] if iso and not why]
    if not fits:
        return
    y, m, iso = fits[0]
    # The printed month and year read alike by both recognisers; a month the first reading
    # lost counts when the second read it surely and the year agrees.
    month_agrees = month is not None and int(month.value) == m and \
        (f_month == m if f_month is not None else _sure(month))
    agree = (month_agrees and year is not None and f_year is not None
             and int(year.value) == f_year == y)
    # The first reading's day counts only when it made a real date (`48` for 18 is garbage).
    first_real = f_day is not None and valid_date(y, m, f_day, today)[0] is not None
    consistent = not first_real or f_day == int(day.value)
    sure = day.direct and day.weakest >= SURE_DIGIT and agree and consistent \
        and readings_agree and 1 <= len(day.value) <= 2
    arrival = found.get("arrival_stamp")
    stamp_date = None
    if arrival is not None and isinstance(arrival.value, dict):
        stamp_date = _date_of(Found(arrival.value.get("date"), 0.0))
    value = date.fromisoformat(iso)
    if stamp_date is not None and not 0 <= (stamp_date - value).days <= MAX_DAYS_TO_ARRIVAL:
        sure = False
    first = found.get("issued_date")
    page, box = (first.page, first.bbox) if first is not None else (None, None)
    found["issued_date"] = Found(iso, CONFIDENT if sure else FOR_REVIEW, page, box or again.bbox)
