"""Rubber stamps: secrecy/urgency rectangles and the incoming register stamp."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw

from synth.fonts import STAMP_SERIF_FILE, font, font_file, mm_px, pt_px
from synth.ink import BLUE_INKS, RED_INKS, apply_ink, hand_mask, texture
from synth.model import Box, GeneratedDocument

StampLines = list[tuple[str, Box]]


def _rotate(mask: Image.Image, angle: float, boxes: list[Box]) -> tuple[Image.Image, list[Box]]:
    """Rotate a mask counter-clockwise with expansion and map boxes to the new frame."""
    out = mask.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    a = math.radians(angle)
    cx, cy = mask.width / 2, mask.height / 2
    ncx, ncy = out.width / 2, out.height / 2
    mapped: list[Box] = []
    for b in boxes:
        xs, ys = [], []
        for x, y in ((b[0], b[1]), (b[2], b[1]), (b[0], b[3]), (b[2], b[3])):
            dx, dy = x - cx, y - cy
            xs.append(ncx + dx * math.cos(a) + dy * math.sin(a))
            ys.append(ncy - dx * math.sin(a) + dy * math.cos(a))
        mapped.append((int(min(xs)), int(min(ys)), math.ceil(max(xs)), math.ceil(max(ys))))
    return out, mapped


def _shift(b: Box, dx: int, dy: int) -> Box:
    """Translate a box."""
    return (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)


def rect_stamp(page: Image.Image, text: str, left: int, top: int, rng: random.Random,
               dpi: int, *, ink: tuple[int, int, int] | None = None, angle: float | None = None,
               frame: str = "rect") -> tuple[Box, StampLines]:
    """Stamp bold text (MẬT, KHẨN, HỎA TỐC...) in a frame at a position: red, in a rectangle and
    tilted up to 2° unless `ink`, `angle` (degrees, counter-clockwise) or `frame` (`"arrow"`: an
    arrow-shaped outline as `HỎA TỐC` stamps often have, `"none"`: the words alone) say otherwise.
    The random draws are the same whatever the style, so a document differs only in its stamp.
    Returns the stamp's box (its frame, or its words when it has none) and its line."""
    if frame not in ("rect", "arrow", "none"):
        raise ValueError(f"frame must be rect, arrow or none, got {frame!r}")
    fnt = font_file(str(STAMP_SERIF_FILE), round(pt_px(rng.choice((14, 15, 16)), dpi)))
    tb = fnt.getbbox(text, anchor="ls")
    pad = mm_px(2, dpi)
    w, h = int(tb[2] - tb[0] + 2 * pad), int(tb[3] - tb[1] + 2 * pad)
    tip = int(h * 0.9) if frame == "arrow" else 0  # the arrow's head, right of the words
    m = Image.new("L", (w + tip + 8, h + 8), 0)
    d = ImageDraw.Draw(m)
    line = max(2, int(mm_px(0.6, dpi)))
    if frame == "rect":
        d.rectangle((4, 4, 4 + w, 4 + h), outline=255, width=line)
    elif frame == "arrow":
        mid = 4 + h / 2
        d.polygon([(4, 4), (4 + w, 4), (4 + w + tip, mid), (4 + w, 4 + h), (4, 4 + h),
                   (4 + tip / 2, mid)], outline=255, width=line)
    base = 4 + pad - tb[1]
    x = 4 + pad - tb[0] + (tip / 2 if frame == "arrow" else 0)
    d.text((x, base), text, font=fnt, fill=255, anchor="ls")
    tbox = (int(x + tb[0]), int(4 + pad), int(x + tb[2]), int(base + tb[3]))
    textured = texture(m, rng, 0.7)
    tilt = rng.uniform(-2, 2)
    m, (tbox, fbox) = _rotate(textured, tilt if angle is None else angle,
                              [tbox, (4, 4, 4 + w + tip, 4 + h)])
    colour = rng.choice(RED_INKS)
    apply_ink(page, m, colour if ink is None else ink, rng.uniform(0.8, 0.95), (left, top))
    return _shift(tbox if frame == "none" else fbox, left, top), [(text, _shift(tbox, left, top))]


def restrike_urgency(doc: GeneratedDocument, rng: random.Random, *,
                     ink: tuple[int, int, int] | None = None, angle: float | None = None,
                     frame: str = "rect") -> Image.Image:
    """The first page of a document made with `urgency=` and no secrecy, its urgency stamp
    wiped (it sits alone in the row reserved under the number) and struck again in another
    style (`rect_stamp`'s `ink`, `angle`, `frame`) at the same place."""
    if not doc.truth["fields"]["urgency"] or doc.truth["fields"]["secrecy"]:
        raise ValueError("restrike_urgency needs a document with an urgency stamp alone")
    page = doc.pages[0].copy()
    _, x0, y0, x1, y1 = doc.truth["field_boxes"]["urgency"]
    grow = int(mm_px(1, doc.dpi))
    ImageDraw.Draw(page).rectangle((x0 - grow, y0 - grow, x1 + grow, y1 + grow),
                                   fill=(255, 255, 255))
    rect_stamp(page, doc.truth["fields"]["urgency"], x0, y0, rng, doc.dpi, ink=ink, angle=angle,
               frame=frame)
    page.info["dpi"] = (doc.dpi, doc.dpi)
    return page


def arrival_stamp(page: Image.Image, receiver: str, number: str, date: str, centre: tuple[int, int],
                  rng: random.Random, dpi: int) -> tuple[Box, StampLines]:
    """Stamp a `CÔNG VĂN ĐẾN` register box with handwritten arrival number and date."""
    w, h = int(mm_px(rng.uniform(50, 56), dpi)), int(mm_px(rng.uniform(23, 27), dpi))
    m = Image.new("L", (w + 10, h + 10), 0)
    hand = Image.new("L", m.size, 0)
    d = ImageDraw.Draw(m)
    d.rectangle((5, 5, 5 + w, 5 + h), outline=255, width=max(2, int(mm_px(0.6, dpi))))
    small, big = font("B", 10, dpi), font("B", 13, dpi)
    step = h / 4.4
    rows = [(receiver, small, False), ("CÔNG VĂN ĐẾN", big, False), ("Số:", small, True),
            ("Ngày:", small, True)]
    values = {"Số:": number, "Ngày:": date}
    lines: StampLines = []
    boxes: list[Box] = []
    for i, (text, fnt, filled_in) in enumerate(rows):
        y = 5 + step * (i + 1) + step * 0.1
        x = 5 + mm_px(3, dpi) if filled_in else 5 + (w - fnt.getlength(text)) / 2
        d.text((x, y), text, font=fnt, fill=255, anchor="ls")
        tb = fnt.getbbox(text, anchor="ls")
        box = (int(x + tb[0]), int(y + tb[1]), int(x + tb[2]), int(y + tb[3]))
        full = text
        if filled_in:
            hm = hand_mask(values[text], pt_px(9, dpi), rng)
            hm = hm.crop(hm.getbbox() or (0, 0, 1, 1))
            hx, hy = int(x + tb[2] + mm_px(3, dpi)), int(y - hm.height + pt_px(2, dpi))
            hand.paste(255, (hx, hy), hm)
            box = (box[0], min(box[1], hy), hx + hm.width, max(box[3], hy + hm.height))
            full = f"{text} {values[text]}"
        lines.append((full, box))
        boxes.append(box)
    angle = rng.uniform(-4, 4)
    m, mapped = _rotate(texture(m, rng, 0.6), angle, boxes + [(5, 5, 5 + w, 5 + h)])
    hand, _ = _rotate(hand, angle, [])
    left, top = centre[0] - m.width // 2, centre[1] - m.height // 2
    ink = rng.choice(RED_INKS + ((110, 60, 170), (60, 70, 190)))
    apply_ink(page, m, ink, rng.uniform(0.7, 0.88), (left, top))
    apply_ink(page, hand, rng.choice(BLUE_INKS), 0.9, (left, top))
    out = [(t, _shift(b, left, top)) for (t, _), b in zip(lines, mapped, strict=False)]
    return _shift(mapped[-1], left, top), out
