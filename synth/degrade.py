"""Realistic scanner degradations of a page image (seeded, never adversarial)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

DEGRADATIONS: tuple[str, ...] = ("clean", "skew", "noise", "blur", "paper", "borders", "fax",
                                 "upside_down", "jpeg", "rotated90")
FAX_DPI = 200


def source_dpi(img: Image.Image) -> float:
    """Resolution recorded in the image info (300 if absent)."""
    dpi = img.info.get("dpi", (300, 300))
    return float(dpi[0] if isinstance(dpi, tuple | list) else dpi) or 300.0


def _rgb(img: Image.Image) -> Image.Image:
    """The image as RGB (copy)."""
    return img.convert("RGB") if img.mode != "RGB" else img.copy()


def _np_rng(rng: random.Random) -> np.random.Generator:
    """A numpy generator seeded from the python rng."""
    return np.random.default_rng(rng.randrange(2**32))


def _skew(img: Image.Image, rng: random.Random) -> Image.Image:
    """Rotate by a small angle (mostly 1-4 degrees, up to 10) with paper-white fill."""
    mag = rng.uniform(1, 4) if rng.random() < 0.7 else rng.uniform(4, 10)
    angle = rng.choice((-1, 1)) * mag
    src = _rgb(img)
    out = src.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False,
                     fillcolor=(255, 255, 255))
    out.info["skew_degrees"] = angle
    return out


def _noise(img: Image.Image, rng: random.Random) -> Image.Image:
    """Gaussian sensor noise plus sparse salt-and-pepper speckle."""
    g = _np_rng(rng)
    arr = np.asarray(_rgb(img), dtype=np.float32)
    arr += g.normal(0, rng.uniform(5, 12), size=arr.shape[:2])[..., None]
    h, w = arr.shape[:2]
    pepper = Image.fromarray(((g.random((h, w)) < rng.uniform(4e-5, 2e-4)) * 255)
                             .astype(np.uint8)).filter(ImageFilter.MaxFilter(3))
    pm = np.asarray(pepper) > 0
    arr[pm] = g.uniform(20, 90, size=(int(pm.sum()), 1))
    salt = g.random((h, w)) < rng.uniform(2e-5, 1e-4)
    arr[salt] = 255
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


def _blur(img: Image.Image, rng: random.Random) -> Image.Image:
    """Out-of-focus blur scaled to the resolution."""
    return _rgb(img).filter(ImageFilter.GaussianBlur(rng.uniform(0.7, 1.5) * source_dpi(img) / 300))


def _paper(img: Image.Image, rng: random.Random) -> Image.Image:
    """Yellowish paper tone and an uneven lighting gradient."""
    arr = np.asarray(_rgb(img), dtype=np.float32) / 255.0
    h, w = arr.shape[:2]
    tone = np.array([rng.uniform(0.95, 0.99), rng.uniform(0.91, 0.96), rng.uniform(0.78, 0.88)],
                    dtype=np.float32)
    a = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (np.cos(a) * xx / w + np.sin(a) * yy / h)
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    light = 1.0 - rng.uniform(0.06, 0.16) * t
    paper = tone[None, None, :] * light[..., None]
    out = arr * paper
    return Image.fromarray((out * 255).clip(0, 255).astype(np.uint8), "RGB")


def _borders(img: Image.Image, rng: random.Random) -> Image.Image:
    """Dark scanner-lid borders 20-120 px wide on some sides."""
    out = _rgb(img)
    d = ImageDraw.Draw(out)
    w, h = out.size
    sides = [s for s in ("left", "right", "top", "bottom") if rng.random() < 0.5] or ["left"]
    for s in sides:
        k = rng.randint(20, 120)
        shade = rng.randint(15, 70)
        box = {"left": (0, 0, k, h), "right": (w - k, 0, w, h), "top": (0, 0, w, k),
               "bottom": (0, h - k, w, h)}[s]
        d.rectangle(box, fill=(shade, shade, shade + rng.randint(0, 8)))
    return _noise_light(out, rng)


def _noise_light(img: Image.Image, rng: random.Random) -> Image.Image:
    """Very light gaussian noise so flat borders look scanned."""
    arr = np.asarray(img, dtype=np.float32)
    arr += _np_rng(rng).normal(0, 3, size=arr.shape[:2])[..., None]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


def _fax(img: Image.Image, rng: random.Random) -> Image.Image:
    """200-dpi bitonal scan: downsample, threshold, mode "1"."""
    scale = FAX_DPI / source_dpi(img)
    grey = img.convert("L")
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    small = grey.resize(size, Image.Resampling.LANCZOS)
    arr = np.asarray(small, dtype=np.float32) + _np_rng(rng).normal(0, 6, size=small.size[::-1])
    thr = rng.uniform(150, 180)
    out = Image.fromarray(((arr > thr) * 255).astype(np.uint8)).convert("1", dither=None)
    return out


def _rotate(img: Image.Image, rng: random.Random, angle: int) -> Image.Image:
    """Rotate by a right angle (counter-clockwise degrees)."""
    out = img.rotate(angle, expand=True)
    out.info["rotation"] = angle
    return out


def _jpeg(img: Image.Image, rng: random.Random) -> Image.Image:
    """Strong JPEG artefacts (quality 15-30)."""
    buf = io.BytesIO()
    src = img.convert("RGB") if img.mode not in ("RGB", "L") else img
    src.save(buf, "JPEG", quality=rng.randint(15, 30))
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out.convert("RGB") if out.mode != "L" else out


STEPS: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "clean": lambda im, r: im.copy(),
    "skew": _skew, "noise": _noise, "blur": _blur, "paper": _paper, "borders": _borders,
    "fax": _fax, "jpeg": _jpeg,
    "upside_down": lambda im, r: _rotate(im, r, 180),
    "rotated90": lambda im, r: _rotate(im, r, r.choice((90, 270))),
}


def degrade(img: Image.Image, kind: str, rng: random.Random) -> Image.Image:
    """Apply one degradation (or a `+`-joined chain such as `paper+skew`) to a page image."""
    out = img
    dpi = source_dpi(img)
    for step in kind.split("+"):
        if step not in STEPS:
            raise ValueError(f"unknown degradation {step!r}; expected one of {DEGRADATIONS}")
        extra = {k: v for k, v in out.info.items() if k in ("skew_degrees", "rotation")}
        out = STEPS[step](out, rng)
        if step == "fax":
            dpi = FAX_DPI
        out.info.update({k: v for k, v in extra.items() if k not in out.info})
        out.info["dpi"] = (dpi, dpi)
    return out
