"""The incoming register (sổ đăng ký văn bản đến, DOMAIN §8): one line per document received."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from documents.reports.query import ReportQuery, local_date
from documents.reports.sql import OPEN, REFUSED, bind, dialect_of, filters_sql, timestamp
from models.errors import ReportError

# Rows not yet checked by a person are marked as such (their values are the machine's reading).
UNREVIEWED = {"queued": "Chưa nhận dạng", "processing": "Chưa nhận dạng",
              "ready_for_review": "Chưa duyệt"}
ASSIGNED = "04"  # the registry's status "Phân công": sent to the handling unit
MAX_REGISTER_ROWS = 2000  # fpdf2 lays out about 200 lines a second here: ~10 s at most


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the incoming register."""

    arrival_number: str  # số đến: the document's number in the agency's yearly series
    arrived_on: dt.date
    author: str  # issuing agency (tác giả)
    code: str  # số, ký hiệu
    issued_date: dt.date | None
    type_and_subject: str  # tên loại và trích yếu nội dung
    recipient: str  # đơn vị hoặc người nhận
    forwarded_on: dt.date | None  # ngày chuyển: the registry assigned it to its handling unit
    note: str
    document_id: int


def _date_value(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def register_entries(conn: Connection, query: ReportQuery) -> list[RegisterEntry]:
    """The register lines of the documents received in the period, in the order of their
    arrival numbers.

    The number (số đến) is the document's own (infra/arrival.py): one series per calendar year
    for the agency, given at receipt and never changed, so printing a month or one unit gives the
    same numbers as printing the year, and a document deleted later shifts nothing. Deleted and
    failed documents are not printed (their numbers stay unused); restricted documents
    (documents.visibility) are left out: they go in the separate secret register. A number read
    from the paper's arrival stamp is shown in the note when it differs, not printed as ours.
    "Ngày chuyển" is the day the registry assigned the document to its handling unit (status 04).
    """
    from documents.metadata import meta_value

    query.validate()
    sq = dialect_of(conn)
    params: dict[str, Any] = {"start": query.start_utc, "end": query.end_utc,
                              "refused": REFUSED, "assigned": ASSIGNED,
                              "limit": MAX_REGISTER_ROWS + 1}
    filters = filters_sql(query, params, alias="n")
    sql = f"""
    SELECT n.id, n.uploaded_at, n.paper_arrived_on, n.organ, n.number, n.notation,
           n.issued_date, n.doc_type, n.unit, n.acknowledged_at, n.urgency, n.registry_status,
           n.status, n.title, n.metadata AS meta, n.arrival_number AS seq,
           (SELECT e.detail FROM events e
            WHERE e.document_id = n.id AND e.action = 'registry'
                  AND {sq.json_text('e.new')} = :refused
            ORDER BY e.at DESC, e.id DESC LIMIT 1) AS refusal,
           (SELECT MIN(e.at) FROM events e
            WHERE e.document_id = n.id AND e.action = 'registry'
                  AND {sq.json_text('e.new')} = :assigned) AS assigned_at
    FROM documents n
    WHERE n.uploaded_at >= :start AND n.uploaded_at < :end AND n.arrival_number IS NOT NULL
          AND n.status NOT IN ('deleted', 'failed') AND n.secrecy_level = {OPEN} {filters}
    ORDER BY n.arrival_year, n.arrival_number LIMIT :limit"""
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
        if r["status"] in UNREVIEWED:
            notes.append(UNREVIEWED[r["status"]])
        if r["urgency"]:
            notes.append(str(r["urgency"]))
        if r["refusal"] is not None or r["registry_status"] == REFUSED:
            # documents.delivery writes "02 Từ chối tiếp nhận: <reason>"; the reason is what counts.
            reason = str(r["refusal"] or "").split(": ", 1)[-1].strip()
            notes.append(f"Bị từ chối: {reason}" if reason else "Bị từ chối")
        ack = timestamp(r["acknowledged_at"])
        if ack is not None:
            notes.append(f"Đã tiếp nhận {local_date(ack).strftime('%d/%m/%Y')}")
        read_stamp = meta.get("arrival_stamp")
        stamp = read_stamp if isinstance(read_stamp, dict) else {}
        stamp_number = " ".join(str(stamp.get("number") or "").split())
        if stamp_number and stamp_number != str(r["seq"]):
            notes.append(f"Số trên dấu đến: {stamp_number}")
        assigned = timestamp(r["assigned_at"])
        out.append(RegisterEntry(
            arrival_number=str(r["seq"]), arrived_on=arrived, author=r["organ"] or "",
            code=code, issued_date=_date_value(r["issued_date"]),
            type_and_subject=type_and_subject, recipient=r["unit"] or "",
            forwarded_on=local_date(assigned) if assigned else None,
            note="; ".join(notes), document_id=int(r["id"])))
    return out


def _json(value: Any) -> dict[str, Any]:
    if not value:
        return {}
    loaded = json.loads(value) if isinstance(value, str) else value
    return loaded if isinstance(loaded, dict) else {}
