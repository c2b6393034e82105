"""Who may see a document: its receiving unit, and for a secret one the clearance (issue 13).

A person sees the documents of their units; a document under a secrecy mark (MẬT, TỐI MẬT,
TUYỆT MẬT, or a mark read uncertainly) only with the secret clearance. The same rule is written
twice, once per object (`can_see`) and once as SQL conditions for lists, search and reports
(`conditions`); `tests/documents/test_visibility.py` holds the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_

from infra.tables import Document


@dataclass(frozen=True)
class Viewer:
    """What decides visibility: the units (None: every unit) and the secret clearance."""

    units: frozenset[str] | None
    clearance: bool = False


EVERYTHING = Viewer(units=None, clearance=True)  # the service itself, the CLI


def is_secret(doc: Any) -> bool:
    """A secrecy mark, certain or not, restricts the document (same rule as documents.registry)."""
    return bool((doc.secrecy or "").strip())


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
        out.append(or_(Document.secrecy.is_(None), func.trim(Document.secrecy) == ""))
    return [and_(*out)] if out else []
