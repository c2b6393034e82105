"""Urgency stamps (HỎA TỐC, THƯỢNG KHẨN, KHẨN) in red and black, straight and tilted, framed or
text only: how often the real page stage and extraction read them, and false marks.

    .venv/bin/python -m bench.urgency [--n 48] [--negatives 12] [--corpus ../shared/corpus]
                                     [--before <commit>]

Generated one-page documents (synth): each stamped document is made with `urgency=` and its
stamp struck again in one of twelve styles (red or black ink; straight, or tilted 4-12° either
way; a rectangular or arrow-shaped frame, or the words alone; `synth.stamps.restrike_urgency`).
Documents without an urgency stamp (half of them with a red `MẬT` stamp where it would be)
measure false marks.
Every page goes through `worker.stages.page.recognise_page` (load, clean, OCR, stamps) and
`extract_metadata`; a value is confident when it needs no review. With `--corpus`, the first
page of every labelled document whose urgency label is not empty is read the same way.

`--before <commit>` reads the same pages again with that commit's code too (a `git worktree`
in the temporary folder, this file copied into it, run there as a subprocess), so both lines
come from one run on the same images. Nothing is cached: every page is recognised each time.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2030, 1, 1)
URGENCIES = ("HỎA TỐC", "THƯỢNG KHẨN", "KHẨN")
BLACK = (35, 35, 45)
STYLES = [(ink, tilt, frame) for ink in ("red", "black") for tilt in ("straight", "tilted")
          for frame in ("rect", "arrow", "none")]
DEGRADE = ("clean", "noise", "paper", "jpeg")
LABELS = ("corpus.json", "more_agencies.json", "heldout.json")


@dataclass
class Case:
    """One page to read: a generated PNG, or page `page` of a labelled file."""

    name: str
    variant: str  # 'red tilted arrow', ..., 'none', 'none (MẬT)', 'real'
    truth: str | None
    path: str
    page: int = 0


def _cases(n: int, negatives: int, tmp: Path) -> Iterator[Case]:
    """Generated documents written as PNG: n stamped (the styles in turn), then the others."""
    from synth import degrade, make_document
    from synth.stamps import restrike_urgency

    for i in range(n):
        seed = 7100 + i
        ink, tilt, frame = STYLES[i % len(STYLES)]
        urgency = URGENCIES[(i // len(STYLES)) % len(URGENCIES)]
        rng = random.Random(seed)
        angle = rng.uniform(4, 12) * rng.choice((-1, 1)) if tilt == "tilted" else 0.0
        doc = make_document(seed, pages=1, urgency=urgency)
        page = restrike_urgency(doc, rng, ink=None if ink == "red" else BLACK, angle=angle,
                                frame=frame)
        page = degrade(page, DEGRADE[i % len(DEGRADE)], rng)
        path = tmp / f"u{seed}.png"
        page.save(path, dpi=page.info.get("dpi", (300, 300)))
        yield Case(path.stem, f"{ink} {tilt} {frame}", urgency, str(path))
    for i in range(negatives):
        seed = 7900 + i
        secret = i % 2 == 1
        doc = make_document(seed, pages=1, secrecy="MẬT" if secret else None)
        page = degrade(doc.pages[0], DEGRADE[i % len(DEGRADE)], random.Random(seed))
        path = tmp / f"n{seed}.png"
        page.save(path, dpi=page.info.get("dpi", (300, 300)))
        yield Case(path.stem, "none (MẬT)" if secret else "none", None, str(path))


def _real_cases(corpus: Path) -> list[Case]:
    """First pages of the labelled documents that carry an urgency mark."""
    out: list[Case] = []
    for name in LABELS:
        labels = json.loads((ROOT / "bench" / "labels" / name).read_text(encoding="utf-8"))
        for d in labels["documents"]:
            urgency = d["fields"].get("urgency")
            if urgency and (corpus / d["file"]).exists():
                out.append(Case(d["file"], "real", urgency, str((corpus / d["file"]).resolve())))
    return out


def read(cases: list[Case]) -> list[dict[str, object]]:
    """Urgency value and confidence of each case, with this checkout's page stage and extraction
    (only interfaces every version since the coloured stamps has)."""
    from documents.extract import extract_metadata
    from worker.options import PipelineOptions
    from worker.stages.load import PageSource, open_input
    from worker.stages.page import recognise_page

    opts = PipelineOptions(workers=1)
    out: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="bench-urgency-") as tmp:
        for c in cases:
            t0 = time.perf_counter()
            path = Path(c.path)
            if path.suffix.lower() == ".png":
                source = PageSource(path, "png", 0)
            else:
                source = open_input(path, max_pixels=opts.max_pixels, max_pages=opts.max_pages,
                                    max_bytes=opts.max_bytes).pages[c.page]
            page = recognise_page(source, opts, Path(tmp)).result
            found = extract_metadata([page], today=TODAY).fields["urgency"]
            out.append({"name": c.name, "value": found["value"],
                        "confident": not found["needs_review"],
                        "seconds": round(time.perf_counter() - t0, 2)})
    return out


def _read_before(commit: str, cases: list[Case], tmp: Path) -> list[dict[str, object]]:
    """`read` run with another commit's code: a worktree of it, this file copied in."""
    tree = tmp / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree),
                    commit], check=True)
    try:
        shutil.copy(Path(__file__), tree / "bench" / "urgency.py")
        todo = tmp / "cases.json"
        todo.write_text(json.dumps([c.__dict__ for c in cases], ensure_ascii=False),
                        encoding="utf-8")
        done = tmp / "before.json"
        # `-m` from the worktree puts it first on sys.path: its packages, not this checkout's.
        subprocess.run([sys.executable, "-m", "bench.urgency", "--read", str(todo), "--out",
                        str(done)], cwd=tree, check=True)
        return list(json.loads(done.read_text(encoding="utf-8")))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)


def table(cases: list[Case], runs: dict[str, list[dict[str, object]]]) -> str:
    """Per variant and code: read right / total, confident right / confident (a confident "no
    urgency" counts: on a stamped page it is a confident miss), false marks (confident)."""
    variants = list(dict.fromkeys(c.variant for c in cases))
    lines = ["| variant | docs | code | read right | confident right / confident | false marks "
             "(confident) |", "|---|---|---|---|---|---|"]
    stamped = [i for i, c in enumerate(cases) if c.truth is not None and c.variant != "real"]
    groups = [(v, [i for i, c in enumerate(cases) if c.variant == v]) for v in variants]
    for v, idx in [*groups, ("all generated, stamped", stamped)]:
        if not idx:
            continue
        for code, res in runs.items():
            right = sum(res[i]["value"] == cases[i].truth for i in idx)
            conf = [i for i in idx if res[i]["confident"]]
            conf_right = sum(res[i]["value"] == cases[i].truth for i in conf)
            false = [i for i in idx if res[i]["value"] is not None and
                     res[i]["value"] != cases[i].truth]
            false_conf = sum(bool(res[i]["confident"]) for i in false)
            lines.append(f"| {v} | {len(idx)} | {code} | {right}/{len(idx)} | "
                         f"{conf_right}/{len(conf)} | {len(false)} ({false_conf}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=48, help="stamped documents (default 48)")
    ap.add_argument("--negatives", type=int, default=12, help="documents without (default 12)")
    ap.add_argument("--corpus", type=Path, help="real scans (the labelled urgency documents)")
    ap.add_argument("--before", help="a commit whose code reads the same pages too")
    ap.add_argument("--read", type=Path, help=argparse.SUPPRESS)  # cases JSON (the worktree run)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every wrong reading")
    args = ap.parse_args(argv)
    if args.read:
        cases = [Case(**c) for c in json.loads(args.read.read_text(encoding="utf-8"))]
        args.out.write_text(json.dumps(read(cases), ensure_ascii=False), encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-urgency-") as name:
        tmp = Path(name)
        cases = list(_cases(args.n, args.negatives, tmp))
        if args.corpus is not None:
            cases += _real_cases(args.corpus)
        runs: dict[str, list[dict[str, object]]] = {}
        if args.before:
            runs["before"] = _read_before(args.before, cases, tmp)
        runs["after" if args.before else "this code"] = read(cases)
    print(f"Urgency stamps: {args.n} generated with one, {args.negatives} without "
          f"(one page each, 300 dpi), and {sum(c.variant == 'real' for c in cases)} real")
    print(table(cases, runs))
    if args.verbose:
        for code, res in runs.items():
            for c, r in zip(cases, res, strict=True):
                if r["value"] != c.truth:
                    print(f"  {code} {c.name} [{c.variant}]: {r['value']!r} "
                          f"({'confident' if r['confident'] else 'review'}), truth {c.truth!r}")
    seconds = [float(r["seconds"]) for res in runs.values() for r in res]  # type: ignore[arg-type]
    print(f"mean seconds per page (page stage + extraction): {sum(seconds) / len(seconds):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
