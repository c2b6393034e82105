"""Drawing laid-out pages and stamping the ink marks (signature, seal, handwriting, stamps)."""

from __future__ import annotations

import datetime as dt
import random

from PIL import Image, ImageDraw

from synth.content import Content
from synth.fonts import font, mm_px, pt_px
from synth.ink import (
    BLACK_INKS,
    BLUE_INKS,
    RED_INKS,
    apply_ink,
    place_hand,
    seal_mask,
    signature_mask,
)
from synth.layout import A4_MM
from synth.model import Box, Line, PageLayout
from synth.phrases import short_date
from synth.stamps import arrival_stamp, rect_stamp

TEXT_INK = (18, 18, 22)


def draw_page(pl: PageLayout, dpi: int) -> Image.Image:
    """Render the typed text and rules of one page on white paper."""
    w, h = round(mm_px(A4_MM[0], dpi)), round(mm_px(A4_MM[1], dpi))
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    for line in pl.lines:
        for word in line.words:
            if word.typed:
                d.text((word.x, line.baseline), word.text, fill=TEXT_INK,
                       font=font(word.style, word.size, dpi), anchor="ls")
    lw = max(1, round(pt_px(0.6, dpi)))
    for x0, y0, x1, y1 in pl.rules:
        d.line((x0, y0, x1, y1), fill=TEXT_INK, width=lw)
    img.info["dpi"] = (dpi, dpi)
    return img


class Marks:
    """Applies ink marks to rendered pages and records their boxes for the ground truth."""

    def __init__(self, c: Content, layouts: list[PageLayout], images: list[Image.Image],
                 dpi: int, rng: random.Random) -> None:
        """Remember the document being marked."""
        self.c, self.layouts, self.images, self.dpi, self.rng = c, layouts, images, dpi, rng
        self.boxes: dict[str, tuple[int, Box]] = {}
        self.stamp_lines: list[tuple[str, Box]] = []
        self.arrival: dict[str, str] | None = None

    def handwriting(self) -> None:
        """Write the number and the day into their printed blanks."""
        pl, img = self.layouts[0], self.images[0]
        ink = self.rng.choice(BLUE_INKS + BLACK_INKS)
        for key in ("hand_number", "hand_day"):
            if key not in pl.anchors:
                continue
            line = next(ln for ln in pl.lines if ln.role == key.replace("hand_", "").replace(
                "day", "date"))
            word = next(w for w in line.words if not w.typed)
            box = place_hand(img, word.text, pl.anchors[key], self.rng, ink)
            word.box = box or pl.anchors[key]

    def signature_and_seal(self, seal_over_name: bool) -> None:
        """Sign in blue and stamp the red round seal over the signature's left third."""
        page = len(self.layouts) - 1
        pl, img, rng, dpi = self.layouts[page], self.images[page], self.rng, self.dpi
        sx0, sy0, sx1, sy1 = pl.anchors["signature"]
        sw = int((sx1 - sx0) * rng.uniform(0.7, 0.95))
        sh = int((sy1 - sy0) * rng.uniform(0.6, 0.9))
        left = int(sx0 + rng.uniform(0.05, 0.95) * (sx1 - sx0 - sw))
        top = int(sy0 + rng.uniform(0.2, 1.0) * (sy1 - sy0 - sh))
        mask = signature_mask(sw, sh, rng, dpi)
        box = apply_ink(img, mask, rng.choice(BLUE_INKS), rng.uniform(0.85, 0.97), (left, top))
        if box:
            self.boxes["signature"] = (page, box)
        seal = seal_mask(self.c.agency.organ_name, rng, dpi)
        r = seal.width / 2
        cx = left + sw * rng.uniform(0.33, 0.45) - r * 0.95
        name = pl.anchors["name"]
        if seal_over_name:
            cy = name[1] + (name[3] - name[1]) * rng.uniform(0.3, 0.7) - r * 0.92
        else:
            cy = name[1] - mm_px(1.5, dpi) - r * 0.92
        box = apply_ink(img, seal, rng.choice(RED_INKS), rng.uniform(0.72, 0.88),
                        (int(cx - r), int(cy - r)))
        if box:
            self.boxes["seal"] = (page, box)

    def rect_stamps(self) -> None:
        """Stamp urgency and secrecy marks in the row reserved under the number."""
        pl, img = self.layouts[0], self.images[0]
        x0, y0, x1, _ = pl.anchors["stamp_row"]
        x = int(x0 + mm_px(self.rng.uniform(2, 12), self.dpi))
        for key, text in (("urgency", self.c.urgency), ("secrecy", self.c.secrecy)):
            if not text:
                continue
            frame, lines = rect_stamp(img, text, x, y0, self.rng, self.dpi)
            self.boxes[key] = (0, frame)
            self.stamp_lines.extend(lines)
            x = frame[2] + int(mm_px(6, self.dpi))

    def incoming(self) -> None:
        """Stamp the `CÔNG VĂN ĐẾN` register stamp over the header or near `Kính gửi`."""
        pl, img, rng, dpi = self.layouts[0], self.images[0], self.rng, self.dpi
        arrived = self.c.issued + dt.timedelta(days=rng.randint(1, 12))
        number = str(rng.randint(1, 6000))
        receiver = rng.choice(("VĂN PHÒNG UBND TỈNH", "SỞ NỘI VỤ", "SỞ TÀI CHÍNH",
                               "VĂN PHÒNG HĐND TỈNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"))
        spots = []
        kg = [ln for ln in pl.lines if ln.role == "recipients"]
        organ = [ln for ln in pl.lines if ln.role == "organ"]
        header = [ln for ln in pl.lines if ln.role == "header"]
        nt = min(ln.bbox(dpi)[1] for ln in pl.lines if ln.role in ("number", "date"))
        limit = nt - int(mm_px(16, dpi))
        if kg:
            b = kg[0].bbox(dpi)
            spots.append((int(mm_px(40, dpi)), (b[1] + b[3]) // 2))
        if header:
            b = header[0].bbox(dpi)
            spots.append(((b[0] + b[2]) // 2 + int(mm_px(rng.uniform(-15, 15), dpi)),
                          min(limit, b[1] + int(mm_px(rng.uniform(2, 8), dpi)))))
        if organ:
            b = organ[0].bbox(dpi)
            spots.append(((b[0] + b[2]) // 2, min(limit, b[1])))
        centre = rng.choice(spots)
        frame, lines = arrival_stamp(img, receiver, number, short_date(arrived), centre, rng, dpi)
        self.boxes["arrival_stamp"] = (0, frame)
        self.stamp_lines.extend(lines)
        self.arrival = {"number": number, "date": arrived.isoformat()}


def stamp_line_objs(lines: list[tuple[str, Box]]) -> list[dict[str, object]]:
    """Ground-truth line records for stamp text."""
    return [{"text": t, "bbox": list(b), "role": "stamp"} for t, b in lines]


def line_fields(lines: list[Line]) -> set[str]:
    """All field names referenced by a page's lines."""
    return {f for ln in lines for f in ln.fields}
