"""The report request: a period of local days (Vietnam time), its buckets, the grouping, the filters.

Vietnam has used UTC+7 without daylight saving since 1975: a fixed offset is exact. A period of
local days is turned into UTC bounds here; a bucket is a day, an ISO week (its Monday) or a month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from documents.visibility import EVERYTHING, Viewer
from models.errors import ReportError

LOCAL_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
BUCKETS = ("day", "week", "month")
GROUPS = ("none", "organ", "unit", "agency")
MAX_BUCKETS = 1000


@dataclass(frozen=True)
class ReportQuery:
    """What a report covers: local days `start`..`end` (inclusive), bucket size, grouping, filters,
    and what its reader may see (documents.visibility: units, clearance)."""

    start: dt.date
    end: dt.date
    by: str = "month"
    group: str = "none"
    organ: str | None = None
    unit: str | None = None
    # Who reads it: only the documents of its units, restricted ones only with the clearance.
    viewer: Viewer = EVERYTHING

    def validate(self) -> ReportQuery:
        """Raise ReportError (in Vietnamese: managers read it) when the query is unusable."""
        if self.by not in BUCKETS:
            raise ReportError("Cách chia kỳ phải là day, week hoặc month.", by=self.by)
        if self.group not in GROUPS:
            raise ReportError("Nhóm theo phải là none, organ, agency hoặc unit.",
                              group=self.group)
        if self.end < self.start:
            raise ReportError("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
                              start=self.start.isoformat(), end=self.end.isoformat())
        if len(bucket_keys(self)) > MAX_BUCKETS:
            raise ReportError(f"Khoảng thời gian quá dài cho cách chia này (quá {MAX_BUCKETS} kỳ).",
                              by=self.by)
        return self

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return local_midnight(self.end + dt.timedelta(days=1))


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 Vietnam time of `day`, as a UTC timestamp."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The Vietnam calendar day of a timestamp."""
    return moment.astimezone(LOCAL_TZ).date()


def bucket_of(day: dt.date, by: str) -> str:
    """The key of the bucket a local day falls in: 'YYYY-MM-DD', Monday 'YYYY-MM-DD', 'YYYY-MM'."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    return f"{day.year:04d}-{day.month:02d}"


def bucket_key(value: Any, by: str) -> str:
    """The bucket key as the report shows it, from SQLite's text or PostgreSQL's timestamp."""
    if isinstance(value, dt.datetime | dt.date):
        return bucket_of(value if not isinstance(value, dt.datetime) else value.date(), by)
    return str(value)


def bucket_keys(query: ReportQuery) -> list[str]:
    """Every bucket of the period in order, empty ones included (charts show the gaps)."""
    keys: list[str] = []
    if query.by == "month":
        year, month = query.start.year, query.start.month
        while (year, month) <= (query.end.year, query.end.month):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if len(keys) > MAX_BUCKETS:
                break
        return keys
    step = dt.timedelta(days=1 if query.by == "day" else 7)
    day = dt.date.fromisoformat(bucket_of(query.start, query.by))
    while day <= query.end and len(keys) <= MAX_BUCKETS:
        keys.append(day.isoformat())
        day += step
    return keys


def bucket_label(value: Any, by: str) -> str:
    """The bucket key of a report fact's integer bucket: a Julian day number (day, or a week's
    Monday) or YYYYMM."""
    if isinstance(value, str):
        return value
    number = int(value)
    if by == "month":
        return f"{number // 100:04d}-{number % 100:02d}"
    return dt.date.fromordinal(number - 1721425).isoformat()
