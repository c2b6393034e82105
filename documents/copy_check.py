"""Whether a scanned document's image can be an electronic copy (Nghị định 30, Phụ lục I, Phần II:
PDF, colour, at least 200 dpi, 100% scale), in the clerk's words.

The reasons are written by the page stage (worker/stages/page.py, `copy_reasons` of a page) and
kept on the document (documents.copy_reasons): 'low_resolution:150dpi', 'unknown_size',
'not_colour'. Signing the copy is a separate step (documents/signing).
"""

from __future__ import annotations

import re
from typing import Any

RULE = "không đủ điều kiện làm bản sao điện tử (Nghị định 30, Phụ lục I)"
_LOW = re.compile(r"low_resolution:(\d+)dpi")


def reason_text(reason: str) -> str:
    """One reason in Vietnamese (an unknown code is shown as it is)."""
    low = _LOW.fullmatch(reason)
    if low:
        return f"Bản quét {low.group(1)} dpi, dưới 200 dpi"
    return {
        "unknown_size": "Không rõ khổ giấy của bản quét (ảnh không ghi độ phân giải), "
                        "không bảo đảm đúng tỷ lệ 100%",
        "not_colour": "Bản quét đen trắng hoặc thang xám, không phải bản quét màu",
    }.get(reason, reason)


def copy_note(reasons: list[str] | None) -> str | None:
    """The review page's message for a document whose scan is not eligible (None: nothing)."""
    if not reasons:
        return None
    return "; ".join(reason_text(r) for r in reasons) + f": {RULE}."


def copy_fields(reasons: list[str] | None) -> dict[str, Any]:
    """`copy_eligible` (None: not a scan), `copy_reasons` and `copy_note` of a document."""
    return {"copy_eligible": None if reasons is None else not reasons,
            "copy_reasons": list(reasons or []), "copy_note": copy_note(reasons)}
