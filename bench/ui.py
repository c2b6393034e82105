"""Web pages benchmark: time to first render of the review queue and of a review page with N
documents waiting, and key presses to confirm a fully confident document.

Seeds N ready-for-review documents straight into a SQLite database (fields, boxes and one page
image from the synth generator), starts the real API (uvicorn) and drives Debian's Chromium with
Playwright. Times are read in the browser with the Performance API, from the start of the
navigation: `rendered` is the page's own `intake:rendered` mark (the data drawn into the page),
`fcp` the first contentful paint, the first render the later of the two; cold is a new browser
context (nothing cached), warm a second visit (scripts and styles cached, the page and its data
fetched again). The reference, measured in the same run and the same browser, is fetching the
same JSON the page needs from the API (`fetch` + parse): the floor any page showing that data
has to pay.

Every browser context is signed in as a clerk of the documents' unit (the session cookie the
sign-in form sets, bench.service.clerk_headers). The pages' Content-Security-Policy forbids eval,
so Playwright's wait_for_function cannot run: waits poll `page.evaluate` instead (the times are
read from the page's own Performance API, so the polling does not change them).

    .venv/bin/python -m bench.ui [--docs 1000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.measure import machine_description
from bench.service import clerk_headers
from bench.service_corpus import UNIT
from documents.metadata import apply_metadata
from infra.database import dispose_engines, migrate, session_scope
from infra.storage import open_store
from infra.tables import Batch, Document, DocumentStatus, Page, PageStatus, StoredFile, Upload
from models.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("INTAKE_CHROMIUM", "/usr/bin/chromium")
URGENT = ("HỎA TỐC", "THƯỢNG KHẨN", "KHẨN")
TARGET_MS = 300.0


def _sources(count: int, image_dir: Path) -> tuple[list[dict[str, Any]], Path, tuple[int, int]]:
    """Truths (fields and their boxes) of `count` generated documents, and one page image at
    100 dpi as the service stores it."""
    from PIL import Image

    from synth import make_document, write_document

    truths = [make_document(20_000 + s, pages=1).truth for s in range(count)]
    doc = make_document(20_000, pages=1)
    pages = write_document(doc, image_dir / "page.jpg", "jpg")
    src = Path(pages[0]) if pages else image_dir / "page.jpg"
    with Image.open(src) as im:
        size = im.size
        scale = 100 / doc.dpi
        im.convert("RGB").resize((round(size[0] * scale), round(size[1] * scale))).save(
            image_dir / "page-100.jpg", quality=60)
    return truths, image_dir / "page-100.jpg", size


def _field(truth: dict[str, Any], key: str, value: Any, uncertain: bool) -> dict[str, Any]:
    box = truth.get("field_boxes", {}).get(key)  # [page, x0, y0, x1, y1]
    return {"value": value, "confidence": 0.55 if uncertain else 0.97, "needs_review": uncertain,
            "page": 0, "bbox": box[1:] if isinstance(box, list) and len(box) == 5 else None}


def seed(settings: Settings, total: int, distinct: int = 30) -> dict[str, int]:
    """`total` documents ready for review (about a fifth urgent, half with uncertain fields);
    returns the ids of one fully confident and one uncertain document."""
    migrate(settings.database)
    store = open_store(settings)
    rng = random.Random(11)
    now = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        truths, image, (width, height) = _sources(distinct, Path(tmp))
        image_key = store.put_file("documents/bench/page-0.jpg", image)
    ids: dict[str, int] = {}
    done = 0
    while done < total:
        with session_scope(settings.database, write=True) as session:
            batch = Batch(source="api", created_by="bench", unit=UNIT)
            session.add(batch)
            session.flush()
            for i in range(done, min(total, done + 250)):
                truth = truths[i % distinct]
                meta = dict(truth["fields"])
                meta["number"] = f"{i + 1}/{meta.get('code_notation') or 'UBND-VP'}"
                meta["code_number"] = str(i + 1)
                meta["urgency"] = URGENT[i % 3] if rng.random() < 0.2 else None
                uncertain = ("number", "subject") if i % 2 else ()
                if i == 0:
                    meta["urgency"], uncertain = None, ()
                fields = {k: _field(truth, k, v, k in uncertain) for k, v in meta.items()
                          if k != "recipients"}
                sha = f"{i:064x}"
                session.add(StoredFile(sha256=sha, size=1))
                session.flush()
                upload = Upload(batch_id=batch.id, sha256=sha, filename=f"scan-{i}.pdf", size=1)
                session.add(upload)
                session.flush()
                doc = Document(batch_id=batch.id, upload_id=upload.id, sha256=sha,
                               title=f"scan-{i}.pdf", unit=UNIT,
                               status=DocumentStatus.READY_FOR_REVIEW,
                               text=meta.get("subject") or "", pages_total=1,
                               uploaded_at=now - dt.timedelta(minutes=total - i))
                session.add(doc)
                session.flush()
                session.add(Page(document_id=doc.id, index=0, source_page=0, status=PageStatus.DONE,
                                 source="ocr", width=width, height=height, dpi=300,
                                 mean_confidence=90.0, image_key=image_key))
                apply_metadata(session, doc, meta, fields)
                if i == 0:
                    ids["confident"] = doc.id
                elif uncertain and "uncertain" not in ids:
                    ids["uncertain"] = doc.id
            done = min(total, done + 250)
    dispose_engines()
    return ids


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(settings: Settings) -> dict[str, str]:
    """The environment that gives the API process these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_DATA_DIR=str(settings.data_dir), INTAKE_DATABASE_URL=settings.database_url,
               INTAKE_REDIS_URL=settings.redis_url, INTAKE_QUEUE_NAME=settings.queue_name,
               PYTHONPATH=str(ROOT))
    return env


@contextmanager
def serve(settings: Settings, log: Path) -> Iterator[str]:
    """The real API (uvicorn, one process) on a free local port; yields its base URL."""
    port = _free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "intake.app:app", "--host", "127.0.0.1", "--port",
             str(port), "--log-level", "warning"],
            cwd=ROOT, env=server_env(settings), stdout=out, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                        break
                except urllib.error.HTTPError:  # it answers (503: a tool is missing): it is up
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the API did not start; see {log}") from None
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


_TIMES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const mark = performance.getEntriesByName("intake:rendered")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {rendered: mark ? mark.startTime : null, fcp: fcp ? fcp.startTime : null,
          ttfb: nav.responseStart, dom: nav.domContentLoadedEventEnd};
}"""

_FETCH = """async (url) => {
  const t0 = performance.now();
  const r = await fetch(url, {headers: {Accept: "application/json"}});
  await r.json();
  return performance.now() - t0;
}"""


_RENDERED = "performance.getEntriesByName('intake:rendered').length > 0"
_PAINTED = "performance.getEntriesByName('first-contentful-paint').length > 0"


def wait_until(page: Any, expression: str, timeout: float = 60.0) -> None:
    """Wait until `expression` is true in the page, asking with page.evaluate (allowed by the
    CSP, unlike wait_for_function's eval inside the page)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout:.0f} s: {expression}")
        page.wait_for_timeout(20)


def signed_in(browser: Any, base: str, cookie: str) -> Any:
    """A new browser context (nothing cached) holding the clerk's session cookie."""
    name, _, value = cookie.partition("=")
    context = browser.new_context()
    context.add_cookies([{"name": name, "value": value, "url": base, "httpOnly": True,
                          "sameSite": "Strict"}])
    return context


def _render(browser: Any, base: str, url: str, cookie: str, context: Any = None) -> dict[str, float]:
    """One navigation; cold (a new signed-in context) unless `context` is given."""
    ctx = context or signed_in(browser, base, cookie)
    page = ctx.new_page()
    page.goto(url, wait_until="load")
    if page.url != url:
        raise RuntimeError(f"{url} went to {page.url} (not signed in?)")
    wait_until(page, _RENDERED)
    wait_until(page, _PAINTED)
    times = page.evaluate(_TIMES)
    page.close()
    if context is None:
        ctx.close()
    return times


def measure_page(browser: Any, base: str, cookie: str, path: str, api: str,
                 rounds: int) -> dict[str, Any]:
    """Cold (new browser context: nothing cached) and warm renders of a page, and the API fetch
    of the same data from that page's origin."""
    url = base + path
    _render(browser, base, url, cookie)  # the server's first request (imports, caches) not counted
    cold = [_render(browser, base, url, cookie) for _ in range(rounds)]
    context = signed_in(browser, base, cookie)
    _render(browser, base, url, cookie, context)
    warm = [_render(browser, base, url, cookie, context) for _ in range(rounds)]
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.evaluate(_FETCH, base + api)
    fetches = [page.evaluate(_FETCH, base + api) for _ in range(rounds)]
    context.close()

    def med(xs: list[dict[str, float]], key: str) -> float:
        return round(statistics.median(x[key] for x in xs), 1)

    # First render: the first paint that shows the data (the data are drawn before the first
    # paint when the page carries them, so that paint is the one; else the drawing itself).
    for x in cold + warm:
        x["first_render"] = max(x["rendered"], x["fcp"])
    return {"path": path, "cold_first_render": med(cold, "first_render"),
            "cold_rendered": med(cold, "rendered"), "cold_fcp": med(cold, "fcp"),
            "warm_first_render": med(warm, "first_render"),
            "api_fetch": round(statistics.median(fetches), 1), "rounds": rounds}


def key_presses(browser: Any, base: str, cookie: str, doc_id: int, limit: int = 10) -> int:
    """Key presses from opening a review page until the document is confirmed."""
    context = signed_in(browser, base, cookie)
    page = context.new_page()
    page.goto(f"{base}/van-ban/{doc_id}", wait_until="load")
    wait_until(page, _RENDERED)
    presses = 0
    while presses < limit:
        page.keyboard.press("Enter")
        presses += 1
        try:
            page.wait_for_selector("#done-banner", timeout=1500)
            break
        except Exception:  # noqa: BLE001 - not confirmed yet: the next key
            continue
    confirmed = page.locator("#done-banner").count() > 0
    context.close()
    return presses if confirmed else -1


def run(docs: int, rounds: int, out: Path | None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "var",  # type: ignore[call-arg]
                            database_url=f"sqlite:///{Path(tmp) / 'intake.db'}",
                            queue_name="bench-ui")
        t0 = time.perf_counter()
        ids = seed(settings, docs)
        seeded = time.perf_counter() - t0
        cookie = clerk_headers(settings.database)["cookie"]
        with serve(settings, Path(tmp) / "api.log") as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            queue = measure_page(browser, base, cookie, "/hang-doi", "/api/review-queue?limit=50",
                                 rounds)
            review = measure_page(browser, base, cookie, f"/van-ban/{ids['uncertain']}",
                                  f"/api/documents/{ids['uncertain']}", rounds)
            one = key_presses(browser, base, cookie, ids["confident"])
            two = key_presses(browser, base, cookie, ids["uncertain"])
            version = browser.version
            browser.close()
    result = {"machine": machine_description(), "chromium": version, "documents": docs,
              "load_average": [round(x, 1) for x in os.getloadavg()],
              "seed_seconds": round(seeded, 1), "queue": queue, "review": review,
              "keys_confident": one, "keys_two_uncertain": two}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "ui.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


def table(r: dict[str, Any]) -> str:
    """The result as a Markdown table."""
    lines = [
        f"machine: {r['machine']}; Chromium {r['chromium']}; {r['documents']} documents waiting "
        f"(SQLite, one uvicorn process); medians of {r['queue']['rounds']} navigations; "
        f"load average at the end {r['load_average']}",
        "",
        "| page | first render, cold (ms) | of which: data drawn / first paint (ms) "
        "| first render, warm (ms) | reference: API fetch of the same JSON (ms) "
        "| cold render / fetch | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in (("review queue `/hang-doi`", r["queue"]), ("review page `/van-ban/{id}`", r["review"])):
        ratio = m["cold_first_render"] / m["api_fetch"] if m["api_fetch"] else float("nan")
        ok = "met" if m["cold_first_render"] <= TARGET_MS else "missed"
        lines.append(f"| {name} | {m['cold_first_render']} | {m['cold_rendered']} / {m['cold_fcp']} "
                     f"| {m['warm_first_render']} | {m['api_fetch']} | {ratio:.1f}x "
                     f"| ≤ {TARGET_MS:.0f} ms: {ok} |")
    lines += [
        "",
        "| key presses to confirm | measured | target |",
        "|---|---|---|",
        f"| fully confident document | {r['keys_confident']} | 1 |",
        f"| document with 2 uncertain fields (accepted as read) | {r['keys_two_uncertain']} | — |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    print(table(run(args.docs, args.rounds, args.out)))


if __name__ == "__main__":
    main()
