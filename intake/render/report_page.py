"""The report page (/bao-cao): what templates/report.html shows, worked out here — figures written
the Vietnamese way, the SVG charts, the rows of the tables. The markup is the template's; the page
has no script."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from intake.auth.principal import Principal
from intake.render.charts import COLOURS, bar_chart, hbar_chart, number_vi
from intake.render.exports import BY_NAMES, FIGURES, GROUP_NAMES, STATUS_NAMES
from intake.render.pages import render

Row = tuple[list[str], list[str]]  # label cells, figure cells


def duration_vi(seconds: float | None) -> str:
    """A duration for a manager: '45 phút', '3 giờ 05 phút', '2,7 ngày'."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} phút"
    if seconds < 48 * 3600:
        return f"{minutes // 60} giờ {minutes % 60:02d} phút"
    return f"{number_vi(seconds / 86400, 1)} ngày"


def period_label(key: str, by: str) -> str:
    """'2025-03-10' -> '10/03' (a day, or the Monday of a week); '2025-03' -> '03/2025'."""
    if by == "month":
        year, month = key.split("-")
        return f"{month}/{year}"
    _, month, day = key.split("-")
    return f"{day}/{month}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{number_vi(100 * value, 1)} %"


def _days(value: float | None) -> str:
    """Days between the paper and the electronic copy: 'trước 1,5 ngày', 'sau 2 ngày'."""
    if value is None:
        return "—"
    if value == 0:
        return "cùng ngày"
    return f"{'sau' if value > 0 else 'trước'} {number_vi(abs(value), 1)} ngày"


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return number_vi(value, 2 if abs(value) < 1000 else 0)
    if isinstance(value, int):
        return number_vi(value)
    return str(value)


def _rows(cells: list[dict[str, Any]], keys: list[str]) -> list[Row]:
    """One row per report cell: its labels (period, group), then every figure but the last."""
    return [([str(c.get(k) or "(không rõ)") for k in keys],
             [_cell(get(c)) for _, get in FIGURES[:-1]]) for c in cells]


def page_html(user: Principal, params: dict[str, str], report: dict[str, Any] | None,
              error: str | None = None) -> str:
    """The whole page for the signed-in `user`; `report` is None when the form's values were
    refused (`error`)."""
    return render(
        "report.html", user=user, params=params, error=error,
        by_options={k: v.capitalize() for k, v in BY_NAMES.items()},
        group_options={"none": "Không nhóm", "organ": GROUP_NAMES["organ"],
                       "agency": GROUP_NAMES["agency"], "unit": GROUP_NAMES["unit"]},
        report=None if report is None else _view(params, report),
    )


def _view(params: dict[str, str], r: dict[str, Any]) -> dict[str, Any]:
    t = r["total"]
    p = r["period"]
    view: dict[str, Any] = {
        "query": urlencode({k: v for k, v in params.items() if v}),
        "start": p["from"], "end": p["to"], "by": BY_NAMES[p["by"]],
        "figure_heads": [h for h, _ in FIGURES[:-1]],
        "cards": [
            (number_vi(t["received"]), "Văn bản đến"),
            (number_vi(t["digitised"]), "Đã số hóa"),
            (number_vi(t["delivered"]), "Đã chuyển điện tử"),
            (number_vi(t["refused"]), "Bị từ chối tiếp nhận"),
            (duration_vi(t["to_delivery"]["avg_s"]), "Thời gian trung bình từ nhận đến chuyển"),
            (duration_vi(t["to_delivery"]["p90_s"]), "90% văn bản được chuyển trong"),
            (duration_vi(t["to_acknowledgement"]["avg_s"]),
             "Thời gian trung bình đến khi hệ thống quản lý văn bản tiếp nhận"),
            (duration_vi(t["to_acknowledgement"]["p90_s"]), "90% văn bản được tiếp nhận trong"),
            (_share(t["on_time_share"]),
             "Vào sổ trong ngày hoặc ngày làm việc tiếp theo "
             f"({t['registered_on_time']}/{t['registered_on_time'] + t['registered_late']})"),
            (_share(t["urgent_within_hour_share"]),
             f"Văn bản khẩn chuyển trong 1 giờ ({t['urgent_within_hour']}/{t['urgent']})"),
            (_share(t["electronic_share"]),
             f"Nhận điện tử ({number_vi(t['electronic'])}; bản giấy {number_vi(t['on_paper'])})"),
            (_share(t["signed_share"]),
             f"Có chữ ký số ({number_vi(t['signed'])}/{number_vi(t['signed'] + t['unsigned'])})"),
            (number_vi(t["paper_duplicates"]),
             "Bản giấy trùng văn bản đã nhận điện tử (hệ thống đối chiếu "
             f"{number_vi(t['paper_duplicates_matched'])}; hệ thống quản lý văn bản báo "
             f"{number_vi(t['paper_duplicates_registry'])})"),
            (_share(t["copy_signed_share"]),
             f"Bản chuyển có chữ ký số của cơ quan ({number_vi(t['copy_signed'])}/"
             f"{number_vi(t['copy_signed'] + t['copy_unsigned'])})"),
            (_share(t["handled_on_time_share"]),
             f"Hoàn thành đúng hạn xử lý ({number_vi(t['handled_on_time'])}/"
             f"{number_vi(t['handled_on_time'] + t['handled_late'])}; chưa xong quá hạn "
             f"{number_vi(t['open_overdue'])}, trong hạn {number_vi(t['open_within_time'])})"),
            (_share(t["electronic_first_share"]),
             f"Bản điện tử đến đơn vị trước bản giấy ({number_vi(t['electronic_first'])}/"
             f"{number_vi(t['paper_compared'])})"),
            (_days(t["paper_lag_days_avg"]), "Từ ngày có bản giấy đến khi chuyển điện tử"),
            (number_vi(r["backlog"]["total"]), "Đang chờ (hiện tại, mọi kỳ)"),
        ],
        "charts": _period_charts(r["by_bucket"], p["by"]),
        "bucket_rows": _rows(r["by_bucket"], ["bucket"]),
        "group": None,
        "backlog": _backlog(r["backlog"]),
    }
    if p["group"] != "none":
        groups = r["by_group"]
        top = groups[:15]
        name = GROUP_NAMES[p["group"]]
        view["group"] = {
            "name": name,
            "chart": Markup(hbar_chart(  # charts.py escapes every text it writes
                f"Theo {name.lower()} (15 nhóm nhiều văn bản nhất)", [c["group"] for c in top], [
                    ("Văn bản đến", [c["received"] for c in top], COLOURS[0]),
                    ("Đã chuyển", [c["delivered"] for c in top], COLOURS[2]),
                ])),
            "rows": _rows(groups, ["group"]),
            "cross_rows": _rows(r["rows"], ["bucket", "group"]),
        }
    return view


def _period_charts(buckets: list[dict[str, Any]], by: str) -> list[Markup]:
    """Volume, times and on-time shares per period (charts.py escapes every text it writes)."""
    cats = [period_label(c["bucket"], by) for c in buckets]

    def hours(c: dict[str, Any], name: str, key: str) -> float | None:
        v = c[name][key]
        return None if v is None else v / 3600

    def percent(v: float | None) -> float | None:
        return None if v is None else 100 * v

    charts = [
        bar_chart("Số văn bản theo kỳ", cats, [
            ("Văn bản đến", [c["received"] for c in buckets], COLOURS[0]),
            ("Đã số hóa", [c["digitised"] for c in buckets], COLOURS[1]),
            ("Đã chuyển", [c["delivered"] for c in buckets], COLOURS[2]),
            ("Bị từ chối", [c["refused"] for c in buckets], COLOURS[3]),
        ], integer=True),
        bar_chart("Thời gian từ nhận đến chuyển (giờ)", cats, [
            ("Trung bình", [hours(c, "to_delivery", "avg_s") for c in buckets], COLOURS[0]),
            ("90%", [hours(c, "to_delivery", "p90_s") for c in buckets], COLOURS[4]),
            ("Đến khi tiếp nhận, trung bình",
             [hours(c, "to_acknowledgement", "avg_s") for c in buckets], COLOURS[1]),
        ], fmt=lambda v: number_vi(v, 1)),
        bar_chart("Tỷ lệ vào sổ đúng hạn và văn bản khẩn chuyển trong 1 giờ (%)", cats, [
            ("Vào sổ đúng hạn", [percent(c["on_time_share"]) for c in buckets], COLOURS[1]),
            ("Khẩn trong 1 giờ", [percent(c["urgent_within_hour_share"]) for c in buckets],
             COLOURS[3]),
        ]),
        bar_chart("Bản điện tử so với bản giấy: số văn bản theo kỳ", cats, [
            ("Điện tử đến trước", [c["electronic_first"] for c in buckets], COLOURS[1]),
            ("Cùng ngày", [c["same_day_as_paper"] for c in buckets], COLOURS[0]),
            ("Sau bản giấy", [c["after_paper"] for c in buckets], COLOURS[3]),
        ], integer=True),
        bar_chart("Nhận điện tử và bản giấy theo kỳ", cats, [
            ("Nhận điện tử", [c["electronic"] for c in buckets], COLOURS[1]),
            ("Nhận bản giấy", [c["on_paper"] for c in buckets], COLOURS[2]),
            ("Bản giấy trùng điện tử", [c["paper_duplicates"] for c in buckets], COLOURS[3]),
        ], integer=True),
    ]
    return [Markup(svg) for svg in charts]


def _backlog(b: dict[str, Any]) -> dict[str, Any]:
    oldest = b["oldest"]
    return {
        "rows": [(STATUS_NAMES.get(s, s), n) for s, n in b["by_status"].items()],
        "total": b["total"], "restricted": b["restricted"],
        "oldest": oldest and {
            "href": f"/van-ban/{oldest['id']}",
            "what": " ".join(x for x in (oldest.get("title") or "", oldest.get("organ") or "") if x),
            "uploaded_at": oldest["uploaded_at"],
            "waited": duration_vi(oldest["age_hours"] * 3600),
            "status": STATUS_NAMES.get(oldest["status"], oldest["status"]),
        },
    }
