"""The page stage's second reading of handwritten numbers and days with the PP-OCR recogniser
(the real model from the `rapidocr` wheel, on pages drawn here: synth's handwriting)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from documents.extract import extract_metadata
from models.result import PageResult
from synth.fonts import SERIF_DIR, font_file
from synth.ink import apply_ink, hand_mask
from tests.documents.test_extract import TODAY, header_rows, page, signer_rows
from worker.stages import handread

pytestmark = pytest.mark.skipif(not handread.available(), reason="rapidocr model not installed")


def _draw_line(img: Image.Image, x: int, baseline: int, parts: list[tuple[str, str]],
               seed: int = 0) -> None:
    """Printed and handwritten (blue, synth's hand) runs along one line."""
    rng = random.Random(seed)
    d = ImageDraw.Draw(img)
    font = font_file(str(SERIF_DIR / "LiberationSerif-Regular.ttf"), 36)
    for kind, text in parts:
        if kind == "print":
            d.text((x, baseline), text, fill=(20, 20, 20), font=font, anchor="ls")
            x += int(d.textlength(text, font=font)) + 12
        else:
            mask = hand_mask(text, 30, rng)
            mask = mask.crop(mask.getbbox())
            apply_ink(img, mask, (30, 60, 170), 0.9, (x, baseline + 2 - mask.height))
            x += mask.width + 14


def _page_with_garbled_number_and_day() -> tuple[PageResult, np.ndarray]:
    """Tesseract's reading (words) of a header whose number and day were written by hand, and
    the colour image the second reading looks at."""
    p = page(*header_rows(number="Số: 4Ê /QĐ-UBND", day="4Ê", confs={"4Ê": 20.0}),
             *signer_rows())
    img = Image.new("RGB", (p.width, p.height), (250, 250, 246))
    # header_rows puts the number at x=450 and the date line at x=1250, top 420, 40 px high.
    _draw_line(img, 450, 458, [("print", "Số:"), ("hand", "87"), ("print", "/QĐ-UBND")])
    _draw_line(img, 1250, 458, [("print", "Quảng Ngãi, ngày"), ("hand", "15"),
                                ("print", "tháng 3 năm 2020")])
    return p, np.array(img)[:, :, ::-1].copy()


def test_handwritten_number_and_day_read_from_the_crops() -> None:
    p, bgr = _page_with_garbled_number_and_day()
    regions = handread.hand_regions(p, TODAY)
    assert set(regions) == {"hand_number", "hand_date"}
    left, top, right, bottom = regions["hand_number"]
    assert left <= 450 and top < 420 and bottom > 460 and right < 1250  # the line, not the page
    p.rereads = handread.read_hand_lines(p, bgr, TODAY)
    got = {r.reason: r for r in p.rereads}
    assert set(got) == {"hand_number", "hand_date", "hand_number_blank", "hand_date_blank"}
    # The blanks alone, read as digits only: inside their lines, right of the printed label.
    assert "".join(w.text for w in got["hand_number_blank"].words) == "87"
    assert "".join(w.text for w in got["hand_date_blank"].words) == "15"
    nb, db = got["hand_number_blank"].bbox, got["hand_date_blank"].bbox
    assert regions["hand_number"][0] < nb[0] < nb[2] < regions["hand_number"][2]
    assert db[0] > 1250 + 200  # after `Quảng Ngãi, ngày`
    ex = extract_metadata([p], today=TODAY)
    assert ex.metadata["number"] == "87/QĐ-UBND" and not ex.fields["number"]["needs_review"]
    assert ex.metadata["issued_date"] == "2020-03-15"
    assert not ex.fields["issued_date"]["needs_review"]


def test_second_reading_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, ...]] = []

    def counting(gray: np.ndarray, model: object = None) -> None:
        calls.append(gray.shape)
        return None

    monkeypatch.setattr(handread, "recognise_line", counting)
    blank = np.full((3508, 2480, 3), 250, np.uint8)
    typed = page(*header_rows(), *signer_rows())  # number and date typed and read well
    assert handread.hand_regions(typed, TODAY) == {}
    assert handread.read_hand_lines(typed, blank, TODAY) == [] and calls == []
    later = page(*signer_rows(top=300), index=1)  # not a first page: no motto
    assert handread.read_hand_lines(later, blank, TODAY) == [] and calls == []
    # Only the day is garbled: only the date line is read again.
    day_only = page(*header_rows(day="4Ê", confs={"4Ê": 20.0}), *signer_rows())
    assert set(handread.hand_regions(day_only, TODAY)) == {"hand_date"}
    handread.read_hand_lines(day_only, blank, TODAY)
    assert len(calls) == 1
