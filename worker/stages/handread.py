"""A second reading of handwritten numbers and days (page stage, first page only, on crops).

Tesseract's `vie` model reads digits written by hand into the printed blanks (`Số: ..../UBND`,
`ngày .. tháng .. năm ....`) as confident garbage (`44` for `11`). The PP-OCR text recogniser
shipped inside the PyPI package `rapidocr` (Apache-2.0; its ONNX model files are in the wheel,
nothing is downloaded) was trained on far more varied script and reads them. We run only its
recognition network, with onnxruntime on the CPU, on the number line and the date line of the
first page, and only when the first reading of that line is missing or needs review.

The recogniser knows no Vietnamese marks and reads digits as letters now and then (`2M6`,
`Q5A0`, `3U`): besides its best reading we keep, for every character, the most likely digit in
the same place of its output (`Reread.digits`). Extraction (`documents.extract.handread`)
decides with the number and date grammar what the readings say and whether they agree.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from documents.extract import extract_metadata
from documents.extract.handread import DAY_LABEL, MONTH_LABEL, number_label
from documents.extract.layout import find_motto, segments
from models.result import PageResult, Reread, Word
from models.text import fold

log = logging.getLogger(__name__)

# The recognition network's input height (PP-OCR v3-v6) and the widest line it is given.
_HEIGHT = 48
_MAX_WIDTH = 1600
# The crop around a line: this many line heights above/below (ink rises over the dots) and
# beside it.
_PAD_V = 0.6
_PAD_H = 1.0
_DIGITS = frozenset("0123456789")
REASONS = ("hand_number", "hand_date")
# The blank alone (the digits between `Số:` and the slash, between `ngày` and `tháng`), read
# again with the alphabet cut down to digits and the slash: reason of the line + this suffix.
BLANK = "_blank"
BLANK_REASONS = tuple(r + BLANK for r in REASONS)
# Which field each second reading serves.
FIELD_OF = {"hand_number": "number", "hand_date": "issued_date"}
# Characters the blank's reading may hold: digits, and the slash that ends a number.
_BLANK_ALPHABET = frozenset("0123456789/")


@dataclass(frozen=True)
class LineReading:
    """The recogniser's reading of one crop: characters, their probabilities, for each the
    most likely digit ('?' none above 1%) and its probability, and the x range in the crop."""

    chars: list[str]
    probs: list[float]
    digits: str
    digit_probs: list[float]
    spans: list[tuple[int, int]]

    @property
    def text(self) -> str:
        return "".join(self.chars)


@lru_cache(maxsize=1)
def model_path() -> Path | None:
    """The recognition model inside the installed `rapidocr` wheel, or None when absent. The
    package is located, not imported: only its model file is used."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    found = sorted(folder.glob("*rec*.onnx")) if folder.is_dir() else []
    return found[-1] if found else None


@lru_cache(maxsize=2)
def _session(path: str) -> tuple[Any, list[str]]:
    """One onnxruntime session per worker process (loading costs ~0.3 s), and its alphabet."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # pages run in parallel worker processes already
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    sess = ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])
    chars = sess.get_modelmeta().custom_metadata_map["character"].splitlines()
    # PaddleOCR's CTC alphabet: blank first, then the dictionary, then the space.
    return sess, ["", *chars, " "]


def available() -> bool:
    """Whether the second recogniser can run here."""
    return model_path() is not None


def _probabilities(gray: np.ndarray, path: Path) -> tuple[np.ndarray, list[str]]:
    """The network's per-step class probabilities for one line image, and its alphabet."""
    sess, alphabet = _session(str(path))
    img = gray if gray.ndim == 3 else cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    h, w = img.shape[:2]
    width = max(_HEIGHT, min(_MAX_WIDTH, int(np.ceil(_HEIGHT * w / h))))
    resized = cv2.resize(img, (width, _HEIGHT), interpolation=cv2.INTER_AREA
                         if h > _HEIGHT else cv2.INTER_LINEAR).astype(np.float32)
    x = ((resized.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5)[np.newaxis].astype(np.float32)
    return sess.run(None, {sess.get_inputs()[0].name: x})[0][0], alphabet  # (steps, classes)


def recognise_line(gray: np.ndarray, model: Path | None = None) -> LineReading | None:
    """Read one line image (grey or BGR); None when the model is missing or the crop empty."""
    path = model or model_path()
    if path is None or gray.size == 0 or min(gray.shape[:2]) < 4:
        return None
    probs, alphabet = _probabilities(gray, path)
    w = gray.shape[1]
    n_classes = probs.shape[1]
    digit_ids = [i for i, c in enumerate(alphabet[:n_classes]) if len(c) == 1 and c.isdigit()
                 and c.isascii()]
    best = probs.argmax(axis=1)
    runs: list[tuple[int, int, int]] = []  # (class, first step, last step) of each character
    t = 0
    while t < len(best):
        k = int(best[t])
        end = t
        while end + 1 < len(best) and int(best[end + 1]) == k:
            end += 1
        if k != 0:
            runs.append((k, t, end))
        t = end + 1
    chars: list[str] = []
    cprobs: list[float] = []
    digits: list[str] = []
    dprobs: list[float] = []
    spans: list[tuple[int, int]] = []
    step_px = w / probs.shape[0]  # the whole crop is squeezed into the network input
    for n, (k, first, last) in enumerate(runs):
        chars.append(alphabet[k] if k < len(alphabet) else "")
        cprobs.append(float(probs[first:last + 1, k].max()))
        spans.append((int(first * step_px), int((last + 1) * step_px)))
        if chars[-1] in _DIGITS:
            digits.append(chars[-1])
            dprobs.append(cprobs[-1])
            continue
        # The most likely digit in the character's own steps and the blank steps around it
        # (never a neighbouring character's).
        lo = runs[n - 1][2] + 1 if n else 0
        hi = runs[n + 1][1] if n + 1 < len(runs) else len(best)
        own = probs[lo:hi][:, digit_ids].max(axis=0)
        j = int(own.argmax())
        p = float(own[j])
        digits.append(alphabet[digit_ids[j]] if p >= 0.01 else "?")
        dprobs.append(p)
    return LineReading(chars, cprobs, "".join(digits), dprobs, spans)


def recognise_blank(gray: np.ndarray, model: Path | None = None) -> list[tuple[str, float]]:
    """Read a blank's handwritten digits: the network's output restricted to digits and the
    slash (greedy CTC over those classes and the blank). [(character, probability)]; the
    crop is widened by half its height of its own edge pixels on each side, so that a digit at
    the edge is not read as the end of the line."""
    path = model or model_path()
    if path is None or gray.size == 0 or min(gray.shape[:2]) < 4:
        return []
    h = gray.shape[0]
    padded = cv2.copyMakeBorder(gray, 0, 0, h // 2, h // 2, cv2.BORDER_REPLICATE)
    probs, alphabet = _probabilities(padded, path)
    ids = [0] + [i for i, c in enumerate(alphabet[:probs.shape[1]]) if c in _BLANK_ALPHABET]
    sub = probs[:, ids]
    best = sub.argmax(axis=1)
    out: list[tuple[str, float]] = []
    prev = 0
    for t, k in enumerate(best):
        k = int(k)
        if k and k == prev:
            out[-1] = (out[-1][0], max(out[-1][1], float(sub[t, k])))
        elif k:
            out.append((alphabet[ids[k]], float(sub[t, k])))
        prev = k
    return out


def blank_span(reason: str, line: LineReading) -> tuple[int, int] | None:
    """Where the handwritten digits are in a line's crop (x from, x to), from the printed
    words around the blank that the line's reading found: after `Số:` and before the slash
    (cut halfway between the last character before it and the slash, whose stroke reads as a
    1), or after `ngày` and before `tháng`. None when the words are not there."""
    text = line.text
    if len(text) != len(line.spans):
        return None
    if reason == "hand_number":
        label = number_label(text)
        if label is None or label.end() == 0:
            return None
        slash = text.find("/", label.end())
        if slash < 0:
            return None
        x0 = line.spans[label.end() - 1][1]
        x1 = line.spans[slash][0]
        if slash > label.end():
            x1 = min(x1, (line.spans[slash - 1][1] + line.spans[slash][0]) // 2)
    else:
        folded = fold(text)
        day = DAY_LABEL.search(folded)
        month = MONTH_LABEL.search(folded, day.end()) if day else None
        if day is None or month is None:
            return None
        x0 = line.spans[day.end() - 1][1]
        x1 = line.spans[month.start()][0] + 2
    x0 = max(0, x0 - 2)
    return (x0, x1) if x1 - x0 >= 4 else None


def hand_regions(page: PageResult, today: date | None = None) -> dict[str, tuple[int, int, int, int]]:
    """The number line and the date line of a first page (the one with the motto) whose first
    reading is missing or needs review: {reason: box in page pixels}. Empty when none."""
    if page.source != "ocr" or not page.words:
        return {}
    if find_motto(segments(page, page.index))[0] is None:
        return {}
    fields = extract_metadata([page.model_copy(update={"rereads": [
        r for r in page.rereads if r.reason not in REASONS]})], today=today).fields
    out: dict[str, tuple[int, int, int, int]] = {}
    for reason, key in FIELD_OF.items():
        f = fields.get(key) or {}
        if f.get("value") is not None and not f.get("needs_review"):
            continue
        box = f.get("bbox") or (fields.get("code_notation") or {}).get("bbox") \
            if key == "number" else f.get("bbox")
        if box is None and key == "number":
            box = _number_beside_date(fields)
        if box is None:
            continue
        out[reason] = _padded(tuple(int(v) for v in box), page)  # type: ignore[arg-type]
    return out


def _number_beside_date(fields: dict[str, Any]) -> tuple[int, int, int, int] | None:
    """Where the `Số:` line is when Tesseract lost it: left of the date line, at its height,
    under the agency block (the two columns of the header)."""
    date_box = (fields.get("issued_date") or {}).get("bbox")
    organ_box = (fields.get("organ_name") or {}).get("bbox")
    if not date_box or not organ_box or organ_box[2] >= date_box[0]:
        return None
    return (int(organ_box[0]), int(date_box[1]), int(date_box[0]), int(date_box[3]))


def _padded(box: tuple[int, int, int, int], page: PageResult) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    line = max(10, min(bottom - top, int((page.dpi or 300) * 0.25)))
    return (max(0, int(left - _PAD_H * line)), max(0, int(top - _PAD_V * line)),
            min(page.width or right, int(right + _PAD_H * line)),
            min(page.height or bottom, int(bottom + _PAD_V * line)))


def read_hand_lines(page: PageResult, image: np.ndarray,
                    today: date | None = None) -> list[Reread]:
    """Second readings of the first page's number and date lines when they are due; [] when
    none is due, the model is not installed, or reading failed (never fails the page). `image`
    is the page in colour (the archive image: the OCR image has lost the blue ink)."""
    try:
        regions = hand_regions(page, today)
    except Exception:  # noqa: BLE001 - a second look must never fail the page
        log.exception("finding the number and date lines of page %d failed", page.index)
        return []
    if not regions or not available():
        return []
    out: list[Reread] = []
    for reason, (left, top, right, bottom) in regions.items():
        try:
            got = recognise_line(image[top:bottom, left:right])
        except Exception as exc:  # noqa: BLE001 - onnxruntime errors are not ours to raise
            log.warning("second reading (%s) of page %d failed: %s", reason, page.index, exc)
            continue
        if got is None:
            continue
        words = [Word(text=c, bbox=(left + a, top, left + b, bottom), conf=round(100 * p, 1))
                 for c, p, (a, b) in zip(got.chars, got.probs, got.spans, strict=True)]
        out.append(Reread(bbox=(left, top, right, bottom), reason=reason, words=words,
                          digits=got.digits,
                          digit_confs=[round(100 * p, 1) for p in got.digit_probs]))
        span = blank_span(reason, got)
        if span is None:
            continue
        try:
            blank = recognise_blank(image[top:bottom, left + span[0]:left + span[1]])
        except Exception as exc:  # noqa: BLE001
            log.warning("second reading (%s blank) of page %d failed: %s", reason, page.index, exc)
            continue
        box = (left + span[0], top, left + span[1], bottom)
        out.append(Reread(bbox=box, reason=reason + BLANK,
                          words=[Word(text=c, bbox=box, conf=round(100 * p, 1)) for c, p in blank]))
    return out


def timed_hand_lines(page: PageResult, image: np.ndarray,
                     today: date | None = None) -> tuple[list[Reread], float]:
    """`read_hand_lines` and the seconds it took."""
    t0 = time.perf_counter()
    got = read_hand_lines(page, image, today)
    return got, time.perf_counter() - t0
