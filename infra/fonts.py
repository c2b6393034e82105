"""The Liberation fonts (Debian's fonts-liberation2) the service draws its own PDFs with: the
register, the monthly report, separator sheets and the signature box."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from models.errors import ToolMissingError

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")


@lru_cache(maxsize=16)
def liberation_font(name: str) -> Path:
    """The file of a Liberation font (`LiberationSerif-Regular.ttf`); a clear error naming the
    package when it is not installed."""
    for folder in FONT_DIRS:
        path = Path(folder) / name
        if path.is_file():
            return path
    raise ToolMissingError(f"font {name} not found (apt-get install fonts-liberation2)")
