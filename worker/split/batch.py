"""Finish a scanned batch: wait for its pages, plan the documents, one PDF/A and extraction each."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from models.errors import from_dict
from models.result import BatchDocument, BatchResult
from worker.finish import SubmittedInput, finish_document
from worker.options import PipelineOptions
from worker.split.plan import PlannedDocument, plan_batch
from worker.stages.page import PageOutput


def document_stem(stem: str, number: int) -> str:
    """Output name of the n-th (1-based) document cut from an input: `scan-001`."""
    return f"{stem}-{number:03d}"


def finish_batch(item: SubmittedInput, out_dir: Path, options: PipelineOptions,
                 progress: Callable[[int], None] | None = None) -> BatchResult:
    """Wait for the pages of a submitted input and write one PDF/A + result per document found."""
    result = BatchResult(source=str(item.source))

    def finish() -> None:
        outputs = item.wait(progress)
        result.pages = len(outputs)
        t0 = time.perf_counter()
        plan = plan_batch([o.result for o in outputs])
        item.timings["plan"] = round(time.perf_counter() - t0, 3)
        result.blank_pages, result.separator_pages = plan.blank_pages, plan.separator_pages
        stem = item.source.stem
        for n, planned in enumerate(plan.documents, start=1):
            out = out_dir / f"{document_stem(stem, n)}.pdf"
            result.documents.append(_document(planned, outputs, out, options, f"{stem} ({n})"))
        if not result.documents:
            raise from_dict({"code": "no_pages", "message": "no page with content in the batch"})
        statuses = {d.status for d in result.documents}
        result.status = "ok" if statuses == {"ok"} else "failed" if statuses == {"failed"} else "partial"
        if result.status == "failed":  # every document failed: the batch fails with their cause
            result.error = result.documents[0].error

    item.settle(result, finish)
    return result


def _keep_previews(planned: PlannedDocument, outputs: list[PageOutput], out: Path) -> list[str | None]:
    """Move the page stage's previews beside the document's PDF (the page work folder goes)."""
    kept: list[str | None] = []
    for k, i in enumerate(planned.pages):
        preview = outputs[i].preview
        if preview is None or not preview.exists():
            kept.append(None)
            continue
        target = out.with_name(f"{out.stem}-page-{k}.jpg")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(preview, target)
        kept.append(str(target))
    return kept


def _document(planned: PlannedDocument, outputs: list[PageOutput], out: Path, options: PipelineOptions,
              title: str) -> BatchDocument:
    """One planned document: how it was cut, its previews, then the document's last step."""
    doc = BatchDocument(
        source=str(out), page_indices=list(planned.pages),
        page_images=_keep_previews(planned, outputs, out),
        boundary=planned.boundary, confidence=planned.confidence,
        needs_review=planned.needs_review, review_reasons=list(planned.reasons),
    )
    finish_document(doc, [outputs[i] for i in planned.pages], out, title, options)
    return doc
