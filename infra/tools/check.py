"""Startup check: every external program and the language data, with clear errors."""

from __future__ import annotations

from infra.tools import ghostscript, poppler, tesseract


def check_tools(language: str) -> dict[str, str]:
    """Return the versions of the programs the pipeline needs; raise ToolMissingError if absent."""
    return {
        "tesseract": tesseract.check(language),
        "ghostscript": ghostscript.check(),
        "poppler": poppler.check(),
    }
