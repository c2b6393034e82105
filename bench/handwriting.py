"""Handwritten numbers and days, and key presses per document, before and after the digit
recogniser's second reading (issue 16), per folder of the corpus and per held-apart set.

    .venv/bin/python -m bench.handwriting --corpus ../shared/corpus \\
        --labels bench/labels/corpus.json bench/labels/more_agencies.json bench/labels/heldout.json

"Before" is the same run with the second readings ignored (`extract_metadata(...,
second_reading=False)`), on the same OCR cache (bench/results/extraction_ocr, filled as
`bench.extraction` does; pages cached before the second reading existed get it by loading the
page again). Documents whose label has a `set` (new_agencies, heldout, heldout2) are reported apart from
the folders of corpus.json, which the extraction was tuned on. The cost table compares what the
second readings cost (`PageResult.timings['handread']`) with the page stage's time.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.extraction import corpus_cases, labels_main, machine
from bench.extraction_score import FIELDS, Tally, compare, confident, scored
from bench.keypresses import key_presses, summary
from documents.extract import extract_metadata
from models.result import PageResult
from worker.stages.handread import hand_regions

# Columns: (title, field, which documents: 'hand' handwritten in the label, 'typed' not, None all)
COLUMNS = (("hand number", "number", "hand"), ("hand day", "issued_date", "hand"),
           ("typed number", "number", "typed"), ("typed date", "issued_date", "typed"),
           ("agency", "organ_name", None), ("type", "type_name", None),
           ("subject", "subject", None))
_LABEL_OF = {"number": "number", "issued_date": "issued_date"}


def _group(label: dict[str, Any]) -> str:
    return str(label.get("set") or label["file"].split("/")[0])


def _cell(t: Tally, with_precision: bool) -> str:
    if not t.n:
        return "-"
    acc, _, prec = t.row()
    out = f"{t.correct}/{t.n} ({acc}%)"
    return out + f", conf. {t.confident_correct}/{t.confident} right" if with_precision else out


def run(corpus: Path, label_files: list[Path]) -> str:
    """The tables, as Markdown."""
    groups: dict[str, list[tuple[str, list[PageResult], dict[str, Any]]]] = defaultdict(list)
    for lf in label_files:
        labels = {d["file"]: d for d in json.loads(lf.read_text(encoding="utf-8"))["documents"]}
        for name, pages, truth, _today in corpus_cases(corpus, lf):
            groups[_group(labels[name])].append((name, pages, truth))
    # Label sets kept apart (the label's `set`), never tuned on; folders of corpus.json were.
    held = {str(d["set"]) for lf in label_files
            for d in json.loads(lf.read_text(encoding="utf-8"))["documents"] if d.get("set")}
    out = [f"Machine: {machine()}", ""]
    head = "| set / folder | docs | reading | " + " | ".join(c[0] for c in COLUMNS) + \
        " | keys median | keys p90 | keys mean | precision < 99% |"
    out += [head, "|" + "---|" * (head.count("|") - 1)]
    totals: dict[tuple[str, bool], dict[str, Tally]] = {}
    for group in sorted(groups, key=lambda g: (g in held, g)):
        cases = groups[group]
        for after in (False, True):
            cols = {c[0]: Tally() for c in COLUMNS}
            fields = {k: Tally() for k in FIELDS}
            keys: list[int] = []
            for name, pages, truth in cases:
                ex = extract_metadata(pages, second_reading=after)
                hand = truth.get("_handwritten") or []
                for title, key, which in COLUMNS:
                    if which is not None and (key in ("number", "issued_date")) and \
                            ((_LABEL_OF[key] in hand) != (which == "hand")):
                        continue
                    cols[title].add(compare(truth, ex.metadata, key), confident(ex.fields, key),
                                    name)
                for k in FIELDS:
                    if scored(truth, k):
                        fields[k].add(compare(truth, ex.metadata, k), confident(ex.fields, k),
                                      name)
                keys.append(key_presses(truth, ex.metadata, ex.fields))
            bucket = "held apart" if group in held else "tuned on"
            tot = totals.setdefault((bucket, after), {k: Tally() for k in FIELDS})
            for k, t in fields.items():
                for attr in ("n", "correct", "confident", "confident_correct"):
                    setattr(tot[k], attr, getattr(tot[k], attr) + getattr(t, attr))
                tot[k].wrong_confident += t.wrong_confident
            low = [f"{k} {t.row()[2]}% ({', '.join(Path(w).name for w in t.wrong_confident)})"
                   for k, t in fields.items() if t.confident and t.wrong_confident]
            med, p90, mean = summary(keys)
            cells = [_cell(cols[c[0]], c[2] == "hand") for c in COLUMNS]
            out.append(f"| {group} | {len(cases)} | {'after' if after else 'before'} | "
                       + " | ".join(cells) + f" | {med:g} | {p90:g} | {mean:.1f} | "
                       + ("; ".join(low) or "none") + " |")
    out += ["", "Confident precision per field, all documents of each kind (after):", ""]
    for (bucket, after), tot in sorted(totals.items()):
        if after:
            out.append(f"- {bucket}: " + "; ".join(
                f"{k} {t.row()[2]}% of {t.confident}" for k, t in tot.items() if t.confident))
    out += ["", cost_table(groups, held)]
    return "\n".join(out)


def cost_table(groups: dict[str, list[tuple[str, list[PageResult], dict[str, Any]]]],
               held: set[str]) -> str:
    """What the second readings cost, against the page stage, on the scanned pages (`held`:
    the groups kept apart)."""
    rows = ["| pages | scanned pages | pages read again | crops read | mean ms per crop "
            "| deciding, ms per scanned page | mean page stage s | added per scanned page ms "
            "| ratio to page stage |", "|---|---|---|---|---|---|---|---|---|"]
    for title, wanted in (("tuned on (corpus.json)", False), ("held apart", True)):
        scanned = 0
        crops = 0
        pages_read = 0
        spent: list[float] = []
        page_s: list[float] = []
        deciding = 0.0
        for group, cases in groups.items():
            if (group in held) != wanted:
                continue
            for _name, pages, _truth in cases:
                for p in pages:
                    if p.source != "ocr":
                        continue
                    scanned += 1
                    # Whether a second reading is due is decided on every scanned page (the
                    # motto, then the header's number and date); the cached `handread` timing
                    # of pages where none was due is not measured, so it is timed here.
                    first = p.model_copy(update={"rereads": [
                        r for r in p.rereads if not r.reason.startswith("hand_")]})
                    t0 = time.perf_counter()
                    hand_regions(first)
                    deciding += time.perf_counter() - t0
                    page_s.append(sum(v for k, v in p.timings.items()
                                      if k not in ("total", "handread")))
                    n = sum(1 for r in p.rereads if r.reason.startswith("hand_"))
                    if n:
                        pages_read += 1
                        crops += n
                        spent.append(p.timings.get("handread", 0.0))
        if not scanned:
            continue
        mean_page = statistics.mean(page_s)
        per_crop = 1000 * sum(spent) / max(1, crops)
        decide = 1000 * deciding / scanned
        # The pages read again carry the decision in their timing already.
        per_page = (1000 * sum(spent) + 1000 * deciding * (1 - pages_read / scanned)) / scanned
        rows.append(f"| {title} | {scanned} | {pages_read} | {crops} | {per_crop:.0f} | "
                    f"{decide:.1f} | {mean_page:.2f} | {per_page:.1f} "
                    f"| {per_page / 1000 / mean_page:.4f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Command line entry."""
    return labels_main(__doc__ or "", run, argv)


if __name__ == "__main__":
    raise SystemExit(main())
