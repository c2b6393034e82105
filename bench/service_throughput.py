"""Throughput of a multi-page batch through the service vs `intake process` on the same files.

    .venv/bin/python -m bench.service_throughput [--pages 200] [--per-document 4]

Both run on this machine with their default sizing (the service: one RQ worker per core, each
document's pages in parallel; the CLI: one pool of page processes shared by all documents).
The ratio service/CLI is the share of the CLI's speed the service keeps (target ≥ 0.9).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.measure import machine_description
from bench.service import REDIS_URL, ROOT, clerk_headers, scan_pdf, service, upload, wait_done
from infra.database import dispose_engines
from models.settings import Settings


def run_cli(files: list[Path], out: Path) -> float:
    """Seconds `intake process` takes for the files."""
    t0 = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "intake"), "process", *map(str, files),
                    "--out", str(out)], check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - t0


def run_service(files: list[Path], work: Path) -> float:
    """Seconds from the upload of one batch to its `done` event, on an idle service."""
    url = f"sqlite:///{work / 'intake.db'}"
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {"INTAKE_DATA_DIR": str(work), "INTAKE_DATABASE_URL": url,
           "INTAKE_REDIS_URL": REDIS_URL, "INTAKE_QUEUE_NAME": queue}
    settings = Settings(data_dir=work, database_url=url, redis_url=REDIS_URL, queue_name=queue)
    try:
        with service(settings, env) as base:
            headers = clerk_headers(url)  # a signed-in clerk (the service is migrated by now)
            t0 = time.perf_counter()
            status = wait_done(base, upload(base, files, headers), headers, timeout=7200)
            elapsed = time.perf_counter() - t0
    finally:
        dispose_engines()
    if status != "done":
        raise RuntimeError(f"batch ended {status}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Run both and print the comparison."""
    parser = argparse.ArgumentParser(prog="python -m bench.service_throughput",
                                     description=__doc__)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--per-document", type=int, default=4)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        root = Path(tmp)
        (root / "scans").mkdir()
        count = max(1, args.pages // args.per_document)
        files = [scan_pdf(900 + i, args.per_document, root / "scans") for i in range(count)]
        pages = count * args.per_document
        cli = run_cli(files, root / "cli-out")
        svc = run_service(files, root / "service")
    result = {"pages": pages, "documents": count, "cli_s": round(cli, 1),
              "service_s": round(svc, 1), "cli_pages_per_s": round(pages / cli, 3),
              "service_pages_per_s": round(pages / svc, 3), "ratio": round(cli / svc, 3)}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.write(f"machine: {machine_description()}\n")
    sys.stdout.write(
        f"| {pages}-page batch ({count} documents) | intake process {result['cli_s']} s "
        f"({result['cli_pages_per_s']} pages/s) | service {result['service_s']} s "
        f"({result['service_pages_per_s']} pages/s) | ratio {result['ratio']} (target ≥ 0.9) |\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
