"""Vocabulary of Vietnamese administrative phrases used to build plausible documents."""

from __future__ import annotations

import datetime as dt
import random

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Tạ")
MIDDLES = ("Văn", "Thị", "Minh", "Thanh", "Quốc", "Hữu", "Đức", "Ngọc", "Xuân", "Thị Thu",
           "Hoàng", "Công", "Trọng", "Thị Mỹ", "Anh", "Việt", "Đình", "Phước")
GIVENS = ("Hùng", "Dũng", "Lan", "Hương", "Tuấn", "Thắng", "Phương", "Nguyệt", "Khánh",
          "Cường", "Hải", "Quỳnh", "Trường", "Thuận", "Đạt", "Nghĩa", "Hòa", "Phúc", "Lộc",
          "Tâm", "Thủy", "Hiếu", "Dưỡng", "Vượng", "Khoa", "Toàn", "Nhung", "Điệp", "Tường")

TOPICS = (
    "công tác văn thư, lưu trữ", "chuyển đổi số", "cải cách hành chính",
    "gửi, nhận văn bản điện tử", "số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "phòng, chống thiên tai và tìm kiếm cứu nạn", "giải ngân vốn đầu tư công",
    "xây dựng nông thôn mới", "phòng cháy, chữa cháy", "bảo đảm an toàn thông tin mạng",
    "tuyển dụng công chức", "đào tạo, bồi dưỡng cán bộ, công chức, viên chức",
    "quản lý tài liệu lưu trữ điện tử", "thực hành tiết kiệm, chống lãng phí",
    "phòng, chống tham nhũng, tiêu cực", "bảo vệ môi trường", "quản lý đất đai",
    "phát triển du lịch", "bảo đảm trật tự, an toàn giao thông", "phòng, chống dịch bệnh",
    "giảm nghèo bền vững", "sắp xếp đơn vị hành chính cấp xã", "kiểm soát thủ tục hành chính",
    "ứng dụng chữ ký số chuyên dùng Chính phủ", "quản lý, sử dụng tài sản công",
)
TASKS = (
    "rà soát, thống kê số lượng văn bản đến chưa được số hóa",
    "triển khai việc gửi, nhận văn bản điện tử trên Hệ thống quản lý văn bản và điều hành",
    "cập nhật đầy đủ, kịp thời thông tin trên Cổng dịch vụ công của tỉnh",
    "tổ chức tập huấn, bồi dưỡng nghiệp vụ cho cán bộ, công chức, viên chức",
    "kiểm tra, đánh giá mức độ hoàn thành nhiệm vụ được giao",
    "xây dựng kế hoạch chi tiết, bố trí đủ nguồn lực để triển khai thực hiện",
    "đẩy mạnh ứng dụng chữ ký số trong hoạt động của cơ quan, đơn vị",
    "thực hiện nghiêm chế độ thông tin, báo cáo định kỳ theo quy định",
    "tăng cường công tác tuyên truyền, phổ biến, giáo dục pháp luật",
    "đẩy nhanh tiến độ giải ngân vốn đầu tư công được giao",
    "bảo đảm an toàn, an ninh thông tin trong các hệ thống thông tin",
    "giải quyết dứt điểm các hồ sơ thủ tục hành chính quá hạn",
    "quản lý chặt chẽ đất đai, tài nguyên, khoáng sản trên địa bàn",
    "chủ động xây dựng phương án ứng phó, không để bị động, bất ngờ",
    "công khai, minh bạch thông tin về tiến độ giải quyết hồ sơ",
    "chấn chỉnh kỷ luật, kỷ cương hành chính trong thực thi công vụ",
    "lập danh mục hồ sơ và thực hiện nộp lưu hồ sơ, tài liệu vào lưu trữ cơ quan",
    "kiện toàn bộ phận tiếp nhận và trả kết quả giải quyết thủ tục hành chính",
    "phối hợp chặt chẽ trong việc thu thập, chia sẻ dữ liệu dùng chung",
)
UNITS = (
    "Sở Nội vụ", "Sở Tài chính", "Sở Thông tin và Truyền thông", "Sở Kế hoạch và Đầu tư",
    "Văn phòng Ủy ban nhân dân tỉnh", "Sở Tư pháp", "Sở Tài nguyên và Môi trường", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Công an tỉnh", "Sở Xây dựng", "Ban Quản lý dự án",
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "Phòng Tài chính - Kế hoạch",
)
SUPERIORS = ("Ủy ban nhân dân tỉnh", "Bộ Nội vụ", "Văn phòng Chính phủ", "Thủ tướng Chính phủ",
             "Bộ Thông tin và Truyền thông", "Chủ tịch Ủy ban nhân dân tỉnh", "Bộ Tài chính")
# (reference, issue date as printed) of real legal documents
LEGAL_BASES = (
    ("Luật Tổ chức chính quyền địa phương", "ngày 19 tháng 6 năm 2015"),
    ("Luật Ban hành văn bản quy phạm pháp luật", "ngày 22 tháng 6 năm 2015"),
    ("Luật Giao dịch điện tử", "ngày 22 tháng 6 năm 2023"),
    ("Luật Lưu trữ", "ngày 11 tháng 11 năm 2011"),
    ("Luật Ngân sách nhà nước", "ngày 25 tháng 6 năm 2015"),
    ("Luật Cán bộ, công chức", "ngày 13 tháng 11 năm 2008"),
    ("Nghị định số 30/2020/NĐ-CP", "ngày 05/3/2020 của Chính phủ về công tác văn thư"),
    ("Nghị định số 45/2020/NĐ-CP", "ngày 08/4/2020 của Chính phủ về thực hiện thủ tục hành "
     "chính trên môi trường điện tử"),
    ("Nghị định số 47/2020/NĐ-CP", "ngày 09/4/2020 của Chính phủ về quản lý, kết nối và chia "
     "sẻ dữ liệu số của cơ quan nhà nước"),
    ("Nghị định số 42/2022/NĐ-CP", "ngày 24/6/2022 của Chính phủ quy định về việc cung cấp "
     "thông tin và dịch vụ công trực tuyến"),
    ("Quyết định số 28/2018/QĐ-TTg", "ngày 12/7/2018 của Thủ tướng Chính phủ về việc gửi, "
     "nhận văn bản điện tử giữa các cơ quan trong hệ thống hành chính nhà nước"),
    ("Quyết định số 749/QĐ-TTg", "ngày 03/6/2020 của Thủ tướng Chính phủ phê duyệt Chương "
     "trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030"),
    ("Thông tư số 01/2019/TT-BNV", "ngày 24/01/2019 của Bộ trưởng Bộ Nội vụ quy định quy trình "
     "trao đổi, lưu trữ, xử lý tài liệu điện tử"),
)
OPENINGS = (
    "Thực hiện {ref} về việc {topic}, {me} có ý kiến như sau:",
    "Phúc đáp {ref} về việc {topic}, {me} trả lời như sau:",
    "Căn cứ {ref} về việc {topic}; để triển khai thực hiện có hiệu quả, {me} đề nghị các "
    "cơ quan, đơn vị thực hiện một số nội dung sau:",
    "Trong thời gian qua, công tác {topic} trên địa bàn đã đạt được những kết quả nhất định; "
    "tuy nhiên, việc triển khai tại một số cơ quan, đơn vị còn chậm, chưa đáp ứng yêu cầu. "
    "Để khắc phục tình trạng trên, {me} yêu cầu:",
)
ITEM_TEMPLATES = (
    "Giao {unit} chủ trì, phối hợp với {unit2} và các cơ quan, đơn vị có liên quan {task}; "
    "hoàn thành trước ngày {date}.",
    "Đề nghị {unit} {task}; tổng hợp, báo cáo kết quả thực hiện về {unit2} trước ngày {date} "
    "để tổng hợp, báo cáo {superior}.",
    "{unit} theo dõi, đôn đốc việc triển khai thực hiện; kịp thời báo cáo, đề xuất {superior} "
    "xem xét, giải quyết những khó khăn, vướng mắc phát sinh (nếu có).",
    "Các cơ quan, đơn vị {task}, bảo đảm đúng quy định tại {doc}; thời gian thực hiện xong "
    "trong tháng {month} năm {year}.",
    "Yêu cầu Thủ trưởng các cơ quan, đơn vị chịu trách nhiệm trước {superior} về kết quả "
    "thực hiện nhiệm vụ {topic} của cơ quan, đơn vị mình; không để xảy ra tình trạng chậm "
    "trễ, đùn đẩy trách nhiệm.",
    "Năm {year}, toàn {scope} đã tiếp nhận {n1} văn bản đến, trong đó có {n2} văn bản điện tử, "
    "chiếm tỷ lệ {pct}%; số hồ sơ thủ tục hành chính được giải quyết đúng hạn đạt {pct2}%.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước theo phân cấp hiện hành và "
    "các nguồn huy động hợp pháp khác; tổng kinh phí dự kiến là {money} đồng.",
    "Tổ chức sơ kết, đánh giá kết quả {topic} vào ngày {date}; trên cơ sở đó đề xuất giải pháp "
    "nâng cao chất lượng, hiệu quả trong thời gian tới.",
    "Tập trung chỉ đạo quyết liệt, đồng bộ các nhiệm vụ, giải pháp về {topic}; gắn trách nhiệm "
    "người đứng đầu với kết quả thực hiện; định kỳ hằng quý báo cáo {superior}.",
    "Tiếp tục rà soát, đơn giản hóa thủ tục hành chính, cắt giảm thời gian, chi phí tuân thủ cho "
    "người dân, doanh nghiệp; phấn đấu đến hết năm {year} có ít nhất {pct}% hồ sơ được tiếp "
    "nhận, giải quyết trực tuyến toàn trình.",
    "Về {topic}: thống nhất với đề xuất của {unit}; căn cứ {ref}, giao {unit2} hướng dẫn các cơ "
    "quan, đơn vị triển khai, bảo đảm tiết kiệm, hiệu quả, đúng quy định.",
    "Qua kiểm tra cho thấy một số cơ quan, đơn vị chưa thực hiện nghiêm việc {task}; chất lượng "
    "tham mưu còn hạn chế, thời gian xử lý hồ sơ còn kéo dài so với quy định.",
)
CLOSINGS = (
    "{me} đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị các cơ quan, đơn vị phản "
    "ánh về {unit} để được hướng dẫn, giải quyết./.",
    "Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.",
)
RECIPIENTS = (
    "Bộ Nội vụ (để b/c)", "Văn phòng Chính phủ", "TT Tỉnh ủy, TT HĐND tỉnh (b/c)",
    "CT, các PCT UBND tỉnh", "Các sở, ban, ngành tỉnh", "UBND các huyện, thị xã, thành phố",
    "Sở Tài chính", "Sở Thông tin và Truyền thông", "Kho bạc Nhà nước tỉnh", "Công an tỉnh",
    "Báo, Đài Phát thanh - Truyền hình tỉnh", "Cổng thông tin điện tử tỉnh",
    "VPUB: CVP, PCVP, CBTH", "Trung tâm Phục vụ hành chính công", "Các phòng, ban chuyên môn",
    "UBND các xã, thị trấn", "Ban Giám đốc Sở",
)
KINH_GUI = (
    "Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Sở Thông tin và Truyền thông", "Sở Nội vụ", "Sở Tài chính", "Ủy ban nhân dân tỉnh",
    "Các cơ quan, đơn vị trực thuộc", "Ủy ban nhân dân các xã, thị trấn",
    "Bộ Nội vụ", "Văn phòng Chính phủ", "Kho bạc Nhà nước tỉnh", "Các phòng, ban chuyên môn",
)
EVENTS = ("Hội nghị tổng kết công tác năm {year}", "Hội nghị tập huấn nghiệp vụ văn thư, lưu "
          "trữ", "cuộc họp trực tuyến về {topic}", "Lễ phát động phong trào thi đua năm {year}")


def person(rng: random.Random) -> str:
    """A plausible Vietnamese full name."""
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}"


def short_date(d: dt.date) -> str:
    """Date as written in running text: 30/6/2023, 05/3/2020."""
    return f"{d.day:02d}/{d.month}/{d.year}" if d.day < 10 else f"{d.day}/{d.month}/{d.year}"


def vn_number(n: int) -> str:
    """Integer with Vietnamese thousands separators (1.234.567)."""
    return f"{n:,}".replace(",", ".")


def reference(rng: random.Random, before: dt.date, issuer: tuple[str, str]) -> str:
    """A reference to another (synthetic) document issued before a date."""
    d = before - dt.timedelta(days=rng.randint(5, 400))
    kind, sym = rng.choice([("Công văn", "{org}-{u}"), ("Kế hoạch", "KH-{org}"),
                            ("Quyết định", "QĐ-{org}"), ("Chỉ thị", "CT-{org}")])
    symbol = sym.format(org=issuer[1], u=rng.choice(("VP", "CĐS", "KTTH", "VX", "NC")))
    return f"{kind} số {rng.randint(11, 4999)}/{symbol} ngày {short_date(d)} của {issuer[0]}"


def fill(template: str, rng: random.Random, issued: dt.date, me: str) -> str:
    """Fill a phrase template with random but consistent values."""
    later = issued + dt.timedelta(days=rng.randint(10, 120))
    base, bdate = rng.choice(LEGAL_BASES)
    n1 = rng.randint(800, 25000)
    return template.format(
        me=me, unit=rng.choice(UNITS), unit2=rng.choice(UNITS), task=rng.choice(TASKS),
        topic=rng.choice(TOPICS), superior=rng.choice(SUPERIORS), date=short_date(later),
        doc=f"{base} {bdate}", month=later.month,
        year=issued.year - (1 if rng.random() < 0.5 else 0),
        scope=rng.choice(("tỉnh", "huyện", "ngành")), n1=vn_number(n1),
        n2=vn_number(n1 * rng.randint(55, 97) // 100),
        pct=f"{rng.randint(55, 97)},{rng.randint(1, 9)}",
        pct2=f"{rng.randint(90, 99)},{rng.randint(1, 9)}",
        money=vn_number(rng.randint(120, 9800) * 1_000_000),
        ref=reference(rng, issued, rng.choice((("Bộ Nội vụ", "BNV"),
                                               ("Bộ Thông tin và Truyền thông", "BTTTT"),
                                               ("Ủy ban nhân dân tỉnh", "UBND"),
                                               ("Văn phòng Chính phủ", "VPCP")))),
    )
