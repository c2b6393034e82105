"""Subject completeness (issue 16): is a confident summary whole? Per label set, how many
summaries are right, how precise the confident ones are, and how many confident ones are cut off
(the truth starts with or contains the value but is longer).

    .venv/bin/python -m bench.subject_blocks --corpus ../shared/corpus \
        bench/labels/corpus.json bench/labels/more_agencies.json bench/labels/heldout.json

Uses the OCR cache of bench.extraction (no OCR when it is filled).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.extraction import corpus_cases
from bench.extraction_score import canon, compare, confident
from documents.extract import extract_metadata


def measure(corpus: Path, labels: Path, verbose: bool) -> str:
    """One Markdown table row for a label set."""
    n = right = conf = conf_right = cut = 0
    for name, pages, truth, today in corpus_cases(corpus, labels):
        ex = extract_metadata(pages, today=today)
        ok = compare(truth, ex.metadata, "subject")
        c = confident(ex.fields, "subject")
        got = canon(ex.metadata.get("subject") or "", "subject")
        want = canon(truth.get("subject") or "", "subject")
        n, right, conf, conf_right = n + 1, right + ok, conf + c, conf_right + (c and ok)
        short = bool(got) and got != want and got in want
        cut += c and short
        if verbose and not ok:
            print(f"  {name}: conf={c} cut={short}\n    got  {got!r}\n    want {want!r}",
                  file=sys.stderr)
    prec = f"{100 * conf_right / conf:.1f}" if conf else "-"
    return (f"| {labels.name} | {n} | {right} ({100 * right / max(1, n):.1f}%) | {conf} | "
            f"{prec} | {cut} |")


def main(argv: list[str] | None = None) -> int:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("labels", type=Path, nargs="+")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every wrong summary")
    args = ap.parse_args(argv)
    print("| labels | docs | subject right | confident | confident precision % "
          "| confident cut off |\n|---|---|---|---|---|---|")
    for labels in args.labels:
        print(measure(args.corpus, labels, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
