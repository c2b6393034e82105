"""Report exports: CSV, XLSX (openpyxl) and the printable incoming register as a PDF (fpdf2).

Column headings are Vietnamese (managers read them); times are in hours with two decimals.
Every text cell of the CSV and the workbook goes through `cell_value`: a text that a spreadsheet
program would take for a formula (an agency or unit name read from a paper is attacker-written)
is kept as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from documents.reports import RegisterEntry, ReportQuery
from infra.fonts import liberation_font

GROUP_NAMES = {"none": "Nhóm", "organ": "Cơ quan ban hành", "unit": "Đơn vị nhận",
               "agency": "Mã định danh cơ quan ban hành"}
LEVEL_NAMES = {"total": "Tổng cộng", "bucket": "Theo kỳ", "group": "Theo nhóm", "rows": "Kỳ × nhóm"}
BY_NAMES = {"day": "ngày", "week": "tuần", "month": "tháng"}


# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value: Any) -> Any:
    """A text starting like a formula gets a leading `'` (shown as text); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _hours(cell: dict[str, Any], name: str, key: str) -> float | None:
    value = cell[name][key]
    return None if value is None else round(value / 3600, 2)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


# (heading, value of a report cell): the figure columns of every export and table.
FIGURES: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("Văn bản đến", lambda c: c["received"]),
    ("Đã số hóa", lambda c: c["digitised"]),
    ("Đã chuyển điện tử", lambda c: c["delivered"]),
    ("Bị từ chối", lambda c: c["refused"]),
    ("Đã tiếp nhận", lambda c: c["acknowledged"]),
    ("TB từ nhận đến chuyển (giờ)", lambda c: _hours(c, "to_delivery", "avg_s")),
    ("P90 từ nhận đến chuyển (giờ)", lambda c: _hours(c, "to_delivery", "p90_s")),
    ("TB từ nhận đến tiếp nhận (giờ)", lambda c: _hours(c, "to_acknowledgement", "avg_s")),
    ("P90 từ nhận đến tiếp nhận (giờ)", lambda c: _hours(c, "to_acknowledgement", "p90_s")),
    ("Vào sổ đúng hạn", lambda c: c["registered_on_time"]),
    ("Vào sổ trễ hạn", lambda c: c["registered_late"]),
    ("Tỷ lệ vào sổ đúng hạn (%)", lambda c: _percent(c["on_time_share"])),
    ("Văn bản khẩn", lambda c: c["urgent"]),
    ("Khẩn chuyển trong 1 giờ", lambda c: c["urgent_within_hour"]),
    ("Tỷ lệ khẩn trong 1 giờ (%)", lambda c: _percent(c["urgent_within_hour_share"])),
    ("Đang chờ", lambda c: c["waiting"]),
    ("Văn bản mật đang chờ", lambda c: c["restricted"]),
    ("Nhận điện tử", lambda c: c["electronic"]),
    ("Nhận bản giấy", lambda c: c["on_paper"]),
    ("Tỷ lệ nhận điện tử (%)", lambda c: _percent(c["electronic_share"])),
    ("Có chữ ký số", lambda c: c["signed"]),
    ("Không có chữ ký số", lambda c: c["unsigned"]),
    ("Bản giấy trùng văn bản điện tử", lambda c: c["paper_duplicates"]),
    ("Trùng: theo đối chiếu của hệ thống", lambda c: c["paper_duplicates_matched"]),
    ("Trùng: theo hệ thống quản lý văn bản", lambda c: c["paper_duplicates_registry"]),
    ("Bản chuyển có chữ ký số của cơ quan", lambda c: c["copy_signed"]),
    ("Bản chuyển chưa ký số", lambda c: c["copy_unsigned"]),
    ("Tỷ lệ bản chuyển có ký số (%)", lambda c: _percent(c["copy_signed_share"])),
    ("Có hạn xử lý", lambda c: c["due_dated"]),
    ("Hoàn thành đúng hạn", lambda c: c["handled_on_time"]),
    ("Hoàn thành trễ hạn", lambda c: c["handled_late"]),
    ("Chưa hoàn thành, quá hạn", lambda c: c["open_overdue"]),
    ("Chưa hoàn thành, trong hạn", lambda c: c["open_within_time"]),
    ("Tỷ lệ hoàn thành đúng hạn (%)", lambda c: _percent(c["handled_on_time_share"])),
    ("So được với bản giấy", lambda c: c["paper_compared"]),
    ("Điện tử đến trước bản giấy", lambda c: c["electronic_first"]),
    ("Cùng ngày bản giấy", lambda c: c["same_day_as_paper"]),
    ("Sau bản giấy", lambda c: c["after_paper"]),
    ("TB từ bản giấy đến chuyển (ngày)", lambda c: c["paper_lag_days_avg"]),
    ("TB từ bản giấy đến tiếp nhận (ngày)", lambda c: c["paper_ack_lag_days_avg"]),
    # Last: the page's tables leave it out (report_page._rows).
    ("Chờ lâu nhất, nhận lúc (UTC)", lambda c: c["oldest_waiting_uploaded_at"]),
]


def table_rows(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Every cell of a report as one flat table: level, period, group, figures."""
    group_name = GROUP_NAMES[report["period"]["group"]]
    head = ["Cấp", "Kỳ", group_name] + [h for h, _ in FIGURES]
    rows: list[list[Any]] = []

    def add(level: str, cell: dict[str, Any]) -> None:
        rows.append([LEVEL_NAMES[level], cell.get("bucket", ""), cell.get("group", "")]
                    + [get(cell) for _, get in FIGURES])

    add("total", report["total"])
    for cell in report["by_bucket"]:
        add("bucket", cell)
    for cell in report["by_group"]:
        add("group", cell)
    for cell in report["rows"]:
        add("rows", cell)
    return head, rows


def to_csv(report: dict[str, Any]) -> bytes:
    """The report as one flat CSV table (csv_table)."""
    return csv_table(*table_rows(report))


def csv_table(head: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read the diacritics), comma-separated;
    every cell through `cell_value`, None as an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_value(v) for v in head])
    for row in rows:
        writer.writerow(["" if v is None else cell_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: dict[str, Any]) -> bytes:
    """A workbook: summary sheet (period, total, by period), by group, period x group, backlog."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    period = report["period"]
    group_name = GROUP_NAMES[period["group"]]
    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, head: Sequence[str], rows: Sequence[Sequence[Any]], first: bool = False,
              intro: Sequence[Sequence[Any]] = ()) -> None:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = title
        for line in intro:
            ws.append([cell_value(v) for v in line])
        if intro:
            ws.append([])
        ws.append([cell_value(v) for v in head])
        for cell in ws[ws.max_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            ws.append([cell_value(v) for v in row])
        for i, name in enumerate(head, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(str(name)) + 2))
        ws.freeze_panes = ws.cell(row=ws.max_row - len(rows) + 1, column=1)

    figures = [h for h, _ in FIGURES]
    intro = [["Báo cáo tiếp nhận và chuyển văn bản đến"],
             ["Từ ngày", period["from"], "Đến ngày", period["to"]],
             ["Chia theo", BY_NAMES[period["by"]], "Nhóm theo", group_name],
             ["Múi giờ", "UTC+07:00"]]
    total = [["Tổng cộng", ""] + [get(report["total"]) for _, get in FIGURES]]
    buckets = [["Kỳ", c["bucket"]] + [get(c) for _, get in FIGURES] for c in report["by_bucket"]]
    sheet("Tổng hợp", ["", "Kỳ"] + figures, total + buckets, first=True, intro=intro)
    if period["group"] != "none":
        sheet("Theo nhóm", [group_name] + figures,
              [[c["group"]] + [get(c) for _, get in FIGURES] for c in report["by_group"]])
        sheet("Kỳ và nhóm", ["Kỳ", group_name] + figures,
              [[c["bucket"], c["group"]] + [get(c) for _, get in FIGURES] for c in report["rows"]])
    backlog = report["backlog"]
    oldest = backlog["oldest"] or {}
    sheet("Tồn đọng", ["Trạng thái", "Số văn bản"],
          [[STATUS_NAMES.get(s, s), n] for s, n in backlog["by_status"].items()]
          + [["Tổng", backlog["total"]], ["Trong đó văn bản mật", backlog["restricted"]],
             ["Văn bản chờ lâu nhất (mã)", oldest.get("id")],
             ["Nhận lúc (UTC)", oldest.get("uploaded_at")],
             ["Đã chờ (giờ)", oldest.get("age_hours")]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


STATUS_NAMES = {"queued": "Chờ xử lý", "processing": "Đang nhận dạng",
                "ready_for_review": "Chờ kiểm tra", "failed": "Lỗi", "confirmed": "Chờ chuyển",
                "delivered": "Đã chuyển", "deleted": "Đã xóa"}

# ---------------------------------------------------------------------------------------------
# The printable incoming register.

REGISTER_COLUMNS = (  # heading, width in mm (A4 landscape, 277 mm between the margins)
    ("Ngày đến", 18), ("Số đến", 13), ("Tác giả", 34), ("Số, ký hiệu", 26), ("Ngày tháng", 18),
    ("Tên loại và trích yếu nội dung", 70), ("Đơn vị hoặc người nhận", 30), ("Ngày chuyển", 18),
    ("Ký nhận", 18), ("Ghi chú", 32),
)


def _day(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def register_pdf(entries: Sequence[RegisterEntry], query: ReportQuery) -> bytes:
    """The incoming register (sổ đăng ký văn bản đến) of a period, A4 landscape."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class Register(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Sans", size=8)
            self.cell(0, 6, f"Trang {self.page_no()}/{{nb}}", align="C")

    pdf = Register(orientation="L", unit="mm", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("Sans", "", str(liberation_font("LiberationSans-Regular.ttf")))
    pdf.add_font("Sans", "B", str(liberation_font("LiberationSans-Bold.ttf")))
    pdf.set_title("Sổ đăng ký văn bản đến")
    pdf.set_creator("intake")
    pdf.add_page()
    pdf.set_font("Sans", "B", 14)
    pdf.cell(0, 8, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sans", "", 10)
    years = sorted({query.start.year, query.end.year})
    pdf.cell(0, 6, "Năm " + " – ".join(str(y) for y in years), align="C",
             new_x="LMARGIN", new_y="NEXT")
    span = f"Từ ngày {_day(query.start)} đến ngày {_day(query.end)}"
    if query.unit:
        span += f" — Đơn vị nhận: {query.unit}"
    if query.organ:
        span += f" — Cơ quan ban hành: {query.organ}"
    pdf.cell(0, 6, span, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Sans", "", 8)
    with pdf.table(col_widths=[w for _, w in REGISTER_COLUMNS], line_height=4,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                   text_align="LEFT", padding=1) as table:
        head = table.row()
        for name, _ in REGISTER_COLUMNS:
            head.cell(name)
        for e in entries:
            row = table.row()
            for value in (_day(e.arrived_on), e.arrival_number, e.author, e.code,
                          _day(e.issued_date), e.type_and_subject, e.recipient,
                          _day(e.forwarded_on), "", e.note):
                row.cell(value)
    if not entries:
        pdf.ln(4)
        pdf.cell(0, 6, "Không có văn bản đến trong khoảng thời gian này.", align="C")
    return bytes(pdf.output())
