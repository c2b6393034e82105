"""Sign a PDF/A with pyHanko: PAdES, incremental, with the visible `SAO Y` box on page 1.

The signature is an incremental update (the PDF/A's bytes are kept as they are, followed by the
signature field, its widget and appearance, and the signature), so the file stays PDF/A-2b and
its text layer searchable. Levels (ETSI EN 319 142-1):

- B-B: CAdES detached signature (SubFilter ETSI.CAdES.detached), SHA-256, signing certificate
  attribute; always;
- B-T: plus an RFC 3161 signature timestamp from INTAKE_SIGNING_TSA_URL, when it is set;
- B-LT: plus the certificates and OCSP/CRL answers in the document security store (a second
  incremental update), when trust roots are configured and the revocation data was reachable.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass
from typing import Any

import pikepdf
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from documents.signing.box import (
    FONT_SIZE,
    LEADING,
    PAD,
    PageGeometry,
    Rect,
    box_lines,
    box_size,
    pdf_box,
    place,
    serif_font,
)

FIELD_NAME = "SaoY"
ZONE = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")  # no DST: a fixed offset


@dataclass(frozen=True)
class Signed:
    """A signed PDF and what was made."""

    data: bytes
    level: str  # B-B | B-T | B-LT
    signed_at: str  # ISO 8601, as printed in the box
    box: tuple[float, float, float, float]  # PDF rectangle of the box on page 1
    bytes_added: int
    seconds: float


def page_geometry(data: bytes, image_width: int = 0, image_height: int = 0) -> PageGeometry:
    """Page 1's size in points (its crop box, else media box)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        box = [float(v) for v in (page.obj.get("/CropBox") or page.mediabox)]
    return PageGeometry(box[2] - box[0], box[3] - box[1], image_width, image_height,
                        box[0], box[1])


def _style() -> TextStampStyle:
    return TextStampStyle(
        stamp_text="%(lines)s",
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(serif_font())), font_size=int(FONT_SIZE),
            leading=int(LEADING), text_color=(0, 0, 0),
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins.uniform(0),
                inner_content_scaling=layout.InnerScaling.NO_SCALING)),
        border_width=0, background=None,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins.uniform(PAD),
            inner_content_scaling=layout.InnerScaling.NO_SCALING))


def sign_pdf(data: bytes, signer: signers.Signer, *, agency: str,
             obstacles: list[Rect] | None = None, geometry: PageGeometry | None = None,
             tsa_url: str = "", timeout: float = 10.0,
             validation_context: ValidationContext | None = None,
             now: dt.datetime | None = None) -> Signed:
    """Sign `data` (a PDF/A) with `signer`; the box avoids `obstacles` (page 1, in points from
    the top-left corner). Raises pyHanko's errors when the TSA or the signer fails."""
    started = time.perf_counter()
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(ZONE).replace(microsecond=0)
    signed_at = moment.isoformat()
    geometry = geometry or page_geometry(data)
    lines = box_lines(agency, signed_at)
    rect = place(geometry, box_size(lines), obstacles or [])
    box = pdf_box(geometry, rect)
    timestamper = HTTPTimeStamper(tsa_url, timeout=int(max(1, timeout))) if tsa_url else None
    embed = validation_context is not None
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, reason="Sao y từ văn bản giấy sang văn bản điện tử",
        location=agency or None, embed_validation_info=embed,
        validation_context=validation_context,
        signer_key_usage=set())  # usage checked before (documents.signing.keys)
    pdf_signer = signers.PdfSigner(
        meta, signer, timestamper=timestamper, stamp_style=_style(),
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=0, box=box))  # type: ignore[arg-type]
    out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)),
                              appearance_text_params={"lines": "\n".join(lines)})
    signed = out.getvalue()
    level = "B-T" if timestamper is not None else "B-B"
    if level == "B-T" and _has_revocation_data(signed):
        level = "B-LT"
    return Signed(signed, level, signed_at, box, len(signed) - len(data),
                  time.perf_counter() - started)


def _has_revocation_data(data: bytes) -> bool:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        dss: Any = pdf.Root.get("/DSS")
        return dss is not None and bool(dss.get("/OCSPs") or dss.get("/CRLs"))
