"""Service benchmark: search over N documents, API p99 under 50 clients, upload -> ready latency.

For each database (SQLite, PostgreSQL): seed N ready documents (bench.service_corpus), time the
search the API runs; start the real service (uvicorn + worker.daemons.supervisor), keep the workers busy
with uploads while 50 concurrent clients list and search; then, on an idle queue, time a 2-page
upload until its batch's `done` event. Prints a table; writes JSON under bench/results/service/.

    .venv/bin/python -m bench.service [--docs 10000] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import create_engine, text

from bench.measure import machine_description
from bench.service_corpus import QUERIES, UNIT, seed_corpus
from documents.audit import Actor
from infra.database import dispose_engines, normalise_url, session_scope
from intake.auth.access import COOKIE, CSRF_HEADER
from intake.auth.accounts import create_account
from intake.auth.roles import Role
from intake.auth.sessions import create_session
from intake.auth.units import create_unit
from models.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("INTAKE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("INTAKE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def percentiles(values_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/max of latencies in milliseconds."""
    xs = sorted(values_ms)
    if not xs:
        return {}

    def at(q: float) -> float:
        return round(xs[min(len(xs) - 1, int(q * len(xs)))], 1)

    return {"n": len(xs), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(xs[-1], 1)}


def bench_search(settings: Settings, rounds: int = 5) -> dict[str, float]:
    """Latency of the API's search function (query, documents, snippets) over the seeded corpus."""
    from intake.routers.search import search_results

    def _search(q: str) -> None:
        with session_scope(settings.database) as session:
            search_results(session, q, 20, 0)

    for q in QUERIES:  # warm caches, as a running service would be
        _search(q)
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            t0 = time.perf_counter()
            _search(q)
            times.append((time.perf_counter() - t0) * 1000)
    return percentiles(times)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def service(settings: Settings, env_extra: dict[str, str]) -> Iterator[str]:
    """The real service (API + workers) as child processes; yields its base URL."""
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}, **env_extra,
           "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-m", "intake.cli.http_server", "--port", str(port),
                          "--workers", str(settings.api_workers)], cwd=ROOT, env=env),
        subprocess.Popen([sys.executable, "-m", "worker.daemons.supervisor"], cwd=ROOT, env=env,
                         stderr=subprocess.DEVNULL),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the API did not start")
            time.sleep(0.2)
        yield base
    finally:
        for proc in procs:
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            for p in tree:
                try:
                    p.kill()
                except psutil.NoSuchProcess:
                    pass
            psutil.wait_procs(tree, timeout=30)


def clerk_headers(url: str) -> dict[str, str]:
    """A clerk of the seeded documents' unit, with the secret clearance (sees every document),
    signed in: the session cookie and CSRF header every request of the benchmark sends."""
    with session_scope(url, write=True) as session:
        bench = Actor.system("bench")
        unit = create_unit(session, UNIT, UNIT, actor=bench)
        account = create_account(session, username="bench.chuyen.vien", password=uuid.uuid4().hex,
                                 role=Role.CLERK, actor=bench, units=[unit], secret_clearance=True)
        new = create_session(session, account)
        return {"cookie": f"{COOKIE}={new.token}", CSRF_HEADER: new.csrf_token}


def scan_pdf(seed: int, pages: int, folder: Path) -> Path:
    """A generated scan (synth), written once."""
    from synth import make_document, write_document

    path = folder / f"scan-{seed}-{pages}.pdf"
    if not path.exists():
        write_document(make_document(seed, pages=pages), path, "pdf")
    return path


def upload(base: str, paths: list[Path], headers: dict[str, str]) -> int:
    """POST a batch; returns its id."""
    files = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in paths]
    r = httpx.post(f"{base}/api/batches", files=files, headers=headers, timeout=60)
    r.raise_for_status()
    return int(r.json()["id"])


def wait_done(base: str, batch_id: int, headers: dict[str, str], timeout: float = 600) -> str:
    """Follow the batch's server-sent events until `done`; returns the final batch status."""
    with httpx.stream("GET", f"{base}/api/batches/{batch_id}/events", headers=headers,
                      timeout=timeout) as r:
        r.raise_for_status()
        name = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: ") and name == "done":
                return str(json.loads(line[6:])["status"])
    return "unknown"


async def _client(http: httpx.AsyncClient, i: int, until: float, think: float,
                  out: dict[str, list[float]]) -> None:
    # People do not click in step: each starts at a random moment and pauses 0.5-1.5x `think`
    # (seeded). Without this, 50 clients stay synchronised and every request waits in a burst.
    rng = random.Random(i)
    if think:
        await asyncio.sleep(rng.uniform(0, think))
    n = 0
    while time.monotonic() < until:
        if (i + n) % 2:
            kind, url = "list", "/api/documents?limit=50&offset=" + str((n * 50) % 2000)
        else:
            kind, url = "search", "/api/search?q=" + QUERIES[(i + n) % len(QUERIES)]
        t0 = time.perf_counter()
        try:
            r = await http.get(url)
            status = r.status_code
        except httpx.HTTPError:
            status = 0  # connection dropped: counted as an error, not a latency
        if status == 200:
            out[kind].append((time.perf_counter() - t0) * 1000)
        else:
            out["errors"].append(float(status))
        n += 1
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def load(base: str, clients: int, seconds: float, think: float,
               headers: dict[str, str]) -> dict[str, Any]:
    """`clients` concurrent clients alternating list and search, `think` s between requests."""
    out: dict[str, list[float]] = {"list": [], "search": [], "errors": []}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60,
                                 headers=headers) as http:
        until = time.monotonic() + seconds
        await asyncio.gather(*(_client(http, i, until, think, out) for i in range(clients)))
    return {"list": percentiles(out["list"]), "search": percentiles(out["search"]),
            "errors": len(out["errors"]),
            "requests_per_s": round((len(out["list"]) + len(out["search"])) / seconds, 1)}


def bench_database(kind: str, docs: int, work: Path, seconds: float) -> dict[str, Any]:
    """Every measure on one database."""
    url, cleanup = _database(kind, work)
    try:
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        env = {"INTAKE_DATA_DIR": str(work / kind), "INTAKE_DATABASE_URL": url,
               "INTAKE_REDIS_URL": REDIS_URL, "INTAKE_QUEUE_NAME": queue}
        settings = Settings(data_dir=work / kind, database_url=url, redis_url=REDIS_URL,
                            queue_name=queue)
        t0 = time.perf_counter()
        seed_corpus(url, docs)
        _settle(url)
        result: dict[str, Any] = {"seed_s": round(time.perf_counter() - t0, 1)}
        result["search_ms"] = bench_search(settings)
        headers = clerk_headers(url)
        scans = work / "scans"
        scans.mkdir(exist_ok=True)
        with service(settings, env) as base:
            busy = upload(base, [scan_pdf(500 + i, 2, scans) for i in range(6)], headers)
            # 50 people each reading a page a second, then the same 50 with no pause (saturation).
            result["api_under_load"] = asyncio.run(load(base, 50, seconds, 1.0, headers))
            result["api_saturated"] = asyncio.run(load(base, 50, seconds, 0.0, headers))
            wait_done(base, busy, headers)
            latencies = []
            for seed in (601, 602, 603):
                path = scan_pdf(seed, 2, scans)
                t0 = time.perf_counter()
                status = wait_done(base, upload(base, [path], headers), headers)
                latencies.append(round(time.perf_counter() - t0, 2))
                assert status == "done", status
            result["upload_to_ready_2_pages_s"] = latencies
        return result
    finally:
        dispose_engines()
        cleanup()


def _settle(url: str) -> None:
    """After the bulk seed, what autovacuum would do soon anyway (statistics, visibility map), so
    it does not run in the middle of the measurement; a database in service is in this state."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _database(kind: str, work: Path) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{work / 'bench.db'}", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}", drop


def table(results: dict[str, dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    rows = ["| measure | " + " | ".join(results) + " | target |", "|---|" + "---|" * len(results) + "---|"]

    def row(name: str, target: str, get: Any) -> None:
        rows.append(f"| {name} | " + " | ".join(str(get(r)) for r in results.values())
                    + f" | {target} |")

    row("search p50 / p95 ms (10k docs)", "p95 ≤ 50",
        lambda r: f"{r['search_ms']['p50']} / {r['search_ms']['p95']}")
    row("API list p50 / p99 ms, 50 clients (1 s mean think time), workers busy", "p99 ≤ 100",
        lambda r: f"{r['api_under_load']['list']['p50']} / {r['api_under_load']['list']['p99']}")
    row("API search p50 / p99 ms, 50 clients (1 s mean think time), workers busy", "p99 ≤ 100",
        lambda r: f"{r['api_under_load']['search']['p50']} / {r['api_under_load']['search']['p99']}")
    row("API requests/s (errors), 1 s think time", "",
        lambda r: f"{r['api_under_load']['requests_per_s']} ({r['api_under_load']['errors']})")
    row("saturated, no think time: list / search p99 ms, requests/s", "",
        lambda r: f"{r['api_saturated']['list']['p99']} / {r['api_saturated']['search']['p99']}, "
        f"{r['api_saturated']['requests_per_s']}")
    row("upload → ready, 2-page document, idle queue (s)", "≤ 8",
        lambda r: " / ".join(str(x) for x in r["upload_to_ready_2_pages_s"]))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.service", description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load test")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "service")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        for kind in args.databases.split(","):
            work = Path(tmp) / kind
            work.mkdir()
            results[kind] = bench_database(kind, args.docs, work, args.seconds)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip() or "unknown"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{commit}.json").write_text(json.dumps(results, indent=1) + "\n")
    sys.stdout.write(table(results) + "\n")
    sys.stdout.write(f"machine: {machine_description()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
