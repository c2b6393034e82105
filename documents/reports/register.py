"""The incoming register (sổ đăng ký văn bản đến, DOMAIN §8): one line per document received."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from documents.reports.query import ReportQuery, local_date, local_midnight
from documents.reports.sql import OPEN, REFUSED, bind, dialect_of, filters_sql, timestamp
from models.errors import ReportError

MAX_REGISTER_ROWS = 2000  # fpdf2 lays out about 200 lines a second here: ~10 s at most


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
    that year (not only those shown, other units' included), so printing a month gives the same
    numbers as printing the year. Restricted documents (documents.visibility) are left out: they
    go in the separate secret register.
    """
    from documents.metadata import meta_value

    query.validate()
    sq = dialect_of(conn)
    params: dict[str, Any] = {"start": query.start_utc, "end": query.end_utc,
                              "year_start": local_midnight(dt.date(query.start.year, 1, 1)),
                              "refused": REFUSED, "limit": MAX_REGISTER_ROWS + 1}
    year = sq.local_year("d.uploaded_at")
    filters = filters_sql(query, params, alias="n")
    sql = f"""
    WITH numbered AS (
        SELECT d.id, d.uploaded_at, d.paper_arrived_on, d.organ, d.number, d.notation,
               d.issued_date, d.doc_type, d.unit, d.delivered_at, d.acknowledged_at, d.urgency,
               d.registry_status, d.status, d.title, d.metadata AS meta, d.secrecy_level,
               ROW_NUMBER() OVER (PARTITION BY {year} ORDER BY d.uploaded_at, d.id) AS seq
        FROM documents d
        WHERE d.uploaded_at >= :year_start AND d.uploaded_at < :end AND d.status <> 'deleted'
              AND d.secrecy_level = {OPEN}
    )
    SELECT n.*, (SELECT e.detail FROM events e
                 WHERE e.document_id = n.id AND e.action = 'registry'
                       AND {sq.json_text('e.new')} = :refused
                 ORDER BY e.at DESC, e.id DESC LIMIT 1) AS refusal
    FROM numbered n WHERE n.uploaded_at >= :start {filters}
    ORDER BY n.uploaded_at, n.id LIMIT :limit"""
    rows = conn.execute(bind(sql), params).mappings().all()
    if len(rows) > MAX_REGISTER_ROWS:
        raise ReportError(f"Kỳ này có hơn {MAX_REGISTER_ROWS} văn bản: hãy in sổ theo từng khoảng "
                          "ngắn hơn hoặc theo từng đơn vị.", limit=MAX_REGISTER_ROWS)
    out = []
    for r in rows:
        meta = r["meta"] if isinstance(r["meta"], dict) else _json(r["meta"])
        uploaded = timestamp(r["uploaded_at"])
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
            # documents.delivery writes "02 Từ chối tiếp nhận: <reason>"; the reason is what counts.
            reason = str(r["refusal"] or "").split(": ", 1)[-1].strip()
            notes.append(f"Bị từ chối: {reason}" if reason else "Bị từ chối")
        ack = timestamp(r["acknowledged_at"])
        if ack is not None:
            notes.append(f"Đã tiếp nhận {local_date(ack).strftime('%d/%m/%Y')}")
        delivered = timestamp(r["delivered_at"])
        read_stamp = meta.get("arrival_stamp")
        stamp = read_stamp if isinstance(read_stamp, dict) else {}
        arrival_number = meta.get("ArrivalNumber") or stamp.get("number") or r["seq"]
        out.append(RegisterEntry(
            arrival_number=str(arrival_number), arrived_on=arrived, author=r["organ"] or "",
            code=code, issued_date=_date_value(r["issued_date"]),
            type_and_subject=type_and_subject, recipient=r["unit"] or "",
            forwarded_on=local_date(delivered) if delivered else None,
            note="; ".join(notes), document_id=int(r["id"])))
    return out


def _json(value: Any) -> dict[str, Any]:
    if not value:
        return {}
    loaded = json.loads(value) if isinstance(value, str) else value
    return loaded if isinstance(loaded, dict) else {}
