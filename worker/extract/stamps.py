"""Stamps: the incoming register stamp (`CÔNG VĂN ĐẾN`), secrecy and urgency marks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from worker.extract.dates import find_short_dates, valid_date
from worker.extract.layout import Seg
from worker.extract.textutil import strip_edges

_STAMP_HEADS = ("DEN", "CONG VAN DEN", "VAN DEN", "VAN BAN DEN")
_STAMP_LABELS = ("SO", "NGAY", "CHUYEN", "LUU HO SO", "GIO")
SECRECY = {"MAT": "MẬT", "TOI MAT": "TỐI MẬT", "TUYET MAT": "TUYỆT MẬT"}
URGENCY = {"KHAN": "KHẨN", "THUONG KHAN": "THƯỢNG KHẨN", "HOA TOC": "HỎA TỐC",
           "HOA TOC HEN GIO": "HỎA TỐC"}


@dataclass
class ArrivalStamp:
    """A register stamp: its segments (kept out of the header), number and date if readable."""

    segs: list[Seg]
    number: str | None
    number_conf: float
    date: str | None
    date_conf: float


def _is_stamp_head(s: Seg) -> bool:
    key = strip_edges(s.folded)
    if not s.text.replace(" ", "").isupper() and not key.startswith("DEN"):
        return False
    return key in _STAMP_HEADS or bool(re.match(r"^(?:CONG VAN |VAN BAN )?DEN\b[\s:.]*(SO|$)", key))


def find_arrival_stamp(segs: list[Seg], today: date | None) -> ArrivalStamp | None:
    """The first register stamp on a page: a `ĐẾN` head with `Số:`/`Ngày:` lines under it."""
    for head in segs:
        if not _is_stamp_head(head):
            continue
        h = head.height
        near = [s for s in segs if head.top - h <= s.top <= head.bottom + 7 * h
                and s.right >= head.left - 4 * h and s.left <= head.right + 14 * h]
        labelled = [s for s in near if s is head or any(
            strip_edges(s.folded).startswith(k) for k in _STAMP_LABELS)]
        if len(labelled) < 2:
            continue
        number, nconf, iso, dconf = None, 0.0, None, 0.0
        for s in labelled:
            key = strip_edges(s.folded)
            digits = re.findall(r"\d+", s.text)
            confs = [w.conf for w in s.words if any(c.isdigit() for c in w.text)]
            if number is None and (key.startswith("SO") or key.startswith("DEN")) and digits \
                    and "/" not in s.text:
                number, nconf = digits[0], min(confs) / 100 if confs else 0.0
            elif iso is None and key.startswith("NGAY"):
                iso, dconf = _stamp_date(s.text, today), min(confs) / 100 if confs else 0.0
        return ArrivalStamp(labelled, number, nconf, iso, dconf)
    return None


def _stamp_date(text: str, today: date | None) -> str | None:
    found = find_short_dates(text, today)
    if found:
        return found[0]
    nums = [int(n) for n in re.findall(r"\d+", text)]
    if len(nums) == 3:
        d, m, y = nums
        y += 2000 if y < 100 else 0
        return valid_date(y, m, d, today)[0]
    return None


def find_mark(segs: list[Seg], table: dict[str, str], bottom: float) -> Seg | None:
    """A stamp whose whole text is one of the marks in `table`, above `bottom`."""
    for s in segs:
        if s.top > bottom:
            break
        key = strip_edges(s.folded)
        if key in table and s.text.replace(" ", "").isupper():
            return s
    return None
