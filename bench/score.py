"""Accuracy measures: order-insensitive word recall and character error rate."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_STRIP = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)


def words_of(text: str) -> list[str]:
    """Words in NFC with surrounding punctuation removed (Ð read as Đ)."""
    text = unicodedata.normalize("NFC", text.replace("\u00d0", "\u0110"))
    out = []
    for raw in text.split():
        word = _STRIP.sub("", raw)
        if word:
            out.append(word)
    return out


def word_recall(truth: list[str], text: str) -> float:
    """Share of ground-truth words found in `text`, counted as multisets (order-insensitive)."""
    want = Counter(w for t in truth for w in words_of(t))
    if not want:
        return 1.0
    have = Counter(words_of(text))
    hit = sum(min(n, have[w]) for w, n in want.items())
    return hit / sum(want.values())


def cer(truth: str, text: str) -> float:
    """Character error rate: Levenshtein distance / truth length, whitespace collapsed."""
    a = " ".join(unicodedata.normalize("NFC", truth).split())
    b = " ".join(unicodedata.normalize("NFC", text).split())
    if not a:
        return 0.0 if not b else 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / len(a)
