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
Stages 4-5, with the page-failure policy, are one step (worker.finish) for a single document and
for each document cut from a batch (worker.split.batch).
"""

from __future__ import annotations

import logging
import multiprocessing
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from infra.tools import poppler
from infra.tools.poppler import LayerPage
from models.errors import IntakeError
from models.result import BatchResult, DocumentResult
from worker.finish import ProgressFn, SubmittedInput, finish_document
from worker.options import PipelineOptions
from worker.split.batch import finish_batch
from worker.stages.layermarks import text_only_pages
from worker.stages.load import InputDocument, open_input
from worker.stages.page import PageTask, run_page
from worker.stages.textlayer import judge_text_layer

log = logging.getLogger(__name__)


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

    def _submit(self, source: Path, out_pdf: Path) -> SubmittedInput:
        """Stages 1-2 in this process, then stage 3 handed to the pool."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        try:
            doc = self._open(source)
            t0 = time.perf_counter()
            layers = self._read_text_layer(doc)
            # Kept pages holding nothing but text hold no unread stamp (one open of the file).
            plain = text_only_pages(doc.path, (i for i, la in enumerate(layers) if la))
            timings["text_layer"] = round(time.perf_counter() - t0, 3)
        except IntakeError as exc:
            return SubmittedInput(source, out_pdf, None, [], None, started, timings, exc)
        root = self.options.work_dir
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
        work_dir = Path(tempfile.mkdtemp(prefix="intake-", dir=root))
        futures = [
            self._pool.submit(run_page, PageTask(page, work_dir, self.options, layers[i],
                                                 text_only=i in plain))
            for i, page in enumerate(doc.pages)
        ]
        return SubmittedInput(source, out_pdf, doc, futures, work_dir, started, timings)

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

    def _finish(self, item: SubmittedInput, progress: ProgressFn | None) -> DocumentResult:
        """Wait for the pages, then the document's last step (worker.finish)."""
        result = DocumentResult(source=str(item.source))
        item.settle(result, lambda: finish_document(result, item.wait(progress), item.out_pdf,
                                                    item.source.stem, self.options))
        return result
