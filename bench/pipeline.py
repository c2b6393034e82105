"""Pipeline benchmark: our pipeline vs OCRmyPDF vs plain Tesseract (the floor), same inputs, same run.

Prints, per method: pages/s, CPU s/page, peak memory of a worker, median output KB/page, word
recall against the ground truth; the ratios to OCRmyPDF and to the floor; recall per degradation;
then our pipeline on ../shared/corpus when present; then the image table (bench/image.py): per
page, KB and the effective dpi of each layer against today's layers and OCRmyPDF's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import BenchDoc, build_set
from bench.measure import Measure, machine_description, run_measured, run_parallel_measured
from bench.score import word_recall

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass
class MethodResult:
    """One method's measure and per-document outputs."""

    name: str
    measure: Measure
    pages: int
    kb_per_page: list[float]
    recall: dict[str, float]


def pdf_text(pdf: Path) -> str:
    """The text layer of a PDF as a reader would copy it."""
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True)
    return proc.stdout.decode("utf-8", "replace")


def run_ours(docs: list[BenchDoc], out: Path, workers: int) -> MethodResult:
    out.mkdir(parents=True, exist_ok=True)
    args = [str(VENV_BIN / "intake"), "process", *(str(d.pdf) for d in docs), "--out", str(out),
            "--workers", str(workers)]
    m = run_measured(args)
    if m.returncode != 0:
        print(f"our pipeline failed ({m.returncode}): {m.stderr}", file=sys.stderr)
    return _score("ours", m, docs, {d.kind: out / f"{d.pdf.stem}.pdf" for d in docs})


def run_ocrmypdf(docs: list[BenchDoc], out: Path, jobs: int) -> MethodResult:
    out.mkdir(parents=True, exist_ok=True)
    script = out / "run.sh"
    lines = ["set -e"]
    for d in docs:
        lines.append(
            f"'{VENV_BIN / 'ocrmypdf'}' -q -l vie --rotate-pages --deskew --output-type pdfa "
            f"--jobs {jobs} '{d.pdf}' '{out / d.pdf.name}'"
        )
    script.write_text("\n".join(lines) + "\n")
    m = run_measured(["bash", str(script)])
    if m.returncode != 0:
        print(f"ocrmypdf failed ({m.returncode}): {m.stderr}", file=sys.stderr)
    return _score("ocrmypdf", m, docs, {d.kind: out / d.pdf.name for d in docs})


def run_floor(docs: list[BenchDoc], out: Path, parallel: int) -> MethodResult:
    out.mkdir(parents=True, exist_ok=True)
    cmds = [["tesseract", str(p), str(out / p.stem), "-l", "vie"] for d in docs for p in d.pages]
    m = run_parallel_measured(cmds, parallel, {"OMP_THREAD_LIMIT": "1"})
    pages = sum(len(d.pages) for d in docs)
    recall = {}
    for d in docs:
        text = "\n".join((out / f"{p.stem}.txt").read_text(encoding="utf-8") for p in d.pages)
        recall[d.kind] = word_recall(d.truth_words, text)
    return MethodResult("tesseract floor", m, pages, [], recall)


def _score(name: str, m: Measure, docs: list[BenchDoc], outputs: dict[str, Path]) -> MethodResult:
    recall: dict[str, float] = {}
    sizes: list[float] = []
    for d in docs:
        pdf = outputs[d.kind]
        if not pdf.exists():
            recall[d.kind] = 0.0
            continue
        sizes.append(pdf.stat().st_size / 1024 / len(d.pages))
        recall[d.kind] = word_recall(d.truth_words, pdf_text(pdf))
    return MethodResult(name, m, sum(len(d.pages) for d in docs), sizes, recall)


def _overall_recall(r: MethodResult, docs: list[BenchDoc]) -> float:
    total = sum(len(d.truth_words) for d in docs)
    return sum(r.recall[d.kind] * len(d.truth_words) for d in docs) / total


def report(results: list[MethodResult], docs: list[BenchDoc]) -> str:
    """The tables, as Markdown."""
    ours, ocrm, floor = results
    lines = [
        f"Machine: {machine_description()}",
        f"Inputs: {len(docs)} generated scanned PDFs, {ours.pages} A4 pages at 300 dpi "
        f"(fax pages 200 dpi bitonal), degradations: {', '.join(d.kind for d in docs)}",
        "",
        "| method | pages/s | CPU s/page | peak worker MB | median KB/page | word recall "
        "| time vs OCRmyPDF | time vs floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        pps = r.pages / r.measure.wall
        kb = f"{statistics.median(r.kb_per_page):.0f}" if r.kb_per_page else "—"
        lines.append(
            f"| {r.name} | {pps:.3f} | {r.measure.cpu / r.pages:.2f} | "
            f"{r.measure.peak_rss_process / 2**20:.0f} | {kb} | {_overall_recall(r, docs):.4f} | "
            f"{r.measure.wall / ocrm.measure.wall:.2f}× | {r.measure.wall / floor.measure.wall:.2f}× |"
        )
    lines += [
        "",
        f"Throughput of ours vs OCRmyPDF: {ocrm.measure.wall / ours.measure.wall:.2f}× "
        f"(target ≥ 2×); our time vs the floor: {ours.measure.wall / floor.measure.wall:.2f}× "
        "(target ≤ 1.5×)",
        "",
        "| degradation | pages | ours | OCRmyPDF | floor | ours − OCRmyPDF |",
        "|---|---|---|---|---|---|",
    ]
    for d in docs:
        a, b, c = ours.recall[d.kind], ocrm.recall[d.kind], floor.recall[d.kind]
        lines.append(f"| {d.kind} | {len(d.pages)} | {a:.4f} | {b:.4f} | {c:.4f} | {a - b:+.4f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--pages-per-kind", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--corpus-pages", type=int, default=12,
                        help="pages per corpus folder (0: all)")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-image", action="store_true",
                        help="leave out the image table (bench/image.py, docs/IMAGE.md)")
    args = parser.parse_args(argv)
    out: Path = args.out
    if not args.skip_synthetic:
        docs = build_set(out / "inputs", args.pages_per_kind)
        results = [
            run_ours(docs, out / "ours", args.workers),
            run_ocrmypdf(docs, out / "ocrmypdf", args.workers),
            run_floor(docs, out / "floor", args.workers),
        ]
        table = report(results, docs)
        print(table)
        (out / "pipeline.md").write_text(table + "\n", encoding="utf-8")
        (out / "pipeline.json").write_text(json.dumps({
            r.name: {"wall": r.measure.wall, "cpu": r.measure.cpu, "pages": r.pages,
                     "recall": r.recall, "kb_per_page": r.kb_per_page} for r in results
        }, indent=1), encoding="utf-8")
    if args.corpus.is_dir():
        from bench.corpus import corpus_report

        table = corpus_report(args.corpus, out / "corpus", args.workers, args.corpus_pages)
        print()
        print(table)
        (out / "corpus.md").write_text(table + "\n", encoding="utf-8")
    if not args.skip_image:
        # Per page: KB and the effective dpi of each layer, ours vs today's layers vs OCRmyPDF.
        from bench import image

        pages = image.synthetic_pages(out / "image-inputs", 1)
        if args.corpus.is_dir():
            pages += image.corpus_pages(args.corpus, 6)
        table = image.run(out, pages, args.workers, ocrmypdf=True)
        print()
        print(table)
        (out / "image.md").write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
