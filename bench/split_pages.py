"""Extra pages for splitting tests and benchmarks: blank backs, stamp-only and few-word pages."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageOps

from synth import GeneratedDocument, degrade
from synth.fonts import mm_px
from synth.ink import BLACK_INKS, BLUE_INKS, RED_INKS, apply_ink, place_hand, seal_mask
from synth.stamps import arrival_stamp, rect_stamp

A4_300 = (2480, 3508)
BLANK_NOISE = ("clean", "noise", "paper", "jpeg", "paper+noise", "skew", "borders")
NOTES = ("Đã xem", "Chuyển P.TH", "Lưu", "Đồng ý", "Kính chuyển", "Xem xét, giải quyết")


def _paper(dpi: int) -> Image.Image:
    """An empty white A4 sheet at `dpi`."""
    size = (round(A4_300[0] * dpi / 300), round(A4_300[1] * dpi / 300))
    img = Image.new("RGB", size, (255, 255, 255))
    img.info["dpi"] = (dpi, dpi)
    return img


def blank_back(rng: random.Random, front: Image.Image | None = None, dpi: int = 300) -> Image.Image:
    """The back of a duplex sheet: empty, sometimes with the front showing through faintly."""
    img = _paper(dpi)
    if front is not None and rng.random() < 0.5:
        # Show-through: the front, mirrored, at a few percent of its darkness.
        mirrored = np.asarray(ImageOps.mirror(front.convert("RGB")).resize(img.size), dtype=np.float32)
        strength = rng.uniform(0.03, 0.08)
        out = 255.0 - (255.0 - mirrored) * strength
        img = Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB")
        img.info["dpi"] = (dpi, dpi)
    return degrade(img, rng.choice(BLANK_NOISE), rng)


def stamp_only(rng: random.Random, dpi: int = 300) -> Image.Image:
    """A sheet carrying only a stamp: a register stamp, a red seal or an urgency mark."""
    img = _paper(dpi)
    kind = rng.choice(("arrival", "seal", "rect"))
    x, y = int(mm_px(rng.uniform(40, 150), dpi)), int(mm_px(rng.uniform(40, 240), dpi))
    if kind == "arrival":
        arrival_stamp(img, "SỞ NỘI VỤ", str(rng.randint(1, 999)), "12/3/2026", (x, y), rng, dpi)
    elif kind == "seal":
        apply_ink(img, seal_mask("ỦY BAN NHÂN DÂN TỈNH", rng, dpi), rng.choice(RED_INKS), 0.8, (x, y))
    else:
        rect_stamp(img, rng.choice(("KHẨN", "MẬT", "HỎA TỐC")), x, y, rng, dpi)
    return img


def few_words(rng: random.Random, dpi: int = 300, words: str | None = None) -> Image.Image:
    """A sheet with a short handwritten note (blue or black ink) and nothing else."""
    img = _paper(dpi)
    text = words or rng.choice(NOTES)
    left, top = int(mm_px(rng.uniform(25, 110), dpi)), int(mm_px(rng.uniform(30, 250), dpi))
    slot = (left, top, left + int(mm_px(60, dpi)), top + int(mm_px(9, dpi)))
    place_hand(img, text, slot, rng, rng.choice(BLUE_INKS + BLACK_INKS))
    return img


def hide_page_number(doc: GeneratedDocument, index: int) -> Image.Image:
    """A continuation page as if its agency did not number pages: the number painted white."""
    out = doc.pages[index].copy()
    pad = int(mm_px(2, doc.dpi))
    for line in doc.layouts[index].lines:
        if line.role == "page_number":
            x0, y0, x1, y1 = line.bbox(doc.dpi)
            out.paste((255, 255, 255), (x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    return out
