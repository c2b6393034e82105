"""Reports on real SQLite and PostgreSQL: every figure against values worked out by hand.

The seeded documents (times are Vietnam local time, UTC+7; the period is Mon 2025-03-03 to
Sun 2025-03-16, "now" is Thu 2025-03-20 10:00 local):

    doc organ unit uploaded          recognised delivered  acknowledged   notes
    D1  A     P1   Mon 03 08:00      yes        +1800 s    Mon 03 10:00   KHẨN, on time
    D2  A     P1   Fri 07 16:00      yes        +7200 s    Mon 10 09:00   Fri -> Mon: on time
    D3  B     P2   Tue 04 06:30 (*)  yes        +14400 s   Thu 06 09:00   HỎA TỐC, late, refused once
    D4  B     P1   Wed 05 09:00      yes        -          -              ready_for_review, late
    D5  A     P2   Mon 10 14:00      yes        +1200 s    Tue 11 08:00   refused now (02), on time
    D6  A     P1   Sat 15 10:00      yes        +2700 s    Mon 17 08:00   THƯỢNG KHẨN, paper Fri 14
    D7  B     P2   Thu 13 11:00      yes        -          -              MẬT, confirmed (restricted)
    D8  A     P1   Sun 16 22:00      -          -          -              queued, late
    D12 A     P1   Tue 11 09:00      yes        +3000 s    -              delivered, late
    D9  (deleted, Wed 05) and D10 (Mon 17 00:30), D11 (Sun 02 23:59, failed): not in the period.

(*) 2025-03-03 23:30 UTC: the UTC day is Monday, the local day Tuesday.
"""

from __future__ import annotations

import datetime as dt

import pytest

from models.database import get_engine, migrate, session_scope
from models.db import Batch, Document, Event, StoredFile, Upload
from models.reports import ReportQuery, run_report
from models.settings import Settings

ICT = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2025, 3, 20, 10, 0, tzinfo=ICT)
A, B = "UBND tỉnh Nghệ An", "Bộ Nội vụ"
P1, P2 = "Phòng Tổng hợp", "Phòng Tài chính – Kế hoạch"
START, END = dt.date(2025, 3, 3), dt.date(2025, 3, 16)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=ICT)


def seed(settings: Settings) -> dict[str, int]:
    """Insert the documents of the module docstring with exact timestamps; their ids by name."""
    migrate(settings.database)
    ids: dict[str, int] = {}
    with session_scope(settings.database, write=True) as session:
        batch = Batch(source="api", unit=P1)
        session.add(batch)
        session.add(StoredFile(sha256="f" * 64, size=1))
        session.flush()
        upload = Upload(batch_id=batch.id, sha256="f" * 64, filename="seeded.pdf", size=1)
        session.add(upload)
        session.flush()

        def add(name: str, organ: str | None, unit: str, uploaded: dt.datetime, status: str, *,
                recognised: bool = True, delivered_s: int | None = None,
                acknowledged: dt.datetime | None = None, urgency: str | None = None,
                secrecy: str | None = None, registry: str | None = None,
                paper: dt.date | None = None, number: str = "", subject: str = "") -> None:
            doc = Document(
                batch_id=batch.id, upload_id=upload.id, sha256="f" * 64, page_start=len(ids),
                title=f"{name}.pdf", status=status, organ=organ, unit=unit, urgency=urgency,
                secrecy=secrecy, registry_status=registry, paper_arrived_on=paper,
                number=number.split("/")[0] or None,
                notation=number.split("/", 1)[1] if "/" in number else None,
                doc_type="Công văn", issued_date=dt.date(2025, 2, 28),
                meta={"Subject": subject} if subject else {},
                uploaded_at=uploaded,
                recognised_at=uploaded + dt.timedelta(minutes=5) if recognised else None,
                delivered_at=(uploaded + dt.timedelta(seconds=delivered_s)
                              if delivered_s is not None else None),
                acknowledged_at=acknowledged,
            )
            session.add(doc)
            session.flush()
            ids[name] = doc.id

        add("D1", A, P1, local(3, 8), "delivered", delivered_s=1800, acknowledged=local(3, 10),
            urgency="KHẨN", number="12/UBND-VX", subject="Về việc tăng cường phòng chống dịch")
        add("D2", A, P1, local(7, 16), "delivered", delivered_s=7200, acknowledged=local(10, 9))
        add("D3", B, P2, local(4, 6, 30), "delivered", delivered_s=14400,
            acknowledged=local(6, 9), urgency="HỎA TỐC", registry="03",
            number="45/BNV-TCBC", subject="Về việc báo cáo số lượng công chức")
        add("D4", B, P1, local(5, 9), "ready_for_review")
        add("D5", A, P2, local(10, 14), "ready_for_review", delivered_s=1200,
            acknowledged=local(11, 8), registry="02")
        add("D6", A, P1, local(15, 10), "delivered", delivered_s=2700, acknowledged=local(17, 8),
            urgency="THƯỢNG KHẨN", paper=dt.date(2025, 3, 14))
        add("D7", B, P2, local(13, 11), "confirmed", urgency="KHẨN", secrecy="MẬT",
            subject="Nội dung mật không được in")
        add("D8", A, P1, local(16, 22), "queued", recognised=False)
        add("D12", A, P1, local(11, 9), "delivered", delivered_s=3000)
        add("D9", A, P1, local(5, 10), "deleted")
        add("D10", A, P1, local(17, 0, 30), "queued", recognised=False)
        add("D11", B, P2, local(2, 23, 59), "failed", recognised=False)
        for name, code, reason, at in (("D3", "01", "", local(4, 11)),
                                       ("D3", "02", "Thiếu trang 2", local(4, 12)),
                                       ("D3", "03", "", local(6, 9)),
                                       ("D5", "01", "", local(11, 7)),
                                       ("D5", "02", "Sai đơn vị nhận", local(11, 8))):
            session.add(Event(actor="registry", action="registry", document_id=ids[name],
                              old=None, new=code, detail=reason, at=at))
    return ids


def report(settings: Settings, by: str = "week", group: str = "none", **filters: str) -> dict:
    with get_engine(settings.database).connect() as conn:
        return run_report(conn, ReportQuery(START, END, by, group, **filters), now=NOW).as_dict()


def times(n: int, avg: float | None, p90: float | None) -> dict[str, float | int | None]:
    return {"n": n, "avg_s": avg, "p90_s": p90}


def check(cell: dict, received: int, digitised: int, delivered: int, refused: int, ack: int,
          on_time: int, late: int, urgent: int, within: int, waiting: int, restricted: int,
          to_delivery: dict, to_ack: dict) -> None:
    got = {k: cell[k] for k in ("received", "digitised", "delivered", "refused", "acknowledged",
                                "registered_on_time", "registered_late", "urgent",
                                "urgent_within_hour", "waiting", "restricted")}
    assert got == {"received": received, "digitised": digitised, "delivered": delivered,
                   "refused": refused, "acknowledged": ack, "registered_on_time": on_time,
                   "registered_late": late, "urgent": urgent, "urgent_within_hour": within,
                   "waiting": waiting, "restricted": restricted}
    for name, want in (("to_delivery", to_delivery), ("to_acknowledgement", to_ack)):
        assert cell[name]["n"] == want["n"], name
        for key in ("avg_s", "p90_s"):
            if want[key] is None:
                assert cell[name][key] is None, (name, key)
            else:
                assert cell[name][key] == pytest.approx(want[key], abs=0.1), (name, key)


def test_figures_by_week_and_organ(settings: Settings) -> None:
    seed(settings)
    r = report(settings, "week", "organ")
    total = r["total"]
    # delivery: 1800 7200 14400 1200 2700 3000 -> sorted 1200 1800 2700 3000 7200 14400,
    # avg 30300/6 = 5050, p90 at 0.9*5 = 4.5: 7200 + 0.5*(14400-7200) = 10800.
    # acknowledgement: 7200 234000 181800 64800 165600 -> p90 at 3.6: 181800 + 0.6*52200.
    check(total, 9, 8, 6, 2, 5, 4, 4, 3, 2, 4, 1,
          times(6, 5050, 10800), times(5, 130680, 213120))
    assert total["on_time_share"] == 0.5
    assert total["urgent_within_hour_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert total["oldest_waiting_uploaded_at"] == "2025-03-05T02:00:00+00:00"  # D4

    weeks = {c["bucket"]: c for c in r["by_bucket"]}
    assert list(weeks) == ["2025-03-03", "2025-03-10"]
    check(weeks["2025-03-03"], 4, 4, 3, 1, 3, 2, 2, 2, 1, 1, 0,
          times(3, 7800, 12960), times(3, 141000, 223560))
    check(weeks["2025-03-10"], 5, 4, 3, 1, 2, 2, 2, 1, 1, 3, 1,
          times(3, 2300, 2940), times(2, 115200, 155520))

    organs = {c["group"]: c for c in r["by_group"]}
    assert [c["group"] for c in r["by_group"]] == [A, B]  # most documents first
    check(organs[A], 6, 5, 5, 1, 4, 4, 2, 2, 2, 2, 0,
          times(5, 3180, 5520), times(4, 117900, 213480))
    check(organs[B], 3, 3, 1, 1, 1, 0, 2, 1, 0, 2, 1,
          times(1, 14400, 14400), times(1, 181800, 181800))

    cells = {(c["bucket"], c["group"]): c for c in r["rows"]}
    assert set(cells) == {("2025-03-03", A), ("2025-03-03", B), ("2025-03-10", A),
                          ("2025-03-10", B)}
    # Week 2: D5 D6 D8 D12 of A; delivery 1200 2700 3000: p90 at 1.8 = 2700 + 0.8*300.
    check(cells[("2025-03-10", A)], 4, 3, 3, 1, 2, 2, 2, 1, 1, 2, 0,
          times(3, 2300, 2940), times(2, 115200, 155520))
    check(cells[("2025-03-03", B)], 2, 2, 1, 1, 1, 0, 2, 1, 0, 1, 0,
          times(1, 14400, 14400), times(1, 181800, 181800))

    backlog = r["backlog"]  # now, whatever the period: D4 D5 D7 D8 D10 D11
    assert backlog["by_status"] == {"queued": 2, "processing": 0, "ready_for_review": 2,
                                    "failed": 1, "confirmed": 1}
    assert backlog["total"] == 6 and backlog["restricted"] == 1
    assert backlog["oldest"]["title"] == "D11.pdf"
    assert backlog["oldest"]["uploaded_at"] == "2025-03-02T16:59:00+00:00"
    assert backlog["oldest"]["age_hours"] == 418.0  # 17 days 10 h 01 min


def test_local_days_months_and_filters(settings: Settings) -> None:
    seed(settings)
    days = {c["bucket"]: c["received"] for c in report(settings, "day")["by_bucket"]}
    assert len(days) == 14 and sum(days.values()) == 9
    # D3 at 23:30 UTC Monday is Tuesday in Vietnam; D10 (Mon 17 00:30 local) is outside.
    assert days["2025-03-03"] == 1 and days["2025-03-04"] == 1 and days["2025-03-16"] == 1
    assert days["2025-03-08"] == 0
    month = report(settings, "month")
    assert [c["bucket"] for c in month["by_bucket"]] == ["2025-03"]
    assert month["by_bucket"][0]["received"] == 9
    assert month["by_bucket"][0]["to_delivery"] == month["total"]["to_delivery"]
    assert month["rows"] == [] and month["by_group"] == []

    p2 = report(settings, "week", "unit", unit=P2)  # D3 D5 D7
    check(p2["total"], 3, 3, 2, 2, 2, 1, 1, 1, 0, 2, 1,
          times(2, 7800, 13080), times(2, 123300, 170100))
    assert [c["group"] for c in p2["by_group"]] == [P2]
    assert p2["backlog"]["total"] == 3  # D5 D7 D11
    only_b = report(settings, "month", organ=B)
    assert only_b["total"]["received"] == 3 and only_b["backlog"]["oldest"]["title"] == "D11.pdf"
