"""Signers an agency's documents were confirmed with (issue 16).

An agency's documents are signed by a handful of people: once a clerk has confirmed a document
of `BỘ GIÁO DỤC VÀ ĐÀO TẠO` signed `KT. BỘ TRƯỞNG`, `THỨ TRƯỞNG`, `Nguyễn Văn Phúc`, the next
one read `Nguyễn Văn Phúc` (or `Nguyễn Văn Phuc`: the seal over the accents) under the same
agency names a known person. Confirming a document records its signer (`signer_entry`, a
gazetteer entry of kind `signer`, in the database with the clerks' other learned entries);
extraction then (`apply_known_signers`):

- a name equal to a known signer's of the document's agency up to accents, and to no other
  one's, becomes that signer's spelling, confident; the competence and position read beside it
  are confident when they are what that signer was confirmed with and were read, not guessed
  (a person's position can change: a different one stays as read, with its confidence);
- a name that is the end of exactly one known signer's name (the seal hid the surname:
  `Ngọc Thưởng`), or one letter away from exactly one (`Nguyễn Hãng Thanh`), becomes that
  name, for review (and confirms nothing else);
- when neither title was read (a name alone under the seal), the one known signer's titles are
  filled in, for review. A competence missing beside a read position is not filled: the same
  chairman signs `TM. ỦY BAN NHÂN DÂN` on a decision and nothing on a letter.

Never when the agency was not read, nor when the page holds several signers' blocks (a joint
document: which block is this document's is the question, not the name).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein

from documents.extract.fields import Found
from documents.extract.textutil import squash
from models.text import fold

KIND = "signer"
_SEP = " | "
# Confidence of a name or title that a known signer confirms.
KNOWN = 0.95
FILLED = 0.6
# Titles at this confidence or under are the signer rules' guesses (a deputy's title put for a
# line under the seal, `THỨ TRƯỞNG` left of `THỨ TRƯỞNG THƯỜNG TRỰC`): a known signer's
# title equal to a guess confirms nothing.
GUESS = 0.5


@dataclass(frozen=True)
class KnownSigner:
    """A signer confirmed on an agency's document."""

    organ: str
    competence: str | None
    position: str | None
    name: str


def signer_entry(organ: str | None, signer: dict[str, object] | None) -> str | None:
    """The gazetteer value recording a confirmed signer (`ORGAN | competence | position |
    name`), None when the agency or the name is missing or a part holds the separator."""
    if not organ or not isinstance(signer, dict) or not signer.get("full_name"):
        return None
    parts = [squash(str(organ)), *(squash(str(signer.get(k) or ""))
                                   for k in ("competence", "position", "full_name"))]
    if any("|" in p for p in parts):
        return None
    return _SEP.join(parts)


def parse_entry(value: str) -> KnownSigner | None:
    """The signer a `signer_entry` value records; None for anything else."""
    parts = [p.strip() for p in value.split("|")]
    if len(parts) != 4 or not parts[0] or not parts[3]:
        return None
    return KnownSigner(parts[0], parts[1] or None, parts[2] or None, parts[3])


def organ_key(organ: str) -> str:
    """How signers are filed by agency: the folded name."""
    return fold(squash(organ), upper=True)


def _key(text: str | None) -> str:
    return fold(squash(text or ""), upper=True)


def apply_known_signers(found: dict[str, Found], known: list[KnownSigner]) -> None:
    """Confirm or complete the signer read with the agency's known signers (see the module)."""
    signer = found.get("signer")
    if signer is None or not signer.parts or not known or signer.force_review:
        return
    parts = dict(signer.parts)
    name_f = parts.get("full_name")
    if name_f is None or not name_f.value:
        return
    key = _key(str(name_f.value))
    same = {k.name for k in known if _key(k.name) == key}
    sure = len(same) == 1
    if sure:
        name = same.pop()
        parts["full_name"] = replace(name_f, value=name, confidence=max(name_f.confidence, KNOWN))
    else:
        # The seal hid the surname (`Ngọc Thưởng`), or OCR changed one letter (`Nguyễn Hãng
        # Thanh`): the one known name it can be, for review.
        near = {k.name for k in known if _key(k.name).endswith(" " + key)} or \
            {k.name for k in known if Levenshtein.distance(_key(k.name), key) == 1}
        if same or len(near) != 1 or len(key.split()) < 2 or not name_f.needs_review:
            # A name read surely is somebody else's (`Nguyễn Văn Phú` beside a known `Phúc`).
            return
        name = near.pop()
        parts["full_name"] = replace(name_f, value=name,
                                     confidence=min(name_f.confidence, FILLED), repaired=True)
    entries = [k for k in known if k.name == name]
    titles = [parts.get(part) or Found(None, 0.0) for part in ("competence", "position")]
    lost = not any(p.value for p in titles)
    for part, p in zip(("competence", "position"), titles, strict=True):
        values = {getattr(k, part) for k in entries if getattr(k, part)}
        if p.value:
            match = [v for v in values if _key(v) == _key(str(p.value))]
            if match and sure and p.confidence > GUESS:
                parts[part] = replace(p, value=match[0], confidence=max(p.confidence, KNOWN))
        elif lost and len(values) == 1:
            parts[part] = replace(p, value=values.pop(), confidence=FILLED,
                                  page=p.page if p.page is not None else signer.page)
    found["signer"] = replace(signer, value={k: v.value for k, v in parts.items()},
                              confidence=min(v.confidence for v in parts.values()), parts=parts)
