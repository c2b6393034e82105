"""The latest day a document can be dated: the dates printed at the top of its first page by
electronic signatures and the Official Gazette.

A document signed electronically shows, in the top margin of its first page, the signature's
visible box (`Ký bởi: UBND tỉnh Lâm Đồng / Giờ ký: 20/02/2025 11:25:13`, `Thời gian ký:
08.04.2026 17:35`, a Gazette centre's `20.01.2025 07:46:14 +07:00` beside its seal), and a
Gazette copy its issue line (`CÔNG BÁO/Số 285 + 286/Ngày 04-4-2022`). Each was made on or after
the day the document was dated: its date can be no later. Of the 150 labelled real documents
(bench/labels), 115 show such a line and none is dated after it (median 13 days before).

Only dates followed by a time of day count (a signature's stamp; a body sentence cites a date
without one), and the Gazette's line; only in the top band of the page, above the header, where
the body never reaches.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from documents.extract.layout import Seg
from models.text import fold

# Share of the page height, from the top, where the signatures' boxes and the Gazette's line sit.
TOP_BAND = 0.15
# A signature's time may be shown in UTC: the day before in Vietnam time.
SLACK = timedelta(days=1)
_DATE_TIME = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](20\d\d)[;,]?\s+\d{1,2}:\d\d")
_ISO_TIME = re.compile(r"(?<!\d)(20\d\d)-(\d\d)-(\d\d)\s+\d{1,2}:\d\d")
_GAZETTE = re.compile(r"CONG BAO\s*/\s*SO\b.*?/\s*NGAY\s+(\d{1,2})-(\d{1,2})-(20\d\d)")


def _day(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _dates(text: str) -> list[date]:
    folded = fold(text, upper=True)
    found = [_day(m.group(3), m.group(2), m.group(1)) for m in _DATE_TIME.finditer(text)]
    found += [_day(m.group(1), m.group(2), m.group(3)) for m in _ISO_TIME.finditer(text)]
    found += [_day(m.group(3), m.group(2), m.group(1)) for m in _GAZETTE.finditer(folded)]
    return [d for d in found if d is not None]


def dated_by(segs: list[Seg], height: int) -> date | None:
    """The latest day the document on this first page can be dated (with `SLACK`), or None
    when the page shows no signature time and no Gazette line."""
    days = [d for s in segs if s.top < TOP_BAND * height for d in _dates(s.text)]
    return min(days) + SLACK if days else None
