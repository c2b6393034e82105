"""Management reports computed in the database (SQLite and PostgreSQL): counts, times, deadlines.

A report covers the documents *received* (uploaded) in a period of local days, Vietnam time
(UTC+7, no daylight saving), grouped by day, ISO week or month and optionally by issuing agency
(`organ`) or receiving unit (`unit`). Every figure describes that cohort: of the documents
received in the period, how many were digitised, delivered, refused, how fast. Deleted documents
(emptied by a correction) are left out. See docs/REPORTS.md for each definition.

Everything is aggregated by SQL. Percentiles are `percentile_cont(0.9)` on PostgreSQL; SQLite has
no such aggregate, so the same interpolation (position 0.9 x (n - 1) in the sorted values, linear
between its two neighbours) is computed with ROW_NUMBER()/COUNT() window functions: both
databases give the same number for the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection

from models.db import UtcDateTime
from models.errors import RequestError

# Vietnam has used UTC+7 without daylight saving since 1975: a fixed offset is exact.
LOCAL_OFFSET = dt.timedelta(hours=7)
LOCAL_TZ = dt.timezone(LOCAL_OFFSET, "ICT")
URGENT = ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", "HOẢ TỐC", "HỎA TỐC HẸN GIỜ", "HOẢ TỐC HẸN GIỜ")
REFUSED = "02"  # DOMAIN §7: Từ chối tiếp nhận
PERCENTILE = 0.9
BUCKETS = ("day", "week", "month")
GROUPS = ("none", "organ", "unit")
MAX_BUCKETS = 1000
# A document not yet delivered (the delivered ones and the deleted ones are done).
WAITING_STATUSES = ("queued", "processing", "ready_for_review", "failed", "confirmed")

COUNTS = ("received", "digitised", "delivered", "refused", "acknowledged", "registered_on_time",
          "registered_late", "urgent", "urgent_within_hour", "waiting", "restricted")
TIMES = ("to_delivery", "to_acknowledgement")


class ReportError(RequestError):
    """A report request that cannot be answered as asked (messages are shown to managers)."""

    code = "bad_request"
    http_status = 422


@dataclass(frozen=True)
class ReportQuery:
    """What a report covers: local days `start`..`end` (inclusive), bucket size, grouping, filters."""

    start: dt.date
    end: dt.date
    by: str = "month"
    group: str = "none"
    organ: str | None = None
    unit: str | None = None

    def validate(self) -> ReportQuery:
        """Raise ReportError (in Vietnamese: managers read it) when the query is unusable."""
        if self.by not in BUCKETS:
            raise ReportError("Cách chia kỳ phải là day, week hoặc month.", by=self.by)
        if self.group not in GROUPS:
            raise ReportError("Nhóm theo phải là none, organ hoặc unit.", group=self.group)
        if self.end < self.start:
            raise ReportError("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
                              start=self.start.isoformat(), end=self.end.isoformat())
        if len(bucket_keys(self)) > MAX_BUCKETS:
            raise ReportError(f"Khoảng thời gian quá dài cho cách chia này (quá {MAX_BUCKETS} kỳ).",
                              by=self.by)
        return self

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return local_midnight(self.end + dt.timedelta(days=1))


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 Vietnam time of `day`, as a UTC timestamp."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The Vietnam calendar day of a timestamp."""
    return moment.astimezone(LOCAL_TZ).date()


def bucket_of(day: dt.date, by: str) -> str:
    """The key of the bucket a local day falls in: 'YYYY-MM-DD', Monday 'YYYY-MM-DD', 'YYYY-MM'."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    return f"{day.year:04d}-{day.month:02d}"


def bucket_keys(query: ReportQuery) -> list[str]:
    """Every bucket of the period in order, empty ones included (charts show the gaps)."""
    keys: list[str] = []
    if query.by == "month":
        year, month = query.start.year, query.start.month
        while (year, month) <= (query.end.year, query.end.month):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if len(keys) > MAX_BUCKETS:
                break
        return keys
    step = dt.timedelta(days=1 if query.by == "day" else 7)
    day = dt.date.fromisoformat(bucket_of(query.start, query.by))
    while day <= query.end and len(keys) <= MAX_BUCKETS:
        keys.append(day.isoformat())
        day += step
    return keys


def next_working_day_deadline(day: dt.date) -> dt.date:
    """The last day a document arrived on `day` may be registered: the next working day.

    Working days are Monday to Friday; public holidays are not known (see docs/REPORTS.md).
    """
    return day + dt.timedelta(days={4: 3, 5: 2}.get(day.weekday(), 1))


# ---------------------------------------------------------------------------------------------
# Dialect fragments: the only place SQLite and PostgreSQL differ.


class _Dialect:
    name = ""

    def local(self, col: str) -> str:
        raise NotImplementedError

    def bucket(self, col: str, by: str) -> str:
        raise NotImplementedError

    def local_day(self, col: str) -> str:
        raise NotImplementedError

    def seconds(self, start: str, end: str) -> str:
        raise NotImplementedError

    def day_diff(self, later: str, earlier: str) -> str:
        raise NotImplementedError

    def isodow(self, day: str) -> str:
        raise NotImplementedError

    def json_text(self, col: str) -> str:
        raise NotImplementedError


class _Postgres(_Dialect):
    name = "postgresql"

    def local(self, col: str) -> str:
        return f"({col} AT TIME ZONE 'UTC' + interval '7 hours')"

    def bucket(self, col: str, by: str) -> str:
        local = self.local(col)
        if by == "day":
            return f"to_char({local}, 'YYYY-MM-DD')"
        if by == "week":
            return f"to_char(date_trunc('week', {local}), 'YYYY-MM-DD')"
        return f"to_char({local}, 'YYYY-MM')"

    def local_day(self, col: str) -> str:
        return f"CAST({self.local(col)} AS date)"

    def seconds(self, start: str, end: str) -> str:
        return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS double precision)"

    def day_diff(self, later: str, earlier: str) -> str:
        return f"({later} - {earlier})"

    def isodow(self, day: str) -> str:
        return f"CAST(EXTRACT(ISODOW FROM {day}) AS integer)"

    def json_text(self, col: str) -> str:
        return f"({col} #>> '{{}}')"


class _Sqlite(_Dialect):
    name = "sqlite"

    def local(self, col: str) -> str:
        return f"datetime({col}, '+7 hours')"

    def bucket(self, col: str, by: str) -> str:
        if by == "day":
            return f"date({col}, '+7 hours')"
        if by == "week":  # 'weekday 0' = the coming Sunday (or today), -6 days = its Monday
            return f"date({col}, '+7 hours', 'weekday 0', '-6 days')"
        return f"strftime('%Y-%m', {col}, '+7 hours')"

    def local_day(self, col: str) -> str:
        return f"date({col}, '+7 hours')"

    def seconds(self, start: str, end: str) -> str:
        return f"((julianday({end}) - julianday({start})) * 86400.0)"

    def day_diff(self, later: str, earlier: str) -> str:
        return f"CAST(round(julianday({later}) - julianday({earlier})) AS INTEGER)"

    def isodow(self, day: str) -> str:
        return f"((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7 + 1)"

    def json_text(self, col: str) -> str:
        return f"json_extract({col}, '$')"


def _dialect(conn: Connection) -> _Dialect:
    return _Postgres() if conn.dialect.name == "postgresql" else _Sqlite()


# ---------------------------------------------------------------------------------------------
# The statements.


def _filters(query: ReportQuery, params: dict[str, Any], alias: str = "d") -> str:
    sql = ""
    if query.organ is not None:
        sql += f" AND COALESCE({alias}.organ, '') = :organ"
        params["organ"] = query.organ
    if query.unit is not None:
        sql += f" AND {alias}.unit = :unit"
        params["unit"] = query.unit
    return sql


def _base_cte(sq: _Dialect, query: ReportQuery, params: dict[str, Any]) -> str:
    """One row per document of the period with every per-document value the figures need."""
    group = {"none": "''", "organ": "COALESCE(d.organ, '')", "unit": "d.unit"}[query.group]
    upload_day = sq.local_day("d.uploaded_at")
    # The day the document arrived: the paper's arrival day when the mailroom entered an earlier
    # one, else the upload day (min() of SQLite and LEAST of PostgreSQL agree on non-NULLs).
    least = "min" if sq.name == "sqlite" else "LEAST"
    arrived = f"{least}(COALESCE(d.paper_arrived_on, {upload_day}), {upload_day})"
    # The registration deadline in days after arrival: next working day (Fri +3, Sat +2, else +1).
    allowed = "CASE a.dow WHEN 5 THEN 3 WHEN 6 THEN 2 ELSE 1 END"
    ack_days = sq.day_diff(sq.local_day("a.acknowledged_at"), "a.arrived")
    today_days = sq.day_diff("CAST(:today AS date)" if sq.name == "postgresql" else ":today",
                             "a.arrived")
    urgent = ", ".join(f":urgent{i}" for i in range(len(URGENT)))
    waiting = ", ".join(f"'{s}'" for s in WAITING_STATUSES)
    params.update({f"urgent{i}": u for i, u in enumerate(URGENT)})
    params.update(start=query.start_utc, end=query.end_utc, refused=REFUSED)
    return f"""
    refused_docs AS (
        SELECT DISTINCT e.document_id FROM events e
        WHERE e.action = 'registry' AND {sq.json_text('e.new')} = :refused
    ),
    a AS (
        SELECT d.id, d.uploaded_at, d.acknowledged_at, d.delivered_at, d.recognised_at,
               d.status, d.secrecy, d.urgency, d.registry_status,
               {sq.bucket('d.uploaded_at', query.by)} AS bucket, {group} AS grp,
               {arrived} AS arrived,
               {sq.isodow(arrived)} AS dow
        FROM documents d
        WHERE d.uploaded_at >= :start AND d.uploaded_at < :end AND d.status <> 'deleted'
              {_filters(query, params)}
    ),
    base AS (
        SELECT a.bucket, a.grp, a.uploaded_at,
            CASE WHEN a.recognised_at IS NOT NULL THEN 1 ELSE 0 END AS digitised,
            CASE WHEN a.delivered_at IS NOT NULL THEN 1 ELSE 0 END AS delivered,
            CASE WHEN a.registry_status = :refused
                      OR a.id IN (SELECT document_id FROM refused_docs) THEN 1 ELSE 0 END AS refused,
            CASE WHEN a.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END AS acknowledged,
            {sq.seconds('a.uploaded_at', 'a.delivered_at')} AS to_delivery,
            {sq.seconds('a.uploaded_at', 'a.acknowledged_at')} AS to_acknowledgement,
            CASE WHEN a.secrecy IS NULL AND a.acknowledged_at IS NOT NULL
                      AND {ack_days} <= {allowed} THEN 1 ELSE 0 END AS registered_on_time,
            CASE WHEN a.secrecy IS NULL AND ((a.acknowledged_at IS NOT NULL AND {ack_days} > {allowed})
                      OR (a.acknowledged_at IS NULL AND {today_days} > {allowed}))
                 THEN 1 ELSE 0 END AS registered_late,
            CASE WHEN a.secrecy IS NULL AND a.urgency IN ({urgent}) THEN 1 ELSE 0 END AS urgent,
            CASE WHEN a.secrecy IS NULL AND a.urgency IN ({urgent}) AND a.delivered_at IS NOT NULL
                      AND {sq.seconds('a.uploaded_at', 'a.delivered_at')} <= 3600
                 THEN 1 ELSE 0 END AS urgent_within_hour,
            CASE WHEN a.status IN ({waiting}) THEN 1 ELSE 0 END AS waiting,
            CASE WHEN a.status IN ({waiting}) AND a.secrecy IS NOT NULL THEN 1 ELSE 0 END
                 AS restricted
        FROM a
    )"""


# The grouping levels of one report: (name, key columns).
_LEVELS = (("rows", ("bucket", "grp")), ("bucket", ("bucket",)), ("group", ("grp",)), ("total", ()))


def _select_keys(keys: tuple[str, ...]) -> str:
    bucket = "bucket" if "bucket" in keys else "NULL"
    grp = "grp" if "grp" in keys else "NULL"
    return f"{bucket} AS bucket, {grp} AS grp"


def _aggregates_sql(sq: _Dialect) -> str:
    parts = []
    for level, keys in _LEVELS:
        sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNTS if c != "received")
        times = ", ".join(f"AVG({t}) AS {t}_avg, COUNT({t}) AS {t}_n" for t in TIMES)
        if sq.name == "postgresql":
            times += ", " + ", ".join(
                f"percentile_cont({PERCENTILE}) WITHIN GROUP (ORDER BY {t}) AS {t}_p90"
                for t in TIMES)
        group_by = f"GROUP BY {', '.join(keys)}" if keys else ""
        parts.append(f"SELECT '{level}' AS level, {_select_keys(keys)}, COUNT(*) AS received, "
                     f"{sums}, {times}, MIN(CASE WHEN waiting = 1 THEN uploaded_at END) "
                     f"AS oldest_waiting FROM base {group_by}")
    return "\nUNION ALL\n".join(parts)


def _sqlite_percentiles_sql() -> str:
    """percentile_cont(0.9) per level and per time, from ranks (the PostgreSQL definition)."""
    p = PERCENTILE
    parts = []
    for level, keys in _LEVELS:
        part = ", ".join(("metric",) + keys)
        pos = f"({p} * (n - 1))"
        low = f"CAST({pos} AS INTEGER)"  # floor: the position is never negative
        parts.append(f"""
        SELECT '{level}' AS level, {_select_keys(keys)}, metric,
               SUM(CASE WHEN i = {low} THEN v * (1 - ({pos} - {low}))
                        ELSE v * ({pos} - {low}) END) AS p90
        FROM (SELECT metric, bucket, grp, v,
                     ROW_NUMBER() OVER (PARTITION BY {part} ORDER BY v) - 1 AS i,
                     COUNT(*) OVER (PARTITION BY {part}) AS n
              FROM vals) r
        WHERE i = {low} OR i = {low} + 1
        GROUP BY {part}""")
    vals = " UNION ALL ".join(
        f"SELECT '{t}' AS metric, bucket, grp, {t} AS v FROM base WHERE {t} IS NOT NULL"
        for t in TIMES)
    return f", vals AS ({vals})\n" + "\nUNION ALL\n".join(parts)


def _bind(sql: str) -> Any:
    stmt = text(sql)
    names = set(stmt._bindparams)  # noqa: SLF001 - the parameters the statement uses
    typed = [bindparam(n, type_=UtcDateTime()) for n in ("start", "end", "year_start")
             if n in names]
    if "today" in names:
        typed.append(bindparam("today", type_=Date()))
    return stmt.bindparams(*typed)


@dataclass
class Figures:
    """The figures of one cell of a report (a bucket, a group, both, or the whole period)."""

    bucket: str | None = None
    group: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    times: dict[str, dict[str, float | int | None]] = field(
        default_factory=lambda: {t: {"n": 0, "avg_s": None, "p90_s": None} for t in TIMES})
    oldest_waiting: dt.datetime | None = None

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
        out.update(self.times)
        out["oldest_waiting_uploaded_at"] = (self.oldest_waiting.isoformat()
                                             if self.oldest_waiting else None)
        return out


def _timestamp(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite gives MIN() over a CASE back as its stored text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


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
    """Compute a report: two SQL statements on SQLite, one on PostgreSQL, plus the backlog."""
    query.validate()
    now = now or dt.datetime.now(dt.UTC)
    today = local_date(now)
    sq = _dialect(conn)
    params: dict[str, Any] = {"today": today}
    cte = "WITH " + _base_cte(sq, query, params)
    cells: dict[tuple[str, str | None, str | None], Figures] = {}
    for row in conn.execute(_bind(cte + "\n" + _aggregates_sql(sq)), params).mappings():
        fig = Figures(row["bucket"], row["grp"])
        fig.counts = {c: int(row[c] or 0) for c in COUNTS}
        for t in TIMES:
            fig.times[t] = {"n": int(row[f"{t}_n"] or 0), "avg_s": _round(row[f"{t}_avg"]),
                            "p90_s": _round(row.get(f"{t}_p90"))}
        fig.oldest_waiting = _timestamp(row["oldest_waiting"])
        cells[(row["level"], row["bucket"], row["grp"])] = fig
    if sq.name == "sqlite":
        sql = cte + _sqlite_percentiles_sql()
        for row in conn.execute(_bind(sql), params).mappings():
            fig = cells.get((row["level"], row["bucket"], row["grp"]))
            if fig is not None:
                fig.times[row["metric"]]["p90_s"] = _round(row["p90"])
    total = cells.get(("total", None, None)) or Figures()
    by_bucket = [cells.get(("bucket", k, None)) or Figures(bucket=k) for k in bucket_keys(query)]
    for fig in by_bucket:
        fig.group = None
    by_group = sorted((f for (lvl, _, _), f in cells.items() if lvl == "group"),
                      key=lambda f: (-f.counts["received"], f.group or ""))
    for fig in by_group:
        fig.bucket = None
    rows = sorted((f for (lvl, _, _), f in cells.items() if lvl == "rows"),
                  key=lambda f: (f.bucket or "", -f.counts["received"], f.group or ""))
    return Report(query, today, rows, by_bucket, by_group, total, backlog(conn, query, now))


def backlog(conn: Connection, query: ReportQuery, now: dt.datetime) -> dict[str, Any]:
    """Documents not delivered yet, whatever the period (with the filters), and the oldest one."""
    params: dict[str, Any] = {}
    where = (f"d.status IN ({', '.join(repr(s) for s in WAITING_STATUSES)})"
             + _filters(query, params))
    by_status = dict.fromkeys(WAITING_STATUSES, 0)
    restricted = 0
    for status, secret, n in conn.execute(text(
            f"SELECT d.status, CASE WHEN d.secrecy IS NULL THEN 0 ELSE 1 END, COUNT(*) "
            f"FROM documents d WHERE {where} GROUP BY d.status, "
            f"CASE WHEN d.secrecy IS NULL THEN 0 ELSE 1 END"), params):
        by_status[status] = by_status.get(status, 0) + int(n)
        restricted += int(n) if secret else 0
    oldest = conn.execute(_bind(
        f"SELECT d.id, d.title, d.organ, d.unit, d.status, d.uploaded_at, d.number, d.notation "
        f"FROM documents d WHERE {where} ORDER BY d.uploaded_at, d.id LIMIT 1"), params).first()
    out: dict[str, Any] = {"total": sum(by_status.values()), "by_status": by_status,
                           "restricted": restricted, "oldest": None}
    if oldest is not None:
        uploaded = _timestamp(oldest.uploaded_at)
        assert uploaded is not None
        out["oldest"] = {
            "id": oldest.id, "title": oldest.title, "organ": oldest.organ, "unit": oldest.unit,
            "status": oldest.status, "number": oldest.number, "notation": oldest.notation,
            "uploaded_at": uploaded.isoformat(),
            "age_hours": round((now - uploaded).total_seconds() / 3600, 1),
            "link": f"/api/documents/{oldest.id}",
        }
    return out


# ---------------------------------------------------------------------------------------------
# The incoming register (sổ đăng ký văn bản đến, DOMAIN §8).

MAX_REGISTER_ROWS = 5000


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the incoming register."""

    arrival_number: str  # the registry's ArrivalNumber when it sent one, else our yearly series
    arrived_on: dt.date
    author: str  # issuing agency (tác giả)
    code: str  # số, ký hiệu
    issued_date: dt.date | None
    type_and_subject: str  # tên loại và trích yếu nội dung
    recipient: str  # đơn vị hoặc người nhận
    forwarded_on: dt.date | None  # ngày chuyển: the electronic delivery
    note: str
    document_id: int


def _date_value(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def register_entries(conn: Connection, query: ReportQuery) -> list[RegisterEntry]:
    """The register lines of the documents received in the period, in arrival order.

    The arrival number is one series per calendar year, counted over every document received
    that year (not only those shown), so printing a month gives the same numbers as printing
    the year. Documents under state secrecy are left out: they go in the separate secret register.
    """
    from models.documents import meta_value

    query.validate()
    sq = _dialect(conn)
    params: dict[str, Any] = {"start": query.start_utc, "end": query.end_utc,
                              "year_start": local_midnight(dt.date(query.start.year, 1, 1)),
                              "refused": REFUSED, "limit": MAX_REGISTER_ROWS + 1}
    year = (f"to_char({sq.local('d.uploaded_at')}, 'YYYY')" if sq.name == "postgresql"
            else "strftime('%Y', d.uploaded_at, '+7 hours')")
    filters = _filters(query, params, alias="n")
    sql = f"""
    WITH numbered AS (
        SELECT d.id, d.uploaded_at, d.paper_arrived_on, d.organ, d.number, d.notation,
               d.issued_date, d.doc_type, d.unit, d.delivered_at, d.acknowledged_at, d.urgency,
               d.registry_status, d.status, d.title, d.metadata AS meta,
               ROW_NUMBER() OVER (PARTITION BY {year} ORDER BY d.uploaded_at, d.id) AS seq
        FROM documents d
        WHERE d.uploaded_at >= :year_start AND d.uploaded_at < :end AND d.status <> 'deleted'
              AND d.secrecy IS NULL
    )
    SELECT n.*, (SELECT e.detail FROM events e
                 WHERE e.document_id = n.id AND e.action = 'registry'
                       AND {sq.json_text('e.new')} = :refused
                 ORDER BY e.at DESC, e.id DESC LIMIT 1) AS refusal
    FROM numbered n WHERE n.uploaded_at >= :start {filters}
    ORDER BY n.uploaded_at, n.id LIMIT :limit"""
    rows = conn.execute(_bind(sql), params).mappings().all()
    if len(rows) > MAX_REGISTER_ROWS:
        raise ReportError(f"Kỳ này có hơn {MAX_REGISTER_ROWS} văn bản: hãy in sổ theo từng khoảng "
                          "ngắn hơn hoặc theo từng đơn vị.", limit=MAX_REGISTER_ROWS)
    out = []
    for r in rows:
        meta = r["meta"] if isinstance(r["meta"], dict) else _json(r["meta"])
        uploaded = _timestamp(r["uploaded_at"])
        assert uploaded is not None
        upload_day = local_date(uploaded)
        paper = _date_value(r["paper_arrived_on"])
        arrived = min(paper, upload_day) if paper else upload_day
        code = "/".join(str(x) for x in (r["number"], r["notation"]) if x)
        subject = str(meta_value(meta, "subject") or "")
        kind = r["doc_type"] or ""
        type_and_subject = f"{kind}: {subject}" if kind and subject else (kind or subject
                                                                          or r["title"] or "")
        notes = []
        if r["urgency"]:
            notes.append(str(r["urgency"]))
        if r["refusal"] is not None or r["registry_status"] == REFUSED:
            # intake.delivery writes "02 Từ chối tiếp nhận: <reason>"; the reason is what counts.
            reason = str(r["refusal"] or "").split(": ", 1)[-1].strip()
            notes.append(f"Bị từ chối: {reason}" if reason else "Bị từ chối")
        ack = _timestamp(r["acknowledged_at"])
        if ack is not None:
            notes.append(f"Đã tiếp nhận {local_date(ack).strftime('%d/%m/%Y')}")
        delivered = _timestamp(r["delivered_at"])
        stamp = meta.get("arrival_stamp") if isinstance(meta.get("arrival_stamp"), dict) else {}
        arrival_number = meta.get("ArrivalNumber") or stamp.get("number") or r["seq"]
        out.append(RegisterEntry(
            arrival_number=str(arrival_number), arrived_on=arrived, author=r["organ"] or "",
            code=code, issued_date=_date_value(r["issued_date"]),
            type_and_subject=type_and_subject, recipient=r["unit"] or "",
            forwarded_on=local_date(delivered) if delivered else None,
            note="; ".join(notes), document_id=int(r["id"])))
    return out


def _json(value: Any) -> dict[str, Any]:
    import json

    if not value:
        return {}
    loaded = json.loads(value) if isinstance(value, str) else value
    return loaded if isinstance(loaded, dict) else {}
