"""Key presses a clerk needs to confirm one document in the review page (issue 16, "Measure it").

The review page (intake/web/static/review.js) stops on each uncertain field: Enter accepts it,
typing a value and Enter saves it, Ctrl+Enter (or Enter on the button) confirms. For each field
the page shows and the labels give:

- value right and confident: 0 keys;
- value right but flagged for review: 1 key (Enter);
- value wrong or missing: the right value typed in full, then Enter (a wrong value where the
  document has none: clear it and Enter, 2 keys);

plus 1 key to confirm the document. Typing counts Telex keys: one per letter, digit or sign, one
more per Vietnamese mark (`Đ` is `dd`, `ấ` is `a a s`); case is free. A date is typed as
`dd/mm/yyyy` (10 keys); the arrival stamp as its number, Tab, its date. Fields the labels do not
give (recipients, agency code) are not counted.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from bench.extraction_score import compare, confident, get

# The review page's fields (review.js SPEC) that the labels give, in its order.
KEY_FIELDS = ("number", "issued_date", "organ_name", "parent_organ", "type_name", "subject",
              "place", "signer.competence", "signer.position", "signer.full_name", "urgency",
              "secrecy", "arrival_stamp")


def telex_keys(text: str) -> int:
    """Keys to type a text with a Vietnamese Telex keyboard."""
    keys = 0
    for ch in unicodedata.normalize("NFC", text):
        if ch in "Đđ":
            keys += 2
            continue
        base = unicodedata.normalize("NFD", ch)
        keys += 1 + sum(1 for c in base[1:] if unicodedata.combining(c))
    return keys


def _typed(value: Any, key: str) -> int:
    """Keys to type a field's right value in full (without the Enter that saves it)."""
    if value is None or value == "" or value == {}:
        return 1  # clear the field
    if key == "issued_date":
        return 10
    if key in ("urgency", "secrecy"):
        return 2  # open the list, pick
    if key == "arrival_stamp" and isinstance(value, dict):
        number = value.get("number") or ""
        return telex_keys(str(number)) + 1 + (10 if value.get("date") else 0)
    if isinstance(value, date):
        return 10
    return telex_keys(str(value))


def key_presses(truth: dict[str, Any], meta: dict[str, Any], fields: dict[str, Any]) -> int:
    """Key presses to confirm one document (see the module's rules)."""
    keys = 1  # confirm
    for key in KEY_FIELDS:
        if compare(truth, meta, key):
            keys += 0 if confident(fields, key) else 1
        else:
            keys += _typed(get(truth, key), key) + 1
    return keys


def summary(values: list[int]) -> tuple[float, float, float]:
    """Median, 90th percentile (nearest rank) and mean."""
    if not values:
        return 0.0, 0.0, 0.0
    s = sorted(values)
    median = (s[(len(s) - 1) // 2] + s[len(s) // 2]) / 2
    p90 = float(s[min(len(s) - 1, max(0, -(-9 * len(s) // 10) - 1))])
    return median, p90, sum(s) / len(s)
