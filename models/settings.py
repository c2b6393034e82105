"""The one settings object: the only place the environment is read."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Service and pipeline settings; every field can be set as INTAKE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    data_dir: Path = Field(
        Path("var"), description="Folder for the SQLite file, the file store and work folders."
    )
    workers: int = Field(
        default_factory=_default_workers,
        description="Pages recognised in parallel (processes); each Tesseract uses one thread.",
    )
    ocr_language: str = Field("vie", description="Tesseract language(s), e.g. 'vie' or 'vie+eng'.")
    ocr_dpi: int = Field(300, description="Resolution pages are recognised at (dpi).")
    tool_timeout: float = Field(
        300.0, description="Seconds one run of an external program may take before it is stopped."
    )
    max_image_pixels: int = Field(
        200_000_000,
        description="Largest image accepted, in pixels (decompression-bomb guard).",
    )
    max_pages: int = Field(2000, description="Largest number of pages accepted in one input.")
    max_file_bytes: int = Field(
        1_000_000_000, description="Largest input file accepted, in bytes."
    )
    page_failure_policy: str = Field(
        "fail",
        description="'fail': a page that cannot be processed fails the document; "
        "'keep': the page is kept as an image without text and the document is marked partial.",
    )
    background_dpi: int = Field(
        100, description="Resolution of the colour background layer of a page in the PDF/A."
    )
    jpeg_quality: int = Field(45, description="JPEG quality of the colour background layer.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
