"""A document's last step, one way for a single document (worker/pipeline.py) and for each document
cut from a batch (worker/split/batch.py): the page-failure policy, extraction, the PDF/A, the text and
the status. Also what both wait on: an input whose pages are in the page pool."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from documents.extract import extract_metadata
from documents.extract.gazetteer import gazetteer_for
from documents.naming import document_title
from documents.pdfa import DocumentInfo, assemble_pdfa
from models.errors import IntakeError, from_dict
from models.result import BatchResult, DocumentResult
from worker.options import PipelineOptions
from worker.stages.load import InputDocument
from worker.stages.page import PageOutput

ProgressFn = Callable[[int], None]


@dataclass
class SubmittedInput:
    """An input file whose pages were handed to the page pool (`doc` None: it could not be opened,
    `error` says why)."""

    source: Path
    out_pdf: Path
    doc: InputDocument | None
    futures: list[Future[PageOutput]]
    work_dir: Path | None
    started: float
    timings: dict[str, float]
    error: IntakeError | None = None

    def wait(self, progress: ProgressFn | None) -> list[PageOutput]:
        """The pages' outputs in order, ticking `progress` as each arrives."""
        outputs: list[PageOutput] = []
        for fut in self.futures:
            outputs.append(fut.result())
            if progress:
                progress(1)
        return outputs

    def settle(self, result: DocumentResult | BatchResult, finish: Callable[[], None]) -> None:
        """Run the input's last step: an error (opening it, or in `finish`) fails the result; the
        work folder goes; the input's timings are put before those `finish` recorded."""
        try:
            if self.error is not None:
                raise self.error
            assert self.doc is not None
            result.sha256 = self.doc.sha256
            finish()
        except IntakeError as exc:
            result.status = "failed"
            result.error = exc.to_dict()
        finally:
            if self.work_dir is not None:
                shutil.rmtree(self.work_dir, ignore_errors=True)
        total = round(time.perf_counter() - self.started, 3)
        result.timings = {**self.timings, **result.timings, "total": total}


def finish_document(result: DocumentResult, outputs: Sequence[PageOutput], out_pdf: Path, title: str,
                    options: PipelineOptions) -> None:
    """Finish one document from its pages' outputs, in order: page results (renumbered from 0 within
    the document), metadata and fields, the PDF/A at `out_pdf`, text, status, timings.

    A failed page fails the document under the policy 'fail', or when every page failed; under 'skip'
    it is left out of the extraction, the PDF/A and the text, its error stays in its page result,
    and the document is `partial`. A failure is recorded in `result` (status `failed`, `error`)."""
    pages = [o.result.model_copy(update={"index": k}) for k, o in enumerate(outputs)]
    result.page_results, result.pages = pages, len(pages)
    failed = [o.result for o in outputs if o.result.error]
    try:
        if failed and (options.page_failure_policy == "fail" or len(failed) == len(pages)):
            err = failed[0].error or {}
            # Named by its page in the input, which is what the clerk holds.
            raise from_dict(err, f"page {failed[0].index + 1}: {err.get('message', '')}")
        good = [p for p in pages if not p.error]
        t0 = time.perf_counter()
        extraction = extract_metadata(good, gazetteer=gazetteer_for(options.learned))
        result.metadata, result.fields = extraction.metadata, extraction.fields
        result.timings["extract"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        # The PDF/A is titled by what it is (87/QĐ-UBND — Về việc …), else by its file.
        named = document_title(result.metadata or {}) or title
        assemble_pdfa([o.part for o in outputs if o.part is not None], out_pdf, DocumentInfo(title=named))
        result.timings["assemble"] = round(time.perf_counter() - t0, 3)
        result.pdf = str(out_pdf)
        result.text = "\f".join(p.text for p in good)
        result.status = "partial" if failed else "ok"
    except IntakeError as exc:
        result.status = "failed"
        result.error = exc.to_dict()
