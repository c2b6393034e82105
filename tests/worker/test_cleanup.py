"""Clean-up stage on generated scans: orientation, deskew, borders, paper, seal and ink layers."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from synth import GeneratedDocument, degrade, make_document
from worker.stages.cleanup import CleanedPage, CleanOptions, clean_page

NO_OSD = CleanOptions(use_osd=False)


def _bgr(img: Image.Image) -> np.ndarray:
    """A PIL page as the array the pipeline passes: BGR, or grey for bitonal and grey pages."""
    if img.mode in ("1", "L"):
        return np.asarray(img.convert("L"))
    return cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR)


def _clean(img: Image.Image, options: CleanOptions = NO_OSD) -> CleanedPage:
    """Clean a PIL page at the resolution recorded in it."""
    dpi = int(img.info.get("dpi", (300, 300))[0])
    return clean_page(_bgr(img), dpi, options)


@pytest.fixture(scope="module")
def doc() -> GeneratedDocument:
    """A one-page document whose red seal lies over the signer's black name."""
    return make_document(1)


@pytest.fixture(scope="module")
def page(doc: GeneratedDocument) -> Image.Image:
    """The page with the seal, at 300 dpi."""
    return doc.pages[0]


def _box(doc: GeneratedDocument, name: str) -> tuple[int, int, int, int]:
    """A truth box (x0, y0, x1, y1) on page 0."""
    page_index, *box = doc.truth["field_boxes"][name]
    assert page_index == 0
    x0, y0, x1, y1 = box
    return x0, y0, x1, y1


def test_layers_share_shape_and_types(page: Image.Image) -> None:
    out = _clean(page)
    h, w = out.ocr_image.shape
    assert out.ocr_image.dtype == np.uint8 and out.text_mask.dtype == np.uint8
    assert out.archive_image.shape == (h, w, 3)
    assert out.text_mask.shape == (h, w)
    assert set(np.unique(out.text_mask)) <= {0, 255}
    assert {"analyse", "orient", "warp", "flatten", "mask", "total"} <= set(out.timings)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_upright_pages_are_never_turned(seed: int) -> None:
    for img in make_document(seed).pages:
        out = _clean(img)
        assert out.rotation == 0
        assert abs(out.skew) < 0.3


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_turned_page_comes_back_upright(page: Image.Image, angle: int) -> None:
    # PIL turns counter-clockwise, so a clockwise turn by the same angle undoes it.
    turned = page.rotate(angle, expand=True)
    out = _clean(turned)
    assert out.rotation == angle
    assert out.ocr_image.shape == (page.height, page.width)


def test_synth_turn_degradations(page: Image.Image) -> None:
    for kind in ("upside_down", "rotated90"):
        bad = degrade(page, kind, random.Random(3))
        assert _clean(bad).rotation == bad.info["rotation"]


@pytest.mark.parametrize("angle", [7.0, -4.0])
def test_skew_is_corrected(page: Image.Image, angle: float) -> None:
    skewed = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")
    out = _clean(skewed)
    assert out.rotation == 0
    assert abs(out.skew - angle) <= 0.3
    # The corrected page itself must measure straight: catches a correction in the wrong sense.
    again = clean_page(out.archive_image, 300, NO_OSD)
    assert abs(again.skew) <= 0.3


def test_dark_borders_are_removed(page: Image.Image) -> None:
    arr = _bgr(page).copy()
    arr[:, :90] = 30
    arr[:70, :] = 40
    arr[:, -110:] = 25
    arr[-60:, :] = 50
    out = clean_page(arr, 300, NO_OSD)
    strips = [
        out.ocr_image[:, :90],
        out.ocr_image[:70],
        out.ocr_image[:, -110:],
        out.ocr_image[-60:],
    ]
    for strip in strips:
        assert strip.min() >= 250
    assert out.text_mask[:, :90].max() == 0 and out.text_mask[:, -110:].max() == 0
    # The archive keeps the page but paints the border with the paper colour, not black.
    assert out.archive_image[:, :90].min() >= 200


def test_synth_borders_are_removed(page: Image.Image) -> None:
    bad = degrade(page, "borders", random.Random(5))
    raw = _bgr(bad)
    out = _clean(bad)
    dark = cv2.cvtColor(raw, cv2.COLOR_BGR2GRAY) < 80
    # Border pixels: dark pixels in the outer 120 px frame of the page.
    frame = np.zeros_like(dark)
    frame[:120], frame[-120:], frame[:, :120], frame[:, -120:] = True, True, True, True
    border = dark & frame
    assert border.sum() > 10_000
    assert np.median(out.ocr_image[border]) == 255
    assert (out.text_mask[border] > 0).mean() < 0.01


def test_paper_tone_is_flattened(page: Image.Image) -> None:
    bad = degrade(page, "paper", random.Random(2))
    raw_grey = cv2.cvtColor(_bgr(bad), cv2.COLOR_BGR2GRAY)
    out = _clean(bad)
    background = cv2.dilate(out.text_mask, np.ones((9, 9), np.uint8)) == 0
    assert np.median(raw_grey[background]) < 245
    assert np.median(out.ocr_image[background]) >= 245
    # The archive keeps the tone: only the OCR image is flattened.
    assert np.median(out.archive_image[background][:, 0]) < 235


def test_seal_stays_red_and_text_under_it_stays_black(
    doc: GeneratedDocument, page: Image.Image
) -> None:
    raw = _bgr(page)
    out = _clean(page)
    assert out.rotation == 0 and abs(out.skew) < 0.05  # same geometry: pixels compare directly
    x0, y0, x1, y1 = _box(doc, "seal")
    b, g, r = (raw[y0:y1, x0:x1, i].astype(int) for i in range(3))
    red = (r > 150) & (r - g > 60) & (r - b > 60)
    black = (np.maximum(np.maximum(b, g), r) < 90) & (np.ptp(raw[y0:y1, x0:x1], axis=2) < 30)
    assert red.sum() > 5_000 and black.sum() > 500
    arch = out.archive_image[y0:y1, x0:x1].astype(int)
    still_red = (arch[..., 2] - arch[..., 1] > 60) & (arch[..., 2] > 150)
    assert still_red[red].mean() > 0.95
    mask = out.text_mask[y0:y1, x0:x1] > 0
    assert mask[red].mean() < 0.02
    assert mask[black].mean() > 0.9
    assert (out.ocr_image[y0:y1, x0:x1][black] < 128).mean() > 0.9
    assert (out.ocr_image[y0:y1, x0:x1][red] > 200).mean() > 0.9


def test_blue_signature_is_not_text(doc: GeneratedDocument, page: Image.Image) -> None:
    raw = _bgr(page)
    out = _clean(page)
    x0, y0, x1, y1 = _box(doc, "signature")
    b, g, r = (raw[y0:y1, x0:x1, i].astype(int) for i in range(3))
    blue = (b - r > 60) & (b - g > 40)
    assert blue.sum() > 1_000
    assert (out.text_mask[y0:y1, x0:x1][blue] > 0).mean() < 0.05


def test_text_mask_has_text_and_little_noise(doc: GeneratedDocument, page: Image.Image) -> None:
    bad = degrade(page, "noise", random.Random(4))
    out = _clean(bad)
    inside = np.zeros(out.text_mask.shape, bool)
    for line in doc.truth["pages"][0]["lines"]:
        x0, y0, x1, y1 = line["bbox"]
        inside[max(0, y0 - 12) : y1 + 12, max(0, x0 - 12) : x1 + 12] = True
    ink = out.text_mask > 0
    assert ink[inside].mean() > 0.05
    assert ink[~inside].sum() < 0.02 * ink.sum()
    assert (out.ocr_image[~inside] < 200).mean() < 0.001


def test_bitonal_fax_page(page: Image.Image) -> None:
    fax = degrade(page, "fax", random.Random(1))
    out = _clean(fax)
    assert out.rotation == 0
    assert out.archive_image.ndim == 3 and out.archive_image.shape[:2] == out.ocr_image.shape
    assert out.ocr_image.shape == (fax.height, fax.width)
    assert out.text_mask.any()


def test_blank_page_is_left_alone() -> None:
    blank = np.full((1754, 1240, 3), 236, np.uint8)
    out = clean_page(blank, 150, NO_OSD)
    assert out.rotation == 0 and out.skew == 0.0
    assert not out.text_mask.any()
    assert out.ocr_image.min() >= 250


@pytest.mark.slow
def test_osd_settles_an_uncertain_page(page: Image.Image, tmp_path: Path) -> None:
    from worker.stages.cleanup import _osd_image
    from worker.stages.orient import osd_rotation

    out = _clean(page.rotate(180, expand=True))
    found = osd_rotation(
        _osd_image(np.ascontiguousarray(out.ocr_image[::-1, ::-1]), 300), tmp_path, 60.0
    )
    assert found is not None and found[0] == 180
    assert not list(tmp_path.iterdir())
