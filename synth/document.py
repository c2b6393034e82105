"""make_document: seeded generation of a scanned-looking document with exact ground truth."""

from __future__ import annotations

import random
from typing import Any

from synth.content import SECRECY, URGENCY, Content, compose
from synth.fonts import ink, nfc
from synth.layout import layout
from synth.model import Box, GeneratedDocument, Geometry, PageLayout, union
from synth.render import Marks, draw_page, stamp_line_objs

PAGE_WEIGHTS = (40, 30, 20, 10)
N_ITEMS = 80


def _check(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    """Validate an optional secrecy/urgency label."""
    if value is None:
        return None
    v = nfc(value).strip().upper()
    if v not in allowed:
        raise ValueError(f"{what} must be one of {allowed}, got {value!r}")
    return v


def _choose_items(c: Content, g: Geometry, dpi: int, target: int, rng: random.Random) -> int:
    """Pick how many middle items make the document exactly `target` pages long."""
    def count(k: int) -> int:
        return len(layout(c, g, dpi, k))

    def first_at_least(n: int) -> int:
        lo, hi = 0, N_ITEMS
        while lo < hi:
            mid = (lo + hi) // 2
            if count(mid) >= n:
                hi = mid
            else:
                lo = mid + 1
        return lo

    lo = first_at_least(target)
    hi = first_at_least(target + 1)
    if hi <= lo:
        return lo
    return rng.randint(lo, hi - 1)


def _clip(b: Box, w: int, h: int) -> list[int]:
    """Clip a box to the page."""
    return [max(0, b[0]), max(0, b[1]), min(w, b[2]), min(h, b[3])]


def _truth(c: Content, layouts: list[PageLayout], marks: Marks, dpi: int, w: int,
           h: int, g: Geometry) -> dict[str, Any]:
    """Assemble the JSON-serialisable ground truth."""
    to_places = list(c.kinh_gui) or [r for r in c.recipients
                                      if r != "Như trên" and not r.startswith("Lưu")]
    fields: dict[str, Any] = {
        "number": f"{c.code_number}/{c.code_notation}", "code_number": c.code_number,
        "code_notation": c.code_notation, "issued_date": c.issued.isoformat(),
        "place": c.agency.place, "organ_name": c.agency.organ_name,
        "parent_organ": c.agency.parent, "type_name": c.type_name, "subject": c.subject,
        "signer": {"competence": " ".join(c.competence) or None, "position": c.position or None,
                   "full_name": c.full_name},
        "to_places": to_places, "recipients": list(c.recipients), "secrecy": c.secrecy,
        "urgency": c.urgency, "arrival_stamp": marks.arrival,
    }
    boxes: dict[str, list[int]] = {}
    grouped: dict[str, tuple[int, list[Box]]] = {}
    for i, pl in enumerate(layouts):
        for ln in pl.lines:
            for f in ln.fields:
                grouped.setdefault(f, (i, []))[1].append(ln.bbox(dpi))
    for name, (page, bs) in grouped.items():
        boxes[name] = [page] + _clip(union(bs), w, h)
    p0 = layouts[0]
    num = next(ln for ln in p0.lines if ln.role == "number")
    code = [wd for wd in num.words if wd.text.startswith(c.code_number)]
    if code:
        wd = code[0]
        b = num.word_box(wd, dpi)
        if wd.typed:
            k = ink(c.code_number, wd.style, wd.size, dpi)
            b = (int(wd.x) + k[0], int(num.baseline) + k[1], int(wd.x) + k[2] + 1,
                 int(num.baseline) + k[3] + 1)
        boxes["code_number"] = [0] + _clip(b, w, h)
    boxes["place"] = [0] + _clip(p0.anchors["place"], w, h)
    for name, (page, b) in marks.boxes.items():
        boxes[name] = [page] + _clip(b, w, h)
    pages: list[dict[str, Any]] = []
    words: list[str] = []
    for i, pl in enumerate(layouts):
        lines: list[dict[str, Any]] = [
            {"text": ln.text, "bbox": _clip(ln.bbox(dpi), w, h), "role": ln.role}
            for ln in pl.lines]
        for ln in pl.lines:
            words.extend(t for wd in ln.words if wd.typed for t in wd.text.split())
        if i == 0:
            lines += [dict(d, bbox=_clip(tuple(d["bbox"]), w, h))  # type: ignore[arg-type]
                      for d in stamp_line_objs(marks.stamp_lines)]
        pages.append({"width": w, "height": h, "lines": lines})
    return {
        "fields": fields, "field_boxes": boxes, "pages": pages, "body_words": words,
        "kind": c.kind, "dpi": dpi, "page_count": len(layouts),
        "handwritten": {"number": g.hand_number, "day": g.hand_day},
        "box_page_index": "0-based; boxes are [page, left, top, right, bottom] in pixels of "
                          "the upright clean page",
    }


def make_document(seed: int, *, pages: int | None = None, kind: str | None = None,
                  dpi: int = 300, handwritten: bool = False, incoming_stamp: bool = False,
                  secrecy: str | None = None, urgency: str | None = None,
                  seal_over_name: bool = True) -> GeneratedDocument:
    """Generate one deterministic synthetic scanned document from a seed."""
    if pages is not None and not 1 <= pages <= 6:
        raise ValueError("pages must be between 1 and 6")
    if dpi < 72:
        raise ValueError("dpi must be at least 72")
    sec = _check(secrecy, SECRECY, "secrecy")
    urg = _check(urgency, URGENCY, "urgency")
    rng = random.Random(seed)
    c = compose(rng, kind, sec, urg, N_ITEMS)
    g = Geometry.random(rng, handwritten, bool(sec or urg), seal_over_name)
    target = pages or rng.choices((1, 2, 3, 4), weights=PAGE_WEIGHTS)[0]
    k = _choose_items(c, g, dpi, target, rng)
    layouts = layout(c, g, dpi, k)
    images = [draw_page(pl, dpi) for pl in layouts]
    marks = Marks(c, layouts, images, dpi, rng)
    marks.handwriting()
    marks.signature_and_seal(seal_over_name)
    if sec or urg:
        marks.rect_stamps()
    if incoming_stamp:
        marks.incoming()
    w, h = images[0].size
    truth = _truth(c, layouts, marks, dpi, w, h, g)
    for img in images:
        img.info["dpi"] = (dpi, dpi)
    return GeneratedDocument(pages=images, dpi=dpi, truth=truth, seed=seed, layouts=layouts)
