"""Ink marks drawn over a page: blending, red round seal, blue signature, handwriting."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from synth.fonts import HAND_FILE, STAMP_FILE, font_file, mm_px
from synth.model import Box

Point = tuple[float, float]
BLUE_INKS = ((25, 45, 150), (20, 35, 120), (40, 60, 170))
BLACK_INKS = ((35, 35, 45), (25, 25, 60))
RED_INKS = ((215, 35, 45), (200, 25, 60), (225, 60, 60))


def apply_ink(page: Image.Image, mask: Image.Image, color: tuple[int, int, int],
              opacity: float, xy: tuple[int, int]) -> Box | None:
    """Multiply-blend a coverage mask of ink onto the page; return the inked page box."""
    x, y = xy
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(page.width, x + mask.width), min(page.height, y + mask.height)
    if x1 <= x0 or y1 <= y0:
        return None
    region = np.asarray(page.crop((x0, y0, x1, y1)), dtype=np.float32)
    m = np.asarray(mask, dtype=np.float32)[y0 - y:y1 - y, x0 - x:x1 - x, None] / 255.0
    m = m * opacity
    c = np.asarray(color, dtype=np.float32) / 255.0
    out = region * (1.0 - m * (1.0 - c))
    page.paste(Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB"), (x0, y0))
    seen = (m[..., 0] > 0.08).nonzero()
    if len(seen[0]) == 0:
        return None
    return (x0 + int(seen[1].min()), y0 + int(seen[0].min()),
            x0 + int(seen[1].max()) + 1, y0 + int(seen[0].max()) + 1)


def texture(mask: Image.Image, rng: random.Random, lo: float = 0.55) -> Image.Image:
    """Uneven ink: low-frequency blotches and small gaps multiplied into the mask."""
    nrng = np.random.default_rng(rng.randrange(2**32))
    small = nrng.uniform(lo, 1.0, size=(8, 8)).astype(np.float32)
    blot = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize(
        mask.size, Image.Resampling.BICUBIC), dtype=np.float32) / 255.0
    gaps = (nrng.random((mask.height, mask.width)) > 0.04).astype(np.float32)
    arr = np.asarray(mask, dtype=np.float32) * blot * (0.5 + 0.5 * gaps)
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))


def seal_mask(text: str, rng: random.Random, dpi: int) -> Image.Image:
    """A round seal: outer ring, inner ring, text around the top and a central star."""
    r = mm_px(rng.uniform(17, 19.5), dpi)
    size = int(2 * r + mm_px(3, dpi))
    c = size / 2
    img = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(img)
    ring = max(2, int(mm_px(0.9, dpi)))
    d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=ring)
    ri = r - mm_px(6.3, dpi)
    d.ellipse((c - ri, c - ri, c + ri, c + ri), outline=255, width=max(1, ring // 2))
    fnt = font_file(str(STAMP_FILE), int(mm_px(3.1, dpi)))
    tr = r - mm_px(4.4, dpi)
    advances = [fnt.getlength(ch) * 1.08 for ch in text]
    natural = sum(advances) / tr
    span = min(max(natural, math.radians(rng.uniform(250, 290))), math.radians(320))
    scale = span / natural
    a = -math.pi / 2 - span / 2
    for ch, adv in zip(text, advances, strict=True):
        step = adv / tr * scale
        mid = a + step / 2
        glyph = Image.new("L", (int(adv * 2) + 4, int(adv * 2) + 4), 0)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, fill=255, font=fnt,
                                   anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid) - 90, resample=Image.Resampling.BICUBIC)
        gx = c + tr * math.cos(mid) - glyph.width / 2
        gy = c + tr * math.sin(mid) - glyph.height / 2
        img.paste(255, (int(gx), int(gy)), glyph)
        a += step
    sr = mm_px(rng.uniform(3.5, 5), dpi)
    pts = []
    for i in range(10):
        ang = -math.pi / 2 + i * math.pi / 5
        rad = sr if i % 2 == 0 else sr * 0.4
        pts.append((c + rad * math.cos(ang), c + rad * math.sin(ang)))
    d.polygon(pts, fill=255)
    img = img.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    return texture(img, rng)


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, n: int = 24) -> list[Point]:
    """Points on a cubic Bézier curve."""
    out = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        out.append((u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]))
    return out


def signature_mask(w: int, h: int, rng: random.Random, dpi: int) -> Image.Image:
    """A hand-drawn signature: joined random Bézier strokes plus a flourish."""
    k = 2
    img = Image.new("L", (w * k, h * k), 0)
    d = ImageDraw.Draw(img)
    base = mm_px(rng.uniform(0.35, 0.6), dpi) * k
    n = rng.randint(4, 8)
    xs = sorted(rng.uniform(0.05, 0.9) * w * k for _ in range(n))
    pts = [(x, rng.uniform(0.25, 0.7) * h * k) for x in xs]
    for p0, p3 in zip(pts, pts[1:], strict=False):
        p1 = (p0[0] + rng.uniform(-0.1, 0.3) * w * k, p0[1] + rng.uniform(-0.5, 0.5) * h * k)
        p2 = (p3[0] + rng.uniform(-0.3, 0.1) * w * k, p3[1] + rng.uniform(-0.5, 0.5) * h * k)
        curve = _bezier(p0, p1, p2, p3)
        for a, b in zip(curve, curve[1:], strict=False):
            d.line([a, b], fill=255, width=max(1, int(base * rng.uniform(0.7, 1.2))))
    y = rng.uniform(0.6, 0.85) * h * k
    sw = _bezier((pts[-1][0], pts[-1][1]), (w * k * 0.95, y), (w * k * 0.3, y + h * k * 0.1),
                 (rng.uniform(0.05, 0.25) * w * k, y + rng.uniform(-0.1, 0.1) * h * k))
    d.line(sw, fill=255, width=max(1, int(base * 0.8)), joint="curve")
    img = img.resize((w, h), Image.Resampling.LANCZOS)
    return img.filter(ImageFilter.GaussianBlur(0.5))


def hand_mask(text: str, height: float, rng: random.Random) -> Image.Image:
    """Handwritten text: oblique glyphs, each jittered in size, angle and baseline."""
    glyphs: list[Image.Image] = []
    for ch in text:
        size = int(height * rng.uniform(1.15, 1.45))
        fnt = font_file(str(HAND_FILE), max(6, size))
        g = Image.new("L", (int(size * 1.2), int(size * 1.6)), 0)
        ImageDraw.Draw(g).text((size * 0.1, size * 1.25), ch, fill=255, font=fnt, anchor="ls",
                               stroke_width=max(0, int(size / 40)), stroke_fill=255)
        g = g.rotate(rng.uniform(-9, 9), resample=Image.Resampling.BICUBIC)
        g = g.transform(g.size, Image.Transform.AFFINE,
                        (1, rng.uniform(-0.15, 0.25), 0, 0, rng.uniform(0.9, 1.1), 0),
                        resample=Image.Resampling.BICUBIC)
        box = g.getbbox() or (0, 0, 1, 1)
        glyphs.append(g.crop((box[0], 0, box[2], g.height)))
    total = sum(g.width for g in glyphs) + int(height * 0.12) * len(glyphs) + 4
    out = Image.new("L", (total, glyphs[0].height + int(height * 0.4)), 0)
    x = 2
    for g in glyphs:
        out.paste(255, (x, int(rng.uniform(0, height * 0.3))), g)
        x += g.width + int(height * rng.uniform(0.02, 0.2))
    return out.filter(ImageFilter.GaussianBlur(0.6))


def place_hand(page: Image.Image, text: str, slot: Box, rng: random.Random,
               color: tuple[int, int, int]) -> Box | None:
    """Write handwritten text into a blank slot; return its ink box on the page."""
    h = slot[3] - slot[1]
    m = hand_mask(text, h * 0.72, rng)
    box = m.getbbox() or (0, 0, m.width, m.height)
    m = m.crop(box)
    cx = (slot[0] + slot[2]) / 2 + rng.uniform(-0.15, 0.15) * (slot[2] - slot[0])
    x = int(cx - m.width / 2)
    y = int(slot[3] - m.height + rng.uniform(-0.1, 0.25) * h)
    return apply_ink(page, m, color, rng.uniform(0.85, 0.97), (x, y))
