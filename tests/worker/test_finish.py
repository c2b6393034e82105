"""The page-failure policy (worker/finish.py) on a generated 3-page scan whose page 2 is damaged, for
a single document (`Pipeline.process`) and for a batch (`Pipeline.process_batch`); real OCR."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pydantic import ValidationError

from bench.score import word_recall
from documents.pdfa import check_pdfa
from models.result import DocumentResult
from models.settings import PageFailurePolicy, Settings
from synth import make_document, write_document
from synth.model import GeneratedDocument
from worker.options import PipelineOptions
from worker.pipeline import Pipeline

pytestmark = pytest.mark.slow

SEED = 41  # a 3-page document the batch planner keeps as one (its failed page stays with it)


def _damaged_scan(path: Path) -> GeneratedDocument:
    """A 3-page deflate TIFF whose page 2 image data is overwritten: the file opens, page 2 alone
    cannot be decoded."""
    doc = make_document(SEED, pages=3)
    write_document(doc, path, "tiff")
    with Image.open(path) as img:
        img.seek(1)
        offsets, counts = img.tag_v2[273], img.tag_v2[279]  # StripOffsets, StripByteCounts
    data = bytearray(path.read_bytes())
    for offset, count in zip(offsets, counts, strict=True):
        data[offset:offset + count] = bytes((i * 37 + 11) % 256 for i in range(count))
    path.write_bytes(bytes(data))
    return doc


def _page_words(doc: GeneratedDocument, page: int) -> list[str]:
    return [line["text"] for line in doc.truth["pages"][page]["lines"]]


def _pdf_page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def _run(tmp_path: Path, policy: PageFailurePolicy, batch: bool) -> tuple[GeneratedDocument, DocumentResult]:
    """The damaged scan through one path; the document result (the batch's only document)."""
    doc = _damaged_scan(tmp_path / "scan.tiff")
    with Pipeline(PipelineOptions(workers=2, page_failure_policy=policy)) as pipeline:
        if not batch:
            return doc, pipeline.process(tmp_path / "scan.tiff", tmp_path / "scan.pdf")
        result = pipeline.process_batch(tmp_path / "scan.tiff", tmp_path / "out")
    assert len(result.documents) == 1
    document = result.documents[0]
    assert document.page_indices == [0, 1, 2]
    assert document.needs_review and "page 2 failed" in document.review_reasons[0]
    assert result.status == document.status  # the batch is as its only document
    return doc, document


def _assert_page_2_recorded(result: DocumentResult) -> None:
    assert result.pages == 3
    assert [p.index for p in result.page_results] == [0, 1, 2]
    errors = [p.error for p in result.page_results]
    assert errors[0] is None and errors[2] is None
    assert errors[1] is not None and errors[1]["code"] == "corrupt_file"


@pytest.mark.parametrize("batch", [False, True], ids=["process", "process_batch"])
def test_policy_fail_fails_the_document(tmp_path: Path, batch: bool) -> None:
    _, result = _run(tmp_path, "fail", batch)
    assert result.status == "failed"
    assert result.error is not None and result.error["code"] == "corrupt_file"
    assert result.error["message"].startswith("page 2: ")
    assert result.pdf is None and result.text == "" and result.metadata == {}
    assert not list(tmp_path.rglob("*.pdf"))
    _assert_page_2_recorded(result)


@pytest.mark.parametrize("batch", [False, True], ids=["process", "process_batch"])
def test_policy_skip_keeps_the_good_pages(tmp_path: Path, batch: bool) -> None:
    doc, result = _run(tmp_path, "skip", batch)
    assert result.status == "partial" and result.error is None
    _assert_page_2_recorded(result)
    assert result.pdf is not None
    pdf = Path(result.pdf)
    assert check_pdfa(pdf) == []
    with pikepdf.open(pdf) as out:
        assert len(out.pages) == 2
    # Pages 1 and 3 of the scan, in order, searchable; page 2 left out.
    assert word_recall(_page_words(doc, 0), _pdf_page_text(pdf, 1)) >= 0.9
    assert word_recall(_page_words(doc, 2), _pdf_page_text(pdf, 2)) >= 0.9
    assert result.text.count("\f") == 1
    assert result.metadata.get("number") == doc.truth["fields"]["number"]  # extraction ran


def test_a_policy_typo_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_PAGE_FAILURE_POLICY", "skp")
    with pytest.raises(ValidationError) as refused:
        Settings()
    message = str(refused.value)
    assert "page_failure_policy" in message and "'fail' or 'skip'" in message
    monkeypatch.setenv("INTAKE_PAGE_FAILURE_POLICY", "skip")
    assert Settings().page_failure_policy == "skip"
