"""Test pages made with Pillow (text, red seal, blue signature) and helpers to render PDFs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from worker.stages.compose import ComposeOptions, compose_page

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
DPI = 300
A4 = (2480, 3508)
LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Quyết định về việc phê duyệt kế hoạch năm 2024",
    "Điều 1. Giao nhiệm vụ cho các cơ quan, đơn vị trực thuộc thực hiện.",
    "Điều 2. Chánh Văn phòng, Giám đốc các Sở, ngành chịu trách nhiệm thi hành.",
]
SEAL = (1600, 2700, 2000, 3100)  # bounding box of the red seal ring, in pixels
FIRST_LINE_XY = (200, 200)


def make_page(kind: str = "colour") -> np.ndarray:
    """Draw an A4 300 dpi page: 'colour', 'fax' (bitonal, noisy) or 'yellowed' (stained)."""
    rng = np.random.default_rng(7)
    paper = {"colour": (250, 248, 240), "fax": (255, 255, 255), "yellowed": (232, 220, 182)}
    img = Image.new("RGB", A4, paper[kind])
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 42)
    ink = (25, 25, 25) if kind != "yellowed" else (42, 38, 34)
    y = FIRST_LINE_XY[1]
    for i in range(24):
        draw.text((FIRST_LINE_XY[0], y), LINES[i % len(LINES)], font=font, fill=ink)
        y += 100
    if kind != "fax":
        draw.ellipse(SEAL, outline=(210, 30, 30), width=14)
        draw.text((1680, 2870), "CON DẤU", font=font, fill=(210, 30, 30))
        draw.line((1500, 3000, 2100, 2850), fill=(30, 50, 200), width=6)
    bgr = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    if kind == "fax":
        # Fax: hard threshold and salt-and-pepper specks, as a 1-bit scan looks.
        grey = np.where(bgr[..., 0] < 128, 0, 255).astype(np.uint8)
        grey[rng.random(grey.shape) < 0.0005] = 0
        bgr = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    elif kind == "yellowed":
        # Aged paper: a brownish stain, a gradient and scanner noise.
        yy, xx = np.mgrid[0 : A4[1], 0 : A4[0]].astype(np.float32)
        stain = np.exp(-((xx - 700) ** 2 + (yy - 2900) ** 2) / (2 * 300.0**2)) * 40
        shade = stain + yy / A4[1] * 15 + rng.normal(0, 3, yy.shape)
        bgr = np.clip(bgr.astype(np.float32) - shade[..., None], 0, 255).astype(np.uint8)
    return bgr


def text_mask(bgr: np.ndarray) -> np.ndarray:
    """Mark dark, low-saturation pixels (black ink, not the red seal or blue pen) as text."""
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    return ((hsv[..., 2] < 140) & (hsv[..., 1] < 120)).astype(np.uint8) * 255


def render(pdf: Path, dpi: int, *, antialias: bool = True) -> np.ndarray:
    """Render page 1 of `pdf` with pdftoppm and return it as an RGB array."""
    args = ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png"]
    if not antialias:
        args += ["-aa", "no", "-aaVector", "no"]
    png = subprocess.run([*args, str(pdf)], capture_output=True, check=True).stdout
    return cv2.cvtColor(
        cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )


def test_g4_stencil_renders_exactly_the_mask(tmp_path: Path) -> None:
    """The CCITT G4 stencil decodes to the same pixels as the mask, with the right polarity."""
    bgr = make_page("fax")
    mask = text_mask(bgr)
    page = compose_page(bgr, mask, DPI, None, tmp_path / "p.pdf", ComposeOptions())
    assert page.background == "none"
    shown = render(page.path, DPI, antialias=False)
    dark = shown.max(axis=2) < 128
    assert dark.shape == mask.shape
    assert np.array_equal(dark, mask > 0)
