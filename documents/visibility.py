"""Who may see a document: its receiving unit, and for a restricted one the clearance (issue 13).

A person sees the documents of their units; a restricted document only with the secret clearance
(an attribute of the account, not a role). Restricted means a secrecy level above NONE
(`models.vocabulary.SecrecyLevel`): a mark MẬT, TỐI MẬT or TUYỆT MẬT, a mark that is not one of
them, or an uncertain "no mark" — none read, but the page's colour was not searched or a stamp
there could not be read — until a person decides. The level is derived here (`secrecy_level`),
stored in `documents.secrecy_level` whenever the metadata is set (documents.metadata), and is the
one rule of visibility, the registry feed (documents.registry.is_restricted) and the reports.

The rule is written twice, once per object (`can_see`) and once as SQL conditions for lists,
search and reports (`conditions`); `tests/documents/test_visibility.py` holds the two to the same
answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_

from infra.tables import Document
from models.vocabulary import SecrecyLevel


@dataclass(frozen=True)
class Viewer:
    """What decides visibility: the units (None: every unit) and the secret clearance."""

    units: frozenset[str] | None
    clearance: bool = False


EVERYTHING = Viewer(units=None, clearance=True)  # the service itself, the CLI


def secrecy_level(mark: str | None, field: Any) -> SecrecyLevel:
    """The level of a document with the stored `mark` and the extraction's or a person's
    `secrecy` field ({value, confidence, needs_review, ...}).

    No mark and a field still to review (extraction could not prove there is none) is UNCERTAIN;
    a person's decision (the field no longer needs review) or a confident "none" is NONE."""
    level = SecrecyLevel.of_mark(mark)
    if level is SecrecyLevel.NONE and isinstance(field, dict) \
            and field.get("value") in (None, "") and field.get("needs_review"):
        return SecrecyLevel.UNCERTAIN
    return level


def level_of(doc: Any) -> SecrecyLevel:
    """The stored level of a document."""
    return SecrecyLevel(doc.secrecy_level or 0)


def is_secret(doc: Any) -> bool:
    """Restricted: a mark, certain or not, or an uncertain "no mark" (the registry's rule too)."""
    return level_of(doc) > SecrecyLevel.NONE


def open_condition() -> Any:
    """SQL: documents that are not restricted."""
    return Document.secrecy_level == int(SecrecyLevel.NONE)


def secret_condition() -> Any:
    """SQL: restricted documents."""
    return Document.secrecy_level > int(SecrecyLevel.NONE)


def can_see(viewer: Viewer, doc: Any) -> bool:
    """Whether `viewer` may see `doc` at all (its existence included)."""
    if viewer.units is not None and doc.unit not in viewer.units:
        return False
    return viewer.clearance or not is_secret(doc)


def conditions(viewer: Viewer) -> list[Any]:
    """SQL conditions on `Document` selecting what `viewer` may see."""
    out: list[Any] = []
    if viewer.units is not None:
        out.append(Document.unit.in_(sorted(viewer.units)))
    if not viewer.clearance:
        out.append(open_condition())
    return [and_(*out)] if out else []
