"""Command line: write N synthetic documents with their ground truth as JSON."""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from synth.degrade import DEGRADATIONS, degrade
from synth.document import make_document
from synth.writer import FORMATS, write_document

SUFFIX = {"pdf": ".pdf", "tiff": ".tif", "png": ".png", "jpg": ".jpg", "pdf_text": ".pdf",
          "pdf_garbage": ".pdf"}


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Parse command-line arguments."""
    ap = argparse.ArgumentParser(prog="python -m synth", description=__doc__)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--degradation", nargs="+", default=["clean"], metavar="KIND",
                    help=f"cycled over documents; chain with '+'; kinds: {', '.join(DEGRADATIONS)}")
    ap.add_argument("--format", choices=FORMATS, default="pdf")
    ap.add_argument("--pages", type=int, default=None)
    ap.add_argument("--kind", default=None)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--all-pages", action="store_true", help="png/jpg: one file per page")
    ap.add_argument("--random-features", action="store_true",
                    help="vary handwriting, stamps, secrecy and urgency from the seed")
    return ap.parse_args(argv)


def features(seed: int, on: bool) -> dict[str, object]:
    """Optional features of one document, drawn from its seed when enabled."""
    if not on:
        return {}
    r = random.Random(seed * 31 + 7)
    return {"handwritten": r.random() < 0.3, "incoming_stamp": r.random() < 0.3,
            "secrecy": r.choice(("MẬT", None, None, None, None, None)),
            "urgency": r.choice(("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", None, None, None, None)),
            "seal_over_name": r.random() < 0.7}


def main(argv: list[str] | None = None) -> int:
    """Generate the documents; returns a process exit code."""
    a = parse(argv)
    a.outdir.mkdir(parents=True, exist_ok=True)
    for i in range(a.count):
        seed = a.seed + i
        extra = features(seed, a.random_features)
        doc = make_document(seed, pages=a.pages, kind=a.kind, dpi=a.dpi, **extra)  # type: ignore[arg-type]
        kind = a.degradation[i % len(a.degradation)]
        rng = random.Random(seed ^ 0x5EED)
        doc.pages = [degrade(p, kind, rng) for p in doc.pages]
        stem = f"synth_{seed:06d}"
        written = write_document(doc, a.outdir / (stem + SUFFIX[a.format]), a.format,
                                 all_pages=a.all_pages)
        truth = dict(doc.truth, seed=seed, degradation=kind, format=a.format,
                     files=[p.name for p in written],
                     page_info=[{"size": list(p.size), "mode": p.mode,
                                 "dpi": list(p.info.get("dpi", (a.dpi, a.dpi))),
                                 "rotation": p.info.get("rotation", 0),
                                 "skew_degrees": p.info.get("skew_degrees", 0.0)}
                                for p in doc.pages])
        (a.outdir / f"{stem}.truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
