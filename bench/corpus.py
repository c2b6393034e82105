"""Our pipeline on the real documents of ../shared/corpus: pages/s per folder, CER where text exists.

Nothing from the corpus is copied into the repository: inputs are read in place, outputs go to
the (ignored) results folder.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.measure import run_measured
from bench.score import cer, word_recall

VENV_BIN = Path(sys.executable).parent
FOLDERS = ("quangngai_vbhc", "bgddt_qd", "danang_sgddt", "misc_signed", "congbao_phapluat")


@dataclass(frozen=True)
class Picked:
    """Inputs chosen from one folder and their page count."""

    files: list[Path]
    pages: int


def pick(folder: Path, max_pages: int) -> Picked:
    """Files of a folder in manifest order until `max_pages` pages (0: all)."""
    files: list[Path] = []
    pages = 0
    with (folder / "manifest.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["file"]
            if not name.lower().endswith((".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")):
                continue
            if "augmented" in name:
                continue
            n = int(row.get("pages") or 1)
            if max_pages and files and pages + n > max_pages:
                continue
            files.append(folder / name)
            pages += n
            if max_pages and pages >= max_pages:
                break
    return Picked(files, pages)


def corpus_report(corpus: Path, out: Path, workers: int, max_pages: int) -> str:
    """Run ours per folder; return a Markdown table."""
    scope = "all pages" if not max_pages else f"up to {max_pages} pages per folder"
    lines = [
        f"Real documents from {corpus} ({scope})",
        "",
        "| folder | files | pages | pages/s | failed | kept text layer | OCR'd |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in FOLDERS:
        folder = corpus / name
        if not (folder / "manifest.csv").exists():
            continue
        picked = pick(folder, max_pages)
        dest = out / name
        dest.mkdir(parents=True, exist_ok=True)
        args = [str(VENV_BIN / "intake"), "process", *map(str, picked.files), "--out", str(dest),
                "--workers", str(workers)]
        m = run_measured(args)
        failed, kept, ocrd = 0, 0, 0
        for js in dest.glob("*.json"):
            res = json.loads(js.read_text(encoding="utf-8"))
            failed += res["error"] is not None
            for p in res["page_results"]:
                kept += p["source"] == "text_layer"
                ocrd += p["source"] == "ocr"
        lines.append(f"| {name} | {len(picked.files)} | {picked.pages} | "
                     f"{picked.pages / m.wall:.3f} | {failed} | {kept} | {ocrd} |")
    lines += ["", *accuracy_rows(corpus, out / "accuracy", workers)]
    return "\n".join(lines)


def accuracy_rows(corpus: Path, out: Path, workers: int) -> list[str]:
    """CER on the pages that have a transcription; word recall on rendered gazette pages."""
    rows = ["| document | measure | value |", "|---|---|---|"]
    out.mkdir(parents=True, exist_ok=True)
    cases = [
        (corpus / "bgddt_qd/pdf/test_1.pdf", corpus / "bgddt_qd/gt/test_1.txt"),
        (corpus / "danang_sgddt/images/4_1.jpg", corpus / "danang_sgddt/gt/4_1_gt.txt"),
        (corpus / "danang_sgddt/images/4_2.jpg", corpus / "danang_sgddt/gt/4_2_gt.txt"),
    ]
    for src, gt in cases:
        if not src.exists() or not gt.exists():
            continue
        text = _ours_text(src, out, workers)
        truth = gt.read_text(encoding="utf-8")
        rows.append(f"| {src.parent.parent.name}/{src.name} | CER | {cer(truth, text):.4f} |")
        rows.append(f"| {src.parent.parent.name}/{src.name} | word recall | "
                    f"{word_recall(truth.split(), text):.4f} |")
    gazette = sorted((corpus / "congbao_phapluat/pdf").glob("*.pdf"))[:2]
    for pdf in gazette:
        txt = corpus / "congbao_phapluat/txt" / f"{pdf.stem}.txt"
        if not txt.exists():
            continue
        scan = out / f"{pdf.stem}-scan.pdf"
        _render_as_scan(pdf, scan, pages=2)
        text = _ours_text(scan, out, workers)
        truth_text = subprocess.run(["pdftotext", "-l", "2", "-enc", "UTF-8", str(pdf), "-"],
                                    capture_output=True).stdout.decode("utf-8", "replace")
        rows.append(f"| congbao/{pdf.stem[:30]} (2 pages rendered as a 300-dpi scan) | word recall | "
                    f"{word_recall(truth_text.split(), text):.4f} |")
    return rows


def _ours_text(src: Path, out: Path, workers: int) -> str:
    subprocess.run([str(VENV_BIN / "intake"), "process", str(src), "--out", str(out),
                    "--workers", str(workers)], capture_output=True)
    res = out / f"{src.stem}.json"
    if not res.exists():
        return ""
    return str(json.loads(res.read_text(encoding="utf-8"))["text"])


def _render_as_scan(pdf: Path, out: Path, pages: int) -> None:
    """Render the first pages of a born-digital PDF into an image-only PDF (no text layer)."""
    from PIL import Image

    prefix = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-l", str(pages), "-png", str(pdf),
                    str(prefix)], check=True)
    imgs = [Image.open(p) for p in sorted(out.parent.glob(f"{prefix.name}-*.png"))]
    imgs[0].save(out, format="PDF", save_all=True, append_images=imgs[1:], resolution=300)
