"""Report benchmark: the report query over N documents (default 100,000) on SQLite and PostgreSQL.

Seeds one year of documents (40 issuing agencies, 8 receiving units, realistic shares of
delivered, refused, urgent, secret documents, five history events per document) straight into
the tables, then times `documents.reports.run_report` (every statement of one report) for three
typical reports, against two references run on the same rows in the same process:

- `count(*)`: `SELECT count(*)` over the documents of the same period (the floor of a query
  that has to look at those rows at all);
- `python`: the naive way, fetching the period's rows and computing every cell's figures in
  Python (documents/reports/reference.py; also the cross-check: every cell must equal the
  report's, which is read from report_facts).

    .venv/bin/python -m bench.reports [--docs 100000] [--databases sqlite,postgres] [--rounds 5]

Prints a table; writes JSON under bench/results/reports/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, insert, text

from bench.measure import machine_description
from documents.reports import URGENT, ReportQuery, local_midnight, run_report
from documents.reports.facts import rebuild
from documents.reports.query import local_date
from documents.reports.reference import compare, naive_report
from infra.database import dispose_engines, get_engine, migrate, normalise_url
from infra.tables import Base, Batch, Document, Event, StoredFile, Upload
from models.vocabulary import SecrecyLevel

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("INTAKE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
YEAR = 2025
REPORTS = {  # name: the report asked for
    "year by month x agency": ReportQuery(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), "month",
                                          "organ"),
    "year by week": ReportQuery(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), "week"),
    "one month by day x unit": ReportQuery(dt.date(YEAR, 6, 1), dt.date(YEAR, 6, 30), "day",
                                           "unit"),
}
NOW = dt.datetime(YEAR + 1, 1, 15, 3, tzinfo=dt.UTC)


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a PostgreSQL schema dropped at the end."""
    if kind == "sqlite":
        yield f"sqlite:///{work / 'reports.db'}"
        dispose_engines()
        return
    schema = f"bench_reports_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


WORDS = ("văn bản quyết định công văn tỉnh huyện xã sở phòng ban ủy nhân dân về việc thực hiện "
         "báo cáo kế hoạch triển khai nhiệm vụ năm tài chính ngân sách đầu tư xây dựng giáo dục y tế "
         "cán bộ công chức viên chức tổ chức hội nghị tổng kết đánh giá kết quả chỉ đạo điều hành "
         "đề nghị hướng dẫn kiểm tra giám sát thanh tra pháp luật chính sách").split()


def seed(url: str, docs: int, rng: random.Random, text_bytes: int = 2000) -> None:
    """`docs` documents uploaded over the year, their timestamps and history, in bulk.

    Each row carries `text_bytes` of OCR-like text, as real rows do (the text and the search
    strings make a real row tens of kilobytes): a report that read the table would pay for it.
    """
    text_words = max(0, text_bytes // 6)
    migrate(url)
    engine = get_engine(url)
    organs = [f"Sở {n} tỉnh Nghệ An" for n in ("Nội vụ", "Tài chính", "Y tế", "Giáo dục và Đào tạo",
                                               "Xây dựng", "Công Thương", "Tư pháp", "Giao thông")]
    organs += [f"UBND huyện {i}" for i in range(1, 21)] + [f"Bộ {i}" for i in range(1, 13)]
    units = [f"Phòng {n}" for n in ("Tổng hợp", "Tài chính", "Hành chính", "Pháp chế",
                                    "Kế hoạch", "Tổ chức", "Thanh tra", "Văn thư")]
    start = local_midnight(dt.date(YEAR, 1, 1))
    year_seconds = 365 * 86400
    with engine.begin() as conn:
        conn.execute(insert(_table(Batch)), [{"id": 1, "source": "api"}])
        conn.execute(insert(_table(StoredFile)), [{"sha256": "0" * 64, "size": 1}])
        conn.execute(insert(_table(Upload)), [{"id": 1, "batch_id": 1, "sha256": "0" * 64,
                                                 "filename": "bench.pdf", "size": 1}])
    doc_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []

    def flush() -> None:
        with engine.begin() as conn:
            if doc_rows:
                conn.execute(insert(_table(Document)), doc_rows)
            if event_rows:
                conn.execute(insert(_table(Event)), event_rows)
        doc_rows.clear()
        event_rows.clear()

    for i in range(1, docs + 1):
        uploaded = start + dt.timedelta(seconds=rng.randrange(year_seconds))
        r = rng.random()
        status = ("delivered" if r < 0.85 else "ready_for_review" if r < 0.93 else
                  "confirmed" if r < 0.96 else "failed" if r < 0.98 else "queued")
        recognised = uploaded + dt.timedelta(seconds=rng.randrange(60, 900))
        delivered = (recognised + dt.timedelta(seconds=rng.expovariate(1 / 3600))
                     if status == "delivered" else None)
        acknowledged = (delivered + dt.timedelta(seconds=rng.expovariate(1 / 30000))
                        if delivered is not None and rng.random() < 0.95 else None)
        refused = rng.random() < 0.03
        # What the registry says (issue 17): a due date with the assignment for 60% of the
        # accepted ones, handling finished (06) for 70% of those, a duplicate for 2%; our copy
        # signed by the agency for 60% of the delivered ones.
        due = (local_date(acknowledged) + dt.timedelta(days=rng.randrange(0, 16))
               if acknowledged is not None and rng.random() < 0.6 else None)
        handled = (acknowledged + dt.timedelta(days=rng.expovariate(1 / 8))
                   if acknowledged is not None and due is not None and rng.random() < 0.7
                   else None)
        doc_rows.append({
            "id": i, "batch_id": 1, "upload_id": 1, "sha256": "0" * 64, "page_start": i,
            "title": f"doc-{i}.pdf", "status": status, "organ": rng.choice(organs),
            "text": " ".join(rng.choices(WORDS, k=text_words)),
            "unit": rng.choice(units), "doc_type": "Công văn",
            "urgency": rng.choice(URGENT[:3]) if rng.random() < 0.1 else None,
            "secrecy": (mark := "MẬT" if rng.random() < 0.02 else None),
            "secrecy_level": SecrecyLevel.of_mark(mark),
            "registry_status": "02" if refused and status != "delivered" else
            ("03" if acknowledged else None),
            "uploaded_at": uploaded, "updated_at": uploaded,
            "recognised_at": None if status == "queued" else recognised,
            "confirmed_at": delivered, "delivered_at": delivered, "acknowledged_at": acknowledged,
            "paper_arrived_on": uploaded.date() if rng.random() < 0.3 else None,
            "due_date": due, "handled_at": handled,
            "sign_state": "signed" if delivered is not None and rng.random() < 0.6 else None,
            "registry_duplicate_of": (f"000.00.00.G{i % 40:02d},{YEAR}/01/16,{i}/QĐ-UBND"
                                      if rng.random() < 0.02 else None),
        })
        for action, new, at in (("status", "processing", uploaded),
                                ("status", "ready_for_review", recognised),
                                ("status", "confirmed", delivered or recognised),
                                ("registry", "02" if refused else "01", delivered or recognised),
                                ("registry", "03", acknowledged or recognised)):
            event_rows.append({"actor": "bench", "action": action, "document_id": i,
                               "new": new, "detail": "", "at": at, "by_person": False})
        if len(doc_rows) >= 5000:
            flush()
    flush()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE documents"))
            conn.execute(text("ANALYZE events"))
        else:
            conn.execute(text("ANALYZE"))


def _table(model: type[Base]) -> Table:
    """The table a model maps (declarative types `__table__` as a FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    """Median wall time in ms of `rounds` runs after one warm-up run; the last result."""
    result = fn()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def naive(url: str, query: ReportQuery) -> dict[str, Any]:
    """The naive reference: fetch the period's rows, compute every cell in Python."""
    with get_engine(url).connect() as conn:
        return naive_report(conn, query, NOW)


def count_rows(url: str, query: ReportQuery) -> int:
    with get_engine(url).connect() as conn:
        return int(conn.execute(_typed_count(), {"start": query.start_utc,
                                                 "end": query.end_utc}).scalar_one())


def _typed_count() -> Any:
    from sqlalchemy import bindparam

    from infra.tables import UtcDateTime

    return text("SELECT count(*) FROM documents WHERE uploaded_at >= :start "
                "AND uploaded_at < :end").bindparams(
        bindparam("start", type_=UtcDateTime()), bindparam("end", type_=UtcDateTime()))


def bench_database(kind: str, docs: int, rounds: int, text_bytes: int) -> dict[str, Any]:
    rng = random.Random(20250101)
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp, \
            database(kind, Path(tmp)) as url:
        t0 = time.perf_counter()
        seed(url, docs, rng, text_bytes)
        seeded = time.perf_counter() - t0
        out: dict[str, Any] = {"database": kind, "docs": docs, "seed_s": round(seeded, 1),
                               "reports": {}}
        for name, query in REPORTS.items():
            def report(q: ReportQuery = query) -> dict[str, Any]:
                with get_engine(url).connect() as conn:
                    return run_report(conn, q, now=NOW).as_dict()

            ms, result = _timed(report, rounds)
            count_ms, rows = _timed(partial(count_rows, url, query), rounds)
            naive_ms, reference = _timed(partial(naive, url, query), max(1, rounds // 2))
            problems = compare(result, reference)
            out["reports"][name] = {
                "rows": rows, "cells": len(result["rows"]) + len(result["by_bucket"])
                + len(result["by_group"]) + 1, "report_ms": round(ms, 1),
                "count_ms": round(count_ms, 1), "python_ms": round(naive_ms, 1),
                "agrees_with_python": not problems, "differences": problems[:20],
                "total": result["total"],
            }
        t0 = time.perf_counter()
        with get_engine(url).begin() as conn:
            rebuild(conn)
        out["rebuild_s"] = round(time.perf_counter() - t0, 1)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--text-bytes", type=int, default=2000,
                        help="OCR-like text per document row (real rows carry more)")
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": machine_description(), "when": dt.datetime.now(dt.UTC).isoformat(),
               "load_before": os.getloadavg()[0],
               "databases": [bench_database(k, args.docs, args.rounds, args.text_bytes)
                             for k in args.databases.split(",")]}
    results["load_after"] = os.getloadavg()[0]
    folder = ROOT / "bench" / "results" / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reports.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"Machine: {results['machine']}; load average {results['load_before']:.1f} before, "
          f"{results['load_after']:.1f} after (other work shares the cores)")
    print(f"Documents: {args.docs:,} over {YEAR} ({args.text_bytes} bytes of text each); "
          f"median of {args.rounds} runs after a warm-up\n")
    head = ("| database | report | rows in period | cells | report (ms) | count(*) (ms) "
            "| report / count(*) | naive Python, every cell (ms) | Python / report "
            "| every cell the same |")
    print(head)
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for db in results["databases"]:
        for name, r in db["reports"].items():
            print(f"| {db['database']} | {name} | {r['rows']:,} | {r['cells']} | "
                  f"{r['report_ms']:.0f} | {r['count_ms']:.1f} | "
                  f"{r['report_ms'] / max(r['count_ms'], 0.01):.0f}x | "
                  f"{r['python_ms']:.0f} | {r['python_ms'] / max(r['report_ms'], 0.01):.1f}x | "
                  f"{'yes' if r['agrees_with_python'] else 'NO: ' + '; '.join(r['differences'][:3])} |")
    for db in results["databases"]:
        print(f"\n{db['database']}: seeding {db['docs']:,} documents (triggers writing the "
              f"facts) took {db['seed_s']} s; rebuilding the facts {db['rebuild_s']} s")


if __name__ == "__main__":
    main()
