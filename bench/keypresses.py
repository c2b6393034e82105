"""Key presses a clerk needs to confirm one document in the review page (issue 16, "Measure it").

The review page (intake/web/static/review.js) stops on each uncertain field, in the page's order,
with its value selected (typing replaces it): Enter accepts it, typing a value and Enter saves
it; when none is left the confirm button has the focus and Enter confirms. `presses` gives the
keys themselves (tests/web/test_keypress_replay.py replays them in the page), `key_presses` their
number. For each field the page stops on:

- value right: 1 key (Enter);
- value wrong or missing: the right value typed, then Enter. A number whose digits are missing
  but whose symbol was read shows `/symbol` with the cursor before it: only the digits are typed
  when the symbol is right (else Shift+End selects it first). A date is typed `dd/mm/yyyy`; the
  arrival stamp as its number, Tab, its date; recipients one line each, Shift+Enter between
  lines; a mark (urgency, secrecy) by arrow keys in its list;
- a value where the document has none: Delete, Enter (each box of the stamp cleared); for a
  number, date, agency, type or subject Alt+K ("Không có") alone, as Enter refuses an empty one;
  no signer block read where the file has none (a first page alone): one Enter on the first
  empty signer box settles the three.

A field the page does not stop on (confident) costs nothing when right; when wrong it is still
counted as typed, but the clerk must first click it (a confident wrong value: precision's
failure, not the page's). A field the truth does not give (recipients of the hand labels, the
agency code) that the page stops on is counted as accepted (Enter): the least it costs; the
agency code is suggested by the service (documents/agency_codes.py), not by extraction, so the
benchmark, which runs extraction alone, never sees it flagged (the replay test, on the API's
fields, does). Plus 1 key to confirm. Typing counts Telex keys: one per letter, digit or sign,
one more per Vietnamese mark (`Đ` is `dd`, `ấ` is `a a s`); case is free.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.extraction_score import canon, compare, get, truth_to_places

# The review page's fields (review.js SPEC), in its order, and how each is edited.
PAGE_FIELDS = {"number": "text", "issued_date": "date", "organ_name": "text",
               "parent_organ": "text", "organ_code": "text", "type_name": "text",
               "subject": "textarea", "place": "text", "signer.competence": "text",
               "signer.position": "text", "signer.full_name": "text", "to_places": "lines",
               "urgency": "select", "secrecy": "select", "arrival_stamp": "pair"}
# Never confirmed empty; Enter refuses an empty one, Alt+K says the document has none (review.js).
REQUIRED = ("number", "issued_date", "organ_name", "type_name", "subject")
# The options of the page's lists, in order (common.js URGENCY and SECRECY; "" is "Không").
OPTIONS = {"urgency": ("", "HỎA TỐC HẸN GIỜ", "HỎA TỐC", "THƯỢNG KHẨN", "KHẨN"),
           "secrecy": ("", "MẬT", "TỐI MẬT", "TUYỆT MẬT")}
# The fields the hand labels give (to_places only generated documents' truth gives).
KEY_FIELDS = tuple(k for k in PAGE_FIELDS if k not in ("organ_code", "to_places"))


@dataclass(frozen=True)
class Press:
    """One key pressed in a field (`field` "confirm": on the confirm button): a named key
    (Playwright's name: `Enter`, `Tab`, `Delete`, `Alt+K`...) or, when `char`, one character
    typed, which costs its Telex keys (`keys`)."""

    field: str
    key: str
    char: bool = False
    keys: int = 1


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


def _chars(field: str, text: str) -> list[Press]:
    return [Press(field, ch, True, telex_keys(ch)) for ch in unicodedata.normalize("NFC", text)]


def _key(field: str, *keys: str) -> list[Press]:
    return [Press(field, k) for k in keys]


def _day(value: Any) -> str:
    """A date as the page takes it, dd/mm/yyyy."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return day.strftime("%d/%m/%Y")


def _field(fields: dict[str, Any], key: str) -> dict[str, Any]:
    f = fields.get(key)
    return f if isinstance(f, dict) else {}


def _flagged(fields: dict[str, Any], key: str) -> bool:
    """Whether the page shows a field as uncertain (review.js `state`)."""
    if key.startswith("signer."):
        signer = _field(fields, "signer")
        parts = signer.get("parts")
        if not isinstance(parts, dict):
            return bool(signer.get("needs_review"))
        return bool((parts.get(key.split(".", 1)[1]) or {}).get("needs_review"))
    src = ("number", "code_number", "code_notation") if key == "number" else (key,)
    return any(_field(fields, k).get("needs_review") for k in src)


def _empty_required(fields: dict[str, Any], meta: dict[str, Any], key: str) -> bool:
    """Empty where a value is required and the document is not said to lack it: the page stops."""
    f = _field(fields, key)
    value = f.get("value", get(meta, key))
    return key in REQUIRED and key in fields and not f.get("none") and value in (None, "")


def _knows(truth: dict[str, Any], key: str) -> bool:
    return key in KEY_FIELDS or (key == "to_places" and truth_to_places(truth) is not None)


def _shown_symbol(meta: dict[str, Any], fields: dict[str, Any]) -> str | None:
    """The symbol the number's box holds alone (`/UBND-KTTH`: digits missing), else None."""
    number = _field(fields, "number")
    if number.get("value", meta.get("number")) or number.get("none"):
        return None
    notation = _field(fields, "code_notation").get("value")
    return str(notation) if notation else None


def _correct(truth: dict[str, Any], meta: dict[str, Any], fields: dict[str, Any],
             key: str) -> list[Press]:
    """The presses that put the truth's value into a field the page stands on."""
    kind = PAGE_FIELDS[key]
    want: Any = truth_to_places(truth) if key == "to_places" else get(truth, key)
    got = get(meta, key)
    if want in (None, "", [], {}):
        if key in REQUIRED:
            return _key(key, "Alt+K")
        if kind == "select":
            return _arrows(key, got, None) + _key(key, "Enter")
        if kind == "pair":
            stamp = got if isinstance(got, dict) else {}
            return (_key(key, "Delete") if stamp.get("number") else []) + _key(key, "Tab") + \
                (_key(key, "Delete") if stamp.get("date") else []) + _key(key, "Enter")
        return _key(key, "Delete", "Enter")
    if key == "number":
        symbol = _shown_symbol(meta, fields)
        if symbol is not None and canon(symbol, key) == canon(truth.get("code_notation"), key):
            return _chars(key, str(truth.get("code_number") or "")) + _key(key, "Enter")
        return (_key(key, "Shift+End") if symbol is not None else []) + \
            _chars(key, str(want)) + _key(key, "Enter")
    if kind == "date":
        return _chars(key, _day(want)) + _key(key, "Enter")
    if kind == "select":
        return _arrows(key, got, want) + _key(key, "Enter")
    if kind == "pair":
        day = _day(want["date"]) if want.get("date") else ""
        return _chars(key, str(want.get("number") or "")) + _key(key, "Tab") + \
            _chars(key, day) + _key(key, "Enter")
    if kind == "lines":
        out: list[Press] = []
        for i, line in enumerate(want):
            out += (_key(key, "Shift+Enter") if i else []) + _chars(key, str(line))
        return out + _key(key, "Enter")
    return _chars(key, str(want)) + _key(key, "Enter")


def _arrows(key: str, got: Any, want: Any) -> list[Press]:
    """Arrow keys that move a list from the value shown to the wanted one."""
    options = OPTIONS[key]
    at = options.index(got or "") if (got or "") in options else len(options)  # unknown: added last
    to = options.index(want or "")
    return _key(key, *(["ArrowDown"] * (to - at) if to > at else ["ArrowUp"] * (at - to)))


def stops(meta: dict[str, Any], fields: dict[str, Any]) -> list[str]:
    """The fields the page stops on, in its order: the uncertain ones, then required ones left
    empty (review.js `pending`)."""
    uncertain = [k for k in PAGE_FIELDS if _flagged(fields, k)]
    return uncertain + [k for k in PAGE_FIELDS
                        if k not in uncertain and _empty_required(fields, meta, k)]


def presses(truth: dict[str, Any], meta: dict[str, Any], fields: dict[str, Any]) -> list[Press]:
    """The keys a clerk presses, in order, to confirm one document (see the module's rules):
    the fields the page stops on, then confident wrong values (clicked first), then confirm."""
    out: list[Press] = []
    stopped = stops(meta, fields)
    settled: set[str] = set()
    for key in stopped:
        if key in settled:
            continue
        if key.startswith("signer.") and _no_signer(truth, fields):
            # No block read and none in the file: one Enter on the first empty box settles the
            # three (review.js `noSigner`).
            settled.update(k for k in stopped if k.startswith("signer."))
            out += _key(key, "Enter")
            continue
        if not _knows(truth, key) or compare(truth, meta, key):
            out += _key(key, "Enter")
        else:
            out += _correct(truth, meta, fields, key)
    for key in PAGE_FIELDS:
        if key not in stopped and _knows(truth, key) and not compare(truth, meta, key):
            out += _correct(truth, meta, fields, key)
    return out + _key("confirm", "Enter")


def _no_signer(truth: dict[str, Any], fields: dict[str, Any]) -> bool:
    """The page read no signer block (the field has no parts) and the document has none."""
    signer = _field(fields, "signer")
    return not signer.get("parts") and not any((truth.get("signer") or {}).values())


def key_presses(truth: dict[str, Any], meta: dict[str, Any], fields: dict[str, Any]) -> int:
    """Key presses to confirm one document: the Telex keys of `presses`."""
    return sum(p.keys for p in presses(truth, meta, fields))


def summary(values: list[int]) -> tuple[float, float, float]:
    """Median, 90th percentile (nearest rank) and mean."""
    if not values:
        return 0.0, 0.0, 0.0
    s = sorted(values)
    median = (s[(len(s) - 1) // 2] + s[len(s) // 2]) / 2
    p90 = float(s[min(len(s) - 1, max(0, -(-9 * len(s) // 10) - 1))])
    return median, p90, sum(s) / len(s)
