"""Generated scan batches with ground truth for the splitting benchmark and tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from bench.split_pages import blank_back, few_words, hide_page_number, stamp_only
from documents.separator import separator_pdf
from infra.tools import poppler
from synth import degrade, make_document

GENERATOR = "batches-v2"  # bump when make_batch changes what it generates
PAGE_DEGRADATIONS = ("clean", "noise", "skew", "paper", "jpeg", "paper+skew", "noise+skew")
SEPARATOR_DEGRADATIONS = ("clean", "skew", "noise", "upside_down", "fax", "paper+jpeg")


@dataclass
class BatchPage:
    """One scanned page of a batch and what it truly is."""

    image: Image.Image
    kind: str  # start | continuation | blank | marked (stamp or note on a back) | separator
    document: int  # 0-based document it belongs to (-1 for separators)


@dataclass
class Batch:
    """A generated batch: pages in scan order and the number of documents."""

    seed: int
    pages: list[BatchPage] = field(default_factory=list)
    documents: int = 0

    def starts(self) -> list[int]:
        """Indices of the true first pages of documents."""
        return [i for i, p in enumerate(self.pages) if p.kind == "start"]


@lru_cache(maxsize=1)
def separator_image() -> Image.Image:
    """The separator sheet rendered at 300 dpi, as a scanner would see the printed page."""
    tmp = Path("/tmp") / f"intake-separator-{id(separator_image)}.pdf"
    tmp.write_bytes(separator_pdf("bench"))
    img = poppler.render_page(tmp, 1, 300, timeout=60, max_pixels=10**8).convert("RGB")
    tmp.unlink(missing_ok=True)
    img.info["dpi"] = (300, 300)
    return img


def _page(img: Image.Image, rng: random.Random) -> Image.Image:
    """A page as scanned: one mild degradation."""
    return degrade(img, rng.choice(PAGE_DEGRADATIONS), rng)


def make_batch(seed: int, documents: int, *, blank_rate: float = 0.25, stamp_rate: float = 0.4,
               unnumbered_rate: float = 0.25, fax_rate: float = 0.15) -> Batch:
    """A stack of `documents` letters of 1-4 pages: blank or marked backs, stamps over headers."""
    rng = random.Random(seed)
    batch = Batch(seed=seed, documents=documents)
    for d in range(documents):
        doc = make_document(seed * 1000 + d, pages=rng.choices((1, 2, 3, 4), (40, 30, 20, 10))[0],
                            incoming_stamp=rng.random() < stamp_rate)
        duplex = rng.random() < blank_rate
        # A bitonal fax turns the red incoming stamp black, right over the national header.
        fax = rng.random() < fax_rate
        for i, front in enumerate(doc.pages):
            image = hide_page_number(doc, i) if i and rng.random() < unnumbered_rate else front
            scanned = degrade(image, "fax", rng) if fax else _page(image, rng)
            batch.pages.append(BatchPage(scanned, "start" if i == 0 else "continuation", d))
            if duplex:
                back = rng.random()
                if back < 0.12:
                    batch.pages.append(BatchPage(stamp_only(rng), "marked", d))
                elif back < 0.24:
                    batch.pages.append(BatchPage(few_words(rng), "marked", d))
                else:
                    batch.pages.append(BatchPage(blank_back(rng, front), "blank", d))
    return batch


def with_separators(batch: Batch, seed: int) -> Batch:
    """The same stack with a separator sheet (scanned a little differently each time) before each document."""
    rng = random.Random(seed)
    out = Batch(seed=batch.seed, documents=batch.documents)
    for page in batch.pages:
        if page.kind == "start":
            sep = degrade(separator_image(), rng.choice(SEPARATOR_DEGRADATIONS), rng)
            out.pages.append(BatchPage(sep, "separator", -1))
        out.pages.append(page)
    return out


def image_bytes(img: Image.Image) -> bytes:
    """Pixels of a page (with mode and size) for content hashing."""
    arr = np.asarray(img)
    return f"{img.mode}{img.size}".encode() + arr.tobytes()


def write_pdf(pages: list[Image.Image], path: Path) -> Path:
    """Write pages as one scanned PDF (each page image at its own dpi)."""
    first, *rest = [p if p.mode in ("RGB", "L", "1") else p.convert("RGB") for p in pages]
    dpi = first.info.get("dpi", (300, 300))[0]
    first.save(path, format="PDF", save_all=True, append_images=rest, resolution=float(dpi))
    return path
