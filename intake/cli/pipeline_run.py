"""What `intake process` and `intake split` share: checked tools, pipeline options, exit codes."""

from __future__ import annotations

from dataclasses import replace

from infra.tools.check import check_tools
from models.errors import error_class
from models.settings import get_settings
from worker.options import PipelineOptions


def pipeline_options(workers: int | None) -> PipelineOptions:
    """Check the OCR tools, then the settings' pipeline options, `--workers` replacing theirs."""
    settings = get_settings()
    check_tools(settings.ocr_language)
    options = PipelineOptions.from_settings(settings)
    return replace(options, workers=workers) if workers else options


def exit_code_for(code: str) -> int:
    """The CLI exit code of an error code (classes of models.errors); 1 for an unknown code."""
    cls = error_class(code)
    return cls.exit_code if cls is not None else 1
