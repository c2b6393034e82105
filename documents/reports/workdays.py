"""Working days in Vietnam: Monday to Friday, less the public holidays, with the swapped days.

Public holidays (Bộ luật Lao động 2019, Điều 112: Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ Hùng
Vương, 30/4, 1/5, Quốc khánh) come from the `holidays` package (PyPI), which computes the lunar
ones (Tết, 10/3 âm lịch) and the days given off in lieu. The days the government swaps every year
(a weekday off, a Saturday worked: ngày nghỉ bù / làm bù) are in a small CSV an administrator
edits (documents/data/workdays_vn.csv, or the file INTAKE_WORKDAYS_FILE names).

The registration deadline of Nghị định 30 (the next working day) is computed here; the reports'
SQL keeps its weekday rule and takes the days where the calendar differs as exceptions.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

import holidays

from documents.reports.facts import jdn
from documents.reports.query import ReportQuery

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "workdays_vn.csv"


def swaps_file() -> Path:
    from models.settings import get_settings

    return get_settings().workdays_file or DEFAULT_FILE


def read_swaps(path: Path) -> dict[dt.date, bool]:
    """The file's days: True for a day worked (làm bù), False for a day off (nghỉ bù)."""
    if not path.exists():
        return {}
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    out: dict[dt.date, bool] = {}
    for row in csv.DictReader(lines):
        kind = (row.get("kind") or "").strip()
        if kind not in ("work", "off"):
            raise ValueError(f"{path}: kind must be work or off, not {kind!r}")
        out[dt.date.fromisoformat((row.get("date") or "").strip())] = kind == "work"
    return out


class Calendar:
    """Working days of some years: weekdays, less holidays, with the swaps applied."""

    def __init__(self, years: range, swaps: dict[dt.date, bool]) -> None:
        self.holidays = holidays.country_holidays("VN", years=list(years))
        self.swaps = swaps

    def is_working(self, day: dt.date) -> bool:
        if day in self.swaps:
            return self.swaps[day]
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after `day` (the registration deadline of a day's arrivals)."""
        day += dt.timedelta(days=1)
        while not self.is_working(day):
            day += dt.timedelta(days=1)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to `end` included (0 when end <= start)."""
        n, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            n += self.is_working(day)
        return n


def calendar(first_year: int, last_year: int) -> Calendar:
    path = swaps_file()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _calendar(first_year, last_year, str(path), mtime)


@lru_cache(maxsize=16)
def _calendar(first_year: int, last_year: int, path: str, _mtime: float) -> Calendar:
    return Calendar(range(first_year, last_year + 2), read_swaps(Path(path)))


def weekday_allowed(day: dt.date) -> int:
    """Days to the next working day by the weekday rule alone (Fri +3, Sat +2, else +1)."""
    return {4: 3, 5: 2}.get(day.weekday(), 1)


def deadline_exceptions(query: ReportQuery) -> dict[int, int]:
    """Arrival days (JDN) whose registration deadline differs from the weekday rule, and the days
    it allows: around holidays and swapped days, over the years the period's arrivals fall in
    (the year before the period included: a paper can arrive before its upload)."""
    path = swaps_file()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _exceptions(query.start.year - 1, query.end.year, str(path), mtime)


@lru_cache(maxsize=16)
def _exceptions(first_year: int, last_year: int, _path: str, _mtime: float) -> dict[int, int]:
    cal = calendar(first_year, last_year)
    out: dict[int, int] = {}
    day, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    while day <= end:
        allowed = (cal.next_working_day(day) - day).days
        if allowed != weekday_allowed(day):
            out[jdn(day)] = allowed
        day += dt.timedelta(days=1)
    return out
