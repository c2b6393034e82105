"""Options handed to the pipeline's stages (stages never read settings themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.settings import PageFailurePolicy, Settings


@dataclass(frozen=True)
class PipelineOptions:
    """Everything the page and document stages need, taken from Settings once."""

    language: str = "vie"
    ocr_dpi: int = 300
    tool_timeout: float = 300.0
    max_pixels: int = 200_000_000
    max_pages: int = 2000
    max_bytes: int = 1_000_000_000
    workers: int = 2
    background_dpi: int = 100
    jpeg_quality: int = 45
    foreground_dpi: int = 300
    foreground_quality: int = 50
    page_failure_policy: PageFailurePolicy = "fail"
    detect_orientation: bool = True
    # A second reading of the first page's handwritten number and day with the PP-OCR
    # recogniser (worker/stages/handread.py) when Tesseract's is missing or needs review.
    hand_digits: bool = True
    work_dir: Path | None = None
    # A JPEG of each recognised page at this resolution beside its PDF part (0: none): the
    # service's review images, made from the cleaned page instead of rendering the PDF again.
    preview_dpi: int = 0
    # Gazetteer entries learned from clerks' corrections, (kind, value); read from the database.
    learned: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> PipelineOptions:
        """Build options from the settings object."""
        return cls(
            language=settings.ocr_language,
            ocr_dpi=settings.ocr_dpi,
            tool_timeout=settings.tool_timeout,
            max_pixels=settings.max_image_pixels,
            max_pages=settings.max_pages,
            max_bytes=settings.max_file_bytes,
            workers=settings.workers,
            background_dpi=settings.background_dpi,
            jpeg_quality=settings.jpeg_quality,
            foreground_dpi=settings.foreground_dpi,
            foreground_quality=settings.foreground_quality,
            page_failure_policy=settings.page_failure_policy,
        )
