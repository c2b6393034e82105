"""Whether a born-digital page can carry a stamp its text layer does not show (page stage).

A page kept with its own text layer is not searched for coloured ink, so extraction could not
tell "no secrecy mark, no urgency stamp, no register stamp" from "a stamp nobody looked for",
and the clerk was stopped on all three for every born-digital document. A mark typed into the
document is text, read from the layer like any other line; a mark that is not text is drawn
as an image (a scanned seal, a pasted `HỎA TỐC`, a register stamp a receiving system added) or
as an annotation (a stamp or free-text annotation). A page that draws no image, inline or
nested in form XObjects, and carries no annotation but links and electronic signature boxes,
holds no stamp the text layer misses: its search for marks is complete
(`PageResult.marks_checked`). A page with an image or another annotation keeps the doubt, as
does one pikepdf cannot read. The pages a document keeps are looked at together, with the text
layer (`worker.pipeline`), the file opened once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pikepdf

log = logging.getLogger(__name__)

# Annotations that draw nothing on the page's face. A form field (`/Widget`) draws its
# appearance, which is looked into, except an electronic signature's box (`/FT /Sig`), whose
# picture is the signer's seal or logo (extraction never takes a mark from the top margin
# where it stands).
_HARMLESS = {"/Link", "/Popup"}


def _draws_image(obj: pikepdf.Object, seen: set[tuple[int, int]]) -> bool:
    """Whether a content stream draws an image: an image XObject, an inline image, or either
    inside a form XObject it draws (any depth). An unreadable stream counts as one."""
    if obj.objgen in seen:
        return False
    seen.add(obj.objgen)
    resources = obj.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    if isinstance(xobjects, pikepdf.Dictionary):
        for _name, x in xobjects.items():
            if not isinstance(x, pikepdf.Stream):
                continue
            if x.get("/Subtype") == "/Image" or \
                    (x.get("/Subtype") == "/Form" and _draws_image(x, seen)):
                return True
    try:
        instructions = pikepdf.parse_content_stream(obj)
    except pikepdf.PdfError:
        return True
    return any(isinstance(i, pikepdf.ContentStreamInlineImage) for i in instructions)


def _appearances(annot: pikepdf.Dictionary) -> list[pikepdf.Stream]:
    """The appearance streams of an annotation (normal, rollover, down; with their states)."""
    out: list[pikepdf.Stream] = []
    ap = annot.get("/AP")
    for entry in ap.values() if isinstance(ap, pikepdf.Dictionary) else []:
        if isinstance(entry, pikepdf.Stream):
            out.append(entry)
        elif isinstance(entry, pikepdf.Dictionary):
            out += [v for v in entry.values() if isinstance(v, pikepdf.Stream)]
    return out


def _text_only(page: pikepdf.Page) -> bool:
    """Whether a page draws no image, itself or in a form field's appearance, and carries no
    other annotation that draws on it."""
    seen: set[tuple[int, int]] = set()
    if _draws_image(page.obj, seen):
        return False
    for annot in page.obj.get("/Annots") or []:
        if not isinstance(annot, pikepdf.Dictionary):
            continue
        kind = str(annot.get("/Subtype"))
        if kind == "/Widget" and str(annot.get("/FT")) == "/Sig":
            continue  # an electronic signature's box: its image is the signer's seal
        if kind == "/Widget":
            if any(_draws_image(ap, seen) for ap in _appearances(annot)):
                return False
        elif kind not in _HARMLESS:
            return False
    return True


def text_only_pages(pdf_path: Path, indices: Iterable[int]) -> set[int]:
    """Which of the given pages (0-based) of a PDF can hold no stamp their text layer does not
    show: the file is opened once for all of them. None of them when pikepdf cannot read it."""
    wanted = list(indices)
    if not wanted:
        return set()
    try:
        with pikepdf.open(pdf_path) as pdf:
            return {i for i in wanted if i < len(pdf.pages) and _text_only(pdf.pages[i])}
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        log.info("could not look for images in %s: %s", pdf_path.name, exc)
        return set()
