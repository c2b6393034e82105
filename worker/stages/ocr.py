"""Turn Tesseract's word table (TSV) into words with boxes and the page text, normalised."""

from __future__ import annotations

from pathlib import Path

from models.result import Word
from models.text import normalize_text


def parse_tsv(tsv: Path) -> list[Word]:
    """Read the words (level 5 rows) of a Tesseract TSV file, text in NFC with Đ fixed."""
    words: list[Word] = []
    lines = tsv.read_text(encoding="utf-8", errors="replace").splitlines()
    for row in lines[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = normalize_text(cols[11].strip())
        conf = float(cols[10])
        if not text or conf < 0:
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        words.append(
            Word(
                text=text,
                bbox=(left, top, left + width, top + height),
                conf=round(conf, 1),
                block=int(cols[2]),
                par=int(cols[3]),
                line=int(cols[4]),
            )
        )
    return words


def words_to_text(words: list[Word]) -> str:
    """Join words into lines, paragraphs (newline) and blocks (blank line), in reading order."""
    out: list[str] = []
    prev: tuple[int, int, int] | None = None
    line: list[str] = []
    for word in words:
        key = (word.block, word.par, word.line)
        if prev is not None and key != prev:
            out.append(" ".join(line))
            if key[0] != prev[0]:
                out.append("")
            line = []
        line.append(word.text)
        prev = key
    if line:
        out.append(" ".join(line))
    return "\n".join(out).strip()


def mean_confidence(words: list[Word]) -> float | None:
    """Mean word confidence (0-100), or None for a page without words."""
    if not words:
        return None
    return round(sum(w.conf for w in words) / len(words), 1)
