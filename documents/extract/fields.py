"""The per-field result: value, confidence, review flag and where on which page it was read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A field is confident (needs_review false) at or above this confidence; tuned on the benchmark
# so that confident values are right at least 99% of the time.
CONFIDENT = 0.9


@dataclass
class Found:
    """One extracted value with its evidence."""

    value: Any
    confidence: float
    page: int | None = None
    bbox: tuple[int, int, int, int] | None = None
    force_review: bool = False
    parts: dict[str, Found] | None = None  # sub-fields of a compound value (the signer)
    repaired: bool = False  # the value is not as read: a rule changed it (a symbol's `QD` -> `QĐ`)

    @property
    def needs_review(self) -> bool:
        """True when a clerk should check it."""
        return self.force_review or self.confidence < CONFIDENT

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `DocumentResult.fields[key]`."""
        out: dict[str, Any] = {
            "value": self.value,
            "confidence": round(max(0.0, min(1.0, self.confidence)), 3),
            "needs_review": self.needs_review,
            "page": self.page,
            "bbox": list(self.bbox) if self.bbox else None,
        }
        if self.parts:
            out["parts"] = {k: p.as_dict() for k, p in self.parts.items()}
        return out


def missing(confidence: float = 0.0, review: bool = True) -> Found:
    """Nothing found: null value; `review` says whether a clerk must look for it."""
    return Found(None, confidence, force_review=review)


def ocr_conf(confs: list[float]) -> float:
    """Map OCR word confidences (0-100) to 0-1, driven by the weakest word."""
    if not confs:
        return 0.0
    low = min(confs)
    mean = sum(confs) / len(confs)
    return max(0.0, min(1.0, (0.7 * low + 0.3 * mean) / 100))
