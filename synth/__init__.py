"""Generator of realistic scanned Vietnamese administrative documents with exact ground truth."""

from synth.content import KINDS
from synth.degrade import DEGRADATIONS, degrade
from synth.document import make_document
from synth.model import GeneratedDocument
from synth.writer import FORMATS, write_document

__all__ = ["DEGRADATIONS", "FORMATS", "KINDS", "GeneratedDocument", "degrade", "make_document",
           "write_document"]
