"""Scoring for the extraction benchmark: value comparison per field, accuracy/coverage/precision."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# Fields scored, with the signer split into its parts.
FIELDS = ("number", "code_number", "code_notation", "issued_date", "place", "organ_name",
          "parent_organ", "type_name", "subject", "signer.competence", "signer.position",
          "signer.full_name", "to_places", "secrecy", "urgency", "arrival_stamp")
# Old-style tone placement (`hoà`, `uỷ`) is the same word as the new (`hòa`, `ủy`).
_TONE_MOVE = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe",
              "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy",
              "uỵ": "ụy"}


def canon(value: Any, key: str) -> Any:
    """Comparable form: NFC, one tone placement, single spaces; subjects also ignore case."""
    if isinstance(value, dict):
        return {k: canon(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [canon(v, key) for v in value]
    if not isinstance(value, str):
        return value
    s = unicodedata.normalize("NFC", value)
    for old, new in _TONE_MOVE.items():
        s = s.replace(old, new).replace(old.upper(), new.upper())
        s = s.replace(old[0].upper() + old[1:], new[0].upper() + new[1:])
    s = re.sub(r"\s+", " ", s).strip()
    if key == "subject":
        s = s.lower().rstrip(" .;,")
    if key == "to_places":
        # A `Nơi nhận` line as printed is `- Sở Tài chính;`: the dash and end mark are layout.
        s = s.lstrip("-–• ").rstrip(" .;,")
    return s


def truth_to_places(truth: dict[str, Any]) -> list[str] | None:
    """The `Nơi nhận` lines a document's truth holds, without the `Lưu: ...` filing line.

    synth keeps the printed list in `recipients` (with `Như trên` and `Lưu: VT, ...`) and puts the
    `Kính gửi` addressees, when there are some, in its own `to_places`; issue 3 asks for the
    `Nơi nhận` lines, so `recipients` is the reference. Hand labels may give `to_places` directly.
    None when the truth does not say (the real-document labels): such documents are not scored.
    """
    if "recipients" in truth:
        return [r for r in truth["recipients"] if not canon(r, "to_places").startswith("Lưu")]
    return truth.get("to_places")


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
        return not part["needs_review"] if part else False
    f = fields.get(key)
    return not f["needs_review"] if f else False


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


def scored(truth: dict[str, Any], key: str) -> bool:
    """Whether the truth says anything about a field (labels without `to_places` do not)."""
    return key != "to_places" or truth_to_places(truth) is not None


def compare(truth: dict[str, Any], got: dict[str, Any], key: str) -> bool:
    """True when the extracted value equals the truth after canonicalising."""
    if key == "to_places":
        want = truth_to_places(truth)
        return canon(get(got, key) or [], key) == canon(want or [], key)
    return canon(get(got, key), key) == canon(get(truth, key), key)
