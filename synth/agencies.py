"""Issuing agencies: names, symbol abbreviations, places, signers and seals."""

from __future__ import annotations

import random
from dataclasses import dataclass

# (province, is centrally governed city, [(district prefix, district name)], [commune names])
PROVINCES: list[tuple[str, bool, list[tuple[str, str]], list[str]]] = [
    ("Quảng Ngãi", False, [("huyện", "Bình Sơn"), ("huyện", "Sơn Tịnh"), ("huyện", "Tư Nghĩa"),
                            ("huyện", "Mộ Đức"), ("thị xã", "Đức Phổ"), ("huyện", "Ba Tơ")],
     ["Bình Châu", "Tịnh Phong", "Nghĩa Kỳ", "Đức Hiệp", "Ba Động"]),
    ("Nghệ An", False, [("huyện", "Diễn Châu"), ("huyện", "Quỳnh Lưu"), ("huyện", "Nghi Lộc"),
                         ("huyện", "Đô Lương"), ("thị xã", "Hoàng Mai"), ("thành phố", "Vinh")],
     ["Diễn Thịnh", "Quỳnh Lương", "Nghi Phong", "Đà Sơn"]),
    ("Quảng Nam", False, [("thị xã", "Điện Bàn"), ("huyện", "Thăng Bình"), ("huyện", "Duy Xuyên"),
                           ("huyện", "Núi Thành"), ("thành phố", "Hội An")],
     ["Bình Dương", "Duy Phước", "Tam Hiệp", "Cẩm Thanh"]),
    ("Bình Định", False, [("thị xã", "Hoài Nhơn"), ("huyện", "Phù Cát"), ("huyện", "Tuy Phước"),
                           ("thành phố", "Quy Nhơn")], ["Cát Khánh", "Phước Lộc", "Nhơn Lý"]),
    ("Thanh Hóa", False, [("huyện", "Hoằng Hóa"), ("huyện", "Quảng Xương"), ("huyện", "Thọ Xuân"),
                           ("thị xã", "Nghi Sơn")], ["Hoằng Đạt", "Quảng Định", "Xuân Lập"]),
    ("Hà Tĩnh", False, [("huyện", "Cẩm Xuyên"), ("huyện", "Đức Thọ"), ("huyện", "Hương Khê"),
                         ("huyện", "Thạch Hà")], ["Cẩm Nhượng", "Đức Đồng", "Thạch Hội"]),
    ("Đắk Lắk", False, [("huyện", "Cư M'gar"), ("huyện", "Krông Pắc"), ("huyện", "Ea Kar"),
                         ("thành phố", "Buôn Ma Thuột")], ["Ea Phê", "Cư Huê", "Hòa Thắng"]),
    ("Lâm Đồng", False, [("huyện", "Đức Trọng"), ("huyện", "Di Linh"), ("thành phố", "Đà Lạt")],
     ["Hiệp Thạnh", "Gia Hiệp", "Tà Nung"]),
    ("Cần Thơ", True, [("quận", "Ninh Kiều"), ("quận", "Cái Răng"), ("huyện", "Phong Điền"),
                        ("huyện", "Cờ Đỏ")], ["Nhơn Ái", "Thới Hưng", "Giai Xuân"]),
    ("Hải Phòng", True, [("huyện", "Thủy Nguyên"), ("huyện", "Tiên Lãng"), ("quận", "Lê Chân")],
     ["Lập Lễ", "Đoàn Lập", "Kiền Bái"]),
    ("Quảng Trị", False, [("huyện", "Hải Lăng"), ("huyện", "Gio Linh"), ("huyện", "Triệu Phong")],
     ["Hải Phú", "Gio Mỹ", "Triệu Đại"]),
    ("Bắc Ninh", False, [("huyện", "Tiên Du"), ("huyện", "Quế Võ"), ("thành phố", "Từ Sơn")],
     ["Phật Tích", "Phượng Mao", "Đồng Nguyên"]),
    ("Ninh Bình", False, [("huyện", "Gia Viễn"), ("huyện", "Kim Sơn"), ("huyện", "Hoa Lư")],
     ["Gia Hòa", "Kim Chính", "Ninh Hải"]),
    ("Đồng Tháp", False, [("huyện", "Lấp Vò"), ("huyện", "Tháp Mười"), ("thành phố", "Cao Lãnh")],
     ["Tân Mỹ", "Mỹ An", "Hòa An"]),
    ("Lào Cai", False, [("huyện", "Bát Xát"), ("huyện", "Bảo Thắng"), ("thị xã", "Sa Pa")],
     ["Quang Kim", "Phố Lu", "Tả Van"]),
]

# (name after "Sở", abbreviation, drafting units)
DEPARTMENTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Nội vụ", "SNV", ("VP", "TCBC", "CCVC", "VTLT", "XDCQ")),
    ("Tài chính", "STC", ("VP", "NS", "QLG", "TCĐT")),
    ("Giáo dục và Đào tạo", "SGDĐT", ("VP", "GDTrH", "KTKĐ", "TCCB")),
    ("Thông tin và Truyền thông", "STTTT", ("VP", "CĐS", "BCVT", "TTBCXB")),
    ("Y tế", "SYT", ("VP", "NVY", "KHTC", "TCCB")),
    ("Tư pháp", "STP", ("VP", "XDKTVB", "PBGDPL", "HCTP")),
    ("Kế hoạch và Đầu tư", "SKHĐT", ("VP", "TH", "ĐKKD", "KTĐN")),
    ("Tài nguyên và Môi trường", "STNMT", ("VP", "QLĐĐ", "MT", "KS")),
    ("Xây dựng", "SXD", ("VP", "QLHĐXD", "QHKT")),
    ("Công Thương", "SCT", ("VP", "QLTM", "QLCN")),
    ("Lao động - Thương binh và Xã hội", "SLĐTBXH", ("VP", "LĐVL", "NCC")),
    ("Văn hóa, Thể thao và Du lịch", "SVHTTDL", ("VP", "QLVH", "QLDL")),
    ("Khoa học và Công nghệ", "SKHCN", ("VP", "QLKH", "TĐC")),
    ("Giao thông vận tải", "SGTVT", ("VP", "QLVT", "KCHT")),
]

# (name after "Bộ", abbreviation, wrapped lines after "BỘ ")
MINISTRIES: list[tuple[str, str]] = [
    ("Nội vụ", "BNV"), ("Tài chính", "BTC"), ("Giáo dục và Đào tạo", "BGDĐT"),
    ("Thông tin và Truyền thông", "BTTTT"), ("Y tế", "BYT"), ("Tư pháp", "BTP"),
    ("Kế hoạch và Đầu tư", "BKHĐT"), ("Tài nguyên và Môi trường", "BTNMT"),
    ("Công Thương", "BCT"), ("Xây dựng", "BXD"), ("Khoa học và Công nghệ", "BKHCN"),
    ("Nông nghiệp và Phát triển nông thôn", "BNNPTNT"),
]
MINISTRY_UNITS = ("VP", "TCCB", "KHTC", "PC", "CĐS", "VTLT", "HTQT")

DISTRICT_OFFICES: list[tuple[str, str]] = [
    ("Phòng Giáo dục và Đào tạo", "PGDĐT"), ("Phòng Nội vụ", "PNV"),
    ("Phòng Tài chính - Kế hoạch", "TCKH"), ("Phòng Tài nguyên và Môi trường", "TNMT"),
    ("Phòng Văn hóa và Thông tin", "VHTT"),
]

ORDINARY = ("cong_van", "quyet_dinh", "ke_hoach", "thong_bao", "bao_cao", "to_trinh",
            "huong_dan", "giay_moi")


@dataclass(frozen=True)
class Agency:
    """An issuing agency with everything needed to print and sign its documents."""

    organ: str                 # upper-case name, "\n" at the preferred line breaks
    parent: str | None         # upper-case parent agency name
    abbr: str                  # issuer abbreviation used in the symbol
    place: str                 # place name printed before the date
    prose: str                 # how the agency is named in running text
    collective: str | None     # "ỦY BAN NHÂN DÂN" for "TM." signatures
    head: str                  # position of the head
    deputy: str                # position of a deputy
    units: tuple[str, ...]     # drafting units for công văn symbols
    kinds: tuple[str, ...]     # document kinds the agency issues
    level: str                 # central / province / district / commune
    province: str              # province the agency belongs to ("" for central)

    @property
    def organ_name(self) -> str:
        """Issuing agency name on one line."""
        return " ".join(self.organ.split())


def _province_agencies(prov: str, city: bool, districts: list[tuple[str, str]],
                       communes: list[str], rng: random.Random) -> list[Agency]:
    """All agency variants of one province."""
    pword = "THÀNH PHỐ" if city else "TỈNH"
    plow = "thành phố" if city else "tỉnh"
    pu = prov.upper()
    out = [
        Agency(f"ỦY BAN NHÂN DÂN\n{pword} {pu}", None, "UBND", prov,
               f"Ủy ban nhân dân {plow}", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "PHÓ CHỦ TỊCH",
               ("VX", "KTTH", "NC", "KT", "TH", "NNTN", "CNXD"),
               ORDINARY + ("chi_thi", "quyet_dinh_qppl"), "province", prov),
        Agency(f"HỘI ĐỒNG NHÂN DÂN\n{pword} {pu}", None, "HĐND", prov,
               f"Hội đồng nhân dân {plow}", None, "CHỦ TỊCH", "PHÓ CHỦ TỊCH",
               ("VP", "KTNS", "VHXH", "PC"),
               ("cong_van", "nghi_quyet", "thong_bao", "bao_cao", "ke_hoach"), "province", prov),
    ]
    for name, abbr, units in rng.sample(DEPARTMENTS, 4):
        out.append(Agency(f"SỞ {name.upper()}", f"UBND {pword} {pu}", abbr, prov,
                          f"Sở {name}", None, "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", units, ORDINARY,
                          "province", prov))
    dprefix, dname = rng.choice(districts)
    dp = dprefix.upper()
    out.append(Agency(f"ỦY BAN NHÂN DÂN\n{dp} {dname.upper()}", None, "UBND", dname,
                      f"Ủy ban nhân dân {dprefix}", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
                      "PHÓ CHỦ TỊCH", ("VP", "TCKH", "NV", "TNMT"), ORDINARY + ("chi_thi",),
                      "district", prov))
    office, oabbr = rng.choice(DISTRICT_OFFICES)
    out.append(Agency(office.upper(), f"UBND {dp} {dname.upper()}", oabbr, dname, office,
                      None, "TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", ("",),
                      ("cong_van", "ke_hoach", "thong_bao", "bao_cao", "giay_moi", "huong_dan"),
                      "district", prov))
    commune = rng.choice(communes)
    out.append(Agency(f"ỦY BAN NHÂN DÂN\nXÃ {commune.upper()}", None, "UBND", commune,
                      "Ủy ban nhân dân xã", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                      ("VP",), ("cong_van", "quyet_dinh", "to_trinh", "bao_cao", "thong_bao"),
                      "commune", prov))
    return out


def _central_agencies(rng: random.Random) -> list[Agency]:
    """Government, Prime Minister, ministries and ministry departments."""
    out = [
        Agency("CHÍNH PHỦ", None, "CP", "Hà Nội", "Chính phủ", "CHÍNH PHỦ", "THỦ TƯỚNG",
               "PHÓ THỦ TƯỚNG", ("",), ("nghi_dinh", "nghi_quyet"), "central", ""),
        Agency("THỦ TƯỚNG CHÍNH PHỦ", None, "TTg", "Hà Nội", "Thủ tướng Chính phủ", None,
               "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", ("CĐS", "KTTH", "NC", "QHQT", "KGVX", "CN"),
               ("cong_van", "quyet_dinh", "chi_thi", "quyet_dinh_qppl"), "central", ""),
        Agency("VĂN PHÒNG CHÍNH PHỦ", None, "VPCP", "Hà Nội", "Văn phòng Chính phủ", None,
               "BỘ TRƯỞNG, CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", ("KSTT", "TH", "ĐMDN", "CĐS"),
               ("cong_van", "thong_bao"), "central", ""),
    ]
    for name, abbr in rng.sample(MINISTRIES, 4):
        out.append(Agency(f"BỘ {name.upper()}", None, abbr, "Hà Nội", f"Bộ {name}", None,
                          "BỘ TRƯỞNG", "THỨ TRƯỞNG", MINISTRY_UNITS,
                          ORDINARY + ("thong_tu",), "central", ""))
    out.append(Agency("CỤC VĂN THƯ VÀ LƯU TRỮ\nNHÀ NƯỚC", "BỘ NỘI VỤ", "VTLTNN", "Hà Nội",
                      "Cục Văn thư và Lưu trữ nhà nước", None, "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG",
                      ("NVTW", "VP", "NVĐP"), ORDINARY, "central", ""))
    out.append(Agency("CỤC CHUYỂN ĐỔI SỐ QUỐC GIA", "BỘ THÔNG TIN VÀ TRUYỀN THÔNG", "CĐSQG",
                      "Hà Nội", "Cục Chuyển đổi số quốc gia", None, "CỤC TRƯỞNG",
                      "PHÓ CỤC TRƯỞNG", ("CPS", "VP", "DLS"), ORDINARY, "central", ""))
    return out


def pick_agency(rng: random.Random, kind: str | None) -> Agency:
    """Pick a random agency able to issue the given kind of document."""
    prov = rng.choice(PROVINCES)
    pool = _province_agencies(*prov, rng) + _central_agencies(rng)
    if kind is not None:
        pool = [a for a in pool if kind in a.kinds]
    weights = [{"province": 4, "district": 2, "commune": 1, "central": 2}[a.level] for a in pool]
    return rng.choices(pool, weights=weights)[0]


def signer_lines(agency: Agency, rng: random.Random) -> tuple[list[str], str]:
    """Authority prefix lines and the position line of the signer."""
    r = rng.random()
    if agency.collective:
        prefix = [f"TM. {agency.collective}"]
        if agency.abbr == "CP":
            return prefix, "THỦ TƯỚNG"
        if r < 0.55:
            return prefix + [f"KT. {agency.head}"], agency.deputy
        return prefix, agency.head
    if r < 0.45:
        return [f"KT. {agency.head}"], agency.deputy
    if r < 0.6 and agency.level in ("province", "central") and agency.abbr != "TTg":
        return [f"TL. {agency.head}"], "CHÁNH VĂN PHÒNG"
    return [], agency.head
