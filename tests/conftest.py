"""Shared fixtures; the header names the versions of the external programs in use."""

from __future__ import annotations

import pytest

# The test PKI (root, agency, expired, revoked, untrusted; CRL/OCSP/TSA on loopback): fixture `pki`.
pytest_plugins = ["tests.pki"]


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Print tool versions (Tesseract, language data, Ghostscript, Poppler, OCRmyPDF)."""
    lines = []
    try:
        from infra.tools.check import check_tools

        for name, ver in check_tools("vie").items():
            lines.append(f"{name}: {ver}")
    except Exception as exc:  # noqa: BLE001 - the header must not break the run
        lines.append(f"tools: {exc}")
    try:
        import ocrmypdf

        lines.append(f"ocrmypdf: {ocrmypdf.__version__}")
    except ImportError:
        pass
    return lines
