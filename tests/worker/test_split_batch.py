"""`Pipeline.process_batch` and `intake split` end to end on a small generated stack (real OCR)."""

from __future__ import annotations

import random
from pathlib import Path

import pikepdf
import pytest

from bench.split_data import separator_image, write_pdf
from bench.split_pages import blank_back
from documents.pdfa import check_pdfa
from intake.cli.main import main
from models.result import BatchDocument, BatchResult
from synth import degrade, make_document

pytestmark = pytest.mark.slow


def _stack(path: Path) -> Path:
    """A (2 pages, blank back), B (1 page, incoming stamp), separator, C (2 pages): 7 sheets.

    The separator is only before C: A and B are told apart by their layout.
    """
    rng = random.Random(2)
    a, b, c = make_document(31, pages=2), make_document(32, pages=1, incoming_stamp=True), \
        make_document(33, pages=2)
    pages = [a.pages[0], degrade(a.pages[1], "skew", rng), blank_back(rng, a.pages[1]), b.pages[0],
             degrade(separator_image(), "upside_down", rng), c.pages[0], c.pages[1]]
    return write_pdf(pages, path)


def test_split_cuts_drops_and_extracts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`intake split` (Pipeline.process_batch underneath): 3 documents, one PDF/A + JSON each."""
    src = _stack(tmp_path / "stack.pdf")
    out = tmp_path / "out"
    assert main(["split", str(src), "--out", str(out), "--json", "--workers", "2"]) == 0
    batch = BatchResult.model_validate_json(capsys.readouterr().out.strip().splitlines()[-1])
    assert batch.status == "ok", batch.error
    assert batch.pages == 7
    assert batch.separator_pages == [4] and batch.blank_pages == [2]
    assert [d.page_indices for d in batch.documents] == [[0, 1], [3], [5, 6]]
    assert [d.boundary for d in batch.documents] == ["start", "auto", "separator"]
    # B has no separator before it while the stack uses them: cut, and the clerk is asked to confirm.
    assert [d.needs_review for d in batch.documents] == [False, True, False]
    assert "no separator sheet" in batch.documents[1].review_reasons[0]
    assert sorted(p.name for p in out.iterdir()) == [
        "stack-001.json", "stack-001.pdf", "stack-002.json", "stack-002.pdf", "stack-003.json",
        "stack-003.pdf", "stack.split.json"]
    want = [make_document(s, pages=n).truth["fields"]["number"] for s, n in ((31, 2), (32, 1), (33, 2))]
    for n, summary in enumerate(batch.documents, start=1):
        doc = BatchDocument.model_validate_json((out / f"stack-{n:03d}.json").read_text(encoding="utf-8"))
        assert doc.pdf and check_pdfa(Path(doc.pdf)) == []
        with pikepdf.open(doc.pdf) as pdf:
            assert len(pdf.pages) == doc.pages == len(summary.page_indices)
        assert [p.index for p in doc.page_results] == list(range(doc.pages))
        assert not any(p.blank or p.separator for p in doc.page_results)
    # Extraction ran on each document's own pages: each finds its own number.
    numbers = [BatchDocument.model_validate_json((out / f"stack-{n:03d}.json").read_text(encoding="utf-8"))
               .metadata.get("number") for n in (1, 2, 3)]
    assert numbers == want


def test_a_batch_whose_documents_all_failed_carries_their_error(tmp_path: Path) -> None:
    """Every tool times out: each document fails with tool_timeout, and so does the batch (the
    job retries a transient error; a failed batch without its cause was taken as 'internal')."""
    from worker.options import PipelineOptions
    from worker.pipeline import Pipeline

    src = tmp_path / "scan.png"
    make_document(3, pages=1).pages[0].save(src, dpi=(300, 300))
    with Pipeline(PipelineOptions(workers=1, tool_timeout=0.001)) as pipe:
        result = pipe.process_batch(src, tmp_path / "out")
    assert result.status == "failed"
    assert result.documents and all(d.status == "failed" for d in result.documents)
    assert result.error is not None and result.error["code"] == "tool_timeout"
