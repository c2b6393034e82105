"""The whole pipeline on generated documents (real Tesseract, Poppler, pikepdf): the CLI contract."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from bench.score import word_recall
from documents.pdfa import check_pdfa
from intake.cli.main import main
from synth import degrade, make_document, write_document
from worker.options import PipelineOptions
from worker.pipeline import Pipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    with Pipeline(PipelineOptions(workers=2)) as pipe:
        yield pipe


def _pdftotext(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True)
    return out.stdout.decode("utf-8")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_degraded_scan_to_searchable_pdfa(tmp_path: Path, pipeline: Pipeline) -> None:
    doc = make_document(11, pages=2)
    rng = random.Random(5)
    pages = [degrade(doc.pages[0], "skew", rng), degrade(doc.pages[1], "upside_down", rng)]
    src = tmp_path / "scan.pdf"
    pages[0].save(src, format="PDF", save_all=True, append_images=pages[1:], resolution=300)
    before = _sha(src)
    result = pipeline.process(src, tmp_path / "out.pdf")

    assert result.error is None and result.status == "ok"
    assert _sha(src) == before  # the original is never modified
    assert result.pages == 2
    p1, p2 = result.page_results
    applied = float(pages[0].info["skew_degrees"])
    assert abs(abs(p1.skew) - abs(applied)) < 0.5
    assert p2.rotation == 180
    assert unicodedata.is_normalized("NFC", result.text)
    assert word_recall(doc.truth["body_words"], result.text) >= 0.95
    assert all(w.bbox[2] > w.bbox[0] and w.conf >= 0 for w in p1.words)

    pdf = tmp_path / "out.pdf"
    assert check_pdfa(pdf) == []
    layer = _pdftotext(pdf)
    assert word_recall(doc.truth["body_words"], layer) >= 0.95  # search and copy-paste work
    with pikepdf.open(pdf) as out:
        assert len(out.pages) == 2
        width = float(out.pages[0].mediabox[2])
        assert abs(width - 595.3) < 3  # A4 kept
        # Titled by what it is (issue 16), not by the file: number and subject.
        assert out.open_metadata()["dc:title"].startswith(f"{doc.truth['fields']['number']} — ")


def test_born_digital_page_is_not_recognised(tmp_path: Path, pipeline: Pipeline) -> None:
    doc = make_document(12, pages=1)
    src = tmp_path / "digital.pdf"
    write_document(doc, src, "pdf_text")
    result = pipeline.process(src, tmp_path / "digital-out.pdf")
    assert result.error is None
    assert [p.source for p in result.page_results] == ["text_layer"]
    assert word_recall(doc.truth["body_words"], result.text) >= 0.99
    assert check_pdfa(tmp_path / "digital-out.pdf") == []


def test_garbage_text_layer_is_recognised(tmp_path: Path, pipeline: Pipeline) -> None:
    doc = make_document(13, pages=1)
    src = tmp_path / "garbage.pdf"
    write_document(doc, src, "pdf_garbage")
    result = pipeline.process(src, tmp_path / "garbage-out.pdf")
    assert result.error is None
    assert [p.source for p in result.page_results] == ["ocr"]
    assert word_recall(doc.truth["body_words"], result.text) >= 0.95


def test_awkward_image_formats(tmp_path: Path, pipeline: Pipeline) -> None:
    """CMYK JPEG, 16-bit PNG, TIFF with alpha, EXIF-rotated JPEG, a lying extension."""
    doc = make_document(14, pages=1)
    page = doc.pages[0]
    inputs: dict[str, Path] = {}
    cmyk = tmp_path / "cmyk.jpg"
    page.convert("CMYK").save(cmyk, quality=90, dpi=(300, 300))
    inputs["cmyk"] = cmyk
    png16 = tmp_path / "grey16.png"
    import numpy as np

    grey = np.asarray(page.convert("L"), dtype=np.uint16) * 257
    Image.fromarray(grey).save(png16, dpi=(300, 300))
    inputs["png16"] = png16
    alpha = tmp_path / "alpha.tif"
    rgba = page.convert("RGBA")
    rgba.save(alpha, dpi=(300, 300), compression="tiff_lzw")
    inputs["alpha"] = alpha
    exif_jpg = tmp_path / "exif.jpg"
    exif = Image.Exif()
    exif[0x0112] = 8  # the viewer must turn it 90° anticlockwise: stored turned clockwise
    page.rotate(-90, expand=True).save(exif_jpg, quality=90, dpi=(300, 300), exif=exif)
    inputs["exif"] = exif_jpg
    liar = tmp_path / "liar.pdf"
    page.save(liar, format="PNG", dpi=(300, 300))
    inputs["liar"] = liar
    for name, src in inputs.items():
        result = pipeline.process(src, tmp_path / f"{name}.pdf")
        assert result.error is None, (name, result.error)
        assert result.page_results[0].rotation == 0, name
        assert word_recall(doc.truth["body_words"], result.text) >= 0.93, name


def test_mixed_page_sizes_and_rotations(tmp_path: Path, pipeline: Pipeline) -> None:
    doc = make_document(15, pages=2)
    a4 = tmp_path / "a4.pdf"
    doc.pages[0].save(a4, format="PDF", resolution=300)
    small = tmp_path / "a5.pdf"
    doc.pages[1].resize((1240, 1754)).save(small, format="PDF", resolution=212)  # A5
    mixed = pikepdf.new()
    for part in (a4, small):
        with pikepdf.open(part) as src:
            mixed.pages.extend(src.pages)
    mixed.pages[1].Rotate = 90  # a page stored sideways with a /Rotate
    path = tmp_path / "mixed.pdf"
    mixed.save(path)
    result = pipeline.process(path, tmp_path / "mixed-out.pdf")
    assert result.error is None
    assert result.pages == 2
    # The /Rotate page is shown sideways; the pipeline must turn it upright (90 or 270).
    assert result.page_results[1].rotation in (90, 270)
    assert word_recall(doc.truth["body_words"], result.text) >= 0.9


def test_cli_writes_pdf_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = make_document(16, pages=1)
    folder = tmp_path / "in"
    folder.mkdir()
    write_document(doc, folder / "letter.pdf", "pdf")
    (folder / "readme.txt").write_text("not a scan")  # ignored: folders expand to scan files
    code = main(["process", str(folder), "--out", str(tmp_path / "out"), "--json"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and len(lines) == 1
    result = json.loads(lines[0])
    for key in ("source", "pages", "pdf", "text", "metadata", "page_results", "error"):
        assert key in result
    assert result["error"] is None and result["pages"] == 1
    page = result["page_results"][0]
    for key in ("rotation", "skew", "mean_confidence", "timings"):
        assert key in page
    assert Path(result["pdf"]).exists()
    saved = json.loads((tmp_path / "out" / "letter.json").read_text(encoding="utf-8"))
    assert saved["text"] == result["text"]
