"""A province-level installation adds up its units' monthly reports (documents/reports/monthly.py).

Each unit's installation sends its month's report (JSON) itself (documents/reports/sending.py) or
a person uploads it; `import_report` keeps one per month and agency (the newer replaces it).
`province_month` adds them up: counts are summed; averages are recomputed from the sums (each
unit's average times its number of values); percentiles cannot be added up and are left out;
shares are recomputed from the summed counts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.reports.monthly import KIND, VERSION
from documents.reports.sql import COUNTS, TIMES
from infra.tables import ReportImport
from models.errors import ReportError

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Counts added after the first monthly reports (our copy's signature, the due date, the
# registry's duplicates): a unit on an older release leaves them out; they add up as 0.
LATER_COUNTS = frozenset({"copy_signed", "copy_unsigned", "due_dated", "handled_on_time",
                          "handled_late", "open_overdue", "open_within_time",
                          "paper_duplicates_matched", "paper_duplicates_registry"})


def check(data: Any) -> dict[str, Any]:
    """The report if it is a monthly report this version reads; ReportError (Vietnamese) if not."""
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ReportError("Không phải báo cáo tháng của hệ thống (kind).", kind=str(
            data.get("kind") if isinstance(data, dict) else type(data).__name__))
    if data.get("version") != VERSION:
        raise ReportError("Phiên bản báo cáo tháng không được hỗ trợ.", version=data.get("version"))
    if not isinstance(data.get("month"), str) or not MONTH.match(data["month"]):
        raise ReportError("Tháng của báo cáo không hợp lệ (YYYY-MM).")
    total = data.get("total")
    if not isinstance(total, dict) or not all(
            isinstance(total.get(c), int) or (c in LATER_COUNTS and total.get(c) is None)
            for c in COUNTS):
        raise ReportError("Báo cáo thiếu số liệu tổng hợp.")
    if not str(data.get("agency") or "").strip() and not str(data.get("agency_code") or ""):
        raise ReportError("Báo cáo không ghi tên hoặc mã cơ quan.")
    return data


def import_report(session: Session, data: Any, by: str) -> ReportImport:
    """Keep a unit's monthly report (replacing an earlier one of the same month and agency)."""
    data = check(data)
    code, agency = str(data.get("agency_code") or ""), str(data.get("agency") or "").strip()
    row = session.scalars(select(ReportImport).where(
        ReportImport.month == data["month"], ReportImport.agency_code == code,
        ReportImport.agency == agency)).first()
    if row is None:
        row = ReportImport(month=data["month"], agency_code=code, agency=agency, data=data,
                           imported_by=by)
        session.add(row)
    else:
        row.data, row.imported_by, row.imported_at = data, by, dt.datetime.now(dt.UTC)
    session.flush()
    return row


def province_month(session: Session, month: str) -> dict[str, Any]:
    """The month's imported reports added up, and one line per agency."""
    if not MONTH.match(month):
        raise ReportError("Tháng không hợp lệ (YYYY-MM).", month=month)
    rows = list(session.scalars(select(ReportImport).where(ReportImport.month == month)
                                .order_by(ReportImport.agency_code, ReportImport.agency)))
    total = _empty()
    agencies = []
    for row in rows:
        cell = row.data["total"]
        _add(total, cell)
        agencies.append({"agency": row.agency, "agency_code": row.agency_code,
                         "imported_at": row.imported_at.isoformat(), **_figures(_add(_empty(), cell))})
    return {"month": month, "reports": len(rows), "total": _figures(total), "agencies": agencies}


def _empty() -> dict[str, float]:
    out: dict[str, float] = dict.fromkeys(COUNTS, 0)
    for t in TIMES:
        out[f"{t}_n"], out[f"{t}_sum"] = 0, 0.0
    return out


def _add(acc: dict[str, float], cell: dict[str, Any]) -> dict[str, float]:
    for c in COUNTS:
        acc[c] += int(cell.get(c) or 0)
    for t in TIMES:
        timing = cell.get(t) or {}
        n, avg = int(timing.get("n") or 0), timing.get("avg_s")
        acc[f"{t}_n"] += n
        acc[f"{t}_sum"] += float(avg) * n if avg is not None else 0.0
    return acc


def _figures(acc: dict[str, float]) -> dict[str, Any]:
    def share(part: str, whole: float) -> float | None:
        return round(acc[part] / whole, 4) if whole else None

    out: dict[str, Any] = {c: int(acc[c]) for c in COUNTS}
    out["on_paper"] = out["received"] - out["electronic"]
    out["electronic_share"] = share("electronic", acc["received"])
    out["signed_share"] = share("signed", acc["signed"] + acc["unsigned"])
    out["copy_signed_share"] = share("copy_signed", acc["copy_signed"] + acc["copy_unsigned"])
    out["handled_on_time_share"] = share("handled_on_time",
                                         acc["handled_on_time"] + acc["handled_late"])
    out["electronic_first_share"] = share("electronic_first", acc["paper_compared"])
    out["on_time_share"] = share("registered_on_time",
                                 acc["registered_on_time"] + acc["registered_late"])
    out["urgent_within_hour_share"] = share("urgent_within_hour", acc["urgent"])
    for t in TIMES:
        n = int(acc[f"{t}_n"])
        out[t] = {"n": n, "avg_s": round(acc[f"{t}_sum"] / n, 1) if n else None}
    return out
