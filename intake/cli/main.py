"""The `intake` command: process scans into searchable PDF/A and JSON, check the installation, give
an administrator who lost the password a new one-time one."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from models.errors import IntakeError
from models.result import DocumentResult
from models.settings import get_settings

log = logging.getLogger("intake")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    proc = sub.add_parser("process", help="process scans into PDF/A + JSON, one document per input")
    proc.add_argument("paths", nargs="+", type=Path, help="files or folders (PDF, TIFF, JPEG, PNG)")
    proc.add_argument("--out", type=Path, required=True, help="output folder")
    proc.add_argument("--json", action="store_true", help="print one JSON line per input")
    proc.add_argument("--workers", type=int, help="pages in parallel (default: settings)")
    split = sub.add_parser("split", help="cut a scanned stack into documents, one PDF/A + JSON each")
    split.add_argument("path", type=Path, help="one scanned file (PDF, TIFF...) holding many documents")
    split.add_argument("--out", type=Path, required=True, help="output folder")
    split.add_argument("--json", action="store_true", help="print the batch result as one JSON line")
    split.add_argument("--workers", type=int, help="pages in parallel (default: settings)")
    sub.add_parser("check", help="check Tesseract, the vie data, Ghostscript and Poppler")
    watch = sub.add_parser("watch", help="submit scans dropped in a folder (done/, failed/)")
    watch.add_argument("folder", type=Path, nargs="?", help="folder (default: INTAKE_WATCH_DIR)")
    admin = sub.add_parser("admin-password",
                           help="set a new one-time password for an administrator and print it once")
    admin.add_argument("--username", default="admin", help="the administrator (default: admin)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check()
        if args.command == "watch":
            from intake.cli.watch import run_watch

            logging.getLogger("intake.cli.watch").setLevel(logging.INFO)
            return run_watch(get_settings(), args.folder)
        if args.command == "admin-password":
            from intake.cli.admin_password import run_admin_password

            return run_admin_password(get_settings(), args.username, sys.stdout)
        if args.command == "split":
            from intake.cli.split import run_split

            return run_split(args)
        return _process(args)
    except IntakeError as exc:
        print(f"error [{exc.code}]: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _check() -> int:
    from infra.tools.check import check_tools

    for name, version in check_tools(get_settings().ocr_language).items():
        print(f"{name}: {version}")
    return 0


def _process(args: argparse.Namespace) -> int:
    from intake.cli.files import expand_inputs, output_stems, write_atomic
    from intake.cli.pipeline_run import exit_code_for, pipeline_options
    from intake.cli.progress import progress_bar
    from worker.pipeline import Pipeline

    options = pipeline_options(args.workers)
    inputs = expand_inputs(args.paths)
    if not inputs:
        print("error [no_input]: no scan files found in the given paths", file=sys.stderr)
        return 66
    args.out.mkdir(parents=True, exist_ok=True)
    stems = output_stems(inputs)
    exit_code = 0
    with Pipeline(options) as pipeline:
        # Counting opens every input once more: only worth it when a bar is drawn.
        total = sum(pipeline.count_pages(p) for p in inputs) if sys.stderr.isatty() else 0
        with progress_bar(total) as tick:
            jobs = [(src, args.out / f"{stem}.pdf") for src, stem in zip(inputs, stems, strict=True)]
            for (src, _), stem, result in zip(jobs, stems, pipeline.process_many(jobs, tick), strict=True):
                result.source = str(src)
                payload = _result_json(result)
                write_atomic(args.out / f"{stem}.json", (payload + "\n").encode("utf-8"))
                if args.json:
                    sys.stdout.write(payload + "\n")
                    sys.stdout.flush()
                if result.error:
                    print(f"{src}: error [{result.error['code']}]: {result.error['message']}",
                          file=sys.stderr)
                    exit_code = exit_code or exit_code_for(result.error["code"])
    return exit_code


def _result_json(result: DocumentResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    sys.exit(main())
