"""The figures of a report: per (bucket, group) cell, rolled up per bucket, per group and in total.

A report covers the documents *received* (uploaded) in a period of local days, grouped by day,
ISO week or month and optionally by issuing agency (`organ`) or receiving unit (`unit`). Every
figure describes that cohort: of the documents received in the period, how many were digitised,
delivered, refused, how fast. Deleted documents (emptied by a correction) are left out. The
backlog is the documents not delivered yet, whatever the period. See docs/REPORTS.md.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection

from documents.reports.query import ReportQuery, bucket_keys, bucket_label, local_date
from documents.reports.sql import (
    COUNTS,
    OPEN,
    PERCENTILE,
    TIMES,
    WAITING_STATUSES,
    bind,
    cells_sql,
    filters_sql,
    postgres_percentiles_sql,
    timestamp,
    values_sql,
)
from documents.reports.workdays import deadline_exceptions


@dataclass
class Figures:
    """The figures of one cell of a report (a bucket, a group, both, or the whole period)."""

    bucket: str | None = None
    group: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIMES, 0.0))
    n: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TIMES, 0))
    p90: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(TIMES))
    oldest_waiting: dt.datetime | None = None

    def add(self, other: Figures) -> None:
        """Roll a finer cell into this one (counts and sums add; the oldest is the minimum)."""
        for c in COUNTS:
            self.counts[c] += other.counts[c]
        for t in TIMES:
            self.sums[t] += other.sums[t]
            self.n[t] += other.n[t]
        if other.oldest_waiting is not None and (self.oldest_waiting is None
                                                 or other.oldest_waiting < self.oldest_waiting):
            self.oldest_waiting = other.oldest_waiting

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        decided = c["registered_on_time"] + c["registered_late"]
        out: dict[str, Any] = {}
        if self.bucket is not None:
            out["bucket"] = self.bucket
        if self.group is not None:
            out["group"] = self.group
        out.update(c)
        out["on_time_share"] = round(c["registered_on_time"] / decided, 4) if decided else None
        out["urgent_within_hour_share"] = (round(c["urgent_within_hour"] / c["urgent"], 4)
                                           if c["urgent"] else None)
        out["on_paper"] = c["received"] - c["electronic"]
        out["electronic_share"] = _share(c["electronic"], c["received"])
        out["signed_share"] = _share(c["signed"], c["signed"] + c["unsigned"])
        out["copy_signed_share"] = _share(c["copy_signed"], c["copy_signed"] + c["copy_unsigned"])
        out["handled_on_time_share"] = _share(c["handled_on_time"],
                                              c["handled_on_time"] + c["handled_late"])
        out["electronic_first_share"] = _share(c["electronic_first"], c["paper_compared"])
        out["paper_lag_days_avg"] = (round(c["paper_lag_days_sum"] / c["paper_compared"], 2)
                                     if c["paper_compared"] else None)
        out["paper_ack_lag_days_avg"] = (
            round(c["paper_ack_lag_days_sum"] / c["paper_ack_compared"], 2)
            if c["paper_ack_compared"] else None)
        for t in TIMES:
            out[t] = {"n": self.n[t], "avg_s": _round(self.sums[t] / self.n[t]) if self.n[t] else None,
                      "p90_s": _round(self.p90[t])}
        out["oldest_waiting_uploaded_at"] = (self.oldest_waiting.isoformat()
                                             if self.oldest_waiting else None)
        return out


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


@dataclass
class Report:
    """A whole report: the query, its cells at each level, the backlog now."""

    query: ReportQuery
    today: dt.date
    rows: list[Figures]
    by_bucket: list[Figures]
    by_group: list[Figures]
    total: Figures
    backlog: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "period": {"from": q.start.isoformat(), "to": q.end.isoformat(), "by": q.by,
                       "group": q.group, "timezone": "+07:00", "today": self.today.isoformat()},
            "filters": {"organ": q.organ, "unit": q.unit},
            "total": self.total.as_dict(),
            "by_bucket": [f.as_dict() for f in self.by_bucket],
            "by_group": [f.as_dict() for f in self.by_group] if q.group != "none" else [],
            "rows": [f.as_dict() for f in self.rows] if q.group != "none" else [],
            "backlog": self.backlog,
        }


def run_report(conn: Connection, query: ReportQuery, now: dt.datetime | None = None) -> Report:
    """Compute a report: counts and sums per (bucket, group), percentiles per level, backlog."""
    query.validate()
    now = now or dt.datetime.now(dt.UTC)
    today = local_date(now)
    cells: dict[tuple[str, str | None, str | None], Figures] = {}
    total = Figures()
    keys: dict[Any, str] = {}  # the bucket's integer in SQL -> its key in the report

    def key_of(value: Any) -> str:
        if value not in keys:
            keys[value] = bucket_label(value, query.by)
        return keys[value]

    group_of = agency_grouper(conn) if query.group == "agency" else _same_group
    exceptions = deadline_exceptions(query)
    values = _values_meanwhile(conn, query)
    for row in _cell_rows(conn, query, today, exceptions):
        fig = Figures(key_of(row["bucket"]), group_of(row["grp"]))
        fig.counts = {c: int(row[c] or 0) for c in COUNTS}
        fig.sums = {t: float(row[f"{t}_sum"] or 0) for t in TIMES}
        fig.n = {t: int(row[f"{t}_n"] or 0) for t in TIMES}
        fig.oldest_waiting = timestamp(row["oldest_waiting"])
        for key in (("rows", fig.bucket, fig.group), ("bucket", fig.bucket, None),
                    ("group", None, fig.group)):
            if key not in cells:
                cells[key] = Figures(key[1], key[2])
            cells[key].add(fig)
        total.add(fig)
    cells[("total", None, None)] = total
    grouped = query.group != "none"
    _percentiles(conn, query, cells, key_of, group_of, grouped,
                 values.result() if values is not None else None)
    if not grouped:  # one group: its cells are the bucket's and the total's
        for (lvl, bucket, _), fig in cells.items():
            same = cells.get(("bucket", bucket, None) if lvl == "rows" else ("total", None, None))
            if lvl in ("rows", "group") and same is not None:
                fig.p90 = dict(same.p90)
    by_bucket = [cells.get(("bucket", k, None)) or Figures(bucket=k) for k in bucket_keys(query)]
    by_group = sorted((f for (lvl, _, _), f in cells.items() if lvl == "group"),
                      key=lambda f: (-f.counts["received"], f.group or ""))
    rows = sorted((f for (lvl, _, _), f in cells.items() if lvl == "rows"),
                  key=lambda f: (f.bucket or "", -f.counts["received"], f.group or ""))
    return Report(query, today, rows, by_bucket, by_group, total, backlog(conn, query, now))


def _percentiles(conn: Connection, query: ReportQuery,
                 cells: dict[tuple[str, str | None, str | None], Figures],
                 key_of: Any, group_of: Any, grouped: bool,
                 rows: list[Any] | None = None) -> None:
    """The 90th percentile of both times at every level, from one read of the period's values:
    per level, the values are sorted by (cell, value) at once (numpy) and each cell's two values
    at its ranks are interpolated (percentile_cont)."""
    params: dict[str, Any] = {}
    if conn.dialect.name == "postgresql" and query.group != "agency":
        # PostgreSQL computes every level in one pass (its agency groups are merged in Python,
        # which a percentile cannot be: those take the way below).
        conn.execute(text("SET LOCAL work_mem = '64MB'"))
        conn.execute(text("SET LOCAL jit = off"))
        for row in conn.execute(bind(postgres_percentiles_sql(query, params)), params).mappings():
            bucket = None if row["bucket"] is None else key_of(row["bucket"])
            cell = cells.get((row["level"], bucket, row["grp"]))
            if cell is not None:
                cell.p90.update({t: row[t] for t in TIMES})
        return
    # The driver's rows as they are (tuples of numbers and text: nothing for SQLAlchemy to convert).
    if rows is None:
        rows = _values(conn, query)
    if not rows:
        return
    buckets, groups, *times = zip(*rows, strict=True)
    bucket_ids, bucket_names = _codes([key_of(b) for b in _distinct_map(buckets)], buckets)
    group_ids, group_names = _codes([group_of(g) for g in _distinct_map(groups)], groups)
    n_groups = max(len(group_names), 1)
    levels: list[tuple[str, Any, Any]] = [("bucket", bucket_ids, None),
                                          ("total", np.zeros(len(rows), dtype=np.int64), None)]
    if grouped:
        levels += [("rows", bucket_ids * n_groups + group_ids, None), ("group", group_ids, None)]
    for name, values in zip(TIMES, times, strict=True):
        v = np.array(values, dtype=np.float64)  # None -> nan
        by_value = np.argsort(v, kind="stable")  # nan last
        by_value = by_value[~np.isnan(v[by_value])]
        v = v[by_value]
        for level, ids, _ in levels:
            _level_percentiles(level, ids[by_value], v, name, cells, bucket_names,
                               group_names, n_groups)


def _cells(conn: Connection, query: ReportQuery, today: dt.date,
           exceptions: dict[int, int]) -> list[Any]:
    params: dict[str, Any] = {"today": today}
    return list(conn.execute(bind(cells_sql(query, params, exceptions, conn.dialect.name)),
                             params).mappings())


def _cell_rows(conn: Connection, query: ReportQuery, today: dt.date,
               exceptions: dict[int, int]) -> list[Any]:
    """The (bucket, group) rows of counts and sums. On a SQLite file, a period longer than a
    quarter is counted in two halves on two more connections at once (a cell cut in two comes
    back twice and is added up: counts, sums and the minimum all add up exactly)."""
    if not _sqlite_file(conn) or (query.end - query.start).days <= 92:
        return _cells(conn, query, today, exceptions)
    middle = query.start + (query.end - query.start) / 2
    halves = [replace(query, start=query.start, end=middle),
              replace(query, start=middle + dt.timedelta(days=1), end=query.end)]

    def count(half: ReportQuery) -> list[Any]:
        with conn.engine.connect() as other:
            return _cells(other, half, today, exceptions)
    return [row for future in [_POOL.submit(count, h) for h in halves] for row in future.result()]


def _sqlite_file(conn: Connection) -> bool:
    database = conn.engine.url.database
    return conn.dialect.name == "sqlite" and bool(database) and database != ":memory:"


def _values(conn: Connection, query: ReportQuery) -> list[Any]:
    """The period's two times with bucket and group, as the driver gives them (nothing for
    SQLAlchemy to convert)."""
    params: dict[str, Any] = {}
    return list(conn.execute(bind(values_sql(query, params, conn.dialect.name)),
                             params).cursor.fetchall())


_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="report-values")


def _values_meanwhile(conn: Connection, query: ReportQuery) -> Future[list[Any]] | None:
    """On a SQLite file, read the values on a second connection while the first one counts:
    the driver lets go of the interpreter while SQLite works, so the two reads share the cores.
    (Two reads, two snapshots: a document written in between may be in one and not the other;
    the percentiles are computed from the values alone.) PostgreSQL computes them itself."""
    if not _sqlite_file(conn):
        return None

    def read() -> list[Any]:
        with conn.engine.connect() as other:
            return _values(other, query)
    return _POOL.submit(read)


def _distinct_map(values: Any) -> list[Any]:
    """The distinct values in first-seen order."""
    return list(dict.fromkeys(values))


def _codes(labels: list[Any], values: Any) -> tuple[Any, list[Any]]:
    """Integer ids per value (by its label: several raw values may share one, e.g. names and
    codes of one agency) and the label of each id."""
    distinct = list(dict.fromkeys(values))
    names: list[Any] = []
    index: dict[Any, int] = {}
    raw_to_id: dict[Any, int] = {}
    for raw, label in zip(distinct, labels, strict=True):
        if label not in index:
            index[label] = len(names)
            names.append(label)
        raw_to_id[raw] = index[label]
    return np.fromiter((raw_to_id[x] for x in values), dtype=np.int64, count=len(values)), names


def _level_percentiles(level: str, ids: Any, values: Any, time: str,
                       cells: dict[tuple[str, str | None, str | None], Figures],
                       bucket_names: list[Any], group_names: list[Any], n_groups: int) -> None:
    if not len(values):
        return
    order = np.argsort(ids, kind="stable")  # values are sorted: stay so within each cell
    ids, values = ids[order], values[order]
    cell_ids, starts, counts = np.unique(ids, return_index=True, return_counts=True)
    pos = PERCENTILE * (counts - 1)
    low = np.floor(pos).astype(np.int64)
    frac = pos - low
    high = np.minimum(low + 1, counts - 1)
    x0, x1 = values[starts + low], values[starts + high]
    p90 = x0 + frac * (x1 - x0)
    for cid, value in zip(cell_ids.tolist(), p90.tolist(), strict=True):
        if level == "total":
            key: tuple[str, str | None, str | None] = ("total", None, None)
        elif level == "bucket":
            key = ("bucket", bucket_names[cid], None)
        elif level == "group":
            key = ("group", None, group_names[cid])
        else:
            key = ("rows", bucket_names[cid // n_groups], group_names[cid % n_groups])
        cell = cells.get(key)
        if cell is not None:
            cell.p90[time] = float(value)


def _same_group(value: Any) -> Any:
    return value


def agency_grouper(conn: Connection) -> Any:
    """The issuing agency's code for a fact's group (the code a person gave or accepted, else the
    one a clerk taught for that name, else the list's when seen in a public source); an agency
    nobody knows the code of stays under its name (docs/REPORTS.md)."""
    from sqlalchemy.orm import Session

    from documents.agency_codes import issuer_code
    from models.vocabulary import is_agency_code

    session = Session(bind=conn)
    cache: dict[str, str] = {}

    def group_of(value: Any) -> str:
        name = str(value or "")
        if name not in cache:
            cache[name] = (name if is_agency_code(name)
                           else issuer_code(session, name) or name)
        return cache[name]
    return group_of


def backlog(conn: Connection, query: ReportQuery, now: dt.datetime) -> dict[str, Any]:
    """Documents not delivered yet, whatever the period (with the filters), and the oldest one."""
    params: dict[str, Any] = {}
    where = (f"d.status IN ({', '.join(repr(s) for s in WAITING_STATUSES)})"
             + filters_sql(query, params))
    by_status = dict.fromkeys(WAITING_STATUSES, 0)
    restricted = 0
    for status, secret, n in conn.execute(text(
            f"SELECT d.status, CASE WHEN d.secrecy_level = {OPEN} THEN 0 ELSE 1 END, COUNT(*) "
            f"FROM documents d WHERE {where} GROUP BY d.status, "
            f"CASE WHEN d.secrecy_level = {OPEN} THEN 0 ELSE 1 END"), params):
        by_status[status] = by_status.get(status, 0) + int(n)
        restricted += int(n) if secret else 0
    oldest = conn.execute(bind(
        f"SELECT d.id, d.title, d.organ, d.unit, d.status, d.uploaded_at, d.number, d.notation "
        f"FROM documents d WHERE {where} ORDER BY d.uploaded_at, d.id LIMIT 1"), params).first()
    out: dict[str, Any] = {"total": sum(by_status.values()), "by_status": by_status,
                           "restricted": restricted, "oldest": None}
    if oldest is not None:
        uploaded = timestamp(oldest.uploaded_at)
        assert uploaded is not None
        out["oldest"] = {
            "id": oldest.id, "title": oldest.title, "organ": oldest.organ, "unit": oldest.unit,
            "status": oldest.status, "number": oldest.number, "notation": oldest.notation,
            "uploaded_at": uploaded.isoformat(),
            "age_hours": round((now - uploaded).total_seconds() / 3600, 1),
            "link": f"/api/documents/{oldest.id}",
        }
    return out

