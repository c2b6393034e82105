"""What the page stage's second look at a lost signer name costs, on the labelled real documents.

    .venv/bin/python -m bench.second_look --corpus ../shared/corpus --labels bench/labels/corpus.json

Uses the extraction benchmark's OCR cache (bench/results/extraction_ocr, filled by
`python -m bench.extraction`). For every scanned page it decides, as the page stage does, whether
a second look is due; each due page is loaded and cleaned again (not timed) and the second look
alone is timed. The reference is the page stage's own time for the same pages (cached timings).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.extraction import machine
from bench.extraction_ocr import OPTIONS, ocr_file, sha1_of
from worker.stages.load import open_input
from worker.stages.page import clean_again
from worker.stages.reread import reread_signer_name, signer_name_region


def main(argv: list[str] | None = None) -> int:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--labels", type=Path, default=Path("bench/labels/corpus.json"))
    args = ap.parse_args(argv)
    docs = json.loads(args.labels.read_text(encoding="utf-8"))["documents"]
    scanned = due = kept = 0
    look_ms: list[float] = []
    page_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="second-look-") as tmp:
        for d in docs:
            path = args.corpus / d["file"]
            if not path.exists() or sha1_of(path) != d["sha1"]:
                continue
            pages = [p for p in ocr_file(path, None, layer_pages=True)
                     if p.source == "ocr" and not p.error]
            doc = None
            for p in pages:
                scanned += 1
                page_s.append(sum(v for k, v in p.timings.items() if k != "total"))
                first = p.model_copy(update={"rereads": []})
                if signer_name_region(first) is None:
                    continue
                due += 1
                doc = doc or open_input(path, max_pixels=OPTIONS.max_pixels,
                                        max_pages=OPTIONS.max_pages, max_bytes=OPTIONS.max_bytes)
                cleaned = clean_again(doc.pages[p.index], OPTIONS, Path(tmp))
                t0 = time.perf_counter()
                again = reread_signer_name(first, cleaned.ocr_image, Path(tmp) / f"p{p.index}",
                                           language=OPTIONS.language, timeout=OPTIONS.tool_timeout)
                look_ms.append(1000 * (time.perf_counter() - t0))
                kept += bool(again)
    mean_page = statistics.mean(page_s) if page_s else 0.0
    mean_look = statistics.mean(look_ms) if look_ms else 0.0
    per_page = sum(look_ms) / max(1, scanned)
    print(f"Machine: {machine()}\n")
    print("| scanned pages | second look due | kept (a better name) | mean look ms "
          "| reference: mean page stage s | added per scanned page ms | ratio to page stage |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {scanned} | {due} | {kept} | {mean_look:.0f} | {mean_page:.2f} | {per_page:.1f} "
          f"| {per_page / 1000 / mean_page if mean_page else 0:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
