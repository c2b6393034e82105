"""Seeded composition of a document's text content and its ground-truth fields."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from models.vocabulary import Secrecy, Urgency
from synth import phrases as ph
from synth.agencies import Agency, pick_agency, signer_lines
from synth.fonts import nfc

# slug -> (type name, abbreviation, legal normative)
KINDS: dict[str, tuple[str, str, bool]] = {
    "cong_van": ("CÔNG VĂN", "", False), "quyet_dinh": ("QUYẾT ĐỊNH", "QĐ", False),
    "quyet_dinh_qppl": ("QUYẾT ĐỊNH", "QĐ", True), "ke_hoach": ("KẾ HOẠCH", "KH", False),
    "thong_bao": ("THÔNG BÁO", "TB", False), "bao_cao": ("BÁO CÁO", "BC", False),
    "to_trinh": ("TỜ TRÌNH", "TTr", False), "huong_dan": ("HƯỚNG DẪN", "HD", False),
    "giay_moi": ("GIẤY MỜI", "GM", False), "chi_thi": ("CHỈ THỊ", "CT", False),
    "nghi_quyet": ("NGHỊ QUYẾT", "NQ", True), "nghi_dinh": ("NGHỊ ĐỊNH", "NĐ", True),
    "thong_tu": ("THÔNG TƯ", "TT", True),
}
KIND_WEIGHTS = {"cong_van": 30, "quyet_dinh": 14, "ke_hoach": 8, "thong_bao": 8, "bao_cao": 8,
                "to_trinh": 6, "huong_dan": 4, "giay_moi": 5, "chi_thi": 3, "nghi_quyet": 4,
                "quyet_dinh_qppl": 4, "nghi_dinh": 3, "thong_tu": 3}
SECRECY = tuple(str(m) for m in Secrecy)
URGENCY = tuple(str(m) for m in Urgency)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass
class Para:
    """A paragraph: styled runs plus alignment and layout role."""

    runs: list[tuple[str, str]]
    align: str = "justify"     # justify / center / left
    indent: bool = True
    role: str = "body"


@dataclass
class Content:
    """Everything printed on a document, before layout."""

    kind: str
    agency: Agency
    type_name: str
    code_number: str
    code_notation: str
    issued: dt.date
    subject: str
    kinh_gui: list[str]
    head: list[Para]
    items: list[list[Para]]
    tail: list[Para]
    competence: list[str]
    position: str
    full_name: str
    recipients: list[str]
    secrecy: str | None = None
    urgency: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def resolve_kind(kind: str | None, rng: random.Random) -> str:
    """Map a slug, type name or abbreviation to a kind slug (random when None)."""
    if kind is None:
        return rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    k = nfc(kind).strip()
    for slug, (name, abbr, _) in KINDS.items():
        if k.lower() in (slug, name.lower(), abbr.lower()):
            return slug
    raise ValueError(f"unknown document kind: {kind!r}")


def _subject(kind: str, rng: random.Random, year: int, ag: Agency) -> str:
    """A plausible summary (trích yếu) for the kind."""
    t = rng.choice(ph.TOPICS)
    area = f"tỉnh {ag.province}" if ag.province else "cả nước"
    options = {
        "cong_van": [f"triển khai {t}", f"đôn đốc thực hiện {t}", f"tăng cường {t}",
                     f"báo cáo kết quả {t} năm {year - 1}", f"góp ý dự thảo Quy chế {t}",
                     "cử cán bộ tham dự " + rng.choice(ph.EVENTS).format(year=year, topic=t)],
        "quyet_dinh": [f"Về việc phê duyệt Kế hoạch {t} năm {year}",
                       f"Về việc thành lập Tổ công tác {t}", f"Ban hành Quy chế {t}",
                       f"Về việc giao chỉ tiêu {t} năm {year}"],
        "quyet_dinh_qppl": [f"Ban hành Quy định về {t} trên địa bàn {area}"],
        "ke_hoach": [f"Triển khai {t} năm {year}",
                     f"Thực hiện {t} giai đoạn {year} - {year + 4}"],
        "thong_bao": [f"Kết luận của lãnh đạo tại cuộc họp về {t}", f"Kết quả {t} năm {year - 1}"],
        "bao_cao": [f"Kết quả thực hiện {t} năm {year - 1}",
                    f"Tình hình {t} 6 tháng đầu năm {year}"],
        "to_trinh": [f"Về việc đề nghị phê duyệt Kế hoạch {t} năm {year}",
                     f"Đề nghị ban hành Quy chế {t}"],
        "huong_dan": [f"Thực hiện {t} năm {year}", f"Triển khai {t} tại các cơ quan, đơn vị"],
        "giay_moi": ["Dự " + rng.choice(ph.EVENTS).format(year=year, topic=t)],
        "chi_thi": [f"Về tăng cường {t}", f"Về đẩy mạnh {t} trên địa bàn {area}"],
        "nghi_quyet": [f"Quy định mức chi bảo đảm cho {t} trên địa bàn {area}",
                       f"Về việc thông qua Đề án {t} giai đoạn {year} - {year + 4}"],
        "nghi_dinh": [f"Quy định chi tiết một số điều về {t}", f"Quy định về {t}"],
        "thong_tu": [f"Quy định {t}", f"Hướng dẫn thực hiện {t}"],
    }
    return rng.choice(options[kind])


def _item(kind: str, rng: random.Random, issued: dt.date, me: str, i: int,
          template: str) -> list[Para]:
    """The i-th repeatable middle item of the body."""
    text = ph.fill(template, rng, issued, me)
    if kind in ("quyet_dinh", "quyet_dinh_qppl", "nghi_quyet", "nghi_dinh", "thong_tu"):
        return [Para([(f"Điều {i + 1}.", "B"), (text, "R")])]
    if kind in ("bao_cao", "ke_hoach", "huong_dan") and i % 3 == 0:
        titles = ("KẾT QUẢ THỰC HIỆN", "KHÓ KHĂN, VƯỚNG MẮC", "NỘI DUNG, NHIỆM VỤ",
                  "GIẢI PHÁP CHỦ YẾU", "TỔ CHỨC THỰC HIỆN", "KIẾN NGHỊ, ĐỀ XUẤT")
        title = titles[(i // 3) % len(titles)]
        head = Para([(f"{ROMAN[(i // 3) % 10]}. {title}", "B")], align="left")
        return [head, Para([(f"{i % 3 + 1}.", "R"), (text, "R")])]
    if kind == "giay_moi":
        return [Para([("-", "R"), (text, "R")])]
    n = i % 3 + 1 if kind in ("bao_cao", "ke_hoach", "huong_dan") else i + 1
    return [Para([(f"{n}.", "R"), (text, "R")])]


def _head_tail(kind: str, rng: random.Random, c_issued: dt.date, ag: Agency,
               me: str) -> tuple[list[Para], list[Para]]:
    """Opening and closing paragraphs of the body."""
    head: list[Para] = []
    tail: list[Para] = []
    decisional = kind in ("quyet_dinh", "quyet_dinh_qppl", "nghi_quyet", "nghi_dinh", "thong_tu")
    if decisional:
        if kind in ("quyet_dinh", "quyet_dinh_qppl"):
            head.append(Para([(f"{ag.head} {ag.organ_name}", "B")], "center", False))
        elif kind == "nghi_quyet" and ag.abbr == "HĐND":
            head.append(Para([(ag.organ_name, "B")], "center", False))
            head.append(Para([(f"KHÓA {rng.choice(('XII', 'XIII', 'XIV'))}, KỲ HỌP THỨ "
                               f"{rng.randint(3, 30)}", "B")], "center", False))
        for base, date in rng.sample(ph.LEGAL_BASES, rng.randint(2, 4)):
            head.append(Para([(f"Căn cứ {base} {date};", "I")]))
        tr = f"{rng.randint(12, 980)}/TTr-{rng.choice(('SNV', 'STC', 'STTTT', 'VP', 'SKHĐT'))}"
        head.append(Para([(f"Theo đề nghị của Giám đốc {rng.choice(ph.UNITS[:4])} tại Tờ trình "
                           f"số {tr} ngày {ph.short_date(c_issued - dt.timedelta(days=9))}.",
                           "I")]))
        verb = {"nghi_quyet": "QUYẾT NGHỊ:", "nghi_dinh": "", "thong_tu": ""}.get(kind,
                                                                             "QUYẾT ĐỊNH:")
        if verb:
            head.append(Para([(verb, "B")], "center", False))
        eff = ph.short_date(c_issued + dt.timedelta(days=15))
        tail.append(Para([("Điều cuối.", "B"), (
            f"Văn bản này có hiệu lực kể từ ngày {eff}. Chánh Văn phòng, Thủ trưởng các cơ "
            "quan, đơn vị và cá nhân có liên quan chịu trách nhiệm thi hành văn bản này./.",
            "R")]))
        return head, tail
    if kind == "to_trinh":
        base, date = rng.choice(ph.LEGAL_BASES)
        head.append(Para([(f"Căn cứ {base} {date}; {me} kính trình xem xét, phê duyệt với các "
                           "nội dung chủ yếu như sau:", "R")]))
        tail.append(Para([(f"{me} kính trình xem xét, quyết định./.", "R")]))
        return head, tail
    if kind == "giay_moi":
        head.append(Para([(f"{me} trân trọng kính mời:", "R")]))
        tail.append(Para([(f"Thời gian: 08 giờ 00 phút, ngày "
                           f"{ph.short_date(c_issued + dt.timedelta(days=5))}.", "R")]))
        tail.append(Para([(f"Địa điểm: Hội trường {me}.", "R")]))
        tail.append(Para([("Rất mong các đại biểu tham dự đúng thời gian./.", "R")]))
        return head, tail
    head.append(Para([(ph.fill(rng.choice(ph.OPENINGS), rng, c_issued, me), "R")]))
    tail.append(Para([(ph.fill(rng.choice(ph.CLOSINGS), rng, c_issued, me), "R")]))
    return head, tail


def compose(rng: random.Random, kind: str | None, secrecy: str | None,
            urgency: str | None, n_items: int = 60) -> Content:
    """Compose the full content of one document from the rng."""
    slug = resolve_kind(kind, rng)
    type_name, abbr, legal = KINDS[slug]
    ag = pick_agency(rng, slug)
    issued = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 2870))
    if slug == "nghi_quyet" and ag.abbr == "HĐND" and rng.random() < 0.4:
        legal = False
    n = rng.randint(1, 80 if legal else rng.choice((120, 900, 3500)))
    code_number = f"{n:02d}"
    if slug == "cong_van":
        unit = rng.choice(ag.units)
        notation = f"{ag.abbr}-{unit}" if unit else ag.abbr
    elif legal:
        notation = f"{issued.year}/{abbr}-{ag.abbr}"
    else:
        notation = f"{abbr}-{ag.abbr}"
    me = ag.prose
    head, tail = _head_tail(slug, rng, issued, ag, me)
    order: list[str] = []
    while len(order) < n_items:
        order += rng.sample(ph.ITEM_TEMPLATES, len(ph.ITEM_TEMPLATES))
    items = [_item(slug, rng, issued, me, i, order[i]) for i in range(n_items)]
    kinh_gui: list[str] = []
    if slug == "cong_van" or (slug in ("to_trinh", "bao_cao") and rng.random() < 0.6):
        kinh_gui = rng.sample(ph.KINH_GUI, rng.choice((1, 1, 2, 3)))
    recips = (["Như trên"] if kinh_gui else []) + rng.sample(ph.RECIPIENTS, rng.randint(2, 5))
    recips.append(f"Lưu: VT, {rng.choice(ag.units) or 'VP'}")
    competence, position = signer_lines(ag, rng)
    return Content(
        kind=slug, agency=ag, type_name=type_name, code_number=code_number,
        code_notation=notation, issued=issued, subject=nfc(_subject(slug, rng, issued.year, ag)),
        kinh_gui=kinh_gui, head=head, items=items, tail=tail, competence=competence,
        position=position, full_name=ph.person(rng), recipients=recips, secrecy=secrecy,
        urgency=urgency,
    )


def finish_items(content: Content, k: int) -> list[Para]:
    """Body paragraphs with the first k middle items, numbering the final article."""
    paras = list(content.head)
    for item in content.items[:k]:
        paras.extend(item)
    for p in content.tail:
        if p.runs and p.runs[0][0] == "Điều cuối.":
            p = Para([(f"Điều {k + 1}.", "B")] + p.runs[1:], p.align, p.indent, p.role)
        paras.append(p)
    return paras
