"""Reading a signer's name line: ranks, seal-cut surnames, misread syllables and tone marks.

The name under the signature is bold, and the red seal covers its left third: Tesseract drops or
swaps tone marks (`Tuân`, `Hiên` for `Tuấn`, `Hiền`), garbles the first letters the seal hides
(`Nguy°+ Văn An`, `Plam: Xgọc Lan`) and keeps its confidence high while doing so. The
repairs below use general knowledge of Vietnamese names only (`data/names.json`: how common a
syllable is as a given or a middle name, surnames), never a list of people: every repaired name
is reported for review.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from documents.extract.gazetteer import Gazetteer
from documents.extract.textutil import levenshtein
from models.result import Word
from models.text import fold, is_vietnamese_syllable

DATA = Path(__file__).parent / "data" / "names.json"
GAZETTEER = Path(__file__).parent / "data" / "gazetteer.json"
# Military and police ranks printed before the name (`Thượng tướng Nguyễn Văn A`, `Trung tá ...`).
_RANK = re.compile(r"^(?:(?:DAI|THUONG|TRUNG|THIEU)\s+(?:TUONG|TA|UY))\s+")
_PUNCT = " .,:;'\"`~!?()[]{}|_-–—*+=^°<>/\\"
_VOWELS = "AEIOUY"
# How likely OCR turns the printed syllable into what it read: equal; a tone mark or a vowel
# mark lost (the most common error in bold text); a mark added or swapped.
_SAME, _LOST, _SWAPPED = 1.0, 0.35, 0.05
# Weight of a syllable by how common it is in that place of a name.
_TIER_WEIGHT = {3: 1.0, 2: 0.3, 1: 0.08}


@dataclass(frozen=True)
class NameRead:
    """A name read from a line: value, per-word OCR confidences, and whether it was repaired."""

    value: str
    confs: list[float]
    repaired: bool
    surname_guessed: bool


@lru_cache(maxsize=1)
def _tiers() -> dict[str, dict[str, int]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    out: dict[str, dict[str, int]] = {"given": {}, "middle": {}}
    for role in ("given", "middle"):
        for tier, key in ((3, f"{role}_common"), (2, f"{role}_frequent")):
            for syl in data.get(key, []):
                out[role].setdefault(unicodedata.normalize("NFC", syl), tier)
    return out


def _marks(syllable: str) -> tuple[set[str], str]:
    """The diacritic marks of a syllable (combining characters and đ) and its bare letters."""
    nfd = unicodedata.normalize("NFD", syllable.lower())
    marks = {c for c in nfd if unicodedata.combining(c)}
    if "đ" in syllable.lower():
        marks.add("đ")
    return marks, fold(syllable, upper=True)


def _likelihood(read: str, printed: str) -> float:
    """How plausible it is that OCR read `printed` as `read` (same letters, marks may differ)."""
    if read == printed:
        return _SAME
    got, _ = _marks(read)
    want, _ = _marks(printed)
    if got < want:
        return _LOST
    return _SWAPPED


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """Every syllable known as a given or middle name (ranked here, or listed in the
    gazetteer's `name_syllables`): a surname outside it (`Đỗ`, `Từ`) is no given name."""
    listed = json.loads(GAZETTEER.read_text(encoding="utf-8")).get("name_syllables", [])
    return frozenset(unicodedata.normalize("NFC", str(s)) for s in listed) | frozenset(
        s for role in _tiers().values() for s in role)


def _weight(syllable: str, role: str, gaz: Gazetteer) -> float:
    tier = _tiers()[role].get(syllable)
    if tier is None:
        tier = 1 if syllable in gaz.name_variants(syllable) and (
            syllable in _first_names() or ("surname", syllable) not in gaz) else 0
    return _TIER_WEIGHT.get(tier, 0.02)


def best_syllable(read: str, role: str, gaz: Gazetteer) -> tuple[str, float]:
    """The name syllable most likely printed where OCR read `read`, and its share of the
    plausibility among the candidates (1.0 when there is no other candidate)."""
    variants = gaz.name_variants(read)
    if not variants:
        return read, 0.0
    scored = {v: _likelihood(read, v) * _weight(v, role, gaz) for v in variants}
    if read not in variants and is_vietnamese_syllable(read):
        # An unlisted but well-formed syllable read as is (`Đô`) is likelier than a mark lost
        # from a syllable that is no given name (`Đỗ`, a surname).
        scored[read] = _weight(read, role, gaz)
    best = max(sorted(scored), key=lambda v: scored[v])
    total = sum(scored.values())
    return best, scored[best] / total if total else 0.0


def _near_syllable(token: str, role: str, gaz: Gazetteer) -> str | None:
    """A known name syllable one letter away from a token that is not a syllable (`Xgọc` ->
    `Ngọc`, `Plam` -> `Phạm`), when exactly one common-enough one is."""
    key = fold(token, upper=True)
    if len(key) < 3:
        return None
    hits = [s for s in gaz.all_name_syllables() if levenshtein(key, fold(s, upper=True), 1) <= 1
            and _weight(s, role, gaz) >= _TIER_WEIGHT[2]]
    if not hits:
        return None
    ranked = sorted(hits, key=lambda s: (-_weight(s, role, gaz), s))
    if len(ranked) > 1 and _weight(ranked[0], role, gaz) == _weight(ranked[1], role, gaz):
        return None
    return ranked[0]


def _cut_surname(garbage: str, gaz: Gazetteer) -> str | None:
    """The surname a seal garbled (`Nguy°+`, `Nør: yến`): the one whose first letter opens the
    fragment and whose folded form starts with its letters, or ends the fragment; unique only."""
    letters = fold("".join(c for c in garbage if c.isalpha()), upper=True)
    swapped = _first_letter_swapped(garbage, gaz)
    if swapped is not None:
        return swapped
    if len(letters) < 3:
        return None
    hits = set()
    for s in gaz.values("surname"):
        key = fold(s, upper=True)
        if len(key) < 3:
            continue
        if key.startswith(letters[:4]) and len(letters) >= 4 or (
                letters[0] == key[0] and letters.endswith(key[-3:]) and len(key) >= 5) or (
                garbage[:1].islower() and len(letters) < len(key) and key.endswith(letters)):
            # Its first letters (`Nguy`), its first and last (`N..yến`), or all but the first
            # ones, the seal having eaten them (`hạm` for `Phạm`).
            hits.add(s)
    if len(hits) == 1:
        return hits.pop()
    words = garbage.split()
    # Other glyphs of the seal before the fragment next to the name (`Oh -—Đinh`).
    return _cut_surname(words[-1], gaz) if len(words) > 1 and not hits else None


def _first_letter_swapped(garbage: str, gaz: Gazetteer) -> str | None:
    """The surname whose first letter alone the seal changed (`xê`, `šê` -> `Lê`): same length,
    the same letters and vowel and tone marks after the first; or, when seal glyphs stand before
    the letters (`{,ê`), whose first letter the seal ate. Unique only."""
    last = garbage.split()[-1] if garbage.split() else ""
    word = "".join(c for c in last if c.isalpha())
    if not word or not any(c in _VOWELS for c in fold(word, upper=True)):
        return None
    key = fold(word, upper=True)
    # A consonant's glyph garbled (`š` for `L`) says nothing of the marks; a vowel's does.
    skip = 0 if key[0] in _VOWELS else 1
    marks = _marks(word[skip:])[0]
    hits = {s for s in gaz.values("surname") if len(fold(s, upper=True)) == len(key) and
            fold(s, upper=True)[1:] == key[1:] and fold(s, upper=True)[0] != key[0]
            and (fold(s, upper=True)[0] in _VOWELS) == (skip == 0)
            and _marks(s[skip:])[0] == marks} if len(word) >= 2 else set()
    if not hits and not last[:1].isalpha():
        whole = _marks(word)[0]
        hits = {s for s in gaz.values("surname") if fold(s, upper=True)[1:] == key
                and _marks(s[1:])[0] == whole}
    return hits.pop() if len(hits) == 1 else None


def _eaten_first_letter(garbage: str, gaz: Gazetteer) -> str | None:
    """The common middle name that is the garbled word's letters with one more letter before
    them, same vowel and tone marks (`+ấn` -> `Tấn`, not `Tuấn`); unique only."""
    word = "".join(c for c in garbage if c.isalpha())
    if not word or not any(c in "aăâeêioôơuưy" for c in fold(word, upper=True).lower()):
        return None
    key, marks = fold(word, upper=True), _marks(word)[0]
    hits = {s for s in _tiers()["middle"] if len(fold(s, upper=True)) == len(key) + 1
            and fold(s, upper=True).endswith(key) and _marks(s)[0] == marks}
    return hits.pop() if len(hits) == 1 else None


def _lower_name(text: str) -> str | None:
    """A common name syllable OCR read with a small first letter (`văn` for `Văn`: the seal or
    the signature cut the capital's top)."""
    if not text[:1].islower() or not text.isalpha():
        return None
    up = text[:1].upper() + text[1:]
    tiers = _tiers()
    return up if tiers["middle"].get(up) == 3 or tiers["given"].get(up) == 3 else None


def _is_name_token(text: str) -> bool:
    return text[:1].isupper() and text[1:].islower() and is_vietnamese_syllable(text) and \
        text.isalpha()


def read_name(words: list[Word], gaz: Gazetteer) -> NameRead | None:
    """The person's name on a line under a signature, or None when the line is not one."""
    # Edge punctuation is OCR's (`Plam:`); junk inside a word (`Nguy°+`) makes it garbage,
    # kept as a non-name token for the cut-surname repair.
    toks = [(w.text.strip(" .,:;'\"`"), w.conf) for w in words]
    toks = [(t if t.isalpha() else "\x00" + t, c) for t, c in toks if t]
    text = fold(" ".join(t for t, _ in toks), upper=True)
    m = _RANK.match(text + " ")
    if m:
        toks = toks[len(m.group(0).split()):]
    if not toks:
        return None
    # A garbled word between two name words: a middle name whose first letter the seal ate
    # (`Lê +ấn Dũng` for `Lê Tấn Dũng`).
    mended: set[int] = set()
    for k in range(len(toks)):
        up = _lower_name(toks[k][0])
        if up is None or not any(0 <= j < len(toks) and _is_name_token(toks[j][0])
                                 for j in (k - 1, k + 1)):
            continue
        if k > 0 and not _is_name_token(toks[k - 1][0]) and _cut_surname(
                " ".join(t.lstrip("\x00") for t, _ in toks[:k + 1]), gaz) is not None:
            continue  # the end of a surname the seal cut (`Nør: yến` for `Nguyễn`)
        toks[k] = (up, min(toks[k][1], 60.0))
        mended.add(k)
    for k in range(1, len(toks) - 1):
        if not _is_name_token(toks[k][0]) and _is_name_token(toks[k - 1][0]) and \
                _is_name_token(toks[k + 1][0]):
            fixed = _eaten_first_letter(toks[k][0], gaz)
            if fixed is not None:
                toks[k] = (fixed, min(toks[k][1], 50.0))
                mended.add(k)
    # The name is the longest run of name-like tokens; garbage before it may be a cut surname.
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        if _is_name_token(toks[i][0]) or _near_syllable(toks[i][0], "middle", gaz) and \
                toks[i][0][:1].isupper() and toks[i][0].isalpha():
            j = i
            while j < len(toks) and (_is_name_token(toks[j][0]) or (
                    toks[j][0][:1].isupper() and toks[j][0].isalpha()
                    and _near_syllable(toks[j][0], "middle", gaz))):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    if not runs:
        return None
    a, b = max(runs, key=lambda r: (r[1] - r[0], -r[0]))
    head = " ".join(t.lstrip("\x00") for t, _ in toks[:a])
    if b - a == 1 and a > 0 and b == len(toks) and _is_name_token(toks[a][0]):
        # One syllable after a garbled one: a two-syllable name whose surname the seal hid
        # (`xê Quân` for `Lê Quân`), when the garbled word points to one surname only.
        cut = _cut_surname(head, gaz)
        if cut is not None:
            return NameRead(f"{cut} {toks[a][0]}", [50.0, toks[a][1]], False, True)
    if not 2 <= b - a <= 6:
        return None
    name = toks[a:b]
    # A run must be mostly real syllables: two repaired tokens out of two is a guess on noise.
    exact = sum(_is_name_token(t) for t, _ in name)
    if exact < (1 if len(name) >= 3 else 2):
        return None
    repaired = bool(mended & set(range(a, b)))
    surname_guessed = False
    out: list[str] = []
    confs: list[float] = []
    for k, (t, c) in enumerate(name):
        role = "given" if k == len(name) - 1 else "middle"
        if not _is_name_token(t):
            fixed = _near_syllable(t, role, gaz)
            if fixed is None:
                return None
            t, c, repaired = fixed, min(c, 60.0), True
        out.append(t)
        confs.append(c)
    # `Văn`, `Lê` open a name as a middle name as well as a surname.
    if len(out) == 2 and head and (out[0] not in gaz.values("surname")
                                   or _tiers()["middle"].get(out[0]) == 3):
        cut = _cut_surname(head, gaz)
        if cut is not None:
            out, confs, surname_guessed = [cut, *out], [50.0, *confs], True
    return NameRead(" ".join(out), confs, repaired, surname_guessed)


def correct_name(name: str, confs: list[float], gaz: Gazetteer, *,
                 exact: bool = False) -> tuple[str, float]:
    """Tone marks of a name's syllables chosen by how common each spelling is in that place of a
    name and how OCR errs (marks lost more often than added); a 0-1 confidence.

    A syllable is trusted only when it is a known one and no other spelling of it is plausible,
    or the OCR is very sure; a changed syllable always asks for review.
    """
    words = name.split()
    if exact:
        # A born-digital text layer spells the name as typed: nothing to repair.
        return name, min(confs, default=0.0) / 100
    out: list[str] = []
    conf = 1.0
    for k, (word, c) in enumerate(zip(words, confs, strict=True)):
        if k == 0 and len(words) >= 3 and ("surname", word) in gaz:
            # Surnames' accent-free forms are unique (Trần, Nguyễn, Lê): `Trân` is Trần.
            known = next(v for v in gaz.values("surname") if fold(v, upper=True) == fold(word, upper=True))
            out.append(known)
            conf = min(conf, c / 100 if known == word else min(c / 100, 0.8))
            continue
        role = "given" if k == len(words) - 1 else "middle"
        variants = gaz.name_variants(word)
        best, share = best_syllable(word, role, gaz)
        if not variants:
            conf = min(conf, c / 100 - 0.2)
            out.append(word)
            continue
        if best != word:
            conf = min(conf, 0.8)
        elif word not in variants:
            conf = min(conf, c / 100 - 0.2)  # kept as read, but no known name syllable
        elif len(variants) == 1:
            conf = min(conf, c / 100)
        else:
            conf = min(conf, c / 100 - (0.0 if c >= 96 and share > 0.7 else 0.12))
        out.append(best)
    return " ".join(out), conf
