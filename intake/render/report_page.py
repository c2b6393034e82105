"""The report page (/bao-cao): form, key figures, SVG charts, tables, export links; no script."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from intake.render.charts import COLOURS, bar_chart, hbar_chart, number_vi
from intake.render.exports import BY_NAMES, FIGURES, GROUP_NAMES, STATUS_NAMES

CSS = """
body{font-family:'Liberation Sans',Arial,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f5fa8;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1200px}
form{display:flex;flex-wrap:wrap;gap:12px;align-items:end;background:#fff;padding:12px;
border:1px solid #ddd;border-radius:6px}
label{display:flex;flex-direction:column;font-size:13px;gap:4px}
input,select,button{font:inherit;padding:4px 6px}
button{background:#1f5fa8;color:#fff;border:0;border-radius:4px;padding:6px 14px}
.links a{margin-right:16px}.error{background:#fdecea;border:1px solid #c0392b;padding:8px 12px;
border-radius:6px;color:#8e2a1f}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px;margin:14px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px}
.card .v{font-size:22px;font-weight:bold}.card .l{font-size:13px;color:#555}
.chart{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;margin:12px 0}
table{border-collapse:collapse;background:#fff;font-size:12px;margin:8px 0 20px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#eef1f5}
td.t,th.t{text-align:left}.note{font-size:12px;color:#555}
"""


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


def _card(value: str, label: str) -> str:
    return f'<div class="card"><div class="v">{escape(value)}</div><div class="l">{escape(label)}</div></div>'


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return number_vi(value, 2 if abs(value) < 1000 else 0)
    if isinstance(value, int):
        return number_vi(value)
    return escape(str(value))


def _table(first: list[str], cells: list[dict[str, Any]], keys: list[str]) -> str:
    head = "".join(f'<th class="t">{escape(h)}</th>' for h in first)
    head += "".join(f"<th>{escape(h)}</th>" for h, _ in FIGURES[:-1])
    body = []
    for c in cells:
        row = "".join(f'<td class="t">{escape(str(c.get(k) or "(không rõ)"))}</td>' for k in keys)
        row += "".join(f"<td>{_cell(get(c))}</td>" for _, get in FIGURES[:-1])
        body.append(f"<tr>{row}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _select(name: str, options: dict[str, str], chosen: str) -> str:
    opts = "".join(f'<option value="{k}"{" selected" if k == chosen else ""}>{escape(v)}</option>'
                   for k, v in options.items())
    return f'<select name="{name}">{opts}</select>'


def render(params: dict[str, str], report: dict[str, Any] | None, error: str | None = None) -> str:
    """The whole page; `report` is None when the form's values were refused (`error`)."""
    form = f"""
<form method="get" action="/bao-cao">
<label>Từ ngày<input type="date" name="from" value="{escape(params.get('from', ''))}"></label>
<label>Đến ngày<input type="date" name="to" value="{escape(params.get('to', ''))}"></label>
<label>Chia theo{_select('by', {k: v.capitalize() for k, v in BY_NAMES.items()},
                                params.get('by', 'day'))}</label>
<label>Nhóm theo{_select('group', {'none': 'Không nhóm', 'organ': GROUP_NAMES['organ'],
                                   'unit': GROUP_NAMES['unit']}, params.get('group', 'none'))}</label>
<label>Cơ quan ban hành<input name="organ" value="{escape(params.get('organ', ''))}"></label>
<label>Đơn vị nhận<input name="unit" value="{escape(params.get('unit', ''))}"></label>
<button type="submit">Xem báo cáo</button>
</form>"""
    parts = [f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Báo cáo văn bản đến</title><style>{CSS}</style></head><body>
<header><h1>Báo cáo tiếp nhận, số hóa và chuyển văn bản đến</h1></header><main>{form}"""]
    if error:
        parts.append(f'<p class="error">{escape(error)}</p>')
    if report is not None:
        parts.append(_body(params, report))
    parts.append("</main></body></html>")
    return "".join(parts)


def _body(params: dict[str, str], r: dict[str, Any]) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    t = r["total"]
    p = r["period"]
    out = [f"""<p class="links">
<a href="/api/reports/export.csv?{query}">Tải CSV</a>
<a href="/api/reports/export.xlsx?{query}">Tải Excel (XLSX)</a>
<a href="/api/reports/register.pdf?{query}">In sổ đăng ký văn bản đến (PDF)</a>
<a href="/api/reports?{query}">Dữ liệu (JSON)</a></p>
<p class="note">Văn bản nhận từ ngày {escape(p['from'])} đến ngày {escape(p['to'])} (giờ Việt Nam),
chia theo {escape(BY_NAMES[p['by']])}. Mọi số liệu tính trên các văn bản nhận trong kỳ.</p>"""]
    out.append('<div class="cards">' + "".join([
        _card(number_vi(t["received"]), "Văn bản đến"),
        _card(number_vi(t["digitised"]), "Đã số hóa"),
        _card(number_vi(t["delivered"]), "Đã chuyển điện tử"),
        _card(number_vi(t["refused"]), "Bị từ chối tiếp nhận"),
        _card(duration_vi(t["to_delivery"]["avg_s"]), "Thời gian trung bình từ nhận đến chuyển"),
        _card(duration_vi(t["to_delivery"]["p90_s"]), "90% văn bản được chuyển trong"),
        _card(duration_vi(t["to_acknowledgement"]["avg_s"]),
              "Thời gian trung bình đến khi hệ thống quản lý văn bản tiếp nhận"),
        _card(duration_vi(t["to_acknowledgement"]["p90_s"]), "90% văn bản được tiếp nhận trong"),
        _card(_share(t["on_time_share"]),
              "Vào sổ trong ngày hoặc ngày làm việc tiếp theo "
              f"({t['registered_on_time']}/{t['registered_on_time'] + t['registered_late']})"),
        _card(_share(t["urgent_within_hour_share"]),
              f"Văn bản khẩn chuyển trong 1 giờ ({t['urgent_within_hour']}/{t['urgent']})"),
        _card(number_vi(r["backlog"]["total"]), "Đang chờ (hiện tại, mọi kỳ)"),
    ]) + "</div>")
    buckets = r["by_bucket"]
    cats = [period_label(c["bucket"], p["by"]) for c in buckets]
    out.append('<div class="chart">' + bar_chart("Số văn bản theo kỳ", cats, [
        ("Văn bản đến", [c["received"] for c in buckets], COLOURS[0]),
        ("Đã số hóa", [c["digitised"] for c in buckets], COLOURS[1]),
        ("Đã chuyển", [c["delivered"] for c in buckets], COLOURS[2]),
        ("Bị từ chối", [c["refused"] for c in buckets], COLOURS[3]),
    ], integer=True) + "</div>")

    def hours(c: dict[str, Any], name: str, key: str) -> float | None:
        v = c[name][key]
        return None if v is None else v / 3600

    out.append('<div class="chart">' + bar_chart(
        "Thời gian từ nhận đến chuyển (giờ)", cats, [
            ("Trung bình", [hours(c, "to_delivery", "avg_s") for c in buckets], COLOURS[0]),
            ("90%", [hours(c, "to_delivery", "p90_s") for c in buckets], COLOURS[4]),
            ("Đến khi tiếp nhận, trung bình",
             [hours(c, "to_acknowledgement", "avg_s") for c in buckets], COLOURS[1]),
        ], fmt=lambda v: number_vi(v, 1)) + "</div>")
    out.append('<div class="chart">' + bar_chart(
        "Tỷ lệ vào sổ đúng hạn và văn bản khẩn chuyển trong 1 giờ (%)", cats, [
            ("Vào sổ đúng hạn", [None if c["on_time_share"] is None else 100 * c["on_time_share"]
                                 for c in buckets], COLOURS[1]),
            ("Khẩn trong 1 giờ", [None if c["urgent_within_hour_share"] is None
                                  else 100 * c["urgent_within_hour_share"] for c in buckets],
             COLOURS[3]),
        ]) + "</div>")
    out.append(f"<h2>Theo {escape(BY_NAMES[p['by']])}</h2>"
               + _table(["Kỳ"], buckets, ["bucket"]))
    if p["group"] != "none":
        groups = r["by_group"]
        top = groups[:15]
        name = GROUP_NAMES[p["group"]]
        out.append('<div class="chart">' + hbar_chart(
            f"Theo {name.lower()} (15 nhóm nhiều văn bản nhất)", [c["group"] for c in top], [
                ("Văn bản đến", [c["received"] for c in top], COLOURS[0]),
                ("Đã chuyển", [c["delivered"] for c in top], COLOURS[2]),
            ]) + "</div>")
        out.append(f"<h2>Theo {escape(name.lower())}</h2>" + _table([name], groups, ["group"]))
        out.append(f"<h2>Theo kỳ và {escape(name.lower())}</h2>"
                   + _table(["Kỳ", name], r["rows"], ["bucket", "group"]))
    out.append(_backlog(r["backlog"]))
    out.append("""<p class="note">Vào sổ đúng hạn: hệ thống quản lý văn bản xác nhận đã nhận trong
ngày văn bản đến hoặc chậm nhất ngày làm việc tiếp theo (thứ Hai đến thứ Sáu; ngày lễ chưa được
trừ). Văn bản mật không chuyển điện tử nên không tính vào tỷ lệ này và tỷ lệ văn bản khẩn.</p>""")
    return "".join(out)


def _backlog(b: dict[str, Any]) -> str:
    rows = "".join(f'<tr><td class="t">{escape(STATUS_NAMES.get(s, s))}</td><td>{n}</td></tr>'
                   for s, n in b["by_status"].items())
    oldest = b["oldest"]
    text = "Không có văn bản nào đang chờ."
    if oldest:
        what = " ".join(x for x in (oldest.get("title") or "", oldest.get("organ") or "") if x)
        text = (f'Văn bản chờ lâu nhất: <a href="/van-ban/{oldest["id"]}">{escape(what)}</a>, '
                f"nhận lúc {escape(oldest['uploaded_at'])} UTC, đã chờ "
                f"{escape(duration_vi(oldest['age_hours'] * 3600))} "
                f"({escape(STATUS_NAMES.get(oldest['status'], oldest['status']))}).")
    return (f"<h2>Văn bản đang chờ (hiện tại)</h2><table><tbody>{rows}"
            f'<tr><th class="t">Tổng</th><th>{b["total"]}</th></tr>'
            f'<tr><td class="t">Trong đó văn bản mật (không chuyển điện tử)</td>'
            f"<td>{b['restricted']}</td></tr></tbody></table><p>{text}</p>")
