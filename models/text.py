"""Vietnamese text normalisation, folding (marks removed) and a syllable check used to judge text
layers."""

from __future__ import annotations

import re
import unicodedata

# OCR engines write Icelandic eth for the Vietnamese D with stroke; text layers of published
# PDFs hold Cyrillic letters that look Latin (`TT-BТС` with Cyrillic Т and С): Vietnamese
# documents use neither, so both are read as the letter they show.
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111",
                      **dict(zip("АВЕКМНОРСТХУаеорсухІіЈјЅѕ", "ABEKMHOPCTXYaeopcyxIiJjSs",
                                 strict=True))})

# Tone marks (combining) are stripped before the syllable shape is checked.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
_NUCLEUS = "[aăâeêioôơuưy]{1,3}"
_CODA = "(?:ch|ng|nh|[cmnpt])?"
_SYLLABLE = re.compile(f"^{_ONSET}{_NUCLEUS}{_CODA}$")
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Unicode NFC with Ð/ð read as Đ/đ and Latin-looking Cyrillic letters as Latin."""
    return unicodedata.normalize("NFC", text.translate(_LOOKALIKES))


def fold(text: str, *, upper: bool = False) -> str:
    """Text without Vietnamese marks, Đ/đ (and OCR's eth Ð/ð) as D/d: 'Quyết Định' -> 'quyet dinh'.

    Lower case, spacing kept: one character out per character of NFC text in, so the search
    snippet can map a position in the folded text back to the original. The search columns
    (`search_folded`, `organ_folded`) and the splitter hold this form: changing it means
    re-indexing every document.

    `upper=True` is the key extraction matches on: upper case, runs of whitespace made one space
    and the ends trimmed ('Tối  mật ' -> 'TOI MAT'). Its tables (marks, labels, the gazetteer)
    are single-spaced upper-case phrases and OCR lines carry stray spaces; the search form
    cannot drop spaces without breaking the snippet positions, so the two differ.
    """
    text = normalize_text(text)
    if not upper:
        text = text.lower()
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("Đ", "D").replace("đ", "d")
    return _SPACES.sub(" ", bare.upper()).strip() if upper else bare


def _strip_tones(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


def has_vietnamese_marks(word: str) -> bool:
    """True when the word has a letter only Vietnamese uses (ă ơ ư ạ ả ấ ề ộ ữ...).

    Letters of Latin-1 (à á â è é ê ì í ò ó ô õ ù ú ý) and Đ are left out on purpose: an OCR
    made without Vietnamese produces those, and Ð/ð (eth) passes for Đ; it cannot produce the rest.
    """
    composed = unicodedata.normalize("NFC", word)
    return any(ord(c) > 0xFF and c not in "Đđ" and c.isalpha() for c in composed)


def is_vietnamese_syllable(word: str) -> bool:
    """True when `word` has the shape of a Vietnamese syllable (onset, vowels, coda)."""
    return bool(_SYLLABLE.match(_strip_tones(normalize_text(word))))


def vietnamese_score(text: str) -> tuple[int, float, float]:
    """Return (letter tokens, share that are Vietnamese syllables, share with Vietnamese marks)."""
    tokens = _TOKEN.findall(normalize_text(text))
    if not tokens:
        return 0, 0.0, 0.0
    valid = sum(1 for t in tokens if is_vietnamese_syllable(t))
    marked = sum(1 for t in tokens if has_vietnamese_marks(t))
    return len(tokens), valid / len(tokens), marked / len(tokens)
