"""The monthly report: one month's figures per unit, as data (JSON) and as a printable PDF.

The PDF follows the layout of an administrative report (Nghị định 30/2020/NĐ-CP, Phụ lục I:
thể thức văn bản hành chính): the agency in charge and the agency at the top left with the
report's number, the national motto (Quốc hiệu, Tiêu ngữ) at the top right with the place and
date, the name of the document (BÁO CÁO) and its summary, the table of indicators, the
recipients (Nơi nhận) and the signature block. Liberation Serif (metric-compatible with Times New
Roman, the font Nghị định 30 asks for) is embedded, so the Vietnamese text extracts unchanged.

The JSON (`monthly_data`) is what a unit sends to its province (documents/reports/sending.py)
and what the province adds up (documents/reports/province.py): it carries its own kind and
version, the agency's name and code, the month and the figures per unit and in total.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from documents.reports.figures import run_report
from documents.reports.query import ReportQuery
from documents.visibility import EVERYTHING, Viewer
from infra.fonts import liberation_font

KIND = "intake.monthly-report"
VERSION = 1


def month_query(year: int, month: int, viewer: Viewer = EVERYTHING) -> ReportQuery:
    last = month_calendar.monthrange(year, month)[1]
    return ReportQuery(dt.date(year, month, 1), dt.date(year, month, last), "month", "unit",
                       viewer=viewer).validate()


def previous_month(today: dt.date) -> tuple[int, int]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def monthly_data(conn: Connection, year: int, month: int, *, agency: str, agency_code: str,
                 now: dt.datetime | None = None, viewer: Viewer = EVERYTHING) -> dict[str, Any]:
    """One month's report as data: total and per receiving unit (every document: the agency's
    report; counts, no content, restricted documents included)."""
    report = run_report(conn, month_query(year, month, viewer), now=now).as_dict()
    return {"kind": KIND, "version": VERSION, "agency": agency, "agency_code": agency_code,
            "month": f"{year:04d}-{month:02d}", "period": report["period"],
            "generated_at": (now or dt.datetime.now(dt.UTC)).isoformat(),
            "total": report["total"], "units": report["by_group"]}


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}".replace(".", ",") + " %"


def _hours(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 3600:.1f}".replace(".", ",") + " giờ"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + " ngày"


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# (indicator, its value in a cell, where it is defined) — docs/REPORTS.md defines each one.
INDICATORS: list[tuple[str, Callable[[dict[str, Any]], str], str]] = [
    ("Tổng số văn bản đến", lambda c: _n(c["received"]), "NĐ 30/2020/NĐ-CP"),
    ("Nhận dưới dạng điện tử", lambda c: _n(c["electronic"]), "QĐ 28/2018/QĐ-TTg"),
    ("Nhận dưới dạng bản giấy", lambda c: _n(c["on_paper"]), "QĐ 28/2018/QĐ-TTg"),
    ("Tỷ lệ nhận điện tử", lambda c: _share(c["electronic_share"]), "QĐ 28/2018/QĐ-TTg"),
    ("Văn bản có chữ ký số", lambda c: _n(c["signed"]), "NĐ 30/2020/NĐ-CP"),
    ("Văn bản không có chữ ký số", lambda c: _n(c["unsigned"]), "NĐ 30/2020/NĐ-CP"),
    ("Bản giấy trùng văn bản đã nhận điện tử", lambda c: _n(c["paper_duplicates"]),
     "QĐ 28/2018/QĐ-TTg"),
    ("- trong đó theo hệ thống quản lý văn bản báo", lambda c: _n(c["paper_duplicates_registry"]),
     "QĐ 28/2018/QĐ-TTg"),
    ("Bản điện tử chuyển có chữ ký số của cơ quan", lambda c: _n(c["copy_signed"]),
     "NĐ 30/2020, Đ.25"),
    ("Bản điện tử chuyển chưa ký số", lambda c: _n(c["copy_unsigned"]),
     "NĐ 30/2020, Đ.25"),
    ("Đã số hóa", lambda c: _n(c["digitised"]), "NĐ 30/2020/NĐ-CP"),
    ("Đã chuyển điện tử đến đơn vị xử lý", lambda c: _n(c["delivered"]), "NĐ 30/2020/NĐ-CP"),
    ("Bản điện tử đến trước bản giấy", lambda c: _n(c["electronic_first"]), "QĐ 28/2018/QĐ-TTg"),
    ("Bản điện tử cùng ngày bản giấy", lambda c: _n(c["same_day_as_paper"]), "QĐ 28/2018/QĐ-TTg"),
    ("Bản điện tử sau bản giấy", lambda c: _n(c["after_paper"]), "QĐ 28/2018/QĐ-TTg"),
    ("Chênh lệch TB từ bản giấy đến khi chuyển", lambda c: _days(c["paper_lag_days_avg"]),
     "QĐ 28/2018/QĐ-TTg"),
    ("Thời gian TB từ nhận đến chuyển", lambda c: _hours(c["to_delivery"]["avg_s"]),
     "NĐ 30/2020/NĐ-CP"),
    ("Bị từ chối tiếp nhận", lambda c: _n(c["refused"]), "QCVN 102:2016/BTTTT"),
    ("Vào sổ đúng hạn (trong ngày làm việc tiếp theo)", lambda c: _share(c["on_time_share"]),
     "NĐ 30/2020/NĐ-CP"),
    ("Văn bản khẩn chuyển trong 1 giờ", lambda c: _share(c["urgent_within_hour_share"]),
     "NĐ 30/2020/NĐ-CP"),
    ("Có hạn xử lý", lambda c: _n(c["due_dated"]), "NĐ 30/2020, Đ.24"),
    ("Hoàn thành đúng hạn", lambda c: _n(c["handled_on_time"]), "NĐ 30/2020, Đ.24"),
    ("Hoàn thành trễ hạn", lambda c: _n(c["handled_late"]), "NĐ 30/2020, Đ.24"),
    ("Chưa hoàn thành, đã quá hạn", lambda c: _n(c["open_overdue"]), "NĐ 30/2020, Đ.24"),
    ("Chưa hoàn thành, còn trong hạn", lambda c: _n(c["open_within_time"]),
     "NĐ 30/2020, Đ.24"),
    ("Đang chờ xử lý", lambda c: _n(c["waiting"]), ""),
]
UNIT_COLUMNS: list[tuple[str, float, Callable[[dict[str, Any]], str]]] = [
    ("Đơn vị", 58, lambda c: str(c.get("group") or "(không rõ)")),
    ("Văn bản đến", 22, lambda c: _n(c["received"])),
    ("Nhận điện tử", 22, lambda c: _n(c["electronic"])),
    ("Đã chuyển", 22, lambda c: _n(c["delivered"])),
    ("Điện tử trước giấy", 24, lambda c: _n(c["electronic_first"])),
    ("Vào sổ đúng hạn", 22, lambda c: _share(c["on_time_share"])),
]


def monthly_pdf(data: dict[str, Any], *, parent: str = "", place: str = "",
                signer_title: str = "THỦ TRƯỞNG CƠ QUAN",
                today: dt.date | None = None) -> bytes:
    """The monthly report in the layout of an administrative report, A4 portrait."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    year, month = (int(x) for x in str(data["month"]).split("-"))
    today = today or dt.date.today()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(25, 20, 15)  # Nghị định 30: left 30-35, right 15-20; fpdf keeps the text area
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("Serif", "", str(liberation_font("LiberationSerif-Regular.ttf")))
    pdf.add_font("Serif", "B", str(liberation_font("LiberationSerif-Bold.ttf")))
    pdf.add_font("Serif", "I", str(liberation_font("LiberationSerif-Italic.ttf")))
    pdf.add_font("Serif", "BI", str(liberation_font("LiberationSerif-BoldItalic.ttf")))
    pdf.set_title(f"Báo cáo tháng {month:02d}/{year}")
    pdf.set_creator("intake")
    pdf.add_page()
    left_w, right_w = 70, pdf.epw - 70
    top = pdf.get_y()
    # Top left: the agency in charge, the agency, the number.
    pdf.set_font("Serif", "", 12)
    agency = str(data.get("agency") or "")
    if parent:
        pdf.multi_cell(left_w, 5.5, parent.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Serif", "B", 12)
    pdf.multi_cell(left_w, 5.5, agency.upper() or "CƠ QUAN", align="C", new_x="LEFT",
                   new_y="NEXT")
    pdf.set_font("Serif", "", 12)
    pdf.cell(left_w, 8, "Số:      /BC-VT", align="C")
    bottom_left = pdf.get_y() + 8
    # Top right: Quốc hiệu and Tiêu ngữ, place and date.
    pdf.set_xy(pdf.l_margin + left_w, top)
    pdf.set_font("Serif", "B", 12)
    pdf.cell(right_w, 5.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT",
             new_y="NEXT")
    pdf.set_font("Serif", "B", 13)
    pdf.cell(right_w, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    x = pdf.l_margin + left_w + right_w / 2
    pdf.line(x - 28, pdf.get_y(), x + 28, pdf.get_y())
    pdf.set_xy(pdf.l_margin + left_w, pdf.get_y() + 2)
    pdf.set_font("Serif", "I", 13)
    when = f"ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"
    pdf.cell(right_w, 7, f"{place}, {when}" if place else when.capitalize(), align="C")
    pdf.set_xy(pdf.l_margin, max(bottom_left, pdf.get_y() + 8) + 6)
    # The name of the document and its summary.
    pdf.set_font("Serif", "B", 14)
    pdf.cell(0, 7, "BÁO CÁO", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(0, 6.5, "Tình hình tiếp nhận, số hóa và chuyển văn bản đến điện tử "
                   f"tháng {month:02d}/{year}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Serif", "", 12)
    period = data.get("period") or {}
    pdf.multi_cell(0, 6, f"Số liệu từ ngày {_dmy(period.get('from'))} đến ngày "
                   f"{_dmy(period.get('to'))} (giờ Việt Nam), theo văn bản đến nhận trong kỳ.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Serif", "", 11)
    heads = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(col_widths=[10, 90, 30, 40], line_height=5.5, headings_style=heads,
                   text_align=("CENTER", "LEFT", "RIGHT", "LEFT"), padding=1) as table:
        row = table.row()
        for name in ("TT", "Chỉ tiêu", "Số liệu", "Căn cứ"):
            row.cell(name)
        for i, (name, get, source) in enumerate(INDICATORS, start=1):
            row = table.row()
            for value in (str(i), name, get(data["total"]), source):
                row.cell(value)
    units = data.get("units") or []
    if units:
        pdf.ln(4)
        pdf.set_font("Serif", "B", 12)
        pdf.cell(0, 6, "Theo đơn vị nhận", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Serif", "", 11)
        with pdf.table(col_widths=[w for _, w, _ in UNIT_COLUMNS], line_height=5.5,
                       headings_style=heads, padding=1,
                       text_align=("LEFT",) + ("RIGHT",) * (len(UNIT_COLUMNS) - 1)) as table:
            row = table.row()
            for name, _, _ in UNIT_COLUMNS:
                row.cell(name)
            for cell in units:
                row = table.row()
                for _, _, get in UNIT_COLUMNS:
                    row.cell(get(cell))
    # Recipients and the signature block.
    pdf.ln(8)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_font("Serif", "BI", 12)
    pdf.cell(left_w, 6, "Nơi nhận:", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Serif", "", 11)
    for line in ("- Như trên;", "- Lưu: VT."):
        pdf.cell(left_w, 5, line, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + left_w, top)
    pdf.set_font("Serif", "B", 13)
    pdf.cell(right_w, 6, signer_title, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Serif", "I", 12)
    pdf.cell(right_w, 6, "(Ký, ghi rõ họ tên, đóng dấu)", align="C", new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())


def _dmy(value: Any) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(str(value))
    return day.strftime("%d/%m/%Y")
