"""Scoring for the extraction benchmark: value comparison per field, accuracy/coverage/precision."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# Fields scored, with the signer split into its parts.
FIELDS = ("number", "code_number", "code_notation", "issued_date", "place", "organ_name",
          "parent_organ", "type_name", "subject", "signer.competence", "signer.position",
          "signer.full_name", "secrecy", "urgency", "arrival_stamp")
# Old-style tone placement (`hoà`, `uỷ`) is the same word as the new (`hòa`, `ủy`).
_TONE_MOVE = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe",
              "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy",
              "uỵ": "ụy"}


def canon(value: Any, key: str) -> Any:
    """Comparable form: NFC, one tone placement, single spaces; subjects also ignore case."""
    if isinstance(value, dict):
        return {k: canon(v, k) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    s = unicodedata.normalize("NFC", value)
    for old, new in _TONE_MOVE.items():
        s = s.replace(old, new).replace(old.upper(), new.upper())
        s = s.replace(old[0].upper() + old[1:], new[0].upper() + new[1:])
    s = re.sub(r"\s+", " ", s).strip()
    if key == "subject":
        s = s.lower().rstrip(" .;,")
    return s


def get(meta: dict[str, Any], key: str) -> Any:
    """A field's value, reaching into the signer for `signer.x`."""
    if key.startswith("signer."):
        signer = meta.get("signer") or {}
        return signer.get(key.split(".", 1)[1])
    return meta.get(key)


def confident(fields: dict[str, Any], key: str) -> bool:
    """Whether the extractor marked a field as not needing review."""
    if key.startswith("signer."):
        f = fields.get("signer") or {}
        part = (f.get("parts") or {}).get(key.split(".", 1)[1])
        return bool(part) and not part["needs_review"]
    f = fields.get(key)
    return bool(f) and not f["needs_review"]


@dataclass
class Tally:
    """Counts for one field of one method."""

    n: int = 0
    correct: int = 0
    confident: int = 0
    confident_correct: int = 0
    wrong_confident: list[str] = field(default_factory=list)

    def add(self, ok: bool, conf: bool, what: str) -> None:
        """Count one document."""
        self.n += 1
        self.correct += ok
        self.confident += conf
        self.confident_correct += ok and conf
        if conf and not ok:
            self.wrong_confident.append(what)

    def row(self) -> tuple[str, str, str]:
        """(accuracy, coverage, precision) as percentages."""
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:.1f}" if b else "-"
        return pct(self.correct, self.n), pct(self.confident, self.n), pct(
            self.confident_correct, self.confident)


def compare(truth: dict[str, Any], got: dict[str, Any], key: str) -> bool:
    """True when the extracted value equals the truth after canonicalising."""
    return canon(get(got, key), key) == canon(get(truth, key), key)
