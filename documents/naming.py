"""A document's name from its metadata: the PDF/A's title (XMP dc:title) and the file name a
browser saves it under. `87/QĐ-UBND — Về việc phê duyệt kế hoạch…` rather than the upload's name
or a hash; None (callers keep the file's name) when neither a number nor a subject was read."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from documents.metadata import meta_value

SUBJECT_CHARS = 90  # of the subject in a title; a file name keeps less
FILE_CHARS = 60
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')  # not in a file name on Windows or Linux


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,.;:-") + "…"


def _code(meta: dict[str, Any]) -> str | None:
    number, notation = meta_value(meta, "number"), meta_value(meta, "notation")
    whole = meta.get("number")
    if isinstance(whole, str) and whole.strip():
        return whole.strip()
    if number and notation:
        return f"{number}/{notation}"
    return str(number) if number else None


def document_title(meta: dict[str, Any]) -> str | None:
    """`87/QĐ-UBND — Về việc …` (number and subject), the number or the subject alone, or the
    type and agency (`Công văn — Ủy ban nhân dân …`); None when nothing names it."""
    code = _code(meta)
    subject = meta_value(meta, "subject")
    head = code
    if head is None:
        doc_type, organ = meta_value(meta, "doc_type"), meta_value(meta, "organ")
        head = " — ".join(str(p).strip().capitalize() if i == 0 else str(p).strip()
                          for i, p in enumerate(x for x in (doc_type, organ) if x)) or None
    parts = [p for p in (head, _short(str(subject), SUBJECT_CHARS) if subject else None) if p]
    title = " — ".join(parts)
    return unicodedata.normalize("NFC", title) if title else None


def file_name(meta: dict[str, Any], fallback: str, suffix: str = ".pdf") -> str:
    """A file name for the document: its number (`/` becomes `-`) and the start of its subject,
    else `fallback` (the upload's stem)."""
    code = _code(meta)
    subject = meta_value(meta, "subject")
    parts = [code.replace("/", "-") if code else None,
             _short(str(subject), FILE_CHARS).rstrip("…") if subject else None]
    stem = " ".join(p for p in parts if p) or fallback
    stem = _UNSAFE.sub("-", unicodedata.normalize("NFC", stem)).strip(" .-") or "van-ban"
    return stem[:150] + suffix


def content_disposition(name: str, kind: str = "inline") -> str:
    """`inline` (the browser shows it) with the name twice: plain ASCII for old clients
    (`filename=`, marks removed) and UTF-8 (`filename*=`, RFC 6266/8187) for the rest."""
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d").replace("…", "..."))
    ascii_name = plain.encode("ascii", "ignore").decode().replace("\\", "-").replace('"', "")
    ascii_name = ascii_name or "van-ban.pdf"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
