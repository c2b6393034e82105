"""OCR for the extraction benchmark with the real pipeline pieces, cached as JSON by input sha1.

Pages are recognised the way `worker.stages.page` does it (load, clean, Tesseract once, parse TSV) but
without composing PDF pages, and born-digital pages keep their text layer as the pipeline does.
Results live under bench/results/ (git-ignored) so re-running the extractor costs nothing.
Pages cached before the page stage read coloured stamps (no `marks_checked` key) or took its
second look at a lost signer name by the current rules (no `SIGNER_LOOK` timing where one is
due) get them by loading and cleaning the page again and taking only those steps, without a new
full OCR. Which born-digital pages hold nothing but text (`worker.stages.layermarks`) is looked at
once per file and kept in its entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from PIL import Image

from infra.tools import poppler
from models.result import PageResult
from worker.options import PipelineOptions
from worker.stages.handread import BLANK_REASONS, hand_regions
from worker.stages.handread import REASONS as HAND_REASONS
from worker.stages.layermarks import text_only_pages
from worker.stages.load import PageSource, open_input
from worker.stages.marks import read_marks
from worker.stages.page import (
    clean_again,
    hand_again,
    layer_page_result,
    look_again,
    recognise_page,
)
from worker.stages.reread import SIGNER_LOOK, signer_name_region
from worker.stages.textlayer import judge_text_layer

CACHE = Path(__file__).parent / "results" / "extraction_ocr"
OPTIONS = PipelineOptions(workers=1)
# Timing key of a cached page read again for handwriting that gave nothing (not read again).
NOTHING_READ = "handread_nothing"


def sha1_of(path: Path) -> str:
    """Hex sha1 of a file (the labels' key)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha1").hexdigest()


def _recognise(source: PageSource, work: Path) -> PageResult:
    """Load, clean and recognise one page exactly as the pipeline does, minus composing."""
    return recognise_page(source, OPTIONS, work).result


def _needs_marks(page: dict[str, object]) -> bool:
    """A cached OCR page made before coloured stamps were read, or before black ones were
    (no `black_stamps` timing) and stamp outlines erased before reading: its marks are read again."""
    timings = page.get("timings")
    return page.get("source") == "ocr" and not page.get("error") and \
        not page.get("separator") and ("marks_checked" not in page or
                                       not isinstance(timings, dict) or "black_stamps" not in timings)


def _needs_reread(page: dict[str, object]) -> bool:
    """A cached OCR page made before the current rules of the second look at the signer's name
    (no `SIGNER_LOOK` timing), on which the page stage would take one."""
    timings = page.get("timings")
    if page.get("source") != "ocr" or page.get("error") or \
            isinstance(timings, dict) and SIGNER_LOOK in timings:
        return False
    return signer_name_region(PageResult.model_validate(page)) is not None


def _needs_hand(page: dict[str, object]) -> bool:
    """A cached OCR page made before the digit recogniser's second reading of handwritten
    numbers and days, on which the page stage would take one (a page on which it would not is
    marked as looked at, with no cost, and looked at again when the rules make one due)."""
    timings = page.get("timings")
    if page.get("source") != "ocr" or page.get("error") or not isinstance(timings, dict):
        return False
    if "handread" in timings:
        # Read before the blanks were read alone: a line was read again, no blank (a page
        # whose blank's printed words were not found is looked at again, a few seconds).
        rereads = page.get("rereads")
        reasons = {r.get("reason") for r in rereads if isinstance(r, dict)} \
            if isinstance(rereads, list) else set()
        if reasons & set(HAND_REASONS):
            return not reasons & set(BLANK_REASONS)
        # Nothing read again: due under today's rules (unless read since and nothing found).
        return NOTHING_READ not in timings and bool(hand_regions(PageResult.model_validate(page)))
    if hand_regions(PageResult.model_validate(page)):
        return True
    timings["handread"] = 0.0
    return False


def _stale(page: dict[str, object]) -> bool:
    """A cached page that lacks what the page stage now adds after the first OCR."""
    return _needs_marks(page) or _needs_reread(page) or _needs_hand(page)


def _refresh(page: dict[str, object], source: PageSource, work: Path) -> None:
    """Fill a cached page's coloured `marks` and second looks (`rereads`): load and clean it as
    the pipeline does, then take the steps that follow the first OCR (`worker.stages.page.look_again`)."""
    result = PageResult.model_validate(page)
    cleaned = clean_again(source, OPTIONS, work)
    base = work / f"page-{source.index:04d}"
    if "marks_checked" not in page or _needs_reread(page):
        look_again(result, cleaned, base, OPTIONS)
    else:
        if _needs_marks(page):  # the stamps only
            found = read_marks(cleaned.archive_image, result.dpi, base,
                               language=OPTIONS.language, timeout=OPTIONS.tool_timeout)
            result.marks, result.marks_checked = found.marks, found.checked
            result.timings.update({k: round(v, 3) for k, v in found.timings.items()})
        if "handread" not in result.timings or _needs_hand(page):
            hand_again(result, cleaned, OPTIONS)
            if not any(r.reason in HAND_REASONS for r in result.rereads):
                result.timings[NOTHING_READ] = 0.0
    page.update(result.model_dump(mode="json",
                                  include={"marks", "marks_checked", "rereads", "timings"}))


def _from_layer(index: int, layer: poppler.LayerPage, text_only: bool) -> PageResult:
    """A born-digital page kept as the pipeline keeps it (`worker.stages.page`)."""
    result = layer_page_result(index, layer, OPTIONS.ocr_dpi)
    result.marks_checked = text_only
    return result


def _text_only(path: Path, n_pages: int, stored: dict[str, object]) -> set[int]:
    """The file's pages that hold nothing but text (`worker.stages.layermarks`), looked at once
    per file and kept in its cache entry; cached born-digital pages made before are updated."""
    if "text_only_pages" not in stored:
        plain = text_only_pages(path, range(n_pages))
        stored["text_only_pages"] = sorted(plain)
        for key, page in stored.items():
            if key.isdigit() and isinstance(page, dict) and page.get("source") == "text_layer":
                page["marks_checked"] = int(key) in plain
    return set(stored["text_only_pages"])  # type: ignore[call-overload]


def _kept_layers(path: Path, n_pages: int) -> list[poppler.LayerPage | None]:
    """Each page's text layer when the pipeline would keep it (born-digital), else None."""
    layers: list[poppler.LayerPage | None] = [None] * n_pages
    for i, layer in enumerate(poppler.text_layer(path, timeout=300)[:n_pages]):
        if judge_text_layer(" ".join(w.text for w in layer.words)).keep:
            layers[i] = layer
    return layers


def ocr_file(path: Path, pages: list[int] | None = None, *,
             layer_pages: bool = False) -> list[PageResult]:
    """PageResults of the chosen 0-based pages of a file (all when None), from cache if present.

    With `layer_pages`, every page whose text layer the pipeline keeps is added: those cost no
    OCR, and the signer of a gazette decree sits in the middle of the file, not on its last pages.
    """
    key = sha1_of(path)
    cache = CACHE / f"{key}.json"
    stored: dict[str, object] = {}
    if cache.exists():
        stored = json.loads(cache.read_text(encoding="utf-8"))
    doc = open_input(path, max_pixels=OPTIONS.max_pixels, max_pages=OPTIONS.max_pages,
                     max_bytes=OPTIONS.max_bytes)
    wanted = list(range(len(doc.pages))) if pages is None else sorted(
        {p % len(doc.pages) for p in pages})
    layers: list[poppler.LayerPage | None] | None = None
    fresh = doc.kind == "pdf" and "text_only_pages" not in stored
    plain = _text_only(path, len(doc.pages), stored) if doc.kind == "pdf" else set()
    if layer_pages and doc.kind == "pdf":
        if "layer_pages" not in stored:
            layers = _kept_layers(path, len(doc.pages))
            stored["layer_pages"] = [i for i, la in enumerate(layers) if la is not None]
        wanted = sorted(set(wanted) | set(stored["layer_pages"]))  # type: ignore[call-overload]
    missing = [i for i in wanted if str(i) not in stored]
    stale = [i for i in wanted if str(i) in stored and _stale(stored[str(i)])]  # type: ignore[arg-type]
    if stale:
        with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
            for i in stale:
                _refresh(stored[str(i)], doc.pages[i], Path(tmp))  # type: ignore[arg-type]
        if not missing:
            _write(cache, stored)
    if missing:
        if layers is None:
            layers = _kept_layers(path, len(doc.pages)) if doc.kind == "pdf" else \
                [None] * len(doc.pages)
        with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
            for i in missing:
                layer = layers[i]
                if layer is not None:
                    res = _from_layer(i, layer, i in plain)
                else:
                    res = _recognise(doc.pages[i], Path(tmp))
                stored[str(i)] = res.model_dump(mode="json")
        _write(cache, stored)
    elif layers is not None or (fresh and not stale):
        _write(cache, stored)
    return [PageResult.model_validate(stored[str(i)]) for i in wanted]


def ocr_images(images: list[Image.Image], dpi: int, tag: str) -> list[PageResult]:
    """PageResults of rendered pages (generated documents), cached by a sha1 of the pixels."""
    h = hashlib.sha1(tag.encode())
    for img in images:
        h.update(img.tobytes())
    cache = CACHE / f"gen-{h.hexdigest()}.json"
    if cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if any(_stale(d) for d in data):
            with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
                for i, (img, d) in enumerate(zip(images, data, strict=True)):
                    if _stale(d):
                        png = Path(tmp) / f"in-{i}.png"
                        img.save(png, dpi=(dpi, dpi))
                        _refresh(d, PageSource(png, "png", 0), Path(tmp))
            _write(cache, data)
        return [PageResult.model_validate(d) for d in data]
    out: list[PageResult] = []
    with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp:
        for i, img in enumerate(images):
            png = Path(tmp) / f"in-{i}.png"
            img.save(png, dpi=(dpi, dpi))
            page = _recognise(PageSource(png, "png", 0), Path(tmp))
            out.append(page.model_copy(update={"index": i}))
    _write(cache, [p.model_dump(mode="json") for p in out])
    return out


def _write(cache: Path, data: object) -> None:
    """Write a cache file whole (temporary file, rename): another run may be reading it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache)
