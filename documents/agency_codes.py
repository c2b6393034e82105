"""Issuing agencies' codes (mã định danh, Quyết định 20/2020/QĐ-TTg; QCVN 102:2016, DOMAIN §7).

The list is `data/agency_codes.csv`, maintained with the project: ministries, ministry-level and
government agencies (G..) and the 63 provinces' People's Committees (H..), each with its name,
short names and how the code is known (`seen` in a public implementation or the agency's own
publications, `order` placed by the alphabetical order of the level-1 list, which every seen code
follows). docs/DELIVERY.md names the sources.

A name read from the paper (already corrected against the gazetteer, so in its canonical form)
is matched after folding (models.text.fold) and spelling out the usual abbreviations (`UBND`,
`TP.`); the administrative level word (`TỈNH`, `THÀNH PHỐ`) is not needed. Only an exact match
gives a code: a name that is merely close is not trusted, the export is refused and the clerk
corrects the agency in review, or gives its code (field `organ_code`): a code a clerk gave is
learned (gazetteer entry of kind `organ_code`, value `<code> <name>`) and used for every later
document of that agency.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.extract.textutil import levenshtein
from infra.tables import GazetteerEntry
from models.text import fold
from models.vocabulary import is_agency_code as is_code

DATA = Path(__file__).resolve().parent / "data" / "agency_codes.csv"
_SPELLED = ((re.compile(r"\bUBND\b"), "UY BAN NHAN DAN"), (re.compile(r"\bTP\b"), "THANH PHO"),
            (re.compile(r"\bHCM\b"), "HO CHI MINH"))
_LEVEL = re.compile(r"^(UY BAN NHAN DAN) (TINH|THANH PHO) ")


@dataclass(frozen=True)
class Agency:
    """One agency of the list: its code, official name and how the code is known."""

    code: str
    name: str
    known: str  # "seen" | "order"


def key(name: str) -> str:
    """The form names are compared in: folded, abbreviations spelled out, no level word."""
    text = fold(re.sub(r"[.,;:()\"'–—-]+", " ", name), upper=True)
    text = " ".join(text.split())
    for pattern, spelled in _SPELLED:
        text = pattern.sub(spelled, text)
    return _LEVEL.sub(r"\1 ", " ".join(text.split()))


@lru_cache(maxsize=1)
def agencies() -> dict[str, Agency]:
    """The project's list indexed by key(name) for every name and short name."""
    index: dict[str, Agency] = {}
    with DATA.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            agency = Agency(row["code"], row["name"], row["known"])
            if not is_code(agency.code):
                raise ValueError(f"{DATA.name}: {agency.code!r} is not an agency code")
            for name in [row["name"], *filter(None, row["aliases"].split("|"))]:
                other = index.setdefault(key(name), agency)
                if other.code != agency.code:
                    raise ValueError(f"{DATA.name}: {name!r} names {other.code} and {agency.code}")
    return index


def near(name: str, max_ratio: float = 0.12) -> Agency | None:
    """The listed agency whose name is close to `name` but not the same (a misread or misspelt
    name), for the clerk to check; None when none is close or `name` matches exactly."""
    wanted = key(name)
    if not wanted or wanted in agencies():
        return None
    limit = int(len(wanted) * max_ratio)
    best: tuple[int, Agency] | None = None
    for listed, agency in agencies().items():
        distance = levenshtein(wanted, listed, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, agency)
    return best[1] if best is not None else None


def code_of(name: str) -> str | None:
    """The code of the agency named `name` (as read from the paper), or None when unknown."""
    found = agencies().get(key(name)) if name.strip() else None
    return found.code if found is not None else None


LEARNED_KIND = "organ_code"


def learned_entry(code: str, name: str) -> str:
    """The gazetteer entry value that teaches `name` -> `code`."""
    return f"{code} {' '.join(name.split())}"


def issuer_code(session: Session, name: str | None, given: str | None = None) -> str | None:
    """The issuing agency's code: the one a clerk gave for this document, else one a clerk gave
    for an agency of this name, else the project's list; None when nobody knows it."""
    if given:
        return given
    if not name or not name.strip():
        return None
    wanted = key(name)
    for value in session.scalars(select(GazetteerEntry.value)
                                 .where(GazetteerEntry.kind == LEARNED_KIND)
                                 .order_by(GazetteerEntry.id.desc())):
        code, _, learned_name = value.partition(" ")
        if key(learned_name) == wanted and is_code(code):
            return code
    return code_of(name)
