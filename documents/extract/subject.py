"""The summary (trích yếu): bold lines under the type title, or the text after `V/v`."""

from __future__ import annotations

import re

from documents.extract.fields import Found, missing, ocr_conf
from documents.extract.header import VV, Header, bbox_of
from documents.extract.phrases import (
    fix_phrase_accents,
    fix_place_names,
    fix_so_before_number,
    fix_unattested,
)
from documents.extract.textutil import prose, squash, syllable_share
from models.vocabulary import MAX_LENGTH

# Registry limit for Subject (Nghị định 30, Phụ lục VI).
MAX_SUBJECT = MAX_LENGTH["Subject"]
# The usual opening `Về việc`, with OCR's dropped tone or space (`Vêviệc`, `Vẻ việc`).
_VE_VIEC = re.compile(r"^[Vv][eêềếểễệèéẻẽẹaàáảãạ]\s*vi[eêệ]c\b")
# OCR picks up the short rule under a title as dashes or stray marks before the first word.
_LEAD_JUNK = re.compile(r"^[^\w(\"“]+")


def _mostly_upper(prefix: str) -> bool:
    """Two or more words, mostly capitals: stamp text, not the start of a sentence."""
    letters = [c for c in prefix if c.isalpha()]
    return len(prefix.split()) >= 2 and bool(letters) and \
        sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def read_subject(h: Header, *, keep_vv: bool = False, exact: bool = False) -> Found:
    """The summary joined over its lines, with a confidence from its words. A công văn's `V/v`
    is left out unless `keep_vv` (a decision's summary printed `V/v ...`). `exact`: the words
    are a born-digital page's own text, never repaired (`năng lượng` is no misread `nâng
    lương`)."""
    if not h.subject_lines:
        return missing(0.0)
    words = [w for s in h.subject_lines for w in s.words]
    # Leading junk tokens (rule fragments, low confidence, no letters) are not part of it.
    while words and not any(c.isalnum() for c in words[0].text):
        words = words[1:]
    text = squash(" ".join(w.text for w in words))
    if h.vv and not keep_vv:
        text = VV.sub("", text)
    text = _LEAD_JUNK.sub("", text).rstrip(" ;,")
    if not text:
        return missing(0.0)
    conf = ocr_conf([w.conf for w in words])
    conf_cap = 1.0
    at = text.find("Về việc")
    if at > 0 and _mostly_upper(text[:at]):
        # An incoming stamp at the margin joined the first summary line (`TRUNG TÂM CÔNG BÁO &
        # TIN HỌC ... Về việc ...`): the summary starts at `Về việc`; the line needs a look.
        text, conf_cap = text[at:], 0.6
    fixed = 0
    if not exact:
        text, unattested = fix_unattested(text)
        text, fixed = fix_phrase_accents(text)
        text, places = fix_place_names(text)
        text, so = fix_so_before_number(text)
        fixed += unattested + places + so
        if _VE_VIEC.match(text) and not text.startswith("Về việc"):
            text, fixed = _VE_VIEC.sub("Về việc", text), fixed + 1
    if fixed:
        # OCR got accents wrong in this summary with high word confidence: the repaired phrases
        # are likely right, but other words of the same line may carry the same kind of error.
        conf = min(conf, 0.85)
    conf = min(conf, conf_cap)
    if syllable_share(prose(text)) < 0.9:
        conf = min(conf, 0.6)
    if not h.subject_whole:
        # The block looks cut (a continuation line left out, or a first line starting
        # lower-case): the best reading is filled in, a clerk checks it is whole.
        conf = min(conf, 0.6)
    if len(text) > MAX_SUBJECT:
        conf = min(conf, 0.3)
    return Found(text, conf, h.page, bbox_of(h.subject_lines))
