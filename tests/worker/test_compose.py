"""Tests of the three-layer page: size, colour kept, text stencil resolution, text layer."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from infra.tools.tesseract import recognise
from tests.worker.test_compose_support import (
    DPI,
    FIRST_LINE_XY,
    LINES,
    SEAL,
    make_page,
    render,
    text_mask,
)
from worker.stages.compose import ComposedPage, ComposeOptions, compose_page

MAX_PAGE_BYTES = 150_000


def _compose(tmp_path: Path, kind: str, text_pdf: Path | None = None) -> ComposedPage:
    """Compose a generated page of the given kind into tmp_path."""
    bgr = make_page(kind)
    return compose_page(
        bgr, text_mask(bgr), DPI, text_pdf, tmp_path / f"{kind}.pdf", ComposeOptions()
    )


def _images(pdf: Path) -> list[list[str]]:
    """Return the rows of `pdfimages -list` (type, width, height, encoding, ppi...)."""
    out = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split() for line in out.splitlines()[2:]]


@pytest.mark.parametrize("kind", ["colour", "fax", "yellowed"])
def test_page_is_small_and_a4(tmp_path: Path, kind: str) -> None:
    """Each kind of page stays under the size bound and has the A4 page size."""
    page = _compose(tmp_path, kind)
    assert page.total_bytes == page.path.stat().st_size
    assert page.total_bytes <= MAX_PAGE_BYTES
    assert abs(page.width_pt - 595.2) < 0.01 and abs(page.height_pt - 841.92) < 0.01


def test_colour_page_layers(tmp_path: Path) -> None:
    """Without a foreground (the layers before issue 14) a colour page has a 100 dpi colour JPEG
    and a 300 dpi CCITT stencil."""
    bgr = make_page("colour")
    page = compose_page(bgr, text_mask(bgr), DPI, None, tmp_path / "old.pdf",
                        ComposeOptions(foreground="none"))
    assert page.background == "colour"
    rows = _images(page.path)
    jpeg = next(r for r in rows if r[2] == "image")
    stencil = next(r for r in rows if r[2] == "stencil")
    assert (jpeg[5], jpeg[8]) == ("rgb", "jpeg") and int(jpeg[12]) == 100
    assert stencil[8] == "ccitt" and int(stencil[12]) >= 200 and int(stencil[13]) >= 200
    assert page.mask_bytes > 0 and page.background_bytes > 0


def test_fax_page_has_no_colour_background(tmp_path: Path) -> None:
    """A bitonal page on white paper is just the stencil: no JPEG at all."""
    page = _compose(tmp_path, "fax")
    assert page.background == "none" and page.background_bytes == 0
    assert [r[2] for r in _images(page.path)] == ["stencil"]


def _red_blue(rgb: np.ndarray) -> tuple[int, int]:
    """Count clearly red and clearly blue pixels in an RGB image."""
    r, g, b = (rgb[..., i].astype(int) for i in range(3))
    red = (r > 150) & (r - g > 70) & (r - b > 70)
    blue = (b - r > 50) & (b - g > 40)
    return int(red.sum()), int(blue.sum())


def test_seal_stays_red_and_signature_blue(tmp_path: Path) -> None:
    """Rendered at 100 dpi, the seal ring stays red and the pen stroke blue, as on the input."""
    import cv2

    for kind in ("colour", "yellowed"):
        bgr = make_page(kind)
        page = compose_page(
            bgr, text_mask(bgr), DPI, None, tmp_path / f"{kind}.pdf", ComposeOptions()
        )
        shown = render(page.path, 100)
        x0, y0, x1, y1 = (v // 3 for v in SEAL)
        small = cv2.cvtColor(
            cv2.resize(bgr, shown.shape[1::-1], interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB
        )
        want_red, want_blue = _red_blue(small[y0:y1, x0 - 40 : x1 + 40])
        red, blue = _red_blue(shown[y0:y1, x0 - 40 : x1 + 40])
        assert want_red > 300 and want_blue > 50, kind
        assert red > 0.7 * want_red and blue > 0.5 * want_blue, (kind, red, blue)
        # The stencil must not repaint the seal in black: little dark ink inside the ring.
        assert (shown[y0:y1, x0:x1].max(axis=2) < 80).sum() < 50, kind


def test_text_stencil_is_sharp_over_clean_paper(tmp_path: Path) -> None:
    """At 300 dpi the rendered dark pixels match the text mask; paper stays paper-coloured."""
    bgr = make_page("colour")
    mask = text_mask(bgr) > 0
    page = compose_page(bgr, mask.astype(np.uint8), DPI, None, tmp_path / "p.pdf", ComposeOptions())
    shown = render(page.path, DPI)
    dark = shown.max(axis=2) < 100
    iou = (dark & mask).sum() / (dark | mask).sum()
    assert iou > 0.9
    # Where there is no text, the background must not keep grey text ghosts.
    near = np.zeros_like(mask)
    near[:-6] |= mask[6:]
    ghost = near & ~mask
    assert shown[ghost].min(axis=1).mean() > 200


@pytest.mark.slow
def test_text_layer_is_searchable_vietnamese_over_the_words(tmp_path: Path) -> None:
    """Tesseract's invisible text is on the page, NFC Vietnamese, at the drawn position."""
    import cv2

    bgr = make_page("colour")
    png = tmp_path / "page.png"
    cv2.imwrite(str(png), bgr)
    rec = recognise(png, tmp_path / "ocr", language="vie", dpi=DPI, timeout=300)
    page = _compose(tmp_path, "colour", rec.pdf)
    assert page.has_text
    text = subprocess.run(
        ["pdftotext", "-layout", str(page.path), "-"], capture_output=True, text=True, check=True
    ).stdout
    nfc = unicodedata.normalize("NFC", text)
    assert text == nfc
    for line in LINES[:3]:
        assert line in nfc
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(page.path), "-"], capture_output=True, text=True, check=True
    ).stdout
    first = next(ln for ln in bbox.splitlines() if ln.strip().endswith(">CỘNG</word>"))
    x_min = float(first.split('xMin="')[1].split('"')[0])
    y_min = float(first.split('yMin="')[1].split('"')[0])
    # Drawn at (200, 200) px; Pillow puts the cap tops ~10 px lower. 3 pt = 12.5 px at 300 dpi.
    assert abs(x_min - FIRST_LINE_XY[0] * 72 / DPI) < 3
    assert abs(y_min - (FIRST_LINE_XY[1] + 10) * 72 / DPI) < 3
    assert page.total_bytes <= MAX_PAGE_BYTES
