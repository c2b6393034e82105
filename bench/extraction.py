"""Metadata extraction benchmark (issue 3): generated documents with truth, and labelled real ones.

    .venv/bin/python -m bench.extraction [--generated N] [--corpus ../shared/corpus
                                          --labels bench/labels/corpus.json]

OCR runs with the real pipeline pieces and is cached under bench/results/ (see extraction_ocr).
Real documents are read whole, as the pipeline reads them (about 160 scanned pages, 3-5 s each on
this machine the first time); generated ones on their first and last pages (header and signer).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench.extraction_baseline import baseline_metadata
from bench.extraction_ocr import ocr_file, ocr_images, sha1_of
from bench.extraction_score import FIELDS, Tally, compare, confident, scored
from documents.extract import extract_metadata
from models.result import PageResult

Case = tuple[str, list[PageResult], dict[str, Any], date]
# Fields scored again on typed values only, and the label naming them in `handwritten`.
TYPED_SPLIT = {"number": "number", "code_number": "number", "issued_date": "issued_date"}


def labels_main(doc: str, run: Callable[[Path, list[Path]], str],
                argv: list[str] | None = None) -> int:
    """The command line of a benchmark over label files (`--corpus`, `--labels ...`): prints
    `run`'s table."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--labels", type=Path, nargs="+", default=[Path("bench/labels/corpus.json")])
    args = ap.parse_args(argv)
    print(run(args.corpus, args.labels))
    return 0


def machine() -> str:
    """CPU model and core count."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores visible"


def generated_cases(n: int, start: int) -> list[Case]:
    """Documents from synth: mixed kinds, handwriting, stamps, marks and degradations."""
    from synth import DEGRADATIONS, degrade, make_document

    cases: list[Case] = []
    for seed in range(start, start + n):
        rng = random.Random(seed * 7919)
        doc = make_document(
            seed, handwritten=rng.random() < 0.35, incoming_stamp=rng.random() < 0.25,
            secrecy=rng.choice(["MẬT", "TỐI MẬT"]) if rng.random() < 0.1 else None,
            urgency=rng.choice(["KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"]) if rng.random() < 0.15 else None,
        )
        kind = DEGRADATIONS[seed % len(DEGRADATIONS)]
        picked = sorted({0, len(doc.pages) - 1})
        images = [degrade(doc.pages[i], kind, random.Random(seed * 31 + i)) for i in picked]
        pages = ocr_images(images, doc.dpi, f"seed={seed};kind={kind}")
        pages = [p.model_copy(update={"index": i}) for p, i in zip(pages, picked, strict=True)]
        # Generated dates are recent; judge "future" from the day the document was dated.
        today = date(2026, 12, 31)
        cases.append((f"seed {seed} ({doc.truth['kind']}, {kind})", pages, doc.truth["fields"],
                      today))
        print(f"  generated {seed}: {len(doc.pages)} pages, {kind}", file=sys.stderr)
    return cases


def corpus_cases(corpus: Path, labels: Path) -> list[Case]:
    """Labelled real documents, read in place (nothing is copied)."""
    docs = json.loads(labels.read_text(encoding="utf-8"))["documents"]
    cases: list[Case] = []
    for d in docs:
        path = corpus / d["file"]
        if not path.exists() or sha1_of(path) != d["sha1"]:
            print(f"  skipped (missing or changed): {d['file']}", file=sys.stderr)
            continue
        # Every page, as the pipeline gives them to extraction: a signer on page 1 of a report
        # followed by an attached draft, or a signer page before appendices, needs the pages in
        # between (the motto of the attachment ends the search). OCR is cached per page.
        pages = [p for p in ocr_file(path, None, layer_pages=True) if not p.error]
        # Which values the labeller saw handwritten, for the typed-only breakdown.
        truth = {**d["fields"], "_handwritten": d.get("handwritten", [])}
        cases.append((d["file"], pages, truth, date.today()))
    return cases


def evaluate(cases: list[Case], title: str, verbose: bool, second_reading: bool = True) -> str:
    """Run ours and the baseline on the cases; return the Markdown table. `second_reading`
    False ignores the digit recogniser's readings of handwritten numbers and days (issue 16's
    "before")."""
    ours = {k: Tally() for k in FIELDS}
    base = {k: Tally() for k in FIELDS}
    # Issue 3's targets are on typed values: number and date again without the handwritten ones.
    typed = {k: Tally() for k in TYPED_SPLIT}
    t0 = time.perf_counter()
    for name, pages, truth, today in cases:
        ex = extract_metadata(pages, today=today, second_reading=second_reading)
        bl = baseline_metadata(pages)
        for k in FIELDS:
            if not scored(truth, k):
                continue
            ok = compare(truth, ex.metadata, k)
            ours[k].add(ok, confident(ex.fields, k), name)
            hand = truth.get("_handwritten")
            if k in TYPED_SPLIT and hand is not None and TYPED_SPLIT[k] not in hand:
                typed[k].add(ok, confident(ex.fields, k), name)
            base[k].add(compare(truth, bl, k), True, name)
            if verbose and not ok:
                print(f"  {name} {k}: got {_short(ex.metadata, k)} want {_short(truth, k)}"
                      f" conf={confident(ex.fields, k)}", file=sys.stderr)
    spent = time.perf_counter() - t0
    out = [f"### {title}: {len(cases)} documents", "",
           f"Machine: {machine()}; extraction {1000 * spent / max(1, len(cases)):.1f} ms/document "
           "(OCR excluded, cached)", "",
           "| field | ours acc % | ours coverage % | ours precision % | baseline acc % "
           "| baseline precision % |", "|---|---|---|---|---|---|"]
    for k in FIELDS:
        a, c, p = ours[k].row()
        ba, _, bp = base[k].row()
        out.append(f"| {k} | {a} | {c} | {p} | {ba} | {bp} |")
    if any(t.n for t in typed.values()):
        out += ["", "Typed values only (labels' `handwritten` left out): " + "; ".join(
            f"{k} {t.row()[0]}% of {t.n} (coverage {t.row()[1]}%, precision {t.row()[2]}%)"
            for k, t in typed.items())]
    wrong = {k: t.wrong_confident for k, t in ours.items() if t.wrong_confident}
    if wrong:
        out += ["", "Confident but wrong (ours): " + "; ".join(
            f"{k}: {', '.join(v[:4])}" for k, v in wrong.items())]
    return "\n".join(out)


def _short(meta: dict[str, Any], key: str) -> str:
    from bench.extraction_score import get, truth_to_places

    if key == "to_places" and "recipients" in meta:
        return repr(truth_to_places(meta))[:160]
    return repr(get(meta, key))[:80 if key != "to_places" else 160]


def main(argv: list[str] | None = None) -> int:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--generated", type=int, default=0, help="number of generated documents")
    ap.add_argument("--seed", type=int, default=1000, help="first generator seed")
    ap.add_argument("--corpus", type=Path, help="folder of real documents (../shared/corpus)")
    ap.add_argument("--labels", type=Path, default=Path("bench/labels/corpus.json"))
    ap.add_argument("-v", "--verbose", action="store_true", help="print every wrong value")
    ap.add_argument("--no-second-reading", action="store_true",
                    help="ignore the handwriting recogniser's second readings (the 'before')")
    args = ap.parse_args(argv)
    if not args.generated and not args.corpus:
        ap.error("give --generated N and/or --corpus DIR")
    if args.generated:
        print(evaluate(generated_cases(args.generated, args.seed), "Generated documents",
                       args.verbose, not args.no_second_reading))
        print()
    if args.corpus:
        print(evaluate(corpus_cases(args.corpus, args.labels), "Real documents (hand labels)",
                       args.verbose, not args.no_second_reading))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
