"""Page layout per Nghị định 30: header block, flowing justified body, signer block."""

from __future__ import annotations

from synth.content import Content, Para, finish_items
from synth.fonts import balanced_wrap, mm_px, pt_px, width, wrap
from synth.model import Geometry, Line, PageLayout, Word, union

A4_MM = (210.0, 297.0)


def date_words(c: Content, g: Geometry) -> tuple[str, str, str]:
    """Printed day, month and year strings (leading zeros per Nghị định 30)."""
    d = c.issued
    day = f"{d.day:02d}" if g.zero_rule else str(d.day)
    month = f"{d.month:02d}" if g.zero_rule and d.month < 3 else str(d.month)
    return day, month, str(d.year)


class Layouter:
    """Lays out one document at a dpi; pure computation, no drawing."""

    def __init__(self, c: Content, g: Geometry, dpi: int) -> None:
        """Prepare page metrics."""
        self.c, self.g, self.dpi = c, g, dpi
        self.W, self.H = round(mm_px(A4_MM[0], dpi)), round(mm_px(A4_MM[1], dpi))
        self.x0, self.x1 = mm_px(g.left, dpi), self.W - mm_px(g.right, dpi)
        self.bottom = self.H - mm_px(g.bottom, dpi)
        nat = width("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B", g.header_pt, dpi)
        self.rw = max(nat, mm_px(92, dpi)) + mm_px(4, dpi)
        self.lc = (self.x0 + self.x1 - self.rw) / 2
        self.rc = self.x1 - self.rw / 2
        self.lw = self.x1 - self.rw - self.x0
        self.pages: list[PageLayout] = []
        self.y = 0.0

    def px(self, pt: float) -> float:
        """Points to pixels."""
        return pt_px(pt, self.dpi)

    def centred(self, page: PageLayout, text: str, style: str, size: float, cx: float,
                base: float, role: str, fields: tuple[str, ...] = ()) -> Line:
        """Add a line of text centred on cx."""
        x = cx - width(text, style, size, self.dpi) / 2
        words, pos = [], x
        for w in text.split():
            words.append(Word(w, pos, style, size))
            pos += width(w + " ", style, size, self.dpi)
        line = Line(words, base, role, fields)
        page.lines.append(line)
        return line

    def header(self) -> PageLayout:
        """Lay out the page-1 header block and return the page."""
        c, g, p = self.c, self.g, PageLayout()
        self.pages.append(p)
        top = mm_px(g.top, self.dpi)
        y = top + self.px(g.organ_pt)
        step = self.px(g.organ_pt) * 1.2
        if c.agency.parent:
            for t in balanced_wrap(c.agency.parent, "R", g.organ_pt, self.dpi, self.lw * 0.93):
                self.centred(p, t, "R", g.organ_pt, self.lc, y, "organ", ("parent_organ",))
                y += step
        last = ""
        for piece in c.agency.organ.split("\n"):
            for t in balanced_wrap(piece, "B", g.organ_pt, self.dpi, self.lw * 0.93):
                self.centred(p, t, "B", g.organ_pt, self.lc, y, "organ", ("organ_name",))
                last, y = t, y + step
        rl = width(last, "B", g.organ_pt, self.dpi) * 0.4
        ry = y - step + self.px(g.organ_pt) * 0.4
        p.rules.append((self.lc - rl / 2, ry, self.lc + rl / 2, ry))
        ryr = top + self.px(g.header_pt)
        self.centred(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B", g.header_pt, self.rc, ryr,
                     "header")
        ryr += self.px(g.motto_pt) * 1.2
        motto = "Độc lập - Tự do - Hạnh phúc"
        self.centred(p, motto, "B", g.motto_pt, self.rc, ryr, "header")
        mw = width(motto, "B", g.motto_pt, self.dpi)
        ryr += self.px(g.motto_pt) * 0.3
        p.rules.append((self.rc - mw / 2, ryr, self.rc + mw / 2, ryr))
        base = max(ry, ryr) + self.px(g.body_pt) * 1.7
        self.number_line(p, base)
        self.date_line(p, base)
        y = base
        if c.kind == "cong_van":
            vv = balanced_wrap("V/v " + c.subject, "R", g.organ_pt, self.dpi, self.lw * 0.92)
            for t in vv:
                y += self.px(g.organ_pt) * 1.2
                self.centred(p, t, "R", g.organ_pt, self.lc, y, "subject", ("subject",))
        if g.stamp_row:
            h = mm_px(12, self.dpi)
            p.anchors["stamp_row"] = (int(self.x0), int(y + self.px(6)), int(self.x0 + self.lw),
                                      int(y + h))
            y += h
        if c.kind != "cong_van":
            y += mm_px(9, self.dpi)
            self.centred(p, c.type_name, "B", g.subject_pt + 1, (self.x0 + self.x1) / 2, y,
                         "type", ("type_name",))
            tw = (self.x1 - self.x0) * 0.8
            widest = 0.0
            for t in balanced_wrap(c.subject, "B", g.subject_pt, self.dpi, tw):
                y += self.px(g.subject_pt) * 1.2
                self.centred(p, t, "B", g.subject_pt, (self.x0 + self.x1) / 2, y, "subject",
                             ("subject",))
                widest = max(widest, width(t, "B", g.subject_pt, self.dpi))
            y += self.px(g.subject_pt) * 0.45
            cx = (self.x0 + self.x1) / 2
            p.rules.append((cx - widest * 0.2, y, cx + widest * 0.2, y))
        self.y = y + mm_px(6, self.dpi)
        if c.kinh_gui:
            self.kinh_gui(p)
        return p

    def number_line(self, p: PageLayout, base: float) -> None:
        """Add the `Số: 87/QĐ-UBND` line, with a handwriting blank if needed."""
        c, g, size = self.c, self.g, self.g.body_pt
        if not g.hand_number:
            self.centred(p, f"Số: {c.code_number}/{c.code_notation}", "R", size, self.lc, base,
                         "number", ("number",))
            return
        blank = mm_px(14, self.dpi)
        rest = "/" + c.code_notation
        total = width("Số: ", "R", size, self.dpi) + blank + width(rest, "R", size, self.dpi)
        x = self.lc - total / 2
        hx = x + width("Số: ", "R", size, self.dpi)
        words = [Word("Số:", x, "R", size), Word(c.code_number, hx, "R", size, typed=False),
                 Word(rest, hx + blank, "R", size, glue=True)]
        p.lines.append(Line(words, base, "number", ("number",)))
        p.anchors["hand_number"] = (int(hx), int(base - self.px(size)), int(hx + blank), int(base))

    def date_line(self, p: PageLayout, base: float) -> None:
        """Add the italic place-and-date line, with a handwriting blank for the day."""
        c, g, size = self.c, self.g, self.g.body_pt
        day, month, year = date_words(c, g)
        head = f"{c.agency.place}, ngày"
        tail = f"tháng {month} năm {year}"
        if not g.hand_day:
            line = self.centred(p, f"{head} {day} {tail}", "I", size, self.rc, base, "date",
                                ("issued_date",))
        else:
            blank = mm_px(10, self.dpi)
            sp = width(" ", "I", size, self.dpi)
            total = width(head, "I", size, self.dpi) + 2 * sp + blank + width(tail, "I", size,
                                                                              self.dpi)
            x = self.rc - total / 2
            words, pos = [], x
            for w in head.split():
                words.append(Word(w, pos, "I", size))
                pos += width(w + " ", "I", size, self.dpi)
            words.append(Word(day, pos, "I", size, typed=False))
            p.anchors["hand_day"] = (int(pos), int(base - self.px(size)), int(pos + blank),
                                     int(base))
            pos += blank + sp
            for w in tail.split():
                words.append(Word(w, pos, "I", size))
                pos += width(w + " ", "I", size, self.dpi)
            line = Line(words, base, "date", ("issued_date",))
            p.lines.append(line)
        n_place = len(c.agency.place.split())
        p.anchors["place"] = union([line.word_box(w, self.dpi) for w in line.words[:n_place]])

    def kinh_gui(self, p: PageLayout) -> None:
        """Add the `Kính gửi:` block, one recipient per line when several."""
        g, size, items = self.g, self.g.body_pt, self.c.kinh_gui
        step = self.px(size) * g.leading
        self.y += step
        if len(items) == 1:
            self.centred(p, f"Kính gửi: {items[0]}.", "R", size, (self.x0 + self.x1) / 2, self.y,
                         "recipients", ("to_places",))
        else:
            lab = width("Kính gửi: ", "R", size, self.dpi)
            longest = max(width(f"- {t};", "R", size, self.dpi) for t in items)
            x = (self.x0 + self.x1) / 2 - (lab + longest) / 2
            for i, t in enumerate(items):
                text = f"- {t}" + ("." if i == len(items) - 1 else ";")
                words = [Word("Kính gửi:", x, "R", size)] if i == 0 else []
                pos = x + lab
                for w in text.split():
                    words.append(Word(w, pos, "R", size))
                    pos += width(w + " ", "R", size, self.dpi)
                p.lines.append(Line(words, self.y, "recipients", ("to_places",)))
                self.y += step
            self.y -= step
        self.y += mm_px(3, self.dpi)

    def new_page(self) -> PageLayout:
        """Start a continuation page with its page number centred at the top."""
        p = PageLayout()
        self.pages.append(p)
        base = mm_px(max(8.0, self.g.top - 8), self.dpi) + self.px(self.g.body_pt)
        self.centred(p, str(len(self.pages)), "R", self.g.body_pt, (self.x0 + self.x1) / 2, base,
                     "page_number")
        self.y = mm_px(self.g.top, self.dpi) + self.px(self.g.body_pt) * 0.6
        return p

    def paragraph(self, para: Para) -> None:
        """Flow one paragraph into the pages, justified unless centred or left aligned."""
        g, size, dpi = self.g, self.g.body_pt, self.dpi
        step = self.px(size) * g.leading
        words = [(w, st) for text, st in para.runs for w in text.split()]
        indent = mm_px(g.indent_mm, dpi) if para.indent else 0.0
        full = self.x1 - self.x0
        lines: list[list[tuple[str, str]]] = [[]]
        cur = indent
        for w, st in words:
            ww = width(w, st, size, dpi)
            need = ww + (width(" ", "R", size, dpi) if lines[-1] else 0.0)
            if lines[-1] and cur + need > full + 0.5:
                lines.append([])
                cur = 0.0
                need = ww
            lines[-1].append((w, st))
            cur += need
        self.y += self.px(g.para_pt)
        for i, lw in enumerate(lines):
            if self.y + step > self.bottom:
                self.new_page()
            self.y += step
            sp = width(" ", "R", size, dpi)
            natural = sum(width(w, st, size, dpi) for w, st in lw) + sp * (len(lw) - 1)
            start = self.x0 + (indent if i == 0 else 0.0)
            gap = sp
            if para.align == "center":
                start = (self.x0 + self.x1) / 2 - natural / 2
            elif para.align == "justify" and i < len(lines) - 1 and len(lw) > 1:
                gap = sp + (self.x1 - start - natural) / (len(lw) - 1)
            pos, out = start, []
            for w, st in lw:
                out.append(Word(w, pos, st, size))
                pos += width(w, st, size, dpi) + gap
            self.pages[-1].lines.append(Line(out, self.y, para.role))

    def end_block(self) -> None:
        """Lay out the signer block (right) and the `Nơi nhận` list (left)."""
        c, g, dpi = self.c, self.g, self.dpi
        step = self.px(g.body_pt) * 1.2
        nstep = self.px(g.nn_pt) * 1.15
        nn_lines: list[tuple[str, float]] = [("Nơi nhận:", 0.0)]
        for i, r in enumerate(c.recipients):
            text = f"- {r}" + ("." if i == len(c.recipients) - 1 else ";")
            for j, t in enumerate(wrap(text, "R", g.nn_pt, dpi, self.lw * 0.95)):
                nn_lines.append((t, mm_px(2, dpi) if j else 0.0))
        sig = c.competence + ([c.position] if c.position else [])
        sig_h = step * (len(sig) + 1) + mm_px(g.sig_gap_mm, dpi)
        nn_h = self.px(12) + nstep * len(nn_lines)
        top = self.y + mm_px(5, dpi)
        if top + max(sig_h, nn_h) > self.bottom:
            self.new_page()
            top = self.y + mm_px(2, dpi)
        p, y = self.pages[-1], top
        for t in sig:
            y += step
            self.centred(p, t, "B", g.body_pt, self.rc, y, "signer", ("signer",))
        sig_top = y + self.px(g.body_pt) * 0.5
        y += mm_px(g.sig_gap_mm, dpi) + step
        name = self.centred(p, c.full_name, "B", g.body_pt, self.rc, y, "signer",
                            ("signer", "signer_name"))
        nb = name.bbox(dpi)
        p.anchors["signature"] = (int(self.rc - mm_px(26, dpi)), int(sig_top),
                                  int(self.rc + mm_px(26, dpi)), int(nb[1] - self.px(2)))
        p.anchors["name"] = nb
        y = top + self.px(g.nn_pt)
        for i, (t, dx) in enumerate(nn_lines):
            style = "BI" if i == 0 else "R"
            size = 12.0 if i == 0 else g.nn_pt
            words, pos = [], self.x0 + dx
            for w in t.split():
                words.append(Word(w, pos, style, size))
                pos += width(w + " ", style, size, dpi)
            p.lines.append(Line(words, y, "recipients", ("recipients",)))
            y += nstep
        self.y = max(y, name.baseline)

    def run(self, k: int) -> list[PageLayout]:
        """Lay out the whole document with k middle items."""
        self.header()
        for para in finish_items(self.c, k):
            self.paragraph(para)
        self.end_block()
        return self.pages


def layout(c: Content, g: Geometry, dpi: int, k: int) -> list[PageLayout]:
    """Lay out a document with k middle items; returns positioned pages."""
    return Layouter(c, g, dpi).run(k)
