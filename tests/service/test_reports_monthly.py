"""The monthly report: its PDF's text, its self-sending (once, retried), a province's sum; the
paper-to-electronic lead or lag on a hand-built set."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from documents.registry import sign
from documents.reports import ReportQuery, run_report
from documents.reports.monthly import monthly_data, monthly_pdf
from documents.reports.sending import due_month, send_due
from infra.database import get_engine, migrate, session_scope
from infra.tables import Batch, Document, Page, ReportSend, StoredFile, Upload
from intake.render.exports import to_csv, to_xlsx
from models.settings import Settings
from tests.service.conftest import make_settings
from tests.service.helpers import client

ICT = dt.timezone(dt.timedelta(hours=7))
P1, P2 = "Phòng Tổng hợp", "Văn phòng"


def at(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=ICT)


def seed(url: str) -> None:
    """November 2026, by hand (local days; the paper's day against the delivery day):

    A  scan, paper Mon 02, uploaded 02 09:00, delivered 02 10:00          same day (0)
    B  scan, paper Fri 06, uploaded Mon 09, delivered Tue 10              after the paper (+4)
    C  signed PDF, uploaded Tue 03, delivered 03, its paper came Thu 05   electronic first (-2)
    D  text-layer PDF, no paper date, delivered                           nothing to compare
    E  scan, paper Wed 04, not delivered                                  nothing to compare
    """
    migrate(url)
    with session_scope(url, write=True) as session:
        batch = Batch(source="api", unit=P1)
        session.add(batch)
        session.add(StoredFile(sha256="d" * 64, size=1))
        session.flush()
        upload = Upload(batch_id=batch.id, sha256="d" * 64, filename="m.pdf", size=1)
        session.add(upload)
        session.flush()
        specs = [  # name, unit, uploaded, delivered, paper day, page source, signatures
            ("A", P1, at(2, 9), at(2, 10), dt.date(2026, 11, 2), "ocr", None),
            ("B", P1, at(9, 8), at(10, 8), dt.date(2026, 11, 6), "ocr", []),
            ("C", P2, at(3, 8), at(3, 9), dt.date(2026, 11, 5), "text_layer",
             [{"status": "valid"}]),
            ("D", P2, at(4, 8), at(4, 9), None, "text_layer", []),
            ("E", P1, at(4, 11), None, dt.date(2026, 11, 4), "ocr", None),
        ]
        for i, (name, unit, uploaded, delivered, paper, source, signatures) in enumerate(specs):
            doc = Document(batch_id=batch.id, upload_id=upload.id, sha256="d" * 64,
                           page_start=i, title=f"{name}.pdf", organ="Bộ Nội vụ", unit=unit,
                           status="delivered" if delivered else "ready_for_review",
                           uploaded_at=uploaded, recognised_at=uploaded, delivered_at=delivered,
                           acknowledged_at=delivered, paper_arrived_on=paper,
                           incoming_signatures=signatures)
            session.add(doc)
            session.flush()
            session.add(Page(document_id=doc.id, index=0, source=source))


def test_paper_against_electronic_by_hand(settings: Settings) -> None:
    seed(settings.database)
    with get_engine(settings.database).connect() as conn:
        query = ReportQuery(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "month", "unit")
        report = run_report(conn, query, now=at(20, 9)).as_dict()
    t = report["total"]
    assert (t["received"], t["electronic"], t["on_paper"]) == (5, 2, 3)
    assert (t["signed"], t["unsigned"]) == (1, 2)
    assert (t["paper_compared"], t["electronic_first"], t["same_day_as_paper"],
            t["after_paper"]) == (3, 1, 1, 1)
    assert t["paper_lag_days_sum"] == 0 + 4 - 2 and t["paper_lag_days_avg"] == 0.67
    p1 = next(g for g in report["by_group"] if g["group"] == P1)
    assert (p1["paper_compared"], p1["after_paper"], p1["paper_lag_days_avg"]) == (2, 1, 2.0)
    # The same figures as CSV and XLSX columns.
    rows = list(csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig"))))
    total = dict(zip(rows[0], rows[1], strict=True))
    assert (total["Nhận điện tử"], total["Nhận bản giấy"], total["Có chữ ký số"]) == ("2", "3", "1")
    assert (total["Điện tử đến trước bản giấy"], total["Sau bản giấy"],
            total["TB từ bản giấy đến chuyển (ngày)"]) == ("1", "1", "0.67")
    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["Theo nhóm"]
    head = [c.value for c in sheet[1]]
    line = {h: c.value for h, c in zip(head, sheet[2], strict=True)}
    assert line[head[0]] == P1 and line["Cùng ngày bản giấy"] == 1
    assert line["Bản giấy trùng văn bản điện tử"] == 0


def test_monthly_pdf_reads_back(settings: Settings) -> None:
    if not settings.database.startswith("sqlite"):
        pytest.skip("the PDF does not depend on the database; its data is tested on both")
    seed(settings.database)
    with get_engine(settings.database).connect() as conn:
        data = monthly_data(conn, 2026, 11, agency="Sở Nội vụ tỉnh Nghệ An",
                            agency_code="000.00.12.H40", now=at(1, 9, 12))
    assert data["month"] == "2026-11" and data["total"]["received"] == 5
    assert [u["group"] for u in data["units"]] == [P1, P2]
    pdf = monthly_pdf(data, parent="UBND tỉnh Nghệ An", place="Nghệ An",
                      today=dt.date(2026, 12, 1))
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "UBND TỈNH NGHỆ AN", "SỞ NỘI VỤ TỈNH NGHỆ AN",
                     "Nghệ An, ngày 01 tháng 12 năm 2026", "BÁO CÁO", "tháng 11/2026",
                     "từ ngày 01/11/2026 đến ngày 30/11/2026", "Nhận dưới dạng điện tử",
                     "Bản điện tử đến trước bản giấy", "Văn bản có chữ ký số", "Nơi nhận:",
                     "THỦ TRƯỞNG CƠ QUAN", P1, "Bản điện tử chuyển có chữ ký số của cơ quan",
                     "Hoàn thành trễ hạn", "Chưa hoàn thành, đã quá hạn"):
        assert expected in text, expected


def test_the_report_sends_itself_once_and_retries(tmp_path: Path, database_url: str,
                                                  redis_url: str) -> None:
    folder = tmp_path / "out"
    settings = make_settings(tmp_path, database_url, redis_url, report_send_dir=folder,
                             report_send_url="https://tinh.example.gov.vn/bao-cao",
                             report_send_secret="bí mật", agency_name="Sở Nội vụ",
                             delivery_backoff=60.0)
    seed(settings.database)
    assert due_month(dt.date(2026, 11, 30)) == "2026-10"
    assert due_month(dt.date(2026, 11, 1)) is None  # Sunday: the first working day is Monday 2
    posts: list[tuple[str, bytes, dict[str, str]]] = []
    answers = [503, 200]

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        posts.append((url, body, headers))
        return answers.pop(0)

    now = at(1, 8, 12)  # Tuesday 1 December 2026, a working day: November is due
    assert send_due(settings, now, post) == {"sent": 1, "retry": 1, "parked": 0}
    sent = json.loads((folder / "bao-cao-2026-11.json").read_text(encoding="utf-8"))
    assert sent["month"] == "2026-11" and sent["total"]["received"] == 5
    assert (folder / "bao-cao-2026-11.pdf").read_bytes().startswith(b"%PDF")
    url, body, headers = posts[0]
    assert headers["X-Intake-Signature"] == sign("bí mật", body, int(headers["X-Intake-Timestamp"]))
    assert send_due(settings, now + dt.timedelta(seconds=30), post) == {
        "sent": 0, "retry": 0, "parked": 0}  # the webhook waits its backoff; the folder is done
    assert send_due(settings, now + dt.timedelta(seconds=61), post) == {
        "sent": 1, "retry": 0, "parked": 0}
    assert len(posts) == 2  # the retry sends the month's report as of its own time
    assert json.loads(posts[1][1])["total"] == json.loads(body)["total"]
    assert send_due(settings, now + dt.timedelta(days=3), post) == {
        "sent": 0, "retry": 0, "parked": 0}  # written once per month and destination
    with session_scope(settings.database) as session:
        rows = session.scalars(select(ReportSend).order_by(ReportSend.destination)).all()
        assert [(r.destination.split(":")[0], r.state, r.attempts) for r in rows] == [
            ("dir", "sent", 1), ("url", "sent", 2)]


def test_province_adds_up_imported_reports(settings: Settings) -> None:
    seed(settings.database)
    with client(settings) as c:
        unit = c.get("/api/reports/monthly.json", params={"month": "2026-11"})
        assert unit.status_code == 200, unit.text
        data = unit.json()
        assert c.get("/api/reports/monthly.pdf", params={"month": "2026-11"}).content.startswith(
            b"%PDF")
        for agency in ("Sở Nội vụ", "Sở Tư pháp"):
            r = c.post("/api/reports/imports", json={**data, "agency": agency})
            assert r.status_code == 200, r.text
        r = c.post("/api/reports/imports", json={**data, "agency": "Sở Tư pháp"})  # replaces
        assert r.status_code == 200
        assert c.post("/api/reports/imports", json={"kind": "other"}).status_code == 422
        month = {"from": "2026-11-01", "to": "2026-11-30", "by": "month", "group": "agency"}
        by_code = c.get("/api/reports", params=month).json()
        assert [(g["group"], g["received"]) for g in by_code["by_group"]] == [
            ("000.00.00.G09", 2)]  # Bộ Nội vụ by its code; the manager sees his unit (P2) only
        assert "Mã định danh cơ quan ban hành" in c.get("/bao-cao", params=month).text
        total = c.get("/api/reports/province", params={"month": "2026-11"}).json()
    assert total["reports"] == 2
    assert total["total"]["received"] == 2 * data["total"]["received"]
    assert total["total"]["electronic_first"] == 2 * data["total"]["electronic_first"]
    assert total["total"]["electronic_share"] == data["total"]["electronic_share"]
