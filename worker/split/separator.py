"""Finding a separator sheet (documents.separator) on a scanned page: its QR code, read by zxing-cpp."""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from documents.separator import PREFIX

DETECT_DPI = 100  # a 45 mm QR code keeps ~6 px per module here: enough, and decoding takes ms


def _small_grey(image: np.ndarray, dpi: float) -> np.ndarray:
    """The page as grey uint8 at about DETECT_DPI (never enlarged)."""
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, DETECT_DPI / max(dpi, 1.0))
    if scale < 0.95:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(grey)


def find_separator(image: np.ndarray, dpi: float) -> str | None:
    """The separator payload when the page (BGR or grey, any rotation) is a separator sheet, else None."""
    grey = _small_grey(image, dpi)
    # read_barcodes documents `formats` as BarcodeFormat or BarcodeFormats (one converts to the
    # other); zxing-cpp's stubs type it as BarcodeFormats only.
    found = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode,  # type: ignore[arg-type]
                                   try_rotate=True, try_downscale=True)
    for barcode in found:
        if barcode.valid and barcode.text.startswith(PREFIX):
            return barcode.text
    return None
