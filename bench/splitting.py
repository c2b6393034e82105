"""Splitting benchmark: boundaries and blank pages on generated batches, with a one-document baseline.

    .venv/bin/python -m bench.splitting --batches 4 --documents 12

Page results are cached under bench/results/splitting/ (content hash), so re-running after a change
to the boundary logic costs seconds; only the page stage (OCR) is slow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import dataclass

from bench.split_data import GENERATOR, make_batch, with_separators
from bench.split_ocr import CACHE, VERSION, load_results, page_key, page_results
from models.result import PageResult
from worker.split.plan import BatchPlan, plan_batch


@dataclass
class Counts:
    """True/false positives and false negatives, summed over batches."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[int], truth: set[int]) -> None:
        """Count one batch's predictions against the truth."""
        self.tp += len(predicted & truth)
        self.fp += len(predicted - truth)
        self.fn += len(truth - predicted)

    def prf(self) -> tuple[float | None, float, float]:
        """Precision (None when nothing was predicted), recall, F1."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p and r else 0.0
        return p, r, f


@dataclass
class Row:
    """One line of the table."""

    name: str
    bounds: Counts
    blanks: Counts
    review: int = 0
    review_wrong: int = 0  # boundaries wrong (missed or extra) that were flagged for the clerk
    wrong: int = 0


def _truth(kinds: list[str]) -> tuple[set[int], set[int]]:
    """True document starts (the first one excluded: it is not a boundary) and true blank pages."""
    all_starts = [i for i, k in enumerate(kinds) if k == "start"]
    blanks = {i for i, k in enumerate(kinds) if k == "blank"}
    return set(all_starts[1:]), blanks


def _score(row: Row, kinds: list[str], plan: BatchPlan) -> None:
    starts, blanks = _truth(kinds)
    first = kinds.index("start")
    predicted = {d.pages[0] for d in plan.documents} - {first}
    row.bounds.add(predicted, starts)
    row.blanks.add(set(plan.blank_pages), blanks)
    flagged = set()
    for d in plan.documents:
        if d.needs_review:
            row.review += 1
            flagged.update(d.pages)
    wrong = predicted ^ starts
    row.wrong += len(wrong)
    row.review_wrong += len(wrong & flagged)


def _baseline(row: Row, kinds: list[str]) -> None:
    """One document per file: no boundary found, no page removed."""
    starts, blanks = _truth(kinds)
    row.bounds.add(set(), starts)
    row.blanks.add(set(), blanks)


Pages = tuple[list[str], list[PageResult]]


def _batch(seed: int, documents: int, workers: int) -> tuple[Pages, Pages, int]:
    """Kinds and page results of a batch without and with separators (manifest cached: no regeneration)."""
    manifest = CACHE / f"batch-{GENERATOR}-{VERSION}-{seed}-{documents}.json"
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        loaded = [load_results(data[name]["keys"]) for name in ("plain", "sep")]
        if all(r is not None for r in loaded):
            return ((data["plain"]["kinds"], loaded[0]), (data["sep"]["kinds"], loaded[1]), 0)  # type: ignore[return-value]
    plain = make_batch(seed, documents)
    sep = with_separators(plain, seed + 10_000)
    results, ran = page_results([p.image for p in sep.pages], workers)
    by_pos = {id(p): r for p, r in zip(sep.pages, results, strict=True)}
    plain_results = [by_pos[id(p)].model_copy(update={"index": i}) for i, p in enumerate(plain.pages)]
    record = {name: {"kinds": [p.kind for p in b.pages], "keys": [page_key(p.image) for p in b.pages]}
              for name, b in (("plain", plain), ("sep", sep))}
    manifest.write_text(json.dumps(record), encoding="utf-8")
    return ((record["plain"]["kinds"], plain_results), (record["sep"]["kinds"], results), ran)


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(argv: list[str] | None = None) -> int:
    """Build batches, recognise their pages (cached), plan them, print the table."""
    ap = argparse.ArgumentParser(prog="bench.splitting", description=__doc__)
    ap.add_argument("--batches", type=int, default=4)
    ap.add_argument("--documents", type=int, default=12, help="documents per batch (10-30)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2, help="pages recognised at once (at most 2)")
    args = ap.parse_args(argv)
    rows = {name: Row(name, Counts(), Counts()) for name in
            ("baseline: one document per file", "no separators", "with separators")}
    n_pages = n_docs = ran = 0
    t_ocr = t_plan = 0.0
    for b in range(args.batches):
        seed = args.seed + b
        t0 = time.perf_counter()
        (plain, plain_results), (sep, results), k = _batch(seed, args.documents, args.workers)
        t_ocr += time.perf_counter() - t0
        ran += k
        t0 = time.perf_counter()
        plan_plain = plan_batch(plain_results)
        plan_sep = plan_batch(results)
        t_plan += time.perf_counter() - t0
        _baseline(rows["baseline: one document per file"], plain)
        _score(rows["no separators"], plain, plan_plain)
        _score(rows["with separators"], sep, plan_sep)
        n_pages += len(sep)
        n_docs += plain.count("start")
    print(f"splitting: {args.batches} batches, {n_docs} documents, {n_pages} pages with separators "
          f"({ran} pages recognised now, the rest from cache)")
    print(f"machine: {_cpu()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    print(f"generation + page stage {t_ocr:.1f} s; "
          f"planning {t_plan * 1000:.1f} ms for {2 * args.batches} batch plans\n")
    head = (f"{'':34} {'bound P':>8} {'bound R':>8} {'bound F1':>8} {'blank P':>8} {'blank R':>8} "
            f"{'review':>7} {'errors flagged':>15}")
    print(head)
    print("-" * len(head))
    for row in rows.values():
        bp, br, bf = row.bounds.prf()
        kp, kr, _ = row.blanks.prf()
        flagged = f"{row.review_wrong}/{row.wrong}" if "baseline" not in row.name else "  -"
        review = str(row.review) if "baseline" not in row.name else "-"
        print(f"{row.name:34} {_fmt(bp):>8} {_fmt(br):>8} {_fmt(bf):>8} {_fmt(kp):>8} {_fmt(kr):>8} "
              f"{review:>7} {flagged:>15}")
    print("\nreview: documents flagged needs_review; errors flagged: wrong boundaries (missed or extra) "
          "inside a flagged document / all wrong boundaries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
