"""The document pipeline: the order of stages, read top to bottom, and parallel pages.

Stages per document:
  1. open_input        check the file, find its real type, list its pages   (worker.stages.load)
  2. read_text_layer   for PDFs, judge each page's existing text layer       (worker.stages.textlayer)
  3. run_page          per page, in parallel processes: load, clean, recognise once, read the
                       coloured stamps apart (worker.stages.marks), take a second look at a signer
                       name the first reading lost (worker.stages.reread), compose (worker.stages.page);
                       pages with a good text layer are kept as they are
  4. extract_metadata  number, date, agency, type, subject, signer... with confidences
                       and positions, from the words of all pages           (documents.extract)
  5. assemble_pdfa     join the pages into one PDF/A-2b, written atomically  (documents.pdfa)
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from documents.extract import extract_metadata
from documents.extract.gazetteer import gazetteer_for
from documents.pdfa import DocumentInfo, assemble_pdfa
from infra.tools import poppler
from infra.tools.poppler import LayerPage
from models.errors import IntakeError, from_dict
from models.result import BatchResult, DocumentResult, PageResult
from worker.options import PipelineOptions
from worker.stages.load import InputDocument, open_input
from worker.stages.page import PageOutput, PageTask, run_page
from worker.stages.textlayer import judge_text_layer

log = logging.getLogger(__name__)

ProgressFn = Callable[[int], None]


@dataclass
class _Pending:
    """A document whose pages are being processed."""

    source: Path
    out_pdf: Path
    doc: InputDocument | None
    futures: list[Future[PageOutput]]
    work_dir: Path | None
    started: float
    timings: dict[str, float]
    error: IntakeError | None = None

    def settle(self, result: DocumentResult | BatchResult, finish: Callable[[], None]) -> None:
        """Run a document's last step: an error (opening it, or in `finish`) fails the result;
        the work folder goes; timings are recorded. Shared by `process` and `process_batch`."""
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
        result.timings = {**self.timings, "total": round(time.perf_counter() - self.started, 3)}

    def wait(self, progress: ProgressFn | None) -> list[PageOutput]:
        """The pages' outputs in order, ticking `progress` as each arrives."""
        outputs: list[PageOutput] = []
        for fut in self.futures:
            outputs.append(fut.result())
            if progress:
                progress(1)
        return outputs


class Pipeline:
    """Processes documents with one pool of page workers shared by all documents."""

    def __init__(self, options: PipelineOptions) -> None:
        self.options = options
        ctx = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(max_workers=max(1, options.workers), mp_context=ctx)

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def process(self, source: Path, out_pdf: Path, progress: ProgressFn | None = None) -> DocumentResult:
        """Process one input file as one document."""
        return next(self.process_many([(source, out_pdf)], progress))

    def process_batch(self, source: Path, out_dir: Path, progress: ProgressFn | None = None,
                      opened: ProgressFn | None = None) -> BatchResult:
        """Process one input file as a scanned stack: cut into documents, one PDF/A each (worker.split).

        `opened(pages)` is called once the input is open and its pages are submitted."""
        from worker.split.batch import finish_batch

        item = self._submit(source, out_dir / f"{source.stem}.pdf")
        if opened is not None and item.doc is not None:
            opened(len(item.doc.pages))
        return finish_batch(item, out_dir, self.options, progress)

    def process_many(
        self, jobs: Iterable[tuple[Path, Path]], progress: ProgressFn | None = None
    ) -> Iterator[DocumentResult]:
        """Process (input, output PDF) pairs, pages of all documents sharing the pool, in order."""
        pending = [self._submit(src, out) for src, out in jobs]
        for item in pending:
            yield self._finish(item, progress)

    def count_pages(self, item_source: Path) -> int:
        """Pages of an input (for progress bars); 0 when it cannot be opened."""
        try:
            return len(self._open(item_source).pages)
        except IntakeError:
            return 0

    def _open(self, source: Path) -> InputDocument:
        opts = self.options
        return open_input(
            source, max_pixels=opts.max_pixels, max_pages=opts.max_pages, max_bytes=opts.max_bytes
        )

    def _submit(self, source: Path, out_pdf: Path) -> _Pending:
        """Stages 1-2 in this process, then stage 3 handed to the pool."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        try:
            doc = self._open(source)
            t0 = time.perf_counter()
            layers = self._read_text_layer(doc)
            timings["text_layer"] = round(time.perf_counter() - t0, 3)
        except IntakeError as exc:
            return _Pending(source, out_pdf, None, [], None, started, timings, exc)
        root = self.options.work_dir
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        work_dir = Path(tempfile.mkdtemp(prefix="intake-", dir=root))
        futures = [
            self._pool.submit(run_page, PageTask(page, work_dir, self.options, layers[i]))
            for i, page in enumerate(doc.pages)
        ]
        return _Pending(source, out_pdf, doc, futures, work_dir, started, timings)

    def _read_text_layer(self, doc: InputDocument) -> list[LayerPage | None]:
        """Per page, the existing text layer when it is good Vietnamese, else None."""
        if doc.kind != "pdf":
            return [None] * len(doc.pages)
        layers = poppler.text_layer(doc.path, timeout=self.options.tool_timeout)
        kept: list[LayerPage | None] = [None] * len(doc.pages)
        for i, layer in enumerate(layers[: len(doc.pages)]):
            verdict = judge_text_layer(" ".join(w.text for w in layer.words))
            if verdict.keep:
                kept[i] = layer
        return kept

    def _finish(self, item: _Pending, progress: ProgressFn | None) -> DocumentResult:
        """Wait for the pages, apply the failure policy, assemble the PDF/A."""
        result = DocumentResult(source=str(item.source))
        item.settle(result, lambda: self._assemble(item, item.wait(progress), result))
        return result

    def _assemble(self, item: _Pending, outputs: list[PageOutput], result: DocumentResult) -> None:
        pages: list[PageResult] = [o.result for o in outputs]
        failed = [p for p in pages if p.error]
        result.page_results = pages
        result.pages = len(pages)
        if failed and (self.options.page_failure_policy == "fail" or len(failed) == len(pages)):
            first = failed[0]
            err = first.error or {}
            raise from_dict(err, f"page {first.index + 1}: {err.get('message', '')}")
        t0 = time.perf_counter()
        extraction = extract_metadata([p for p in pages if not p.error],
                                      gazetteer=gazetteer_for(self.options.learned))
        result.metadata, result.fields = extraction.metadata, extraction.fields
        item.timings["extract"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        parts = [o.part for o in outputs if o.part is not None]
        info = DocumentInfo(title=item.source.stem)
        assemble_pdfa(parts, item.out_pdf, info)
        item.timings["assemble"] = round(time.perf_counter() - t0, 3)
        result.pdf = str(item.out_pdf)
        result.text = "\f".join(p.text for p in pages if not p.error)
        result.status = "partial" if failed else "ok"

