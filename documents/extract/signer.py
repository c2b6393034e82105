"""Signer block (bottom right of the last page) and the `Nơi nhận` list (bottom left)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from documents.extract.gazetteer import Gazetteer
from documents.extract.layout import Seg
from documents.extract.names import NameRead, read_name
from documents.extract.textutil import is_upper_phrase, levenshtein, squash, strip_edges
from models.result import Word
from models.text import fold
from models.vocabulary import MAX_LENGTH

# Authority prefixes (DOMAIN §2), also in the older slash forms `T/M`, `K/T`; the dot may be
# printed without a space after it (`KT.CHỦ TỊCH`).
_PREFIX = re.compile(r"^(TM|KT|Q|TL|TUQ|T/M|K/T|T/L)(?:\s*[.:,]\s*|\s+)(?=\S)", re.I)
# Registry limits: Position 100, FullName 50.
MAX_POSITION = MAX_LENGTH["Position"]
MAX_NAME = MAX_LENGTH["FullName"]


@dataclass
class SignerRead:
    """The signer block's lines and the name line under the signature."""

    competence: list[Seg]
    position: Seg | None
    position_value: str | None
    position_known: bool
    name: Seg | None
    name_value: str | None
    surname_known: bool
    name_read: NameRead | None = None
    # A garbled line right under the position: the block goes on unread (`PHÓ` of `PHÓ THỦ
    # TƯỚNG` under the seal), so the position and prefix read may be the head's, not the signer's.
    unread_below: bool = False
    # `KT. <head>` when only the head's title was read above the end of the deputy's: the seal
    # covered the prefix and `PHÓ` (a guess, for review).
    competence_guess: str | None = None


_RECIPIENTS_HEAD = re.compile(r"^\W*\w?\W*NOI NHAN\b")


def is_recipients_head(text: str) -> bool:
    """True for the `Nơi nhận:` label, also with one stray glyph of a seal or rule before it
    (`ệNơi nhận:`)."""
    return bool(_RECIPIENTS_HEAD.match(fold(text, upper=True)))


def has_prefix(text: str) -> bool:
    """True when the line opens with an authority prefix (`KT. CHỦ TỊCH`)."""
    return bool(_PREFIX.match(text.strip()))


def normalise_competence(lines: list[str], gaz: Gazetteer) -> tuple[str, bool]:
    """`KT CHU TỊCH` -> `KT. CHỦ TỊCH` per line, bodies corrected; True when all were known."""
    out: list[str] = []
    known = True
    for line in lines:
        text = squash(line).upper()
        m = _PREFIX.match(text)
        prefix = ""
        if m:
            prefix = (m.group(1) if "/" in m.group(1) else m.group(1) + ".") + " "
            text = text[m.end():]
        hit = gaz.lookup("position", text, 0.15) or gaz.lookup("collective", text, 0.15)
        if hit is None:
            known = False
        out.append(prefix + (hit.value if hit else strip_edges(text)))
    return " ".join(out), known


def _upper_line(s: Seg) -> bool:
    return is_upper_phrase(s.text) and sum(c.isalpha() for c in s.text) >= 2


def _stray(w: Word) -> bool:
    """A signature or seal stroke read as a glyph at the end of a line (`l` before `PHÓ CHỦ
    TỊCH`): one or two characters, no capital, low confidence."""
    return len(w.text) <= 2 and not any(c.isupper() for c in w.text) and w.conf < 50


def _trimmed(s: Seg) -> Seg:
    """The line without stray glyphs at its ends when that makes it a capitals line (a block
    line the signature crosses); any other line as it is (a name line keeps its garbage, which
    may be a cut surname)."""
    words = list(s.words)
    while len(words) > 1 and _stray(words[0]):
        words.pop(0)
    while len(words) > 1 and _stray(words[-1]):
        words.pop()
    if len(words) == len(s.words) or _upper_line(s):
        return s
    cut = Seg(s.page, words)
    return cut if _upper_line(cut) else s


def _letters(text: str) -> str:
    return "".join(c for c in fold(text, upper=True) if c.isalpha())


def read_position(text: str, gaz: Gazetteer) -> tuple[str, bool] | None:
    """The known position a line reads as, and whether the reading is sure: a near spelling
    (`THỨ TRƯỞNG` read `THU TRƯỞNG`) or the same letters split or joined by OCR (`THỨ
    'TRƯỞN G`) are sure; a closer guess on a garbled line (`PH Ầ HỦ TICH`) is not."""
    hit = gaz.lookup("position", text, 0.15)
    if hit is not None:
        return hit.value, True
    key = _letters(text)
    if len(key) < 5:
        return None
    best: tuple[int, str] | None = None
    for value in gaz.values("position"):
        d = levenshtein(key, _letters(value), 3)
        if d == 0:
            return value, True
        if d <= len(key) // 4 and (best is None or d < best[0]):
            best = (d, value)
    return (best[1], False) if best is not None else None


def _deputy_tail(above: str, text: str, gaz: Gazetteer) -> tuple[str, bool, str] | None:
    """The deputy's position (a guess, not sure) and the competence `KT. <head>` when the line
    above is the head's title alone and this garbled line reads as the end of the deputy's."""
    head = gaz.lookup("position", strip_edges(squash(above)).upper(), 0.15)
    deputy = deputy_position("KT. " + head.value, gaz) if head is not None else None
    key = _letters(text)
    if deputy is None or len(key) < 4:
        return None
    tail = _letters(deputy)[-len(key):]
    if head is None or levenshtein(key, tail, 1) > 1:
        return None
    return deputy, False, "KT. " + head.value


# A deputy signs `KT.` for the head (DOMAIN §2): the head's title and the deputy's.
_DEPUTY_OF = {"BO TRUONG": "THỨ TRƯỞNG"}


def _head_of(deputy: str, gaz: Gazetteer) -> str | None:
    """The head a deputy signs for (`THỨ TRƯỞNG` -> `BỘ TRƯỞNG`, `PHÓ GIÁM ĐỐC` -> `GIÁM
    ĐỐC`); None for a head's own title and for a deputy in charge (`... PHỤ TRÁCH`, who signs
    without `KT.`)."""
    key = fold(deputy, upper=True)
    if key.endswith(" PHU TRACH"):
        return None
    heads = [h for h, d in _DEPUTY_OF.items() if key == fold(d, upper=True)]
    head = heads[0] if heads else deputy[4:] if key.startswith("PHO ") else None
    hit = gaz.lookup("position", head, 0.0) if head else None
    return hit.value if hit else None


def deputy_position(competence: str | None, gaz: Gazetteer) -> str | None:
    """The deputy's position under `KT. <head>` (`KT. BỘ TRƯỞNG` -> `THỨ TRƯỞNG`, `KT. TRƯỞNG
    BAN BAN ...` -> `PHÓ TRƯỞNG BAN`), when the head's title is a known one; a guess for the
    clerk when the position line itself was not read."""
    found = re.split(r"(?:^|\s)(?:KT|K/T)\.?\s+", (competence or "").upper())
    if len(found) < 2:
        return None
    body = fold(found[-1], upper=True)
    heads = sorted((v for v in gaz.values("position") if body == fold(v, upper=True)
                    or body.startswith(fold(v, upper=True) + " ")), key=len, reverse=True)
    if not heads:
        return None
    head = fold(heads[0], upper=True)
    if head in _DEPUTY_OF:
        return _DEPUTY_OF[head]
    if head.startswith("PHO "):
        return None
    deputy = gaz.lookup("position", "PHÓ " + heads[0], 0.0)
    return deputy.value if deputy is not None else None


def find_signer(segs: list[Seg], width: int, gaz: Gazetteer) -> SignerRead | None:
    """The lowest signer block on a page: prefix/position lines, then the name after a gap."""
    # Seal and signature strokes come out as tiny one-letter segments: they are not lines.
    right = [s for s in segs if s.left > width * 0.38 and s.cx > width * 0.5
             and sum(c.isalpha() for c in s.text) >= 2]
    # Strokes of a seal or signature read as letters are much smaller than printed text (`TỶ`
    # 8 px high between `TM. ỦY BAN NHÂN DÂN` and `CHỦ TỊCH`): they must not split the block.
    if right:
        typical = median(s.height for s in right)
        right = [_trimmed(s) for s in right if s.height >= 0.45 * typical]
    starts = [i for i, s in enumerate(right) if _upper_line(s) and (
        has_prefix(s.text) or gaz.lookup("position", strip_edges(s.text), 0.15) is not None)]
    if not starts:
        return None
    # The block starts on the row of `Nơi nhận:` when there is one (lines under the signature,
    # like `PHÓ CHỦ TỊCH UBND TỈNH` beside the name, are not the block); else the lowest one.
    head = next((s for s in segs
                 if is_recipients_head(s.text) and s.cx < width * 0.5), None)
    end = starts[-1]
    if head is not None:
        after = [i for i in starts if right[i].bottom >= head.top - 2 * head.height]
        end = after[0] if after else end
    first = end
    while first > 0 and _upper_line(right[first - 1]) and \
            right[first].top - right[first - 1].bottom < 1.8 * right[first].height:
        first -= 1
    # The position is the last line of the block before the signature gap.
    last = end
    while last + 1 < len(right) and _upper_line(right[last + 1]) and \
            right[last + 1].top - right[last].bottom < 1.2 * right[last].height:
        last += 1
    block = right[first:last + 1]
    pos_seg = block[-1]
    if has_prefix(pos_seg.text):
        # The position line under `KT. ...` was not read (seal, signature): report no position,
        # but the name under the signature may still be there.
        name_seg, name = _name_below(right, pos_seg, gaz)
        return SignerRead(block, None, None, False, name_seg, name.value if name else None,
                          False, name)
    pos_text = strip_edges(squash(pos_seg.text)).upper()
    hit = read_position(pos_text, gaz)
    guess = None
    if (hit is None or not hit[1]) and len(block) >= 2 and not has_prefix(block[-2].text):
        # `KT.` and `PHÓ` under the seal: the head's title read alone above the end of the
        # deputy's (`THỦ TƯỚNG` / `tt TƯỜNG` for `KT. THỦ TƯỚNG` / `PHÓ THỦ TƯỚNG`).
        tail = _deputy_tail(block[-2].text, pos_text, gaz)
        if tail is not None:
            hit, guess = tail[:2], tail[2]
    position = hit[0] if hit else pos_text
    competence = block[:-1]
    if competence and not has_prefix(competence[0].text):
        # Lines above a position that carry no prefix belong to the body or a title, not here.
        competence = [s for s in competence if has_prefix(s.text)]
    if not competence and guess is None and hit is not None and hit[1]:
        # A deputy signs `KT.` for the head: the prefix line was lost (under the seal).
        boss = _head_of(position, gaz)
        guess = "KT. " + boss if boss else None
    name_seg, name = _name_below(right, pos_seg, gaz)
    unread = any(0 <= s.top - pos_seg.bottom < 1.2 * pos_seg.height and s is not name_seg
                 and min(s.right, pos_seg.right) - max(s.left, pos_seg.left) > 0
                 and not _upper_line(s) for s in right)
    name_value = name.value if name else None
    surname_ok = name is not None and not name.surname_guessed and \
        ("surname", name.value.split()[0]) in gaz
    return SignerRead(competence, pos_seg, position, hit is not None and hit[1], name_seg,
                      name_value, surname_ok, name, unread, guess)


def _name_below(right: list[Seg], pos_seg: Seg, gaz: Gazetteer
                ) -> tuple[Seg | None, NameRead | None]:
    """The first line reading as a name under the block, after the signature gap."""
    for s in right:
        if s.top <= pos_seg.bottom:
            continue
        if s.top - pos_seg.bottom > 16 * pos_seg.height:
            break
        name = read_name(s.words, gaz)
        if name is not None:
            return s, name
    return None, None


def find_lone_name(segs: list[Seg], width: int, gaz: Gazetteer) -> tuple[Seg, NameRead] | None:
    """A name at the bottom right with no readable block above it (the seal and signature hid
    the prefix and position lines): the lowest right-hand line that reads as a full name, on a
    page that ends with the `Nơi nhận` list or has nothing under the line but the list."""
    head = next((s for s in segs if is_recipients_head(s.text) and s.cx < width * 0.5),
                None)
    if head is None:
        return None
    right = [s for s in segs if s.left > width * 0.4 and s.cx > width * 0.55
             and head.top - 4 * head.height <= s.top <= head.top + 30 * head.height
             and s.right - s.left > 2 * (s.bottom - s.top)]
    for s in sorted(right, key=lambda x: -x.top):
        name = read_name(s.words, gaz)
        if name is None or len(name.value.split()) < 3:
            continue
        # Nothing but list lines, seal strokes and page numbers below it on the right.
        below = [x for x in right if x.top > s.bottom and sum(c.isalpha() for c in x.text) >= 4]
        if below:
            return None
        return s, name
    return None


_ITEM_MARK = "-–—_~•+*"


def find_recipients(segs: list[Seg], width: int) -> tuple[list[str], list[Seg], bool]:
    """The `Nơi nhận:` lines (without dashes and the `Lưu` line), their segments, and whether the
    list was seen to its end (the `Lưu: VT, ...` filing line closes it)."""
    head = next((s for s in segs
                 if is_recipients_head(s.text) and s.cx < width * 0.5), None)
    if head is None:
        head = _unread_head(segs, width)
        if head is None:
            return [], [], False
        rest = ""
    else:
        rest = _item_text(head.text.split(":", 1)[1]) if ":" in head.text else ""
    out: list[str] = []
    used: list[Seg] = [head]
    prev = head
    closed = False
    if rest:
        out.append(rest)
    open_item = False
    for s in segs:
        if s.top <= prev.top or s.left > head.left + 4 * head.height or s.cx > width * 0.5:
            continue
        if s.top - prev.bottom > 2.5 * head.height:
            break
        raw = squash(s.text)
        prev = s
        used.append(s)
        text = _item_text(raw)
        if fold(text, upper=True).startswith("LUU"):
            closed = True
            break
        if not any(c.isalpha() for c in text):
            continue  # a seal stroke or rule read as a mark
        # Each recipient starts with a dash; a line without one continues a long recipient that
        # wrapped (`- Trung tâm Phục vụ hành chính` / `công;`).
        if open_item and out and not raw.startswith(tuple(_ITEM_MARK)):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
        open_item = not raw.rstrip().endswith((";", ".", ":"))
    return out, used, closed


def recipients_head_read(segs: list[Seg], width: int) -> bool:
    """True when the `Nơi nhận:` label itself was read on the page."""
    return any(is_recipients_head(s.text) and s.cx < width * 0.5 for s in segs)


def _unread_head(segs: list[Seg], width: int) -> Seg | None:
    """The line standing for an unread `Nơi nhận:` label (bold italic, often garbled): found from
    the `- Lưu: VT, ...` line closing the list, by walking up the column of dash lines to the
    line above the first of them."""
    luu = next((s for s in reversed(segs) if s.cx < width * 0.5
                and fold(_item_text(s.text), upper=True).startswith("LUU")), None)
    if luu is None:
        return None
    column = [s for s in segs if abs(s.left - luu.left) < 4 * luu.height and s.cx < width * 0.5
              and s.top < luu.top]
    cur = luu
    for s in sorted(column, key=lambda x: -x.top):
        if cur.top - s.bottom > 2.5 * luu.height:
            break
        cur = s
        if not s.text.lstrip().startswith(tuple(_ITEM_MARK)) and s.top < luu.top - luu.height:
            # Not a dash line: the label, or the tail of a wrapped recipient above the label.
            above = [x for x in column if 0 < s.top - x.bottom < 2.5 * luu.height]
            if not any(x.text.lstrip().startswith(tuple(_ITEM_MARK)) for x in above):
                return s
    return cur if cur is not luu else None


def _item_text(raw: str) -> str:
    """A recipient line without its dash and end mark; brackets of `(để b/c)` are kept."""
    return raw.lstrip(_ITEM_MARK + " .,:;'`").rstrip(" ;.,:")


# Positions of a deputy: they sign `KT.` for the head (DOMAIN §2).
_DEPUTY = ("PHO ", "THU TRUONG")


def is_deputy(position: str | None) -> bool:
    """True for a deputy's position (`PHÓ CHỦ TỊCH`, `THỨ TRƯỞNG`)."""
    return fold(position or "", upper=True).startswith(_DEPUTY)


def last_prefix(competence: str | None) -> str | None:
    """The prefix of the last competence line (`KT` in `TL. CHỦ TỊCH KT. CHÁNH VĂN PHÒNG`)."""
    found = re.findall(r"(?:^|\s)(TM|KT|Q|TL|TUQ|T/M|K/T|T/L)\.?\s", (competence or "").upper())
    return found[-1].replace("/", "") if found else None


def other_signers(segs: list[Seg], width: int, gaz: Gazetteer, top: int, bottom: int,
                  height: float) -> bool:
    """True when the page holds another signer block near this one (a prefix line or a bare
    position outside the block's rows `top`..`bottom`): a joint document signed by several
    heads, where which block the registry wants is not clear."""
    for s in segs:
        if s.top < top - 20 * height or s.top > bottom + 20 * height:
            continue
        if top - height <= s.top <= bottom and s.cx > width * 0.5:
            continue  # the block itself, and title lines under the signature
        if _upper_line(s) and (has_prefix(s.text) or gaz.lookup(
                "position", strip_edges(s.text), 0.0) is not None):
            return True
    return False
