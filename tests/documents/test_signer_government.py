"""Signer blocks of government and ministry scans (issue 16): generated pages (synth) read as
their layout prints them, then damaged the way the seal, the signature and OCR damage real ones.

No OCR runs here: each page's words are synth's own word boxes, so a test takes well under a
second and shows exactly which reading the rule must survive.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from documents.extract import extract_metadata
from documents.extract.gazetteer import default_gazetteer
from documents.extract.names import correct_name
from models.result import PageResult, Word
from synth import GeneratedDocument, make_document
from worker.stages.reread import signer_name_region

TODAY = date(2030, 1, 1)
# synth seeds (quyet_dinh, one page): a Prime Minister's decision signed by a deputy
# (`KT. THỦ TƯỚNG` / `PHÓ THỦ TƯỚNG`) and a ministry's (`KT. BỘ TRƯỞNG` / `THỨ TRƯỞNG`).
GOVERNMENT, MINISTRY = 12, 32


@lru_cache(maxsize=4)
def _doc(seed: int) -> GeneratedDocument:
    return make_document(seed, pages=1, kind="quyet_dinh")


def _page(seed: int) -> tuple[PageResult, dict[str, str]]:
    """The generated page as words with their printed boxes, and the signer's truth."""
    doc = _doc(seed)
    words: list[Word] = []
    for n, line in enumerate(doc.layouts[0].lines):
        for w in line.words:
            if w.typed:
                words.append(Word(text=w.text, bbox=line.word_box(w, doc.dpi), conf=95.0,
                                  block=n, par=0, line=0))
    width, height = doc.pages[0].size
    page = PageResult(index=0, source="ocr", width=width, height=height, dpi=doc.dpi,
                      words=words)
    return page, doc.truth["fields"]["signer"]


def _line(page: PageResult, first: str, second: str) -> list[Word]:
    """The words of the signer line that starts with these two words."""
    lines: dict[int, list[Word]] = {}
    for w in page.words:
        lines.setdefault(w.block, []).append(w)
    found = [ws for ws in lines.values() if [w.text for w in ws[:2]] == [first, second]
             and ws[0].bbox[0] > page.width * 0.4]
    assert len(found) == 1, (first, second)
    return found[-1]


def _signer(page: PageResult) -> tuple[dict[str, str | None], dict[str, dict[str, object]]]:
    ex = extract_metadata([page], today=TODAY)
    return ex.metadata["signer"], ex.fields["signer"]["parts"]


def _replace(page: PageResult, old: list[Word], new: list[Word]) -> PageResult:
    gone = {id(w) for w in old}
    return page.model_copy(update={"words": [w for w in page.words if id(w) not in gone] + new})


def test_generated_government_block_is_read_as_printed() -> None:
    # The undamaged pages: the rules below must not be needed to read them.
    for seed in (GOVERNMENT, MINISTRY):
        page, truth = _page(seed)
        got, parts = _signer(page)
        assert got == truth
        assert not any(p["needs_review"] for p in parts.values())


def test_prefix_without_a_space_and_a_stroke_before_the_position() -> None:
    # `KT.CHỦ TỊCH` printed without a space, and the signature's stroke read as `l` (confidence
    # 0) before the position line: the block was not found at all (only a lone name).
    page, truth = _page(MINISTRY)
    comp = _line(page, "KT.", "BỘ")
    glued = comp[0].model_copy(update={"text": "KT." + comp[1].text,
                                       "bbox": (comp[0].bbox[0], comp[0].bbox[1],
                                                comp[1].bbox[2], comp[1].bbox[3])})
    pos = _line(page, "THỨ", "TRƯỞNG")
    x0, y0, _, y1 = pos[0].bbox
    stroke = pos[0].model_copy(update={"text": "l", "conf": 0.0,
                                       "bbox": (x0 - 60, y0, x0 - 50, y1)})
    page = _replace(page, comp[:2], [glued, stroke])
    got, parts = _signer(page)
    assert got["competence"] == truth["competence"] == "KT. BỘ TRƯỞNG"
    assert got["position"] == truth["position"]
    assert got["full_name"] == truth["full_name"]


def test_position_under_the_seal_is_the_deputys_title_for_review() -> None:
    # The seal covers `PHÓ THỦ TƯỚNG` entirely: under `KT. THỦ TƯỚNG` the signer is the
    # deputy; the title is filled in, never confident.
    page, truth = _page(GOVERNMENT)
    page = _replace(page, _line(page, "PHÓ", "THỦ"), [])
    got, parts = _signer(page)
    assert got["competence"] == truth["competence"] == "KT. THỦ TƯỚNG"
    assert got["position"] == truth["position"] == "PHÓ THỦ TƯỚNG"
    assert parts["position"]["needs_review"]
    # The prefix line itself was read as a known authority: it stands.
    assert not parts["competence"]["needs_review"]
    # A prefix line read as no known authority stays for review.
    garbled = _replace(page, _line(page, "KT.", "THỦ"),
                       [w.model_copy(update={"text": t}) for w, t in
                        zip(_line(page, "KT.", "THỦ"), ("KT.", "XẨM", "QUA"), strict=True)])
    got, parts = _signer(garbled)
    assert parts["competence"]["needs_review"]


def test_prefix_line_under_the_seal_is_guessed_from_the_deputys_title() -> None:
    # `KT. BỘ TRƯỞNG` lost under the seal, `THỨ TRƯỞNG` read: the deputy signs for the head.
    page, truth = _page(MINISTRY)
    page = _replace(page, _line(page, "KT.", "BỘ"), [])
    got, parts = _signer(page)
    assert got["competence"] == truth["competence"] == "KT. BỘ TRƯỞNG"
    assert got["position"] == truth["position"]
    assert parts["competence"]["needs_review"] and parts["position"]["needs_review"]


def test_prefix_and_deputy_word_under_the_seal() -> None:
    # `KT.` of the prefix line lost, `THỨ` read as a stray `tt`: the head's title stands alone
    # above the end of the deputy's. Both lines are guessed back, for review.
    page, truth = _page(MINISTRY)
    comp = _line(page, "KT.", "BỘ")
    pos = _line(page, "THỨ", "TRƯỞNG")
    tt = pos[0].model_copy(update={"text": "tt", "conf": 40.0})
    trg = pos[1].model_copy(update={"text": "TRƯỜNG"})
    page = _replace(page, [comp[0], *pos], [tt, trg])
    got, parts = _signer(page)
    assert got["position"] == truth["position"] == "THỨ TRƯỞNG"
    assert got["competence"] == truth["competence"] == "KT. BỘ TRƯỞNG"
    assert parts["position"]["needs_review"] and parts["competence"]["needs_review"]


def test_seal_cut_surname_and_a_small_letter_middle_name() -> None:
    # `Lê Văn Thanh` under the seal: the `L` eaten (glyphs left: `{,ê`) and the top of `V` cut,
    # read `văn`. The name is recovered, for review.
    page, _ = _page(MINISTRY)
    name = [w for w in page.words if w.bbox[1] > _line(page, "THỨ", "TRƯỞNG")[0].bbox[3]
            and w.bbox[0] > page.width * 0.5][:3]
    assert len(name) == 3
    read = [w.model_copy(update={"text": t, "conf": c})
            for w, t, c in zip(name, ("{,ê", "văn", "Thanh"), (47.0, 96.0, 96.0), strict=True)]
    got, parts = _signer(_replace(page, name, read))
    assert got["full_name"] == "Lê Văn Thanh"
    assert parts["full_name"]["needs_review"]
    # The end of a cut `Nguyễn` is no small-letter middle name (`Nør: yến Văn Phúc`).
    read = [w.model_copy(update={"text": t}) for w, t in zip(name, ("Nør: yến", "Văn", "Phúc"),
                                                                strict=True)]
    split = [read[0].model_copy(update={"text": "Nør:"}), read[0], *read[1:]]
    assert _signer(_replace(page, name, split))[0]["full_name"] == "Nguyễn Văn Phúc"


def test_second_look_is_due_for_a_two_syllable_name_and_reaches_far_below() -> None:
    page, _ = _page(GOVERNMENT)
    position = _line(page, "PHÓ", "THỦ")
    h = position[0].bbox[3] - position[0].bbox[1]
    name = [w for w in page.words if w.bbox[1] > position[0].bbox[3]
            and w.bbox[0] > page.width * 0.5][:3]
    assert signer_name_region(page) is None  # the whole name, read well: no second look
    # The seal hid the surname and the `T` of `Thị`: two syllables left, read confidently.
    cut = [name[0].model_copy(update={"text": "hị"}), *name[1:]]
    assert signer_name_region(_replace(page, name, cut)) is not None
    # A 150-dpi scan with a tall seal: the name 15 line heights under the position line.
    gone = _replace(page, name, [])
    box = signer_name_region(gone)
    assert box is not None and box[3] >= position[0].bbox[3] + 15 * h


def test_unlisted_given_name_is_not_turned_into_a_surname() -> None:
    # `Đô` (read with every mark) is no listed given name, `Đỗ` a surname: keep what was read,
    # for review, instead of adding a tone mark.
    value, conf = correct_name("Lê Thành Đô", [97.0, 97.0, 94.0], default_gazetteer())
    assert value == "Lê Thành Đô" and conf < 0.9
    # A known given name still gets its lost mark back.
    assert correct_name("Trần Văn Hiên", [97.0, 97.0, 94.0], default_gazetteer())[0] == \
        "Trần Văn Hiền"


def test_a_surname_tail_opening_with_a_vowel_is_not_another_surname() -> None:
    # `áng Phước Hòa` (`Đặng` under the seal): the marks of a vowel say which surname it is not
    # (`Ông`); only a garbled consonant (`šê` for `Lê`) leaves them out of the comparison.
    page, _ = _page(MINISTRY)
    name = [w for w in page.words if w.bbox[1] > _line(page, "THỨ", "TRƯỞNG")[0].bbox[3]
            and w.bbox[0] > page.width * 0.5][:3]
    for read, want in ((("áng", "Phước", "Hòa"), "Phước Hòa"),
                       (("šê", "Văn", "Thanh"), "Lê Văn Thanh")):
        words = [w.model_copy(update={"text": t}) for w, t in zip(name, read, strict=True)]
        got, parts = _signer(_replace(page, name, words))
        assert got["full_name"] == want
        assert parts["full_name"]["needs_review"]
