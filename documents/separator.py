"""The separator sheet: an A4 PDF with a QR code and a large label, put before each document of a stack.

The API serves it (no OpenCV there); `worker.split.separator` finds it on scanned pages by PREFIX.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image

from infra.fonts import liberation_font

PREFIX = "INTAKE-SEPARATOR:v1:"
LABEL = "TRANG PHÂN TÁCH — ĐẶT TRƯỚC MỖI VĂN BẢN"
INSTRUCTIONS = (
    "Đặt trang này trước trang đầu của mỗi văn bản trong chồng giấy cần quét.",
    "Hệ thống tự tách văn bản tại trang này và bỏ trang này khỏi bản số hóa.",
    "Có thể in lại và dùng nhiều lần; không viết, không đóng dấu lên mã QR.",
)
QR_MM = 45.0


def separator_payload(ident: str | None = None) -> str:
    """The QR text of a separator sheet: fixed prefix, then an id (random when not given)."""
    return PREFIX + (ident or uuid.uuid4().hex[:12])


def _qr_png(payload: str) -> bytes:
    """A QR code of `payload` as a PNG (black modules, quiet zone included)."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="Q")
    arr = np.asarray(barcode.to_image(scale=8, add_quiet_zones=True))
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def separator_pdf(ident: str | None = None) -> bytes:
    """An A4 separator sheet as PDF bytes: two QR codes (top, bottom), label and instructions."""
    payload = separator_payload(ident)
    from fpdf import FPDF  # only when a sheet is made: detection must not pay for the import

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("LibSans", "", str(liberation_font("LiberationSans-Regular.ttf")))
    pdf.add_font("LibSans", "B", str(liberation_font("LiberationSans-Bold.ttf")))
    pdf.set_creator("vn-intake")
    pdf.set_title("Trang phân tách")
    pdf.add_page()
    png = io.BytesIO(_qr_png(payload))
    # Two codes: a stamp, a staple or a torn corner over one of them still leaves the other.
    for top in (18.0, 297.0 - 18.0 - QR_MM):
        png.seek(0)
        pdf.image(png, x=(210 - QR_MM) / 2, y=top, w=QR_MM, h=QR_MM)
    pdf.set_font("LibSans", "B", 34)
    for n, part in enumerate(LABEL.split(" — ")):
        pdf.set_xy(10, 95 + 18 * n)
        pdf.cell(190, 16, part + (" —" if n == 0 else ""), align="C")
    pdf.set_font("LibSans", "", 13)
    y = 160.0
    for line in INSTRUCTIONS:
        pdf.set_xy(22, y)
        pdf.multi_cell(166, 7, "• " + line, align="L")
        y = pdf.get_y() + 3
    pdf.set_font("LibSans", "", 10)
    pdf.set_xy(20, 297 - 12)
    pdf.cell(170, 5, payload, align="C")
    return bytes(pdf.output())


def write_separator_pdf(path: Path, ident: str | None = None) -> Path:
    """Write a separator sheet PDF to `path`."""
    path.write_bytes(separator_pdf(ident))
    return path
