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

Only codes `seen` in a public source are used without a person: a code placed by the list's order
is a suggestion (the order was disproved once: Hậu Giang is H30, not the H28 its place gives), and
so is the code of a listed agency whose name is merely close to the one read. `suggest` puts such a
suggestion in the document's `organ_code` field marked for review; the clerk's acceptance makes it
the document's code and teaches it for the agency.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

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


def listed(name: str) -> Agency | None:
    """The agency of the list named `name` (as read from the paper), or None."""
    return agencies().get(key(name)) if name.strip() else None


def code_of(name: str) -> str | None:
    """The code of the agency named `name` when the list knows it from a public source (`seen`);
    None when unknown or only placed by the list's order."""
    found = listed(name)
    return found.code if found is not None and found.known == "seen" else None


LEARNED_KIND = "organ_code"


def learned_entry(code: str, name: str) -> str:
    """The gazetteer entry value that teaches `name` -> `code`."""
    return f"{code} {' '.join(name.split())}"


def issuer_code(session: Session, name: str | None, given: str | None = None) -> str | None:
    """The issuing agency's code: the one a clerk gave (or accepted) for this document, else one a
    clerk gave for an agency of this name, else the list's when seen in a public source; None
    when nobody knows it for sure."""
    if given:
        return given
    if not name or not name.strip():
        return None
    return learned_code(session, name) or code_of(name)


def learned_code(session: Session, name: str) -> str | None:
    """The code a clerk gave earlier for an agency of this name, or None."""
    wanted = key(name)
    for value in session.scalars(select(GazetteerEntry.value)
                                 .where(GazetteerEntry.kind == LEARNED_KIND)
                                 .order_by(GazetteerEntry.id.desc())):
        code, _, learned_name = value.partition(" ")
        if key(learned_name) == wanted and is_code(code):
            return code
    return None


@dataclass(frozen=True)
class Suggestion:
    """The code the service proposes for a document's issuer, and whether a person must check it:
    `source` is `learned` (a clerk gave it), `list` (seen in a public source), `list_order`
    (placed by the list's order: unsure) or `near` (the code of a listed agency whose name is
    close to the one read: unsure)."""

    code: str
    source: str
    agency: str

    @property
    def sure(self) -> bool:
        return self.source in ("learned", "list")


def suggest(session: Session, name: str | None) -> Suggestion | None:
    """What is known of the code of the agency read as `name`, best source first."""
    if not name or not name.strip():
        return None
    code = learned_code(session, name)
    if code is not None:
        return Suggestion(code, "learned", name)
    found = listed(name)
    if found is not None:
        return Suggestion(found.code, "list" if found.known == "seen" else "list_order", found.name)
    close = near(name)
    return Suggestion(close.code, "near", close.name) if close is not None else None


def fill_field(session: Session, organ: str | None, fields: dict[str, Any]) -> None:
    """Put the suggested issuer code in the document's `organ_code` field (marked for review when
    unsure), unless a clerk set that field; remove a suggestion that no longer applies."""
    current = fields.get("organ_code")
    if isinstance(current, dict) and current.get("corrected_by"):
        return
    found = suggest(session, organ)
    if found is None:
        fields.pop("organ_code", None)
        return
    fields["organ_code"] = {
        "value": found.code, "confidence": 1.0 if found.sure else 0.5,
        "needs_review": not found.sure, "source": found.source, "agency": found.agency,
    }
