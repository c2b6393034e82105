"""What the legal copy's signature costs (issue 14, docs/SIGNING.md): signing time per document
and bytes added, next to the page stage's time, at each PAdES level.

Inputs: generated scans (synth, bench.dataset) run through our pipeline in process (its page
timings and page-1 OCR words are used: the box avoids the header as in the service), then each
PDF/A signed with the test PKI of tests/pki.py (a local PKCS#12 key; the TSA and OCSP responder
on loopback, so network latency is not in the figures): B-B, B-T, B-LT, and B-B through a
SoftHSM2 PKCS#11 token when softhsm2 is installed. Median of `--repeat` runs per document.

`python -m bench.signing [--pages-per-kind 1] [--out bench/results]`
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.dataset import build_set
from bench.measure import machine_description
from documents.signing.box import PageGeometry, obstacles
from documents.signing.keys import Choice, open_signer, validation_context
from documents.signing.pdf import Signed, page_geometry, sign_pdf
from intake.cli.pipeline_run import pipeline_options
from models.result import page_evidence
from models.settings import Settings
from worker.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


def _token(pki_dir: Path, key_file: Path) -> str | None:
    """A SoftHSM2 token holding the agency key (SOFTHSM2_CONF set for this process)."""
    if not SOFTHSM.exists() or shutil.which("softhsm2-util") is None:
        return None
    tokens = pki_dir / "tokens"
    tokens.mkdir(exist_ok=True)
    conf = pki_dir / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    os.environ["BENCH_TOKEN_PIN"] = "1234"
    util = ["softhsm2-util"]
    subprocess.run([*util, "--init-token", "--free", "--label", "bench", "--pin", "1234",
                    "--so-pin", "5678"], check=True, capture_output=True)
    subprocess.run([*util, "--import", str(key_file), "--token", "bench", "--label", "agency",
                    "--id", "01", "--pin", "1234"], check=True, capture_output=True)
    return "bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--pages-per-kind", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from tests.pki import AGENCY_NAME, serve_pki

    work = args.out / "signing"
    docs = build_set(work / "inputs", args.pages_per_kind)
    results = []
    with Pipeline(pipeline_options(2)) as pipeline:
        jobs = [(d.pdf, work / "pdfa" / f"{d.kind}.pdf") for d in docs]
        (work / "pdfa").mkdir(parents=True, exist_ok=True)
        results = list(pipeline.process_many(jobs))
    pki_dir = Path(tempfile.mkdtemp(prefix="bench-pki-"))
    pki, server = serve_pki(pki_dir)
    try:
        settings = Settings(signing_trust_roots=pki.root.cert_file, agency_name=AGENCY_NAME)
        p12 = Choice("agency", "pkcs12", str(pki.agency.pkcs12_file),
                     secret=pki.agency.pkcs12_password)
        bundle = pki_dir / "agency-chain.pem"
        bundle.write_bytes(pki.agency.cert_pem + pki.intermediate.cert_pem)
        token = _token(pki_dir, pki.agency.key_file)
        levels: list[tuple[str, Choice, dict[str, object]]] = [
            ("B-B (PKCS#12)", p12, {}),
            ("B-T (PKCS#12, TSA)", p12, {"tsa_url": pki.tsa_url}),
            ("B-LT (PKCS#12, TSA, OCSP)", p12,
             {"tsa_url": pki.tsa_url, "validation_context": "yes"}),
        ]
        if token:
            levels.append(("B-B (PKCS#11 SoftHSM2)", Choice(
                "token", "pkcs11", cert_file=str(bundle), pkcs11_module=str(SOFTHSM),
                pkcs11_token=token, pkcs11_key="agency", secret_env="BENCH_TOKEN_PIN"), {}))
        lines = [
            f"Machine: {machine_description()}",
            f"Inputs: {len(docs)} generated scans ({', '.join(d.kind for d in docs)}), "
            f"{args.pages_per_kind} page(s) each, through our pipeline; median of {args.repeat} "
            "signings per document; TSA and OCSP on loopback",
            "",
            "| level (key) | pages | page stage s/page | PDF/A KB | sign ms (median) "
            "| sign ms incl. key opening | bytes added |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, choice, extra in levels:
            times, opened_times, added, page_s, kb, pages = [], [], [], [], [], 0
            for (_src, pdf), result in zip(jobs, results, strict=True):
                data = pdf.read_bytes()
                first = result.page_results[0]
                geometry = page_geometry(data, first.width, first.height)
                boxes = obstacles(geometry, page_evidence(first))
                page_s += [sum(p.timings.values()) for p in result.page_results]
                pages += len(result.page_results)
                kb.append(len(data) / 1024)
                for _ in range(args.repeat):
                    signed, seconds = _sign(choice, settings, data, geometry, boxes, extra)
                    times.append(signed.seconds)
                    opened_times.append(seconds)
                    added.append(signed.bytes_added)
            lines.append(
                f"| {name} | {pages} | {statistics.median(page_s):.2f} | "
                f"{statistics.median(kb):.0f} | {statistics.median(times) * 1000:.0f} | "
                f"{statistics.median(opened_times) * 1000:.0f} | "
                f"{statistics.median(added):.0f} |")
    finally:
        server.stop()
        shutil.rmtree(pki_dir, ignore_errors=True)
    table = "\n".join(lines)
    print(table)
    (args.out / "signing.md").write_text(table + "\n", encoding="utf-8")
    return 0


def _sign(choice: Choice, settings: Settings, data: bytes, geometry: PageGeometry,
          boxes: list[tuple[float, float, float, float]],
          extra: dict[str, object]) -> tuple[Signed, float]:
    import time

    started = time.perf_counter()
    with open_signer(choice, settings) as signer:
        context = validation_context(settings) if extra.get("validation_context") else None
        tsa = str(extra.get("tsa_url") or "")
        signed = sign_pdf(data, signer, agency=settings.agency_name, obstacles=boxes,
                          geometry=geometry, tsa_url=tsa, validation_context=context)
    return signed, time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
