"""Image benchmark of the PDF/A page (issue 14, docs/IMAGE.md): per page, KB and the effective dpi
of each layer, ours (mixed raster content) against today's layers (100-dpi q45 background, no
foreground) and against OCRmyPDF's PDF/A of the same page, in the same run.

Pages: the generated benchmark set (bench/dataset.py) and, when present, scanned pages of
../shared/corpus read in place (nothing copied). Image layers only: every method's text layer is
left out (ours composed without the OCR text, OCRmyPDF run with `--tesseract-timeout 0`), so the
figures compare pictures; the pipeline table gives whole files with their text.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pikepdf
from PIL import Image

from bench.measure import machine_description
from documents.pdfa import PlacedImage, placed_images
from worker.options import PipelineOptions
from worker.stages.cleanup import CleanOptions, clean_page
from worker.stages.compose import ComposeOptions, colour_ink, compose_page
from worker.stages.load import PageSource, paper_of
from worker.stages.page import ScanCheck, load_page
from worker.stages.pdfimage import page_image

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SCAN_FOLDERS = ("quangngai_vbhc", "more_agencies", "misc_signed", "bgddt_qd", "danang_sgddt")
A4_IN2 = 8.27 * 11.69

# Compositions measured on every page: the default first, today's layers last.
VARIANTS: dict[str, ComposeOptions] = {
    "jpeg 300 q50 (default)": ComposeOptions(),
    "jpeg 300 q35": ComposeOptions(foreground_quality=35),
    "jpeg 200 q50": ComposeOptions(foreground_dpi=200),
    "palette 300": ComposeOptions(foreground="palette"),
    "today (bg 100 q45)": ComposeOptions(foreground="none"),
}
DEFAULT, TODAY = "jpeg 300 q50 (default)", "today (bg 100 q45)"


@dataclass
class Composed:
    """One page composed one way."""

    kb: float
    kb_a4: float  # KB scaled to an A4 page's area
    layers: dict[str, float | None]  # background / foreground / text: lowest effective dpi
    ink_error: float | None  # mean |rendered - archive| over coloured-ink pixels, 0-255
    seconds: float


@dataclass
class PageRow:
    """One benchmark page and every method's result on it."""

    name: str
    scan: ScanCheck
    paper: str
    ink_px: int
    methods: dict[str, Composed] = field(default_factory=dict)


def _roles(images: list[PlacedImage]) -> dict[str, float | None]:
    """Lowest effective dpi per layer: background (unmasked colour), foreground, text stencil."""
    bg = [p.dpi for p in images if p.colour != "stencil" and p.mask_dpi is None]
    fg = [min(p.dpi, p.mask_dpi) for p in images if p.mask_dpi is not None]
    fg += [p.dpi for p in images if p.colour == "stencil" and p.name.startswith("Fp")]
    tx = [p.dpi for p in images if p.colour == "stencil" and not p.name.startswith("Fp")]
    return {"background": min(bg) if bg else None, "foreground": min(fg) if fg else None,
            "text": min(tx) if tx else None}


def _read(pdf: Path) -> tuple[list[PlacedImage], float]:
    with pikepdf.open(pdf) as doc:
        page = doc.pages[0]
        box = [float(v) for v in page.mediabox]
        return placed_images(page), (box[2] - box[0]) * (box[3] - box[1]) / 72 / 72


def _ink_error(pdf: Path, archive: np.ndarray, ink: np.ndarray, dpi: float) -> float | None:
    """How far the rendered page is from the cleaned scan where the coloured ink is."""
    if not ink.any():
        return None
    base = pdf.parent / f"{pdf.name}.render"
    subprocess.run(["pdftoppm", "-r", f"{dpi:.2f}", "-png", "-singlefile", str(pdf), str(base)],
                   check=True, capture_output=True)
    png = Path(f"{base}.png")
    shown = cv2.imread(str(png))
    png.unlink()
    if shown is None:
        return None
    h, w = min(shown.shape[0], archive.shape[0]), min(shown.shape[1], archive.shape[1])
    sel = ink[:h, :w] > 0
    diff = cv2.absdiff(shown[:h, :w], archive[:h, :w])
    return float(diff[sel].mean())


def measure_page(name: str, source: PageSource, work: Path, errors: bool) -> PageRow:
    """Load and clean a page as the pipeline does, then compose it every way."""
    bgr, dpi, scan = load_page(source, PipelineOptions())
    cleaned = clean_page(bgr, dpi, CleanOptions(use_osd=False, work_dir=work))
    h, w = cleaned.archive_image.shape[:2]
    ink = colour_ink(cleaned.archive_image, cleaned.text_mask, dpi, ComposeOptions())
    row = PageRow(name, scan, paper_of(w / dpi, h / dpi) or f"{w / dpi * 25.4:.0f}×"
                  f"{h / dpi * 25.4:.0f} mm", int(np.count_nonzero(ink)))
    for label, options in VARIANTS.items():
        out = work / f"{name}.{len(row.methods)}.pdf"
        t0 = time.perf_counter()
        # Today's layers as they were: no cap at the scan's resolution (an upsampled scan kept
        # its upsampled stencil).
        compose_page(cleaned.archive_image, cleaned.text_mask, dpi, None, out, options,
                     scan_dpi=None if label == TODAY else scan.dpi)
        seconds = time.perf_counter() - t0
        images, area = _read(out)
        kb = out.stat().st_size / 1024
        err = _ink_error(out, cleaned.archive_image, ink, dpi) if errors else None
        row.methods[label] = Composed(kb, kb * A4_IN2 / area, _roles(images), err, seconds)
    return row


def _single_page_pdf(source: PageSource, out: Path, dpi: float | None) -> Path:
    """The page alone as the scanner's PDF: its own image at the resolution ours took for it."""
    if source.kind == "pdf":
        with pikepdf.open(source.path) as src, pikepdf.new() as dst:
            dst.pages.append(src.pages[source.index])
            dst.save(out)
        return out
    with Image.open(source.path) as img:
        img.convert("RGB").save(out, format="PDF", resolution=float(dpi or 300))
    return out


def run_ocrmypdf(name: str, source: PageSource, work: Path, dpi: float | None) -> Composed | None:
    """OCRmyPDF's PDF/A of the page, without its text layer (OCR disabled)."""
    inp = _single_page_pdf(source, work / f"{name}.in.pdf", dpi)
    out = work / f"{name}.ocrmypdf.pdf"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(VENV_BIN / "ocrmypdf"), "-q", "--output-type", "pdfa", "--tesseract-timeout", "0",
         "--force-ocr", "--jobs", "1", str(inp), str(out)], capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        print(f"ocrmypdf failed on {name}: {proc.stderr[-300:]}", file=sys.stderr)
        return None
    images, area = _read(out)
    kb = out.stat().st_size / 1024
    colour = [p.dpi for p in images if p.colour != "stencil"]
    return Composed(kb, kb * A4_IN2 / area,
                    {"background": min(colour) if colour else None, "foreground": None,
                     "text": None}, None, time.perf_counter() - t0)


def synthetic_pages(out: Path, per_kind: int) -> list[tuple[str, PageSource]]:
    """The generated benchmark set's pages (bench/dataset.py), as tagged PNG files."""
    from bench.dataset import build_set

    docs = build_set(out, per_kind)
    return [(p.stem, PageSource(p, "png", 0)) for d in docs for p in d.pages]


def corpus_pages(corpus: Path, per_folder: int) -> list[tuple[str, PageSource]]:
    """Scanned pages of the corpus folders (born-digital pages are skipped)."""
    from bench.corpus import pick

    pages: list[tuple[str, PageSource]] = []
    for folder in SCAN_FOLDERS:
        if not (corpus / folder / "manifest.csv").exists():
            continue
        taken = 0
        for path in pick(corpus / folder, 0).files:
            if taken >= per_folder:
                break
            kind = "pdf" if path.suffix.lower() == ".pdf" else "jpeg"
            count = 1
            if kind == "pdf":
                with pikepdf.open(path) as pdf:
                    count = len(pdf.pages)
            for i in reversed(range(count)):  # the last page: seal and signature
                if taken >= per_folder:
                    break
                if kind == "pdf" and page_image(path, i, 200_000_000) is None:
                    continue  # vector content: not a scan
                pages.append((f"{folder}:{path.stem[:28]}:p{i + 1}", PageSource(path, kind, i)))
                taken += 1
                break  # one page per file: more documents, more scanners
    return pages


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}"


def _median(values: Iterable[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def report(rows: list[PageRow], ocrm: dict[str, Composed | None], seconds: float) -> str:
    """The per-page table, then the summary per method, as Markdown."""
    lines = [
        f"Machine: {machine_description()}; {len(rows)} pages in {seconds:.0f} s",
        "",
        "Image layers only (no text layer in any method). dpi: lowest effective resolution of "
        "each layer, read back from the PDF (pixels over the placed box); fg: the coloured-ink "
        "foreground (image and its mask); KB/A4: KB scaled to an A4 page's area.",
        "",
        "| page | scan dpi | paper | copy reasons | ours KB/A4 | bg dpi | fg dpi | text dpi | "
        "today KB/A4 | today bg / text dpi | ours/today | OCRmyPDF KB/A4 | OCRmyPDF dpi | "
        "ours/OCRmyPDF | ink error ours / today |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ours, today, om = r.methods[DEFAULT], r.methods[TODAY], ocrm.get(r.name)
        lines.append(
            f"| {r.name} | {_fmt(r.scan.dpi)} | {r.paper} | {', '.join(r.scan.reasons) or '—'} | "
            f"{ours.kb_a4:.0f} | {_fmt(ours.layers['background'])} | "
            f"{_fmt(ours.layers['foreground'])} | {_fmt(ours.layers['text'])} | "
            f"{today.kb_a4:.0f} | {_fmt(today.layers['background'])} / "
            f"{_fmt(today.layers['text'])} | "
            f"{ours.kb_a4 / today.kb_a4:.2f} | {_fmt(om.kb_a4 if om else None)} | "
            f"{_fmt(om.layers['background'] if om else None)} | "
            f"{(f'{ours.kb_a4 / om.kb_a4:.3f}' if om else '—')} | "
            f"{_fmt(ours.ink_error)} / {_fmt(today.ink_error)} |")
    lines += [
        "",
        "| method | median KB/A4 | max KB/A4 | pages with colour ink (scans ≥ 200 dpi) | "
        "lowest fg dpi on those | median ink error | median compose s |",
        "|---|---|---|---|---|---|---|",
    ]
    inked = [r for r in rows if r.ink_px > 0 and (r.scan.dpi or 0) >= 198]
    for label in VARIANTS:
        got = [r.methods[label] for r in rows]
        fg = [r.methods[label].layers["foreground"] for r in inked]
        fg_known = [v for v in fg if v is not None]
        low = (f"{min(fg_known):.0f}" if fg_known else "—") + \
            (f" ({fg.count(None)} without)" if None in fg else "")
        lines.append(
            f"| {label} | {_median(c.kb_a4 for c in got):.0f} | {max(c.kb_a4 for c in got):.0f} | "
            f"{len(inked)} | {low} | {_fmt(_median(c.ink_error for c in got))} | "
            f"{_median(c.seconds for c in got):.2f} |")
    om_got = [c for c in ocrm.values() if c is not None]
    if om_got:
        lines.append(f"| OCRmyPDF PDF/A (no OCR) | {_median(c.kb_a4 for c in om_got):.0f} | "
                     f"{max(c.kb_a4 for c in om_got):.0f} | | | | "
                     f"{_median(c.seconds for c in om_got):.2f} |")
    return "\n".join(lines)


def run(out: Path, pages: list[tuple[str, PageSource]], workers: int, ocrmypdf: bool,
        errors: bool = True) -> str:
    """Measure every page (in threads: OpenCV and the tools release the GIL)."""
    work = out / "image"
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max(1, workers)) as pool:
        rows = list(pool.map(lambda p: measure_page(p[0].replace(":", "_"), p[1], work, errors),
                             pages))
        for row, (name, _) in zip(rows, pages, strict=True):
            row.name = name
        found = list(pool.map(lambda p: run_ocrmypdf(p[0][0].replace(":", "_"), p[0][1], work,
                                                     p[1].scan.dpi) if ocrmypdf else None,
                              zip(pages, rows, strict=True)))
    ocrm = {name: c for (name, _), c in zip(pages, found, strict=True)}
    return report(rows, ocrm, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--pages-per-kind", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--corpus-pages", type=int, default=6, help="scanned pages per folder")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-ocrmypdf", action="store_true")
    args = parser.parse_args(argv)
    pages = synthetic_pages(args.out / "image-inputs", args.pages_per_kind)
    if args.corpus.is_dir():
        pages += corpus_pages(args.corpus, args.corpus_pages)
    table = run(args.out, pages, args.workers, not args.no_ocrmypdf)
    print(table)
    (args.out / "image.md").write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
