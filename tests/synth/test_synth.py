"""Fast tests of the synthetic document generator (no OCR)."""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from synth import DEGRADATIONS, KINDS, GeneratedDocument, degrade, make_document, write_document
from synth.__main__ import main as cli_main

LOW_DPI = 120


def _digest(doc: GeneratedDocument) -> str:
    """Hash of all page pixels."""
    h = hashlib.sha256()
    for p in doc.pages:
        h.update(p.tobytes())
    return h.hexdigest()


def _strings(obj: Any) -> list[str]:
    """All strings inside a JSON-like structure."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in _strings(k) + _strings(v)]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in _strings(v)]
    return []


@pytest.fixture(scope="module")
def full_doc() -> GeneratedDocument:
    """A document with every optional mark, at low resolution."""
    return make_document(42, pages=2, dpi=LOW_DPI, handwritten=True, incoming_stamp=True,
                         secrecy="MẬT", urgency="HỎA TỐC")


def test_deterministic_per_seed() -> None:
    a = make_document(7, dpi=LOW_DPI, handwritten=True, incoming_stamp=True)
    b = make_document(7, dpi=LOW_DPI, handwritten=True, incoming_stamp=True)
    c = make_document(8, dpi=LOW_DPI)
    assert a.truth == b.truth
    assert _digest(a) == _digest(b)
    assert a.truth != c.truth


def test_page_size_at_dpi() -> None:
    doc = make_document(1, pages=1)
    assert doc.dpi == 300
    assert doc.pages[0].size == (2480, 3508)
    assert doc.pages[0].mode == "RGB"
    assert make_document(1, pages=1, dpi=150).pages[0].size == (1240, 1754)


@pytest.mark.parametrize("pages", [1, 2, 3, 4])
def test_page_count(pages: int) -> None:
    doc = make_document(pages * 13, pages=pages, dpi=LOW_DPI)
    assert len(doc.pages) == pages == doc.truth["page_count"] == len(doc.truth["pages"])
    nums = [ln["text"] for p in doc.truth["pages"][1:] for ln in p["lines"]
            if ln["role"] == "page_number"]
    assert nums == [str(i) for i in range(2, pages + 1)]


def test_truth_boxes_inside_pages(full_doc: GeneratedDocument) -> None:
    w, h = full_doc.pages[0].size
    for page in full_doc.truth["pages"]:
        for ln in page["lines"]:
            x0, t, r, b = ln["bbox"]
            assert 0 <= x0 < r <= w and 0 <= t < b <= h, ln
            assert ln["text"].strip()
    for name, (page, x0, t, r, b) in full_doc.truth["field_boxes"].items():
        assert 0 <= page < len(full_doc.pages), name
        assert 0 <= x0 < r <= w and 0 <= t < b <= h, name
    for key in ("number", "code_number", "issued_date", "organ_name", "subject", "signer",
                "signer_name", "recipients", "seal", "signature", "secrecy", "urgency",
                "arrival_stamp"):
        assert key in full_doc.truth["field_boxes"], key


def test_boxes_cover_ink() -> None:
    doc = make_document(5, pages=1, dpi=LOW_DPI)
    grey = doc.pages[0].convert("L")
    for ln in doc.truth["pages"][0]["lines"]:
        crop = grey.crop(ln["bbox"])
        assert crop.getextrema()[0] < 128, ln


def test_nfc_everywhere(full_doc: GeneratedDocument) -> None:
    for s in _strings(full_doc.truth):
        assert unicodedata.normalize("NFC", s) == s
    json.dumps(full_doc.truth)


def test_fields(full_doc: GeneratedDocument) -> None:
    f = full_doc.truth["fields"]
    assert f["number"] == f"{f['code_number']}/{f['code_notation']}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", f["issued_date"])
    assert f["secrecy"] == "MẬT" and f["urgency"] == "HỎA TỐC"
    assert f["arrival_stamp"]["date"] >= f["issued_date"]
    assert f["signer"]["full_name"]
    assert full_doc.truth["handwritten"]["number"]
    typed = full_doc.truth["body_words"]
    assert f["number"] not in typed and "Số:" in typed
    stamp_text = {ln["text"] for ln in full_doc.truth["pages"][0]["lines"] if ln["role"] == "stamp"}
    assert "CÔNG VĂN ĐẾN" in stamp_text and "MẬT" in stamp_text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind(kind: str) -> None:
    doc = make_document(3, kind=kind, dpi=LOW_DPI, pages=1)
    f = doc.truth["fields"]
    assert f["type_name"] == KINDS[kind][0]
    if KINDS[kind][2] and kind != "nghi_quyet":
        assert re.fullmatch(r"\d+/\d{4}/[A-ZĐ]+-\w+", f["number"]), f["number"]
    roles = {ln["role"] for ln in doc.truth["pages"][0]["lines"]}
    assert {"organ", "header", "number", "date", "subject", "body", "signer"} <= roles


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        make_document(1, secrecy="SECRET")
    with pytest.raises(ValueError):
        make_document(1, kind="novel")


@pytest.mark.parametrize("kind", DEGRADATIONS)
def test_degradations(kind: str) -> None:
    page = make_document(2, pages=1, dpi=150).pages[0]
    out = degrade(page, kind, random.Random(1))
    again = degrade(page, kind, random.Random(1))
    assert isinstance(out, Image.Image) and out.width > 0 and out.height > 0
    assert out.tobytes() == again.tobytes()
    if kind == "fax":
        assert out.mode in ("1", "L") and out.info["dpi"] == (200, 200)
        assert abs(out.width - round(page.width * 200 / 150)) <= 1
    else:
        assert out.mode == "RGB" and out.info["dpi"] == (150, 150)
    if kind == "rotated90":
        assert out.size == page.size[::-1]
    elif kind != "fax":
        assert out.size == page.size
    assert page.tobytes() != out.tobytes() or kind == "clean"


def test_degradation_chain() -> None:
    page = make_document(2, pages=1, dpi=LOW_DPI).pages[0]
    out = degrade(page, "paper+skew+jpeg", random.Random(3))
    assert out.size == page.size and "skew_degrees" in out.info


def test_write_image_formats(tmp_path: Path, full_doc: GeneratedDocument) -> None:
    write_document(full_doc, tmp_path / "d.tif", "tiff")
    with Image.open(tmp_path / "d.tif") as im:
        assert im.n_frames == len(full_doc.pages)
    for fmt in ("png", "jpg"):
        files = write_document(full_doc, tmp_path / f"d.{fmt}", fmt)
        assert files == [tmp_path / f"d.{fmt}"]
        with Image.open(files[0]) as im:
            assert im.size == full_doc.pages[0].size
        many = write_document(full_doc, tmp_path / f"m.{fmt}", fmt, all_pages=True)
        assert [p.name for p in many] == [f"m_p{i + 1}.{fmt}" for i in range(len(full_doc.pages))]
    for fmt in ("pdf", "pdf_text", "pdf_garbage"):
        write_document(full_doc, tmp_path / f"{fmt}.pdf", fmt)
        with pikepdf.open(tmp_path / f"{fmt}.pdf") as pdf:
            assert len(pdf.pages) == len(full_doc.pages)
            box = [float(x) for x in pdf.pages[0].mediabox]
            assert abs(box[2] - 595.3) < 1.5 and abs(box[3] - 841.9) < 1.5


def _pdftotext(path: Path) -> str:
    """Text of a PDF via poppler's pdftotext, whitespace collapsed."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(unicodedata.normalize("NFC", out).split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_text_extracts_vietnamese(tmp_path: Path) -> None:
    doc = make_document(9, pages=2, dpi=LOW_DPI)
    write_document(doc, tmp_path / "t.pdf", "pdf_text")
    text = _pdftotext(tmp_path / "t.pdf")
    body = [ln["text"] for p in doc.truth["pages"] for ln in p["lines"] if ln["role"] == "body"]
    assert body and all(b in text for b in body)
    assert doc.truth["fields"]["signer"]["full_name"] in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_garbage_has_no_vietnamese(tmp_path: Path) -> None:
    doc = make_document(9, pages=1, dpi=LOW_DPI)
    write_document(doc, tmp_path / "g.pdf", "pdf_garbage")
    text = _pdftotext(tmp_path / "g.pdf")
    assert len(text) > 200
    assert all(ord(ch) < 256 for ch in text)
    assert not set("ươạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ") & set(text.lower())
    with pikepdf.open(tmp_path / "g.pdf") as pdf:
        assert len(list(pdf.pages[0].get_images())) == 1


def test_cli(tmp_path: Path) -> None:
    rc = cli_main([str(tmp_path), "--count", "2", "--seed", "4", "--dpi", str(LOW_DPI),
                   "--degradation", "fax", "paper+skew", "--format", "tiff",
                   "--random-features"])
    assert rc == 0
    truths = sorted(tmp_path.glob("*.truth.json"))
    assert len(truths) == 2
    t = json.loads(truths[0].read_text(encoding="utf-8"))
    assert t["degradation"] == "fax" and t["page_info"][0]["dpi"] == [200, 200]
    assert (tmp_path / t["files"][0]).exists()
