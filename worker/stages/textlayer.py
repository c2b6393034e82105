"""Decide whether a page's existing text layer is good Vietnamese text that need not be re-OCR'd."""

from __future__ import annotations

from dataclasses import dataclass

from models.text import vietnamese_score

MIN_TOKENS = 40  # an e-signature box alone ("Ký bởi ... Thời gian ký ...") has fewer
MIN_SYLLABLE_SHARE = 0.80
MIN_MARKED_SHARE = 0.15  # Vietnamese prose: about 40% of syllables have a non-Latin-1 letter


@dataclass(frozen=True)
class LayerVerdict:
    """Whether to keep a page's text layer, and the numbers behind the decision."""

    keep: bool
    tokens: int
    syllable_share: float
    marked_share: float
    reason: str


def judge_text_layer(text: str) -> LayerVerdict:
    """Keep the layer only when there is enough text and it reads as Vietnamese."""
    tokens, syll, marked = vietnamese_score(text)
    if tokens < MIN_TOKENS:
        reason = "too little text (empty, or only an e-signature box)"
    elif syll < MIN_SYLLABLE_SHARE:
        reason = "text is not Vietnamese syllables (garbage OCR)"
    elif marked < MIN_MARKED_SHARE:
        reason = "text lacks Vietnamese diacritics (OCR made without Vietnamese)"
    else:
        reason = "good Vietnamese text layer"
    keep = reason == "good Vietnamese text layer"
    return LayerVerdict(keep, tokens, round(syll, 3), round(marked, 3), reason)
