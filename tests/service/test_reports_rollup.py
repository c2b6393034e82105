"""report_facts (triggers of migrations 0012, 0013, 0016) against the naive computation, on both databases.

A generated year of documents, written through the ORM (inserts, then updates of status,
delivery and acknowledgement, a refusal in the history, a deletion, our copy's signature,
the registry's due date and end of handling, its duplicate), must give the same report,
cell by cell, as documents/reports/reference.py computes from the rows in Python; the facts the
triggers kept must equal a rebuild.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from documents.reports import ReportQuery, run_report
from documents.reports.facts import differences, rebuild
from documents.reports.reference import compare, naive_report
from documents.visibility import Viewer
from infra.database import get_engine, migrate, session_scope
from infra.tables import Batch, Document, Event, Page, StoredFile, Upload
from models.settings import Settings
from models.vocabulary import SecrecyLevel

ICT = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=ICT)
ORGANS = ["Bộ Nội vụ", "UBND tỉnh Nghệ An", "Sở Tài chính", "Bộ Công an", None]
SIGNATURE = {"signer": "UBND tỉnh Nghệ An", "status": "valid"}
UNITS = ["Phòng Tổng hợp", "Phòng Tài chính", "Văn phòng"]


def seed(url: str, n: int = 240) -> None:
    rng = random.Random(17)
    migrate(url)
    start = dt.datetime(2025, 12, 1, tzinfo=ICT)
    with session_scope(url, write=True) as session:
        batch = Batch(source="api", unit=UNITS[0])
        session.add(batch)
        session.add(StoredFile(sha256="e" * 64, size=1))
        session.flush()
        upload = Upload(batch_id=batch.id, sha256="e" * 64, filename="gen.pdf", size=1)
        session.add(upload)
        session.flush()
        for i in range(n):
            uploaded = start + dt.timedelta(seconds=rng.randrange(95 * 86400))
            mark = "MẬT" if rng.random() < 0.08 else None
            session.add(Document(
                batch_id=batch.id, upload_id=upload.id, sha256="e" * 64, page_start=i,
                title=f"g{i}.pdf", status="queued", organ=rng.choice(ORGANS),
                unit=rng.choice(UNITS), secrecy=mark, secrecy_level=SecrecyLevel.of_mark(mark),
                urgency=rng.choice(["KHẨN", "HỎA TỐC", None, None, None]),
                paper_arrived_on=(uploaded.astimezone(ICT).date()
                                  - dt.timedelta(days=rng.choice([0, 1, 3, -2, -5]))
                                  if rng.random() < 0.4 else None),
                uploaded_at=uploaded, updated_at=uploaded))
    with session_scope(url, write=True) as session:  # later changes: the update triggers
        docs = list(session.scalars(select(Document).order_by(Document.id)))
        for doc in docs:
            kind = rng.random()  # a scan, a born-digital file, a signed PDF, not processed yet
            if kind < 0.85:
                for index in range(rng.choice([1, 2])):
                    session.add(Page(document_id=doc.id, index=index,
                                     source="ocr" if kind < 0.55 else "text_layer"))
            if 0.55 <= kind < 0.8:
                doc.incoming_signatures = [SIGNATURE] if kind < 0.7 else []
            if rng.random() < 0.1:
                doc.possible_duplicate_of = rng.choice(docs).id
            if rng.random() < 0.15:
                doc.fields = {"organ_code": {"value": "000.00.00.G01",
                                             "needs_review": rng.random() < 0.3}}
            r = rng.random()
            if r < 0.9:
                doc.recognised_at = doc.uploaded_at + dt.timedelta(seconds=rng.randrange(60, 900))
                doc.status = "ready_for_review"
            if r < 0.75:
                doc.status = "delivered"
                doc.delivered_at = doc.uploaded_at + dt.timedelta(
                    seconds=rng.expovariate(1 / 5000) + 0.123)
                if rng.random() < 0.8:
                    doc.acknowledged_at = doc.delivered_at + dt.timedelta(
                        seconds=rng.expovariate(1 / 90000))
                    doc.registry_status = "03"
                    if rng.random() < 0.6:  # assigned with a due date, maybe finished (06)
                        doc.due_date = (doc.acknowledged_at.astimezone(ICT).date()
                                        + dt.timedelta(days=rng.randrange(0, 20)))
                        if rng.random() < 0.6:
                            doc.handled_at = doc.acknowledged_at + dt.timedelta(
                                days=rng.randrange(0, 25), seconds=rng.randrange(86400))
                            doc.registry_status = "06"
                if rng.random() < 0.5:  # our copy carries the agency's signature
                    doc.sign_state = "signed"
                if rng.random() < 0.05:
                    doc.registry_duplicate_of = "000.00.00.G22,2026/01/16,87/QĐ-VPCP"
            if rng.random() < 0.06:
                session.add(Event(actor="test", action="registry", document_id=doc.id,
                                  new="02", detail="02 Từ chối tiếp nhận: thiếu trang"))
                if doc.status != "delivered":
                    doc.registry_status = "02"
            if rng.random() < 0.03:
                doc.status = "deleted"


QUERIES = [
    ReportQuery(dt.date(2025, 12, 1), dt.date(2026, 3, 5), "month", "organ"),
    ReportQuery(dt.date(2025, 12, 1), dt.date(2026, 3, 5), "week", "unit"),
    ReportQuery(dt.date(2026, 1, 10), dt.date(2026, 2, 28), "day"),
    ReportQuery(dt.date(2025, 12, 1), dt.date(2026, 3, 5), "month", "unit", organ="Bộ Nội vụ",
                viewer=Viewer(units=frozenset(UNITS[:2]), clearance=False)),
    ReportQuery(dt.date(2025, 12, 1), dt.date(2026, 3, 5), "month", "organ", unit=UNITS[2],
                viewer=Viewer(units=None, clearance=True)),
    ReportQuery(dt.date(2025, 12, 1), dt.date(2026, 3, 5), "month", "agency"),
]


def test_report_equals_the_naive_computation(settings: Settings) -> None:
    seed(settings.database)
    with get_engine(settings.database).connect() as conn:
        assert differences(conn) == []
        for query in QUERIES:
            report = run_report(conn, query, now=NOW).as_dict()
            naive = naive_report(conn, query, NOW)
            assert report["total"]["received"] > 0
            if query is QUERIES[0]:  # the generated set exercises every figure
                assert all(report["total"][k] > 0 for k in (
                    "refused", "registered_late", "electronic", "signed", "unsigned",
                    "paper_duplicates", "electronic_first", "same_day_as_paper", "after_paper",
                    "paper_duplicates_matched", "paper_duplicates_registry", "copy_signed",
                    "copy_unsigned", "due_dated", "handled_on_time", "handled_late",
                    "open_overdue", "open_within_time"))
            assert compare(report, naive) == [], query
    with get_engine(settings.database).begin() as conn:
        assert rebuild(conn) == 240
        assert differences(conn) == []
