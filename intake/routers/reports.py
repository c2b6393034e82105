"""Report routes: JSON, CSV, XLSX, SVG charts, the incoming register (PDF) and the page /bao-cao."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from documents.reports import (
    LOCAL_TZ,
    ReportQuery,
    register_entries,
    run_report,
)
from documents.reports.monthly import monthly_data, monthly_pdf, previous_month
from documents.reports.province import import_report, province_month
from documents.reports.sending import sends
from infra.database import get_engine, session_scope
from intake.auth.principal import Principal
from intake.deps import Manager, SettingsDep, app_settings
from intake.render.charts import COLOURS, bar_chart
from intake.render.exports import register_pdf, to_csv, to_xlsx
from intake.render.report_page import page_html
from intake.routers import ApiRouter
from intake.schemas import PLAIN_TEXT, binary, errors
from models.errors import NotFoundError, ReportError
from models.settings import Settings
from models.vocabulary import DocumentStatus

router = ApiRouter(tags=["reports"])

From = Annotated[dt.date | None, Query(alias="from", description="first local day (default: the "
                                                                   "1st of this month)")]
To = Annotated[dt.date | None, Query(description="last local day, included (default: today)")]
By = Annotated[str, Query(pattern="^(day|week|month)$", description="day | week | month")]
Group = Annotated[str, Query(pattern="^(none|organ|unit|agency)$",
                             description="none | organ (issuing agency) | unit (receiving unit) | "
                                         "agency (issuing agency's code)")]
Filter = Annotated[str | None, Query(max_length=200, pattern=PLAIN_TEXT)]  # no control chars
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_query(start: dt.date | None, end: dt.date | None, by: str, group: str,
               organ: str | None, unit: str | None) -> ReportQuery:
    """The report asked for, with defaults: this month up to today, Vietnam time."""
    today = dt.datetime.now(LOCAL_TZ).date()
    end = end or today
    start = start or end.replace(day=1)
    return ReportQuery(start, end, by, group, organ or None, unit or None).validate()


def report_query(start: From = None, to: To = None, by: By = "day", group: Group = "none",
                 organ: Filter = None, unit: Filter = None) -> ReportQuery:
    """The report a route's query parameters ask for (422 `invalid_report` when it cannot be)."""
    return make_query(start, to, by, group, organ, unit)


AskedReport = Annotated[ReportQuery, Depends(report_query)]


def report_data(settings: Settings, query: ReportQuery, who: Principal) -> dict[str, Any]:
    """The report as `GET /api/reports` answers it, over what `who` may see (its units; restricted
    documents only with the clearance)."""
    with get_engine(settings.database).connect() as conn:
        return run_report(conn, replace(query, viewer=who.viewer)).as_dict()


def _name(query: ReportQuery, ext: str) -> str:
    return f"bao-cao-{query.start.isoformat()}-{query.end.isoformat()}.{ext}"


class Timing(BaseModel):
    """Time from upload to an event, in seconds, over the documents that reached it."""

    n: int
    avg_s: float | None
    p90_s: float | None = Field(description="90th percentile")


class Figures(BaseModel):
    """The figures of one cell: the whole period, a bucket, a group, or a bucket of a group."""

    bucket: str | None = Field(None, description="the day, ISO week or month (absent: all)")
    group: str | None = Field(None, description="the agency or unit (absent: all)")
    received: int
    digitised: int
    delivered: int
    refused: int
    acknowledged: int
    registered_on_time: int
    registered_late: int
    urgent: int
    urgent_within_hour: int
    waiting: int
    restricted: int
    on_time_share: float | None
    urgent_within_hour_share: float | None
    to_delivery: Timing
    to_acknowledgement: Timing
    electronic: int = Field(description="received as an electronic file (signed PDF, or every "
                                        "page with a text layer)")
    on_paper: int = Field(description="received as paper (scanned)")
    electronic_share: float | None
    signed: int = Field(description="the incoming PDF carries a digital signature")
    unsigned: int = Field(description="checked: no digital signature")
    signed_share: float | None
    paper_duplicates: int = Field(description="paper copies of a document that also came "
                                              "electronically (either source below)")
    paper_duplicates_matched: int = Field(description="our own match: a scan flagged as a "
                                                      "duplicate of an electronic document")
    paper_duplicates_registry: int = Field(description="the registry said so (duplicate_of "
                                                       "with a status)")
    copy_signed: int = Field(description="delivered, our copy signed by the agency (PAdES)")
    copy_unsigned: int = Field(description="delivered, our copy not signed")
    copy_signed_share: float | None
    due_dated: int = Field(description="with a due date from the registry")
    handled_on_time: int = Field(description="handling finished (06) by the due date")
    handled_late: int = Field(description="handling finished (06) after the due date")
    open_overdue: int = Field(description="not finished, the due date has passed")
    open_within_time: int = Field(description="not finished, still within the due date")
    handled_on_time_share: float | None
    paper_compared: int = Field(description="delivered documents with a paper day to compare")
    electronic_first: int = Field(description="delivered before the paper's day")
    same_day_as_paper: int
    after_paper: int
    electronic_first_share: float | None
    paper_lag_days_sum: int
    paper_lag_days_avg: float | None = Field(description="days from paper to delivery "
                                                         "(negative: electronic first)")
    paper_ack_compared: int
    paper_ack_lag_days_sum: int
    paper_ack_lag_days_avg: float | None
    oldest_waiting_uploaded_at: str | None = Field(json_schema_extra={"format": "date-time"})


class Period(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})
    by: str
    group: str
    timezone: str
    today: str = Field(json_schema_extra={"format": "date"})


class ReportFilters(BaseModel):
    organ: str | None
    unit: str | None


class OldestWaiting(BaseModel):
    """The document waiting longest."""

    id: int
    title: str
    organ: str | None
    unit: str | None
    status: DocumentStatus
    number: str | None
    notation: str | None
    uploaded_at: str = Field(json_schema_extra={"format": "date-time"})
    age_hours: float
    link: str


class Backlog(BaseModel):
    """Documents not delivered yet, whatever the period (with the filters)."""

    total: int
    by_status: dict[str, int]
    restricted: int
    oldest: OldestWaiting | None


class Report(BaseModel):
    """A report: the period asked for, its figures at each level, the backlog now."""

    period: Period
    filters: ReportFilters
    total: Figures
    by_bucket: list[Figures]
    by_group: list[Figures] = Field(description="empty unless grouped")
    rows: list[Figures] = Field(description="bucket x group cells; empty unless grouped")
    backlog: Backlog


@router.get("/api/reports", summary="Report per period, issuing agency or receiving unit",
            response_model=Report, responses=errors(422))
def get_report(settings: SettingsDep, who: Manager, query: AskedReport) -> dict[str, Any]:
    """Counts, times (average, 90th percentile), on-time registration, urgent, backlog."""
    return report_data(settings, query, who)


@router.get("/api/reports/export.csv", summary="The report as CSV", response_class=Response,
            responses={**binary("text/csv", "The report's tables, UTF-8"), **errors(422)})
def get_report_csv(settings: SettingsDep, who: Manager, query: AskedReport) -> Response:
    return Response(to_csv(report_data(settings, query, who)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_name(query, "csv")}"'})


@router.get("/api/reports/export.xlsx", summary="The report as an Excel workbook",
            response_class=Response,
            responses={**binary(XLSX, "The report's tables, one sheet each"), **errors(422)})
def get_report_xlsx(settings: SettingsDep, who: Manager, query: AskedReport) -> Response:
    return Response(to_xlsx(report_data(settings, query, who)), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{_name(query, "xlsx")}"'})


@router.get("/api/reports/register.pdf", summary="The incoming register (sổ đăng ký văn bản đến)",
            response_class=Response,
            responses={**binary("application/pdf", "The register, A4 landscape"), **errors(422)})
def get_register(settings: SettingsDep, who: Manager, query: AskedReport) -> Response:
    """Printable register of the documents received in the period (A4 landscape)."""
    with get_engine(settings.database).connect() as conn:
        entries = register_entries(conn, replace(query, viewer=who.viewer))
    name = f"so-den-{query.start.isoformat()}-{query.end.isoformat()}.pdf"
    return Response(register_pdf(entries, query), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/api/reports/charts/{name}.svg", summary="A chart of the report (SVG)",
            response_class=Response,
            responses={**binary("image/svg+xml", "The chart"), **errors(404, 422)})
def get_chart(settings: SettingsDep, who: Manager, name: str, query: AskedReport) -> Response:
    """`volume` (documents per period) or `timing` (hours from upload to delivery)."""
    if name not in ("volume", "timing"):
        raise NotFoundError(f"no chart named {name!r}: volume, timing")
    buckets = report_data(settings, query, who)["by_bucket"]
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
def report_page(request: Request, who: Manager) -> HTMLResponse:
    """The manager's report page (form values are checked here, errors shown on the page)."""
    params = {k: request.query_params.get(k, "") for k in ("from", "to", "by", "group", "organ",
                                                          "unit")}
    try:
        start = dt.date.fromisoformat(params["from"]) if params["from"] else None
        end = dt.date.fromisoformat(params["to"]) if params["to"] else None
    except ValueError:
        return HTMLResponse(page_html(who, params, None,
                                      "Ngày không hợp lệ (định dạng năm-tháng-ngày)."),
                            status_code=422)
    try:
        query = make_query(start, end, params["by"] or "day", params["group"] or "none",
                           params["organ"], params["unit"])
    except ReportError as exc:
        return HTMLResponse(page_html(who, params, None, exc.message), status_code=422)
    params.update({"from": query.start.isoformat(), "to": query.end.isoformat(),
                   "by": query.by, "group": query.group})
    return HTMLResponse(page_html(who, params, report_data(app_settings(request), query, who)))


# --- the monthly report, its sending, a province's imports (issue 17) ------------------------

Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                   description="YYYY-MM (default: last month)")]
MAX_IMPORT_BYTES = 2_000_000


def _month(month: str | None) -> tuple[int, int]:
    if month is None:
        return previous_month(dt.datetime.now(LOCAL_TZ).date())
    year, mon = month.split("-")
    return int(year), int(mon)


def _monthly(settings: Settings, who: Principal, month: str | None) -> dict[str, Any]:
    year, mon = _month(month)
    with get_engine(settings.database).connect() as conn:
        return monthly_data(conn, year, mon, agency=settings.agency_name,
                            agency_code=settings.agency_code, viewer=who.viewer)


class MonthlyReport(BaseModel):
    """One month's report as data: what a unit sends to its province (POST /api/reports/imports
    takes it as it is)."""

    kind: str = Field(description="always intake.monthly-report")
    version: int
    agency: str
    agency_code: str
    month: str = Field(description="YYYY-MM")
    period: dict[str, Any]
    generated_at: str = Field(json_schema_extra={"format": "date-time"})
    total: dict[str, Any] = Field(description="the month's figures (as a report's total)")
    units: list[dict[str, Any]] = Field(description="the figures per receiving unit")


class ReportSendRow(BaseModel):
    """A monthly report due to one destination."""

    month: str
    destination: str
    state: str = Field(description="pending, sent or parked")
    attempts: int
    last_error: str | None
    sent_at: str | None = Field(json_schema_extra={"format": "date-time"})


class ReportSends(BaseModel):
    """The recorded monthly reports, newest first."""

    items: list[ReportSendRow]


class ReportImported(BaseModel):
    """A unit's monthly report kept by the province."""

    id: int
    month: str
    agency: str
    agency_code: str


class ProvinceMonth(BaseModel):
    """The units' imported reports of one month added up."""

    month: str
    reports: int = Field(description="how many units' reports were imported")
    total: dict[str, Any]
    agencies: list[dict[str, Any]] = Field(description="one line per agency")


@router.get("/api/reports/monthly.json", summary="The monthly report as data",
            response_model=MonthlyReport, responses=errors(422))
def get_monthly(settings: SettingsDep, who: Manager, month: Month = None) -> dict[str, Any]:
    """One month's figures, total and per receiving unit (what a unit sends to its province)."""
    return _monthly(settings, who, month)


@router.get("/api/reports/monthly.pdf", summary="The printable monthly report",
            response_class=Response,
            responses={**binary("application/pdf", "The report, A4 portrait"), **errors(422)})
def get_monthly_pdf(settings: SettingsDep, who: Manager, month: Month = None) -> Response:
    """Agency header (Quốc hiệu, agency), period, table of indicators, signature block."""
    data = _monthly(settings, who, month)
    pdf = monthly_pdf(data, parent=settings.agency_in_charge,
                      today=dt.datetime.now(LOCAL_TZ).date())
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="bao-cao-thang-{data["month"]}.pdf"'})


@router.get("/api/reports/sends", summary="The monthly reports sent by themselves",
            response_model=ReportSends)
def get_sends(settings: SettingsDep, who: Manager) -> dict[str, Any]:
    """Each month x destination: state (pending, sent, parked), attempts, last error."""
    with session_scope(settings.database) as session:
        return {"items": sends(session)}


@router.post("/api/reports/imports", summary="Import a unit's monthly report (province)",
             response_model=ReportImported, responses=errors(422))
async def post_import(settings: SettingsDep, who: Manager, request: Request) -> dict[str, Any]:
    """A unit's monthly report (the JSON of /api/reports/monthly.json); a newer one of the same
    month and agency replaces it."""
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise ReportError("Báo cáo quá lớn.", limit=MAX_IMPORT_BYTES)
    try:
        data = json.loads(body or b"null")
    except ValueError as exc:
        raise ReportError("Nội dung không phải JSON.") from exc
    with session_scope(settings.database, write=True) as session:
        row = import_report(session, data, who.history)
        return {"id": row.id, "month": row.month, "agency": row.agency,
                "agency_code": row.agency_code}


@router.get("/api/reports/province", summary="The units' imported monthly reports added up",
            response_model=ProvinceMonth, responses=errors(422))
def get_province(settings: SettingsDep, who: Manager, month: Month = None) -> dict[str, Any]:
    year, mon = _month(month)
    with session_scope(settings.database) as session:
        return province_month(session, f"{year:04d}-{mon:02d}")
