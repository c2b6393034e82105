"""A 300-page scan is processed page by page: every page out, memory flat (a worker stays small)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pikepdf
import psutil
import pytest
from PIL import Image

from synth import make_document
from worker.options import PipelineOptions
from worker.pipeline import Pipeline

pytestmark = pytest.mark.slow

T = TypeVar("T")
PAGES = 300
WORKER_LIMIT = 600 * 2**20


def _stack_pdf(path: Path, text_page: Image.Image, every: int) -> None:
    """A PDF of PAGES pages: a printed page every `every` pages, blank scanned sheets between."""
    text_pdf, blank_pdf = path.with_name("t.pdf"), path.with_name("b.pdf")
    text_page.save(text_pdf, format="PDF", resolution=300)
    Image.new("L", text_page.size, 250).save(blank_pdf, format="PDF", resolution=300)
    out = pikepdf.new()
    with pikepdf.open(text_pdf) as t, pikepdf.open(blank_pdf) as b:
        for i in range(PAGES):
            out.pages.append((t if i % every == 0 else b).pages[0])
    out.save(path)


def _watch_memory(peak: dict[str, int], done: threading.Event) -> None:
    """Largest memory of any worker process (its own pages: USS; a forked worker shares the
    pages of this test process, whose size depends on what the rest of the suite imported) and
    RSS of this process, until `done`."""
    me = psutil.Process()
    while not done.is_set():
        peak["main"] = max(peak["main"], me.memory_info().rss)
        for child in me.children(recursive=True):
            try:
                peak["worker"] = max(peak["worker"], child.memory_full_info().uss)
            except psutil.Error:
                pass
        done.wait(0.05)


def _run_watched(tmp_path: Path, seed: int, run: Callable[[Pipeline, Path], T]) -> tuple[T, dict[str, int]]:
    """A 300-page stack (a printed page every 50) through `run`; the result and the memory peaks
    (`worker`, `main`, and `start`: this process before the run)."""
    src = tmp_path / "stack.pdf"
    _stack_pdf(src, make_document(seed, pages=1).pages[0], every=50)
    peak = {"worker": 0, "main": 0, "start": psutil.Process().memory_info().rss}
    done = threading.Event()
    watcher = threading.Thread(target=_watch_memory, args=(peak, done), daemon=True)
    watcher.start()
    try:
        with Pipeline(PipelineOptions(workers=2)) as pipe:
            return run(pipe, src), peak
    finally:
        done.set()
        watcher.join()


def test_three_hundred_page_batch_is_cut_with_flat_memory(tmp_path: Path) -> None:
    """The service's path: the stack is cut into its documents, blank sheets removed."""
    result, peak = _run_watched(tmp_path, 22, lambda pipe, src: pipe.process_batch(src, tmp_path / "out"))
    assert result.error is None, result.error
    assert result.pages == PAGES
    assert [d.page_indices for d in result.documents] == [[i] for i in range(0, PAGES, 50)]
    assert len(result.blank_pages) == PAGES - PAGES // 50
    for doc in result.documents:
        with pikepdf.open(doc.pdf) as out:
            assert len(out.pages) == 1
    assert 0 < peak["worker"] < WORKER_LIMIT
    # The parent keeps only page results (words) until the cut: it must not grow with pages.
    assert peak["main"] - peak["start"] < 150 * 2**20, (peak["main"] - peak["start"]) / 2**20


def test_three_hundred_pages_flat_memory(tmp_path: Path) -> None:
    result, peak = _run_watched(tmp_path, 21, lambda pipe, src: pipe.process(src, tmp_path / "out.pdf"))
    assert result.error is None, result.error
    assert result.pages == PAGES
    assert [p.index for p in result.page_results] == list(range(PAGES))
    texts = [bool(p.words) for p in result.page_results]
    assert texts == [i % 50 == 0 for i in range(PAGES)]
    with pikepdf.open(tmp_path / "out.pdf") as out:
        assert len(out.pages) == PAGES
    assert 0 < peak["worker"] < WORKER_LIMIT
