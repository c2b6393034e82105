"""Accents of frequent administrative phrases, to repair tone marks OCR gets wrong in summaries.

Tesseract drops or swaps tone marks in bold text with high word confidence (`chỉ tiết` for
`chi tiết`, `Uy ban` for `Ủy ban`, `kiêm định chât lượng`); each wrong word is still a valid
syllable, so syllable checks cannot see it. Two-syllable phrases of administrative language have a
single spelling per accent-free form, so a pair whose folded form is one of these phrases is
given the phrase's accents. The list is general vocabulary of document summaries (not taken from
any one document); extend it when clerks correct a summary. Pairs with two real spellings
(`chỉ tiêu` target / `chi tiêu` spending) must not be listed.
"""

from __future__ import annotations

import re

from worker.extract.textutil import fold

PHRASES = (
    "ủy ban", "nhân dân", "hội đồng", "chi tiết", "quy định", "quyết định", "bổ sung", "sửa đổi",
    "công bố", "thủ tục", "hành chính", "kiểm định", "chất lượng", "giáo dục", "đào tạo",
    "đối với", "chuẩn hóa", "phê duyệt", "kế hoạch", "triển khai", "thực hiện", "tăng cường",
    "đề nghị", "ban hành", "tổ chức", "cán bộ", "công chức", "viên chức", "bồi dưỡng",
    "tuyển dụng", "nhiệm kỳ", "miễn nhiệm", "bổ nhiệm", "chức danh", "điều chỉnh", "quản lý",
    "chương trình", "dự án", "đầu tư", "xây dựng", "phát triển", "kinh tế", "xã hội", "an toàn",
    "giao thông", "trật tự", "phòng, chống", "thiên tai", "dịch bệnh", "môi trường", "tài chính",
    "ngân sách", "nhà nước", "chuyển đổi", "kết quả", "giải quyết", "khiếu nại", "tố cáo",
    "xử phạt", "vi phạm", "thanh tra", "kiểm tra", "hướng dẫn", "báo cáo", "tình hình",
    "công tác", "hoạt động", "thành lập", "kiện toàn", "thông tin", "truyền thông", "văn bản",
    "điện tử", "hồ sơ", "lưu trữ", "tài liệu", "số hóa", "tiếp nhận", "địa bàn", "danh mục",
    "hiệu lực", "toàn bộ", "một phần", "bãi bỏ", "thay thế", "khen thưởng", "kỷ luật",
    "trọng điểm", "phức tạp", "nông thôn", "giải ngân", "chỉ đạo", "ứng phó",
    "sự cố", "mức chi", "chi trả", "xăng dầu", "cửa hàng", "cải cách", "nội bộ", "phạm vi",
    "chức năng", "lĩnh vực",
)
_BY_FOLD = {fold(p): p for p in PHRASES}
_WORD = re.compile(r"[^\W\d_]+(?:,)?")


def _case_like(model: str, word: str) -> str:
    """`word` written in the case of `model` (`Ủy` for `Uy`, `ỦY` for `UY`)."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def fix_phrase_accents(text: str) -> tuple[str, int]:
    """Text with known phrases' accents restored, and how many words were changed."""
    tokens = text.split(" ")
    changed = 0
    i = 0
    while i + 1 < len(tokens):
        a, b = tokens[i], tokens[i + 1]
        core_a, core_b = a.rstrip(",;.:"), b.rstrip(",;.:")
        key = fold(f"{core_a} {core_b}" if not a.endswith(",") else f"{core_a}, {core_b}")
        phrase = _BY_FOLD.get(key)
        if phrase is None or not core_a.isalpha() or not core_b.isalpha():
            i += 1
            continue
        pa, pb = phrase.replace(",", "").split(" ")
        new_a = _case_like(core_a, pa) + a[len(core_a):]
        new_b = _case_like(core_b, pb) + b[len(core_b):]
        changed += (new_a != a) + (new_b != b)
        tokens[i], tokens[i + 1] = new_a, new_b
        i += 2
    return " ".join(tokens), changed
