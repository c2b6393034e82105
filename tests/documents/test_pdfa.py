"""Tests of PDF/A-2b assembly, the structural checker and the atomic write."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import pikepdf
import pytest

from documents.pdfa import AssembleOptions, DocumentInfo, assemble_pdfa, check_pdfa
from infra.tools import ghostscript
from infra.tools.tesseract import recognise
from tests.worker.test_compose_support import DPI, LINES, make_page, text_mask
from worker.stages.compose import ComposeOptions, compose_page

INFO = DocumentInfo(
    title="Quyết định số 12/QĐ-UBND", author="Ủy ban nhân dân tỉnh",
    created=datetime(2024, 5, 17, 9, 30, tzinfo=timezone(timedelta(hours=7))),
)  # fmt: skip


def _born_digital(path: Path, pages: int = 2) -> Path:
    """Write a PDF whose pages use Helvetica without embedding it (not PDF/A)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
    ))  # fmt: skip
    for n in range(pages):
        body = f"BT /F1 24 Tf 72 700 Td (Born digital page {n + 1}) Tj ET".encode()
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(body),
        )))  # fmt: skip
    pdf.save(path)
    return path


def _composed(tmp_path: Path, kind: str, text_pdf: Path | None = None) -> Path:
    """Compose a generated page and return its one-page PDF."""
    bgr = make_page(kind)
    out = tmp_path / f"{kind}.pdf"
    compose_page(bgr, text_mask(bgr), DPI, text_pdf, out, ComposeOptions())
    return out


def _assert_valid(path: Path) -> None:
    """Our checker, qpdf and a Ghostscript render all accept the file."""
    assert check_pdfa(path) == []
    subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=True)
    assert ghostscript.render_warnings(path, timeout=120) == []


def test_composed_and_born_digital_pages_make_pdfa(tmp_path: Path) -> None:
    """Composed pages and a converted born-digital page join into a clean PDF/A-2b."""
    src = _born_digital(tmp_path / "born.pdf")
    assert any("not embedded" in p for p in check_pdfa(src))
    out = tmp_path / "doc.pdf"
    parts = [_composed(tmp_path, "colour"), (src, 1), _composed(tmp_path, "fax")]
    assemble_pdfa(parts, out, INFO)
    _assert_valid(out)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 3
        assert pdf.pdf_version == "1.7" and "/Encrypt" not in pdf.trailer
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert meta["dc:title"] == str(pdf.docinfo.Title) == INFO.title
        assert str(pdf.docinfo.Author) == INFO.author
        assert meta["xmp:CreateDate"] == "2024-05-17T09:30:00+07:00"
        assert str(pdf.docinfo.CreationDate) == "D:20240517093000+07'00'"
        assert meta["pdf:Producer"] == str(pdf.docinfo.Producer)
        oi = pdf.Root.OutputIntents[0]
        assert oi.S == pikepdf.Name.GTS_PDFA1 and int(oi.DestOutputProfile.N) == 3
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Born digital page 2" in text


def test_born_digital_page_kept_as_is_when_conversion_is_off(tmp_path: Path) -> None:
    """Without Ghostscript conversion the unembedded font stays and the checker says so."""
    src = _born_digital(tmp_path / "born.pdf", pages=1)
    out = tmp_path / "doc.pdf"
    assemble_pdfa([(src, 0)], out, INFO, AssembleOptions(convert_born_digital=False))
    assert check_pdfa(out) == ["page 1: font /Helvetica is not embedded"]


def test_checker_finds_broken_files(tmp_path: Path) -> None:
    """Missing XMP, encryption, unembedded fonts, JavaScript and LZW are all reported."""
    good = tmp_path / "good.pdf"
    assemble_pdfa([_composed(tmp_path, "fax")], good, INFO)
    assert check_pdfa(good) == []
    with pikepdf.open(good) as pdf:
        del pdf.Root.Metadata
        pdf.save(tmp_path / "noxmp.pdf")
        pdf.save(tmp_path / "enc.pdf", encryption=pikepdf.Encryption(owner="o", user=""))
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    assert "no XMP metadata stream" in check_pdfa(tmp_path / "noxmp.pdf")
    assert any("encrypted" in p for p in check_pdfa(tmp_path / "enc.pdf"))
    assert any("encrypted" in p for p in check_pdfa(tmp_path / "locked.pdf"))
    with pikepdf.open(good) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
        )
        pdf.pages[0].Contents.write(b"q Q", filter=pikepdf.Name.LZWDecode, decode_parms=None)
        del pdf.Root.OutputIntents
        pdf.save(tmp_path / "bad.pdf", compress_streams=False)
    problems = check_pdfa(tmp_path / "bad.pdf")
    assert "catalog: forbidden action /JavaScript" in problems
    assert "page 1: LZW-compressed stream" in problems
    assert "no GTS_PDFA1 output intent with a DestOutputProfile" in problems
    (tmp_path / "old.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n")
    assert "header" in check_pdfa(tmp_path / "old.pdf")[0]


def test_failed_assembly_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    """An error while writing keeps the previous output intact and removes the temp file."""
    out = tmp_path / "doc.pdf"
    out.write_bytes(b"previous version")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a PDF")
    with pytest.raises(pikepdf.PdfError):
        assemble_pdfa([_composed(tmp_path, "fax"), broken], out, INFO)
    assert out.read_bytes() == b"previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.pdf", "doc.pdf", "fax.pdf"]


def test_interrupted_save_leaves_no_partial_file(tmp_path: Path, monkeypatch) -> None:
    """A crash in the middle of saving leaves neither a partial output nor a temp file."""
    page = _composed(tmp_path, "fax")

    def half_save(self: pikepdf.Pdf, path: Path, **kwargs: object) -> None:
        Path(path).write_bytes(b"%PDF-1.7\n% half written")
        raise OSError("disk full")

    monkeypatch.setattr(pikepdf.Pdf, "save", half_save)
    with pytest.raises(OSError, match="disk full"):
        assemble_pdfa([page], tmp_path / "doc.pdf", INFO)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fax.pdf"]


@pytest.mark.slow
def test_ocr_page_pdfa_is_searchable_vietnamese(tmp_path: Path) -> None:
    """A page with Tesseract's text layer gives a valid PDF/A whose text has NFC diacritics."""
    png = tmp_path / "page.png"
    cv2.imwrite(str(png), make_page("yellowed"))
    rec = recognise(png, tmp_path / "ocr", language="vie", dpi=DPI, timeout=300)
    out = tmp_path / "doc.pdf"
    assemble_pdfa([_composed(tmp_path, "yellowed", rec.pdf)], out, INFO)
    _assert_valid(out)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text == unicodedata.normalize("NFC", text)
    for line in LINES[:3]:
        assert line in text
    assert out.stat().st_size <= 150_000
