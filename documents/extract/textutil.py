"""Text helpers for extraction: edit distance, case and shape tests (folding is models.text.fold)."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from models.text import is_vietnamese_syllable, normalize_text

_SPACES = re.compile(r"\s+")
# Characters OCR puts around words that carry no meaning for the fields (rules, seal fragments).
_EDGE_JUNK = " \t-–—_=~|•·*'\"“”‘’`,;:.!()[]{}"


# A document's number and symbol as printed in running text (`61/2024/QH15`, `13/TT-BTC`).
SYMBOL = r"\d{1,7}(?:/\d{4})?/[A-ZĐ][\wĐ&.-]*"
# Document numbers and dates cited in a line (`Luật số 61/2024/QH15`, `ngày 24/6/2015`).
_CITED = re.compile(rf"{SYMBOL}|\b\d{{1,2}}/\d{{1,2}}/\d{{4}}\b")


def prose(text: str) -> str:
    """A line without the numbers and dates it cites: what is left to judge as words (a line
    of citations has more digits than letters, its symbols are no Vietnamese syllables)."""
    return _CITED.sub("", text)


def squash(text: str) -> str:
    """Collapse runs of whitespace and trim: the form values are reported in."""
    return _SPACES.sub(" ", normalize_text(text)).strip()


def strip_edges(text: str) -> str:
    """Trim punctuation and rule fragments OCR leaves at both ends of a phrase."""
    return text.strip(_EDGE_JUNK)


def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance (rapidfuzz, in C); `limit + 1` once it is over `limit`."""
    return int(Levenshtein.distance(a, b, score_cutoff=limit))


def is_upper_phrase(text: str) -> bool:
    """True when every letter is upper case and there are at least three letters."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def letter_share(text: str) -> float:
    """Share of non-space characters that are letters."""
    chars = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in chars) / len(chars) if chars else 0.0


def syllable_share(text: str) -> float:
    """Share of alphabetic tokens that are well-formed Vietnamese syllables."""
    tokens = re.findall(r"[^\W\d_]+", normalize_text(text))
    if not tokens:
        return 0.0
    return sum(is_vietnamese_syllable(t) for t in tokens) / len(tokens)


def title_case_name(text: str) -> bool:
    """True for a person's name: 2-6 syllables, each capitalised then lower case."""
    parts = text.split()
    if not 2 <= len(parts) <= 6:
        return False
    return all(p[:1].isupper() and p[1:].islower() and is_vietnamese_syllable(p) for p in parts)
