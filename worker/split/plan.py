"""Decide the documents of a batch from its page results: separators, blank pages, boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.result import PageResult
from worker.split.boundaries import PageFeatures, page_features, score_start

CUT_AT = 0.5  # a page at or above this probability starts a document
# Between these, the decision is uncertain: it is taken but the clerk is asked to look.
REVIEW_LOW, REVIEW_HIGH = 0.15, 0.85
# With separator sheets the stack was prepared by hand: inside a section only a page that is
# clearly a first page (a forgotten sheet) is cut, and the clerk is asked to confirm.
SUSPECT_IN_SECTION = 0.9


@dataclass
class PlannedDocument:
    """One document: its pages (0-based input indices) and how its first page was decided."""

    pages: list[int]
    boundary: str  # start | separator | auto
    confidence: float
    needs_review: bool = False
    reasons: list[str] = field(default_factory=list)


@dataclass
class BatchPlan:
    """The documents of a batch, and the pages that were removed."""

    documents: list[PlannedDocument]
    blank_pages: list[int]
    separator_pages: list[int]


def _sections(pages: list[PageResult]) -> tuple[list[list[PageResult]], list[int]]:
    """Pages split at separator sheets (sheets removed); also the indices of the sheets."""
    sections: list[list[PageResult]] = [[]]
    seps = []
    for p in pages:
        if p.separator:
            seps.append(p.index)
            sections.append([])
        else:
            sections[-1].append(p)
    return [s for s in sections if s], seps


def plan_batch(pages: list[PageResult], use_separators: bool = True) -> BatchPlan:
    """Cut a batch's pages into documents; blank pages and separator sheets are left out."""
    if use_separators and any(p.separator for p in pages):
        sections, seps = _sections(pages)
    else:
        sections, seps = [[p for p in pages if not p.separator]], []
    by_separator = bool(seps)
    blanks: list[int] = []
    docs: list[PlannedDocument] = []
    for n, section in enumerate(sections):
        content = []
        for p in section:
            if p.blank and not p.error:
                blanks.append(p.index)
            else:
                content.append(p)
        if not content:
            continue
        how = "separator" if by_separator and (n > 0 or pages[0].separator) else "start"
        docs.extend(_cut(content, how, by_separator))
    return BatchPlan(docs, blanks, seps)


def _cut(content: list[PageResult], how: str, by_separator: bool) -> list[PlannedDocument]:
    """Documents of one run of content pages (a section between separators, or the whole batch)."""
    current = PlannedDocument([content[0].index], how, 1.0)
    docs = [current]
    previous: PageFeatures | None = None
    for i, page in enumerate(content):
        feats = page_features(page)
        if i == 0:
            previous = feats
            continue
        if page.error:
            # Nothing to judge on a failed page: keep it with the document, and say so.
            current.pages.append(page.index)
            current.needs_review = True
            current.reasons.append(f"page {page.index + 1} failed; kept with this document")
            continue
        score = score_start(feats, previous)
        previous = feats
        p = score.probability
        cues = ", ".join(score.reasons) or "no first-page cue"
        if p >= (SUSPECT_IN_SECTION if by_separator else CUT_AT):
            current = PlannedDocument([page.index], "auto", round(p, 3))
            if by_separator:
                current.needs_review = True
                current.reasons.append(f"page {page.index + 1} starts a document ({cues}) but no "
                                       "separator sheet is before it")
            elif p < REVIEW_HIGH:
                current.needs_review = True
                current.reasons.append(f"uncertain start at page {page.index + 1} ({p:.2f}: {cues})")
            docs.append(current)
        else:
            current.pages.append(page.index)
            if p > REVIEW_LOW:
                current.needs_review = True
                current.reasons.append(f"page {page.index + 1} may start a new document "
                                       f"({p:.2f}: {cues})")
    return docs
