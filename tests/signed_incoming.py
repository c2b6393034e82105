"""Incoming signed PDFs for tests (issue 14): a synthetic scanned page as a one-image PDF, signed
with pyHanko by a certificate of the test PKI (tests/pki.py) with a visible signature widget in
the top-right corner, as the provincial e-office systems sign what they send."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image

from synth import make_document
from tests.pki import PKCS12_PASSWORD, Identity

SCAN_DPI = 200  # recognised as it is (no upsampling to 300 dpi): the quickest OCR of a real scan resolution
WIDGET_BOX = (380, 782, 580, 836)  # PDF points: the top-right margin of an A4 page (595 × 842)


@lru_cache(maxsize=1)
def _page() -> Image.Image:
    return make_document(7, pages=1, dpi=SCAN_DPI).pages[0].convert("RGB")


def scan_pdf(path: Path) -> Path:
    """An unsigned scanned PDF: one full-page JPEG image, as a scanner writes it."""
    _page().save(path, "PDF", resolution=float(SCAN_DPI), quality=80)
    return path


def signed_scan_pdf(path: Path, signer: Identity, *, field: str = "Signature1") -> Path:
    """The scan of `scan_pdf`, signed by `signer` (its PKCS#12 file, chain included) as an
    incremental update with a visible widget at WIDGET_BOX on page 1."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    unsigned = scan_pdf(path.with_suffix(".unsigned.pdf"))
    p12 = signers.SimpleSigner.load_pkcs12(str(signer.pkcs12_file),
                                           passphrase=PKCS12_PASSWORD.encode())
    assert p12 is not None
    style = TextStampStyle(stamp_text="Ky boi: %(signer)s\nThoi gian ky: %(ts)s", border_width=2)
    with unsigned.open("rb") as src, path.open("wb") as out:
        writer = IncrementalPdfFileWriter(src, strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(field, on_page=0, box=WIDGET_BOX))
        pdf_signer = signers.PdfSigner(signers.PdfSignatureMetadata(field_name=field), p12,
                                       stamp_style=style)
        pdf_signer.sign_pdf(writer, output=out)
    unsigned.unlink()
    return path
