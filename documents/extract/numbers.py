"""Number and symbol (`Số: 15/QĐ-BNV`): grammar, type abbreviations, OCR repairs (DOMAIN §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.text import fold
from models.vocabulary import MAX_LENGTH

# Type names and their abbreviations (Nghị định 30, Phụ lục III) plus legal normative types.
TYPE_ABBR: dict[str, str] = {
    "NGHỊ QUYẾT": "NQ", "QUYẾT ĐỊNH": "QĐ", "CHỈ THỊ": "CT", "QUY CHẾ": "QC", "QUY ĐỊNH": "QyĐ",
    "THÔNG CÁO": "TC", "THÔNG BÁO": "TB", "HƯỚNG DẪN": "HD", "CHƯƠNG TRÌNH": "CTr",
    "KẾ HOẠCH": "KH", "PHƯƠNG ÁN": "PA", "ĐỀ ÁN": "ĐA", "DỰ ÁN": "DA", "BÁO CÁO": "BC",
    "BIÊN BẢN": "BB", "TỜ TRÌNH": "TTr", "HỢP ĐỒNG": "HĐ", "CÔNG ĐIỆN": "CĐ",
    "BẢN GHI NHỚ": "BGN", "BẢN THỎA THUẬN": "BTT", "GIẤY ỦY QUYỀN": "GUQ", "GIẤY MỜI": "GM",
    "GIẤY GIỚI THIỆU": "GGT", "GIẤY NGHỈ PHÉP": "GNP", "PHIẾU GỬI": "PG", "PHIẾU CHUYỂN": "PC",
    "PHIẾU BÁO": "PB", "NGHỊ ĐỊNH": "NĐ", "THÔNG TƯ": "TT", "THÔNG TƯ LIÊN TỊCH": "TTLT",
    "BẢN SAO Y": "SY", "BẢN TRÍCH SAO": "TrS", "BẢN SAO LỤC": "SL",
}
# Types whose title has no abbreviation in the symbol.
NO_ABBR = ("CÔNG VĂN", "LUẬT", "THƯ CÔNG", "PHÁP LỆNH", "HIẾN PHÁP")
TYPE_NAMES: tuple[str, ...] = tuple(TYPE_ABBR) + NO_ABBR
ABBR_TYPE: dict[str, str] = {v: k for k, v in TYPE_ABBR.items()}

# Registry limits (Nghị định 30, Phụ lục VI): CodeNumber 11, CodeNotation 30.
MAX_CODE_NUMBER = MAX_LENGTH["CodeNumber"]
MAX_CODE_NOTATION = MAX_LENGTH["CodeNotation"]

_GROUP = r"[A-Za-zĐđ0-9&.]+"
# Up to seven groups: joint circulars list every issuer (`TTLT-VKSNDTC-TANDTC-BCA-BQP-BLĐTBXH`).
NUMBER_RE = re.compile(rf"^(\d{{1,7}})/(?:((?:19|20)\d\d)/)?({_GROUP}(?:-{_GROUP}){{0,6}})$")
# The Government's resolutions on legal obstacles are numbered with a dot (`66.17/2026/NQ-CP`):
# only with the year group, where a dot is no OCR speck inside the digits.
DOTTED_RE = re.compile(rf"^(\d{{1,4}}\.\d{{1,3}})/((?:19|20)\d\d)/({_GROUP}(?:-{_GROUP}){{0,6}})$")
# A symbol group must hold a letter: "QĐ", "UBND", "BCĐ138"; never only digits.
_HAS_LETTER = re.compile(r"[A-Za-zĐđ]")
# Symbols are upper case apart from the lower-case letters of TTr, CTr, QyĐ, TrS, TTg, GDTrH.
_STRAY_BEFORE_DIGITS = re.compile(r"^[Il|!](?=\d{1,7}/)")
_LOWER_OK = re.compile(r"(?<=[TC])r|(?<=Q)y|(?<=TT)g")


@dataclass(frozen=True)
class ParsedNumber:
    """A number/symbol split into its parts; `problems` lists grammar checks that failed."""

    raw: str
    number: str
    code_number: str
    code_notation: str
    year: str | None
    problems: tuple[str, ...]


def clean_number_text(text: str) -> str:
    """Remove spaces and the `Số:` label, map OCR look-alikes inside a symbol."""
    t = re.sub(r"\s+", "", text)
    t = t.replace("Ð", "Đ").replace("—", "-").replace("–", "-").replace("_", "-")
    t = re.sub(r"^(?:Luật|Lệnh|Pháplệnh)?(?:S[ốoóòôồổỗơớờỡ6öọộ][:;.,]?)", "", t, flags=re.I)
    t = t.lstrip(":;.,")
    return t.rstrip(".,;:")


def parse_number(text: str) -> ParsedNumber | None:
    """Parse `87/QĐ-UBND`, `30/2020/NĐ-CP`; None when the text is not a number at all."""
    raw = clean_number_text(text)
    problems: list[str] = []
    stray = _STRAY_BEFORE_DIGITS.match(raw)
    if stray:
        # A typewriter's or a rule's vertical stroke read as `I`/`l`/`|` before the digits
        # (`I157/QĐ-UB`): numbers never start with a letter.
        raw = raw[stray.end():]
        problems.append("stray mark before the digits")
    m = NUMBER_RE.match(raw) or DOTTED_RE.match(raw)
    if not m:
        return None
    digits, year, notation = m.group(1), m.group(2), m.group(3)
    groups = notation.split("-")
    if any(not g or not _HAS_LETTER.search(g) for g in groups):
        problems.append("symbol group without letters")
    if any(c.islower() for c in _LOWER_OK.sub("", notation)):
        problems.append("unexpected lower case in symbol")
    if len(digits) > MAX_CODE_NUMBER or len(notation) > MAX_CODE_NOTATION:
        problems.append("too long for the registry")
    if int(digits.split(".")[0]) == 0:
        problems.append("number zero")
    code_notation = f"{year}/{notation}" if year else notation
    return ParsedNumber(raw, f"{digits}/{code_notation}", digits, code_notation, year,
                        tuple(problems))


def type_abbreviation(notation: str) -> str:
    """First group of a symbol (`QĐ` in `QĐ-UBND`, `NĐ` in `2020/NĐ-CP`)."""
    return notation.split("/")[-1].split("-")[0]


def consistent_with_type(notation: str, type_name: str | None) -> bool | None:
    """True/False when the symbol's abbreviation agrees with the type; None when not decidable."""
    if not type_name:
        return None
    abbr = type_abbreviation(notation)
    if type_name in TYPE_ABBR:
        # Exact comparison keeps HD (hướng dẫn) apart from HĐ (hợp đồng), DA from ĐA.
        return abbr == TYPE_ABBR[type_name]
    if type_name == "CÔNG VĂN":
        # A công văn symbol starts with the issuer abbreviation, never with a type abbreviation.
        return abbr not in ABBR_TYPE
    return None


def type_from_abbreviation(notation: str) -> str | None:
    """The type name the symbol's abbreviation stands for, if it is one."""
    return ABBR_TYPE.get(type_abbreviation(notation))


def match_type_name(text: str) -> str | None:
    """The type name a title line spells, tolerating OCR accent errors (`QUYÉT ĐỊNH`)."""
    key = fold(text, upper=True).strip(" :.")
    # Older documents print the author after the type: `QUYẾT ĐỊNH CỦA UỶ BAN NHÂN DÂN TỈNH`.
    key = key.split(" CUA ", 1)[0]
    for name in sorted(TYPE_NAMES, key=len, reverse=True):
        if key == fold(name, upper=True):
            return name
    return None


def repair_type_group(notation: str, type_name: str | None) -> str | None:
    """The symbol with its type group spelled as the title's abbreviation, when OCR only garbled
    it (`QD-BGDĐT`, `QĐĐ-UBND` under `QUYẾT ĐỊNH` -> `QĐ-...`); None when nothing to repair.

    Only accent-free equality after collapsing doubled letters counts, so HD never becomes HĐ
    by this path unless the title says HỢP ĐỒNG.
    """
    if not type_name or type_name not in TYPE_ABBR:
        return None
    want = TYPE_ABBR[type_name]
    head, _, rest = notation.rpartition("/")
    groups = rest.split("-")
    got = groups[0]
    if got == want:
        return None
    if re.sub(r"(.)\1+", r"\1", fold(got, upper=True)) != fold(want, upper=True):
        return None
    groups[0] = want
    fixed = "-".join(groups)
    return f"{head}/{fixed}" if head else fixed


def repair_issuer_groups(notation: str, issuer: set[str], known: set[str] | None = None
                         ) -> str | None:
    """The symbol with a group OCR garbled spelled as the issuer's abbreviation, or None when
    nothing to repair (DOMAIN §3: the groups after the type name the issuer and its unit).

    `issuer` holds the abbreviations of the agency read from the header (`CĐSQG`, `VTLTNN`,
    `BCĐ138`, see `Gazetteer.abbreviations`). When no group is one of them yet, the one group
    of four or more characters that is such an abbreviation with a letter doubled (`CĐĐSQG`) or
    one edit away from it and from no other (`VTLUTNN`, `BCĐI38`) is repaired; when the issuer's
    group is there, the others name its units and are left alone. `known` holds every listed
    abbreviation: a group spelled like one with `D` for `Đ` is given the `Đ` (`BGDDT` ->
    `BGDĐT`; the first group also like a type's, `QD` -> `QĐ`). A repaired value always needs
    review.
    """
    known = known or set()
    head, _, rest = notation.rpartition("/")
    groups = rest.split("-")
    # The first group may be the type's abbreviation: `QD` is only `QĐ` (but `HD` stays `HD`).
    fixed = [_stroke(g, issuer | known | (set(ABBR_TYPE) if i == 0 else set()))
             for i, g in enumerate(groups)]
    if not any(g in issuer for g in fixed):
        repairs = {i: r for i, g in enumerate(fixed) if (r := _issuer_group(g, issuer, known))}
        if len(repairs) == 1:
            (i, r), = repairs.items()
            fixed[i] = r
    if fixed == groups:
        return None
    fixed_rest = "-".join(fixed)
    return f"{head}/{fixed_rest}" if head else fixed_rest


def _stroke(group: str, abbreviations: set[str]) -> str:
    """`group` with the `Đ` of the one abbreviation it spells with `D` (`BGDDT` -> `BGDĐT`)."""
    if "Đ" in group or not group.isupper() or group in abbreviations:
        return group
    same = {a for a in abbreviations if "Đ" in a and fold(a, upper=True) == group}
    return same.pop() if len(same) == 1 else group


def _issuer_group(group: str, issuer: set[str], known: set[str]) -> str | None:
    """The issuer abbreviation a garbled group stands for, if only one fits."""
    if len(group) < 4 or group in known or group in ABBR_TYPE or not group.isupper():
        return None
    collapsed = re.sub(r"(.)\1+", r"\1", group)
    doubled = {a for a in issuer if len(a) >= 4 and a == collapsed}
    if len(doubled) == 1:
        return doubled.pop()
    folded = fold(group, upper=True)
    near = {a for a in issuer if len(a) >= 4 and _one_edit(folded, fold(a, upper=True))}
    return near.pop() if len(near) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by exactly one inserted, deleted or replaced character."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
