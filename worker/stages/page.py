"""The page stages, run in a worker process: load, clean, recognise once, compose the PDF page."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from documents.pdfa import PagePart
from infra.tools import poppler, tesseract
from infra.tools.poppler import LayerPage
from models.errors import IntakeError, OutputError
from models.result import PageResult, Word
from models.text import normalize_text
from worker.options import PipelineOptions
from worker.split.blank import measure_ink
from worker.split.separator import find_separator
from worker.stages.cleanup import CleanedPage, CleanOptions, clean_page
from worker.stages.compose import ComposeOptions, compose_page
from worker.stages.handread import BLANK_REASONS, timed_hand_lines
from worker.stages.handread import REASONS as HAND_REASONS
from worker.stages.load import PageSource, guess_resolution, load_image_page, paper_of
from worker.stages.marks import read_marks
from worker.stages.ocr import mean_confidence, parse_tsv, words_to_text
from worker.stages.pdfimage import page_image
from worker.stages.pdftext import normalise_text_layer
from worker.stages.reread import reread_signer_name

log = logging.getLogger(__name__)

A4_LONG_SIDE_INCHES = 11.69
MIN_NATIVE_DPI = 190  # pages at this resolution or above are recognised as they are
COPY_MIN_DPI = 200  # Nghị định 30, Phụ lục I, Phần II: an electronic copy's scan resolution
MAX_OCR_PIXELS = 80_000_000  # about A2 at 300 dpi; larger pages are recognised at a lower dpi
BLANK_MIN_PIXELS = 150  # fewer dark pixels (at 300 dpi) than one printed letter: nothing to read


@dataclass(frozen=True)
class PageTask:
    """One page to process: where it comes from, where to write, and how."""

    source: PageSource
    work_dir: Path
    options: PipelineOptions
    layer: LayerPage | None = None  # a good existing text layer: keep it, do not OCR
    # A kept page that draws nothing but text: no stamp can be missing from its layer
    # (worker.stages.layermarks).
    text_only: bool = False


@dataclass(frozen=True)
class PageOutput:
    """A processed page: its result and the part that goes into the PDF (None if it failed)."""

    result: PageResult
    part: PagePart | None
    preview: Path | None = None  # a small JPEG of the page as in the PDF (options.preview_dpi)


def run_page(task: PageTask) -> PageOutput:
    """Process one page; never raises: a failure is recorded in the page result."""
    try:
        if task.layer is not None:
            return _keep_text_layer(task)
        return _recognise_page(task)
    except IntakeError as exc:
        log.warning("page %d of %s failed: %s", task.source.index + 1, task.source.path, exc)
        return PageOutput(PageResult(index=task.source.index, source="ocr", error=exc.to_dict()), None)
    except Exception as exc:  # noqa: BLE001 - a page must never take the document down unreported
        log.exception("page %d of %s crashed", task.source.index + 1, task.source.path)
        err = {"code": "internal", "message": f"{type(exc).__name__}: {exc}"}
        return PageOutput(PageResult(index=task.source.index, source="ocr", error=err), None)


@dataclass(frozen=True)
class ScanCheck:
    """What the page image says about the paper scan (Nghị định 30, Phụ lục I, Phần II)."""

    dpi: float | None  # the scan's own resolution; None: a page rendered from vector content
    paper: str | None  # A4, A5, ... when the page size is known to be a paper size
    reasons: list[str]  # why it is not an eligible electronic copy: [] when it is


def load_page(source: PageSource, opts: PipelineOptions) -> tuple[np.ndarray, int, ScanCheck]:
    """Decode a page to BGR at (about) the OCR resolution; return it, its dpi and the scan check.

    A scan below MIN_NATIVE_DPI is upsampled for recognition only: the check keeps its own
    resolution, compose writes no layer above it, and the page is marked low_resolution.
    """
    dpi: float
    scan_dpi: float | None
    known = True
    if source.kind == "pdf":
        direct = page_image(source.path, source.index, opts.max_pixels, timeout=opts.tool_timeout)
        if direct is not None:
            img, dpi = direct[0].convert("RGB") if direct[0].mode != "RGB" else direct[0], direct[1]
            scan_dpi = dpi
        else:
            img = poppler.render_page(
                source.path, source.index + 1, opts.ocr_dpi, timeout=opts.tool_timeout,
                max_pixels=opts.max_pixels,
            )
            dpi, scan_dpi = opts.ocr_dpi, None
    else:
        img, declared = load_image_page(source, opts.max_pixels)
        guess = None if declared else guess_resolution(*img.size)
        if declared:
            dpi = declared
        elif guess is not None:
            dpi = guess[1]
        else:
            # No tag and no paper size at a scanner resolution: A4 is assumed, and said so.
            dpi, known = max(img.size) / A4_LONG_SIDE_INCHES, False
        scan_dpi = dpi
    bgr = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    del img
    check = _check_scan(bgr, dpi, scan_dpi, known)
    scale = opts.ocr_dpi / dpi
    # Tesseract reads 200-300 dpi as it is; upsampling a 200-dpi bitonal fax blurs its strokes
    # and costs recall (measured: 0.995 -> 0.957 word recall), so only lower resolutions are scaled.
    if dpi >= MIN_NATIVE_DPI and scale >= 0.8:
        return bgr, round(dpi), check
    h, w = bgr.shape[:2]
    scale = min(scale, (MAX_OCR_PIXELS / (h * w)) ** 0.5)
    interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    bgr = cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=interp)
    if check.dpi is not None and scale < 1:  # downsampled: that is what the PDF keeps
        reasons = check.reasons
        if dpi * scale < COPY_MIN_DPI * 0.99 and not any(r.startswith("low_") for r in reasons):
            reasons = [f"low_resolution:{round(dpi * scale)}dpi", *reasons]  # a huge sheet
        check = ScanCheck(dpi * scale, check.paper, reasons)
    return bgr, round(dpi * scale), check


def _check_scan(bgr: np.ndarray, dpi: float, scan_dpi: float | None, known: bool) -> ScanCheck:
    """The page's size and resolution against Phụ lục I: colour, >= 200 dpi, 100% scale."""
    h, w = bgr.shape[:2]
    paper = paper_of(w / dpi, h / dpi) if known else None
    if scan_dpi is None:  # rendered from the PDF's own content: not a scan
        return ScanCheck(None, paper, [])
    reasons = []
    if scan_dpi < COPY_MIN_DPI * 0.99:  # 1%: scanner software rounds the page box
        reasons.append(f"low_resolution:{round(scan_dpi)}dpi")
    if not known:
        reasons.append("unknown_size")
    sample = bgr[::7, ::7]
    if np.array_equal(sample[..., 0], sample[..., 1]) and np.array_equal(sample[..., 1], sample[..., 2]):
        reasons.append("not_colour")  # a grey or bitonal scan
    return ScanCheck(scan_dpi, paper, reasons)


@dataclass(frozen=True)
class Recognised:
    """A page loaded, cleaned and recognised (not yet composed)."""

    result: PageResult
    cleaned: CleanedPage | None  # None for a separator sheet: it is neither cleaned nor recognised
    text_pdf: Path | None


def recognise_page(source: PageSource, opts: PipelineOptions, work_dir: Path) -> Recognised:
    """Load, clean and recognise one scanned page, Tesseract run once."""
    idx = source.index
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    bgr, dpi, scan = load_page(source, opts)
    timings["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if find_separator(bgr, dpi) is not None:
        # A separator sheet only cuts the batch: no clean-up, no OCR, no PDF page.
        timings["separator"] = time.perf_counter() - t0
        result = PageResult(index=idx, source="ocr", dpi=dpi, separator=True, timings=_rounded(timings))
        return Recognised(result, None, None)
    timings["separator"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    cleaned = clean_page(bgr, dpi, _clean_options(opts, work_dir))
    del bgr
    timings["clean"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ink = measure_ink(cleaned.ocr_image, cleaned.archive_image, dpi)
    timings["blank"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    base = work_dir / f"page-{idx:04d}"
    text_pdf: Path | None = None
    words: list[Word] = []
    if ink.dark >= BLANK_MIN_PIXELS:  # a page with no dark ink at all is not given to Tesseract
        # Uncompressed PGM: written and read in a few ms, where PNG costs ~80 ms per page.
        pgm = base.with_suffix(".pgm")
        cv2.imwrite(str(pgm), cleaned.ocr_image)
        rec = tesseract.recognise(
            pgm, base, language=opts.language, dpi=dpi, timeout=opts.tool_timeout
        )
        pgm.unlink(missing_ok=True)
        words = parse_tsv(rec.tsv)
        normalise_text_layer(rec.pdf)  # the copy-paste text must match `words`: NFC, Đ not Ð
        text_pdf = rec.pdf
    timings["ocr"] = time.perf_counter() - t0
    height, width = cleaned.ocr_image.shape[:2]
    result = PageResult(
        index=idx,
        source="ocr",
        rotation=cleaned.rotation,
        skew=round(cleaned.skew, 2),
        width=width,
        height=height,
        dpi=dpi,
        scan_dpi=None if scan.dpi is None else round(scan.dpi, 1),
        paper=scan.paper,
        copy_reasons=scan.reasons,
        mean_confidence=mean_confidence(words),
        text=words_to_text(words),
        words=words,
        timings={**_rounded(cleaned.timings), **_rounded(timings)},
        blank=ink.blank,
    )
    look_again(result, cleaned, base, opts)
    return Recognised(result, cleaned, text_pdf)


def look_again(result: PageResult, cleaned: CleanedPage, base: Path,
               opts: PipelineOptions) -> None:
    """The steps after the first OCR run, on the same cleaned page: the coloured stamps the
    clean-up removed from the OCR image (MẬT, HỎA TỐC, CÔNG VĂN ĐẾN) read apart, and a second
    look at a signer name the first reading lost, and a second reading of the first page's
    handwritten number and day (`hand_again`)."""
    found = read_marks(cleaned.archive_image, result.dpi, base, language=opts.language,
                       timeout=opts.tool_timeout)
    result.marks, result.marks_checked = found.marks, found.checked
    result.timings.update(_rounded(found.timings))
    t0 = time.perf_counter()
    result.rereads = reread_signer_name(result, cleaned.ocr_image, base, language=opts.language,
                                        timeout=opts.tool_timeout)
    result.timings["reread"] = round(time.perf_counter() - t0, 3)
    hand_again(result, cleaned, opts)


def hand_again(result: PageResult, cleaned: CleanedPage, opts: PipelineOptions) -> None:
    """The digit recogniser's second reading of the number and date lines of a first page,
    on the colour page (the clean-up removed blue ink from the OCR image): only when the first
    reading of that line is missing or needs review. `timings['handread']` is its cost."""
    if not opts.hand_digits:
        return
    result.rereads = [r for r in result.rereads
                      if r.reason not in HAND_REASONS and r.reason not in BLANK_REASONS]
    found, spent = timed_hand_lines(result, cleaned.archive_image)
    result.rereads += found
    result.timings["handread"] = round(spent, 3)


def clean_again(source: PageSource, opts: PipelineOptions, work_dir: Path) -> CleanedPage:
    """Load and clean a page exactly as `recognise_page` does, without recognising it: for the
    steps after OCR taken again on a page recognised before (the benchmarks' OCR caches)."""
    bgr, dpi, _ = load_page(source, opts)
    return clean_page(bgr, dpi, _clean_options(opts, work_dir))


def _clean_options(opts: PipelineOptions, work_dir: Path) -> CleanOptions:
    return CleanOptions(detect_orientation=opts.detect_orientation,
                        osd_timeout=opts.tool_timeout, work_dir=work_dir)


def _recognise_page(task: PageTask) -> PageOutput:
    """Recognise one scanned page and compose its PDF page."""
    rec = recognise_page(task.source, task.options, task.work_dir)
    opts, cleaned = task.options, rec.cleaned
    if cleaned is None:
        return PageOutput(rec.result, None)  # a separator sheet: dropped from the PDF
    t0 = time.perf_counter()
    out = task.work_dir / f"page-{task.source.index:04d}.page.pdf"
    compose_page(
        cleaned.archive_image,
        cleaned.text_mask,
        rec.result.dpi,
        rec.text_pdf,
        out,
        ComposeOptions(background_dpi=opts.background_dpi, jpeg_quality=opts.jpeg_quality,
                       foreground_dpi=opts.foreground_dpi,
                       foreground_quality=opts.foreground_quality),
        scan_dpi=rec.result.scan_dpi,
    )
    rec.result.timings["compose"] = round(time.perf_counter() - t0, 3)
    preview = None
    if opts.preview_dpi:
        preview = task.work_dir / f"page-{task.source.index:04d}.preview.jpg"
        _write_preview(cleaned.archive_image, rec.result.dpi, opts.preview_dpi, preview)
    return PageOutput(rec.result, out, preview)


def _write_preview(archive: np.ndarray, dpi: int, preview_dpi: int, out: Path) -> None:
    """The cleaned colour page, as the PDF shows it, scaled down for a review screen."""
    scale = min(1.0, preview_dpi / max(1, dpi))
    h, w = archive.shape[:2]
    small = cv2.resize(archive, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA)
    if not cv2.imwrite(str(out), small, [cv2.IMWRITE_JPEG_QUALITY, 75]):
        raise OutputError(f"could not write the page preview {out.name}")


def layer_page_result(index: int, layer: LayerPage, dpi: int) -> PageResult:
    """A born-digital page's own text as a page result: words in pixels at `dpi`, no OCR."""
    scale = dpi / 72.0
    words: list[Word] = []
    line, prev_bottom = 0, -1.0
    for w in layer.words:
        x0, y0, x1, y1 = w.bbox
        if prev_bottom >= 0 and y0 > prev_bottom - (y1 - y0) * 0.5:
            line += 1
        prev_bottom = y1
        box = (round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale))
        words.append(Word(text=normalize_text(w.text), bbox=box, conf=100.0, line=line))
    return PageResult(
        index=index,
        source="text_layer",
        width=round(layer.width * scale),
        height=round(layer.height * scale),
        dpi=dpi,
        mean_confidence=None,
        text=words_to_text(words),
        words=words,
    )


def _keep_text_layer(task: PageTask) -> PageOutput:
    """A born-digital page with a good text layer: keep the page and its text, no OCR."""
    assert task.layer is not None
    result = layer_page_result(task.source.index, task.layer, task.options.ocr_dpi)
    result.marks_checked = task.text_only
    return PageOutput(result, (task.source.path, task.source.index))


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}
