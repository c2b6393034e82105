"""Page-one header: agency block, `Số:` line, place and date line, type title and summary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from documents.extract.layout import Seg, find_motto, row_of, same_row, union
from documents.extract.numbers import match_type_name
from documents.extract.textutil import SYMBOL, letter_share, prose
from models.text import fold

# `Số:`; also `Số2624` printed without the colon (the number follows at once).
_SO = re.compile(r"^(?:(?:Luật|Lệnh|Pháp lệnh)\s+)?[Ss][ốôoóồổỗơớờỡ6öồọộỐÔÓỒỔỖƠỚỜỠÖỌỘ](?:\s?[:;.,]|(?=\d))")
# `Số` glued to a handwritten number read as letters, then the printed symbol (`Sôz⁄tT /CT-UBND`).
_SO_GLUED = re.compile(r"^[Ss][ốôoóồổỗơớờỡöọộ]\S{0,6}\s*/\s*[A-ZĐ][A-Za-zĐ0-9]*-[A-ZĐ]")
# The place and date line's start: `Quảng Trị, ngày`, `TP. Hồ Chí Minh, ngày`, `ngày 05 tháng`.
_PLACE_DATE = re.compile(r"^(?:[A-Z][A-Z. ]{1,30}, NGAY\b|NGAY\W{0,2}\S{0,6}\W{0,2}THANG)")
# The motto's first words: where a merged header line crosses into the right column.
_MOTTO_START = "CONG HOA XA HOI"
# Documents without a place/date line print the type before the number (`Nghị quyết số: 17/...`).
_TYPE_SO = re.compile(r"^([A-ZĐ][^\W\d_]*(?:\s+[^\W\d_]+){0,3})\s+[Ss]ố\s?[:;.,]")
# Lines of an e-signature box or a gazette running header: never part of the document's header.
_FOREIGN = ("KY BOI", "CO QUAN:", "NGAY KY", "THOI GIAN KY", "NGUOI KY", "EMAIL", "CONG BAO")
# An e-mail address of an e-signature box; a lone `@` is OCR noise (`ngày®@0` for a written day).
_EMAIL = re.compile(r"[\w.()]+@[\w()-]*\.[\w.]+")
# `V/v` (về việc) opening a công văn's summary, as OCR reads it: the slash as `7`, `l`, `I`, `|`,
# `\`, `¿`, or `/v` as one `W` (`VW`, `V¿v'`).
VV = re.compile(r"^[Vv]\s*(?:[/7lI|\\¿]\s*[vVyY]|[Ww])(?!\w)[:.'’`]?\s*")
_DATE_WORDS = ("NGAY", "THANG", "NAM")
# A line ending like this stops mid-phrase: the summary goes on below. (Not `số`, which ends
# `chuyển đổi số`, nor `trên`, which ends `nêu trên`.)
_MID_PHRASE = re.compile(r"(?:[,(-]|\b(?:và|của|về|theo|tại|đối với|các))$"
                         # `... Thông tư số`: a document's number must follow (not `chuyển đổi số`)
                         r"|\b(?:[Tt]hông tư|[Nn]ghị định|[Qq]uyết định|[Nn]ghị quyết|[Ll]uật|[Ll]ệnh"
                         r"|[Cc]hỉ thị|[Cc]ông văn|[Kk]ế hoạch|[Vv]ăn bản|[Tt]hông báo|[Bb]áo cáo"
                         r"|[Tt]ờ trình|[Hh]ướng dẫn|[Qq]uy định|[Qq]uy chế|[Hh]ợp nhất) số$")
# A document's number and symbol alone on a line (`13/2020/TT-BTC`), continuing `... Thông tư số`.
_SYMBOL_LINE = re.compile(rf"^{SYMBOL}[,;.]?$")
# The most lines a summary takes: a gazette text cites long titles (12 lines seen under a
# centred title); a `V/v` summary beside the body is short.
_MAX_LINES = {True: 14, False: 6}
# A list number inside a line (`... cho HS, SV 1. Cô Hương gửi ...`): a routing note typed or
# written beside the summary, which OCR ran into the summary's line.
_NOTE_ITEM = re.compile(r"^\d{1,2}[.)]$")
# A line starting like this is body text, not the summary.
_BODY_START = ("CAN CU", "KINH GUI", "THEO DE NGHI", "XET DE NGHI", "THUC HIEN", "DIEU 1")


@dataclass
class Header:
    """The anchors found on the first page; segments of stamps are left out of all of them."""

    page: int
    width: int
    height: int
    segs: list[Seg]
    motto: Seg | None = None
    split_x: float = 0.0
    number_row: list[Seg] = field(default_factory=list)
    date_row: list[Seg] = field(default_factory=list)
    left_block: list[Seg] = field(default_factory=list)
    title: Seg | None = None
    title_name: str | None = None
    subject_lines: list[Seg] = field(default_factory=list)
    vv: bool = False
    # False when the summary's block looks cut: a line under it at the same spacing and alignment
    # was left out, or its first line starts lower-case (the first half is missing).
    subject_whole: bool = True


def _is_number_seg(s: Seg) -> bool:
    """`Số: 87/QĐ-UBND`, also a bare `Số:` whose number was left blank or written by hand (the
    printed symbol then sits in its own segment after the blank), and `Nghị quyết số: ...`."""
    if _SO.match(s.text) or (len(s.words) <= 3 and _SO_GLUED.match(s.text)):
        return True
    m = _TYPE_SO.match(s.text)
    return m is not None and match_type_name(m.group(1)) is not None


def _has_date_words(s: Seg) -> bool:
    # Count the words also when OCR glues them to a handwritten day (`ngày&Ôtháng`).
    return len(set(re.findall(r"NGAY|THANG|NAM", fold(s.text, upper=True)))) >= 2


# A header date line spells the day and the month in words (`ngày 05 tháng 3`, possibly with the
# day unreadable); a body line citing a date (`ngày 12/12/2011, số ...`) does not.
_DATE_LINE = re.compile(r"NGAY\W{0,2}\S{0,6}\W{0,2}THANG")
# A document cited by its number (`Nghị quyết số 03/2021/UBTVQH15 ngày 24 tháng 9 năm 2021`):
# a summary line, never the place-and-date line, though it has the date's words.
_CITES = re.compile(r"\b[Ss]ố\s+\d|\d/\d{4}/[A-ZĐ]")


def analyse_segments(segs: list[Seg], page_no: int, width: int, height: int,
                     heading: Seg | None = None) -> Header:
    """Locate the header parts among a page's segments. `heading`: a line that heads the right
    side in the motto's place, `segs` being the block under it wherever it stands on the page
    (a consolidated text's `XÁC THỰC VĂN BẢN HỢP NHẤT` block after the body)."""
    segs = [s for s in segs if not s.folded.startswith(_FOREIGN) and not _EMAIL.search(s.text)]
    segs = _unglue(segs)
    h = Header(page_no, width, height, segs)
    motto, _ = find_motto(segs)
    h.motto = motto
    right = heading or motto
    h.split_x = right.left - 10 if right is not None and right.left > width * 0.3 else width * 0.45
    # A page's header is in its upper half; a block given with its heading is all header.
    top_zone = height * 0.5 if heading is None else float(height)
    # The `Số:` line: left of the split, in the upper half, below the motto's top.
    floor = motto.top - 2 * motto.height if motto is not None else 0
    cands = [s for s in segs
             if _is_number_seg(s) and s.left < h.split_x and floor <= s.top < top_zone]
    if cands:
        so = cands[0]
        # Keep only the words from `Số:` on (`Luật số: 51/2024/QH15`).
        at = next((i for i, w in enumerate(so.words) if _SO.match(w.text + " ")
                   or _SO.match(w.text)), 0)
        if at:
            so = Seg(so.page, so.words[at:])
        row = [so if same_row_seg is cands[0] else same_row_seg
               for same_row_seg in row_of(cands[0], segs)]
        h.number_row = [s for s in row if s.left >= so.left and not _has_date_words(s)
                        and s.right < h.split_x + width * 0.08]
        h.date_row = [s for s in row if s.left > so.right and s not in h.number_row]
        _wrapped_symbol(h, segs)
    if not any(_has_date_words(s) for s in h.date_row):
        ref = h.number_row[0] if h.number_row else motto
        # On the right, under the motto: a centred summary line (`ngày 10 tháng 7 năm 2024 của
        # Chính phủ ...`) starts far left of it.
        near = [s for s in segs if _has_date_words(s) and s.top < top_zone
                and _DATE_LINE.search(s.folded) and not _CITES.search(s.text)
                and s.left > h.split_x - width * 0.1
                and (ref is None or abs(s.top - ref.top) < 6 * ref.height)]
        if ref is not None:
            near.sort(key=lambda s: abs(s.top - ref.top))
        h.date_row = row_of(near[0], segs) if near else []
        h.date_row = [s for s in h.date_row if s.cx > width * 0.35]
    _left_block(h)
    _title_and_subject(h)
    return h


def _unglue(segs: list[Seg]) -> list[Seg]:
    """Cut a line where another header part starts inside it, so that the agency's words stay
    apart from the motto (`BỘ GIÁO DỤC VÀ ĐÀO TẠO ˆ CỘNG HÒA ...`: a mark read in the gap between
    the columns joins them into one line) and from the `Số:` line (`SỞ Y TẾ Số: 12/SYT-NV`, the
    number read into the agency's line on a skewed scan)."""
    out: list[Seg] = []
    for s in segs:
        cut = _glue_point(s)
        if not cut:
            out.append(s)
            continue
        head = s.words[:cut]
        while len(head) > 1 and not re.search(r"[A-Z0-9]", fold(head[-1].text, upper=True)):
            head = head[:-1]  # the mark between the columns (`ˆ`, `_`) belongs to neither
        out += [Seg(s.page, head), Seg(s.page, s.words[cut:])]
    out.sort(key=lambda s: (s.top, s.left))
    return out


def _glue_point(s: Seg) -> int:
    """Index of the word where the motto or the `Số:` label starts inside an upper-case agency
    line, or where the place and date start inside the `Số:` line (`số: 19/2025/QĐ-UBND Quảng
    Trị, ngày 2 tháng 11 ...` read as one line), or 0 when the line is one piece."""
    if _SO.match(s.text) and "/" in s.text:
        for i in range(2, len(s.words)):
            rest = fold(" ".join(w.text for w in s.words[i:]), upper=True)
            if _PLACE_DATE.match(rest) and "/" in " ".join(w.text for w in s.words[:i]):
                return i
        return 0
    if "CONG HOA" not in s.folded and not any(w.text[:1] == "S" for w in s.words[1:]):
        return 0
    for i in range(1, len(s.words)):
        head = " ".join(w.text for w in s.words[:i])
        if letter_share(head) < 0.6 or _upper_share(head) < 0.8 or match_type_name(head):
            continue  # not an agency name's words (`NGHỊ QUYẾT Số: 17/...` is one line)
        rest = " ".join(w.text for w in s.words[i:])
        if fold(rest, upper=True).startswith(_MOTTO_START):
            return i
        if s.words[i].text[:1] == "S" and _SO.match(rest) and "/" in rest:
            return i
    return 0


def _wrapped_symbol(h: Header, segs: list[Seg]) -> None:
    """A long joint symbol wraps after a dash (`01/2022/TTLT-VKSNDTC-` / `TANDTC-BCA`): take the
    segment right under the number line, left of the split, as its continuation."""
    if not h.number_row or not h.number_row[-1].text.rstrip().endswith("-"):
        return
    last = h.number_row[-1]
    under = [s for s in segs if 0 <= s.top - last.bottom < 1.2 * last.height
             and s.left < h.split_x and s.right > h.number_row[0].left
             and " " not in s.text.strip() and "-" in s.text]
    if under:
        h.number_row = [*h.number_row, under[0]]


def _upper_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def _left_block(h: Header) -> None:
    """Upper-case lines of the agency block: left of the motto, above the `Số:` line."""
    bottom = h.number_row[0].top if h.number_row else (h.motto.bottom + 6 * h.motto.height
                                                       if h.motto else h.height * 0.2)
    top = h.motto.top - 1.5 * h.motto.height if h.motto else 0
    # Agency names are printed in capitals: a mixed-case line (`Nghị quyết số: 17/...`, a blank
    # `Số:` label) is not part of the block.
    # The `Số:` row is never the agency's (its symbol after a blank may sit a little higher than
    # the label: `/QĐ-UBND`), except an agency line read into it, left of the label (cut from it
    # by `_unglue`).
    on_row = {id(s) for s in h.segs if h.number_row and same_row(s, h.number_row[0])}
    on_row |= {id(s) for s in h.number_row}
    beside = {id(s) for s in h.segs if id(s) in on_row and s.right <= h.number_row[0].left}
    block = [s for s in h.segs if s.right <= h.split_x + h.width * 0.02
             and ((top <= s.top < bottom and id(s) not in on_row) or id(s) in beside)
             and letter_share(s.text) > 0.6 and s.cx < h.width * 0.45
             and _upper_share(s.text) >= 0.8 and not _is_number_seg(s)]
    h.left_block = [s for s in block if "CONG BAO" not in s.folded]


def _title_and_subject(h: Header) -> None:
    """The centred type title and the summary under it, or the `V/v` summary of a công văn."""
    start = max((s.bottom for s in h.number_row + h.date_row), default=0)
    if not start and h.left_block:
        start = max(s.bottom for s in h.left_block)
    centre = h.width / 2
    for s in h.segs:
        if s.top < start or s.top > h.height * 0.55:
            continue
        name = match_type_name(s.text)
        if name and abs(s.cx - centre) < h.width * 0.15:
            h.title, h.title_name = s, name
            break
    if h.title is not None:
        h.subject_lines = _follow(h, h.title, centred=True)
        h.subject_whole = _block_whole(h, h.subject_lines, centred=True)
        return
    for s in h.segs:
        if s.top >= start - 5 and s.left < h.split_x and s.top < h.height * 0.5 \
                and VV.match(s.text):
            h.vv = True
            h.subject_lines = [_before_note(x) for x in [s, *_follow(h, s, centred=False)]]
            h.subject_whole = _block_whole(h, h.subject_lines, centred=False)
            return


def _before_note(s: Seg) -> Seg:
    """A summary line without the routing note OCR ran into it: the words before a list number
    (`1.`, `2)`) that is followed by a capitalised word."""
    for i in range(1, len(s.words) - 1):
        if _NOTE_ITEM.match(s.words[i].text) and s.words[i + 1].text[:1].isupper():
            return Seg(s.page, s.words[:i])
    return s


def _follow(h: Header, first: Seg, *, centred: bool) -> list[Seg]:
    """Lines continuing a summary below `first`: close, aligned, and not body text."""
    out: list[Seg] = []
    prev = first
    centre = h.width / 2
    line_gap: float | None = None
    for s in h.segs:
        if s.top <= prev.top + prev.height * 0.5 or s is first:
            continue
        gap = s.top - prev.bottom
        if gap > 1.3 * max(prev.height, s.height) + 8:
            break
        if line_gap is not None and gap > max(2 * line_gap, line_gap + 0.6 * prev.height):
            # Summary lines are evenly spaced; the body starts after a wider gap (and a rule).
            break
        if letter_share(s.text) < 0.5 and (s.height < 0.7 * prev.height
                                           or max(w.conf for w in s.words) < 50) \
                or sum(c.isalpha() for c in s.text) <= 3 and s.height < 0.6 * prev.height \
                or _overshadowed(s, h.segs):
            continue  # seal or rule fragments between the title and the summary (`ˆ Ẩ`, `k4`)
        if centred and abs(s.cx - centre) > h.width * 0.2:
            continue
        if not centred and (s.left > h.split_x or abs(s.left - first.left) > 6 * first.height):
            continue
        key = s.folded
        # Body paragraphs start with a capital; a lower-case start continues the summary
        # (`Ban hành Chương trình ...` / `thực hiện Chỉ thị số 49-CT/TW ...`).
        opens = s.text[:1].isupper()
        lower_start = s.text[:1].islower()
        if opens and any(key.startswith(b) for b in _BODY_START) and not (
                centred and key.startswith("THUC HIEN") and _is_centred_line(h, s)):
            # `Thực hiện ...` opens body paragraphs, but also summaries of plans and guides
            # (`KẾ HOẠCH` / `Thực hiện cải cách hành chính ...`): a centred line is the summary.
            break
        cited = prev.text.rstrip().endswith("số") and _SYMBOL_LINE.match(s.text.strip())
        if letter_share(prose(s.text)) < 0.5 and not lower_start and not cited:
            # Dates and numbers lower the letter share of a summary line that continues a
            # citation (`ngày 12/12/2011, số 27/2017/NQ-HĐND ...`); junk and tables stop it.
            break
        if centred and s.text.isupper() and len(out) >= 1 and not out[-1].text.isupper() \
                and not cited:
            break
        if len(out) == (1 if centred else 0):
            # Spacing between two lines of the summary itself (not title-to-summary).
            line_gap = max(0.0, float(gap))
        out.append(s)
        prev = s
        if len(out) >= _MAX_LINES[centred]:
            break
    return out


def _overshadowed(s: Seg, segs: list[Seg]) -> bool:
    """A fragment on the row of a taller line read far more surely (`Ả _- vs .A z` and `L- Á`
    beside a summary's first line, from a seal): noise, not a line of its own."""
    conf = sum(w.conf for w in s.words) / len(s.words)
    return any(x is not s and same_row(x, s) and x.height > s.height
               and sum(w.conf for w in x.words) / len(x.words) > conf + 30 for x in segs)


def _aligned(h: Header, s: Seg, first: Seg, centred: bool) -> bool:
    """The alignment `_follow` asks of a summary line: centred on the page, or under `V/v`."""
    if centred:
        return abs(s.cx - h.width / 2) <= h.width * 0.2
    return s.left <= h.split_x and abs(s.left - first.left) <= 6 * first.height


def _block_whole(h: Header, lines: list[Seg], *, centred: bool) -> bool:
    """Whether the summary block taken is complete. It is not when its first line under a title
    starts lower-case (`thực hiện ...`: the first half was missed), or when the nearest line
    below the last one taken has the same alignment and sits at the block's own line spacing
    and could continue it (letters, not a body opening like `Căn cứ`/`Kính gửi`, not a capitals
    line after a mixed-case one): a continuation left out, as after the four-line limit. A
    rule or short mark, a wider gap, or the body's first paragraph ends the block."""
    if not lines:
        return True
    if centred and lines[0].text[:1].islower():
        return False
    last, first = lines[-1], lines[0]
    if _MID_PHRASE.search(last.text):
        return False  # the last line stops mid-phrase (`..., bổ sung bởi Luật số 44/2024/QH15,`)
    below = [s for s in h.segs if s.top > last.top + last.height * 0.5
             and s.top - last.bottom <= 2 * max(last.height, s.height)
             and _aligned(h, s, first, centred)]
    if not below:
        return True
    nxt = min(below, key=lambda s: s.top)
    if letter_share(nxt.text) < 0.25:
        # A rule, a seal fragment, a table: the block ended. (A citation line such as `Luật số
        # 61/2024/QH15, 95/2025/QH15` has fewer letters than `_follow` takes, yet continues it.)
        return True
    if nxt.height < 0.7 * last.height:
        return True  # a short mark under the block
    key = nxt.folded
    if nxt.text[:1].isupper() and any(key.startswith(b) for b in _BODY_START):
        return True
    if centred and nxt.text.isupper() and not last.text.isupper() and \
            not _SYMBOL_LINE.match(nxt.text.strip()):
        return True  # a capitals heading after the summary (a symbol line is no heading)
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False)]
    gap = nxt.top - last.bottom
    if gaps:
        spacing = sorted(gaps)[len(gaps) // 2]
        return gap > spacing + 0.4 * last.height
    # A one-line block has no spacing of its own to compare: a line closer than its height.
    return gap > last.height


def _is_centred_line(h: Header, s: Seg) -> bool:
    """True when a line sits centred in the text column with clear margins on both sides, as
    summaries do; body lines are justified to the column (or indented on the left only)."""
    wide = [x for x in h.segs if x.right - x.left > h.width * 0.5]
    if len(wide) < 2:
        return False
    col_left = min(x.left for x in wide)
    col_right = max(x.right for x in wide)
    gap_l, gap_r = s.left - col_left, col_right - s.right
    return min(gap_l, gap_r) > 2 * s.height and abs(gap_l - gap_r) < 2 * s.height


def bbox_of(segs: list[Seg]) -> tuple[int, int, int, int] | None:
    """Union box of segments, None for none."""
    return union(s.bbox for s in segs) if segs else None
