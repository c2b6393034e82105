"""Known agencies, parent lines, places and positions, to fix OCR errors in extracted names.

The base list is `data/gazetteer.json` (maintained with the project); clerks' corrections are
added with `Gazetteer.add(kind, value)` and persisted to an overlay JSON file given by the caller.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from documents.extract.known_signers import KIND as SIGNER_KIND
from documents.extract.known_signers import KnownSigner, organ_key, parse_entry
from documents.extract.textutil import squash
from models.text import fold, is_vietnamese_syllable

DATA = Path(__file__).parent / "data" / "gazetteer.json"
# Given and middle name syllables ranked by how common they are (see documents/extract/names.py).
NAMES = Path(__file__).parent / "data" / "names.json"
KINDS = ("organ", "parent", "position", "place", "collective", "surname")


@dataclass(frozen=True)
class Match:
    """A gazetteer entry found for some OCR text, and how far (edits on folded text) it was."""

    value: str
    distance: int
    # Another entry is as close, or one edit further: the text may name either.
    ambiguous: bool = False


class Gazetteer:
    """Entries per kind, indexed by their folded form for tolerant lookup."""

    def __init__(self, data: dict[str, list[object]], overlay: Path | None = None) -> None:
        self._overlay = overlay
        self._entries: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        # The same keys without spaces and doubled letters: OCR drops or adds word spaces
        # (`BANNHÂNDÂN`, `HƯNGYÊN`) and reads an accent as a letter again (`NGAÀI`).
        self._tight: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        # Abbreviations the agencies print in their symbols (`BGDĐT`), by folded agency name.
        self._abbr: dict[str, str] = {}
        # Ministries and central agencies by abbreviation: a symbol naming one names the issuer
        # (a Sở's or a Phòng's abbreviation does not say which province's).
        self._national: dict[str, list[str]] = {}
        self.organ_heads: tuple[str, ...] = tuple(str(h) for h in data.get("organ_heads", []))
        self.levels: tuple[str, ...] = tuple(str(h) for h in data.get("levels", []))
        # Syllables of given and middle names; several share a folded form (Hiền, Hiển).
        self._name_syl: dict[str, set[str]] = {}
        for syl in data.get("name_syllables", []) + data.get("surnames", []) + _ranked_names():
            self._name_syl.setdefault(fold(str(syl), upper=True), set()).add(str(syl))
        # Signers confirmed on each agency's documents (documents/extract/known_signers.py).
        self._signers: dict[str, list[KnownSigner]] = {}
        self._expand(data)
        if overlay is not None and overlay.exists():
            extra = json.loads(overlay.read_text(encoding="utf-8"))
            for kind, values in extra.items():
                for v in values:
                    self._put(kind, str(v))

    @classmethod
    def load(cls, overlay: Path | None = None) -> Gazetteer:
        """The project's gazetteer plus the clerks' overlay file, if given."""
        return cls(json.loads(DATA.read_text(encoding="utf-8")), overlay)

    def _put(self, kind: str, value: str) -> None:
        if kind not in self._entries:
            raise ValueError(f"unknown gazetteer kind {kind!r} (one of {', '.join(KINDS)})")
        value = squash(value)
        key = fold(value, upper=True)
        self._entries[kind].setdefault(key, value)
        self._tight[kind].setdefault(_tight(key), value)

    def _expand(self, data: dict[str, list[object]]) -> None:
        """Turn the compact lists into full agency names, parent lines and places."""
        cities = {str(c) for c in data.get("cities_2025", []) + data.get("cities_old", [])}
        provinces = {str(p) for p in data.get("provinces_2025", []) + data.get("provinces_old", [])}
        for p in sorted(provinces):
            up = p.upper()
            # A city's level is often printed short (`CÔNG AN TP. ĐÀ NẴNG`).
            levels = ["THÀNH PHỐ", "TP.", "TP"] if p in cities else ["TỈNH"]
            for level in levels:
                for body in ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN"):
                    self._put("organ", f"{body} {level} {up}")
                    self._put("parent", f"{body} {level} {up}")
                for short in ("UBND", "HĐND"):
                    self._put("parent", f"{short} {level} {up}")
                    self._put("organ", f"{short} {level} {up}")
                for local in data.get("local_bodies", []):
                    self._put("organ", f"{local} {level} {up}")
            self._put("place", p)
            self._put("place", f"TP. {p}" if p in cities else p)
        for d in data.get("districts", []):
            self._put("place", str(d))
        for key, head, kinds in (("ministries", "BỘ ", ("organ", "parent")),
                                 ("central_organs", "", ("organ", "parent")),
                                 ("departments", "SỞ ", ("organ", "parent")),
                                 ("district_offices", "", ("organ",))):
            for name, abbr in _pairs(data, key):
                full = f"{head}{name.upper()}"
                for kind in kinds:
                    self._put(kind, full)
                self._abbr.setdefault(fold(full, upper=True), abbr)
                if key in ("ministries", "central_organs"):
                    self._national.setdefault(abbr, []).append(squash(full))
        # Bodies of the National Assembly and the Government, mass organisations (`parent` too:
        # their units print them above their own name), then ministries' units, universities and
        # academies, and provincial bodies whose name the place follows (`HỘI NÔNG DÂN TỈNH ...`).
        for entry in data.get("national_bodies", []):
            self._put("organ", str(entry))
            self._put("parent", str(entry))
        for key in ("ministry_units", "schools", "mass_bodies", "local_bodies"):
            for entry in data.get(key, []):
                self._put("organ", str(entry))
        for kind, key in (("position", "positions"), ("collective", "collective_bodies"),
                          ("surname", "surnames")):
            for v in data.get(key, []):
                self._put(kind, str(v))

    def add_signer(self, value: str) -> None:
        """Record a confirmed signer (a `known_signers.signer_entry` value; others ignored)."""
        known = parse_entry(value)
        if known is not None:
            mine = self._signers.setdefault(organ_key(known.organ), [])
            if known not in mine:
                mine.append(known)

    def signers_of(self, organ: str | None) -> list[KnownSigner]:
        """The signers confirmed on documents of this agency (its exact name, folded)."""
        return list(self._signers.get(organ_key(organ), [])) if organ else []

    def add(self, kind: str, value: str) -> None:
        """Add a clerk's corrected value and persist it to the overlay file."""
        self._put(kind, value)
        if self._overlay is None:
            raise ValueError("this gazetteer has no overlay file to persist to")
        extra: dict[str, list[str]] = {}
        if self._overlay.exists():
            extra = json.loads(self._overlay.read_text(encoding="utf-8"))
        values = extra.setdefault(kind, [])
        if squash(value) not in values:
            values.append(squash(value))
        self._overlay.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._overlay.with_suffix(self._overlay.suffix + ".tmp")
        tmp.write_text(json.dumps(extra, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self._overlay)

    def __contains__(self, item: tuple[str, str]) -> bool:
        kind, value = item
        return fold(value, upper=True) in self._entries.get(kind, {})

    def values(self, kind: str) -> list[str]:
        """All entries of one kind."""
        return list(self._entries[kind].values())

    def lookup(self, kind: str, text: str, max_ratio: float = 0.12) -> Match | None:
        """The entry closest to `text` (folded), if within `max_ratio` edits per character.

        Distance 0 means the letters are the entry's up to accents, word spaces and a letter
        doubled; a farther match is `ambiguous` when another entry is as close or one edit
        further."""
        key = fold(text, upper=True)
        entries = self._entries[kind]
        if key in entries:
            return Match(entries[key], 0)
        tight = self._tight[kind].get(_tight(key))
        if tight is not None:
            return Match(tight, 0)
        limit = int(len(key) * max_ratio)
        if limit == 0:
            return None
        # Every entry within one edit more than the limit, nearest first, ties in the list's
        # order (rapidfuzz, in C).
        near = process.extract(key, list(entries), scorer=Levenshtein.distance,
                               score_cutoff=limit + 1, limit=None)
        found = [(int(d), entries[k]) for k, d, _ in sorted(near, key=lambda r: (r[1], r[2]))]
        if not found or found[0][0] > limit:
            return None
        d, value = found[0]
        return Match(value, d, ambiguous=any(v != value and e <= d + 1 for e, v in found[1:]))

    def abbreviations(self, name: str) -> set[str]:
        """The symbol groups an agency named `name` prints: its known abbreviation (`BỘ GIÁO DỤC
        VÀ ĐÀO TẠO` -> `BGDĐT`) and the initials of its name, with and without its head word and
        without the level and place that end a local body's name (`ỦY BAN NHÂN DÂN TỈNH QUẢNG
        NGÃI` -> `UBND`; `CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC` -> `VTLTNN`; `BAN CHỈ ĐẠO 138` ->
        `BCĐ138`)."""
        out: set[str] = set()
        known = self._abbr.get(fold(name, upper=True))
        if known:
            out.add(known)
        words = [w for w in re.split(r"[\s,\-–]+", squash(name).upper()) if w and w != "VÀ"]
        levels = [lv.split() for lv in self.levels]
        for i in range(1, len(words)):
            if any(words[i:i + len(lv)] == lv for lv in levels):
                words = words[:i]
                break
        if len(words) == 1 and not is_vietnamese_syllable(words[0].capitalize()):
            out.add(words[0])  # printed abbreviated: `UBND TỈNH ...`, `HĐND HUYỆN ...`
        if len(words) < 2:
            return out
        letters = [w if w.isdigit() else _initial(w) for w in words]
        out.add("".join(letters))
        if len(words) >= 3:
            out.add("".join(letters[1:]))
        return {a for a in out if len(a) >= 2}

    def named_by(self, abbreviation: str) -> str | None:
        """The ministry or central agency whose known abbreviation is `abbreviation` (`BGDĐT`),
        None when none or several."""
        names = self._national.get(abbreviation, [])
        return names[0] if len(names) == 1 else None

    def known_abbreviations(self) -> set[str]:
        """Every known agency abbreviation (`BGDĐT`, `UBDT`, `SGDĐT`...)."""
        return set(self._abbr.values())

    def extends(self, kind: str, text: str) -> bool:
        """True when some entry starts with `text` (folded) and goes on: `text` is cut short."""
        key = fold(text, upper=True)
        return bool(key) and any(k.startswith(key + " ") for k in self._entries[kind])

    def name_variants(self, syllable: str) -> set[str]:
        """Known name syllables spelled like `syllable` up to accents (`Hiên` -> Hiền, Hiển)."""
        return self._name_syl.get(fold(syllable, upper=True), set())

    def all_name_syllables(self) -> list[str]:
        """Every known name syllable (given, middle and surnames)."""
        return sorted({s for group in self._name_syl.values() for s in group})

    def is_head(self, line: str) -> bool:
        """True when a line begins with a word that starts an agency name (`SỞ`, `BAN`, ...)."""
        key = fold(line, upper=True)
        return any(key == fold(h, upper=True) or key.startswith(fold(h, upper=True) + " ")
                   for h in self.organ_heads)

    def is_level(self, line: str) -> bool:
        """True when a line begins with an administrative level (`TỈNH`, `HUYỆN`...)."""
        key = fold(line, upper=True)
        return any(key.startswith(fold(lv, upper=True) + " ") for lv in self.levels)


def _pairs(data: dict[str, list[object]], key: str) -> list[tuple[str, str]]:
    """A list of `[name, abbreviation]` pairs (`["Tư pháp", "STP"]`)."""
    pairs = []
    for pair in data.get(key, []):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f"gazetteer {key!r}: expected [name, abbreviation], got {pair!r}")
        pairs.append((str(pair[0]), str(pair[1])))
    return pairs


def _tight(key: str) -> str:
    """A folded key without spaces and with doubled letters single (`NGAAI` -> `NGAI`)."""
    return re.sub(r"(.)\1+", r"\1", key.replace(" ", ""))


def _initial(word: str) -> str:
    """A word's first letter as symbols spell it: unaccented, `Đ` kept (`ĐÀO` -> `Đ`)."""
    first = word[:1]
    return first if first == "Đ" else fold(first, upper=True)


def _ranked_names() -> list[object]:
    if not NAMES.exists():
        return []
    data = json.loads(NAMES.read_text(encoding="utf-8"))
    return [s for k, v in data.items() if not k.startswith("_") for s in v]


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The project's gazetteer without any overlay (shared, read-only use)."""
    return Gazetteer.load()


@lru_cache(maxsize=4)
def gazetteer_for(learned: tuple[tuple[str, str], ...]) -> Gazetteer:
    """The project's gazetteer plus entries learned from clerks' corrections (kind, value)."""
    if not learned:
        return default_gazetteer()
    gaz = Gazetteer.load()
    for kind, value in learned:
        if kind == SIGNER_KIND:
            gaz.add_signer(value)
        elif kind in KINDS:
            gaz._put(kind, value)  # noqa: SLF001 - in memory only; the database keeps them
    return gaz
