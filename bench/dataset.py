"""Build the benchmark's degraded set with the project's generator (known ground truth)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from synth import DEGRADATIONS, degrade, make_document


@dataclass(frozen=True)
class BenchDoc:
    """One benchmark input: a scanned PDF, its raw page images and the words printed on it."""

    kind: str
    pdf: Path
    pages: list[Path]
    truth_words: list[str]


def build_set(out: Path, pages_per_kind: int, seed: int = 7) -> list[BenchDoc]:
    """One image-only PDF per degradation, `pages_per_kind` pages each, plus the raw pages."""
    out.mkdir(parents=True, exist_ok=True)
    docs: list[BenchDoc] = []
    for k, kind in enumerate(DEGRADATIONS):
        rng = random.Random(seed * 1000 + k)
        doc = make_document(seed * 100 + k, pages=pages_per_kind)
        images: list[Image.Image] = []
        paths: list[Path] = []
        for i, page in enumerate(doc.pages):
            img = degrade(page, kind, rng)
            dpi = int(img.info.get("dpi", (doc.dpi, doc.dpi))[0])
            path = out / f"{kind}-p{i + 1}.png"
            img.save(path, dpi=(dpi, dpi))
            images.append(img)
            paths.append(path)
        pdf = out / f"{kind}.pdf"
        dpi = int(images[0].info.get("dpi", (doc.dpi, doc.dpi))[0])
        first, rest = images[0], images[1:]
        first.save(pdf, format="PDF", save_all=True, append_images=rest, resolution=dpi)
        truth = [str(w) for w in doc.truth["body_words"]]
        (out / f"{kind}.truth.json").write_text(
            json.dumps({"body_words": truth}, ensure_ascii=False), encoding="utf-8"
        )
        docs.append(BenchDoc(kind, pdf, paths, truth))
    return docs
