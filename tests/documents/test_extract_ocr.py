"""End-to-end extraction on generated pages through the real cleanup and Tesseract (slow)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from documents.extract import extract_metadata
from infra.tools import tesseract
from models.result import PageResult
from synth import make_document
from worker.stages.cleanup import CleanOptions, clean_page
from worker.stages.ocr import parse_tsv


def _ocr(img: Image.Image, index: int, work: Path) -> PageResult:
    """Clean and recognise one page the way the pipeline does."""
    bgr = cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR)
    cleaned = clean_page(bgr, 300, CleanOptions(work_dir=work))
    png = work / f"p{index}.png"
    cv2.imwrite(str(png), cleaned.ocr_image)
    rec = tesseract.recognise(png, work / f"p{index}", language="vie", dpi=300, timeout=120)
    h, w = cleaned.ocr_image.shape[:2]
    return PageResult(index=index, source="ocr", width=w, height=h, dpi=300,
                      words=parse_tsv(rec.tsv))


@pytest.mark.slow
def test_printed_decision_read_confidently(tmp_path: Path) -> None:
    doc = make_document(11, pages=1, kind="quyet_dinh")
    truth = doc.truth["fields"]
    ex = extract_metadata([_ocr(doc.pages[0], 0, tmp_path)], today=date(2030, 1, 1))
    for key in ("number", "issued_date", "organ_name", "type_name"):
        f = ex.fields[key]
        # Confident values must be right; the printed header should be read confidently.
        assert f["value"] == truth[key], key
        assert not f["needs_review"], key
    assert ex.metadata["signer"]["full_name"] == truth["signer"]["full_name"] or \
        ex.fields["signer"]["needs_review"]


@pytest.mark.slow
def test_handwritten_number_and_incoming_stamp(tmp_path: Path) -> None:
    doc = make_document(5, pages=1, handwritten=True, incoming_stamp=True)
    truth = doc.truth["fields"]
    ex = extract_metadata([_ocr(doc.pages[0], 0, tmp_path)], today=date(2030, 1, 1))
    stamp = truth["arrival_stamp"]
    # The stamp's number is never the document's number.
    assert ex.metadata["code_number"] != stamp["number"]
    for key in ("number", "code_number", "issued_date"):
        f = ex.fields[key]
        assert f["value"] == truth[key] or f["needs_review"], key
    assert ex.metadata["code_notation"] in (truth["code_notation"], None)


@pytest.mark.slow
def test_second_look_reads_a_signer_name_the_first_reading_lost(tmp_path: Path) -> None:
    from worker.stages.reread import reread_signer_name, signer_name_region

    doc = make_document(11, pages=1, kind="quyet_dinh")
    name = doc.truth["fields"]["signer"]["full_name"]
    bgr = cv2.cvtColor(np.asarray(doc.pages[0].convert("RGB")), cv2.COLOR_RGB2BGR)
    cleaned = clean_page(bgr, 300, CleanOptions(work_dir=tmp_path))
    first = _ocr(doc.pages[0], 0, tmp_path)
    assert extract_metadata([first], today=date(2030, 1, 1)).metadata["signer"]["full_name"] == name
    # A name read well costs no second look.
    assert signer_name_region(first) is None
    # Tesseract's layout analysis sometimes drops the name under the signature: simulate it.
    half = first.height / 2
    lost = first.model_copy(update={"words": [
        w for w in first.words if not (w.text in name.split() and w.bbox[1] > half)]})
    assert extract_metadata([lost], today=date(2030, 1, 1)).metadata["signer"]["full_name"] is None
    region = signer_name_region(lost)
    assert region is not None
    again = reread_signer_name(lost, cleaned.ocr_image, tmp_path / "p0", language="vie",
                               timeout=120)
    assert len(again) == 1 and again[0].reason == "signer_name"
    assert " ".join(w.text for w in again[0].words) == name
    # The second reading lies inside the searched area, in page pixels.
    box = again[0].bbox
    assert region[0] - 20 <= box[0] and box[2] <= region[2] + 20 and region[1] - 20 <= box[1]
    found = extract_metadata([lost.model_copy(update={"rereads": again})], today=date(2030, 1, 1))
    assert found.metadata["signer"]["full_name"] == name
