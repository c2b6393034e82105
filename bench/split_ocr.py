"""Page results of generated batch pages, computed with the pipeline's page stage and cached as JSON."""

from __future__ import annotations

import hashlib
import json
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

from bench.split_data import image_bytes
from models.result import PageResult
from worker.options import PipelineOptions
from worker.stages.load import PageSource
from worker.stages.page import recognise_page

CACHE = Path(__file__).parent / "results" / "splitting"
OPTIONS = PipelineOptions(workers=1)
VERSION = "split-v1"  # bump when the page stage changes what it records


def page_key(img: Image.Image) -> str:
    """Content hash of a page image plus the settings that shape its result."""
    h = hashlib.sha1(VERSION.encode())
    h.update(f"{OPTIONS.language}{OPTIONS.ocr_dpi}".encode())
    h.update(image_bytes(img))
    return h.hexdigest()


def _recognise(png: str) -> dict[str, object]:
    """One page through load, separator check, clean-up, blank check and Tesseract (no compose)."""
    path = Path(png)
    with tempfile.TemporaryDirectory(prefix="split-bench-") as work:
        rec = recognise_page(PageSource(path, "image", 0), OPTIONS, Path(work))
    return rec.result.model_dump(mode="json")


def page_results(images: list[Image.Image], workers: int = 2) -> tuple[list[PageResult], int]:
    """PageResults of the pages (index = position), from the cache when present; also how many were run."""
    CACHE.mkdir(parents=True, exist_ok=True)
    keys = [page_key(img) for img in images]
    todo = {k: img for k, img in zip(keys, images, strict=True) if not (CACHE / f"{k}.json").exists()}
    if todo:
        with tempfile.TemporaryDirectory(prefix="split-bench-") as tmp, \
                ProcessPoolExecutor(max_workers=max(1, min(workers, 2))) as pool:
            pngs = []
            for k, img in todo.items():
                png = Path(tmp) / f"{k}.png"
                img.save(png, dpi=img.info.get("dpi", (300, 300)))
                pngs.append(str(png))
            for k, data in zip(todo, pool.map(_recognise, pngs), strict=True):
                (CACHE / f"{k}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = []
    for i, k in enumerate(keys):
        res = PageResult.model_validate_json((CACHE / f"{k}.json").read_text(encoding="utf-8"))
        out.append(res.model_copy(update={"index": i}))
    return out, len(todo)


def load_results(keys: list[str]) -> list[PageResult] | None:
    """Cached page results by key (index = position); None when one is missing."""
    out = []
    for i, k in enumerate(keys):
        path = CACHE / f"{k}.json"
        if not path.exists():
            return None
        res = PageResult.model_validate_json(path.read_text(encoding="utf-8"))
        out.append(res.model_copy(update={"index": i}))
    return out
