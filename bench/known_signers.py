"""Key presses and signer figures once an agency's signers are known from its earlier
confirmed documents (issue 16; documents/extract/known_signers.py), per folder of the corpus and
per held-apart set.

    .venv/bin/python -m bench.known_signers --corpus ../shared/corpus \\
        --labels bench/labels/corpus.json bench/labels/more_agencies.json

Leave one out: for each labelled document, the known signers are those of the *other* labelled
documents of the same label file (their labels: what a clerk would have confirmed), never its
own. "first" is a new installation (nobody known); "known" is after the other documents were
confirmed. Same OCR cache as bench.extraction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.extraction import corpus_cases, labels_main, machine
from bench.extraction_score import Tally, compare, confident
from bench.keypresses import key_presses, summary
from documents.extract import extract_metadata
from documents.extract.gazetteer import gazetteer_for
from documents.extract.known_signers import KIND, signer_entry

PARTS = ("signer.competence", "signer.position", "signer.full_name")


def _cell(t: Tally) -> str:
    if not t.n:
        return "-"
    return f"{t.correct}/{t.n}, conf. {t.confident_correct}/{t.confident}"


def run(corpus: Path, label_files: list[Path]) -> str:
    """The table, as Markdown."""
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "docs": 0, "known": 0, "keys": {"first": [], "known": []},
        "tally": {(w, k): Tally() for w in ("first", "known") for k in PARTS}})
    held: set[str] = set()
    for lf in label_files:
        labels = {d["file"]: d for d in json.loads(lf.read_text(encoding="utf-8"))["documents"]}
        cases = corpus_cases(corpus, lf)
        entries = [signer_entry(truth.get("organ_name"), truth.get("signer"))
                   for _n, _p, truth, _t in cases]
        for i, (name, pages, truth, _today) in enumerate(cases):
            group = str(labels[name].get("set") or name.split("/")[0])
            if labels[name].get("set"):
                held.add(group)
            learned = tuple((KIND, e) for j, e in enumerate(entries) if j != i and e)
            row = rows[group]
            row["docs"] += 1
            gaz = gazetteer_for(learned)
            row["known"] += bool(truth.get("organ_name") and
                                 gaz.signers_of(str(truth["organ_name"])))
            for when, ex in (("first", extract_metadata(pages)),
                             ("known", extract_metadata(pages, gazetteer=gaz))):
                row["keys"][when].append(key_presses(truth, ex.metadata, ex.fields))
                for k in PARTS:
                    row["tally"][(when, k)].add(compare(truth, ex.metadata, k),
                                                confident(ex.fields, k), name)
    out = [f"Machine: {machine()}", "",
           "| set / folder | docs | an earlier signer of its agency | signers | keys median "
           "| keys p90 | keys mean | competence right, confident right/confident | position "
           "| name |", "|---|---|---|---|---|---|---|---|---|---|"]
    for group in sorted(rows, key=lambda g: (g in held, g)):
        row = rows[group]
        for when in ("first", "known"):
            med, p90, mean = summary(row["keys"][when])
            label = f"{group}{' (held apart)' if group in held else ''}"
            out.append(f"| {label} | {row['docs']} | {row['known']} | {when} | {med:g} | {p90:g} "
                       f"| {mean:.1f} | " + " | ".join(_cell(row["tally"][(when, k)])
                                                      for k in PARTS) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command line entry."""
    return labels_main(__doc__ or "", run, argv)


if __name__ == "__main__":
    raise SystemExit(main())
