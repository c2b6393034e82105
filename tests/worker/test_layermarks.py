"""A born-digital page that draws no image holds no stamp its text layer misses (page stage):
secrecy, urgency and the register stamp are then settled as "none" without stopping the clerk;
an image, a stamp annotation or an unreadable file keeps the doubt."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

from documents.extract import extract_metadata
from synth import make_document, write_document
from worker.options import PipelineOptions
from worker.pipeline import Pipeline
from worker.stages.layermarks import text_only_pages

STAMP_KEYS = ("secrecy", "urgency", "arrival_stamp")


def text_only_page(pdf: Path, index: int) -> bool:
    return index in text_only_pages(pdf, [index])


def _born_digital(tmp_path: Path, seed: int = 12, pages: int = 1) -> Path:
    src = tmp_path / "digital.pdf"
    write_document(make_document(seed, pages=pages), src, "pdf_text")
    return src


def _red_stamp(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    """A small red `HỎA TỐC` frame as an RGB image XObject."""
    img = Image.new("RGB", (120, 40), "white")
    ImageDraw.Draw(img).rectangle((2, 2, 117, 37), outline=(220, 20, 20), width=4)
    return pdf.make_stream(img.tobytes(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=120, Height=40, ColorSpace=pikepdf.Name.DeviceRGB,
                           BitsPerComponent=8)


def _with_image(src: Path, out: Path) -> Path:
    with pikepdf.open(src) as pdf:
        page = pdf.pages[0]
        name = page.add_resource(_red_stamp(pdf), pikepdf.Name.XObject)
        page.contents_add(pdf.make_stream(f"q 90 0 0 30 80 650 cm {name} Do Q".encode()))
        pdf.save(out)
    return out


def _with_inline_image(src: Path, out: Path) -> Path:
    with pikepdf.open(src) as pdf:
        pixels = b"\xff\x00\x00" * 4
        body = b"q 20 0 0 20 80 650 cm BI /W 2 /H 2 /CS /RGB /BPC 8 ID " + pixels + b" EI Q"
        pdf.pages[0].contents_add(pdf.make_stream(body))
        pdf.save(out)
    return out


def _with_annotation(src: Path, out: Path, **fields: object) -> Path:
    with pikepdf.open(src) as pdf:
        page = pdf.pages[0]
        annot = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Rect=[80, 650, 170, 680], **fields))
        appearance = fields.get("AP")
        if appearance == "image":
            form = pdf.make_stream(b"q 90 0 0 30 0 0 cm /Im0 Do Q", Type=pikepdf.Name.XObject,
                                   Subtype=pikepdf.Name.Form, BBox=[0, 0, 90, 30],
                                   Resources=pikepdf.Dictionary(
                                       XObject=pikepdf.Dictionary(Im0=_red_stamp(pdf))))
            annot.AP = pikepdf.Dictionary(N=form)
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([annot]))
        if fields.get("Subtype") == pikepdf.Name.Widget:
            pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([annot]))
        pdf.save(out)
    return out


def test_images_and_annotations_keep_the_doubt(tmp_path: Path) -> None:
    src = _born_digital(tmp_path)
    assert text_only_page(src, 0) is True
    assert text_only_page(_with_image(src, tmp_path / "image.pdf"), 0) is False
    assert text_only_page(_with_inline_image(src, tmp_path / "inline.pdf"), 0) is False
    # A stamp annotation (a register stamp a receiving system added) draws on the page.
    stamp = _with_annotation(src, tmp_path / "stamp.pdf", Subtype=pikepdf.Name.Stamp)
    assert text_only_page(stamp, 0) is False
    # A form field showing a picture may be anything; an electronic signature's box shows the
    # signer's seal, in the top margin where no mark is taken from.
    field = _with_annotation(src, tmp_path / "field.pdf", Subtype=pikepdf.Name.Widget,
                             FT=pikepdf.Name.Btn, AP="image")
    assert text_only_page(field, 0) is False
    signature = _with_annotation(src, tmp_path / "sig.pdf", Subtype=pikepdf.Name.Widget,
                                 FT=pikepdf.Name.Sig, AP="image")
    assert text_only_page(signature, 0) is True
    link = _with_annotation(src, tmp_path / "link.pdf", Subtype=pikepdf.Name.Link)
    assert text_only_page(link, 0) is True
    # A file pikepdf cannot read, or a page it does not have: no proof of anything.
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot a document")
    assert text_only_page(broken, 0) is False
    assert text_only_page(src, 5) is False
    # The pages of a file are looked at together: only the one with a picture keeps the doubt.
    (tmp_path / "two").mkdir()
    two = _born_digital(tmp_path / "two", pages=2)
    assert text_only_pages(_with_image(two, tmp_path / "two-image.pdf"), [0, 1]) == {1}


@pytest.mark.slow
def test_a_text_only_born_digital_document_settles_its_stamps(tmp_path: Path) -> None:
    src = _born_digital(tmp_path)
    stamped = _with_image(src, tmp_path / "stamped.pdf")
    with Pipeline(PipelineOptions(workers=1)) as pipe:
        plain = pipe.process(src, tmp_path / "plain-out.pdf")
        marked = pipe.process(stamped, tmp_path / "stamped-out.pdf")
    assert plain.error is None and marked.error is None
    assert [p.source for p in plain.page_results] == ["text_layer"]
    assert plain.page_results[0].marks_checked is True
    fields = extract_metadata(plain.page_results).fields
    for key in STAMP_KEYS:
        assert fields[key]["value"] is None and not fields[key]["needs_review"], key
    # The same page with a picture on it: what the picture says was not read, so the clerk
    # looks.
    assert [p.source for p in marked.page_results] == ["text_layer"]
    assert marked.page_results[0].marks_checked is False
    fields = extract_metadata(marked.page_results).fields
    for key in STAMP_KEYS:
        assert fields[key]["needs_review"], key
