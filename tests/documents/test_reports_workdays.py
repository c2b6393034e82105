"""Working days for the registration deadline: Vietnam's public holidays and the swapped days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from documents.reports import ReportQuery
from documents.reports.facts import jdn
from documents.reports.workdays import (
    DEFAULT_FILE,
    Calendar,
    calendar,
    deadline_exceptions,
    read_swaps,
)

D = dt.date


def test_tet_2026_and_the_next_working_day() -> None:
    cal = calendar(2026, 2026)
    # Tết Bính Ngọ: Monday 16 to Friday 20 February 2026 off, with the weekends around it.
    for day in range(14, 23):
        assert not cal.is_working(D(2026, 2, day)), day
    assert cal.is_working(D(2026, 2, 13)) and cal.is_working(D(2026, 2, 23))
    assert cal.next_working_day(D(2026, 2, 13)) == D(2026, 2, 23)  # Friday before Tết
    assert cal.next_working_day(D(2026, 2, 12)) == D(2026, 2, 13)
    # Giỗ Tổ Hùng Vương (10/3 lunar) fell on Sunday 26 April 2026: Monday 27 off in lieu.
    assert not cal.is_working(D(2026, 4, 27))
    assert cal.next_working_day(D(2026, 4, 24)) == D(2026, 4, 28)
    # 30/4 and 1/5 (Thursday, Friday): Wednesday's arrivals wait until Monday 4 May.
    assert cal.next_working_day(D(2026, 4, 29)) == D(2026, 5, 4)


def test_swapped_days_from_the_file(tmp_path: Path) -> None:
    # The shipped file: Saturday 22 August 2026 worked for Monday 31 August off (Quốc khánh).
    assert read_swaps(DEFAULT_FILE)[D(2026, 8, 22)] is True
    cal = calendar(2026, 2026)
    assert cal.next_working_day(D(2026, 8, 21)) == D(2026, 8, 22)
    assert cal.next_working_day(D(2026, 8, 28)) == D(2026, 9, 3)  # 31/8, 1/9, 2/9 off
    own = tmp_path / "swaps.csv"
    own.write_text("# comment\ndate,kind,note\n2026-03-06,off,Nghỉ bù\n2026-03-07,work,Làm bù\n",
                   encoding="utf-8")
    swaps = read_swaps(own)
    assert swaps == {D(2026, 3, 6): False, D(2026, 3, 7): True}
    custom = Calendar(range(2026, 2027), swaps)
    assert custom.next_working_day(D(2026, 3, 5)) == D(2026, 3, 7)
    assert custom.working_days_between(D(2026, 3, 5), D(2026, 3, 9)) == 2  # Sat 7, Mon 9
    own.write_text("date,kind\n2026-03-06,holiday\n", encoding="utf-8")
    with pytest.raises(ValueError, match="work or off"):
        read_swaps(own)


def test_deadline_exceptions_are_the_days_the_weekday_rule_gets_wrong() -> None:
    ex = deadline_exceptions(ReportQuery(D(2026, 2, 1), D(2026, 2, 28)))
    assert ex[jdn(D(2026, 2, 13))] == 10  # Friday before Tết: Monday 23 February
    assert jdn(D(2026, 2, 11)) not in ex  # an ordinary Wednesday: +1 as the weekday rule says
    assert jdn(D(2026, 3, 6)) not in ex  # an ordinary Friday: +3
