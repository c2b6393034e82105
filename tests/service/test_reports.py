"""Reports on real SQLite and PostgreSQL: every figure against values worked out by hand.

The seeded documents (times are Vietnam local time, UTC+7; the period is Mon 2025-03-03 to
Sun 2025-03-16, "now" is Thu 2025-03-20 10:00 local):

    doc organ unit uploaded          recognised delivered  acknowledged   notes
    D1  A     P1   Mon 03 08:00      yes        +1800 s    Mon 03 10:00   KHẨN, on time
    D2  A     P1   Fri 07 16:00      yes        +7200 s    Mon 10 09:00   Fri -> Mon: on time
    D3  B     P2   Tue 04 06:30 (*)  yes        +14400 s   Thu 06 09:00   HỎA TỐC, late, refused once
    D4  B     P1   Wed 05 09:00      yes        -          -              ready_for_review, late
    D5  A     P2   Mon 10 14:00      yes        +1200 s    -              refused now (02): late
    D6  A     P1   Sat 15 10:00      yes        +2700 s    Mon 17 08:00   THƯỢNG KHẨN, paper Fri 14
    D7  B     P2   Thu 13 11:00      yes        -          -              MẬT, confirmed (restricted)
    D8  A     P1   Sun 16 22:00      -          -          -              queued, late
    D12 A     P1   Tue 11 09:00      yes        +3000 s    -              delivered, late
    D9  (deleted, Wed 05) and D10 (Mon 17 00:30), D11 (Sun 02 23:59, failed): not in the period.

(*) 2025-03-03 23:30 UTC: the UTC day is Monday, the local day Tuesday.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import unicodedata
from pathlib import Path

import pytest

from documents.reports import ReportQuery, register_entries, run_report
from documents.visibility import Viewer
from infra.database import get_engine, migrate, session_scope
from infra.tables import Batch, Document, Event, StoredFile, Upload
from intake.auth.roles import Role
from models.settings import Settings
from models.vocabulary import SecrecyLevel
from tests.intake.auth.principals import account_headers
from tests.service.helpers import client

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
                secrecy=secrecy, secrecy_level=SecrecyLevel.of_mark(secrecy),
                registry_status=registry, paper_arrived_on=paper,
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
        add("D5", A, P2, local(10, 14), "ready_for_review", delivered_s=1200, registry="02")
        add("D6", A, P1, local(15, 10), "delivered", delivered_s=2700, acknowledged=local(17, 8),
            urgency="THƯỢNG KHẨN", paper=dt.date(2025, 3, 14))
        add("D7", B, P2, local(13, 11), "confirmed", urgency="KHẨN", secrecy="MẬT",
            subject="Nội dung mật không được in")
        add("D8", A, P1, local(16, 22), "queued", recognised=False)
        add("D12", A, P1, local(11, 9), "delivered", delivered_s=3000)
        add("D9", A, P1, local(5, 10), "deleted")
        add("D10", A, P1, local(17, 0, 30), "queued", recognised=False)
        add("D11", B, P2, local(2, 23, 59), "failed", recognised=False)
        # As documents.delivery.report_status writes them (D3 was sent again after its refusal).
        for name, code, reason, at in (("D3", "01", "01 Đã đến", local(4, 11)),
                                       ("D3", "02", "02 Từ chối tiếp nhận: Thiếu trang 2",
                                        local(4, 12)),
                                       ("D3", "01", "01 Đã đến", local(6, 8)),
                                       ("D3", "03", "03 Đã tiếp nhận", local(6, 9)),
                                       ("D5", "01", "01 Đã đến", local(11, 7)),
                                       ("D5", "02", "02 Từ chối tiếp nhận: Sai đơn vị nhận",
                                        local(11, 8))):
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
    # acknowledgement: 7200 234000 181800 165600 -> avg 588600/4, p90 at 2.7: 181800 + 0.7*52200.
    check(total, 9, 8, 6, 2, 4, 3, 5, 3, 2, 4, 1,
          times(6, 5050, 10800), times(4, 147150, 218340))
    assert total["on_time_share"] == 0.375
    assert total["urgent_within_hour_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert total["oldest_waiting_uploaded_at"] == "2025-03-05T02:00:00+00:00"  # D4

    weeks = {c["bucket"]: c for c in r["by_bucket"]}
    assert list(weeks) == ["2025-03-03", "2025-03-10"]
    check(weeks["2025-03-03"], 4, 4, 3, 1, 3, 2, 2, 2, 1, 1, 0,
          times(3, 7800, 12960), times(3, 141000, 223560))
    check(weeks["2025-03-10"], 5, 4, 3, 1, 1, 1, 3, 1, 1, 3, 1,
          times(3, 2300, 2940), times(1, 165600, 165600))

    organs = {c["group"]: c for c in r["by_group"]}
    assert [c["group"] for c in r["by_group"]] == [A, B]  # most documents first
    # A's acknowledgements 7200 165600 234000: p90 at 1.8 = 165600 + 0.8*68400.
    check(organs[A], 6, 5, 5, 1, 3, 3, 3, 2, 2, 2, 0,
          times(5, 3180, 5520), times(3, 135600, 220320))
    check(organs[B], 3, 3, 1, 1, 1, 0, 2, 1, 0, 2, 1,
          times(1, 14400, 14400), times(1, 181800, 181800))

    cells = {(c["bucket"], c["group"]): c for c in r["rows"]}
    assert set(cells) == {("2025-03-03", A), ("2025-03-03", B), ("2025-03-10", A),
                          ("2025-03-10", B)}
    # Week 2: D5 D6 D8 D12 of A; delivery 1200 2700 3000: p90 at 1.8 = 2700 + 0.8*300.
    check(cells[("2025-03-10", A)], 4, 3, 3, 1, 1, 1, 3, 1, 1, 2, 0,
          times(3, 2300, 2940), times(1, 165600, 165600))
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
    check(p2["total"], 3, 3, 2, 2, 1, 0, 2, 1, 0, 2, 1,
          times(2, 7800, 13080), times(1, 181800, 181800))
    assert [c["group"] for c in p2["by_group"]] == [P2]
    assert p2["backlog"]["total"] == 3  # D5 D7 D11
    only_b = report(settings, "month", organ=B)
    assert only_b["total"]["received"] == 3 and only_b["backlog"]["oldest"]["title"] == "D11.pdf"


QUERY = {"from": "2025-03-03", "to": "2025-03-16", "by": "week", "group": "organ"}


def test_api_csv_xlsx(settings: Settings) -> None:
    seed(settings)
    with client(settings, units=(P1, P2), clearance=True) as c:
        r = c.get("/api/reports", params=QUERY)
        assert r.status_code == 200, r.text
        body = r.json()
        # The API's "now" is the real clock: every seeded deadline has passed long ago.
        assert body["total"]["received"] == 9 and body["total"]["to_delivery"]["p90_s"] == 10800
        assert [g["group"] for g in body["by_group"]] == [A, B]

        r = c.get("/api/reports/export.csv", params=QUERY)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        head = rows[0]
        assert head[:5] == ["Cấp", "Kỳ", "Cơ quan ban hành", "Văn bản đến", "Đã số hóa"]
        by = {(row[0], row[1], row[2]): dict(zip(head, row, strict=True)) for row in rows[1:]}
        total = by[("Tổng cộng", "", "")]
        assert total["Văn bản đến"] == "9" and total["Bị từ chối"] == "2"
        assert float(total["TB từ nhận đến chuyển (giờ)"]) == round(5050 / 3600, 2)
        assert float(total["P90 từ nhận đến chuyển (giờ)"]) == 3.0  # 10800 s
        assert float(total["P90 từ nhận đến tiếp nhận (giờ)"]) == round(218340 / 3600, 2)
        assert total["Tỷ lệ vào sổ đúng hạn (%)"] == "37.5"
        assert total["Khẩn chuyển trong 1 giờ"] == "2" and total["Văn bản mật đang chờ"] == "1"
        assert by[("Theo nhóm", "", B)]["Vào sổ trễ hạn"] == "2"
        assert by[("Theo nhóm", "", A)]["Vào sổ trễ hạn"] == "3"
        assert by[("Kỳ × nhóm", "2025-03-10", A)]["P90 từ nhận đến chuyển (giờ)"] == str(
            round(2940 / 3600, 2))
        assert by[("Theo kỳ", "2025-03-03", "")]["Đang chờ"] == "1"

        r = c.get("/api/reports/export.xlsx", params=QUERY)
        assert r.status_code == 200
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(r.content))
        assert wb.sheetnames == ["Tổng hợp", "Theo nhóm", "Kỳ và nhóm", "Tồn đọng"]
        summary = [list(row) for row in wb["Tổng hợp"].iter_rows(values_only=True)]
        assert summary[1][:4] == ["Từ ngày", "2025-03-03", "Đến ngày", "2025-03-16"]
        head = summary[5]
        total_row = dict(zip(head, summary[6], strict=True))
        assert total_row["Văn bản đến"] == 9 and total_row["Đã chuyển điện tử"] == 6
        assert total_row["TB từ nhận đến tiếp nhận (giờ)"] == round(147150 / 3600, 2)
        weeks = {row[1]: dict(zip(head, row, strict=True)) for row in summary[7:]}
        assert weeks["2025-03-10"]["Văn bản đến"] == 5 and weeks["2025-03-10"]["Bị từ chối"] == 1
        groups = {row[0]: row for row in wb["Theo nhóm"].iter_rows(min_row=2, values_only=True)}
        assert groups[A][1] == 6 and groups[B][1] == 3
        backlog = dict(wb["Tồn đọng"].iter_rows(min_row=2, values_only=True))
        assert backlog["Chờ kiểm tra"] == 2 and backlog["Lỗi"] == 1 and backlog["Tổng"] == 6

        bad = c.get("/api/reports", params={"from": "2025-03-10", "to": "2025-03-01"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_report"
        assert c.get("/api/reports", params={"by": "year"}).status_code == 422


def test_page_and_charts(settings: Settings) -> None:
    seed(settings)
    with client(settings, units=(P1, P2), clearance=True) as c:
        r = c.get("/bao-cao", params=QUERY)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        page = r.text
        assert unicodedata.is_normalized("NFC", page)
        for label in ("Báo cáo tiếp nhận, số hóa và chuyển văn bản đến", "Văn bản đến",
                      "Đã chuyển điện tử", "Bị từ chối tiếp nhận",
                      "Vào sổ trong ngày hoặc ngày làm việc tiếp theo (3/8)",
                      "Văn bản khẩn chuyển trong 1 giờ (2/3)", "Tải Excel (XLSX)",
                      "In sổ đăng ký văn bản đến (PDF)", A, B, "Văn bản chờ lâu nhất"):
            assert label in page, label
        assert page.count("<svg") == 6  # volume, times, shares, paper vs electronic, channels, agencies
        assert "<script" not in page and "http://" not in page.replace(
            'xmlns="http://www.w3.org/2000/svg"', "")
        assert "1 giờ 24 phút" in page  # the average to delivery: 5050 s
        assert "3 giờ 00 phút" in page  # its 90th percentile: 10800 s
        # The volume chart: one bar per series and week, titled with its value.
        assert "10/03 — Văn bản đến: 5" in page and "03/03 — Bị từ chối: 1" in page

        bad = c.get("/bao-cao", params={"from": "2025-03-10", "to": "2025-03-01"})
        assert bad.status_code == 422 and "Ngày kết thúc phải sau" in bad.text
        svg = c.get("/api/reports/charts/volume.svg", params=QUERY)
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        assert svg.text.startswith("<svg") and "Đã chuyển" in svg.text
        assert c.get("/api/reports/charts/pie.svg").status_code == 404


def _pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "register.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                          check=True, capture_output=True).stdout.decode("utf-8")


def test_register_pdf(settings: Settings, tmp_path: Path) -> None:
    ids = seed(settings)
    with get_engine(settings.database).connect() as conn:
        entries = register_entries(conn, ReportQuery(START, END))
    # The order of receipt (seed() writes the rows in this order): each row got the next number
    # of 2025 when it was written; D7 (MẬT, 7) is left out, D9 (deleted) and D11 (failed) too.
    order = [e.document_id for e in entries]
    assert order == [ids[n] for n in ("D1", "D2", "D3", "D4", "D5", "D6", "D8", "D12")]
    assert [e.arrival_number for e in entries] == ["1", "2", "3", "4", "5", "6", "8", "9"]
    first = entries[0]
    assert (first.arrived_on, first.author, first.code, first.recipient, first.forwarded_on) == (
        dt.date(2025, 3, 3), A, "12/UBND-VX", P1, None)  # not yet assigned (04) by the registry
    assert first.type_and_subject == "Công văn: Về việc tăng cường phòng chống dịch"
    d3 = entries[2]
    assert d3.arrived_on == dt.date(2025, 3, 4)  # local day, not the UTC one
    assert "Bị từ chối: Thiếu trang 2" in d3.note and "Đã tiếp nhận 06/03/2025" in d3.note
    assert entries[5].arrived_on == dt.date(2025, 3, 14)  # D6: the paper came the day before
    assert entries[3].note == "Chưa duyệt" and entries[6].note == "Chưa nhận dạng"  # D4, D8

    with client(settings, units=(P1, P2), clearance=True) as c:
        r = c.get("/api/reports/register.pdf", params={"from": "2025-03-03", "to": "2025-03-16"})
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        text = _pdf_text(r.content, tmp_path)
        assert unicodedata.is_normalized("NFC", text)
        for expected in ("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Năm 2025", "Từ ngày 03/03/2025 đến ngày 16/03/2025",
                         "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng",
                         "Ký nhận", "Ghi chú", "UBND tỉnh Nghệ An", "Bộ Nội vụ", "12/UBND-VX",
                         "45/BNV-TCBC", "04/03/2025", "Thiếu trang 2", "THƯỢNG KHẨN",
                         "Trang 1/1"):
            assert expected in text, expected
        assert "Nội dung mật" not in text
        # A unit's register keeps the yearly numbers: D3 and D5 of P2 are numbers 3 and 5.
        r = c.get("/api/reports/register.pdf", params={"from": "2025-03-03", "to": "2025-03-16",
                                                         "unit": P2})
        text = _pdf_text(r.content, tmp_path)
        assert "45/BNV-TCBC" in text and "12/UBND-VX" not in text and "Sai đơn vị" in text
        lines = [ln.split() for ln in text.splitlines() if ln.strip().startswith(("04/03", "10/03"))]
        assert [ln[1] for ln in lines] == ["3", "5"]


def test_register_numbers_are_never_shifted(settings: Settings) -> None:
    """Deleting or failing a document later leaves every other number as it was; the number read
    from an arrival stamp is noted, not printed as ours; Ngày chuyển is the registry's 04."""
    ids = seed(settings)
    with get_engine(settings.database).connect() as conn:
        before = {e.document_id: e.arrival_number for e in
                  register_entries(conn, ReportQuery(START, END))}
    with session_scope(settings.database, write=True) as session:
        session.get_one(Document, ids["D2"]).status = "deleted"
        session.get_one(Document, ids["D4"]).status = "failed"
        d3 = session.get_one(Document, ids["D3"])
        d3.meta = {**d3.meta, "arrival_stamp": {"number": "215", "date": "2025-03-04"}}
        session.add(Event(actor="registry", action="registry", document_id=ids["D1"], old="03",
                          new="04", detail="04 Phân công", at=local(5, 9)))
        # A document received later in 2025 (written now) takes the next number of 2025, one
        # received in another year starts that year's series.
        late = Document(batch_id=d3.batch_id, upload_id=d3.upload_id, sha256="f" * 64,
                        page_start=100, status="delivered", unit=P1, uploaded_at=local(12, 9))
        other_year = Document(batch_id=d3.batch_id, upload_id=d3.upload_id, sha256="f" * 64,
                              page_start=101, status="delivered", unit=P1,
                              uploaded_at=dt.datetime(2026, 1, 2, 8, tzinfo=ICT))
        session.add_all([late, other_year])
        session.flush()
        assert (late.arrival_year, late.arrival_number) == (2025, len(ids) + 1)
        assert (other_year.arrival_year, other_year.arrival_number) == (2026, 1)
        late_id = late.id
    with get_engine(settings.database).connect() as conn:
        entries = register_entries(conn, ReportQuery(START, END))
    after = {e.document_id: e.arrival_number for e in entries}
    assert ids["D2"] not in after and ids["D4"] not in after
    assert {k: v for k, v in before.items() if k in after} == {
        k: v for k, v in after.items() if k != late_id}
    assert after[late_id] == str(len(ids) + 1) and list(after)[-1] == late_id
    d1, d3 = (next(e for e in entries if e.document_id == ids[n]) for n in ("D1", "D3"))
    assert d1.forwarded_on == dt.date(2025, 3, 5)
    assert d3.arrival_number == "3" and "Số trên dấu đến: 215" in d3.note


def test_reports_cover_what_the_reader_may_see(settings: Settings, tmp_path: Path) -> None:
    """A manager sees the figures of his units only; restricted documents (D7, MẬT) are counted
    only for a reader with the secret clearance, in the figures and the backlog alike."""
    seed(settings)

    def scoped(units: tuple[str, ...], clearance: bool, **filters: str) -> dict:
        viewer = Viewer(frozenset(units), clearance)
        with get_engine(settings.database).connect() as conn:
            return run_report(conn, ReportQuery(START, END, "week", "unit", **filters,
                                                viewer=viewer), now=NOW).as_dict()

    cleared = scoped((P2,), True)  # D3 D5 D7; backlog D5 D7 D11
    assert cleared["total"]["received"] == 3 and cleared["total"]["restricted"] == 1
    assert cleared["backlog"]["total"] == 3 and cleared["backlog"]["restricted"] == 1
    plain = scoped((P2,), False)  # D7 left out everywhere
    assert plain["total"]["received"] == 2 and plain["total"]["restricted"] == 0
    assert plain["total"]["urgent"] == 1  # D3 only (D7's KHẨN is not shown)
    assert plain["backlog"]["total"] == 2 and plain["backlog"]["restricted"] == 0
    assert [g["group"] for g in plain["by_group"]] == [P2]
    assert scoped((P1,), True, unit=P2)["total"]["received"] == 0  # another unit's filter
    assert scoped((), True)["total"]["received"] == 0  # no unit: nothing

    headers = account_headers(settings, "lanh.dao.p1", Role.MANAGER, (P1,))
    with client(settings, units=(P1, P2), clearance=True) as c:
        body = c.get("/api/reports", params={**QUERY, "group": "unit"}, headers=headers).json()
        # D1 D2 D4 D6 D8 D12 of P1; the clearance-holding manager of both units sees all 9.
        assert body["total"]["received"] == 6
        assert [g["group"] for g in body["by_group"]] == [P1]
        everything = c.get("/api/reports", params={**QUERY, "group": "unit"}).json()
        assert everything["total"]["received"] == 9
        r = c.get("/api/reports/register.pdf", params={"from": "2025-03-03", "to": "2025-03-16"},
                  headers=headers)
        text = _pdf_text(r.content, tmp_path)
        assert "12/UBND-VX" in text and "45/BNV-TCBC" not in text
        csv_text = c.get("/api/reports/export.csv", params=QUERY, headers=headers).text
        assert B in csv_text  # D4 of P1 comes from B
        assert "Phòng Tài chính" not in csv_text


def _percentile_cont(values: list[float], q: float = 0.9) -> float | None:
    """percentile_cont computed by hand: linear between the two ranks around q x (n - 1)."""
    if not values:
        return None
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    low = int(pos)
    high = min(low + 1, len(xs) - 1)
    return xs[low] + (pos - low) * (xs[high] - xs[low])


def test_random_documents_match_a_python_computation(settings: Settings) -> None:
    """300 documents with random times: every week and agency cell equals Python's own figures."""
    import random

    rng = random.Random(7)
    migrate(settings.database)
    docs = []
    with session_scope(settings.database, write=True) as session:
        batch = Batch(source="api")
        session.add(batch)
        session.add(StoredFile(sha256="e" * 64, size=1))
        session.flush()
        upload = Upload(batch_id=batch.id, sha256="e" * 64, filename="r.pdf", size=1)
        session.add(upload)
        session.flush()
        for i in range(300):
            uploaded = dt.datetime(2025, 3, 3, tzinfo=ICT) + dt.timedelta(
                seconds=rng.randrange(14 * 86400))
            delivered = (uploaded + dt.timedelta(seconds=rng.randrange(60, 20000))
                         if rng.random() < 0.8 else None)
            acknowledged = (delivered + dt.timedelta(seconds=rng.randrange(60, 300000))
                            if delivered and rng.random() < 0.8 else None)
            organ = rng.choice([A, B, "Sở Y tế"])
            session.add(Document(batch_id=batch.id, upload_id=upload.id, sha256="e" * 64,
                                 page_start=i, status="delivered" if delivered else "queued",
                                 organ=organ, unit=P1, uploaded_at=uploaded,
                                 delivered_at=delivered, acknowledged_at=acknowledged))
            docs.append((uploaded, delivered, acknowledged, organ))
    r = report(settings, "week", "organ")

    def week(t: dt.datetime) -> str:
        day = t.astimezone(ICT).date()
        return (day - dt.timedelta(days=day.weekday())).isoformat()

    def expect(rows: list[tuple]) -> dict:
        out = {"received": len(rows)}
        for name, i in (("to_delivery", 1), ("to_acknowledgement", 2)):
            secs = [(row[i] - row[0]).total_seconds() for row in rows if row[i] is not None]
            out[name] = (len(secs), sum(secs) / len(secs) if secs else None, _percentile_cont(secs))
        return out

    def got(cell: dict) -> dict:
        out = {"received": cell["received"]}
        for name in ("to_delivery", "to_acknowledgement"):
            out[name] = (cell[name]["n"], cell[name]["avg_s"], cell[name]["p90_s"])
        return out

    def same(a: dict, b: dict) -> bool:
        for key, va in a.items():
            vb = b[key]
            if isinstance(va, tuple):
                if va[0] != vb[0] or any((x is None) != (y is None) or (x is not None and abs(x - y) > 0.1)
                                         for x, y in zip(va[1:], vb[1:], strict=True)):
                    return False
            elif va != vb:
                return False
        return True

    assert same(got(r["total"]), expect(docs))
    for cell in r["by_bucket"]:
        assert same(got(cell), expect([d for d in docs if week(d[0]) == cell["bucket"]])), cell
    for cell in r["by_group"]:
        assert same(got(cell), expect([d for d in docs if d[3] == cell["group"]])), cell
    assert len(r["rows"]) == 6
    for cell in r["rows"]:
        rows = [d for d in docs if d[3] == cell["group"] and week(d[0]) == cell["bucket"]]
        assert same(got(cell), expect(rows)), cell
