"""Typed results of processing: words, pages and documents (the JSON written by `intake process`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, computed_field


class Word(BaseModel):
    """One recognised word: text (NFC), box in page pixels at the OCR resolution, confidence 0-100."""

    text: str
    bbox: tuple[int, int, int, int]  # left, top, right, bottom
    conf: float
    block: int = 0
    par: int = 0
    line: int = 0


class Mark(BaseModel):
    """A coloured-ink stamp found on a scanned page (red `MẬT`, `HỎA TỐC`, a `CÔNG VĂN ĐẾN` box):
    its box and the words Tesseract read from its ink alone, in page pixels like `words`."""

    bbox: tuple[int, int, int, int]
    colour: str  # 'red', 'blue' (blue and purple inks) or 'black' (a black stamp in the page's top)
    frame: bool = False  # drawn inside a rectangular outline
    # False: colour ink of stamp size that was not read (faint, or blue without a frame): it only
    # says that a stamp may be there.
    read: bool = True
    words: list[Word] = Field(default_factory=list)


class Reread(BaseModel):
    """An area of a page read a second time on its own (worker/stages/reread.py), kept because it found
    what the first reading lost: its box and words, in page pixels like `words`. Extraction reads
    these words instead of the first reading's words in the box."""

    bbox: tuple[int, int, int, int]
    reason: str  # what was looked for: 'signer_name', 'hand_number', 'hand_date'
    words: list[Word] = Field(default_factory=list)
    # The digit recogniser's readings (worker/stages/handread.py; one word per character): for
    # each character the most likely digit in its place ('?' none) and that digit's confidence.
    digits: str = ""
    digit_confs: list[float] = Field(default_factory=list)


class PageResult(BaseModel):
    """What happened to one page."""

    index: int  # 0-based page number in the input
    source: str = Field(description="'ocr' (recognised) or 'text_layer' (born-digital, kept)")
    rotation: int = 0  # clockwise degrees applied to make the page upright
    skew: float = 0.0  # degrees of skew corrected
    width: int = 0  # OCR image size in pixels
    height: int = 0
    dpi: int = 0
    # The scan's own resolution (`dpi` is the one it was recognised at: a scan under 190 dpi is
    # upsampled for Tesseract, never for the PDF); None for a page that is not a scan.
    scan_dpi: float | None = None
    paper: str | None = None  # A4, A5, A3, Letter when the page is known to be that paper size
    # Why the page's image is not an eligible electronic copy (Nghị định 30, Phụ lục I, Phần II):
    # 'low_resolution:150dpi', 'unknown_size', 'not_colour'. Empty: eligible (or not a scan).
    copy_reasons: list[str] = Field(default_factory=list)
    mean_confidence: float | None = None
    text: str = ""
    words: list[Word] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    error: dict[str, Any] | None = None
    blank: bool = False  # no text and no colour mark: a duplex back or an empty sheet
    separator: bool = False  # a separator sheet (QR code): not recognised, cuts a batch
    # Coloured stamps, which the clean-up removes from the image Tesseract reads (worker/stages/marks.py);
    # not part of `words`, `text` or the PDF text layer.
    marks: list[Mark] = Field(default_factory=list)
    marks_checked: bool = False  # the colour search ran (a colour scan); False: no evidence
    # Areas read a second time because the first reading lost them (worker/stages/reread.py); not part
    # of `words`, `text` or the PDF text layer.
    rereads: list[Reread] = Field(default_factory=list)


# What a page row keeps of a page's reading (`pages.words` JSON), enough to extract again after a
# clerk's page correction: the words, the coloured stamps and the second looks; and the scan check
# (its dpi, paper, copy reasons), so a document made of moved pages is judged again.
PAGE_EVIDENCE = frozenset({"words", "marks", "marks_checked", "rereads", "scan_dpi", "paper",
                           "copy_reasons"})


def page_evidence(page: PageResult) -> dict[str, Any]:
    """The JSON a page row keeps of a page's reading (see PAGE_EVIDENCE)."""
    return page.model_dump(mode="json", include=set(PAGE_EVIDENCE))


class DocumentResult(BaseModel):
    """The result of processing one input file as one document."""

    source: str
    sha256: str | None = None
    pages: int = 0
    pdf: str | None = None
    text: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="per metadata key: {value, confidence, needs_review, page, bbox}",
    )
    page_results: list[PageResult] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    status: str = "ok"  # ok | partial | failed
    error: dict[str, Any] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def copy_reasons(self) -> list[str] | None:
        """Why its scanned image is not an eligible electronic copy: copy_reasons() of its pages."""
        return copy_reasons(self.page_results)


def copy_reasons(pages: list[PageResult]) -> list[str] | None:
    """Why a document's scanned pages are not an eligible electronic copy, each reason once
    ([]: eligible); None when no page is a scan (born-digital pages, nothing to judge)."""
    scanned = [p for p in pages if p.scan_dpi is not None]
    if not scanned:
        return None
    return list(dict.fromkeys(r for p in scanned for r in p.copy_reasons))


class BatchDocument(DocumentResult):
    """One document cut from a batch: its pages in the input and how sure its first page is."""

    page_indices: list[int] = Field(default_factory=list)  # 0-based pages of the input, in order
    # Per page, a preview JPEG made by the page stage (PipelineOptions.preview_dpi), or None.
    page_images: list[str | None] = Field(default_factory=list)
    boundary: str = "start"  # start (first page of the file) | separator | auto
    confidence: float = 1.0  # that its first page starts a document
    needs_review: bool = False
    review_reasons: list[str] = Field(default_factory=list)


class BatchResult(BaseModel):
    """The result of cutting one input file into documents (`intake split`)."""

    source: str
    sha256: str | None = None
    pages: int = 0  # pages in the input, separators and blanks included
    documents: list[BatchDocument] = Field(default_factory=list)
    blank_pages: list[int] = Field(default_factory=list)  # 0-based, removed
    separator_pages: list[int] = Field(default_factory=list)  # 0-based, removed
    timings: dict[str, float] = Field(default_factory=dict)
    status: str = "ok"  # ok | partial | failed
    error: dict[str, Any] | None = None
