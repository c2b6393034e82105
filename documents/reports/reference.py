"""The naive computation of a report, document by document in Python: the cross-check.

It reads the documents (and the registry's refusals in their history) of the period and
computes every figure of every cell from the timestamps, without report_facts, triggers or SQL
aggregates. The tests and bench/reports.py compare it with `run_report` cell by cell (`compare`):
the same definitions written twice, independently.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from documents.reports.figures import agency_grouper
from documents.reports.query import ReportQuery, bucket_keys, bucket_of, local_date
from documents.reports.sql import COUNTS, OPEN, REFUSED, URGENT, WAITING_STATUSES
from documents.reports.workdays import calendar
from infra.tables import UtcDateTime

TIME_TOLERANCE = 0.11  # seconds: SQLite's julianday() keeps milliseconds, shown to 0.1 s


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def naive_report(conn: Connection, query: ReportQuery, now: dt.datetime) -> dict[str, Any]:
    """total, by_bucket, by_group and rows as Report.as_dict() gives them (backlog left out)."""
    stmt = text(
        "SELECT d.id, d.status, d.organ, d.unit, d.secrecy_level, d.urgency, d.registry_status, "
        "d.paper_arrived_on, d.uploaded_at, d.recognised_at, d.delivered_at, d.acknowledged_at, "
        "d.incoming_signatures, d.possible_duplicate_of, d.fields, d.sign_state, d.due_date, "
        "d.handled_at, d.registry_duplicate_of "
        "FROM documents d WHERE d.uploaded_at >= :start AND d.uploaded_at < :end"
    ).columns(**{c: UtcDateTime() for c in ("uploaded_at", "recognised_at", "delivered_at",
                                            "acknowledged_at", "handled_at")}
              ).bindparams(bindparam("start", type_=UtcDateTime()),
                           bindparam("end", type_=UtcDateTime()))
    rows = conn.execute(stmt, {"start": query.start_utc, "end": query.end_utc}).mappings().all()
    refused_ids = {r[0] for r in conn.execute(text(
        "SELECT document_id, new FROM events WHERE action = 'registry'")) if _json(r[1]) == REFUSED}
    page_sources: dict[int, list[Any]] = defaultdict(list)
    for doc_id, source in conn.execute(text("SELECT document_id, source FROM pages")):
        page_sources[doc_id].append(source)
    signatures = {r[0]: _signed(r[1]) for r in conn.execute(
        text("SELECT id, incoming_signatures FROM documents"))}
    electronic = {doc_id: bool(sig) or (bool(page_sources.get(doc_id)) and all(
        src == "text_layer" for src in page_sources[doc_id])) for doc_id, sig in signatures.items()}
    group_of = agency_grouper(conn)
    cal = calendar(query.start.year - 1, query.end.year)
    today = local_date(now)
    viewer = query.viewer
    cells: dict[tuple[str, str | None, str | None], dict[str, Any]] = defaultdict(_empty)
    grouped = query.group != "none"
    for r in rows:
        if r["status"] == "deleted":
            continue
        organ = r["organ"] or ""
        if query.organ is not None and organ != query.organ:
            continue
        if query.unit is not None and r["unit"] != query.unit:
            continue
        if viewer.units is not None and r["unit"] not in viewer.units:
            continue
        if not viewer.clearance and r["secrecy_level"] != OPEN:
            continue
        uploaded = r["uploaded_at"]
        upload_day = local_date(uploaded)
        paper = _date(r["paper_arrived_on"])
        arrived = min(paper, upload_day) if paper else upload_day
        deadline = cal.next_working_day(arrived)
        is_open = r["secrecy_level"] == OPEN
        ack = r["acknowledged_at"]
        to_delivery = ((r["delivered_at"] - uploaded).total_seconds()
                       if r["delivered_at"] else None)
        to_ack = (ack - uploaded).total_seconds() if ack else None
        urgent = is_open and r["urgency"] in URGENT
        waiting = r["status"] in WAITING_STATUSES
        bucket = bucket_of(upload_day, query.by)
        grp = ("" if not grouped else organ if query.group == "organ"
               else group_of(_code(r["fields"]) or organ) if query.group == "agency"
               else r["unit"])
        is_electronic = electronic[r["id"]]
        paper_ref = paper if paper else (None if is_electronic else upload_day)
        delivered_day = local_date(r["delivered_at"]) if r["delivered_at"] else None
        ack_day = local_date(ack) if ack else None
        dup = r["possible_duplicate_of"]
        matched = dup is not None and not is_electronic and electronic.get(dup, False)
        said = r["registry_duplicate_of"] is not None
        due = _date(r["due_date"])
        handled = local_date(r["handled_at"]) if r["handled_at"] else None
        copy_signed = r["sign_state"] == "signed"
        keys: list[tuple[str, str | None, str | None]] = [("bucket", bucket, None),
                                                          ("total", None, None)]
        if grouped:
            keys += [("rows", bucket, grp), ("group", None, grp)]
        for key in keys:
            c = cells[key]
            c["received"] += 1
            c["digitised"] += r["recognised_at"] is not None
            c["delivered"] += to_delivery is not None
            c["refused"] += r["registry_status"] == REFUSED or r["id"] in refused_ids
            c["acknowledged"] += to_ack is not None
            c["registered_on_time"] += is_open and ack is not None and local_date(ack) <= deadline
            c["registered_late"] += is_open and ((ack is not None and local_date(ack) > deadline)
                                                 or (ack is None and today > deadline))
            c["urgent"] += urgent
            c["urgent_within_hour"] += urgent and to_delivery is not None and to_delivery <= 3600
            c["waiting"] += waiting
            c["restricted"] += waiting and r["secrecy_level"] > OPEN
            if to_delivery is not None:
                c["to_delivery"].append(to_delivery)
            if to_ack is not None:
                c["to_acknowledgement"].append(to_ack)
            c["electronic"] += is_electronic
            c["signed"] += signatures[r["id"]] is True
            c["unsigned"] += signatures[r["id"]] is False
            c["paper_duplicates"] += matched or said
            c["paper_duplicates_matched"] += matched
            c["paper_duplicates_registry"] += said
            c["copy_signed"] += to_delivery is not None and copy_signed
            c["copy_unsigned"] += to_delivery is not None and not copy_signed
            if due is not None:
                c["due_dated"] += 1
                c["handled_on_time"] += handled is not None and handled <= due
                c["handled_late"] += handled is not None and handled > due
                c["open_overdue"] += handled is None and today > due
                c["open_within_time"] += handled is None and today <= due
            if paper_ref is not None and delivered_day is not None:
                lag = (delivered_day - paper_ref).days
                c["paper_compared"] += 1
                c["electronic_first"] += lag < 0
                c["same_day_as_paper"] += lag == 0
                c["after_paper"] += lag > 0
                c["paper_lag_days_sum"] += lag
            if paper_ref is not None and ack_day is not None:
                c["paper_ack_compared"] += 1
                c["paper_ack_lag_days_sum"] += (ack_day - paper_ref).days
            if waiting and (c["oldest"] is None or uploaded < c["oldest"]):
                c["oldest"] = uploaded
    def out(key: tuple[str, str | None, str | None]) -> dict[str, Any]:
        c = cells.get(key) or _empty()
        d: dict[str, Any] = {k: int(v) for k, v in c.items()
                             if k not in ("to_delivery", "to_acknowledgement", "oldest")}
        d["on_paper"] = d["received"] - d["electronic"]
        for t in ("to_delivery", "to_acknowledgement"):
            xs = c[t]
            d[t] = {"n": len(xs), "avg_s": round(statistics.fmean(xs), 1) if xs else None,
                    "p90_s": round(_percentile_cont(xs, 0.9), 1) if xs else None}
        d["oldest_waiting_uploaded_at"] = c["oldest"].isoformat() if c["oldest"] else None
        if key[1] is not None:
            d["bucket"] = key[1]
        if key[2] is not None:
            d["group"] = key[2]
        return d
    return {
        "total": out(("total", None, None)),
        "by_bucket": [out(("bucket", k, None)) for k in bucket_keys(query)],
        "by_group": [out(k) for k in cells if k[0] == "group"],
        "rows": [out(k) for k in cells if k[0] == "rows"],
    }


def _empty() -> dict[str, Any]:
    c: dict[str, Any] = dict.fromkeys(
        COUNTS, 0)
    c.update(to_delivery=[], to_acknowledgement=[], oldest=None)
    return c


def _signed(value: Any) -> bool | None:
    """True: the PDF carries signatures; False: checked, none; None: not checked."""
    value = _json(value)
    return None if not isinstance(value, list) else bool(value)


def _code(fields: Any) -> str | None:
    """The issuing agency's code a person gave or accepted (not a suggestion under review)."""
    fields = _json(fields)
    code = fields.get("organ_code") if isinstance(fields, dict) else None
    if isinstance(code, dict) and not code.get("needs_review") and code.get("value"):
        return str(code["value"])
    return None


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _percentile_cont(values: list[float], q: float) -> float:
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    low = int(pos)
    high = min(low + 1, len(xs) - 1)
    return xs[low] + (pos - low) * (xs[high] - xs[low])


def compare(report: dict[str, Any], naive: dict[str, Any]) -> list[str]:
    """Every cell where the report and the naive computation differ (empty: the same)."""
    problems: list[str] = []

    def cell_key(c: dict[str, Any]) -> tuple[Any, Any]:
        return c.get("bucket"), c.get("group")

    for level in ("total", "by_bucket", "by_group", "rows"):
        mine = report[level] if level != "total" else [report["total"]]
        ref = naive[level] if level != "total" else [naive["total"]]
        a = {cell_key(c): c for c in mine}
        b = {cell_key(c): c for c in ref if c["received"]}
        a = {k: c for k, c in a.items() if c["received"] or level == "total"}
        if level == "total":
            b = {cell_key(c): c for c in ref}
        if set(a) != set(b):
            problems.append(f"{level}: cells {sorted(map(str, set(a) ^ set(b)))[:5]}")
        for k in set(a) & set(b):
            for name, value in b[k].items():
                mine_value = a[k].get(name)
                if isinstance(value, dict):
                    for sub, v in value.items():
                        m = mine_value.get(sub) if isinstance(mine_value, dict) else None
                        if not _close(m, v):
                            problems.append(f"{level} {k} {name}.{sub}: {m} != {v}")
                elif name == "oldest_waiting_uploaded_at":
                    if (mine_value and value and dt.datetime.fromisoformat(mine_value)
                            != dt.datetime.fromisoformat(value)) or bool(mine_value) != bool(value):
                        problems.append(f"{level} {k} {name}: {mine_value} != {value}")
                elif mine_value != value:
                    problems.append(f"{level} {k} {name}: {mine_value} != {value}")
    return problems


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= TIME_TOLERANCE
