"""Report routes: JSON, CSV, XLSX, SVG charts, the incoming register (PDF) and the page /bao-cao."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from documents.reports import (
    LOCAL_TZ,
    ReportQuery,
    register_entries,
    run_report,
)
from infra.database import get_engine
from intake.render.charts import COLOURS, bar_chart
from intake.render.exports import register_pdf, to_csv, to_xlsx
from intake.render.report_page import page_html
from models.errors import NotFoundError, ReportError
from models.settings import Settings

router = APIRouter()

From = Annotated[dt.date | None, Query(alias="from", description="first local day (default: the "
                                                                   "1st of this month)")]
To = Annotated[dt.date | None, Query(description="last local day, included (default: today)")]
By = Annotated[str, Query(pattern="^(day|week|month)$", description="day | week | month")]
Group = Annotated[str, Query(pattern="^(none|organ|unit)$",
                             description="none | organ (issuing agency) | unit (receiving unit)")]
Filter = Annotated[str | None, Query(max_length=200)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def make_query(start: dt.date | None, end: dt.date | None, by: str, group: str,
               organ: str | None, unit: str | None) -> ReportQuery:
    """The report asked for, with defaults: this month up to today, Vietnam time."""
    today = dt.datetime.now(LOCAL_TZ).date()
    end = end or today
    start = start or end.replace(day=1)
    return ReportQuery(start, end, by, group, organ or None, unit or None).validate()


def _report(request: Request, query: ReportQuery) -> dict[str, Any]:
    with get_engine(_settings(request).database).connect() as conn:
        return run_report(conn, query).as_dict()


def _name(query: ReportQuery, ext: str) -> str:
    return f"bao-cao-{query.start.isoformat()}-{query.end.isoformat()}.{ext}"


@router.get("/api/reports", summary="Report per period, issuing agency or receiving unit")
def get_report(request: Request, start: From = None, to: To = None, by: By = "day",
               group: Group = "none", organ: Filter = None, unit: Filter = None) -> dict[str, Any]:
    """Counts, times (average, 90th percentile), on-time registration, urgent, backlog."""
    return _report(request, make_query(start, to, by, group, organ, unit))


@router.get("/api/reports/export.csv", summary="The report as CSV")
def get_report_csv(request: Request, start: From = None, to: To = None, by: By = "day",
                   group: Group = "none", organ: Filter = None, unit: Filter = None) -> Response:
    query = make_query(start, to, by, group, organ, unit)
    return Response(to_csv(_report(request, query)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_name(query, "csv")}"'})


@router.get("/api/reports/export.xlsx", summary="The report as an Excel workbook")
def get_report_xlsx(request: Request, start: From = None, to: To = None, by: By = "day",
                    group: Group = "none", organ: Filter = None, unit: Filter = None) -> Response:
    query = make_query(start, to, by, group, organ, unit)
    return Response(to_xlsx(_report(request, query)), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{_name(query, "xlsx")}"'})


@router.get("/api/reports/register.pdf", summary="The incoming register (sổ đăng ký văn bản đến)")
def get_register(request: Request, start: From = None, to: To = None, organ: Filter = None,
                 unit: Filter = None, by: By = "day", group: Group = "none") -> Response:
    """Printable register of the documents received in the period (A4 landscape)."""
    query = make_query(start, to, by, group, organ, unit)
    with get_engine(_settings(request).database).connect() as conn:
        entries = register_entries(conn, query)
    name = f"so-den-{query.start.isoformat()}-{query.end.isoformat()}.pdf"
    return Response(register_pdf(entries, query), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/api/reports/charts/{name}.svg", summary="A chart of the report (SVG)")
def get_chart(request: Request, name: str, start: From = None, to: To = None, by: By = "day",
              group: Group = "none", organ: Filter = None, unit: Filter = None) -> Response:
    """`volume` (documents per period) or `timing` (hours from upload to delivery)."""
    if name not in ("volume", "timing"):
        raise NotFoundError(f"no chart named {name!r}: volume, timing")
    buckets = _report(request, make_query(start, to, by, group, organ, unit))["by_bucket"]
    cats = [c["bucket"] for c in buckets]
    if name == "volume":
        svg = bar_chart("Số văn bản theo kỳ", cats, [
            ("Văn bản đến", [c["received"] for c in buckets], COLOURS[0]),
            ("Đã chuyển", [c["delivered"] for c in buckets], COLOURS[2])])
    else:
        svg = bar_chart("Thời gian từ nhận đến chuyển (giờ)", cats, [
            ("Trung bình", [_h(c["to_delivery"]["avg_s"]) for c in buckets], COLOURS[0]),
            ("90%", [_h(c["to_delivery"]["p90_s"]) for c in buckets], COLOURS[4])])
    return Response(svg, media_type="image/svg+xml")


def _h(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


@router.get("/bao-cao", response_class=HTMLResponse, include_in_schema=False)
def report_page(request: Request) -> HTMLResponse:
    """The manager's report page (form values are checked here, errors shown on the page)."""
    params = {k: request.query_params.get(k, "") for k in ("from", "to", "by", "group", "organ",
                                                          "unit")}
    try:
        start = dt.date.fromisoformat(params["from"]) if params["from"] else None
        end = dt.date.fromisoformat(params["to"]) if params["to"] else None
    except ValueError:
        return HTMLResponse(page_html(params, None, "Ngày không hợp lệ (định dạng năm-tháng-ngày)."),
                            status_code=422)
    try:
        query = make_query(start, end, params["by"] or "day", params["group"] or "none",
                           params["organ"], params["unit"])
    except ReportError as exc:
        return HTMLResponse(page_html(params, None, exc.message), status_code=422)
    params.update({"from": query.start.isoformat(), "to": query.end.isoformat(),
                   "by": query.by, "group": query.group})
    return HTMLResponse(page_html(params, _report(request, query)))
