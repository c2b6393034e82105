"""`intake split`: one scanned stack in, one PDF/A + JSON per document found out."""

from __future__ import annotations

import argparse
import json
import sys


def run_split(args: argparse.Namespace) -> int:
    """Cut `args.path` into documents under `args.out`; exit code as `intake process` gives it."""
    from intake.cli.files import write_atomic
    from intake.cli.pipeline_run import exit_code_for, pipeline_options
    from intake.cli.progress import progress_bar
    from worker.pipeline import Pipeline
    from worker.split.batch import document_stem

    options = pipeline_options(args.workers)
    args.out.mkdir(parents=True, exist_ok=True)
    with Pipeline(options) as pipeline:
        with progress_bar(pipeline.count_pages(args.path)) as tick:
            batch = pipeline.process_batch(args.path, args.out, tick)
    stem = args.path.stem
    for n, doc in enumerate(batch.documents, start=1):
        payload = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
        write_atomic(args.out / f"{document_stem(stem, n)}.json", (payload + "\n").encode("utf-8"))
    summary = batch.model_dump(mode="json")
    for doc in summary["documents"]:
        # The summary names each document's files; its pages and text are in the document's JSON.
        for key in ("page_results", "text", "fields"):
            doc.pop(key, None)
    line = json.dumps(summary, ensure_ascii=False, separators=(",", ":"))
    write_atomic(args.out / f"{stem}.split.json", (line + "\n").encode("utf-8"))
    if args.json:
        sys.stdout.write(line + "\n")
    for doc in batch.documents:
        if doc.needs_review:
            print(f"{doc.pdf or doc.source}: needs review: {'; '.join(doc.review_reasons)}", file=sys.stderr)
    error = batch.error or next((d.error for d in batch.documents if d.error), None)
    if error:
        print(f"{args.path}: error [{error['code']}]: {error['message']}", file=sys.stderr)
        return exit_code_for(error["code"])
    return 0
