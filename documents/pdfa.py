"""Join page PDFs into one PDF/A-2b file, written atomically, and check PDF/A structure."""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pikepdf
from PIL import ImageCms

from infra.tools import ghostscript
from models.errors import OutputError

# A composed page path, or (born-digital source PDF, 0-based page index).
PagePart = Path | tuple[Path, int]

_HEADER = re.compile(rb"^%PDF-1\.[0-7][ \t]*\r?\n?%[\x80-\xff]{4}")
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_NEED_EMBEDDING = {"/Type1", "/MMType1", "/TrueType", "/CIDFontType0", "/CIDFontType2"}
_BAD_ACTIONS = {
    "/JavaScript", "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide",
    "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView",
}  # fmt: skip
_UP_LINKS = {"/Parent", "/P", "/Prev", "/Next", "/First", "/Last", "/Dest"}


@dataclass(frozen=True)
class DocumentInfo:
    """Document metadata written to both the Info dictionary and the XMP packet."""

    title: str
    author: str = ""
    creator_tool: str = "vn-intake"
    producer: str = "vn-intake"
    created: datetime = field(default_factory=lambda: datetime.now().astimezone())


@dataclass(frozen=True)
class AssembleOptions:
    """How born-digital pages are treated and how long Ghostscript may take per page."""

    convert_born_digital: bool = True  # rewrite non-conforming copied pages with Ghostscript
    ghostscript_timeout: float = 300.0


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """Return an sRGB ICC profile for the output intent (made by LittleCMS, 588 bytes)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _walk(obj: object, seen: set[tuple[int, int]], out: list[str]) -> None:
    """Collect PDF/A problems in `obj` and everything below it, each indirect object once."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            _walk(item, seen, out)
        return
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return
    subtype = str(obj.get("/Subtype", ""))
    if obj.get("/Type") == pikepdf.Name.Font and subtype in _NEED_EMBEDDING:
        desc = obj.get("/FontDescriptor")
        if desc is None or not any(k in desc for k in _FONT_FILES):
            out.append(f"font {obj.get('/BaseFont', '?')} is not embedded")
    if str(obj.get("/S", "")) in _BAD_ACTIONS:
        out.append(f"forbidden action {obj.get('/S')}")
    if "/AA" in obj:
        out.append("additional actions (/AA)")
    if "/TR" in obj and obj.get("/TR") != pikepdf.Name.Default:
        out.append("transfer function (/TR)")
    if isinstance(obj, pikepdf.Stream):
        filters = obj.get("/Filter")
        names = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
        if pikepdf.Name.LZWDecode in names:
            out.append("LZW-compressed stream")
        if subtype == "/PS":
            out.append("PostScript XObject")
    for key in obj.keys():
        if key not in _UP_LINKS:
            _walk(obj.get(key), seen, out)


def _annotation_problems(page: pikepdf.Page) -> list[str]:
    """Return problems of the page's annotations: hidden, not printed, no appearance."""
    out = []
    for annot in page.obj.get("/Annots", pikepdf.Array()):
        sub = str(annot.get("/Subtype", ""))
        flags = int(annot.get("/F", 0))
        if sub != "/Popup" and (not flags & 4 or flags & 3):
            out.append(f"annotation {sub} not set to print or hidden")
        if sub not in ("/Popup", "/Link") and "/AP" not in annot:
            out.append(f"annotation {sub} has no appearance stream")
    return out


def page_problems(page: pikepdf.Page) -> list[str]:
    """Return PDF/A-2b problems of one page: fonts, actions, LZW, annotations (deduplicated)."""
    out: list[str] = []
    _walk(page.obj, set(), out)
    return list(dict.fromkeys(out + _annotation_problems(page)))


def check_pdfa(path: Path) -> list[str]:
    """Return the structural PDF/A-2b problems of a file; an empty list means none found."""
    with open(path, "rb") as fh:
        if not _HEADER.match(fh.read(64)):
            return ["header is not %PDF-1.0..1.7 followed by a binary comment line"]
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return ["encrypted (needs a password)"]
    except pikepdf.PdfError as exc:
        return [f"unreadable PDF: {exc}"]
    problems: list[str] = []
    with pdf:
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            problems.append("encrypted (/Encrypt in trailer)")
        if "/ID" not in pdf.trailer:
            problems.append("no document /ID in the trailer")
        if "/Metadata" not in pdf.Root:
            problems.append("no XMP metadata stream")
        else:
            meta = pdf.open_metadata()
            if meta.get("pdfaid:part") not in ("1", "2", "3"):
                problems.append("XMP has no pdfaid:part")
            if not meta.get("pdfaid:conformance"):
                problems.append("XMP has no pdfaid:conformance")
        intents = [
            oi for oi in pdf.Root.get("/OutputIntents", pikepdf.Array())
            if oi.get("/S") == pikepdf.Name.GTS_PDFA1
        ]  # fmt: skip
        if not intents or not all("/DestOutputProfile" in oi for oi in intents):
            problems.append("no GTS_PDFA1 output intent with a DestOutputProfile")
        doc: list[str] = []
        for key in ("/OpenAction", "/AA", "/Names", "/AcroForm"):
            _walk(pdf.Root.get(key), set(), doc)
        problems += [f"catalog: {p}" for p in dict.fromkeys(doc)]
        for n, page in enumerate(pdf.pages, start=1):
            problems += [f"page {n}: {p}" for p in page_problems(page)]
    return problems


@dataclass(frozen=True)
class PlacedImage:
    """An image drawn on a page: its pixels, where it lands (points) and its effective dpi."""

    name: str
    width_px: int
    height_px: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in page points (axis-aligned hull)
    dpi: float  # the lower of the two axes: pixels per inch of the placed image
    colour: str  # DeviceRGB, DeviceGray, ... or "stencil" for a 1-bit image mask
    mask_dpi: float | None = None  # its explicit /Mask image's effective dpi, if it has one


def _mul(m: list[float], n: list[float]) -> list[float]:
    """The product m x n of two PDF matrices [a b c d e f] (m applied first)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2]


def placed_images(page: pikepdf.Page) -> list[PlacedImage]:
    """Every image XObject a page draws (forms followed), with its effective resolution."""
    out: list[PlacedImage] = []
    _placed(page, page.obj.get("/Resources", pikepdf.Dictionary()),
            [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], out, 0)
    return out


def _placed(content: pikepdf.Page | pikepdf.Object, resources: pikepdf.Object, ctm: list[float],
            out: list[PlacedImage], depth: int) -> None:
    """Follow one content stream (a page's, or a form's) and collect the images it draws."""
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    stack: list[list[float]] = []
    for instruction in pikepdf.parse_content_stream(content):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # an inline image: too small to matter here
        operands, name = instruction.operands, str(instruction.operator)
        if name == "q":
            stack.append(ctm)
        elif name == "Q" and stack:
            ctm = stack.pop()
        elif name == "cm":
            ctm = _mul([float(v) for v in operands], ctm)
        elif name == "Do":
            xobj = xobjects.get(str(operands[0]))
            if xobj is None:
                continue
            if xobj.get("/Subtype") == pikepdf.Name.Form and depth < 8:
                matrix = [float(v) for v in xobj.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                _placed(xobj, xobj.get("/Resources", resources), _mul(matrix, ctm), out,
                        depth + 1)
            elif xobj.get("/Subtype") == pikepdf.Name.Image:
                out.append(_placed_image(str(operands[0]), xobj, ctm))


def _placed_image(name: str, xobj: pikepdf.Object, ctm: list[float]) -> PlacedImage:
    a, b, c, d, e, f = ctm
    corners = [(e, f), (a + e, b + f), (c + e, d + f), (a + c + e, b + d + f)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    w_in, h_in = math.hypot(a, b) / 72.0, math.hypot(c, d) / 72.0
    width, height = int(xobj.Width), int(xobj.Height)

    def dpi_of(w: int, h: int) -> float:
        return min(w / w_in, h / h_in) if w_in > 0 and h_in > 0 else 0.0

    mask = xobj.get("/Mask")
    mask_dpi = None
    if isinstance(mask, pikepdf.Stream):
        mask_dpi = round(dpi_of(int(mask.Width), int(mask.Height)), 1)
    stencil = bool(xobj.get("/ImageMask", False))
    space = xobj.get("/ColorSpace")
    colour = "stencil" if stencil else (str(space[0] if isinstance(space, pikepdf.Array) else space)
                                        .lstrip("/"))
    return PlacedImage(name.lstrip("/"), width, height, (min(xs), min(ys), max(xs), max(ys)),
                       round(dpi_of(width, height), 1), colour, mask_dpi)


def _set_metadata(pdf: pikepdf.Pdf, info: DocumentInfo) -> None:
    """Write the Info dictionary and a matching XMP packet that declares PDF/A-2b."""
    when = info.created.replace(microsecond=0)
    if when.tzinfo is None:
        when = when.astimezone()
    # Keep the Info dictionary free of anything the XMP does not also say (PDF/A 6.6.2.3).
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary())
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = info.title
        if info.author:
            meta["dc:creator"] = [info.author]
        meta["xmp:CreatorTool"] = info.creator_tool
        meta["pdf:Producer"] = info.producer
        meta["xmp:CreateDate"] = when.isoformat()
        meta["xmp:ModifyDate"] = when.isoformat()
        meta["xmp:MetadataDate"] = when.isoformat()
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
    # pikepdf writes "+07'00"; the full PDF 1.7 form "+07'00'" is what validators expect.
    pdf.docinfo.CreationDate = pikepdf.String(_pdf_date(when))
    pdf.docinfo.ModDate = pikepdf.String(_pdf_date(when))


def retitle_pdfa(src: Path, out: Path, title: str) -> str | None:
    """Write `src` to `out` (atomically) with `title` as its XMP dc:title and Info /Title; the
    modify and metadata dates become now, everything else is kept (pages, creation date,
    pdfaid, output intent). Returns the title it had, or None, writing nothing, when it has
    `title` already. For a PDF/A this product built and nobody has signed: the file is
    rewritten whole, which would break a signature."""
    tmp = out.with_name(out.name + ".part")
    try:
        with pikepdf.open(src) as pdf:
            old = str(pdf.open_metadata().get("dc:title") or "")
            if old == title:
                return None
            created = pdf.docinfo.get("/CreationDate")
            now = datetime.now().astimezone().replace(microsecond=0)
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
                meta["dc:title"] = title
                meta["xmp:ModifyDate"] = now.isoformat()
                meta["xmp:MetadataDate"] = now.isoformat()
            # As in _set_metadata: the full PDF date form, and the creation date as it was.
            if created is not None:
                pdf.docinfo.CreationDate = created
            pdf.docinfo.ModDate = pikepdf.String(_pdf_date(now))
            pdf.save(tmp, force_version="1.7", compress_streams=True,
                     object_stream_mode=pikepdf.ObjectStreamMode.generate)
        os.replace(tmp, out)
        return old
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _pdf_date(when: datetime) -> str:
    """Format an aware datetime as a PDF date string, D:YYYYMMDDHHmmSS+HH'mm'."""
    off = when.strftime("%z") or "+0000"
    return when.strftime("D:%Y%m%d%H%M%S") + f"{off[0]}{off[1:3]}'{off[3:5]}'"


def _add_output_intent(pdf: pikepdf.Pdf) -> None:
    """Declare sRGB as the output intent, with the ICC profile embedded."""
    icc = pdf.make_stream(srgb_profile(), N=3)
    pdf.Root.OutputIntents = pikepdf.Array([
        pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
            Info=pikepdf.String("sRGB IEC61966-2.1"), RegistryName=pikepdf.String(""),
            DestOutputProfile=icc,
        ))
    ])  # fmt: skip


def _has_widgets(page: pikepdf.Page) -> bool:
    """Whether the page has form-field widgets (signature boxes) among its annotations."""
    return any(str(a.get("/Subtype", "")) == "/Widget" for a in page.obj.get("/Annots", []))


def _born_digital_page(
    source: Path, index: int, work: Path, stack: contextlib.ExitStack, options: AssembleOptions
) -> pikepdf.Page:
    """Return a page of a born-digital PDF, rewritten by Ghostscript when it breaks PDF/A."""
    src = stack.enter_context(pikepdf.open(source))
    if _has_widgets(src.pages[index]):
        # A signed original's "Ký bởi …" boxes become page content: our PDF/A shows them without
        # carrying signature fields whose signatures cover the original's bytes, not ours.
        src.flatten_annotations("all")
    page = src.pages[index]
    if not page_problems(page) or not options.convert_born_digital:
        return page
    icc = work / "srgb.icc"
    icc.write_bytes(srgb_profile())
    converted = work / f"gs-{len(list(work.iterdir()))}.pdf"
    ghostscript.to_pdfa2b(
        source,
        converted,
        first_page=index + 1,
        last_page=index + 1,
        icc=icc,
        timeout=options.ghostscript_timeout,
    )
    page = stack.enter_context(pikepdf.open(converted)).pages[0]
    left = page_problems(page)
    if left:
        raise OutputError(
            f"page {index + 1} of {source.name} is not PDF/A after conversion", problems=left
        )
    return page


def assemble_pdfa(
    parts: list[PagePart], out: Path, info: DocumentInfo, options: AssembleOptions | None = None
) -> None:
    """Join page PDFs into one PDF/A-2b file at `out`, replacing it atomically.

    Guaranteed for the result: check_pdfa() finds no problem, XMP and Info agree, sRGB output
    intent, all fonts embedded. Composed pages are copied as they are; a copied born-digital
    page that has a check_pdfa problem (unembedded font, forbidden action, LZW, bad annotation)
    is rewritten by Ghostscript's PDF/A-2b mode, which embeds substitute fonts and drops
    forbidden features. Not checked: DeviceCMYK/ICC colour use in born-digital content, XMP
    extension schemas and other rules only a full validator (veraPDF) covers.
    """
    options = options or AssembleOptions()
    if not parts:
        raise OutputError("no pages to assemble")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as work_dir:
            pdf = stack.enter_context(pikepdf.new())
            for part in parts:
                if isinstance(part, tuple):
                    page = _born_digital_page(part[0], part[1], Path(work_dir), stack, options)
                else:
                    page = stack.enter_context(pikepdf.open(part)).pages[0]
                pdf.pages.append(page)
            _set_metadata(pdf, info)
            _add_output_intent(pdf)
            pdf.save(
                tmp,
                force_version="1.7",
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
            )
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the output is an ordinary file
        os.replace(tmp, out)
        dir_fd = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # make the rename itself durable
        finally:
            os.close(dir_fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
