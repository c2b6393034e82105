"""Issuing agency and parent line from the top-left block, corrected against the gazetteer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from documents.extract.gazetteer import Gazetteer
from documents.extract.layout import Seg
from documents.extract.numbers import ABBR_TYPE, repair_issuer_groups
from documents.extract.textutil import squash, strip_edges, syllable_share
from models.text import fold
from models.vocabulary import MAX_LENGTH

# Registry limit for OrganName (Nghị định 30, Phụ lục VI).
MAX_ORGAN = MAX_LENGTH["OrganName"]


@dataclass(frozen=True)
class NameRead:
    """An agency name: value, where it came from, and how much to trust it (0-1)."""

    value: str
    segs: list[Seg]
    confidence: float
    known: bool


def _clean(text: str) -> str:
    return strip_edges(squash(re.sub(r"[|_—–]+", " ", text)))


def split_block(lines: list[Seg], gaz: Gazetteer) -> tuple[list[Seg], list[Seg]]:
    """Split the block's lines into (parent lines, agency lines)."""
    if not lines:
        return [], []
    # The agency starts at the last line that opens an agency name and is not the tail of a
    # wrapped one (`TỈNH QUẢNG NGÃI` continues `ỦY BAN NHÂN DÂN`).
    start = 0
    for i, s in enumerate(lines):
        # A line ending with a dash continues a list of joint issuers (`VIỆN KIỂM SÁT ... -` /
        # `TÒA ÁN ... -`): the line after it is another issuer of the same document, not the
        # agency under a parent line.
        joined = i > 0 and lines[i - 1].text.rstrip(" _").endswith(("-", "–"))
        if i > 0 and gaz.is_head(s.text) and not gaz.is_level(s.text) and not joined:
            start = i
    if start == 0 and len(lines) >= 2:
        # `UBND TỈNH X` over a name the gazetteer does not know as a head still is a parent.
        whole = _clean(" ".join(s.text for s in lines))
        if gaz.lookup("organ", whole) is None and ("parent", _clean(lines[0].text)) in gaz \
                and not lines[0].text.rstrip(" _").endswith(("-", "–")):
            start = 1
    return lines[:start], lines[start:]


# A name cannot start with a conjunction or a dash: only its wrapped end was read.
_TAIL_ONLY = re.compile(r"^(?:VÀ|VA|CỦA|CUA|-|–|&)(?:\s|$)")


def read_name(segs: list[Seg], kind: str, gaz: Gazetteer) -> NameRead | None:
    """Join wrapped lines and correct them against the gazetteer entries of `kind`."""
    if not segs:
        return None
    raw = _clean(" ".join(s.text for s in segs)).upper()
    if not raw:
        return None
    words = [w for s in segs for w in s.words]
    low = min(w.conf for w in words)
    hit = gaz.lookup(kind, raw) or (gaz.lookup("organ", raw) if kind == "parent" else None)
    if hit is not None:
        # An exact folded match only fixes accents (and word spaces); a fuzzy one rewrites
        # letters, so less sure, and much less when another entry is about as close.
        conf = 0.97 if hit.distance == 0 else max(0.0, 0.93 - 0.04 * hit.distance)
        if hit.ambiguous:
            conf = min(conf, 0.6)
        return NameRead(hit.value, segs, conf, True)
    fixed = _fix_prefix(raw, gaz)
    conf = min(1.0, low / 100) * (0.95 if syllable_share(fixed) > 0.9 else 0.6)
    if gaz.extends(kind, fixed) or (kind == "parent" and gaz.extends("organ", fixed)):
        # The start of a known name (`SỞ TÀI NGUYÊN` of `SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG`): the
        # wrapped rest was lost (stamp, merged line), so the name read is cut short.
        conf = min(conf, 0.5)
    if _TAIL_ONLY.match(fixed):
        # `VÀ XÃ HỘI`: the end of a wrapped name whose first line was not taken.
        conf = min(conf, 0.5)
    if len(fixed) > MAX_ORGAN:
        conf = min(conf, 0.3)
    return NameRead(fixed, segs, conf, False)


def _fix_prefix(raw: str, gaz: Gazetteer) -> str:
    """Correct a known agency prefix (`ỦY BAN NHÂN DÂN HUYỆN`) and keep the unknown rest."""
    words = raw.split()
    for n in range(min(len(words), 7), 0, -1):
        head = " ".join(words[:n])
        for kind in ("organ", "collective"):
            hit = gaz.lookup(kind, head, max_ratio=0.1)
            if hit is not None and len(fold(head, upper=True)) >= 6:
                return squash(f"{hit.value} {' '.join(words[n:])}")
    return raw


def repair_symbol(notation: str, organ: str | None, parent: str | None,
                  gaz: Gazetteer) -> str | None:
    """The symbol with a garbled group spelled as the issuer's abbreviation (`CĐĐSQG` ->
    `CĐSQG` under `CỤC CHUYỂN ĐỔI SỐ QUỐC GIA`, `BGDDT` -> `BGDĐT`); None when nothing to repair.
    The issuer's abbreviations come from the agency and parent names read in the header."""
    issuer = set().union(*(gaz.abbreviations(n) for n in (organ, parent) if n))
    return repair_issuer_groups(notation, issuer, gaz.known_abbreviations())


def agency_from_symbol(notation: str, gaz: Gazetteer) -> str | None:
    """The ministry or central agency a symbol names by its known abbreviation (`QĐ-BGDĐT` ->
    `BỘ GIÁO DỤC VÀ ĐÀO TẠO`), for a header whose agency lines were lost; None when its issuer
    group (the first after the type's) names none. The groups after it name the drafting unit
    (`UBND-TCCB`), never the issuer."""
    groups = notation.rpartition("/")[2].split("-")
    if len(groups) > 1 and (groups[0] in ABBR_TYPE or groups[0] == "VBHN"):  # consolidated
        groups = groups[1:]
    return gaz.named_by(groups[0])
