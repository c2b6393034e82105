"""Accents of frequent administrative phrases, to repair tone marks OCR gets wrong in summaries.

Tesseract drops or swaps tone marks in bold text with high word confidence (`chỉ tiết` for
`chi tiết`, `Uy ban` for `Ủy ban`, `kiêm định chât lượng`); each wrong word is still a valid
syllable, so syllable checks cannot see it. Two-syllable phrases of administrative language have a
single spelling per accent-free form, so a pair whose folded form is one of these phrases is
given the phrase's accents. The list is general vocabulary of document summaries (not taken from
any one document); extend it when clerks correct a summary. Pairs with two real spellings
(`chỉ tiêu` target / `chi tiêu` spending) must not be listed. Where the other spelling is rarer in
summaries but real text (`năng lượng` beside `nâng lương`, or two phrases meeting: `tổ chức đánh
giá` beside `chức danh`), that spelling is named in REAL_TEXT and is never changed: a repair
flags the summary for review, an OCR error left alone may be confident.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from documents.extract.gazetteer import default_gazetteer
from documents.extract.textutil import levenshtein
from models.text import fold, is_vietnamese_syllable

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
    # More general vocabulary of summaries (tone marks OCR drops: `phố thông`, `thị trần`).
    "phổ thông", "trung học", "thị trấn", "thị xã", "chuyển hóa", "chuyển đổi", "thay đổi",
    "đổi mới", "tổng hợp", "tổng kết", "tổng thể", "sắp xếp", "xếp lương", "xếp loại",
    "nâng lương", "nâng ngạch", "chuyển ngạch", "tiền lương", "phụ cấp", "dự toán", "quyết toán",
    "kinh phí", "hỗ trợ", "nguồn vốn", "đấu thầu", "đấu giá", "giải phóng",
    "mặt bằng", "bồi thường", "tái định", "thu hồi", "giao đất", "cho thuê", "quy hoạch",
    "sử dụng", "mục đích", "nhà ở", "dột nát", "nhân dịp", "tết nguyên", "nguyên đán",
    "hộ nghèo", "cận nghèo", "bảo trợ", "chính sách", "danh hiệu",
    "thi đua", "tập thể", "cá nhân", "đơn vị", "trực thuộc", "sáp nhập", "hợp nhất", "giải thể",
    "điều động", "luân chuyển", "biệt phái", "nghỉ hưu", "thôi việc",
    "tiếp công", "tiếp dân", "phản ánh", "kiến nghị", "cử tri", "đại biểu", "kỳ họp",
    "nghị quyết", "chỉ thị", "thông báo", "kết luận", "ý kiến", "góp ý", "dự thảo",
    "thẩm định", "thẩm tra", "phê chuẩn", "bầu cử", "điều tra", "thống kê",
    "phòng cháy", "chữa cháy", "cứu nạn", "cứu hộ", "bão lũ", "hạn hán", "khắc phục",
    "hậu quả", "dịch bệnh", "tiêm chủng", "y tế", "sức khỏe", "bảo hiểm", "học sinh",
    "sinh viên", "giáo viên", "tuyển sinh", "tốt nghiệp", "năm học", "học kỳ",
    "chuẩn bị", "tổ chức", "bảo đảm", "đảm bảo", "an ninh", "quốc phòng", "biên giới",
    "nông nghiệp", "lâm nghiệp", "thủy sản", "thủy lợi", "công nghiệp", "thương mại",
    "dịch vụ", "du lịch", "văn hóa", "thể thao", "di tích", "lễ hội", "tôn giáo", "dân tộc",
    "đất đai", "khoáng sản", "tài nguyên", "ô nhiễm", "rác thải", "chất thải", "nước sạch",
    "doanh nghiệp", "hợp tác", "hội nghị", "hội thảo", "tập huấn", "đào tạo", "nâng cao",
    "năng lực", "hiệu quả", "cắt giảm", "đơn giản", "rà soát", "sửa đổi", "trật tự", "lễ tang", "quân nhân",
    "đổi tên", "đặt tên",
    # `thấm quyền`, `thâm quyền`, `thẳm quyền`: OCR's tone marks on the hooked `ẩ`.
    "thẩm quyền", "cấp tỉnh", "cấp huyện", "cấp xã", "vận tải",
)
# Spellings of listed pairs that are real text of their own (seen in the labelled documents'
# text layers): read as such, they are left as read.
REAL_TEXT = frozenset((
    "năng lượng", "truyền thống", "lưu trú", "điện từ", "mục chi", "học kỹ", "ký hợp",
    "của hàng", "chức đánh", "cần bổ", "đầu từ", "sự có", "quan nhận"))
# Longer phrases holding a pair that alone has two real spellings (`tràn dầu` oil spill /
# `trận đấu` match, `kỳ thi` exam / `kỳ thị` discrimination): the other words decide. General
# vocabulary, extended like PHRASES.
LONG_PHRASES = ("sự cố tràn dầu", "kỳ thi tốt nghiệp", "kỳ thi tuyển sinh", "kỳ thi THPT")
# Year names of the sexagenary cycle (`Tết nguyên đán Ất Tỵ`): a stem pairs only with branches
# of its own parity, so `Ất Ty` can only be `Ất Tỵ` (`Tý` goes with the odd-numbered stems).
# Only right after `năm`, `Tết`, `Xuân` or `nguyên đán`: place names share some spellings
# (`Tân Hội`, not the year `Tân Hợi`).
_STEMS = ("giáp", "ất", "bính", "đinh", "mậu", "kỷ", "canh", "tân", "nhâm", "quý")
_BRANCHES = ("tý", "sửu", "dần", "mão", "thìn", "tỵ", "ngọ", "mùi", "thân", "dậu", "tuất", "hợi")
YEAR_NAMES = tuple(f"{s} {b}" for i, s in enumerate(_STEMS) for j, b in enumerate(_BRANCHES)
                   if i % 2 == j % 2)
_BY_FOLD = {fold(p, upper=True): p for p in PHRASES}
_BY_FOLD_LONG = {fold(p, upper=True): p for p in LONG_PHRASES}
_LONG_SIZES = sorted({len(p.split(" ")) for p in LONG_PHRASES}, reverse=True)
_YEAR_BY_FOLD = {fold(p, upper=True): p for p in YEAR_NAMES}
_YEAR_BEFORE = {"NAM", "TET", "XUAN", "DAN"}
_DOUBLED = re.compile(r"(\w)\1")
# Phrases by their exact first word, for a second word whose first consonant OCR lost
# (`quản ý` for `quản lý`).
_BY_FIRST: dict[str, list[str]] = {}
for _p in PHRASES:
    if "," not in _p:
        _BY_FIRST.setdefault(_p.split(" ")[0], []).append(_p.split(" ")[1])
_INITIALS = "bcdđghklmnprstvx"
_WORD = re.compile(r"[^\W\d_]+(?:,)?")


def _case_like(model: str, word: str) -> str:
    """`word` written in the case of `model` (`Ủy` for `Uy`, `ỦY` for `UY`)."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _lost_initial(a: str, b: str) -> str | None:
    """The phrase `a b` spells when `b` lost its initial consonant (`quản ý` -> `quản lý`): `a`
    must be the phrase's first word exactly, and only one phrase and one letter may fit."""
    if not b or fold(b[0], upper=True) not in "AEIOUY":
        return None
    seconds = _BY_FIRST.get(a.lower(), [])
    fits = [f"{a.lower()} {w}" for w in seconds for c in _INITIALS
            if fold(c + b, upper=True) == fold(w, upper=True)]
    return fits[0] if len(fits) == 1 else None


def _long_phrase(words: list[str]) -> list[str] | None:
    """The first words spelled as a phrase of LONG_PHRASES (only the last may carry
    punctuation), longest first; None when they spell none."""
    for n in _LONG_SIZES:
        cores = [w.rstrip(",;.:") for w in words[:n]]
        if len(cores) < n or cores[:-1] != words[:n - 1] or not all(c.isalpha() for c in cores):
            continue
        phrase = _BY_FOLD_LONG.get(fold(" ".join(cores), upper=True))
        if phrase is not None:
            return [_case_like(c, p) + w[len(c):]
                    for c, p, w in zip(cores, phrase.split(" "), words, strict=False)]
    return None


def fix_phrase_accents(text: str) -> tuple[str, int]:
    """Text with known phrases' accents restored, and how many words were changed."""
    tokens = text.split(" ")
    changed = 0
    i = 0
    while i + 1 < len(tokens):
        long = _long_phrase(tokens[i:])
        if long is not None:
            changed += sum(x != y for x, y in zip(long, tokens[i:i + len(long)], strict=False))
            tokens[i:i + len(long)] = long
            i += len(long)
            continue
        a, b = tokens[i], tokens[i + 1]
        core_a, core_b = a.rstrip(",;.:"), b.rstrip(",;.:")
        key = fold(f"{core_a} {core_b}" if not a.endswith(",") else f"{core_a}, {core_b}", upper=True)
        phrase = None if f"{core_a} {core_b}".lower() in REAL_TEXT else \
            _BY_FOLD.get(key) or _lost_initial(core_a, core_b)
        if phrase is None and i > 0 and fold(tokens[i - 1].rstrip(",;.:"), upper=True) in _YEAR_BEFORE:
            # A letter read twice (`ÁAt Ty`, the breve's stroke as a second A): no stem or
            # branch doubles a letter.
            phrase = _YEAR_BY_FOLD.get(key) or _YEAR_BY_FOLD.get(_DOUBLED.sub(r"\1", key))
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


_SYLLABLES = Path(__file__).parent / "data" / "syllables.txt"
@lru_cache(maxsize=1)
def _places() -> dict[str, str]:
    """Two-word place names of the gazetteer (provinces, cities, districts), by folded form."""
    names = {n for n in default_gazetteer().values("place")
             if len(n.split()) == 2 and not n.startswith("TP")}
    return {fold(n, upper=True): n for n in names}


def _place_like(a: str, b: str) -> str | None:
    """The province or city two capitalised words spell with marks OCR got wrong (`Tiên
    Giang`), or with one or two letters of the second word garbled when that word is no
    syllable (`Quảng Nøãi`): the one name that fits best, else None."""
    if not (a[:1].isupper() and b[:1].isupper()) or not a.isalpha():
        return None
    places = _places()
    exact = places.get(fold(f"{a} {b}", upper=True))
    if exact is not None:
        return exact
    if is_vietnamese_syllable(b.lower()):
        return None
    first, second = fold(a, upper=True), fold(b, upper=True)
    fits = sorted((levenshtein(k.split(" ")[1], second, 2), n) for k, n in places.items()
                  if k.split(" ")[0] == first)
    # Two edits in a word of four letters or more, one in a shorter one (`Nxx` is no `Nam`).
    fits = [f for f in fits if f[0] <= (2 if len(fold(f[1].split(" ")[1])) >= 4 else 1)]
    if not fits or len(fits) > 1 and fits[1][0] == fits[0][0]:
        return None
    return fits[0][1]


_SO_BEFORE_NUMBER = re.compile(r"\b([Ss])[ôồỗộ](?= \d)")


def fix_so_before_number(text: str) -> tuple[str, int]:
    """`số` before a number, its tone mark misread (`Nghị quyết sô 99/NQ-CP`)."""
    return _SO_BEFORE_NUMBER.subn(lambda m: m.group(1) + "ố", text)


def fix_place_names(text: str) -> tuple[str, int]:
    """Names of provinces and cities in a text spelled as the gazetteer spells them, and how
    many words were changed."""
    tokens = text.split(" ")
    changed = 0
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        core_b = b.rstrip(",;.:)")
        name = _place_like(a, core_b)
        if name is None:
            continue
        pa, pb = name.split(" ")
        if (pa, pb) != (a, core_b):
            changed += (pa != a) + (pb != core_b)
            tokens[i], tokens[i + 1] = pa, pb + b[len(core_b):]
        # The word before a province's name: `tính Bạc Liêu` is `tỉnh Bạc Liêu`.
        if i > 0 and fold(tokens[i - 1], upper=True) == "TINH" and tokens[i - 1].lower() != "tỉnh":
            tokens[i - 1] = _case_like(tokens[i - 1], "tỉnh")
            changed += 1
    return " ".join(tokens), changed


@lru_cache(maxsize=1)
def _attested() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Attested lower-case syllables, and them grouped by their accent-free form."""
    words = frozenset(
        unicodedata.normalize("NFC", ln.strip()) for ln in
        _SYLLABLES.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#"))
    groups: dict[str, list[str]] = {}
    for w in sorted(words):
        groups.setdefault(fold(w, upper=True), []).append(w)
    return words, {k: tuple(v) for k, v in groups.items()}


def _marks(word: str) -> set[str]:
    marks = {c for c in unicodedata.normalize("NFD", word) if unicodedata.combining(c)}
    return marks | ({"đ"} if "đ" in word else set())


def fix_unattested(text: str) -> tuple[str, int]:
    """Words that are no Vietnamese syllable (`xêp`, `Têt`, `chuân`, `địp`) replaced by the one
    attested syllable spelled the same but for its marks, preferring the ones that only add
    marks to what OCR read (marks are lost far more often than invented); ambiguous ones stay."""
    words, groups = _attested()
    tokens = text.split(" ")
    changed = 0
    for i, tok in enumerate(tokens):
        m = re.fullmatch(r"([(\"“]?)([^\W\d_]+)([,.;:)\"”]*)", tok)
        if not m or m.group(2).isupper() and len(m.group(2)) > 1:
            continue  # numbers, symbols, abbreviations (`TTHC`, `STEM`)
        core = m.group(2)
        low = core.lower()
        if low in words or not is_vietnamese_syllable(low):
            continue
        cands = groups.get(fold(low, upper=True), ())
        richer = [c for c in cands if _marks(c.replace("đ", "d")) >= _marks(low.replace("đ", "d"))]
        pick = richer if len(richer) == 1 else list(cands)
        if len(pick) != 1:
            continue
        tokens[i] = m.group(1) + _case_like(core, pick[0]) + m.group(3)
        changed += 1
    return " ".join(tokens), changed
