"""Normalise the text of Tesseract's invisible text layer: NFC, and Ð read as Đ.

Tesseract writes each word as `<scale> Tz [ <UTF-16BE hex> ] TJ` with a glyphless font whose
glyphs all have the same width, the scale fitting the word to its box. When normalising changes
the number of characters (a decomposed letter composed), the scale is adjusted so the word keeps
its width and selection still covers the word on the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf

from models.text import normalize_text

_WORD = re.compile(rb"(-?[\d.]+) Tz \[ <([0-9a-fA-F]+)> \] TJ")


def _fix(match: re.Match[bytes]) -> bytes:
    scale, hexstr = match.group(1), match.group(2)
    try:
        text = bytes.fromhex(hexstr.decode()).decode("utf-16-be")
    except (ValueError, UnicodeDecodeError):
        return match.group(0)
    fixed = normalize_text(text)
    if fixed == text:
        return match.group(0)
    new_scale = float(scale) * len(text) / max(1, len(fixed))
    return b"%.3f Tz [ <%s> ] TJ" % (new_scale, fixed.encode("utf-16-be").hex().encode())


def normalise_text_layer(pdf_path: Path) -> int:
    """Rewrite the words of a Tesseract text-only PDF in place; return how many changed."""
    changed = 0
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            if "/Contents" not in page.obj:
                continue
            data = page.Contents.read_bytes()
            new = _WORD.sub(_fix, data)
            if new != data:
                changed += sum(a != b for a, b in zip(_WORD.findall(data), _WORD.findall(new), strict=True))
                page.Contents = pdf.make_stream(new)
        if changed:
            pdf.save(pdf_path)
    return changed
