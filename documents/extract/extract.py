"""extract_metadata: the registry fields of a document from its pages' words, each with evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from documents.extract.dates import DateRead, read_date_line, valid_date
from documents.extract.fields import CONFIDENT, Found, missing, ocr_conf
from documents.extract.gazetteer import Gazetteer, default_gazetteer
from documents.extract.handread import apply_date, apply_number, second_readings
from documents.extract.header import Header, analyse_segments, bbox_of
from documents.extract.issuer import agency_from_symbol, read_name, repair_symbol, split_block
from documents.extract.known_signers import apply_known_signers
from documents.extract.layout import Seg, find_motto, page_height, page_width, segments, union
from documents.extract.names import NameRead, correct_name
from documents.extract.numbers import (
    ABBR_TYPE,
    TYPE_ABBR,
    consistent_with_type,
    parse_number,
    repair_type_group,
    type_from_abbreviation,
)
from documents.extract.signed_on import dated_by
from documents.extract.signer import (
    MAX_NAME,
    MAX_POSITION,
    deputy_position,
    find_lone_name,
    find_recipients,
    find_signer,
    is_deputy,
    last_prefix,
    normalise_competence,
    other_signers,
    recipients_head_read,
)
from documents.extract.stamps import (
    SECRECY,
    URGENCY,
    black_arrival_hint,
    black_mark_hint,
    colour_regions,
    find_arrival_stamp,
    find_mark,
)
from documents.extract.subject import read_subject
from documents.extract.textutil import squash, strip_edges, syllable_share
from models.result import PageResult
from models.text import fold

# A type whose title and whose symbol's type group, each read on its own, agree.
TYPE_AGREED = 0.93
KEYS = ("number", "code_number", "code_notation", "issued_date", "place", "organ_name",
        "parent_organ", "type_name", "subject", "signer", "to_places", "secrecy", "urgency",
        "arrival_stamp")


@dataclass
class Extraction:
    """Metadata (exactly the registry keys) and per-key evidence for the review screen."""

    metadata: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)


def _first_page(pages: list[PageResult], segs: list[list[Seg]]) -> int:
    """The page with the national motto (the document's first page), else the first with words."""
    for i, ss in enumerate(segs):
        if find_motto(ss)[0] is not None:
            return i
    return next((i for i, p in enumerate(pages) if p.words), 0)


def extract_metadata(pages: list[PageResult], *, today: date | None = None,
                     gazetteer: Gazetteer | None = None, second_reading: bool = True) -> Extraction:
    """Read the metadata of one document from its pages' OCR words (all pages, in order).

    `second_reading` False ignores the digit recogniser's readings of handwritten numbers and
    days (`documents.extract.handread`): the benchmark's "before"."""
    gaz = gazetteer or default_gazetteer()
    today = today or date.today()
    found: dict[str, Found] = {k: missing() for k in KEYS}
    segs = [segments(p, p.index) for p in pages]
    if not any(segs):
        return _finish(found)
    first = _first_page(pages, segs)
    page = pages[first]
    width, height = page_width(page), page_height(page)
    stamp = find_arrival_stamp(segs[first], today)
    stamp_ids = {id(s) for s in stamp.segs} if stamp else set()
    header = analyse_segments([s for s in segs[first] if id(s) not in stamp_ids], page.index,
                              width, height)
    _issuer(header, gaz, found)
    if header.motto is None:
        # Without the motto the column split and the top of the agency block are guesses (a
        # fax or a stamp merged the lines): the names read from the block need a look.
        for key in ("organ_name", "parent_organ"):
            found[key].confidence = min(found[key].confidence, 0.85)
    _type_and_number(header, found, gaz)
    # No later than the day the page's signatures were made (a `08` read for a handwritten 02).
    latest = min(today, dated_by(segs[first], height) or today)
    first_date = _date(header, latest, gaz, found)
    if not header.number_row:
        _consolidated(pages, segs, first, latest, gaz, found)
    if not header.date_row and found["issued_date"].value is None:
        _adoption_date(pages, latest, found)
    decision = _type_named_by_symbol(header, found)
    found["subject"] = read_subject(header, keep_vv=bool(decision),
                                    exact=page.source == "text_layer")
    if decision is not None:
        found["subject"].confidence = min(found["subject"].confidence, 0.6)
    _stamps(header, stamp, found, page, today)
    if second_reading:
        _second_reading(page, first_date, latest, found)
    # The signer block is below the header on the first page, anywhere on later pages.
    below = max((s.bottom for s in header.subject_lines + [header.title] if s is not None),
                default=int(height * 0.3))
    segs[first] = [s for s in segs[first] if s.top > below]
    _signer(pages, segs, first, gaz, found)
    _no_recipients_list(pages, found)
    apply_known_signers(found, gaz.signers_of(found["organ_name"].value))
    return _finish(found)


def _no_recipients_list(pages: list[PageResult], found: dict[str, Found]) -> None:
    """A born-digital document whose own text (every page kept with its text layer) never says
    `Nơi nhận` has no recipients list (the Official Gazette's version of a text leaves it out):
    "none" is then as sure as the text. A scan's missing list may be a list not read."""
    if found["to_places"].value is not None or \
            not all(p.source == "text_layer" for p in pages) or \
            any("NOI NHAN" in fold(p.text, upper=True) for p in pages):
        return
    found["to_places"] = Found(None, 0.95, pages[0].index, None)


# The consolidated text's authentication block: `XÁC THỰC` (Pháp lệnh hợp nhất), or `XÁC NHẬN`
# on some ministries' texts.
_AUTHENTICATION = re.compile(r"XAC (?:THUC|NHAN) VAN BAN HOP NHAT")


def _consolidated(pages: list[PageResult], segs: list[list[Seg]], first: int, today: date,
                  gaz: Gazetteer, found: dict[str, Found]) -> None:
    """A consolidated text (văn bản hợp nhất) prints only the motto and the title on page one;
    its issuer, number and date stand in the `XÁC THỰC VĂN BẢN HỢP NHẤT` block after the body,
    laid out like a header (agency and `Số:` on the left, date on the right), anywhere on its
    page."""
    for j in range(len(pages) - 1, first, -1):
        anchor = next((s for s in segs[j] if _AUTHENTICATION.search(s.folded)), None)
        if anchor is None:
            continue
        below = [s for s in segs[j] if s.top >= anchor.top - anchor.height]
        # The block's title heads its right side as the motto does a header's, low on its
        # page or not.
        vh = analyse_segments(below, pages[j].index, page_width(pages[j]),
                              page_height(pages[j]), heading=anchor)
        # The type is the title on page one; the symbol's `VBHN` is not a type abbreviation.
        vh.title, vh.title_name, vh.vv = None, None, False
        _issuer(vh, gaz, found)
        _type_and_number(vh, found, gaz)
        _date(vh, today, gaz, found)
        return
    _gazette_heading_issuer(segs[first], gaz, found)


# The Official Gazette's heading over a consolidated text: `VĂN BẢN HỢP NHẤT - <agency>`.
_GAZETTE_VBHN = re.compile(r"^VAN BAN HOP NHAT\b")


def _gazette_heading_issuer(segs: list[Seg], gaz: Gazetteer, found: dict[str, Found]) -> None:
    """No authentication block (the file ends before it): the gazette's heading above the motto
    names the agency that consolidated the text (`VĂN BẢN HỢP NHẤT -` / `BỘ LAO ĐỘNG - THƯƠNG
    BINH VÀ XÃ HỘI`), for review."""
    motto, _ = find_motto(segs)
    head = next((s for s in segs if _GAZETTE_VBHN.match(s.folded)
                 and (motto is None or s.bottom <= motto.top)), None)
    if head is None or found["organ_name"].value is not None:
        return
    rest = list(head.words)
    for word in ("VAN", "BAN", "HOP", "NHAT"):
        if rest and fold(rest[0].text, upper=True).rstrip("-–") == word:
            rest.pop(0)
    while rest and not rest[0].text.strip("-–"):
        rest.pop(0)  # the dash
    lines = [Seg(head.page, rest)] if rest else []
    lines += [s for s in segs if s.top > head.top and s.text.isupper()
              and (motto is None or s.bottom <= motto.top)
              and s.top - head.bottom < 3 * head.height]
    organ = read_name(lines, "organ", gaz)
    if organ is not None:
        conf = min(organ.confidence, 0.8)
        found["organ_name"] = Found(organ.value, conf, head.page, bbox_of(organ.segs))
        found["parent_organ"] = Found(None, conf, head.page, None)


_ADOPTED = re.compile(r"thông qua ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")


def _adoption_date(pages: list[PageResult], today: date, found: dict[str, Found]) -> None:
    """Laws and resolutions of the National Assembly have no place/date line: their date is the
    day of adoption in the closing sentence (`... đã được Quốc hội ... thông qua ngày 27 tháng 11
    năm 2024`). Read from the last page that says so, for the clerk to confirm."""
    for p in reversed(pages):
        hits = list(_ADOPTED.finditer(squash(" ".join(w.text for w in p.words))))
        if not hits:
            continue
        d, m, y = (int(g) for g in hits[-1].groups())
        iso, _ = valid_date(y, m, d, today)
        if iso:
            found["issued_date"] = Found(iso, 0.8, p.index, None)
        return


def _finish(found: dict[str, Found]) -> Extraction:
    ex = Extraction()
    for k in KEYS:
        f = found[k]
        ex.metadata[k] = f.value
        ex.fields[k] = f.as_dict()
    return ex


def _issuer(h: Header, gaz: Gazetteer, found: dict[str, Found]) -> None:
    parent_segs, organ_segs = split_block(h.left_block, gaz)
    organ = read_name(organ_segs, "organ", gaz)
    if organ is not None:
        found["organ_name"] = Found(organ.value, organ.confidence, h.page, bbox_of(organ.segs))
    else:
        found["organ_name"] = missing()
    parent = read_name(parent_segs, "parent", gaz)
    if parent is not None:
        found["parent_organ"] = Found(parent.value, parent.confidence, h.page, bbox_of(parent.segs))
    elif organ is not None:
        # No line above the agency: "no parent" is as sure as the block it was read from.
        found["parent_organ"] = Found(None, min(organ.confidence, 0.95), h.page, None)


def _type_named_by_symbol(h: Header, found: dict[str, Found]) -> bool | None:
    """No title read but a `V/v` summary, and a symbol starting with a type's abbreviation
    (`QĐ-HV`, also as `QD-HV`): the title may have been lost (a stamp or a frame over it), or
    the issuer's group looks like a type (`CT-CS`, the tax department, not CHỈ THỊ). Both need
    a look: the type is doubted here, the summary by the caller. When the summary is centred on
    the page, as under a title, not under the number as a công văn's is, the type is the
    symbol's and True is returned: the summary keeps its `V/v`, which belongs to it in a
    decision. False: only doubted; None: not such a document."""
    notation = found["code_notation"].value
    if h.title is not None or not h.vv or not isinstance(notation, str):
        return None
    first = re.split(r"[-/]", notation.split("/")[-1])[0]
    named = {t for a, t in ABBR_TYPE.items() if fold(a, upper=True) == fold(first, upper=True)}
    if not named:
        return None
    found["type_name"].confidence = min(found["type_name"].confidence, 0.5)
    vv = h.subject_lines[0]
    if abs(vv.cx - h.width / 2) > h.width * 0.08:
        return False
    # `HD` may be `HĐ` (HỢP ĐỒNG) read without its stroke: a type only when one fits.
    name = ABBR_TYPE.get(first) or (named.pop() if len(named) == 1 else None)
    if name is not None:
        found["type_name"] = Found(name, 0.5, h.page, found["type_name"].bbox)
    return True


def _type_and_number(h: Header, found: dict[str, Found], gaz: Gazetteer) -> None:
    words = [w for s in h.number_row for w in s.words]
    parsed = parse_number(" ".join(w.text for w in words)) if words else None
    type_name = h.title_name or ("CÔNG VĂN" if h.vv else None)
    if h.title is not None:
        found["type_name"] = Found(type_name, ocr_conf([w.conf for w in h.title.words]) + 0.1,
                                   h.page, h.title.bbox)
    elif h.vv:
        found["type_name"] = Found(type_name, 0.93, h.page, bbox_of(h.subject_lines[:1]))
    box = bbox_of(h.number_row)
    if parsed is None:
        notation = _notation_only(" ".join(w.text for w in words))
        fixed = repair_type_group(notation, type_name) if notation else None
        notation = fixed or notation
        if notation:
            fixed = repair_symbol(notation, found["organ_name"].value,
                                  found["parent_organ"].value, gaz) or fixed
            notation = fixed or notation
        found["number"] = missing(0.0) if not words else Found(None, 0.1, h.page, box)
        found["code_number"] = Found(None, 0.1, h.page, box) if words else missing()
        if notation:
            sym = [w.conf for w in words if "/" in w.text or "-" in w.text]
            found["code_notation"] = Found(notation, ocr_conf(sym) * (0.85 if fixed else 0.97),
                                           h.page, box, repaired=bool(fixed))
        _agency_from_symbol(h, found, gaz)
        return
    digit_confs = [w.conf for w in words if any(c.isdigit() for c in w.text.split("/")[0])]
    sym_confs = [w.conf for w in words if "-" in w.text or re.search(r"[A-Za-zĐ]{2}", w.text)]
    repaired = repair_type_group(parsed.code_notation, type_name)
    type_group_as_read = repaired is None
    if repaired is not None:
        # The title names the type; the symbol's type group was only garbled by OCR.
        parsed = replace(parsed, code_notation=repaired,
                         number=f"{parsed.code_number}/{repaired}", problems=parsed.problems)
    fixed_groups = repair_symbol(parsed.code_notation, found["organ_name"].value,
                                 found["parent_organ"].value, gaz)
    if fixed_groups is not None:
        # `BGDDT` for `BGDĐT`, `CĐĐSQG` for the issuer's `CĐSQG`: OCR garbled the issuer's group.
        parsed = replace(parsed, code_notation=fixed_groups,
                         number=f"{parsed.code_number}/{fixed_groups}")
        repaired = repaired or fixed_groups
    agree = consistent_with_type(parsed.code_notation, type_name)
    sym_conf = ocr_conf(sym_confs or [0.0])
    if sym_confs and min(sym_confs) >= 75:
        # Symbols mix cases and dashes, which lowers Tesseract's score; grammar checks follow.
        sym_conf = max(sym_conf, 0.55 + min(sym_confs) / 200)
    if agree is False:
        sym_conf = min(sym_conf, 0.5)
        if h.title is not None and type_from_abbreviation(parsed.code_notation):
            found["type_name"].confidence = min(found["type_name"].confidence, 0.5)
    elif agree is True:
        sym_conf = min(1.0, sym_conf + 0.05)
        if type_group_as_read and h.title is not None and type_name in TYPE_ABBR and \
                sym_confs and min(sym_confs) >= 75:
            # The symbol's type group, read as printed (`QĐ`, not repaired from the title),
            # names the title's type: two readings of the type agree, however faint the title.
            found["type_name"].confidence = max(found["type_name"].confidence, TYPE_AGREED)
    if parsed.problems:
        sym_conf = min(sym_conf, 0.5)
    if repaired is not None:
        sym_conf = min(sym_conf, 0.85)
    # Handwritten digits come out with middling confidence: demand a lot before trusting them.
    num_conf = ocr_conf(digit_confs) if digit_confs else 0.0
    fused = [w for w in words if re.match(r"^\d+/\S*[A-ZĐ]", w.text)]
    if fused:
        # Printed digits glued to the printed symbol (`12/QĐ-UBND`): Tesseract scores such mixed
        # words lower even when right; ink written into a blank leaves a gap before the slash.
        num_conf = min(1.0, 0.55 + fused[0].conf / 200)
    else:
        num_conf -= 0.06 if num_conf < 0.95 else 0.0
    num_conf = min(num_conf, sym_conf + 0.05)
    found["code_notation"] = Found(parsed.code_notation, sym_conf, h.page, box,
                                   repaired=repaired is not None)
    found["code_number"] = Found(parsed.code_number, num_conf, h.page, box)
    found["number"] = Found(parsed.number, min(num_conf, sym_conf), h.page, box)
    _agency_from_symbol(h, found, gaz)


def _agency_from_symbol(h: Header, found: dict[str, Found], gaz: Gazetteer) -> None:
    """No agency read in the header (its lines lost), but the symbol names one: for review."""
    named = agency_from_symbol(found["code_notation"].value or "", gaz)
    if found["organ_name"].value is None and named is not None:
        found["organ_name"] = Found(named, 0.6, h.page, bbox_of(h.number_row))


def _lone_signer(page: int, seg: Seg, name: NameRead, gaz: Gazetteer,
                 found: dict[str, Found]) -> None:
    """Only the name of the signer block was read (the seal and the signature hid the lines
    above it): report the name for review, and no competence or position."""
    value, conf = correct_name(name.value, name.confs, gaz)
    parts = {"competence": missing(), "position": missing(),
             "full_name": Found(value, min(conf, 0.75), page, seg.bbox)}
    found["signer"] = Found({k: p.value for k, p in parts.items()}, 0.0, page, seg.bbox,
                            parts=parts)


def _notation_only(text: str) -> str | None:
    """The symbol of a number whose digits are unreadable (`Số: ð† /QĐ-UBND` -> `QĐ-UBND`)."""
    m = re.search(r"/\s*[(\[]?((?:(?:19|20)\d\d/)?[A-ZĐ][A-Za-zĐđ0-9&]*(?:-[A-Za-zĐđ0-9&]+){1,4})\s*$",
                  text.replace("Ð", "Đ").replace(" ", ""))
    if not m:
        return None
    parsed = parse_number("1/" + m.group(1))
    return parsed.code_notation if parsed and not parsed.problems else None


def _second_reading(page: PageResult, first_date: DateRead | None, today: date,
                    found: dict[str, Found]) -> None:
    """Handwritten number and day from the digit recogniser (page stage), where the first
    reading was missing or needs review."""
    again = second_readings(page)
    if "hand_number" in again and found["number"].needs_review:
        apply_number(again["hand_number"], found, found["type_name"].value,
                     again.get("hand_number_blank"))
    if "hand_date" in again and found["issued_date"].needs_review:
        parts = first_date.parts if first_date is not None else (None, None, None)
        apply_date(again["hand_date"], found, parts, today, again.get("hand_date_blank"))


def _date(h: Header, today: date, gaz: Gazetteer, found: dict[str, Found]) -> DateRead | None:
    words = [w for s in h.date_row for w in s.words]
    read = read_date_line(words, today, gaz) if words else None
    box = bbox_of(h.date_row)
    if read is None:
        found["issued_date"] = missing()
        found["place"] = missing()
        return None
    conf = ocr_conf([w.conf for w in read.digit_words]) if read.digit_words else 0.0
    conf -= 0.06 if conf < 0.95 else 0.0
    if read.problems or read.iso is None:
        conf = min(conf, 0.3)
    found["issued_date"] = Found(read.iso, conf, h.page, box)
    if read.place:
        pconf = 0.97 if ("place", read.place) in gaz else ocr_conf(
            [w.conf for w in read.place_words]) * 0.9
        pbox = union(w.bbox for w in read.place_words) if read.place_words else box
        found["place"] = Found(read.place, pconf, h.page, pbox)
    return read


def _hand_in_blank(box: tuple[int, int, int, int], h: Header) -> bool:
    """Colour ink inside the number line or the date line, no taller than about two of its
    lines: the number or day written by hand into the printed blank, not a stamp."""
    for row in (h.number_row, h.date_row):
        row_box = bbox_of(row)
        if row_box is None:
            continue
        left, top, right, bottom = row_box
        line = bottom - top
        if box[1] >= top - 0.8 * line and box[3] <= bottom + 0.8 * line and \
                box[3] - box[1] <= 2.5 * line and box[0] >= left - line and box[2] <= right + line:
            return True
    return False


# A register stamp (`CÔNG VĂN ĐẾN`, `Số:`, `Ngày:`, `Chuyển:`) holds three lines or more under a
# title some 35 mm long: ink smaller than this either way is something else (an electronic
# signature's round seal image or one-line box in the top margin).
_REGISTER_MIN_MM = (25.0, 12.0)


def _register_sized(box: tuple[int, int, int, int], dpi: int) -> bool:
    """Whether colour ink is big enough to be a register stamp (`_REGISTER_MIN_MM`)."""
    mm = 25.4 / dpi
    return (box[2] - box[0]) * mm >= _REGISTER_MIN_MM[0] and \
        (box[3] - box[1]) * mm >= _REGISTER_MIN_MM[1]


def _stamps(h: Header, stamp: Any, found: dict[str, Found], page: PageResult | None = None,
            today: date | None = None) -> None:
    """Secrecy, urgency and the register stamp from the black text and the coloured stamps.

    "None" is confident only when the first page was searched for colour (`marks_checked`) and
    nothing there, black or coloured, could be an unread mark: the clean-up removes coloured ink
    from the OCR image, so without that search a missing red `MẬT` looks like no mark at all.
    """
    limit = h.title.top if h.title is not None else h.height * 0.4
    bottom = max(limit, h.height * 0.3)
    checked = page is not None and page.marks_checked
    regions = [r for r in (colour_regions(page, today) if page is not None else [])
               if r.marks or r.arrival is not None or not _hand_in_blank(r.bbox, h)]
    # The top margin, above the header's first line, holds the visible stamps of electronic
    # signatures (a round seal image, a `Ký bởi ... Thời gian ký` box): secrecy and urgency marks
    # go under the number (Nghị định 30, Phụ lục I: boxes 10a and 10b), never up there.
    top = h.motto.top + 0.5 * h.motto.height if h.motto is not None else -1.0
    in_zone = [r for r in regions if r.bbox[1] <= bottom and (r.marks or r.bbox[3] > top)]
    for key, table in (("secrecy", SECRECY), ("urgency", URGENCY)):
        seg = find_mark(h.segs, table, bottom)
        reads: list[Found] = []
        if seg is not None:
            reads.append(Found(table[strip_edges(seg.folded)], ocr_conf([w.conf for w in seg.words]),
                               h.page, seg.bbox))
        reads += [Found(m.value, m.conf, h.page, m.bbox)
                  for r in in_zone for m in r.marks if m.key == key]
        if reads:
            best = max(reads, key=lambda f: f.confidence)
            if len({f.value for f in reads}) > 1:
                best.confidence = min(best.confidence, 0.5)  # two different marks read
            found[key] = best
        elif not checked:
            # Red stamps are removed from the OCR image: "none seen" is not proof.
            found[key] = Found(None, 0.85, h.page, None)
        elif any(r.mark_like for r in in_zone) or \
                black_mark_hint(h.segs, bottom, {id(seg)} if seg else set()):
            found[key] = Found(None, 0.6, h.page, None)  # a stamp there could not be read
        else:
            found[key] = Found(None, 0.95, h.page, None)
    # A register stamp sits over the header or beside `Kính gửi`, in the upper half.
    kinh_gui = [s for s in h.segs if s.folded.startswith("KINH GUI")]
    arrival_bottom = max(bottom, h.height * 0.5, *(s.bottom + 2 * s.height for s in kinh_gui))
    colour_stamps = [r.arrival for r in regions if r.arrival is not None
                     and r.bbox[1] <= arrival_bottom]
    dpi = page.dpi if page is not None and page.dpi else 300
    if stamp is not None:
        value = {"number": stamp.number, "date": stamp.date}
        conf = min(stamp.number_conf, stamp.date_conf) if stamp.number and stamp.date else 0.3
        found["arrival_stamp"] = Found(value, conf * 0.95, h.page, bbox_of(stamp.segs))
    elif colour_stamps:
        cs = colour_stamps[0]
        value = {"number": cs.number, "date": cs.date}
        # The number and date on a register stamp are written by hand: always for review.
        conf = min(cs.number_conf, cs.date_conf, 0.7) if cs.number and cs.date else 0.3
        found["arrival_stamp"] = Found(value, conf, h.page, bbox_of(cs.segs))
    elif not checked:
        found["arrival_stamp"] = Found(None, 0.85, h.page, None)
    elif any(r.arrival_like and _register_sized(r.bbox, dpi) for r in regions
             if r.bbox[1] <= arrival_bottom) or black_arrival_hint(h.segs, arrival_bottom):
        found["arrival_stamp"] = Found(None, 0.6, h.page, None)
    else:
        found["arrival_stamp"] = Found(None, 0.95, h.page, None)


def _signer(pages: list[PageResult], segs: list[list[Seg]], first: int, gaz: Gazetteer,
            found: dict[str, Found]) -> None:
    """The signer block on the last page that has one, searching back to the first page: blank
    back sides, receipt slips and appendix tables may follow the signer page."""
    # A later page with the national motto starts another document (an attached draft, the
    # appendix forms of a decree): its signer line is not this document's signer, so the search
    # ends before it.
    end = next((i for i in range(first + 1, len(pages)) if find_motto(segs[i])[0] is not None),
               len(pages))
    if end < len(pages) and pages[end - 1].index + 1 < pages[end].index:
        # The pages just before the next document were not read: the signer is likely there.
        return
    for i in range(end - 1, first - 1, -1):
        if i == first and i != end - 1 and pages[i].index + 1 < pages[end - 1].index:
            # Pages in between are missing: a block on the first page would be a guess.
            break
        read = find_signer(segs[i], page_width(pages[i]), gaz)
        if read is None:
            continue
        exact = pages[i].source == "text_layer"
        if read.position is None:
            comp, known = normalise_competence([s.text for s in read.competence], gaz)
            # Lines read as a known authority (`KT. CHỦ TỊCH`) stand whether or not the seal
            # hid the position line under them.
            part = Found(comp or None, CONFIDENT if comp and known else 0.5, pages[i].index,
                         bbox_of(read.competence))
            name_part = missing()
            if read.name_read is not None and read.name is not None:
                value, conf = correct_name(read.name_read.value, read.name_read.confs, gaz,
                                           exact=exact)
                name_part = Found(value, min(conf, 0.75), pages[i].index, read.name.bbox)
            # The position line under `KT. <head>` was not read: the deputy's title, for review.
            guess = deputy_position(comp, gaz)
            position = Found(guess, 0.5, pages[i].index, None) if guess else missing()
            parts = {"competence": part, "position": position, "full_name": name_part}
            found["signer"] = Found({k: p.value for k, p in parts.items()}, 0.0, pages[i].index,
                                    part.bbox, parts=parts)
            return
        pos_conf = 0.97 if read.position_known else \
            ocr_conf([w.conf for w in read.position.words]) * 0.85
        if read.position_value and len(read.position_value) > MAX_POSITION:
            pos_conf = 0.2
        position_value = read.position_value
        deputy = is_deputy(read.position_value)
        if deputy and not read.competence:
            # A deputy signs "KT." for the head: a missing prefix line means a missed line.
            pos_conf = min(pos_conf, 0.6)
        comp_text, comp_known = normalise_competence([s.text for s in read.competence], gaz)
        comp_conf = ocr_conf([w.conf for s in read.competence for w in s.words])
        comp_conf = (0.97 if comp_known else comp_conf * 0.85) if read.competence else pos_conf
        if read.competence_guess and not comp_text:
            comp_text, comp_conf = read.competence_guess, min(pos_conf, 0.5)
        if read.unread_below:
            pos_conf = min(pos_conf, 0.6)
            comp_conf = min(comp_conf, 0.6)
        if last_prefix(comp_text) == "KT" and not deputy:
            # `KT. GIÁM ĐỐC` is signed by a deputy; a head's title under it means a word of the
            # position (`PHÓ`, under the seal) was lost, or the lines were mixed up.
            pos_conf = min(pos_conf, 0.5)
            comp_conf = min(comp_conf, 0.8)
            position_value = deputy_position(comp_text, gaz) or position_value
        name_conf, name_value = 0.0, read.name_value
        if read.name is not None and read.name_read is not None:
            name_value, name_conf = correct_name(read.name_read.value, read.name_read.confs, gaz,
                                                 exact=exact)
            name_conf *= 1.0 if read.surname_known else 0.8
            if read.name_read.repaired or read.name_read.surname_guessed:
                name_conf = min(name_conf, 0.8)
            if len(name_value) > MAX_NAME:
                name_conf = 0.2
            if len(name_value.split()) < 3:
                # Full names almost always have three or more syllables; two usually means the
                # seal hid the surname (`Văn Phúc` for `Nguyễn Văn Phúc`).
                name_conf = min(name_conf, 0.85)
        parts = {
            "competence": Found(comp_text or None, min(comp_conf, 1.0), pages[i].index,
                                bbox_of(read.competence)),
            "position": Found(position_value, pos_conf, pages[i].index, read.position.bbox),
            "full_name": Found(name_value, name_conf, pages[i].index,
                               read.name.bbox if read.name else None),
        }
        top = min(s.top for s in [*read.competence, read.position])
        bottom = (read.name or read.position).bottom
        several = other_signers(segs[i], page_width(pages[i]), gaz, top, bottom,
                                read.position.height)
        if several:
            for p in parts.values():
                p.confidence = min(p.confidence, 0.6)
        signer_value = {k: p.value for k, p in parts.items()}
        boxes = [b for b in (bbox_of(read.competence), read.position.bbox,
                             read.name.bbox if read.name else None) if b]
        # Several signers' blocks: which one is the document's is for a person (never settled
        # by a known signer's name).
        found["signer"] = Found(signer_value, min(p.confidence for p in parts.values()), pages[i].index,
                                union(boxes), parts=parts, force_review=several)
        _recipients(segs[i], pages[i], found)
        return
    # No block anywhere: a name alone at the bottom right (seal and signature over the lines).
    for i in range(end - 1, first - 1, -1):
        lone = find_lone_name(segs[i], page_width(pages[i]), gaz)
        if lone is not None:
            _lone_signer(pages[i].index, *lone, gaz, found)
            _recipients(segs[i], pages[i], found)
            return


def _recipients(segs: list[Seg], page: PageResult, found: dict[str, Found]) -> None:
    """The `Nơi nhận` list beside the signer block (or beside a lone name)."""
    recips, rsegs, closed = find_recipients(segs, page_width(page))
    if recips:
        rconf = ocr_conf([w.conf for s in rsegs for w in s.words])
        if not closed:
            # No `Lưu:` line: the list may go on (next page, under a stamp) or end unread.
            rconf = min(rconf, 0.7)
        if not recipients_head_read(segs, page_width(page)):
            # The label was not read: where the list begins is a guess.
            rconf = min(rconf, 0.6)
        # Abbreviations (`UBND`, `b/c`) fill recipient lists: judge the spelled-out words.
        words = [t for t in re.findall(r"[^\W\d_]+", " ".join(recips))
                 if len(t) > 1 and not t.isupper()]
        if words and syllable_share(" ".join(words)) < 0.9:
            rconf = min(rconf, 0.7)
        found["to_places"] = Found([squash(r) for r in recips], rconf, page.index,
                                   bbox_of(rsegs))
