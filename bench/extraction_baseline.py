"""Baseline for the extraction benchmark: the text heuristics a general tool uses.

First `Số:` match, first date in the text, first upper-case line as the agency, first upper-case
type word, the line after it as the summary, the last name-like line as the signer. No geometry,
no validation, no confidence: every value counts as confident.
"""

from __future__ import annotations

import re
from typing import Any

from documents.extract.numbers import TYPE_NAMES
from documents.extract.textutil import is_upper_phrase, title_case_name
from models.result import PageResult

_SO = re.compile(r"Số\s*:?\s*(\S+)(\s*/\S+)?")
_DATE = re.compile(
    r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})|(\d{1,2})/(\d{1,2})/(\d{4})")
_PLACE = re.compile(r"([^\n,]{2,40}),\s*ngày")


def baseline_metadata(pages: list[PageResult]) -> dict[str, Any]:
    """Metadata by first-match text heuristics over the pages' text."""
    text = "\n".join(p.text for p in pages)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out: dict[str, Any] = {}
    m = _SO.search(text)
    number = (m.group(1) + (m.group(2) or "")).replace(" ", "") if m else None
    out["number"] = number
    if number and "/" in number:
        out["code_number"], out["code_notation"] = number.split("/", 1)
    else:
        out["code_number"], out["code_notation"] = None, None
    d = _DATE.search(text)
    iso = None
    if d:
        day, mon, year = (d.group(1), d.group(2), d.group(3)) if d.group(1) else d.group(4, 5, 6)
        iso = f"{int(year):04d}-{int(mon):02d}-{int(day):02d}"
    out["issued_date"] = iso
    p = _PLACE.search(text)
    out["place"] = p.group(1).strip() if p else None
    upper = [ln for ln in lines if is_upper_phrase(ln)]
    out["organ_name"] = upper[0] if upper else None
    out["parent_organ"] = None
    out["type_name"], out["subject"] = None, None
    for i, ln in enumerate(lines):
        if ln.strip(" :") in TYPE_NAMES:
            out["type_name"] = ln.strip(" :")
            out["subject"] = lines[i + 1] if i + 1 < len(lines) else None
            break
    if out["type_name"] is None:
        vv = next((ln for ln in lines if ln.startswith("V/v")), None)
        if vv:
            out["type_name"], out["subject"] = "CÔNG VĂN", vv[3:].strip(" :")
    tail = pages[-1].text.splitlines() if pages else []
    last = [ln for ln in tail if title_case_name(ln.strip())]
    out["signer"] = {"competence": None, "position": None,
                     "full_name": last[-1].strip() if last else None}
    out["secrecy"] = next((w for w in ("TUYỆT MẬT", "TỐI MẬT", "MẬT") if w in text), None)
    out["urgency"] = next((w for w in ("THƯỢNG KHẨN", "HỎA TỐC", "KHẨN") if w in text), None)
    out["arrival_stamp"] = None
    out["to_places"] = _recipients(tail)
    return out


def _recipients(lines: list[str]) -> list[str]:
    """Dash lines after `Nơi nhận:` up to the `Lưu` line."""
    out: list[str] = []
    started = False
    for ln in (x.strip() for x in lines):
        if not started:
            started = ln.startswith("Nơi nhận")
            continue
        if ln.lstrip("- ").startswith("Lưu"):
            break
        if ln.startswith("-"):
            out.append(ln.lstrip("- ").rstrip(" ;.,"))
    return out
